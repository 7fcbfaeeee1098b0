-- Published policy tables (src/policy) and the version that priced each intent. Mirrors
-- migrations/postgres/0011.

-- A table an administrator published (`policy import`, POST /admin/policies), as published:
-- the JSON document (policy format 2), in force from a day in China Standard Time. Number 1 is
-- the table built into the release and has no row. Append-only: a correction is a new version.
CREATE TABLE policy_versions (
    version INTEGER PRIMARY KEY CHECK (version >= 2),
    region_code TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    years TEXT NOT NULL,
    document TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at INTEGER NOT NULL
) STRICT;

CREATE TRIGGER policy_versions_no_update BEFORE UPDATE ON policy_versions
BEGIN
    SELECT RAISE(ABORT, 'policy_versions is append-only');
END;
CREATE TRIGGER policy_versions_no_delete BEFORE DELETE ON policy_versions
BEGIN
    SELECT RAISE(ABORT, 'policy_versions is append-only');
END;

-- The policy version an intent was decided by when it arrived; it keeps deciding it (a later
-- version never reprices it). NULL for intents from before this migration: the built-in table.
ALTER TABLE intents ADD COLUMN policy_version INTEGER;
