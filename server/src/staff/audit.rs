//! The append-only audit log: who did what, when, to what, before and after. An action's
//! entry is written inside the action's own transaction, so the two commit together or not at
//! all; a read of personal data gets a short write of its own. The table and its SQL are in
//! `storage::audit` (the database refuses updates and deletes, migration 0002).

use serde_json::Value;

use crate::service::ServiceResult;
use crate::storage::{Db, WriteTx};

/// Appends an entry inside a caller's transaction (the action it records is in the same one).
pub use crate::storage::audit::{record, Entry};

/// Closes a staff *change*: appends its entry (before and after) inside the change's own
/// transaction and commits both together.
pub async fn commit_change(
    mut tx: WriteTx,
    actor: &str,
    at_ms: i64,
    action: &str,
    target: &str,
    before: Option<Value>,
    after: Option<Value>,
) -> ServiceResult<()> {
    let entry = Entry {
        actor,
        at_ms,
        action,
        target,
        before,
        after,
    };
    record(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Records a staff *read* of personal data (nothing changed, so no "before"; `what` says what
/// was seen) in a short write of its own: the read itself runs outside the writers' turn, so
/// a large export never holds up payments. The caller answers only once the entry is kept.
pub async fn record_read(
    db: &Db,
    actor: &str,
    at_ms: i64,
    action: &str,
    target: &str,
    what: Value,
) -> ServiceResult<()> {
    let entry = Entry {
        actor,
        at_ms,
        action,
        target,
        before: None,
        after: Some(what),
    };
    let mut tx = db.begin_write().await?;
    record(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(())
}
