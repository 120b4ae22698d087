-- PostgreSQL twin of migrations/sqlite/0008 (operations, issue 15).
CREATE TABLE guild_departures (
    guild_id BIGINT PRIMARY KEY,
    left_at  BIGINT NOT NULL
);
CREATE INDEX items_fetched ON items (fetched_at);
CREATE INDEX deliveries_finished ON deliveries (finished_at) WHERE state <> 'claimed';
