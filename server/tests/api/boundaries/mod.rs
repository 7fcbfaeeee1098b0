//! What the server refuses: one account reaching another's data, requests without a session,
//! and bad input, which gets a code and writes nothing.

mod input;
mod isolation;
mod refusals;
