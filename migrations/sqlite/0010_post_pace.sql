-- The shared posting pace (issue 14). One SQLite process paces its posts in memory; the table is here so both
-- backends keep the same schema (see migrations/postgres/0010_post_pace.sql).
CREATE TABLE post_pace (
    id INTEGER PRIMARY KEY,
    next_us INTEGER NOT NULL
);
INSERT INTO post_pace (id, next_us) VALUES (1, 0);
