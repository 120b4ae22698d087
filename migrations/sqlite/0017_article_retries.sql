-- A page that failed for a passing reason (timeout, network, DNS, 5xx, 429) is asked again later, with backoff:
-- attempts counts the tries so far; retry_at is when the next may be made (NULL: never, the failure is for good
-- or the tries are spent).
ALTER TABLE articles ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1;
ALTER TABLE articles ADD COLUMN retry_at INTEGER;
