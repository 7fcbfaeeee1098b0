//! Accounts: [`account`] registers, logs in and out, and claims one's own roster record;
//! [`auth`] holds sessions (only a token's SHA-256 is stored), Argon2id passwords and the
//! login limiter; [`demo`] makes the demo's ready account and staff.

pub mod account;
pub mod auth;
pub mod demo;
