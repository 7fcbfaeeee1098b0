//! New enrolment (参保登记), 《居民基本养老保险参保登记表》 made online: a resident or relative
//! submits the form (or the village assistant enters it), the village assistant of the village
//! of household registration checks the materials and approves or returns it, and the town
//! center enters it — the person then joins the roster and can pay. Every staff step writes an
//! audit entry in its own transaction.
//! - [`routes`]: the HTTP handlers and the router.
//! - [`submit`]: the applicant's form (new, retried, or fixed after a return).
//! - [`review`]: the village assistant's check and the town center's review.
//!
//! The applicant gets the masked view; the reviewers of the person's village or town get the
//! name and ID number in full (`Shown`), to compare with the papers in hand.
//!
//! The SQL is in `storage::enrolments`; this module turns its rows into the wire's view.

pub mod review;
pub mod routes;
pub mod submit;

pub use routes::router;

use yanglao_shared::applications::{EnrolmentForm, EnrolmentView, PersonIdentity};
use yanglao_shared::{IdNumber, MobileNumber, PersonName};

pub use super::back_payment::Shown;
use crate::clock::from_ms;
use crate::service::{ServiceError, ServiceResult};
use crate::storage::enrolments::Enrolment;

/// An enrolment as its applicant and the staff of its area see it: name, ID and mobile
/// masked, and the name and ID in full only for its reviewers (`shown`).
pub fn view(e: &Enrolment, shown: Shown) -> EnrolmentView {
    let f = &e.form;
    EnrolmentView {
        id: f.id,
        name_masked: PersonName::parse(&f.name)
            .map(|n| n.masked())
            .unwrap_or_default(),
        id_masked: IdNumber::parse_any_date(&f.id_number)
            .map(|i| i.masked())
            .unwrap_or_default(),
        full: (shown == Shown::Full).then(|| PersonIdentity {
            name: f.name.clone(),
            id_number: f.id_number.clone(),
        }),
        town: f.town.clone(),
        village: f.village.clone(),
        mobile_masked: MobileNumber::parse(&f.mobile)
            .map(|m| m.masked())
            .unwrap_or_default(),
        severely_disabled: f.severely_disabled,
        revision: f.revision,
        state: e.state,
        return_reason: e.return_reason.clone(),
        checklist: e.checklist,
        submitted_at: from_ms(e.submitted_at),
        village_checked_at: e.village_checked_at.map(from_ms),
        town_reviewed_at: e.town_reviewed_at.map(from_ms),
    }
}

/// What the audit log keeps of an enrolment: the masked view, never more.
fn audit_json(e: &Enrolment) -> serde_json::Value {
    serde_json::to_value(view(e, Shown::Masked)).unwrap_or_default()
}

/// The stored ID number of a form; it was checked when the form was filed.
fn id_number_of(form: &EnrolmentForm) -> ServiceResult<IdNumber> {
    IdNumber::parse_any_date(&form.id_number).map_err(|e| ServiceError::Internal(e.to_string()))
}

fn already_enrolled() -> ServiceError {
    ServiceError::conflict(
        "already_enrolled",
        "此身份证号已在参保名册中，不需要再登记，可以直接缴费",
    )
}
