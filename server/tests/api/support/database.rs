//! Fresh databases: a new SQLite file, or a new database in the PostgreSQL server named by
//! `YANGLAO_TEST_PG_URL`. Without that variable PostgreSQL tests are skipped, unless
//! `YANGLAO_REQUIRE_PG` is set, which makes a missing PostgreSQL an error.
//!
//! Migrating and seeding every test's database from nothing is most of a test's time, so the
//! first test of a run builds one template per store (the server's own migrations, then the
//! [`super::roster::village`] roster) and every other test starts from a copy of it: a file
//! copy for SQLite, `CREATE DATABASE … TEMPLATE` for PostgreSQL. The template also holds the
//! resident accounts of [`DIRECTORY`], registered once through the API, since Argon2 is most
//! of a registration's time. Each test still owns its database; `Db::connect` still runs the
//! migrations (and finds them applied).

use std::collections::HashMap;
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

/// The resident accounts every test's database starts with (see `TestApp::account`): the
/// mobiles the tests use for residents, and the twenty payers who race for one person-year.
/// Staff mobiles (1390000xxxx) are not here: staff are made by each test that needs them.
pub const DIRECTORY: &[&str] = &[
    "13700000001",
    "13700000002",
    "13700000003",
    "13700000004",
    "13700000005",
    "13700000006",
    "13700000007",
    "13800000001",
    "13800000002",
    "13800000003",
    "13800000004",
    "13800000005",
    "13800000006",
    "13800000007",
    "13800000008",
    "13800000011",
    "13800000012",
    "13800000021",
    "13800000022",
    "13800000031",
    "13800000032",
    "13800000041",
    "13800000051",
    "13800000061",
    "13800000062",
    "13800000091",
    "13800000092",
];

/// How many racing payers every template registers: the fifty of the two-server race.
pub const RACERS: usize = 50;

/// The mobile of the `i`th of the [`RACERS`] racing payers, all in the template.
pub fn racer(i: usize) -> String {
    format!("1360000{i:04}")
}

/// Migrates the database at `url`, seeds the village roster and registers the directory's
/// accounts through a server of its own, then lets go of it. Answers each account's token.
async fn prepare(url: &str, store: Store) -> HashMap<String, String> {
    let db = Db::connect(url).await.expect("template database");
    let now_ms = (IN_WINDOW.unix_timestamp_nanos() / 1_000_000) as i64;
    seed::insert_all(&db, "371003", &roster::village(), now_ms)
        .await
        .expect("roster");
    let (server, _, _) = super::start_server(db.clone()).await;
    let api = super::Client::new(&server.url());
    let mobiles = DIRECTORY
        .iter()
        .map(|m| m.to_string())
        .chain((0..RACERS).map(racer));
    let registered = futures::future::join_all(mobiles.map(|mobile| {
        let api = &api;
        async move {
            let credentials = super::credentials(&mobile, super::PASSWORD);
            let (_, session) = api.register(&credentials).await.expect("registers");
            (mobile, session.token)
        }
    }))
    .await;
    server.stop().await;
    if let Store::Sqlite = store {
        // Everything into the main file, so a copy of it is the whole database.
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&db.pool)
            .await
            .unwrap();
    }
    db.pool.close().await;
    registered.into_iter().collect()
}

type Accounts = HashMap<String, String>;
static SQLITE_TEMPLATE: OnceCell<(PathBuf, Accounts)> = OnceCell::const_new();
static PG_TEMPLATE: OnceCell<(String, Accounts)> = OnceCell::const_new();

/// The URL of a fresh database of `store`, migrated, with the village roster and the
/// directory's accounts, and those accounts' tokens.
pub async fn with_village(store: Store) -> Option<(String, &'static Accounts)> {
    match store {
        Store::Sqlite => {
            let (template, accounts) = SQLITE_TEMPLATE
                .get_or_init(|| async {
                    let path = sqlite_file("template");
                    let accounts = prepare(&sqlite_url(&path), store).await;
                    (path, accounts)
                })
                .await;
            let path = sqlite_file("test");
            std::fs::copy(template, &path).unwrap();
            Some((sqlite_url(&path), accounts))
        }
        Store::Postgres => {
            let admin = pg_admin_url()?;
            let (template, accounts) = PG_TEMPLATE
                .get_or_init(|| async {
                    let name = format!("template_{}", Uuid::new_v4().simple());
                    let accounts = prepare(&create_pg(&admin, &name, None).await, store).await;
                    (name, accounts)
                })
                .await;
            let name = format!("t_{}", Uuid::new_v4().simple());
            Some((create_pg(&admin, &name, Some(template)).await, accounts))
        }
    }
}
