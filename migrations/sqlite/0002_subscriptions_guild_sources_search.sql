-- What Discord servers ask for: topics per channel, feeds a server added, and full-text search over items.
-- Discord ids (snowflakes) fit in SQLite's signed 64-bit INTEGER.
CREATE TABLE subscriptions (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    query      TEXT    NOT NULL,
    query_norm TEXT    NOT NULL,
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    CONSTRAINT subscriptions_channel_query UNIQUE (channel_id, query_norm)
);
CREATE INDEX subscriptions_guild ON subscriptions (guild_id);

CREATE TABLE guild_sources (
    guild_id  INTEGER NOT NULL,
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    added_by  INTEGER NOT NULL,
    added_at  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, source_id)
);

-- Candidate retrieval for /search over folded text (lower case, diacritics stripped the way herald's matcher
-- strips them, which FTS5's own folding does not do for Cyrillic). herald writes a row per new item; the
-- topic matcher then filters candidates precisely (stems, phrases, exclusions).
CREATE VIRTUAL TABLE items_fts USING fts5(text, tokenize = 'unicode61 remove_diacritics 0');
CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
    DELETE FROM items_fts WHERE rowid = old.id;
END;
