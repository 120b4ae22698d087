-- Scheduled delivery. A row is written (state 'claimed', with the briefing it will post) before anything is
-- posted, so a crash mid-post is finished on restart rather than lost or doubled.
--   state: claimed → sent | empty (nothing new, nothing posted) | failed (given up; its items are released)
CREATE TABLE deliveries (
    id          INTEGER PRIMARY KEY,
    channel_id  INTEGER NOT NULL,
    guild_id    INTEGER NOT NULL,
    due_at      INTEGER NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'claimed',
    payload     TEXT    NOT NULL,
    parts_sent  INTEGER NOT NULL DEFAULT 0,
    message_id  INTEGER,
    attempts    INTEGER NOT NULL DEFAULT 0,
    retry_at    INTEGER,
    error       TEXT,
    claimed_at  INTEGER NOT NULL,
    finished_at INTEGER,
    CONSTRAINT deliveries_slot UNIQUE (channel_id, due_at)
);
CREATE INDEX deliveries_open ON deliveries (retry_at) WHERE state = 'claimed';

-- Every item a channel was briefed on (all reports of each story), so no story is briefed there twice.
CREATE TABLE delivered_items (
    channel_id  INTEGER NOT NULL,
    item_id     INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    delivery_id INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    PRIMARY KEY (channel_id, item_id)
) WITHOUT ROWID;
CREATE INDEX delivered_items_delivery ON delivered_items (delivery_id);

-- Items a source already held when herald first read it: kept for /briefing and /search, never pushed to
-- channels by the scheduler (a new source must not flood them).
ALTER TABLE items ADD COLUMN backlog INTEGER NOT NULL DEFAULT 0;
-- The scheduler reads "items of these sources first seen since T".
CREATE INDEX items_source_fetched ON items (source_id, fetched_at);
-- The poller reads sources in order of when they are due.
CREATE INDEX sources_due ON sources (next_fetch_at);
