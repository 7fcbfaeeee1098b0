//! The `settings` table: what every server process of one installation shares and nothing
//! may default — today the secret the bank signs its notifications with.

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
