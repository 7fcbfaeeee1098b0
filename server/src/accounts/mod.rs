//! Accounts: [`account`] is the routes (register, log in and out, `GET /me`, claiming one's
//! own roster record), [`service`] their rules and transactions, [`claim`] the two-step claim
//! (a one-time code to the roster's mobile, rate-limited in the database); [`auth`] holds the
//! [`auth::Authed`] extractor, session tokens (only a token's SHA-256 is stored), Argon2id
//! passwords and the limit on failed logins (counted in the database); [`demo`] makes the
//! demo's ready account and staff. The SQL is in `storage::accounts`.

pub mod account;
pub mod auth;
pub mod claim;
pub mod demo;
pub mod service;
