-- Published policy tables (src/policy) and the version that priced each intent. Mirrors
-- migrations/sqlite/0011.

-- A table an administrator published (`policy import`, POST /admin/policies), as published:
-- the JSON document (policy format 2), in force from a day in China Standard Time. Number 1 is
-- the table built into the release and has no row. Append-only: a correction is a new version.
CREATE TABLE policy_versions (
    version BIGINT PRIMARY KEY CHECK (version >= 2),
    region_code TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    years TEXT NOT NULL,
    document TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at BIGINT NOT NULL
);

CREATE FUNCTION policy_versions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'policy_versions is append-only';
END;
$$;
CREATE TRIGGER policy_versions_no_change BEFORE UPDATE OR DELETE ON policy_versions
    FOR EACH ROW EXECUTE FUNCTION policy_versions_append_only();
CREATE TRIGGER policy_versions_no_truncate BEFORE TRUNCATE ON policy_versions
    FOR EACH STATEMENT EXECUTE FUNCTION policy_versions_append_only();

-- The policy version an intent was decided by when it arrived; it keeps deciding it (a later
-- version never reprices it). NULL for intents from before this migration: the built-in table.
ALTER TABLE intents ADD COLUMN policy_version BIGINT;
