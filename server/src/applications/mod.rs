//! The two paper flows the 2017 notice keeps at the village and the town center.
//! - [`enrolment`] (参保登记) and [`enrolment_review`]: the applicant's form, the village
//!   assistant's check of the papers, the town center's entry on the roster.
//! - [`back_payment`] (补缴): eligibility per year, the slip (tier × years, no subsidy), the
//!   Agricultural Bank receipt that puts the years in the ledger.
//! - [`places`]: the towns and villages a form may name.
//! - [`lists`]: the forms in a staff member's area.

pub mod back_payment;
pub mod enrolment;
pub mod enrolment_review;
pub mod lists;
pub mod places;
