-- Back payment decided year by year (issue 14): the town center issues a slip for the years
-- that pass the check (slip_years_json; the others and why stay in refusals_json) or returns
-- the form (state 'returned', with return_reason), and the applicant fixes it under the same
-- id (revision counts the fixes, as on enrolment). A refusal used to be final ('rejected');
-- such forms become returned ones, which their applicants may now fix.
ALTER TABLE back_payments DROP CONSTRAINT back_payments_state_check;
UPDATE back_payments SET state = 'returned' WHERE state = 'rejected';
ALTER TABLE back_payments ADD CONSTRAINT back_payments_state_check
    CHECK (state IN ('submitted', 'returned', 'slip_issued', 'paid'));
ALTER TABLE back_payments ADD COLUMN slip_years_json TEXT;
ALTER TABLE back_payments ADD COLUMN return_reason TEXT;
ALTER TABLE back_payments ADD COLUMN revision BIGINT NOT NULL DEFAULT 0 CHECK (revision >= 0);
-- A slip issued before this covered every year asked for.
UPDATE back_payments SET slip_years_json = years_json WHERE state IN ('slip_issued', 'paid');
