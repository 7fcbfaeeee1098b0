-- Enrolment and back-payment applications, sqlite flavour (mirrors migrations/postgres/0003).

-- 《居民基本养老保险参保登记表》 made online. The id is the client's (idempotent resubmission).
-- submitted -> village_approved -> enrolled, or -> returned (with a reason) -> submitted again.
CREATE TABLE enrolments (
    id TEXT PRIMARY KEY,
    applicant_id TEXT NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    id_number TEXT NOT NULL,
    town TEXT NOT NULL,
    village TEXT NOT NULL,
    mobile TEXT NOT NULL,
    severely_disabled INTEGER NOT NULL CHECK (severely_disabled IN (0, 1)),
    state TEXT NOT NULL CHECK (state IN ('submitted', 'returned', 'village_approved', 'enrolled')),
    return_reason TEXT,
    -- The village assistant's material checklist as JSON, once checked.
    checklist_json TEXT,
    resident_id TEXT REFERENCES residents (id),
    submitted_at INTEGER NOT NULL,
    village_checked_at INTEGER,
    town_reviewed_at INTEGER
) STRICT;
CREATE INDEX enrolments_applicant ON enrolments (applicant_id, submitted_at);
CREATE INDEX enrolments_area ON enrolments (town, village, state);
-- One application in progress per person: two relatives filing for the same grandmother get a
-- clear answer instead of two files at the village.
CREATE UNIQUE INDEX enrolments_one_open ON enrolments (id_number)
    WHERE state IN ('submitted', 'village_approved');

-- 《补缴居民基本养老保险申请表》: submitted -> slip_issued -> paid, or -> rejected.
-- years is a JSON array of past years; amount is tier x years, fixed when the slip is issued.
CREATE TABLE back_payments (
    id TEXT PRIMARY KEY,
    applicant_id TEXT NOT NULL REFERENCES accounts (id),
    resident_id TEXT NOT NULL REFERENCES residents (id),
    years_json TEXT NOT NULL,
    tier_fen INTEGER NOT NULL CHECK (tier_fen > 0),
    state TEXT NOT NULL CHECK (state IN ('submitted', 'rejected', 'slip_issued', 'paid')),
    refusals_json TEXT,
    slip_no TEXT UNIQUE,
    amount_fen INTEGER CHECK (amount_fen > 0),
    -- The Agricultural Bank receipt: one receipt pays one slip, never two.
    bank_receipt_no TEXT UNIQUE,
    submitted_at INTEGER NOT NULL,
    reviewed_at INTEGER,
    paid_at INTEGER
) STRICT;
CREATE INDEX back_payments_applicant ON back_payments (applicant_id, submitted_at);
CREATE INDEX back_payments_resident ON back_payments (resident_id);
