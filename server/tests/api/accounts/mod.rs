//! Accounts: registering, logging in and out, and claiming one's own roster record (two
//! steps, a code to the roster's mobile; the codes and the limits in `claim_codes`).

mod claim;
mod claim_codes;
mod registration;
mod sessions;
