-- Staff roles and the audit log, SQLite flavour (mirrors migrations/postgres/0002).

-- Staff accounts: 村居协办员 (village, bound to one town + village), 镇办社会保障服务中心
-- (town, bound to one town) and administrators. An account without a row here is a resident or
-- payer. Rows are written by the create-staff command only, never by the API.
CREATE TABLE staff (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id),
    role TEXT NOT NULL CHECK (role IN ('village', 'town', 'admin')),
    town TEXT,
    village TEXT,
    created_at INTEGER NOT NULL,
    CHECK ((role = 'village' AND town IS NOT NULL AND village IS NOT NULL)
        OR (role = 'town' AND town IS NOT NULL AND village IS NULL)
        OR (role = 'admin' AND village IS NULL))
) STRICT;

-- Who did what, when, to what, with the state before and after (JSON text). Append-only: a
-- row is written in the same transaction as the action it records, and the triggers below
-- refuse every change or removal, whoever asks.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    actor TEXT NOT NULL,
    at INTEGER NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
) STRICT;
CREATE INDEX audit_log_actor ON audit_log (actor, at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- Staff statistics read the roster by area.
CREATE INDEX residents_area ON residents (town, village, status);
