-- Issue 11: no global write lock. Changes are numbered per account (accounts.version), so a
-- write locks only the account it writes for; the one change_counter row every write of the
-- whole system took turns on goes.
--
-- Every account starts at the old counter's value, which is at least any cursor a phone holds,
-- so no phone misses a change across the upgrade.
ALTER TABLE accounts ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
UPDATE accounts SET version = (SELECT value FROM change_counter WHERE id = 1);
DROP TABLE change_counter;

-- A row changed by a write made for another account (a relative's payment settling this
-- person-year, the bank's word about a charge) is marked unstamped: changed_seq is the
-- largest BIGINT, newer than every cursor, so a pull always sends it. The owning account's
-- next version is stamped on it soon after, under that account's own lock (storage::stamp).
CREATE INDEX intents_unstamped ON intents (account_id) WHERE changed_seq = 9223372036854775807;
CREATE INDEX payees_unstamped ON payees (account_id) WHERE changed_seq = 9223372036854775807;

-- The charge queue: one row per intent that holds its person-year and still needs the bank's
-- answer. The sync that takes the year writes the row in its own transaction and returns; a
-- worker in any server process claims it for a lease (FOR UPDATE SKIP LOCKED on PostgreSQL),
-- asks the bank, and the settling transaction deletes it. A process killed mid-charge leaves
-- the row; its lease runs out and another worker charges again (the order id makes it the
-- same order at the bank).
CREATE TABLE charges (
    intent_id TEXT PRIMARY KEY REFERENCES intents (id),
    due_at BIGINT NOT NULL,
    lease_until BIGINT NOT NULL DEFAULT 0,
    attempts BIGINT NOT NULL DEFAULT 0 CHECK (attempts >= 0)
);
CREATE INDEX charges_due ON charges (due_at);

-- Intents already charging before the upgrade are queued, so none waits on reconciliation.
INSERT INTO charges (intent_id, due_at) SELECT id, 0 FROM intents WHERE state = 'charging';
