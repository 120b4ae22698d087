-- PostgreSQL twin of migrations/sqlite/0006 (keyless news search, issue 11).
ALTER TABLE items ADD COLUMN outlet TEXT;
ALTER TABLE items ADD COLUMN url_key TEXT;
CREATE INDEX items_url_key ON items (url_key);

CREATE TABLE item_links (
    source_id  BIGINT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    item_id    BIGINT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    fetched_at BIGINT NOT NULL,
    backlog    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (source_id, item_id)
);
CREATE INDEX item_links_item ON item_links (item_id);

CREATE TABLE subscription_searches (
    subscription_id BIGINT NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
    source_id       BIGINT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    PRIMARY KEY (subscription_id, source_id)
);
CREATE INDEX subscription_searches_source ON subscription_searches (source_id);

CREATE TABLE guild_search (
    guild_id   BIGINT PRIMARY KEY,
    providers  TEXT,
    language   TEXT,
    country    TEXT,
    updated_by BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
