//! Accounts: registering, logging in and out, and claiming one's own roster record (two
//! steps, a code to the roster's mobile; the codes and the limits in `claim_codes`); the limit
//! on failed logins across servers and restarts (`login_limits`).

mod claim;
mod claim_codes;
mod login_limits;
mod registration;
mod sessions;
