-- Every query a sync runs reads through an index (checked by the storage::explain test, over
-- a realistic volume; the plans are in src/storage/indexes.md). The one that did not: every
-- server process's background loop looks for rows another account's write marked unstamped
-- (`storage::stamp::pending`: changed_seq = UNSTAMPED, on intents and on payees), which read
-- both tables whole on each pass. With changed_seq first, it reads only the marked rows, and
-- the account id beside it answers the query from the index alone.
CREATE INDEX intents_changed_seq ON intents (changed_seq, account_id);
CREATE INDEX payees_changed_seq ON payees (changed_seq, account_id);
