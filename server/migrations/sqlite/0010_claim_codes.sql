-- Claiming one's own roster record is proven by a one-time code sent to the roster's mobile
-- number (src/accounts/claim.rs), through an SMS gateway (src/sms). Mirrors
-- migrations/postgres/0010.

-- The mobile number the pension system has for a resident: where a claim's code is sent.
-- A resident without one is claimed through the village assistant instead.
CREATE TABLE roster_mobiles (
    resident_id TEXT PRIMARY KEY REFERENCES residents (id),
    mobile TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- Every start of a claim, matched or not, so the rate limits (per account, per person) hold
-- across every server process on one database. A start that matched no roster record keeps
-- nothing of what was typed. Only a code's salted SHA-256 is kept; a code lives 5 minutes,
-- is used once and dies after 5 wrong tries.
CREATE TABLE claims (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    resident_id TEXT REFERENCES residents (id),
    state TEXT NOT NULL CHECK (state IN
        ('no_match', 'no_mobile', 'sent', 'confirmed', 'dead', 'superseded', 'not_sent')),
    code_hash TEXT,
    wrong_tries INTEGER NOT NULL DEFAULT 0 CHECK (wrong_tries >= 0),
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    confirmed_at INTEGER,
    CHECK ((state IN ('no_match', 'no_mobile')) = (code_hash IS NULL))
) STRICT;
CREATE INDEX claims_account ON claims (account_id, created_at);
CREATE INDEX claims_resident ON claims (resident_id, created_at);

-- The sandbox SMS gateway's outbox (短信沙箱): every message it "sent", kept in the server's
-- own database so the demo and the tests can read a code (`yanglao-server sms-log`). A real
-- gateway writes nothing here.
CREATE TABLE sms_outbox (
    id TEXT PRIMARY KEY,
    mobile TEXT NOT NULL,
    body TEXT NOT NULL,
    sent_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sms_outbox_mobile ON sms_outbox (mobile, sent_at);
