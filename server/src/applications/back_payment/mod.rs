//! Back payment (补缴), 《补缴居民基本养老保险申请表》 made online: during the window a resident
//! or relative applies for missed past years of a roster person (matched by name and ID
//! number); the town center of the person's town checks eligibility and issues a payment slip
//! (number, amount = tier × years, no subsidy), and later records the Agricultural Bank receipt,
//! which puts the years in the ledger as back payment — all or none, never over a paid year.
//! - [`routes`]: the HTTP handlers and the router.
//! - [`service`]: the rules, one write transaction per step with its audit entry.
//!
//! The SQL is in `storage::back_payments`; this module turns its rows into the wire's view.

pub mod routes;
pub mod service;

pub use routes::router;

use yanglao_shared::applications::{BackPaymentView, BackRefusal};
use yanglao_shared::{IdNumber, PersonName};

use crate::clock::from_ms;
use crate::storage::back_payments::BackPayment;

/// An application as its applicant and the town center see it: name and ID masked.
pub fn view(b: &BackPayment) -> BackPaymentView {
    BackPaymentView {
        id: b.id,
        name_masked: PersonName::parse(&b.name)
            .map(|n| n.masked())
            .unwrap_or_default(),
        id_masked: IdNumber::parse_any_date(&b.id_number)
            .map(|i| i.masked())
            .unwrap_or_default(),
        town: b.town.clone(),
        village: b.village.clone(),
        years: b.years.clone(),
        tier: b.tier,
        state: b.state,
        refusals: b.refusals.iter().map(BackRefusal::reason).collect(),
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
