//! Payments: the people a payer pays for, the sync round trip and its idempotency, the
//! ledger's guarantees under races and declines, the rules' refusals, the bank's
//! notifications (only as far as the ledger asked for them) and reconciliation, public
//! receipts; the daily reconciliation (对账) both ways and its refund cases (退费).

mod forged_notices;
mod idempotency;
mod labels;
mod ledger;
mod notify;
mod payees;
mod pull_consistency;
mod receipts;
mod reconciliation;
mod reconciliation_cases;
mod rules;
mod waiting;
