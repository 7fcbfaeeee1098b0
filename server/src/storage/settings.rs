//! The `settings` table: what every server process of one installation shares and nothing
//! may default — the secret the bank signs its notifications with — and the last day the
//! automatic daily reconciliation (对账) claimed, so that one process runs it once a day.

use crate::storage::{Db, StorageResult};

const NOTIFY_SECRET: &str = "gateway_notify_secret";

/// The installation's notification secret, generated (32 random bytes, hex) the first time it
/// is asked for. Several processes starting at once agree: the first insert wins and everyone
/// reads it back.
pub async fn notify_secret(db: &Db) -> StorageResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).expect("the operating system's random source");
    sqlx::query("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
        .bind(NOTIFY_SECRET)
        .bind(hex::encode(bytes))
        .execute(&db.pool)
        .await?;
    Ok(
        sqlx::query_scalar("SELECT value FROM settings WHERE name = $1")
            .bind(NOTIFY_SECRET)
            .fetch_one(&db.pool)
            .await?,
    )
}

const DAILY_RECONCILIATION: &str = "daily_reconciliation";

/// Claims the automatic reconciliation of `day` (`YYYY-MM-DD`) for this process: `Some` (the
/// day reconciled before, `""` for none) when no process of the installation has claimed this
/// day or a later one, `None` otherwise. One row, updated only forward, so of several
/// processes exactly one wins each day.
pub async fn claim_daily_reconciliation(db: &Db, day: &str) -> StorageResult<Option<String>> {
    sqlx::query("INSERT INTO settings (name, value) VALUES ($1, '') ON CONFLICT (name) DO NOTHING")
        .bind(DAILY_RECONCILIATION)
        .execute(&db.pool)
        .await?;
    let before: String = sqlx::query_scalar("SELECT value FROM settings WHERE name = $1")
        .bind(DAILY_RECONCILIATION)
        .fetch_one(&db.pool)
        .await?;
    if before.as_str() >= day {
        return Ok(None);
    }
    // Compare and set: of processes that read the same day, one moves it on.
    let moved = sqlx::query("UPDATE settings SET value = $1 WHERE name = $2 AND value = $3")
        .bind(day)
        .bind(DAILY_RECONCILIATION)
        .bind(&before)
        .execute(&db.pool)
        .await?;
    Ok((moved.rows_affected() == 1).then_some(before))
}

/// Gives a claimed day back (its run failed), so a later pass tries it again.
pub async fn release_daily_reconciliation(db: &Db, day: &str, before: &str) -> StorageResult<()> {
    sqlx::query("UPDATE settings SET value = $1 WHERE name = $2 AND value = $3")
        .bind(before)
        .bind(DAILY_RECONCILIATION)
        .bind(day)
        .execute(&db.pool)
        .await?;
    Ok(())
}
