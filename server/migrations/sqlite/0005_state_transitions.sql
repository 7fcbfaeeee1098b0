-- The ledger's state machines, guarded by the database as well as by the code
-- (src/payments/states.rs holds the same table and tests it over every pair): an intent moves
-- only along an allowed edge, and a paid person-year never changes or disappears.

CREATE TRIGGER intents_state_moves BEFORE UPDATE OF state ON intents
WHEN OLD.state <> NEW.state AND NOT (
    (OLD.state IN ('awaiting_payment', 'waiting')
        AND NEW.state IN ('awaiting_payment', 'waiting', 'charging', 'failed', 'not_needed'))
    OR (OLD.state = 'charging' AND NEW.state IN ('paid', 'failed'))
)
BEGIN
    SELECT RAISE(ABORT, 'intents_state_moves: illegal intent transition');
END;

CREATE TRIGGER contributions_paid_is_final BEFORE UPDATE ON contributions
WHEN OLD.state = 'paid'
BEGIN
    SELECT RAISE(ABORT, 'contributions_paid_is_final: a paid person-year never changes');
END;

CREATE TRIGGER contributions_paid_stays BEFORE DELETE ON contributions
WHEN OLD.state = 'paid'
BEGIN
    SELECT RAISE(ABORT, 'contributions_paid_is_final: a paid person-year never changes');
END;
