//! Stamping: rows another account's write marked [`UNSTAMPED`] get their own account's next
//! version, in a small transaction that takes only that account's lock. Every server process
//! runs it in its background loop (`payments::charges`); until it has, pulls send such rows
//! anyway, because the mark is newer than every cursor.

use sqlx::AnyConnection;

use super::{bump, Db, StorageResult, UNSTAMPED};

/// Accounts with unstamped rows, at most `limit` of them.
pub async fn pending(conn: &mut AnyConnection, limit: i64) -> StorageResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT account_id FROM intents WHERE changed_seq = $1 \
         UNION SELECT account_id FROM payees WHERE changed_seq = $1 LIMIT $2",
    )
    .bind(UNSTAMPED)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// Gives the account's unstamped rows its next version; returns how many rows were stamped.
/// Intents before payees, the order every writer keeps.
pub async fn stamp(db: &Db, account_id: &str) -> StorageResult<u64> {
    let mut tx = db.begin_write().await?;
    let version = bump(&mut tx, account_id).await?;
    let mut stamped = 0;
    for sql in [
        "UPDATE intents SET changed_seq = $1 WHERE account_id = $2 AND changed_seq = $3",
        "UPDATE payees SET changed_seq = $1 WHERE account_id = $2 AND changed_seq = $3",
    ] {
        stamped += sqlx::query(sql)
            .bind(version)
            .bind(account_id)
            .bind(UNSTAMPED)
            .execute(&mut **tx)
            .await?
            .rows_affected();
    }
    tx.commit().await?;
    Ok(stamped)
}
