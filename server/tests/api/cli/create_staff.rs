//! `create-staff`: the password only from the environment, the role's area checked, the
//! account and its audit entry written together; a failed attempt leaves nothing.

use yanglao_server::storage::Db;

use super::run;
use crate::on_both_databases;
use crate::support::{fresh_database, Store, STAFF_PASSWORD};

on_both_databases!(
    the_password_comes_from_the_named_variable_never_argv,
    a_village_assistant_needs_a_village,
    a_short_password_is_refused,
    the_account_and_its_audit_entry_are_written_together,
    a_taken_mobile_is_refused_and_leaves_nothing,
);

const VARIABLE: &str = "YANGLAO_TEST_STAFF_PASSWORD";

fn create(url: &str, extra: &[&str], password: Option<&str>) -> std::process::Output {
    let mut args = vec![
        "create-staff",
        "--database-url",
        url,
        "--mobile",
        "13900000041",
        "--password-env",
        VARIABLE,
        "--town",
        "龙山街道",
    ];
    args.extend_from_slice(extra);
    run(&args, &[(VARIABLE, password)])
}

/// (staff rows, create_staff audit rows).
async fn written(url: &str) -> (i64, i64) {
    let db = Db::connect(url).await.unwrap();
    let count = |sql: &'static str| {
        let pool = db.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let staff = count("SELECT COUNT(*) FROM staff").await;
    let audited = count("SELECT COUNT(*) FROM audit_log WHERE action = 'create_staff'").await;
    db.pool.close().await;
    (staff, audited)
}

fn made_village_assistant(url: &str) {
    let made = create(
        url,
        &["--role", "village", "--village", "岛山村"],
        Some(STAFF_PASSWORD),
    );
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
}

async fn the_password_comes_from_the_named_variable_never_argv(_: Store, url: &str) {
    let unset = create(url, &["--role", "town"], None);
    assert!(!unset.status.success());
    assert!(String::from_utf8_lossy(&unset.stderr).contains(VARIABLE));
    assert_eq!(written(url).await, (0, 0));
}

async fn a_village_assistant_needs_a_village(_: Store, url: &str) {
    let refused = create(url, &["--role", "village"], Some(STAFF_PASSWORD));
    assert!(!refused.status.success(), "needs --village");
    assert_eq!(written(url).await, (0, 0));
}

async fn a_short_password_is_refused(_: Store, url: &str) {
    assert!(!create(url, &["--role", "town"], Some("short"))
        .status
        .success());
    assert_eq!(written(url).await, (0, 0));
}

async fn the_account_and_its_audit_entry_are_written_together(_: Store, url: &str) {
    made_village_assistant(url);
    let db = Db::connect(url).await.unwrap();
    let (role, village): (String, Option<String>) =
        sqlx::query_as("SELECT role, village FROM staff")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(
        (role.as_str(), village.as_deref()),
        ("village", Some("岛山村"))
    );
    let actors: Vec<String> =
        sqlx::query_scalar("SELECT actor FROM audit_log WHERE action = 'create_staff'")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(actors.len(), 1);
    assert!(actors[0].starts_with("cli:"));
    db.pool.close().await;
}

async fn a_taken_mobile_is_refused_and_leaves_nothing(_: Store, url: &str) {
    made_village_assistant(url);
    assert!(
        !create(url, &["--role", "town"], Some(STAFF_PASSWORD))
            .status
            .success(),
        "mobile taken"
    );
    assert_eq!(written(url).await, (1, 1), "failed attempts leave nothing");
}

/// SQLite has no TRUNCATE; its triggers are tested with DELETE (see `staff::audit`).
#[tokio::test]
async fn the_audit_log_refuses_truncate_on_postgres() {
    let Some(url) = fresh_database(Store::Postgres).await else {
        return;
    };
    made_village_assistant(&url);
    let db = Db::connect(&url).await.unwrap();
    let truncate = sqlx::query("TRUNCATE audit_log").execute(&db.pool).await;
    assert!(truncate.unwrap_err().to_string().contains("append-only"));
    db.pool.close().await;
}
