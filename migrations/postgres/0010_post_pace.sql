-- One posting pace for every herald process on this database (issue 14): each post takes the next free turn
-- (next_us, microseconds since the epoch on the database's clock) and moves it one gap on, so all processes
-- together keep to `[schedule] posts_per_second`, Discord's global limit, instead of each keeping to it alone.
CREATE TABLE post_pace (
    id BIGINT PRIMARY KEY,
    next_us BIGINT NOT NULL
);
INSERT INTO post_pace (id, next_us) VALUES (1, 0);
