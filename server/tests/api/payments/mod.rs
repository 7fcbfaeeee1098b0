//! Payments: the people a payer pays for, the sync round trip and its idempotency, the
//! ledger's guarantees under races and declines, the rules' refusals, the bank's
//! notifications (only as far as the ledger asked for them) and reconciliation, public
//! receipts.

mod forged_notices;
mod idempotency;
mod ledger;
mod notify;
mod payees;
mod pull_consistency;
mod receipts;
mod rules;
