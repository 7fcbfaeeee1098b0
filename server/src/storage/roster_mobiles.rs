//! The `roster_mobiles` table: the mobile number the pension system has for a resident, where
//! the one-time code of a claim goes (`accounts::claim`). A resident may have none. The roster
//! import writes them in batches ([`insert_batch`]; through `COPY` on PostgreSQL, in
//! `residents::copy`).

use sqlx::AnyConnection;
use yanglao_shared::MobileNumber;

use crate::storage::{Backend, StorageError, StorageResult};

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

/// Adds the mobile numbers of residents the import just wrote, `(resident id, mobile)`, in one
/// multi-row insert; answers how many were written.
pub async fn insert_batch(
    conn: &mut AnyConnection,
    backend: Backend,
    rows: &[(&str, &str)],
    now_ms: i64,
) -> StorageResult<u64> {
    if rows.is_empty() {
        return Ok(0);
    }
    let values: Vec<String> = (0..rows.len())
        .map(|i| format!("({})", super::marks(backend, i, 3).join(", ")))
        .collect();
    let sql = format!(
        "INSERT INTO roster_mobiles (resident_id, mobile, updated_at) VALUES {}",
        values.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for (resident_id, mobile) in rows {
        query = query.bind(*resident_id).bind(*mobile).bind(now_ms);
    }
    Ok(query.execute(conn).await?.rows_affected())
}
