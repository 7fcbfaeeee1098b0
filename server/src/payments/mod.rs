//! Payments, from the phone to the bank and back.
//! - [`ledger`]: payment intents and the contributions they pay for; the only code that moves
//!   a payment from one state to the next, through the typed machines of [`states`].
//! - [`sync`]: `POST /sync`, one round trip that pushes people and intents and pulls changes.
//! - [`charges`]: the workers that ask the bank for queued charges, apart from the phone's
//!   request, in every server process.
//! - [`payees`]: the people an account pays for, seen only as much as paying needs; [`labels`]:
//!   the payer's own label for each (妈妈), shown to that payer alone.
//! - [`methods`]: bound cards (a gateway token and the last four digits).
//! - [`receipts`]: public receipt verification.
//! - [`notify`] and [`reconcile`]: the bank's signed notifications, and the task that asks the
//!   bank about what a lost notification left open.
//! - [`reconciliation`]: the daily reconciliation (对账) of the bank's statement against the
//!   ledger, both ways, and the refund cases (退费) it opens.

pub mod charges;
pub mod labels;
pub mod ledger;
pub mod methods;
pub mod notify;
pub mod payees;
pub mod receipts;
pub mod reconcile;
pub mod reconciliation;
pub mod states;
pub mod sync;
