-- Servers that removed herald (GUILD_DELETE, not an outage): their schedules are paused at once, and their
-- data deleted once the grace period ([retention] guild_grace_days) has passed, unless herald is re-added.
CREATE TABLE guild_departures (
    guild_id INTEGER PRIMARY KEY,
    left_at  INTEGER NOT NULL
);
-- Retention reads items by age.
CREATE INDEX items_fetched ON items (fetched_at);
-- Compaction reads finished deliveries by age.
CREATE INDEX deliveries_finished ON deliveries (finished_at) WHERE state <> 'claimed';
