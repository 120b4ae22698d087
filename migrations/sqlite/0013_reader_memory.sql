-- What herald told each reader, so the next briefing tells only what is new (issue 27). A reader is a Discord
-- channel ('channel:<id>': its scheduled briefings and /briefing share it) or a name given to
-- `herald brief --reader NAME` ('name:<NAME>').
--   told_stories:   one row per story told to a reader, however many days it developed over; where it was first
--                   posted (a delivery, or a /briefing reply) gives the link an update shows.
--   told_items:     the reports of each story the reader was told (listed, or told with one as the same page).
--   told_sentences: what each story's summaries said, so an update says something else.
--   delivery_id:    the scheduled delivery that told it: a delivery given up takes its telling back.
-- Retention drops a story not told for as long as finished deliveries are kept; its items and sentences go with it.
CREATE TABLE told_stories (
    id            INTEGER PRIMARY KEY,
    reader        TEXT    NOT NULL,
    headline      TEXT    NOT NULL,
    first_told_at INTEGER NOT NULL,
    last_told_at  INTEGER NOT NULL,
    guild_id      INTEGER,
    channel_id    INTEGER,
    message_id    INTEGER,
    delivery_id   INTEGER REFERENCES deliveries(id) ON DELETE SET NULL
);
CREATE INDEX told_stories_reader ON told_stories (reader, last_told_at);
CREATE INDEX told_stories_delivery ON told_stories (delivery_id);

CREATE TABLE told_items (
    reader   TEXT    NOT NULL,
    item_id  INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    story_id INTEGER NOT NULL REFERENCES told_stories(id) ON DELETE CASCADE,
    told_at  INTEGER NOT NULL,
    delivery_id INTEGER,
    PRIMARY KEY (reader, item_id)
);
CREATE INDEX told_items_story ON told_items (story_id);
CREATE INDEX told_items_item ON told_items (item_id);

CREATE TABLE told_sentences (
    story_id INTEGER NOT NULL REFERENCES told_stories(id) ON DELETE CASCADE,
    sentence TEXT    NOT NULL,
    told_at  INTEGER NOT NULL,
    delivery_id INTEGER
);
CREATE INDEX told_sentences_story ON told_sentences (story_id);

-- What a channel with nothing new gets at its time: NULL follows [schedule] nothing_new; 'say' or 'silent'.
ALTER TABLE channel_settings ADD COLUMN nothing_new TEXT;
