//! The queries behind staff's window statistics and unpaid lists: counts over the roster and
//! the contributions of one area and year. Contribution states and the roster status are
//! bound, never spelled in SQL. What staff may ask about, and the audit entry each read
//! writes, live in `staff`; this module only counts and lists.

use sqlx::{AnyConnection, Row};
use yanglao_shared::money::Money;
use yanglao_shared::{IdNumber, RosterStatus};

use crate::payments::states::ContributionStatus::{Charging, Paid};
use crate::staff::roles::Area;
use crate::storage::{StorageError, StorageResult};

impl Area {
    /// ` AND {table}.town = $n ...` for a table (or alias) with `town` and `village` columns,
    /// with the values to bind in order, parameters numbered from `first`. It lives here, with
    /// the SQL, rather than beside `Area`: only storage writes SQL.
    pub fn filter(&self, table: &str, first: usize) -> (String, Vec<String>) {
        let mut sql = String::new();
        let mut values = Vec::new();
        for (column, value) in [("town", &self.town), ("village", &self.village)] {
            if let Some(value) = value {
                sql.push_str(&format!(
                    " AND {table}.{column} = ${}",
                    first + values.len()
                ));
                values.push(value.clone());
            }
        }
        (sql, values)
    }
}

/// Enrolled residents of an area, and how many of them are paid or being charged for a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AreaCounts {
    pub enrolled: i64,
    pub paid: i64,
    pub charging: i64,
}

/// The paid contributions of one amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierCount {
    pub amount: Money,
    pub count: i64,
    pub sum_fen: i64,
}

/// An enrolled resident with nothing in the ledger for the year asked about.
#[derive(Debug, Clone)]
pub struct UnpaidResident {
    pub name: String,
    pub id_number: IdNumber,
    pub town: String,
    pub village: String,
}

/// Residents of `area` enrolled on the roster, with the year's paid and charging among them.
pub async fn counts(conn: &mut AnyConnection, area: &Area, year: i32) -> StorageResult<AreaCounts> {
    // $1 to $4 are fixed; the area's values follow from $5.
    let (filter, values) = area.filter("r", 5);
    let sql = format!(
        "SELECT COUNT(*) AS enrolled, \
           CAST(COALESCE(SUM(CASE WHEN c.state = $2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS paid, \
           CAST(COALESCE(SUM(CASE WHEN c.state = $3 THEN 1 ELSE 0 END), 0) AS BIGINT) \
             AS charging \
         FROM residents r LEFT JOIN contributions c ON c.resident_id = r.id AND c.year = $1 \
         WHERE r.status = $4{filter}"
    );
    let mut query = sqlx::query(&sql)
        .bind(i64::from(year))
        .bind(Paid.as_str())
        .bind(Charging.as_str())
        .bind(RosterStatus::Enrolled.as_str());
    for v in values {
        query = query.bind(v);
    }
    let row = query.fetch_one(conn).await?;
    Ok(AreaCounts {
        enrolled: row.try_get("enrolled")?,
        paid: row.try_get("paid")?,
        charging: row.try_get("charging")?,
    })
}

/// The year's paid contributions of `area`'s enrolled residents, by amount, smallest first.
pub async fn paid_by_tier(
    conn: &mut AnyConnection,
    area: &Area,
    year: i32,
) -> StorageResult<Vec<TierCount>> {
    let (filter, values) = area.filter("r", 4);
    let sql = format!(
        "SELECT c.amount_fen AS amount_fen, COUNT(*) AS n, CAST(SUM(c.amount_fen) AS BIGINT) AS total \
         FROM contributions c JOIN residents r ON r.id = c.resident_id \
         WHERE c.year = $1 AND c.state = $2 AND r.status = $3{filter} \
         GROUP BY c.amount_fen ORDER BY c.amount_fen"
    );
    let mut query = sqlx::query(&sql)
        .bind(i64::from(year))
        .bind(Paid.as_str())
        .bind(RosterStatus::Enrolled.as_str());
    for v in values {
        query = query.bind(v);
    }
    query
        .fetch_all(conn)
        .await?
        .iter()
        .map(|row| {
            let amount_fen: i64 = row.try_get("amount_fen")?;
            Ok(TierCount {
                amount: Money::from_fen(amount_fen)
                    .map_err(|_| StorageError::corrupt("amount_fen", amount_fen))?,
                count: row.try_get("n")?,
                sum_fen: row.try_get("total")?,
            })
        })
        .collect()
}

/// `WHERE` of the unpaid list: enrolled residents of the area with no contribution row for
/// the year (someone being charged right now is not listed: the bank is answering). `$1` is
/// the year, `$2` the enrolled status, the area's values follow from `$3`.
fn unpaid_where(area: &Area) -> (String, Vec<String>) {
    let (filter, values) = area.filter("r", 3);
    let sql = format!(
        "WHERE r.status = $2{filter} AND NOT EXISTS \
           (SELECT 1 FROM contributions c WHERE c.resident_id = r.id AND c.year = $1)"
    );
    (sql, values)
}

/// The unpaid of `area` for `year`, by town, village and ID number; one page of
/// `(limit, offset)`, or all of them.
pub async fn unpaid(
    conn: &mut AnyConnection,
    area: &Area,
    year: i32,
    page: Option<(i64, i64)>,
) -> StorageResult<Vec<UnpaidResident>> {
    let (condition, values) = unpaid_where(area);
    let next = 3 + values.len();
    let paging = match page {
        Some(_) => format!(" LIMIT ${next} OFFSET ${}", next + 1),
        None => String::new(),
    };
    let sql = format!(
        "SELECT r.name, r.id_number, r.town, r.village FROM residents r {condition} \
         ORDER BY r.town, r.village, r.id_number{paging}"
    );
    let mut query = sqlx::query(&sql)
        .bind(i64::from(year))
        .bind(RosterStatus::Enrolled.as_str());
    for v in values {
        query = query.bind(v);
    }
    if let Some((limit, offset)) = page {
        query = query.bind(limit).bind(offset);
    }
    query
        .fetch_all(conn)
        .await?
        .iter()
        .map(|row| {
            let id_number: String = row.try_get("id_number")?;
            Ok(UnpaidResident {
                name: row.try_get("name")?,
                id_number: IdNumber::parse_any_date(&id_number)
                    .map_err(|_| StorageError::corrupt("id_number", id_number))?,
                town: row.try_get("town")?,
                village: row.try_get("village")?,
            })
        })
        .collect()
}

/// How many the unpaid list of `area` for `year` has in all.
pub async fn unpaid_count(conn: &mut AnyConnection, area: &Area, year: i32) -> StorageResult<i64> {
    let (condition, values) = unpaid_where(area);
    let sql = format!("SELECT COUNT(*) FROM residents r {condition}");
    let mut query = sqlx::query_scalar(&sql)
        .bind(i64::from(year))
        .bind(RosterStatus::Enrolled.as_str());
    for v in values {
        query = query.bind(v);
    }
    Ok(query.fetch_one(conn).await?)
}

/// How many residents the roster has, whatever their status.
pub async fn roster_size(conn: &mut AnyConnection) -> StorageResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM residents")
        .fetch_one(conn)
        .await?)
}
