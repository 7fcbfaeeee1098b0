//! The `policy_versions` table, append-only (triggers in migration 0011): the policy tables
//! administrators published, each with its number, region, first day in force and publisher.
//! Validating a document and deciding which version is in force is `crate::policy`'s job;
//! this module only stores and reads rows.

use sqlx::{AnyConnection, Row};

use crate::storage::{StorageError, StorageResult};

/// One published version as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVersion {
    pub version: i64,
    pub region_code: String,
    /// `YYYY-MM-DD`, China Standard Time.
    pub effective_from: String,
    pub years: String,
    pub document: String,
    pub published_by: String,
    pub published_at_ms: i64,
}

/// The highest version number stored (1, the built-in table, when none is).
pub async fn latest(conn: &mut AnyConnection) -> StorageResult<i64> {
    let row = sqlx::query("SELECT COALESCE(MAX(version), 1) AS v FROM policy_versions")
        .fetch_one(conn)
        .await?;
    Ok(row.try_get::<i64, _>("v")?)
}

/// Every stored version, oldest first.
pub async fn all(conn: &mut AnyConnection) -> StorageResult<Vec<StoredVersion>> {
    let rows = sqlx::query(
        "SELECT version, region_code, effective_from, years, document, published_by, \
         published_at FROM policy_versions ORDER BY version",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(StoredVersion {
                version: r.try_get("version")?,
                region_code: r.try_get("region_code")?,
                effective_from: r.try_get("effective_from")?,
                years: r.try_get("years")?,
                document: r.try_get("document")?,
                published_by: r.try_get("published_by")?,
                published_at_ms: r.try_get("published_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StorageError::from)
}

/// Stores `v` under the next number inside the caller's transaction (which has serialized
/// publishers first) and returns the number.
pub async fn insert_next(conn: &mut AnyConnection, v: &StoredVersion) -> StorageResult<i64> {
    let next = latest(&mut *conn).await? + 1;
    sqlx::query(
        "INSERT INTO policy_versions (version, region_code, effective_from, years, document, \
         published_by, published_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(next)
    .bind(&v.region_code)
    .bind(&v.effective_from)
    .bind(&v.years)
    .bind(&v.document)
    .bind(&v.published_by)
    .bind(v.published_at_ms)
    .execute(conn)
    .await?;
    Ok(next)
}
