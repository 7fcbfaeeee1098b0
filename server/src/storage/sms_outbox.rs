//! The `sms_outbox` table: the sandbox SMS gateway's messages (`sms::sandbox`). Ids sort as
//! the messages were written (nanoseconds since 1970, then random digits), so "the newest" is
//! one order even for two messages of the same millisecond.

use sqlx::{AnyConnection, Row};

use crate::storage::StorageResult;

/// One message the sandbox "sent".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentSms {
    pub mobile: String,
    pub body: String,
    /// Unix milliseconds, the machine's clock.
    pub sent_at_ms: i64,
}

pub async fn insert(
    conn: &mut AnyConnection,
    mobile: &str,
    body: &str,
    now_ms: i64,
) -> StorageResult<()> {
    let nanos = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    let id = format!(
        "{nanos:020}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    sqlx::query("INSERT INTO sms_outbox (id, mobile, body, sent_at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(mobile)
        .bind(body)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(())
}

/// The `limit` newest messages, newest first; only those to `mobile` when given.
pub async fn recent(
    conn: &mut AnyConnection,
    mobile: Option<&str>,
    limit: u32,
) -> StorageResult<Vec<SentSms>> {
    let rows = sqlx::query(
        "SELECT mobile, body, sent_at FROM sms_outbox WHERE ($1 = '' OR mobile = $1) \
         ORDER BY id DESC LIMIT $2",
    )
    .bind(mobile.unwrap_or_default())
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(SentSms {
                mobile: r.try_get("mobile")?,
                body: r.try_get("body")?,
                sent_at_ms: r.try_get("sent_at")?,
            })
        })
        .collect()
}
