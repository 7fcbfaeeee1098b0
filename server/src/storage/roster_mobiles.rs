//! The `roster_mobiles` table: the mobile number the pension system has for a resident, where
//! the one-time code of a claim goes (`accounts::claim`). A resident may have none.

use sqlx::AnyConnection;
use yanglao_shared::MobileNumber;

use crate::storage::{StorageError, StorageResult};

/// The roster's mobile number of a resident, if it has one.
pub async fn of(
    conn: &mut AnyConnection,
    resident_id: &str,
) -> StorageResult<Option<MobileNumber>> {
    let mobile: Option<String> =
        sqlx::query_scalar("SELECT mobile FROM roster_mobiles WHERE resident_id = $1")
            .bind(resident_id)
            .fetch_optional(conn)
            .await?;
    mobile
        .map(|m| MobileNumber::parse(&m).map_err(|_| StorageError::corrupt("roster mobile", m)))
        .transpose()
}

/// Sets (or replaces) a resident's mobile number.
pub async fn set(
    conn: &mut AnyConnection,
    resident_id: &str,
    mobile: &MobileNumber,
    now_ms: i64,
) -> StorageResult<()> {
    sqlx::query(
        "INSERT INTO roster_mobiles (resident_id, mobile, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (resident_id) DO UPDATE SET mobile = excluded.mobile, \
         updated_at = excluded.updated_at",
    )
    .bind(resident_id)
    .bind(mobile.as_str())
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}
