-- LLM summaries that failed (unfaithful twice, or the call failed), remembered per (story, language, length,
-- model) for the UTC day, so a story that failed is not asked again until it changes (its key is new) or the
-- day ends. Not copied by `herald migrate --to`: a day's memory, kept by each database for itself.
CREATE TABLE llm_failures (
    key        TEXT   NOT NULL,
    day        TEXT   NOT NULL,
    reason     TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (key, day)
);
