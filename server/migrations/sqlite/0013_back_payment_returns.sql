-- Back payment decided year by year (issue 14), sqlite flavour (mirrors migrations/postgres/0013):
-- the town center issues a slip for the years that pass the check (slip_years_json; the others
-- and why stay in refusals_json) or returns the form (state 'returned', with return_reason),
-- and the applicant fixes it under the same id (revision counts the fixes, as on enrolment).
-- A refusal used to be final ('rejected'); such forms become returned ones.
-- SQLite cannot change a CHECK in place: the table is built again with the new states and the
-- rows copied over (nothing references back_payments, so nothing else moves).
CREATE TABLE back_payments_next (
    id TEXT PRIMARY KEY,
    applicant_id TEXT NOT NULL REFERENCES accounts (id),
    resident_id TEXT NOT NULL REFERENCES residents (id),
    years_json TEXT NOT NULL,
    tier_fen INTEGER NOT NULL CHECK (tier_fen > 0),
    state TEXT NOT NULL CHECK (state IN ('submitted', 'returned', 'slip_issued', 'paid')),
    refusals_json TEXT,
    slip_no TEXT UNIQUE,
    amount_fen INTEGER CHECK (amount_fen > 0),
    -- The Agricultural Bank receipt: one receipt pays one slip, never two.
    bank_receipt_no TEXT UNIQUE,
    submitted_at INTEGER NOT NULL,
    reviewed_at INTEGER,
    paid_at INTEGER,
    slip_years_json TEXT,
    return_reason TEXT,
    revision INTEGER NOT NULL DEFAULT 0 CHECK (revision >= 0)
) STRICT;
INSERT INTO back_payments_next (id, applicant_id, resident_id, years_json, tier_fen, state,
    refusals_json, slip_no, amount_fen, bank_receipt_no, submitted_at, reviewed_at, paid_at,
    slip_years_json)
SELECT id, applicant_id, resident_id, years_json, tier_fen,
    CASE state WHEN 'rejected' THEN 'returned' ELSE state END,
    refusals_json, slip_no, amount_fen, bank_receipt_no, submitted_at, reviewed_at, paid_at,
    -- A slip issued before this covered every year asked for.
    CASE WHEN state IN ('slip_issued', 'paid') THEN years_json END
FROM back_payments;
DROP TABLE back_payments;
ALTER TABLE back_payments_next RENAME TO back_payments;
CREATE INDEX back_payments_applicant ON back_payments (applicant_id, submitted_at);
CREATE INDEX back_payments_resident ON back_payments (resident_id);
