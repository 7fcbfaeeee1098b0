//! The two paper flows the 2017 notice keeps at the village and the town center, each in three
//! layers: `routes` (thin axum handlers: parse, authorize through the extractors, call a
//! service, answer JSON; the only place `ApiError` appears), the services (the rules, one
//! write transaction per step, its audit entry) answering `ServiceResult`, and the SQL in
//! `storage::enrolments`, `storage::back_payments` and `storage::places`.
//! - [`enrolment`] (参保登记): the applicant's form, the village assistant's check of the
//!   papers, the town center's entry on the roster.
//! - [`back_payment`] (补缴): eligibility per year, the slip (tier × years, no subsidy), the
//!   Agricultural Bank receipt that puts the years in the ledger.
//! - [`places`]: the towns and villages a form may name.
//! - [`lists`]: the forms in a staff member's area.

pub mod back_payment;
pub mod enrolment;
pub mod lists;
pub mod places;
