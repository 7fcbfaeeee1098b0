//! The `demo-roster` command the README's main command runs, against SQLite and PostgreSQL: a
//! second run changes nothing, the demo staff exist for the area it prints, and the past years
//! it prints as unpaid (to try 补缴 with) are indeed unpaid for that person.

mod common;

use common::*;
use sqlx::Row;

fn run(url: &str) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yanglao-server"))
        .args(["demo-roster", "--database-url", url, "--year", "2027"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn demo_roster_is_idempotent_and_tells_the_truth() {
    for store in [Store::Sqlite, Store::Postgres] {
        let Some(url) = fresh_database(store).await else {
            continue;
        };
        let first = run(&url);
        let second = run(&url);
        assert!(second.contains("already there"), "{second}");
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&url).await.unwrap();
        let count = |sql: &'static str| {
            let pool = pool.clone();
            async move {
                sqlx::query_scalar::<_, i64>(sql)
                    .fetch_one(&pool)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(
            count("SELECT COUNT(*) FROM accounts").await,
            3,
            "demo + 2 staff, once"
        );
        assert_eq!(count("SELECT COUNT(*) FROM staff").await, 2);

        // "village assistant 13900000001 (town village), town center 13900000002 (town)"
        let line = first.lines().find(|l| l.starts_with("demo staff")).unwrap();
        let area = line.split_once("13900000001 (").unwrap().1;
        let area = area.split_once(')').unwrap().0;
        let (town, village) = area.split_once(' ').unwrap();
        let rows = sqlx::query("SELECT role, town, village FROM staff ORDER BY role DESC")
            .fetch_all(&pool)
            .await
            .unwrap();
        let roles: Vec<(String, String, Option<String>)> = rows
            .iter()
            .map(|r| (r.get("role"), r.get("town"), r.get("village")))
            .collect();
        assert_eq!(
            roles,
            [
                ("village".into(), town.into(), Some(village.into())),
                ("town".into(), town.into(), None),
            ]
        );

        // "  name  id  （age）  town/village  往年未缴 2019,2021"
        let mut checked = 0;
        for line in first.lines().filter(|l| l.contains("往年未缴")) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let id_number = fields[1];
            let years = fields.last().unwrap().split(',');
            for year in years {
                let paid: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM contributions c JOIN residents r ON r.id = c.resident_id \
                     WHERE r.id_number = $1 AND c.year = $2",
                )
                .bind(id_number)
                .bind(year.parse::<i64>().unwrap())
                .fetch_one(&pool)
                .await
                .unwrap();
                assert_eq!(paid, 0, "{id_number} {year}");
                checked += 1;
            }
        }
        assert!(checked > 0, "someone has a year to back-pay: {first}");
        pool.close().await;
    }
}
