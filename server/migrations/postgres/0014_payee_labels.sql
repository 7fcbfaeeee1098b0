-- A payer's own label for a person they pay for (妈妈, 二叔; src/payments/labels.rs). It lives
-- on the account's own payees row, so only that account's views carry it, and the row's
-- changed_seq brings it to the payer's other phone on its next pull. Every change a phone
-- made is kept by its client id in payee_label_changes: a retry of one already applied is
-- answered without applying it again, so a late retry never undoes a newer label. Mirrors
-- migrations/sqlite/0014.
ALTER TABLE payees ADD COLUMN label TEXT CHECK (label IS NULL OR char_length(label) BETWEEN 1 AND 10);
CREATE TABLE payee_label_changes (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    payee_id TEXT NOT NULL REFERENCES payees (id),
    label TEXT,
    created_at BIGINT NOT NULL
);
