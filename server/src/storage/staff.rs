//! The `staff` table: the role of a staff account and the area it covers. Rows are added only
//! by `staff::roles::create` (the `create-staff` command and the demo), never through the API;
//! what a role may do lives in `staff::roles`.

use sqlx::{AnyConnection, Row};
use yanglao_shared::wire::{StaffInfo, StaffRole};

use crate::storage::{StorageError, StorageResult};

/// The staff role of an account, if it has one. Shared's `StaffInfo` is the row itself
/// (role, town, village), so it is answered as it is.
pub async fn load(conn: &mut AnyConnection, account_id: &str) -> StorageResult<Option<StaffInfo>> {
    let row = sqlx::query("SELECT role, town, village FROM staff WHERE account_id = $1")
        .bind(account_id)
        .fetch_optional(conn)
        .await?;
    row.map(|r| {
        let role: String = r.try_get("role")?;
        Ok(StaffInfo {
            role: StaffRole::parse(&role).ok_or_else(|| StorageError::corrupt("role", role))?,
            town: r.try_get("town")?,
            village: r.try_get("village")?,
        })
    })
    .transpose()
}

/// Gives the account `account_id` its role, inside the transaction that made the account.
pub async fn insert(
    conn: &mut AnyConnection,
    account_id: &str,
    role: StaffRole,
    town: &str,
    village: Option<&str>,
    now_ms: i64,
) -> StorageResult<()> {
    sqlx::query(
        "INSERT INTO staff (account_id, role, town, village, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(account_id)
    .bind(role.as_str())
    .bind(town)
    .bind(village)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether the account with this mobile number is staff.
pub async fn is_staff_mobile(conn: &mut AnyConnection, mobile: &str) -> StorageResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM staff s JOIN accounts a ON a.id = s.account_id WHERE a.mobile = $1",
    )
    .bind(mobile)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}
