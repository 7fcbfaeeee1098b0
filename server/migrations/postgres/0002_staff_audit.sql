-- Staff roles and the audit log, PostgreSQL flavour (mirrors migrations/sqlite/0002).

-- Staff accounts: 村居协办员 (village, bound to one town + village), 镇办社会保障服务中心
-- (town, bound to one town) and administrators. An account without a row here is a resident or
-- payer. Rows are written by the create-staff command only, never by the API.
CREATE TABLE staff (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id),
    role TEXT NOT NULL CHECK (role IN ('village', 'town', 'admin')),
    town TEXT,
    village TEXT,
    created_at BIGINT NOT NULL,
    CHECK ((role = 'village' AND town IS NOT NULL AND village IS NOT NULL)
        OR (role = 'town' AND town IS NOT NULL AND village IS NULL)
        OR (role = 'admin' AND village IS NULL))
);

-- Who did what, when, to what, with the state before and after (JSON text). Append-only: a
-- row is written in the same transaction as the action it records, and the triggers below
-- refuse every change, removal or truncation, whoever asks.
CREATE TABLE audit_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_log_actor ON audit_log (actor, at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Staff statistics read the roster by area.
CREATE INDEX residents_area ON residents (town, village, status);
