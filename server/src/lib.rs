//! Yanglao's sync server: the authority on the roster, the payment window (its clock, in China
//! Standard Time) and the ledger (a person-year is never charged twice).
//!
//! A map, one folder per concern; each folder's `mod.rs` says what lives there.
//! - [`http`]: the router that mounts every concern's routes, the one error type, the OpenAPI
//!   document and the PWA's static files.
//! - [`app`]: the server's state, built once by [`AppState::build`], and a running [`Server`].
//! - [`accounts`]: register, log in, sessions, claiming one's own roster record, the demo's
//!   ready account.
//! - [`payments`]: the ledger (the only code that moves a payment on) and its typed states, the
//!   sync round trip, the people an account pays for, bound cards, receipts, the bank's
//!   notifications and reconciliation.
//! - [`applications`]: the two paper flows of the notice, 参保登记 (enrolment) and 补缴 (back
//!   payment), from the applicant's form to the roster and the ledger; the places a form may
//!   name; the forms of a staff member's area.
//! - [`staff`]: staff roles, their window statistics and unpaid lists, the append-only audit log.
//! - [`policy`]: the policy versions (built in, or published by an administrator) and which
//!   one is in force for a year on a day.
//! - [`roster`]: the insured residents, their CSV import and the demo roster.
//! - [`gateway`]: the bank behind the `PaymentGateway` trait, and the sandbox bank.
//! - [`sms`]: text messages behind the `SmsGateway` trait (a claim's one-time code), and the
//!   sandbox SMS gateway that keeps them in the database.
//! - [`service`]: the error every service (the rules and their transactions) answers with.
//! - [`storage`]: the database connection, the write transaction, the change counter, and the
//!   SQL of each concern; it returns domain types and knows nothing of HTTP.
//! - [`cli`]: the `yanglao-server` subcommands, one file each. [`clock`]: the server's clock.

pub mod accounts;
pub mod app;
pub mod applications;
pub mod cli;
pub mod clock;
pub mod gateway;
pub mod http;
pub mod payments;
pub mod policy;
pub mod roster;
pub mod service;
pub mod sms;
pub mod staff;
pub mod storage;

pub use app::{AppState, Parts, Server};
