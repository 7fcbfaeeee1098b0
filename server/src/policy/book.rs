//! The policy book: every version this server knows, and which one is in force for a year on
//! a day. Version 1 is the table built into the release (or the `--policy` file); each
//! published version is read from `policy_versions`.
//!
//! A snapshot of the book is immutable and handed out as `&'static`, so every caller keeps a
//! plain `&Policy`: when a new version appears, a new snapshot replaces the old, which is
//! leaked on purpose (versions are few, one per publication, and a caller may still hold a
//! reference into the old one). Other server processes on the same database see a version
//! within [`REFRESH_EVERY`], and at once wherever an answer depends on it (`GET /policy`, an
//! intent decided by a version this process has not read yet).

use std::sync::RwLock;
use std::time::Duration;

use sqlx::AnyConnection;
use time::{Date, Month};
use yanglao_shared::policy::{PolicyError, PolicyVersion};
use yanglao_shared::window::parse_day;
use yanglao_shared::{Policy, PolicyTable};

use crate::clock::from_ms;
use crate::storage::{policies, Db, StorageResult};

pub const REFRESH_EVERY: Duration = Duration::from_secs(10);

/// A version with its table.
#[derive(Debug, Clone)]
pub struct Version {
    pub meta: PolicyVersion,
    pub table: PolicyTable,
}

#[derive(Debug)]
struct Snapshot {
    /// Version 1 first, then the published ones by number.
    versions: Vec<Version>,
    latest: i64,
}

pub struct PolicyBook {
    now: RwLock<&'static Snapshot>,
}

impl std::fmt::Debug for PolicyBook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolicyBook")
            .field("latest", &self.snap().latest)
            .finish()
    }
}

impl PolicyBook {
    /// A book holding only `builtin`, as version 1 (in force from 1 January of its first year).
    pub fn new(builtin: PolicyTable) -> Self {
        let first = builtin.policies.iter().map(|p| p.from_year).min();
        let effective_from = first
            .and_then(|y| Date::from_calendar_date(y, Month::January, 1).ok())
            .unwrap_or(Date::MIN);
        let meta = PolicyVersion {
            number: 1,
            effective_from,
            published_by: None,
            published_at: None,
            years: builtin.years(),
        };
        let snapshot = Snapshot {
            versions: vec![Version {
                meta,
                table: builtin,
            }],
            latest: 1,
        };
        Self {
            now: RwLock::new(Box::leak(Box::new(snapshot))),
        }
    }

    fn snap(&self) -> &'static Snapshot {
        *self.now.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The version in force on `today` (China) for `region`'s `year`: the newest version in
    /// force by then whose table covers the year, else the built-in one.
    pub fn in_force(
        &self,
        region: &str,
        year: i32,
        today: Date,
    ) -> Result<(&'static PolicyVersion, &'static Policy), PolicyError> {
        let snap = self.snap();
        snap.versions
            .iter()
            .rev()
            .filter(|v| v.meta.effective_from <= today || v.meta.number == 1)
            .find_map(|v| v.table.lookup(region, year).ok().map(|p| (&v.meta, p)))
            .ok_or_else(|| PolicyError::Missing {
                region: region.to_owned(),
                year,
            })
    }

    /// The policy of version `number` for `region`'s `year`, if that version covers it.
    pub fn at_version(
        &self,
        number: u32,
        region: &str,
        year: i32,
    ) -> Option<(&'static PolicyVersion, &'static Policy)> {
        let v = self
            .snap()
            .versions
            .iter()
            .find(|v| v.meta.number == number)?;
        v.table.lookup(region, year).ok().map(|p| (&v.meta, p))
    }

    /// Every version, the built-in one first.
    pub fn versions(&self) -> &'static [Version] {
        &self.snap().versions
    }

    pub fn latest(&self) -> i64 {
        self.snap().latest
    }

    /// Reads versions published since this book last looked (one cheap query when none is).
    /// A stored document this build cannot read is logged and left out.
    pub async fn refresh(&self, db: &Db) -> StorageResult<()> {
        let mut conn = db.pool.acquire().await?;
        self.refresh_on(&mut conn).await
    }

    /// [`Self::refresh`] on a connection the caller holds: inside a transaction, so the caller
    /// never waits for a second connection while it holds one.
    pub async fn refresh_on(&self, conn: &mut AnyConnection) -> StorageResult<()> {
        if policies::latest(&mut *conn).await? <= self.latest() {
            return Ok(());
        }
        let rows = policies::all(conn).await?;
        let old = self.snap();
        let mut versions = vec![old.versions[0].clone()];
        let mut latest = 1;
        for row in rows {
            latest = latest.max(row.version);
            let table = match PolicyTable::from_json(&row.document) {
                Ok(table) => table,
                Err(e) => {
                    tracing::error!(version = row.version, %e, "a stored policy version does not load");
                    continue;
                }
            };
            let (Ok(number), Some(effective_from)) =
                (u32::try_from(row.version), parse_day(&row.effective_from))
            else {
                tracing::error!(
                    version = row.version,
                    "a stored policy version is malformed"
                );
                continue;
            };
            versions.push(Version {
                meta: PolicyVersion {
                    number,
                    effective_from,
                    published_by: Some(row.published_by),
                    published_at: Some(from_ms(row.published_at_ms)),
                    years: row.years,
                },
                table,
            });
        }
        let next: &'static Snapshot = Box::leak(Box::new(Snapshot { versions, latest }));
        let mut now = self.now.write().unwrap_or_else(|e| e.into_inner());
        if now.latest < next.latest {
            *now = next;
        }
        Ok(())
    }
}
