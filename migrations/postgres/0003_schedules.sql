-- PostgreSQL twin of migrations/sqlite/0003.
CREATE TABLE schedules (
    channel_id    BIGINT PRIMARY KEY,
    guild_id      BIGINT NOT NULL,
    spec          TEXT   NOT NULL,
    tz            TEXT   NOT NULL,
    next_run_at   BIGINT,
    paused        BIGINT NOT NULL DEFAULT 0,
    paused_reason TEXT,
    updated_by    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX schedules_due ON schedules (next_run_at) WHERE paused = 0;
