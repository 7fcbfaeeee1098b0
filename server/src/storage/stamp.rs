//! Stamping: rows another account's write marked [`UNSTAMPED`] get their own account's next
//! version, in a small transaction that takes only that account's lock. Every server process
//! runs it in its background loop (`payments::charges`); until it has, pulls send such rows
//! anyway, because the mark is newer than every cursor.

use sqlx::AnyConnection;

use super::{bump, Backend, Db, StorageResult, UNSTAMPED};

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
/// Intents before payees, the order every writer keeps. On PostgreSQL a row another
/// transaction holds is skipped (`SKIP LOCKED`), not waited for: the stamp never waits on
/// anything but the account's own lock, so it can be part of no deadlock, and a skipped row
/// stays unstamped (still sent by every pull) until the next round.
pub async fn stamp(db: &Db, account_id: &str) -> StorageResult<u64> {
    let skip = match db.backend {
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let mut tx = db.begin_write().await?;
    let version = bump(&mut tx, account_id).await?;
    let mut stamped = 0;
    for table in ["intents", "payees"] {
        let sql = format!(
            "UPDATE {table} SET changed_seq = $1 WHERE id IN (SELECT id FROM {table} \
             WHERE account_id = $2 AND changed_seq = $3 {skip})"
        );
        stamped += sqlx::query(&sql)
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

/// Stamps the account's unstamped rows if it has any: a pull does this first, so what it
/// sends carries a version and is not sent again by the next pull.
pub async fn stamp_if_needed(db: &Db, account_id: &str) -> StorageResult<()> {
    let mut conn = db.pool.acquire().await?;
    let pending: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM intents WHERE account_id = $1 AND changed_seq = $2 \
         UNION ALL SELECT 1 FROM payees WHERE account_id = $1 AND changed_seq = $2 LIMIT 1",
    )
    .bind(account_id)
    .bind(UNSTAMPED)
    .fetch_optional(&mut *conn)
    .await?;
    drop(conn);
    if pending.is_some() {
        stamp(db, account_id).await?;
    }
    Ok(())
}
