//! The roster import at size, as `import-roster` runs it (`COPY` on PostgreSQL, batched
//! inserts on SQLite): thousands of people and their paid years in one go; the same file
//! again writes nothing and names every line; one bad row at the end of a big file writes
//! nothing either, and a bad row is reported before an ID already on the roster.

use time::macros::date;
use yanglao_server::roster::import::{import_csv, ImportError, Imported};
use yanglao_server::roster::rows::write_rows;
use yanglao_server::roster::seed;
use yanglao_server::storage::Db;

use crate::on_both_databases;
use crate::support::Store;

on_both_databases!(
    a_big_roster_goes_in_whole_and_a_second_time_changes_nothing,
    one_bad_row_at_the_end_of_a_big_file_writes_nothing,
);

const TODAY: time::Date = date!(2026 - 03 - 01);
const PEOPLE: usize = 5000;

fn roster_csv(size: usize) -> Vec<u8> {
    let mut csv = Vec::new();
    write_rows(&mut csv, seed::big(size, 2026)).unwrap();
    csv
}

async fn import(db: &Db, url: &str, csv: &[u8]) -> Result<Imported, ImportError> {
    import_csv(db, Some(url), csv, TODAY, "371003", 0).await
}

async fn counts(db: &Db) -> (i64, i64) {
    let count = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(&db.pool)
            .await
            .unwrap()
    };
    (
        count("SELECT COUNT(*) FROM residents").await,
        count("SELECT COUNT(*) FROM contributions").await,
    )
}

fn lines_and_messages(err: ImportError) -> Vec<(u64, String)> {
    match err {
        ImportError::Rows(rows) => rows.into_iter().map(|r| (r.line, r.message)).collect(),
        other => panic!("{other}"),
    }
}

async fn a_big_roster_goes_in_whole_and_a_second_time_changes_nothing(_: Store, url: &str) {
    let db = Db::connect(url).await.unwrap();
    let csv = roster_csv(PEOPLE);
    let paid: usize = seed::big(PEOPLE, 2026).map(|r| r.paid.len()).sum();
    let done = import(&db, url, &csv).await.unwrap();
    assert_eq!(done.residents, PEOPLE as u64);
    assert_eq!(done.paid_years, paid as u64);
    assert_eq!(counts(&db).await, (PEOPLE as i64, paid as i64));
    let paid_fen: i64 = sqlx::query_scalar(
        "SELECT CAST(SUM(amount_fen) AS BIGINT) FROM contributions WHERE state = 'paid'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let expected: i64 = seed::big(PEOPLE, 2026)
        .flat_map(|r| r.paid.into_iter().map(|(_, m)| m.to_fen()))
        .sum();
    assert_eq!(paid_fen, expected, "every paid year with its amount");

    let again = lines_and_messages(import(&db, url, &csv).await.unwrap_err());
    assert_eq!(again.len(), PEOPLE, "every line is named");
    assert_eq!(again[0], (2, "此身份证号已在名册中".to_owned()));
    assert_eq!(again[PEOPLE - 1].0, PEOPLE as u64 + 1);
    assert_eq!(counts(&db).await, (PEOPLE as i64, paid as i64));
    db.pool.close().await;
}

async fn one_bad_row_at_the_end_of_a_big_file_writes_nothing(_: Store, url: &str) {
    let db = Db::connect(url).await.unwrap();
    // A small roster already there: its people again, in a file that is also bad, are not
    // reported (the bad rows are, first), and nothing of the file is written.
    let first = roster_csv(10);
    import(&db, url, &first).await.unwrap();
    let before = counts(&db).await;
    let mut csv = roster_csv(PEOPLE);
    let second_line = String::from_utf8(csv.clone())
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .to_owned();
    csv.extend_from_slice(format!("{second_line}\n").as_bytes());
    csv.extend_from_slice("12345,王明,龙山街道,岛山村,否,enrolled,\n".as_bytes());
    let errors = lines_and_messages(import(&db, url, &csv).await.unwrap_err());
    let last = PEOPLE as u64 + 1;
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0].0, last + 1);
    assert_eq!(errors[0].1, "身份证号与第2行重复");
    assert_eq!(errors[1].0, last + 2);
    assert!(errors[1].1.starts_with("身份证号"), "{}", errors[1].1);
    assert_eq!(counts(&db).await, before, "nothing half-imported");
    db.pool.close().await;
}
