-- What a page says about its article besides its text: the publisher's name and the lead image (an https
-- URL, with the size the page gives for it), for briefings to show.
ALTER TABLE articles ADD COLUMN site_name TEXT;
ALTER TABLE articles ADD COLUMN image_url TEXT;
ALTER TABLE articles ADD COLUMN image_width INTEGER;
ALTER TABLE articles ADD COLUMN image_height INTEGER;
