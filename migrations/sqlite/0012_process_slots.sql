-- Which herald process holds each process slot (its host and its shards, or `[schedule] process_slot`): a
-- process that restarts in the same slot takes over the deliveries its previous run had claimed at once,
-- instead of waiting out their leases while the channels' next slots go first. Each database's own state, not
-- copied by `herald migrate --to`.
CREATE TABLE process_slots (
    slot       TEXT    PRIMARY KEY,
    owner      TEXT    NOT NULL,
    started_at INTEGER NOT NULL
) WITHOUT ROWID;
