//! Importing the roster CSV, all rows or none (the residents, their paid years and their
//! mobile numbers): rows are read and checked one at a time ([`RowReader`]) and handed
//! straight to the database (`storage::residents::import`: `COPY` on PostgreSQL, batched
//! `INSERT`s on SQLite), all in one transaction that is committed only
//! when no row was bad and no ID number was already on the roster. Every problem is reported
//! with its line, as before the import streamed: bad rows first, and only for a clean file the
//! ID numbers already on the roster.

use std::io::Read;

use crate::roster::rows::{RowError, RowReader};
use crate::roster::seed::NewResident;
use crate::storage::{residents, Db};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{} 行有误，未导入任何数据：\n{}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Rows(Vec<RowError>),
    #[error("数据库错误：{0}")]
    Db(#[from] sqlx::Error),
    #[error("数据库错误：{0}")]
    Storage(#[from] crate::storage::StorageError),
}

/// What an import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    pub residents: u64,
    /// Years the roster says were paid before the app, now in the ledger.
    pub paid_years: u64,
    /// Residents whose mobile number the roster gave (where a claim's code goes).
    pub mobiles: u64,
}

/// Reads the roster CSV from `reader` into `db`. `url` is the database's URL, so that
/// PostgreSQL can be reached through `COPY`; without it every backend gets batched `INSERT`s.
pub async fn import_csv(
    db: &Db,
    url: Option<&str>,
    reader: impl Read,
    today: time::Date,
    region: &str,
    now_ms: i64,
) -> Result<Imported, ImportError> {
    let rows = RowReader::open(reader, today).map_err(|e| ImportError::Rows(vec![e]))?;
    // Good rows go on to the database; bad ones are kept to report, and keep the import
    // from being committed.
    let mut bad = Vec::new();
    let good = rows.filter_map(|row| match row {
        Ok(row) => Some(row),
        Err(e) => {
            bad.push(e);
            None
        }
    });
    let staged = residents::import(db, url, good, region, now_ms).await?;
    let errors = match (bad.is_empty(), staged.taken.is_empty()) {
        (true, true) => None,
        (false, _) => Some(bad),
        (true, false) => Some(taken_errors(&staged.taken)),
    };
    if let Some(errors) = errors {
        staged.rollback().await?;
        return Err(ImportError::Rows(errors));
    }
    let imported = Imported {
        residents: staged.residents,
        paid_years: staged.paid_years,
        mobiles: staged.mobiles,
    };
    staged.commit().await?;
    Ok(imported)
}

/// Inserts `rows` in one transaction: an ID already on the roster fails the whole import.
/// Line numbers count the header as line 1.
pub async fn insert_all(
    db: &Db,
    region: &str,
    rows: &[NewResident],
    now_ms: i64,
) -> Result<usize, ImportError> {
    let numbered = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (i as u64 + 2, r.clone()));
    let staged = residents::import(db, None, numbered, region, now_ms).await?;
    if !staged.taken.is_empty() {
        let taken = taken_errors(&staged.taken);
        staged.rollback().await?;
        return Err(ImportError::Rows(taken));
    }
    staged.commit().await?;
    Ok(rows.len())
}

fn taken_errors(lines: &[u64]) -> Vec<RowError> {
    lines
        .iter()
        .map(|&line| RowError {
            line,
            message: "此身份证号已在名册中".into(),
        })
        .collect()
}
