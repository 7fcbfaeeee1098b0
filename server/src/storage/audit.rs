//! The `audit_log` table, append-only: this module only inserts, nothing here (nor any route)
//! updates or deletes an entry, and the database refuses it too (triggers in migration 0002).
//! When an entry is written, and in which transaction, is decided in `staff::audit`.

use serde_json::Value;
use sqlx::AnyConnection;

use crate::storage::StorageResult;

/// One audit entry. `actor` is a staff account id, or `cli:<user>` for the command line.
/// `before` and `after` are stored as JSON text (the schema is text and integers on both
/// backends; see the module doc of `storage`).
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub actor: &'a str,
    pub at_ms: i64,
    pub action: &'a str,
    pub target: &'a str,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Appends `entry` inside `conn`'s transaction, so that it commits with the action it records
/// or not at all.
pub async fn record(conn: &mut AnyConnection, entry: &Entry<'_>) -> StorageResult<()> {
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
