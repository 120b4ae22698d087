-- The article page behind an item's link, read once per URL ever and shared by every item that links to it.
--   state: read (text holds the article) | failed (error says why; items keep their feed text)
CREATE TABLE articles (
    url           TEXT    PRIMARY KEY,
    state         TEXT    NOT NULL,
    error         TEXT,
    title         TEXT,
    byline        TEXT,
    published     TEXT,
    lang          TEXT,
    canonical_url TEXT,
    text          TEXT    NOT NULL DEFAULT '',
    fetched_at    INTEGER NOT NULL
);
-- Finding items whose page is still to be read.
CREATE INDEX items_url ON items (url);
