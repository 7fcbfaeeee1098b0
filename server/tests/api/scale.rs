//! Several server processes on one PostgreSQL (issue 11): nothing that matters lives in one
//! process's memory.

mod two_servers;
