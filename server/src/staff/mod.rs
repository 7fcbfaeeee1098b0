//! Staff: [`roles`] (village assistant, town center, administrator; made only by the
//! `create-staff` command; the [`roles::Staff`] extractor and the area rules), [`stats`] (the
//! routes of their area's window statistics and unpaid lists, also as CSV) over [`report`]
//! (those reads, each audited), and [`audit`], the append-only log every staff action and read
//! is written to; [`reconciliation`], the routes of the daily reconciliation (对账) and its
//! refund cases (退费, the rules in `payments::reconciliation`). The SQL is in `storage::staff`, `storage::stats` and `storage::audit`.

pub mod audit;
pub mod reconciliation;
pub mod report;
pub mod roles;
pub mod stats;
