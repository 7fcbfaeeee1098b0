-- The daily reconciliation (对账, src/payments/reconciliation): refund cases (退费) and the
-- intent edge that booking one adds. Mirrors migrations/postgres/0009.

-- A bank order the bank paid and the ledger did not: money taken, nothing recorded. One case
-- per order (finding it again changes nothing), kept until a staff member resolves it by
-- refunding it through the bank or booking it to the person-year; a resolved case is final.
CREATE TABLE refund_cases (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL UNIQUE,
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    bank_ref TEXT,
    bank_day TEXT NOT NULL,
    -- What the ledger said when the case was found: the intent's state, or NULL (no intent).
    ledger_state TEXT,
    -- The person-year the order was meant for, when the ledger knows it (from the intent).
    resident_id TEXT REFERENCES residents (id),
    year INTEGER,
    state TEXT NOT NULL CHECK (state IN ('open', 'refunding', 'refunded', 'booked')),
    refund_ref TEXT,
    receipt_no TEXT,
    found_at INTEGER NOT NULL,
    found_by TEXT NOT NULL,
    resolved_at INTEGER,
    resolved_by TEXT
) STRICT;
CREATE INDEX refund_cases_state ON refund_cases (state, found_at);

CREATE TRIGGER refund_cases_resolved_is_final BEFORE UPDATE ON refund_cases
WHEN OLD.state IN ('refunded', 'booked')
BEGIN
    SELECT RAISE(ABORT, 'refund_cases_resolved_is_final: a resolved refund case never changes');
END;

CREATE TRIGGER refund_cases_stay BEFORE DELETE ON refund_cases
BEGIN
    SELECT RAISE(ABORT, 'refund_cases_stay: a refund case never disappears');
END;

-- The ledger side of a day: in-app person-years by the instant they were taken, and the
-- person-year of an order.
CREATE INDEX contributions_created ON contributions (created_at);
CREATE INDEX contributions_intent ON contributions (intent_id);

-- Booking a refund case pays the intent the bank paid: failed, not needed, awaiting a card
-- or waiting become paid (src/payments/states.rs, IntentEvent::Booked).
DROP TRIGGER intents_state_moves;
CREATE TRIGGER intents_state_moves BEFORE UPDATE OF state ON intents
WHEN OLD.state <> NEW.state AND NOT (
    (OLD.state IN ('awaiting_payment', 'waiting')
        AND NEW.state IN ('awaiting_payment', 'waiting', 'charging', 'failed', 'not_needed'))
    OR (OLD.state = 'charging' AND NEW.state IN ('paid', 'failed'))
    OR (OLD.state IN ('awaiting_payment', 'waiting', 'failed', 'not_needed')
        AND NEW.state = 'paid')
)
BEGIN
    SELECT RAISE(ABORT, 'intents_state_moves: illegal intent transition');
END;
