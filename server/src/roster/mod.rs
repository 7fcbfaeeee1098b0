//! The roster (参保人员名册): the insured residents the pension system knows, and the facts the
//! eligibility decision needs about one of them. [`seed`] imports the roster CSV (all rows or
//! none) and makes the demo roster.

pub mod seed;

use std::collections::BTreeSet;

use sqlx::{AnyConnection, Row};
use yanglao_shared::{IdNumber, PersonFacts, PersonName, RosterStatus};

#[derive(Debug, Clone)]
pub struct Resident {
    pub id: String,
    pub id_number: IdNumber,
    pub name: PersonName,
    pub town: String,
    pub village: String,
    pub severely_disabled: bool,
    pub status: RosterStatus,
}

const COLUMNS: &str = "id, id_number, name, town, village, severely_disabled, status";

fn from_row(row: &sqlx::any::AnyRow) -> Result<Resident, sqlx::Error> {
    let decode = |what: &str, e: String| sqlx::Error::Decode(format!("{what}: {e}").into());
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
) -> Result<Option<Resident>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM residents WHERE id_number = $1");
    let row = sqlx::query(&sql)
        .bind(id_number.as_str())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn by_id(conn: &mut AnyConnection, id: &str) -> Result<Option<Resident>, sqlx::Error> {
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
) -> Result<Option<Resident>, sqlx::Error> {
    Ok(by_id_number(conn, id_number)
        .await?
        .filter(|r| &r.name == name))
}

/// Years with a settled contribution, whoever paid.
pub async fn paid_years(
    conn: &mut AnyConnection,
    resident_id: &str,
) -> Result<BTreeSet<i32>, sqlx::Error> {
    let years: Vec<i64> =
        sqlx::query_scalar("SELECT year FROM contributions WHERE resident_id = $1 AND state = $2")
            .bind(resident_id)
            .bind(crate::payments::states::ContributionStatus::Paid.as_str())
            .fetch_all(conn)
            .await?;
    Ok(years.into_iter().map(|y| y as i32).collect())
}

pub async fn facts(
    conn: &mut AnyConnection,
    resident: &Resident,
) -> Result<PersonFacts, sqlx::Error> {
    Ok(PersonFacts {
        status: resident.status,
        birth_date: resident.id_number.birth_date(),
        severely_disabled: resident.severely_disabled,
        paid_years: paid_years(conn, &resident.id).await?,
    })
}
