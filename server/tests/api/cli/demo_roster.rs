//! `demo-roster`, which the README's main command runs: a second run changes nothing, the
//! demo staff exist for the area it prints, and the past years it prints as unpaid (to try
//! 补缴 with) are indeed unpaid for that person.

use sqlx::Row;

use super::run;
use crate::on_both_databases;
use crate::support::Store;

on_both_databases!(
    a_second_run_changes_nothing,
    the_demo_staff_are_made_for_the_area_it_prints,
    the_years_it_prints_as_unpaid_are_unpaid,
);

fn demo_roster(url: &str) -> String {
    let out = run(
        &["demo-roster", "--database-url", url, "--year", "2027"],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

async fn pool(url: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::AnyPool::connect(url).await.unwrap()
}

async fn count(pool: &sqlx::AnyPool, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn a_second_run_changes_nothing(_: Store, url: &str) {
    demo_roster(url);
    let second = demo_roster(url);
    assert!(second.contains("already there"), "{second}");
    let pool = pool(url).await;
    assert_eq!(
        count(&pool, "SELECT COUNT(*) FROM accounts").await,
        3,
        "demo + 2 staff, once"
    );
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM staff").await, 2);
    pool.close().await;
}

/// "village assistant 13900000001 (town village), town center 13900000002 (town)"
async fn the_demo_staff_are_made_for_the_area_it_prints(_: Store, url: &str) {
    let printed = demo_roster(url);
    let line = printed
        .lines()
        .find(|l| l.starts_with("demo staff"))
        .unwrap();
    let area = line.split_once("13900000001 (").unwrap().1;
    let area = area.split_once(')').unwrap().0;
    let (town, village) = area.split_once(' ').unwrap();
    let pool = pool(url).await;
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
    pool.close().await;
}

/// "  name  id  （age）  town/village  往年未缴 2019,2021"
async fn the_years_it_prints_as_unpaid_are_unpaid(_: Store, url: &str) {
    let printed = demo_roster(url);
    let pool = pool(url).await;
    let mut checked = 0;
    for line in printed.lines().filter(|l| l.contains("往年未缴")) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let id_number = fields[1];
        for year in fields.last().unwrap().split(',') {
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
    assert!(checked > 0, "someone has a year to back-pay: {printed}");
    pool.close().await;
}
