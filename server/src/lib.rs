//! Yanglao's sync server: the authority on the roster, the payment window (its clock, in China
//! Standard Time) and the ledger (a person-year is never charged twice).
//!
//! A map: [`app`] builds the state and the router from the modules below, each of which exposes
//! its own `router()`.
//! - [`accounts`] and [`auth`]: register, log in, sessions, claiming one's own roster record.
//! - [`roster`] and [`roster_seed`]: the insured residents, their CSV import and the demo roster;
//!   [`demo`]: the demo's ready account.
//! - [`payees`]: the people an account pays for, seen only as much as paying needs.
//! - [`methods`]: bound cards (a gateway token and the last four digits).
//! - [`ledger`]: payment intents and contributions; the only code that moves a payment on.
//! - [`sync`]: one round trip that pushes intents and pulls changes.
//! - [`gateway`], [`notify`], [`reconcile`]: the bank (a sandbox), its signed notifications,
//!   and the task that settles what a lost notification left open.
//! - [`staff`]: staff roles (village assistant, town center, administrator), made by the
//!   `create-staff` command; [`stats`]: their window statistics and unpaid lists, each read
//!   recorded in the append-only [`audit`] log.
//! - [`enrolment`] (with [`enrolment_review`]) and [`back_payment`]: the two paper flows of the
//!   notice, 参保登记 and 补缴, from the applicant's form to the roster and the ledger, and
//!   [`staff_lists`], the forms of a staff member's area;
//!   [`places`]: the towns and villages an enrolment may name.
//! - [`receipts`]: public receipt verification. [`web`]: the PWA's files. [`openapi`]: the spec.

pub mod accounts;
pub mod app;
pub mod audit;
pub mod auth;
pub mod back_payment;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod enrolment;
pub mod enrolment_review;
pub mod error;
pub mod gateway;
pub mod ledger;
pub mod methods;
pub mod notify;
pub mod openapi;
pub mod payees;
pub mod places;
pub mod receipts;
pub mod reconcile;
pub mod roster;
pub mod roster_seed;
pub mod staff;
pub mod staff_lists;
pub mod stats;
pub mod sync;
pub mod web;

pub use app::{AppState, Server};
