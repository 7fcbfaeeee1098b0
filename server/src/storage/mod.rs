//! Storage: the database connection, the write transaction, the change counter, and one
//! module per concern holding all of its SQL (the ledger's [`intents`] and [`contributions`],
//! [`payees`], [`methods`], [`residents`], [`accounts`], [`staff`], [`audit`], [`stats`],
//! [`enrolments`], [`back_payments`], [`places`], [`settings`]). Storage returns domain types
//! and [`StorageError`]; it knows nothing of HTTP.
//!
//! One sqlx `AnyPool` over SQLite (the embedded default) or PostgreSQL (chosen by the URL).
//! Each backend owns its migrations (`migrations/sqlite`, `migrations/postgres`); the queries
//! are written once in the SQL both understand (`$1` placeholders, `ON CONFLICT`, `RETURNING`),
//! with integers for money (fen), instants (unix ms) and flags.
//!
//! ## Why `Any`, and what it costs (decided for issue 10, to revisit with the scale work)
//! Kept, on this evidence:
//! - 84 query call sites in 22 files are written once. A storage trait with one implementation
//!   per backend (atuin's model) doubles each of them, and the two copies drift; here the
//!   `schema_tests` check that both backends' migrations have the same tables and columns, and
//!   every server test runs against both.
//! - `FOR UPDATE SKIP LOCKED`, which the charge queue needs, is SQL text: `AnyPool` hands it to
//!   PostgreSQL unchanged (`schema_tests` runs it), and SQLite, with its one writer, needs no
//!   row locks, will run the same query without the clause.
//!
//! What it costs, knowingly:
//! - The schema is text and integers on PostgreSQL too: ids are 36-byte TEXT, not 16-byte
//!   `uuid`; instants are BIGINT unix ms, not `timestamptz`; JSON columns are TEXT, not
//!   `jsonb` (nothing queries inside them today). Indexes on ids are about twice as large.
//! - No compile-time checked `query!` macros (they need one concrete database); the
//!   both-backend tests stand in for them.
//! - `COPY` is not reachable through `AnyConnection`. The million-row roster import needs it:
//!   open a native `PgPool` from the same URL for that one path rather than abandon `Any`.
//!   When more PostgreSQL-only paths than that appear, move to the trait.

use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyConnection, AnyPool, Executor, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

pub mod accounts;
pub mod audit;
pub mod back_payments;
pub mod contributions;
pub mod enrolments;
mod error;
pub mod intents;
pub mod methods;
pub mod payees;
pub mod places;
pub mod residents;
pub mod settings;
pub mod staff;
pub mod stats;

pub use error::{unless_taken, StorageError, StorageResult};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Result<Self, sqlx::Error> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Self::Postgres)
        } else {
            Err(sqlx::Error::Configuration(
                format!("database URL must start with sqlite: or postgres:, got {url}").into(),
            ))
        }
    }

    fn migrator(self) -> &'static Migrator {
        match self {
            Self::Sqlite => &SQLITE_MIGRATIONS,
            Self::Postgres => &POSTGRES_MIGRATIONS,
        }
    }
}

pub type Tx = Transaction<'static, Any>;

/// A write transaction. Write transactions take turns, on both backends: on SQLite through a
/// process-wide lock (SQLite allows one writer, and waiting here is cheaper than retrying
/// `SQLITE_BUSY`), on PostgreSQL through a row lock on the change counter taken first thing.
/// Taking turns makes every check-then-write in the ledger safe without per-query locking and
/// rules out deadlocks; the unique keys stay as the last line of defence.
pub struct WriteTx {
    pub tx: Tx,
    _writer: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl std::ops::Deref for WriteTx {
    type Target = Tx;
    fn deref(&self) -> &Tx {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Tx {
        &mut self.tx
    }
}

#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    writer: Option<Arc<Mutex<()>>>,
}

impl Db {
    /// Connects and brings the schema up to date.
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        install_default_drivers();
        let backend = Backend::of_url(url)?;
        let url = match backend {
            // Create the file on first start: nothing to install, nothing to prepare.
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_owned(),
        };
        if backend == Backend::Sqlite {
            create_parent_dir(&url);
        }
        let options = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10));
        let options = if backend == Backend::Sqlite {
            options.after_connect(|conn, _| {
                Box::pin(async move {
                    // The busy timeout comes first: switching to WAL takes a lock too, and a
                    // connection opened under load must wait for it, not fail. WAL lets
                    // readers work while one writer commits; synchronous=FULL makes every
                    // commit durable; foreign keys are off by default in SQLite.
                    conn.execute(
                        "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                         PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
                    )
                    .await?;
                    Ok(())
                })
            })
        } else {
            options
        };
        let pool = options.connect(&url).await?;
        backend.migrator().run(&pool).await?;
        let writer = (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(())));
        Ok(Self {
            pool,
            backend,
            writer,
        })
    }

    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        let guard = match &self.writer {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT value FROM change_counter WHERE id = 1 FOR UPDATE")
                .execute(&mut *tx)
                .await?;
        }
        Ok(WriteTx { tx, _writer: guard })
    }
}

fn create_parent_dir(url: &str) {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or_default();
    if let Some(parent) = std::path::Path::new(path).parent() {
        if !parent.as_os_str().is_empty() {
            let _ = std::fs::create_dir_all(parent);
        }
    }
}

/// Takes the next change number inside `tx`; rows stamped with it are what a client at an
/// older cursor has not seen. Writers take turns (see [`WriteTx`]), so numbers commit in order
/// and a cursor never skips a change that commits later.
pub async fn next_seq(tx: &mut Tx) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("UPDATE change_counter SET value = value + 1 WHERE id = 1 RETURNING value")
        .fetch_one(&mut **tx)
        .await
}

/// The last change number committed; a pull reads it before the rows it sends.
pub async fn current_seq(conn: &mut AnyConnection) -> StorageResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT value FROM change_counter WHERE id = 1")
            .fetch_one(conn)
            .await?,
    )
}

/// Tables whose rows belong to one account and are removed by a flag, so that a client at an
/// older cursor learns of the removal.
#[derive(Debug, Clone, Copy)]
pub enum Owned {
    Payees,
    Methods,
}

/// Marks an account's row removed; `false` when it is not this account's (or already gone).
pub async fn soft_remove(db: &Db, table: Owned, id: &str, account_id: &str) -> StorageResult<bool> {
    let sql = match table {
        Owned::Payees => {
            "UPDATE payees SET removed = 1, changed_seq = $1 \
                          WHERE id = $2 AND account_id = $3 AND removed = 0"
        }
        Owned::Methods => {
            "UPDATE methods SET removed = 1, changed_seq = $1 \
                           WHERE id = $2 AND account_id = $3 AND removed = 0"
        }
    };
    let mut tx = db.begin_write().await?;
    let seq = next_seq(&mut tx).await?;
    let done = sqlx::query(sql)
        .bind(seq)
        .bind(id)
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    tx.commit().await?;
    Ok(true)
}

#[cfg(test)]
#[path = "schema_tests.rs"]
mod schema_tests;
