-- The ledger's state machines, guarded by the database as well as by the code
-- (src/payments/states.rs holds the same table and tests it over every pair): an intent moves
-- only along an allowed edge, and a paid person-year never changes or disappears.

CREATE FUNCTION intents_state_moves() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.state <> NEW.state AND NOT (
        (OLD.state IN ('awaiting_payment', 'waiting')
            AND NEW.state IN ('awaiting_payment', 'waiting', 'charging', 'failed', 'not_needed'))
        OR (OLD.state = 'charging' AND NEW.state IN ('paid', 'failed'))
    ) THEN
        RAISE EXCEPTION 'intents_state_moves: illegal intent transition from % to %',
            OLD.state, NEW.state USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER intents_state_moves BEFORE UPDATE OF state ON intents
    FOR EACH ROW EXECUTE FUNCTION intents_state_moves();

CREATE FUNCTION contributions_paid_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.state = 'paid' THEN
        RAISE EXCEPTION 'contributions_paid_is_final: a paid person-year never changes'
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER contributions_paid_is_final BEFORE UPDATE OR DELETE ON contributions
    FOR EACH ROW EXECUTE FUNCTION contributions_paid_is_final();
