//! The two paper flows of the notice: enrolment (参保登记) and back payment (补缴), from the
//! applicant's form through the village and the town center to the roster and the ledger;
//! and the places a form may name.

mod back_payment;
mod enrolment;
mod places;
