-- PostgreSQL twin of migrations/sqlite/0007 (per-channel settings and LLM summaries, issue 13).
CREATE TABLE channel_settings (
    channel_id  BIGINT PRIMARY KEY,
    guild_id    BIGINT NOT NULL,
    style       TEXT   NOT NULL DEFAULT 'extractive',
    language    TEXT,
    length      TEXT,
    max_stories BIGINT,
    post_in     TEXT   NOT NULL DEFAULT 'channel',
    forum_id    BIGINT,
    forum_tag   BIGINT,
    ping_role   BIGINT,
    updated_by  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE llm_cache (
    key        TEXT   PRIMARY KEY,
    summary    TEXT   NOT NULL,
    tokens     BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE llm_usage (
    day      TEXT   NOT NULL,
    guild_id BIGINT NOT NULL,
    tokens   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, guild_id)
);

ALTER TABLE deliveries ADD COLUMN thread_id BIGINT;
