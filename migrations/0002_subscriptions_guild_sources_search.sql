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

-- Candidate retrieval for /search; the topic matcher then filters precisely (stems, phrases, exclusions).
CREATE VIRTUAL TABLE items_fts USING fts5(
    title, snippet, body,
    content = 'items', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
    INSERT INTO items_fts (rowid, title, snippet, body) VALUES (new.id, new.title, new.snippet, new.body);
END;
CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
    INSERT INTO items_fts (items_fts, rowid, title, snippet, body)
    VALUES ('delete', old.id, old.title, old.snippet, old.body);
END;
CREATE TRIGGER items_fts_update AFTER UPDATE ON items BEGIN
    INSERT INTO items_fts (items_fts, rowid, title, snippet, body)
    VALUES ('delete', old.id, old.title, old.snippet, old.body);
    INSERT INTO items_fts (rowid, title, snippet, body) VALUES (new.id, new.title, new.snippet, new.body);
END;
INSERT INTO items_fts (items_fts) VALUES ('rebuild');
