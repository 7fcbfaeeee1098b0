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

/// Closes a staff *read* of personal data: appends its entry (nothing changed, so no "before";
/// `what` says what was seen) and commits, so the answer goes out only once the entry is kept.
pub async fn commit_read(
    mut tx: crate::db::WriteTx,
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
    record(&mut tx, &entry).await?;
    tx.commit().await
}
