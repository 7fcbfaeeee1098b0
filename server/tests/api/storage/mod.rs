//! Storage at a realistic size: the roster import of thousands of people (`COPY` on
//! PostgreSQL, batched inserts on SQLite), all or nothing.

mod import;
