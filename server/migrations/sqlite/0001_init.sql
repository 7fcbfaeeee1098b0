-- Yanglao schema, SQLite flavour. STRICT tables so a wrong type is an error, not a surprise.
-- Money is integer fen, instants are unix milliseconds, ids are UUID text, flags are 0/1.

-- One counter for the sync cursor: every write that a client must learn about takes the next
-- value inside its transaction and stamps the rows it touched.
CREATE TABLE change_counter (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL) STRICT;
INSERT INTO change_counter (id, value) VALUES (1, 0);

-- The roster (参保人员名册): who the pension system knows.
CREATE TABLE residents (
    id TEXT PRIMARY KEY,
    id_number TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    town TEXT NOT NULL,
    village TEXT NOT NULL,
    region_code TEXT NOT NULL,
    severely_disabled INTEGER NOT NULL CHECK (severely_disabled IN (0, 1)),
    status TEXT NOT NULL CHECK (status IN ('enrolled', 'drawing_pension', 'stopped')),
    created_at INTEGER NOT NULL
) STRICT;

-- The ledger: at most one contribution per person-year, whoever pays. The primary key is the
-- guarantee; code only reads it. 'charging' reserves the year while the bank answers.
CREATE TABLE contributions (
    resident_id TEXT NOT NULL REFERENCES residents (id),
    year INTEGER NOT NULL,
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    state TEXT NOT NULL CHECK (state IN ('charging', 'paid')),
    intent_id TEXT,
    back_payment INTEGER NOT NULL DEFAULT 0 CHECK (back_payment IN (0, 1)),
    receipt_no TEXT UNIQUE,
    paid_at INTEGER,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (resident_id, year)
) STRICT;

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    mobile TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    resident_id TEXT UNIQUE REFERENCES residents (id),
    created_at INTEGER NOT NULL
) STRICT;

-- Only a hash of each session token is kept: a leaked database opens no session.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_account ON sessions (account_id);

-- The people an account pays for. resident_id is set once name and ID match the roster.
CREATE TABLE payees (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    resident_id TEXT REFERENCES residents (id),
    name TEXT NOT NULL,
    id_number TEXT NOT NULL,
    removed INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)),
    changed_seq INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX payees_account_seq ON payees (account_id, changed_seq);
CREATE INDEX payees_resident ON payees (resident_id);
CREATE UNIQUE INDEX payees_once_per_account ON payees (account_id, id_number) WHERE removed = 0;

-- Bound cards: the gateway's token, the bank and the last four digits. Never the number.
CREATE TABLE methods (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    gateway_token TEXT NOT NULL,
    bank TEXT NOT NULL,
    last_four TEXT NOT NULL,
    removed INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)),
    changed_seq INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX methods_account_seq ON methods (account_id, changed_seq);

-- Payment intents, keyed by the client's UUID (the idempotency key).
CREATE TABLE intents (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    payee_id TEXT NOT NULL,
    resident_id TEXT REFERENCES residents (id),
    year INTEGER NOT NULL,
    tier_fen INTEGER NOT NULL,
    method_id TEXT,
    prepared_at TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN
        ('awaiting_payment', 'waiting', 'charging', 'paid', 'failed', 'not_needed')),
    reason_code TEXT,
    reason_zh TEXT,
    reason_en TEXT,
    receipt_no TEXT,
    paid_at INTEGER,
    changed_seq INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX intents_account_seq ON intents (account_id, changed_seq);
CREATE INDEX intents_person_year ON intents (resident_id, year, state);
CREATE INDEX intents_state ON intents (state, updated_at);
