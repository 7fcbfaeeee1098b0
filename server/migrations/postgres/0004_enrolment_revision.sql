-- A fix after a return may change no field (the papers were the problem): the form's revision
-- tells such a fix from a late retry of the earlier sending.
ALTER TABLE enrolments ADD COLUMN revision BIGINT NOT NULL DEFAULT 0 CHECK (revision >= 0);
