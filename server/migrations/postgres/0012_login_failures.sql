-- Failed logins (src/accounts/auth.rs), kept in the database so that the limits (5 per mobile
-- number, 30 per client address, in 15 minutes) hold across every server process on one
-- database and across a restart. One row per failure per key; a success clears its mobile
-- number's rows, and rows older than the window are deleted as new failures come in. Mirrors
-- migrations/sqlite/0012.
CREATE TABLE login_failures (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('mobile', 'address')),
    subject TEXT NOT NULL,
    failed_at BIGINT NOT NULL
);
-- The check: the failures of one key since the window began.
CREATE INDEX login_failures_key ON login_failures (kind, subject, failed_at);
-- The pruning: every row older than the window.
CREATE INDEX login_failures_failed_at ON login_failures (failed_at);
