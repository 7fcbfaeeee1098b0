//! Several server processes on one PostgreSQL (issue 11): nothing that matters lives in one
//! process's memory, and a phone that gives up mid-request cancels nothing halfway.

mod disconnects;
mod two_servers;
