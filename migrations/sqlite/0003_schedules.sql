-- When each channel's briefing is due. spec is "08:00" / "08:00,18:30" or a cron expression, in zone tz.
CREATE TABLE schedules (
    channel_id    INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    spec          TEXT    NOT NULL,
    tz            TEXT    NOT NULL,
    next_run_at   INTEGER,
    paused        INTEGER NOT NULL DEFAULT 0,
    paused_reason TEXT,
    updated_by    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX schedules_due ON schedules (next_run_at) WHERE paused = 0;
