-- Sources (feeds) and the items read from them. Times are unix seconds (UTC).
CREATE TABLE sources (
    id            INTEGER PRIMARY KEY,
    url           TEXT    NOT NULL UNIQUE,
    kind          TEXT    NOT NULL DEFAULT 'feed',
    title         TEXT,
    etag          TEXT,
    last_modified TEXT,
    next_fetch_at INTEGER,
    fail_count    INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    last_ok_at    INTEGER,
    created_at    INTEGER NOT NULL
);

CREATE TABLE items (
    id           INTEGER PRIMARY KEY,
    source_id    INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    guid         TEXT    NOT NULL,
    url          TEXT,
    title        TEXT    NOT NULL,
    author       TEXT,
    published_at INTEGER,
    fetched_at   INTEGER NOT NULL,
    snippet      TEXT    NOT NULL DEFAULT '',
    body         TEXT    NOT NULL DEFAULT '',
    lang         TEXT,
    UNIQUE (source_id, guid)
);

-- Briefings read "the newest items of these sources"; undated items count from when they were fetched.
CREATE INDEX items_source_time ON items (source_id, COALESCE(published_at, fetched_at));
