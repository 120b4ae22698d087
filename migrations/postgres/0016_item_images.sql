-- The picture a feed entry or a search result names itself (media:thumbnail, Bing's News:Image, GDELT's
-- socialimage): an absolute https URL, shown when the item's page was not read or offered none.
ALTER TABLE items ADD COLUMN image_url TEXT;
