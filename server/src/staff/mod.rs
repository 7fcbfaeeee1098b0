//! Staff: [`roles`] (village assistant, town center, administrator; made only by the
//! `create-staff` command), [`stats`] (their area's window statistics and unpaid lists, also
//! as CSV), and [`audit`], the append-only log every staff action and read is written to.

pub mod audit;
pub mod roles;
pub mod stats;
