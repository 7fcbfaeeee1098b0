//! Back payment (补缴), 《补缴居民基本养老保险申请表》 made online: during the window a resident
//! or relative applies for missed past years of a roster person (matched by name and ID
//! number); the town center of the person's town checks eligibility and issues a payment slip
//! for the years that pass (number, amount = tier × those years, no subsidy; the others named
//! with their reasons) or returns the form to be fixed, and later records the Agricultural Bank receipt,
//! which puts the years in the ledger as back payment — all or none, never over a paid year.
//! - [`routes`]: the HTTP handlers and the router.
//! - [`service`]: the applicant's steps (file, fix after a return).
//! - [`review`]: the town center's steps (the check year by year, the decision, the receipt),
//!   one write transaction per step with its audit entry.
//!
//! The SQL is in `storage::back_payments`; this module turns its rows into the wire's view.

pub mod review;
pub mod routes;
pub mod service;

pub use routes::router;

use yanglao_shared::applications::{BackPaymentView, BackRefusal, PersonIdentity};
use yanglao_shared::{IdNumber, PersonName};

use crate::clock::from_ms;
use crate::storage::back_payments::BackPayment;

/// Whom a view is for: the reviewers of the person's own town or village get the full name
/// and ID number they compare with the papers; everyone else (the applicant's list, the audit
/// log, other staff) the masked ones only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Masked,
    Full,
}

/// An application as its applicant and the staff of its area see it: name and ID masked, and
/// in full only when `shown` says so.
pub fn view(b: &BackPayment, shown: Shown) -> BackPaymentView {
    BackPaymentView {
        id: b.id,
        name_masked: PersonName::parse(&b.name)
            .map(|n| n.masked())
            .unwrap_or_default(),
        id_masked: IdNumber::parse_any_date(&b.id_number)
            .map(|i| i.masked())
            .unwrap_or_default(),
        full: (shown == Shown::Full).then(|| PersonIdentity {
            name: b.name.clone(),
            id_number: b.id_number.clone(),
        }),
        town: b.town.clone(),
        village: b.village.clone(),
        years: b.years.clone(),
        tier: b.tier,
        state: b.state,
        revision: b.revision,
        slip_years: b.slip_years.clone(),
        refusals: b.refusals.iter().map(BackRefusal::reason).collect(),
        return_reason: b.return_reason.clone(),
        slip_no: b.slip_no.clone(),
        amount: b.amount,
        // The notice: back-paid years earn no subsidy (不享受相应的缴费补贴).
        earns_subsidy: false,
        bank_receipt_no: b.bank_receipt_no.clone(),
        submitted_at: from_ms(b.submitted_at),
        reviewed_at: b.reviewed_at.map(from_ms),
        paid_at: b.paid_at.map(from_ms),
    }
}
