//! The `residents` table: the roster (参保人员名册), decoded into [`Resident`]; the roster
//! module holds what the rules make of a record (`roster::facts`).

use std::collections::BTreeSet;

use sqlx::{AnyConnection, Row};
use yanglao_shared::{IdNumber, PersonName, RosterStatus};

use crate::roster::seed::NewResident;
use crate::roster::Resident;
use crate::storage::{contributions, StorageError, StorageResult};

const COLUMNS: &str = "id, id_number, name, town, village, severely_disabled, status";

fn from_row(row: &sqlx::any::AnyRow) -> StorageResult<Resident> {
    let decode = |what: &'static str, e: String| StorageError::corrupt(what, e);
    let id_number: String = row.try_get("id_number")?;
    let name: String = row.try_get("name")?;
    let status: String = row.try_get("status")?;
    Ok(Resident {
        id: row.try_get("id")?,
        id_number: IdNumber::parse_any_date(&id_number)
            .map_err(|e| decode("id_number", e.to_string()))?,
        name: PersonName::parse(&name).map_err(|e| decode("name", e.to_string()))?,
        town: row.try_get("town")?,
        village: row.try_get("village")?,
        severely_disabled: row.try_get::<i64, _>("severely_disabled")? == 1,
        status: RosterStatus::parse_recorded(&status)
            .ok_or_else(|| decode("status", status.clone()))?,
    })
}

pub async fn by_id_number(
    conn: &mut AnyConnection,
    id_number: &IdNumber,
) -> StorageResult<Option<Resident>> {
    let sql = format!("SELECT {COLUMNS} FROM residents WHERE id_number = $1");
    let row = sqlx::query(&sql)
        .bind(id_number.as_str())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn by_id(conn: &mut AnyConnection, id: &str) -> StorageResult<Option<Resident>> {
    let sql = format!("SELECT {COLUMNS} FROM residents WHERE id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(conn).await?;
    row.as_ref().map(from_row).transpose()
}

/// The roster record matching both name and ID number, if any. Matching on both means a typo
/// in either finds nothing, and nobody learns whether an ID alone is on the roster.
pub async fn matching(
    conn: &mut AnyConnection,
    name: &PersonName,
    id_number: &IdNumber,
) -> StorageResult<Option<Resident>> {
    Ok(by_id_number(conn, id_number)
        .await?
        .filter(|r| &r.name == name))
}

/// Years with a settled contribution, whoever paid.
pub async fn paid_years(
    conn: &mut AnyConnection,
    resident_id: &str,
) -> StorageResult<BTreeSet<i32>> {
    contributions::paid_years(conn, resident_id).await
}

/// Adds a resident under `id`; `false` when the ID number is already on the roster.
pub async fn insert(
    conn: &mut AnyConnection,
    id: &str,
    row: &NewResident,
    region: &str,
    now_ms: i64,
) -> StorageResult<bool> {
    let inserted = sqlx::query(
        "INSERT INTO residents (id, id_number, name, town, village, region_code, \
         severely_disabled, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (id_number) DO NOTHING",
    )
    .bind(id)
    .bind(row.id_number.as_str())
    .bind(row.name.as_str())
    .bind(&row.town)
    .bind(&row.village)
    .bind(region)
    .bind(i64::from(row.severely_disabled))
    .bind(row.status.as_str())
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}
