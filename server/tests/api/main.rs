//! The server's integration tests, one binary, as specifications: each test is one behaviour,
//! named for it, run against a real server (SQLite, and PostgreSQL when `YANGLAO_TEST_PG_URL`
//! names one) through a typed client over `yanglao_shared::wire`. The modules mirror
//! `server/src`'s folders; `support` is the harness.
//!
//! - [`accounts`]: registering, logging in and out, claiming one's own roster record.
//! - [`payments`]: the people one pays for, cards, the sync round trip, the ledger's
//!   guarantees (never twice, even racing), the bank's notifications, reconciliation, receipts.
//! - [`applications`]: enrolment (参保登记) and back payment (补缴), from form to roster and
//!   ledger; the places a form may name.
//! - [`staff`]: who sees which area, window statistics, the CSV export, the audit log.
//! - [`policy`]: the policy versions, publishing one (route and command), an intent keeping
//!   the version that decided it.
//! - [`boundaries`]: one account never reaches another's data; bad input gets a code and
//!   writes nothing.
//! - [`serving`]: the PWA's files, the OpenAPI document against the router.
//! - [`gateway`], [`roster`], [`cli`]: the sandbox bank over HTTP, the roster import, the
//!   subcommands as processes.
//! - [`scale`]: fifty payers racing across two server processes on one PostgreSQL, one of
//!   them killed mid-race.
//! - [`storage`]: the roster import at size, and the plan of every query a sync runs.
//! - [`wire_shape`]: the one test that pins the JSON of the wire.

mod support;

mod accounts;
mod applications;
mod boundaries;
mod cli;
mod gateway;
mod payments;
mod policy;
mod pwa_files;
mod roster;
mod scale;
mod serving;
mod staff;
mod storage;
mod wire_shape;
