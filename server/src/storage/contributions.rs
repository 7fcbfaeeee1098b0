//! The `contributions` table: one row per paid or held person-year. Its primary key
//! `(resident_id, year)` is what makes a person-year chargeable at most once; every state is
//! bound from [`ContributionStatus`], never spelled in SQL.

use std::collections::{BTreeSet, HashMap, HashSet};

use sqlx::{AnyConnection, Row};
use yanglao_shared::money::Money;

use crate::payments::states::ContributionStatus::{self, Charging, Paid};
use crate::storage::{Backend, Db, StorageError, StorageResult, WriteTx};

/// Takes a free person-year for `intent_id` (`charging`); `false` when someone holds it.
pub async fn take(
    conn: &mut AnyConnection,
    resident_id: &str,
    year: i32,
    amount_fen: i64,
    intent_id: &str,
    now_ms: i64,
) -> StorageResult<bool> {
    let taken = sqlx::query(
        "INSERT INTO contributions (resident_id, year, amount_fen, state, intent_id, \
         back_payment, created_at) VALUES ($1, $2, $3, $4, $5, 0, $6) \
         ON CONFLICT (resident_id, year) DO NOTHING",
    )
    .bind(resident_id)
    .bind(i64::from(year))
    .bind(amount_fen)
    .bind(Charging.as_str())
    .bind(intent_id)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(taken.rows_affected() == 1)
}

/// A person-year one intent of a push would take: see [`take_many`].
pub struct Take<'a> {
    pub resident_id: &'a str,
    pub year: i32,
    pub amount_fen: i64,
    pub intent_id: &'a str,
}

/// Takes several free person-years at once, in the order given (the order every writer takes
/// them in), as [`take`] does for one: a sync's push takes all its years in one statement.
/// Answers the intents that took theirs; a year someone holds, or that an earlier row of the
/// same list took, is left as it was. When every year was free (the common case) that is known
/// from the count alone; otherwise one more read says which.
pub async fn take_many(
    tx: &mut WriteTx,
    takes: &[Take<'_>],
    now_ms: i64,
) -> StorageResult<HashSet<String>> {
    if takes.is_empty() {
        return Ok(HashSet::new());
    }
    let backend = tx.backend();
    let rows: Vec<String> = (0..takes.len())
        .map(|i| format!("({}, 0)", super::marks(backend, i, 6).join(", ")))
        .collect();
    // No RETURNING: SQLite's driver hands every returned row across its thread on its own.
    let sql = format!(
        "INSERT INTO contributions (resident_id, year, amount_fen, state, intent_id, \
         created_at, back_payment) VALUES {} ON CONFLICT (resident_id, year) DO NOTHING",
        rows.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for take in takes {
        query = query
            .bind(take.resident_id)
            .bind(i64::from(take.year))
            .bind(take.amount_fen)
            .bind(Charging.as_str())
            .bind(take.intent_id)
            .bind(now_ms);
    }
    let taken = query.execute(&mut ***tx).await?.rows_affected();
    let wanted: HashSet<String> = takes.iter().map(|t| t.intent_id.to_owned()).collect();
    if taken as usize == takes.len() {
        return Ok(wanted);
    }
    let sql = format!(
        "SELECT intent_id FROM contributions WHERE intent_id IN ({})",
        super::placeholders(1, takes.len())
    );
    let mut query = sqlx::query_scalar::<_, String>(&sql);
    for take in takes {
        query = query.bind(take.intent_id);
    }
    Ok(query.fetch_all(&mut ***tx).await?.into_iter().collect())
}

/// The state of a person-year, its row share-locked until the transaction ends on PostgreSQL
/// (SQLite's one writer needs no row lock), so that its holder settles only after this
/// transaction: `None` when it is free.
pub async fn status_locked(
    conn: &mut AnyConnection,
    backend: Backend,
    resident_id: &str,
    year: i32,
) -> StorageResult<Option<ContributionStatus>> {
    let lock = match backend {
        Backend::Postgres => " FOR SHARE",
        Backend::Sqlite => "",
    };
    let sql = format!("SELECT state FROM contributions WHERE resident_id = $1 AND year = $2{lock}");
    let text: Option<String> = sqlx::query_scalar(&sql)
        .bind(resident_id)
        .bind(i64::from(year))
        .fetch_optional(conn)
        .await?;
    text.map(|t| ContributionStatus::parse(&t).ok_or_else(|| StorageError::corrupt("state", t)))
        .transpose()
}

/// The person-years a batch of the bank's answers paid, each still held by its intent, with
/// its receipt number, in one statement (`UPDATE … FROM (VALUES …)`, as
/// `intents::settle_paid`).
pub async fn settle_paid(
    conn: &mut AnyConnection,
    paid: &[(&str, i32, String, String)],
    now_ms: i64,
) -> StorageResult<()> {
    if paid.is_empty() {
        return Ok(());
    }
    let rows: Vec<String> = (0..paid.len())
        .map(|i| {
            let n = 4 + 4 * i;
            format!("(${}, ${}, ${}, ${})", n, n + 1, n + 2, n + 3)
        })
        .collect();
    let sql = format!(
        "UPDATE contributions SET state = $1, receipt_no = v.column4, paid_at = $2 \
         FROM (VALUES {}) AS v WHERE contributions.resident_id = v.column1 \
         AND contributions.year = CAST(v.column2 AS BIGINT) \
         AND contributions.intent_id = v.column3 AND contributions.state = $3",
        rows.join(", ")
    );
    let mut query = sqlx::query(&sql)
        .bind(Paid.as_str())
        .bind(now_ms)
        .bind(Charging.as_str());
    for (resident_id, year, intent_id, receipt_no) in paid {
        query = query
            .bind(*resident_id)
            .bind(i64::from(*year))
            .bind(intent_id)
            .bind(receipt_no);
    }
    query.execute(conn).await?;
    Ok(())
}

/// The bank declined: the person-year `intent_id` held is free again.
pub async fn release(
    conn: &mut AnyConnection,
    resident_id: &str,
    year: i32,
    intent_id: &str,
) -> StorageResult<()> {
    sqlx::query(
        "DELETE FROM contributions WHERE resident_id = $1 AND year = $2 AND intent_id = $3 \
         AND state = $4",
    )
    .bind(resident_id)
    .bind(i64::from(year))
    .bind(intent_id)
    .bind(Charging.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

/// A paid person-year that did not go through an intent: a back payment (补缴) with its
/// receipt, or a year the roster import says was paid before the app. `false` when the year is
/// already taken (the primary key refuses it).
pub async fn book_paid(
    conn: &mut AnyConnection,
    resident_id: &str,
    year: i32,
    amount_fen: i64,
    back_payment: bool,
    receipt_no: Option<&str>,
    now_ms: i64,
) -> StorageResult<bool> {
    let inserted = sqlx::query(
        "INSERT INTO contributions (resident_id, year, amount_fen, state, back_payment, \
         receipt_no, paid_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
         ON CONFLICT (resident_id, year) DO NOTHING",
    )
    .bind(resident_id)
    .bind(i64::from(year))
    .bind(amount_fen)
    .bind(Paid.as_str())
    .bind(i64::from(back_payment))
    .bind(receipt_no)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Years with a settled contribution, whoever paid.
pub async fn paid_years(
    conn: &mut AnyConnection,
    resident_id: &str,
) -> StorageResult<BTreeSet<i32>> {
    let years: Vec<i64> =
        sqlx::query_scalar("SELECT year FROM contributions WHERE resident_id = $1 AND state = $2")
            .bind(resident_id)
            .bind(Paid.as_str())
            .fetch_all(conn)
            .await?;
    Ok(years.into_iter().map(|y| y as i32).collect())
}

/// The paid years of several residents in one query (a sync decides its payments with them);
/// a resident with none is absent.
pub async fn paid_years_of(
    conn: &mut AnyConnection,
    resident_ids: &[&str],
) -> StorageResult<HashMap<String, BTreeSet<i32>>> {
    let mut found: HashMap<String, BTreeSet<i32>> = HashMap::new();
    if resident_ids.is_empty() {
        return Ok(found);
    }
    let sql = format!(
        "SELECT resident_id, year FROM contributions WHERE state = $1 AND resident_id IN ({})",
        super::placeholders(2, resident_ids.len())
    );
    let mut query = sqlx::query(&sql).bind(Paid.as_str());
    for id in resident_ids {
        query = query.bind(*id);
    }
    for row in query.fetch_all(conn).await? {
        let year: i64 = row.try_get(1)?;
        found
            .entry(row.try_get(0)?)
            .or_default()
            .insert(year as i32);
    }
    Ok(found)
}

/// A paid contribution found by its receipt number, with the payee's name as on the roster.
pub struct ReceiptRecord {
    pub name: String,
    pub year: i32,
    pub amount: Money,
    pub paid_at: Option<i64>,
}

pub async fn receipt(
    conn: &mut AnyConnection,
    receipt_no: &str,
) -> StorageResult<Option<ReceiptRecord>> {
    let row = sqlx::query(
        "SELECT r.name, c.year, c.amount_fen, c.paid_at FROM contributions c \
         JOIN residents r ON r.id = c.resident_id WHERE c.receipt_no = $1 AND c.state = $2",
    )
    .bind(receipt_no)
    .bind(Paid.as_str())
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let fen: i64 = row.try_get("amount_fen")?;
    Ok(Some(ReceiptRecord {
        name: row.try_get("name")?,
        year: row.try_get::<i64, _>("year")? as i32,
        amount: Money::from_fen(fen).map_err(|_| StorageError::corrupt("amount_fen", fen))?,
        paid_at: row.try_get("paid_at")?,
    }))
}

/// A year's totals, for staff and for checking the ledger from outside (the e2e tests do).
#[derive(Debug, serde::Serialize)]
pub struct YearSummary {
    pub year: i32,
    /// Paid contributions, whatever the channel.
    pub paid: i64,
    pub paid_fen: i64,
    /// Of those, paid through this app (an intent charged them).
    pub paid_in_app: i64,
    /// Of those, back payments (补缴) the town center recorded from a bank receipt.
    pub back_paid: i64,
    /// Person-years held while the bank answers.
    pub charging: i64,
}

pub async fn year_summary(db: &Db, year: i32) -> StorageResult<YearSummary> {
    let row = sqlx::query(
        "SELECT \
           CAST(COALESCE(SUM(CASE WHEN state = $2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS paid, \
           CAST(COALESCE(SUM(CASE WHEN state = $2 THEN amount_fen ELSE 0 END), 0) AS BIGINT) \
             AS paid_fen, \
           CAST(COALESCE(SUM(CASE WHEN state = $2 AND intent_id IS NOT NULL THEN 1 ELSE 0 END), 0) \
             AS BIGINT) AS paid_in_app, \
           CAST(COALESCE(SUM(CASE WHEN state = $2 AND back_payment = 1 THEN 1 ELSE 0 END), 0) \
             AS BIGINT) AS back_paid, \
           CAST(COALESCE(SUM(CASE WHEN state = $3 THEN 1 ELSE 0 END), 0) AS BIGINT) AS charging \
         FROM contributions WHERE year = $1",
    )
    .bind(i64::from(year))
    .bind(Paid.as_str())
    .bind(Charging.as_str())
    .fetch_one(&db.pool)
    .await?;
    Ok(YearSummary {
        year,
        paid: row.try_get("paid")?,
        paid_fen: row.try_get("paid_fen")?,
        paid_in_app: row.try_get("paid_in_app")?,
        back_paid: row.try_get("back_paid")?,
        charging: row.try_get("charging")?,
    })
}
