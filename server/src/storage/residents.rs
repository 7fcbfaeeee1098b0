//! The `residents` table: the roster (参保人员名册), decoded into [`Resident`]; the roster
//! module holds what the rules make of a record (`roster::facts`).
//!
//! [`import`] loads a whole roster, with the paid years it lists, in one transaction: on
//! PostgreSQL through `COPY ... FROM STDIN` into a temporary table on a native `PgPool` opened
//! from the same URL ([`copy`]; `AnyConnection` cannot reach `COPY`), on SQLite (or without a
//! URL) through multi-row `INSERT`s of [`BATCH`] rows; the mobile numbers a row gives go to
//! `roster_mobiles` in the same transaction. Nothing is committed until the caller
//! says so, so a bad file leaves nothing behind. Which index serves each query a sync runs, with
//! PostgreSQL's plans, is in `storage/indexes.md` (checked by the `storage::explain` test).

use std::collections::BTreeSet;

use sqlx::{AnyConnection, Row};
use uuid::Uuid;
use yanglao_shared::{IdNumber, PersonName, RosterStatus};

use crate::payments::states::ContributionStatus;
use crate::roster::seed::NewResident;
use crate::roster::Resident;
use crate::storage::{
    contributions, roster_mobiles, Backend, Db, StorageError, StorageResult, WriteTx,
};

mod copy;

const COLUMNS: &str = "id, id_number, name, town, village, severely_disabled, status";

pub(super) fn from_row(row: &sqlx::any::AnyRow) -> StorageResult<Resident> {
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

/// The roster record a payer's person is matched to, read with the person in one query (a
/// sync decides each payment with it): `None` when the person is not, or no longer, on this
/// account's list; `Some(None)` when on it but matched to no record.
pub async fn of_payee(
    conn: &mut AnyConnection,
    account_id: &str,
    payee_id: Uuid,
) -> StorageResult<Option<Option<Resident>>> {
    let row = sqlx::query(
        "SELECT p.resident_id AS matched, r.id, r.id_number, r.name, r.town, r.village, \
         r.severely_disabled, r.status FROM payees p LEFT JOIN residents r ON r.id = \
         p.resident_id WHERE p.id = $1 AND p.account_id = $2 AND p.removed = 0",
    )
    .bind(payee_id.to_string())
    .bind(account_id)
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    match row.try_get::<Option<String>, _>("matched")? {
        Some(_) => Ok(Some(Some(from_row(&row)?))),
        None => Ok(Some(None)),
    }
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

/// Ids for the residents of one import, in increasing order (RFC 9562 version 7: the
/// import's start in unix ms, then a counter, then random bits), so that the primary key, and
/// the ledger's `(resident_id, year)` key after it, grow at their end instead of at random
/// pages. With this (and more page cache on SQLite) a million people went from 144 s to 63 s
/// on SQLite and from 138 s to 98 s on PostgreSQL, 2 cores.
pub(crate) struct ImportIds {
    ms: u64,
    counter: u64,
}

impl ImportIds {
    pub(crate) fn new() -> Self {
        let ms = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
        Self {
            ms: ms as u64,
            counter: 0,
        }
    }

    pub(crate) fn next_id(&mut self) -> Uuid {
        let random = Uuid::new_v4().as_u128() & ((1 << 42) - 1);
        let c = u128::from(self.counter);
        self.counter += 1;
        let bits = (u128::from(self.ms & 0xFFFF_FFFF_FFFF) << 80)
            | (0x7 << 76)
            | (((c >> 20) & 0xFFF) << 64)
            | (0b10 << 62)
            | ((c & 0xF_FFFF) << 42)
            | random;
        Uuid::from_u128(bits)
    }
}

/// Rows per multi-row `INSERT`: 9 bound values a resident, well under SQLite's 32,766 and
/// PostgreSQL's 65,535.
pub const BATCH: usize = 1000;

/// An import written but not yet committed: commit it, or drop it to write nothing.
pub struct Staged {
    tx: StagedTx,
    /// Residents written.
    pub residents: u64,
    /// Paid years written to the ledger with them.
    pub paid_years: u64,
    /// Mobile numbers written to `roster_mobiles` with them.
    pub mobiles: u64,
    /// Lines whose ID number was already on the roster: the import must not be committed.
    pub taken: Vec<u64>,
}

enum StagedTx {
    Any(WriteTx),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Staged {
    pub async fn commit(self) -> StorageResult<()> {
        match self.tx {
            StagedTx::Any(tx) => tx.commit().await?,
            StagedTx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    /// Writes nothing, now (a dropped transaction would only roll back on its next use).
    pub async fn rollback(self) -> StorageResult<()> {
        match self.tx {
            StagedTx::Any(tx) => tx.tx.rollback().await?,
            StagedTx::Postgres(tx) => tx.rollback().await?,
        }
        Ok(())
    }
}

/// Writes `rows` (each with the line it came from) to the roster of `region`, with their paid
/// years, inside one uncommitted transaction. `url` is the database's URL: given one of
/// PostgreSQL, the rows go through `COPY`; otherwise through batched `INSERT`s over `db`.
pub async fn import(
    db: &Db,
    url: Option<&str>,
    rows: impl Iterator<Item = (u64, NewResident)>,
    region: &str,
    now_ms: i64,
) -> StorageResult<Staged> {
    match (db.backend, url) {
        (Backend::Postgres, Some(url)) => copy::import(url, rows, region, now_ms).await,
        _ => insert_batches(db, rows, region, now_ms).await,
    }
}

async fn insert_batches(
    db: &Db,
    mut rows: impl Iterator<Item = (u64, NewResident)>,
    region: &str,
    now_ms: i64,
) -> StorageResult<Staged> {
    let mut tx = db.begin_write().await?;
    if db.backend == Backend::Sqlite {
        // Room for the ID-number index a big roster grows at random pages (a cap, not an
        // allocation: a small import uses what it touches, as before).
        sqlx::query("PRAGMA cache_size = -131072")
            .execute(&mut **tx)
            .await?;
    }
    let (mut residents, mut paid_years, mut mobiles, mut taken) = (0, 0, 0, Vec::new());
    let mut batch = Vec::with_capacity(BATCH);
    let mut next_id = ImportIds::new();
    loop {
        batch.clear();
        batch.extend(rows.by_ref().take(BATCH));
        if batch.is_empty() {
            break;
        }
        let ids: Vec<String> = batch
            .iter()
            .map(|_| next_id.next_id().to_string())
            .collect();
        let written = insert_residents(&mut tx, db.backend, &ids, &batch, region, now_ms).await?;
        let (mut paid, mut numbers) = (Vec::new(), Vec::new());
        for (id, (line, row)) in ids.iter().zip(&batch) {
            if !written.contains(id) {
                taken.push(*line);
                continue;
            }
            paid.extend(row.paid.iter().map(|(y, m)| (id.as_str(), *y, m.to_fen())));
            numbers.extend(row.mobile.as_ref().map(|m| (id.as_str(), m.as_str())));
        }
        residents += written.len() as u64;
        if taken.is_empty() {
            for chunk in paid.chunks(BATCH) {
                paid_years += insert_paid(&mut tx, db.backend, chunk, now_ms).await?;
            }
            for chunk in numbers.chunks(BATCH) {
                mobiles += roster_mobiles::insert_batch(&mut tx, db.backend, chunk, now_ms).await?;
            }
        }
    }
    Ok(Staged {
        tx: StagedTx::Any(tx),
        residents,
        paid_years,
        mobiles,
        taken,
    })
}

/// One multi-row insert; answers the ids written (an ID number already there is skipped).
async fn insert_residents(
    tx: &mut WriteTx,
    backend: Backend,
    ids: &[String],
    rows: &[(u64, NewResident)],
    region: &str,
    now_ms: i64,
) -> StorageResult<std::collections::HashSet<String>> {
    let values: Vec<String> = (0..rows.len())
        .map(|i| format!("({})", super::marks(backend, i, 9).join(", ")))
        .collect();
    let sql = format!(
        "INSERT INTO residents (id, id_number, name, town, village, region_code, \
         severely_disabled, status, created_at) VALUES {} \
         ON CONFLICT (id_number) DO NOTHING RETURNING id",
        values.join(", ")
    );
    let mut query = sqlx::query_scalar::<_, String>(&sql);
    for (id, (_, row)) in ids.iter().zip(rows) {
        query = query
            .bind(id)
            .bind(row.id_number.as_str())
            .bind(row.name.as_str())
            .bind(&row.town)
            .bind(&row.village)
            .bind(region)
            .bind(i64::from(row.severely_disabled))
            .bind(row.status.as_str())
            .bind(now_ms);
    }
    Ok(query.fetch_all(&mut ***tx).await?.into_iter().collect())
}

/// Years paid before the app, as the roster lists them: (resident id, year, fen).
async fn insert_paid(
    tx: &mut WriteTx,
    backend: Backend,
    paid: &[(&str, i32, i64)],
    now_ms: i64,
) -> StorageResult<u64> {
    if paid.is_empty() {
        return Ok(0);
    }
    let values: Vec<String> = (0..paid.len())
        .map(|i| {
            let m = super::marks(backend, i, 6);
            format!(
                "({}, {}, {}, {}, 0, {}, {})",
                m[0], m[1], m[2], m[3], m[4], m[5]
            )
        })
        .collect();
    let sql = format!(
        "INSERT INTO contributions (resident_id, year, amount_fen, state, back_payment, \
         paid_at, created_at) VALUES {} ON CONFLICT (resident_id, year) DO NOTHING",
        values.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for (id, year, fen) in paid {
        query = query
            .bind(*id)
            .bind(i64::from(*year))
            .bind(*fen)
            .bind(ContributionStatus::Paid.as_str())
            .bind(now_ms)
            .bind(now_ms);
    }
    Ok(query.execute(&mut ***tx).await?.rows_affected())
}

#[cfg(test)]
mod tests {
    #[test]
    fn import_ids_are_version_7_and_grow_as_text() {
        let mut ids = super::ImportIds::new();
        let made: Vec<_> = (0..3000).map(|_| ids.next_id()).collect();
        assert!(made.iter().all(|id| id.get_version_num() == 7));
        let text: Vec<String> = made.iter().map(ToString::to_string).collect();
        assert!(text.windows(2).all(|w| w[0] < w[1]), "increasing");
    }
}
