//! The `create-staff` command against SQLite and PostgreSQL: the password only from the
//! environment, the role's area checked, the account and its audit entry written together.

mod common;

use common::*;

const PASSWORD: &str = "staff-password-1";

/// The command line: the password comes from the named environment variable, never argv.
#[tokio::test]
async fn create_staff_command_reads_the_password_from_the_environment() {
    for store in [Store::Sqlite, Store::Postgres] {
        let Some(url) = fresh_database(store).await else {
            continue;
        };
        let run = |extra: &[&str], password: Option<&str>| {
            let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_yanglao-server"));
            cmd.args([
                "create-staff",
                "--database-url",
                &url,
                "--mobile",
                "13900000041",
            ])
            .args([
                "--password-env",
                "YANGLAO_TEST_STAFF_PASSWORD",
                "--town",
                "龙山街道",
            ])
            .args(extra)
            .env_remove("YANGLAO_TEST_STAFF_PASSWORD");
            if let Some(p) = password {
                cmd.env("YANGLAO_TEST_STAFF_PASSWORD", p);
            }
            cmd.output().unwrap()
        };
        let unset = run(&["--role", "town"], None);
        assert!(!unset.status.success());
        assert!(String::from_utf8_lossy(&unset.stderr).contains("YANGLAO_TEST_STAFF_PASSWORD"));
        assert!(
            !run(&["--role", "village"], Some(PASSWORD)).status.success(),
            "needs --village"
        );
        assert!(!run(&["--role", "town"], Some("short")).status.success());
        let made = run(
            &["--role", "village", "--village", "岛山村"],
            Some(PASSWORD),
        );
        assert!(
            made.status.success(),
            "{}",
            String::from_utf8_lossy(&made.stderr)
        );
        assert!(
            !run(&["--role", "town"], Some(PASSWORD)).status.success(),
            "mobile taken"
        );

        let db = yanglao_server::storage::Db::connect(&url).await.unwrap();
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
        assert_eq!(actors.len(), 1, "failed attempts leave nothing");
        assert!(actors[0].starts_with("cli:"));
        if matches!(store, Store::Postgres) {
            let truncate = sqlx::query("TRUNCATE audit_log").execute(&db.pool).await;
            assert!(truncate.unwrap_err().to_string().contains("append-only"));
        }
        db.pool.close().await;
    }
}
