-- PostgreSQL twin of migrations/sqlite/0005.
CREATE TABLE articles (
    url           TEXT   PRIMARY KEY,
    state         TEXT   NOT NULL,
    error         TEXT,
    title         TEXT,
    byline        TEXT,
    published     TEXT,
    lang          TEXT,
    canonical_url TEXT,
    text          TEXT   NOT NULL DEFAULT '',
    fetched_at    BIGINT NOT NULL
);
CREATE INDEX items_url ON items (url);
