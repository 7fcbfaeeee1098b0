//! The `payees` table: the people an account pays for, as the payer typed them, and the
//! roster record they matched. Removal is a flag (`storage::soft_remove`) so that a phone at
//! an older cursor learns of it.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::storage::{StorageError, StorageResult};

/// A payee as stored.
#[derive(Debug, Clone)]
pub struct Payee {
    pub id: Uuid,
    pub account_id: String,
    /// Set once name and ID number matched the roster.
    pub resident_id: Option<String>,
    pub name: String,
    pub id_number: String,
    pub removed: bool,
}

const COLUMNS: &str = "id, account_id, resident_id, name, id_number, removed";

fn decode(r: &AnyRow) -> StorageResult<Payee> {
    let id: String = r.try_get("id")?;
    Ok(Payee {
        id: Uuid::parse_str(&id).map_err(|_| StorageError::corrupt("payee id", id))?,
        account_id: r.try_get("account_id")?,
        resident_id: r.try_get("resident_id")?,
        name: r.try_get("name")?,
        id_number: r.try_get("id_number")?,
        removed: r.try_get::<i64, _>("removed")? == 1,
    })
}

/// Any account's payee with this id (to tell a retry from a clash).
pub async fn by_id(conn: &mut AnyConnection, id: Uuid) -> StorageResult<Option<Payee>> {
    let sql = format!("SELECT {COLUMNS} FROM payees WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(decode).transpose()
}

/// The account's payees changed after `since`, oldest first; `only` narrows to one. Removed
/// ones are included only for a client that has synced before (`since` is `Some`).
pub async fn changed_since(
    conn: &mut AnyConnection,
    account_id: &str,
    only: Option<Uuid>,
    since: Option<i64>,
) -> StorageResult<Vec<Payee>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM payees \
         WHERE account_id = $1 AND ($2 = '' OR id = $2) AND changed_seq > $3 \
         AND (removed = 0 OR $3 >= 0) ORDER BY created_at"
    );
    let rows = sqlx::query(&sql)
        .bind(account_id)
        .bind(only.map(|id| id.to_string()).unwrap_or_default())
        .bind(since.unwrap_or(-1))
        .fetch_all(conn)
        .await?;
    rows.iter().map(decode).collect()
}

/// Adds a payee. `false`, with nothing written, when the id is taken or the account already
/// has this ID number on its list (the `payees_once_per_account` index). No error either way:
/// inside a sync's transaction a failed statement would end the transaction for the others.
pub async fn insert(
    conn: &mut AnyConnection,
    payee: &Payee,
    seq: i64,
    now_ms: i64,
) -> StorageResult<bool> {
    let inserted = sqlx::query(
        "INSERT INTO payees (id, account_id, resident_id, name, id_number, removed, \
         changed_seq, created_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $7) \
         ON CONFLICT DO NOTHING",
    )
    .bind(payee.id.to_string())
    .bind(&payee.account_id)
    .bind(payee.resident_id.as_deref())
    .bind(&payee.name)
    .bind(&payee.id_number)
    .bind(seq)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// The roster record behind one of the account's current payees: `None` when the account has
/// no such payee, `Some(None)` when it has not matched the roster.
pub async fn resident_of(
    conn: &mut AnyConnection,
    account_id: &str,
    payee_id: Uuid,
) -> StorageResult<Option<Option<String>>> {
    Ok(sqlx::query_scalar(
        "SELECT resident_id FROM payees WHERE id = $1 AND account_id = $2 AND removed = 0",
    )
    .bind(payee_id.to_string())
    .bind(account_id)
    .fetch_optional(conn)
    .await?)
}

/// Every payer's view of this resident changed (a payment settled): stamp them with `seq`.
pub async fn touch_resident(
    conn: &mut AnyConnection,
    resident_id: &str,
    seq: i64,
) -> StorageResult<()> {
    sqlx::query("UPDATE payees SET changed_seq = $1 WHERE resident_id = $2")
        .bind(seq)
        .bind(resident_id)
        .execute(conn)
        .await?;
    Ok(())
}
