//! The roster import on PostgreSQL: `COPY ... FROM STDIN` into a temporary table, then one
//! `INSERT ... SELECT` into `residents`, one into `contributions` and one into
//! `roster_mobiles` (the rows that give a mobile number), all in one transaction
//! on a native `PgPool` opened from the same URL (`COPY` is not reachable through
//! `AnyConnection`; see the storage module doc). Rows are sent as they are read, in chunks, so
//! the file is never held in memory.
//!
//! The change counter's row lock (`Db::begin_write`) is not taken: the import only adds rows
//! nobody can see before it commits, the unique key on `id_number` is the check against the
//! roster, and holding every writer up for the length of a million-row `COPY` would stop all
//! payments for that long.

use sqlx::postgres::PgPoolOptions;
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

use super::{ImportIds, Staged, StagedTx};
use crate::payments::states::ContributionStatus;
use crate::roster::seed::NewResident;
use crate::storage::StorageResult;

/// How much COPY text is gathered before it is sent.
const CHUNK: usize = 1 << 20;

pub(super) async fn import(
    url: &str,
    rows: impl Iterator<Item = (u64, NewResident)>,
    region: &str,
    now_ms: i64,
) -> StorageResult<Staged> {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .after_connect(|conn, _| {
            Box::pin(async move {
                // The staging table lives in this session's memory while it fits.
                sqlx::Executor::execute(conn, "SET temp_buffers = '256MB'").await?;
                Ok(())
            })
        })
        .connect(url)
        .await?;
    let mut tx = pool.begin().await?;
    sqlx::query(
        "CREATE TEMPORARY TABLE import_roster (line BIGINT NOT NULL, id TEXT NOT NULL, \
         id_number TEXT NOT NULL, name TEXT NOT NULL, town TEXT NOT NULL, \
         village TEXT NOT NULL, severely_disabled BIGINT NOT NULL, status TEXT NOT NULL, \
         paid TEXT NOT NULL, mobile TEXT NOT NULL) ON COMMIT DROP",
    )
    .execute(&mut *tx)
    .await?;
    let staged = send(&mut tx, rows).await?;
    sqlx::query("ANALYZE import_roster")
        .execute(&mut *tx)
        .await?;
    let taken = taken(&mut tx).await?;
    if !taken.is_empty() {
        return Ok(staged_with(tx, [0, 0, 0], taken));
    }
    let residents = sqlx::query(
        "INSERT INTO residents (id, id_number, name, town, village, region_code, \
         severely_disabled, status, created_at) \
         SELECT id, id_number, name, town, village, $1, severely_disabled, status, $2 \
         FROM import_roster ON CONFLICT (id_number) DO NOTHING",
    )
    .bind(region)
    .bind(now_ms)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if residents < staged {
        // Someone else added one of these people since the check above.
        let taken: Vec<i64> = sqlx::query_scalar(
            "SELECT s.line FROM import_roster s \
             WHERE NOT EXISTS (SELECT 1 FROM residents r WHERE r.id = s.id) ORDER BY s.line",
        )
        .fetch_all(&mut *tx)
        .await?;
        let taken = taken.into_iter().map(|l| l as u64).collect();
        return Ok(staged_with(tx, [residents, 0, 0], taken));
    }
    let paid_years = sqlx::query(
        "INSERT INTO contributions (resident_id, year, amount_fen, state, back_payment, \
         paid_at, created_at) \
         SELECT s.id, CAST(split_part(p, ':', 1) AS BIGINT), \
                CAST(split_part(p, ':', 2) AS BIGINT), $1, 0, $2, $2 \
         FROM import_roster s CROSS JOIN LATERAL unnest(string_to_array(s.paid, ' ')) AS p \
         WHERE s.paid <> '' ON CONFLICT (resident_id, year) DO NOTHING",
    )
    .bind(ContributionStatus::Paid.as_str())
    .bind(now_ms)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let mobiles = sqlx::query(
        "INSERT INTO roster_mobiles (resident_id, mobile, updated_at) \
         SELECT id, mobile, $1 FROM import_roster WHERE mobile <> ''",
    )
    .bind(now_ms)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    Ok(staged_with(
        tx,
        [residents, paid_years, mobiles],
        Vec::new(),
    ))
}

/// `written`: residents, paid years and mobile numbers.
fn staged_with(tx: Transaction<'static, Postgres>, written: [u64; 3], taken: Vec<u64>) -> Staged {
    let [residents, paid_years, mobiles] = written;
    Staged {
        tx: StagedTx::Postgres(tx),
        residents,
        paid_years,
        mobiles,
        taken,
    }
}

/// Streams the rows into `import_roster`; answers how many were sent.
async fn send(
    tx: &mut Transaction<'static, Postgres>,
    rows: impl Iterator<Item = (u64, NewResident)>,
) -> StorageResult<u64> {
    let mut copy = tx
        .copy_in_raw("COPY import_roster FROM STDIN (FORMAT text)")
        .await?;
    let mut buf = String::with_capacity(CHUNK + 4096);
    let mut n = 0;
    let mut ids = ImportIds::new();
    for (line, row) in rows {
        encode(&mut buf, line, ids.next_id(), &row);
        n += 1;
        if buf.len() >= CHUNK {
            if let Err(e) = copy.send(buf.as_bytes()).await {
                let _ = copy.abort(e.to_string()).await;
                return Err(e.into());
            }
            buf.clear();
        }
    }
    if !buf.is_empty() {
        copy.send(buf.as_bytes()).await?;
    }
    copy.finish().await?;
    Ok(n)
}

/// One row in COPY's text format: tab-separated, with `\`, tab and line breaks escaped.
fn encode(buf: &mut String, line: u64, id: Uuid, row: &NewResident) {
    use std::fmt::Write;
    let paid: Vec<String> = row
        .paid
        .iter()
        .map(|(y, m)| format!("{y}:{}", m.to_fen()))
        .collect();
    let _ = write!(buf, "{line}\t{id}\t");
    for field in [
        row.id_number.as_str(),
        row.name.as_str(),
        &row.town,
        &row.village,
    ] {
        escape(buf, field);
        buf.push('\t');
    }
    // A mobile number is digits only (`MobileNumber`), nothing to escape; none is empty.
    let _ = writeln!(
        buf,
        "{}\t{}\t{}\t{}",
        i64::from(row.severely_disabled),
        row.status.as_str(),
        paid.join(" "),
        row.mobile.as_ref().map_or("", |m| m.as_str())
    );
}

fn escape(buf: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => buf.push_str("\\\\"),
            '\t' => buf.push_str("\\t"),
            '\n' => buf.push_str("\\n"),
            '\r' => buf.push_str("\\r"),
            c => buf.push(c),
        }
    }
}

/// Lines whose ID number is already on the roster.
async fn taken(tx: &mut Transaction<'static, Postgres>) -> StorageResult<Vec<u64>> {
    let lines: Vec<i64> = sqlx::query_scalar(
        "SELECT s.line FROM import_roster s JOIN residents r ON r.id_number = s.id_number \
         ORDER BY s.line",
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(lines.into_iter().map(|l| l as u64).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn copy_text_escapes_what_would_split_a_field_or_a_row() {
        let mut buf = String::new();
        super::escape(&mut buf, "a\tb\\c\nd");
        assert_eq!(buf, "a\\tb\\\\c\\nd");
    }
}
