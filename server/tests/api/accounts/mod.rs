//! Accounts: registering, logging in and out, and claiming one's own roster record.

mod claim;
mod registration;
mod sessions;
