//! Storage at a realistic size: the roster import of thousands of people (`COPY` on
//! PostgreSQL, batched inserts on SQLite), all or nothing; and the plan of every query a sync
//! runs, over a roster and ledger big enough that PostgreSQL's planner means it.

mod explain;
mod import;
