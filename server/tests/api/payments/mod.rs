//! Payments: the people a payer pays for, the sync round trip and its idempotency, the
//! ledger's guarantees under races and declines, the rules' refusals, the bank's
//! notifications and reconciliation, public receipts.

mod idempotency;
mod ledger;
mod notify;
mod payees;
mod receipts;
mod rules;
