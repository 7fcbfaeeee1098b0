//! The policy a server applies, as versions: the table built into the release is version 1,
//! and an administrator publishes the next (`POST /admin/policies`, `yanglao-server policy
//! import`), in force from a stated day (China Standard Time) for the years it covers.
//!
//! - [`book`]: every version this process knows and which one is in force for a year on a
//!   day; refreshed from the database (other processes publish too).
//! - [`publish`]: the checks, the stored version and its audit entry, in one transaction.
//! - [`routes`]: `GET /policy`, `GET/POST /admin/policies`.
//!
//! A payment keeps the version that decided it: an intent records it on arrival
//! (`intents.policy_version`) and is decided by it until it is paid or fails, so publishing
//! never reprices an intent already made, and a payment made is never touched. The rows are
//! in `storage::policies`.

pub mod book;
pub mod publish;
pub mod routes;

use tokio::sync::watch;

use crate::app::AppState;

pub use book::PolicyBook;
pub use routes::router;

/// Re-reads the published versions every [`book::REFRESH_EVERY`] until `stop`, the first time
/// at once (a server starting on a database with versions serves them).
pub fn spawn_refresh(
    state: AppState,
    mut stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = state.policies.refresh(&state.db).await {
                tracing::warn!(%e, "policy versions not refreshed");
            }
            tokio::select! {
                _ = tokio::time::sleep(book::REFRESH_EVERY) => {}
                _ = stop.wait_for(|stopped| *stopped) => return,
            }
        }
    })
}
