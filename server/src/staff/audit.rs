//! The append-only audit log: who did what, when, to what, before and after. Entries are written
//! inside the transaction of the action they record, so an action and its entry commit together
//! or not at all. Nothing here (nor any route) updates or deletes an entry, and the database
//! refuses it too (triggers in migration 0002).

use serde_json::Value;

/// One audit entry. `actor` is a staff account id, or `cli:<user>` for the command line.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub actor: &'a str,
    pub at_ms: i64,
    pub action: &'a str,
    pub target: &'a str,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Appends `entry` inside `conn`'s transaction.
pub async fn record(conn: &mut sqlx::AnyConnection, entry: &Entry<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (actor, at, action, target, before_json, after_json) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(entry.actor)
    .bind(entry.at_ms)
    .bind(entry.action)
    .bind(entry.target)
    .bind(entry.before.as_ref().map(Value::to_string))
    .bind(entry.after.as_ref().map(Value::to_string))
    .execute(conn)
    .await?;
    Ok(())
}

/// Closes a staff *change*: appends its entry (before and after) inside the change's own
/// transaction and commits both together.
pub async fn commit_change(
    mut tx: crate::storage::WriteTx,
    actor: &str,
    at_ms: i64,
    action: &str,
    target: &str,
    before: Option<Value>,
    after: Option<Value>,
) -> Result<(), sqlx::Error> {
    let entry = Entry {
        actor,
        at_ms,
        action,
        target,
        before,
        after,
    };
    record(&mut tx, &entry).await?;
    tx.commit().await
}

/// Records a staff *read* of personal data (nothing changed, so no "before"; `what` says what
/// was seen) in a short write of its own: the read itself runs outside the writers' turn, so
/// a large export never holds up payments. The caller answers only once the entry is kept.
pub async fn record_read(
    db: &crate::storage::Db,
    actor: &str,
    at_ms: i64,
    action: &str,
    target: &str,
    what: Value,
) -> Result<(), sqlx::Error> {
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
    tx.commit().await
}
