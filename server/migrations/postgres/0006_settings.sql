-- Settings of this installation that every server process must share, such as the secret
-- the bank signs its notifications with: generated at first start, never a default.
CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
