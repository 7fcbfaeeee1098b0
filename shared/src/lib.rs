//! Yanglao's domain: every rule of the Wendeng notice, written once and compiled into both the
//! PWA (wasm32) and the sync server. No I/O here: the caller passes in the clock and the data.
//!
//! A map of the crate:
//! - [`id_number`], [`name`], [`mobile`], [`bank_card`]: what a person types, parsed into types
//!   that can only hold valid values; [`payee_label`]: a payer's own name for a person (妈妈).
//! - [`money`] and [`tiers`]: exact yuan amounts and the fixed contribution tiers.
//! - [`policy`]: the rules that vary by place and year, as data (one file per year since 2018,
//!   built in), each figure with its source; [`pension`]: the estimate of what a tier brings.
//! - [`window`]: the yearly payment window in China Standard Time; [`timetext`]: instants and
//!   days as the wire writes them (RFC 3339, `YYYY-MM-DD`).
//! - [`eligibility`]: the one decision "may this person pay this tier for this year, now?".
//! - [`refusal`]: every reason a decision says no, with stable codes and Chinese/English text.
//! - [`json`]: the phone's JSON reader, derived from the same serde attributes (smaller in
//!   the wasm than serde's readers).
//! - [`wire`]: the versioned JSON types the app and the server exchange; [`applications`]: the
//!   paper forms of enrolment (参保登记) and back payment (补缴), made online; [`reconciliation`]:
//!   the daily reconciliation's (对账) mismatches and refund cases (退费), for staff.
//! - [`short_sort`]: a stable sort small in code, for the short lists people see.
//! - [`synthetic`]: valid made-up ID numbers for tests and the demo roster; `tagged`: the flat
//!   readers of the wire's tagged enums (smaller in the app than serde's derive).

// The FromJson derive names `::yanglao_shared::json`; inside this crate that is `crate`.
extern crate self as yanglao_shared;

pub mod applications;
pub mod bank_card;
pub mod eligibility;
pub mod exports;
pub mod id_number;
pub mod json;
pub mod mobile;
pub mod money;
pub mod name;
pub mod payee_label;
pub mod pension;
pub mod policy;
pub mod reconciliation;
pub mod refusal;
pub mod short_sort;
pub mod synthetic;
mod tagged;
pub mod tiers;
pub mod timetext;
pub mod window;
pub mod wire;

mod text;

pub use bank_card::CardNumber;
pub use eligibility::{decide, Approval, PersonFacts, RosterStatus};
pub use id_number::IdNumber;
pub use mobile::MobileNumber;
pub use money::Money;
pub use name::PersonName;
pub use payee_label::PayeeLabel;
pub use policy::{Policy, PolicyTable};
pub use refusal::{Reason, Refusal};
pub use tiers::TierAmount;
