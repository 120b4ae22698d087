-- Many herald processes on one database (issue 14): the process posting a claimed delivery names itself here
-- and holds it until retry_at (its lease, renewed as it posts). Another process takes the delivery over only
-- once the lease has lapsed (its holder died); the holder then sees it is no longer claimed_by it and stops.
ALTER TABLE deliveries ADD COLUMN claimed_by TEXT;
