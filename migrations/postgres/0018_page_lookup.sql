-- The lookup of the items stored for a page reads a few of them per key, oldest first: the page key index
-- carries the id in order, so that lookup is one index probe per page whatever the planner's statistics say.
DROP INDEX items_url_key;
CREATE INDEX items_url_key ON items (url_key, id);
