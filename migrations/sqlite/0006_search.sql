-- Keyless news search behind subscriptions (issue 11).
-- A search is a source like a feed: kind names its provider (bing, gdelt, google, hn) and url is the request
-- without its time-dependent parameters, so one (provider, query, locale) is one row however many channels
-- follow it.

-- The publisher an item came from, when its source is not the publisher (a search result); NULL: the source's
-- own title.
ALTER TABLE items ADD COLUMN outlet TEXT;
-- The item's link normalised (scheme, www., tracking parameters, AMP, fragment and trailing slash dropped; see
-- item::url_key), or after its page was read, the page's canonical URL normalised. One article reached
-- through several sources is stored once: later sources link to the stored item (item_links).
ALTER TABLE items ADD COLUMN url_key TEXT;
CREATE INDEX items_url_key ON items (url_key);

-- Sources that carried an item stored under another source, with when and how (backlog) each saw it.
CREATE TABLE item_links (
    source_id  INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    item_id    INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    fetched_at INTEGER NOT NULL,
    backlog    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source_id, item_id)
) WITHOUT ROWID;
CREATE INDEX item_links_item ON item_links (item_id);

-- The searches each subscription draws from (one per enabled provider), rebuilt when a server changes its
-- providers or locale. The poller keeps fresh every source a server added or a subscription searches.
CREATE TABLE subscription_searches (
    subscription_id INTEGER NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
    source_id       INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    PRIMARY KEY (subscription_id, source_id)
) WITHOUT ROWID;
CREATE INDEX subscription_searches_source ON subscription_searches (source_id);

-- A server's search settings; no row: [search] defaults. providers: comma-separated names, '' for none.
CREATE TABLE guild_search (
    guild_id   INTEGER PRIMARY KEY,
    providers  TEXT,
    language   TEXT,
    country    TEXT,
    updated_by INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
