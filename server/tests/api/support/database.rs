//! Fresh databases: a new SQLite file, or a new database in the PostgreSQL server named by
//! `YANGLAO_TEST_PG_URL`. Without that variable PostgreSQL tests are skipped, unless
//! `YANGLAO_REQUIRE_PG` is set, which makes a missing PostgreSQL an error.
//!
//! Migrating and seeding every test's database from nothing is most of a test's time, so the
//! first test of a run builds one template per store (the server's own migrations, then the
//! [`super::roster::village`] roster) and every other test starts from a copy of it: a file
//! copy for SQLite, `CREATE DATABASE … TEMPLATE` for PostgreSQL. Each test still owns its
//! database; `Db::connect` still runs the migrations (and finds them applied).

use std::path::PathBuf;

use tokio::sync::OnceCell;
use uuid::Uuid;
use yanglao_server::roster::seed;
use yanglao_server::storage::Db;

use super::{roster, IN_WINDOW};

#[derive(Debug, Clone, Copy)]
pub enum Store {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server's admin URL, or `None` (a skip) when none is configured.
fn pg_admin_url() -> Option<String> {
    let Ok(admin) = std::env::var("YANGLAO_TEST_PG_URL") else {
        assert!(
            std::env::var("YANGLAO_REQUIRE_PG").is_err(),
            "YANGLAO_REQUIRE_PG is set but YANGLAO_TEST_PG_URL is not"
        );
        eprintln!("skipping PostgreSQL: YANGLAO_TEST_PG_URL is not set (scripts/test.sh sets it)");
        return None;
    };
    Some(admin)
}

fn sqlite_file(kind: &str) -> PathBuf {
    std::env::temp_dir().join(format!("yanglao-{kind}-{}.db", Uuid::new_v4()))
}

fn sqlite_url(path: &std::path::Path) -> String {
    format!("sqlite://{}", path.display())
}

/// Creates database `name` (from `template`, if given) and returns its URL.
async fn create_pg(admin: &str, name: &str, template: Option<&str>) -> String {
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(admin)
        .await
        .unwrap();
    let sql = match template {
        Some(template) => format!("CREATE DATABASE {name} TEMPLATE {template}"),
        None => format!("CREATE DATABASE {name}"),
    };
    sqlx::Executor::execute(&mut conn, sql.as_str())
        .await
        .unwrap();
    sqlx::Connection::close(conn).await.unwrap();
    let base = admin.rsplit_once('/').unwrap().0;
    format!("{base}/{name}")
}

/// The URL of a fresh, empty database of `store`; `None` when PostgreSQL is not configured
/// (and not required), so `cargo test` alone still runs everything else.
pub async fn fresh_database(store: Store) -> Option<String> {
    match store {
        Store::Sqlite => Some(sqlite_url(&sqlite_file("test"))),
        Store::Postgres => {
            let admin = pg_admin_url()?;
            let name = format!("t_{}", Uuid::new_v4().simple());
            Some(create_pg(&admin, &name, None).await)
        }
    }
}

/// Migrates the database at `url` and seeds the village roster, then lets go of it.
async fn prepare(url: &str, store: Store) {
    let db = Db::connect(url).await.expect("template database");
    let now_ms = (IN_WINDOW.unix_timestamp_nanos() / 1_000_000) as i64;
    seed::insert_all(&db, "371003", &roster::village(), now_ms)
        .await
        .expect("roster");
    if let Store::Sqlite = store {
        // Everything into the main file, so a copy of it is the whole database.
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&db.pool)
            .await
            .unwrap();
    }
    db.pool.close().await;
}

static SQLITE_TEMPLATE: OnceCell<PathBuf> = OnceCell::const_new();
static PG_TEMPLATE: OnceCell<String> = OnceCell::const_new();

/// The URL of a fresh database of `store`, migrated, with the village roster.
pub async fn with_village(store: Store) -> Option<String> {
    match store {
        Store::Sqlite => {
            let template = SQLITE_TEMPLATE
                .get_or_init(|| async {
                    let path = sqlite_file("template");
                    prepare(&sqlite_url(&path), store).await;
                    path
                })
                .await;
            let path = sqlite_file("test");
            std::fs::copy(template, &path).unwrap();
            Some(sqlite_url(&path))
        }
        Store::Postgres => {
            let admin = pg_admin_url()?;
            let template = PG_TEMPLATE
                .get_or_init(|| async {
                    let name = format!("template_{}", Uuid::new_v4().simple());
                    prepare(&create_pg(&admin, &name, None).await, store).await;
                    name
                })
                .await;
            let name = format!("t_{}", Uuid::new_v4().simple());
            Some(create_pg(&admin, &name, Some(template)).await)
        }
    }
}
