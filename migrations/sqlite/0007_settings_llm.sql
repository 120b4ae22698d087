-- Per-channel briefing settings (issue 13); no row: the config's defaults.
--   style: extractive | llm;  length: headlines | short | full (NULL: [brief] sentences / summary_words);
--   post_in: channel | thread | forum (forum_id: the forum channel posted in, forum_tag: the tag its posts get);
--   ping_role: a role id or NULL.
CREATE TABLE channel_settings (
    channel_id  INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    style       TEXT    NOT NULL DEFAULT 'extractive',
    language    TEXT,
    length      TEXT,
    max_stories INTEGER,
    post_in     TEXT    NOT NULL DEFAULT 'channel',
    forum_id    INTEGER,
    forum_tag   INTEGER,
    ping_role   INTEGER,
    updated_by  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- LLM summaries, one per (story, language, length, model), shared by every channel and server.
CREATE TABLE llm_cache (
    key        TEXT    PRIMARY KEY,
    summary    TEXT    NOT NULL,
    tokens     INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

-- Tokens spent per UTC day (YYYY-MM-DD), per server and over all (guild_id 0).
CREATE TABLE llm_usage (
    day      TEXT    NOT NULL,
    guild_id INTEGER NOT NULL,
    tokens   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, guild_id)
) WITHOUT ROWID;

-- The thread (or forum post) a delivery posts into, recorded as soon as it is created, so a restart posts the
-- remaining parts there instead of opening another.
ALTER TABLE deliveries ADD COLUMN thread_id INTEGER;
