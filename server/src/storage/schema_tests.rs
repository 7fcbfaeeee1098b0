//! The two backends' migrations describe one schema, and both databases refuse a state move
//! the ledger's machines forbid. PostgreSQL is the server named by `YANGLAO_TEST_PG_URL` (the
//! README's test command starts one); without it only SQLite runs, unless `YANGLAO_REQUIRE_PG`.

use std::collections::BTreeSet;

use sqlx::Row;
use uuid::Uuid;

use super::{Backend, Db};

async fn fresh(backend: Backend) -> Option<Db> {
    let url = match backend {
        Backend::Sqlite => {
            let path = std::env::temp_dir().join(format!("yanglao-schema-{}.db", Uuid::new_v4()));
            format!("sqlite://{}", path.display())
        }
        Backend::Postgres => {
            let Ok(admin) = std::env::var("YANGLAO_TEST_PG_URL") else {
                assert!(
                    std::env::var("YANGLAO_REQUIRE_PG").is_err(),
                    "YANGLAO_REQUIRE_PG is set but YANGLAO_TEST_PG_URL is not"
                );
                return None;
            };
            sqlx::any::install_default_drivers();
            let name = format!("s_{}", Uuid::new_v4().simple());
            let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
                .await
                .unwrap();
            sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
                .await
                .unwrap();
            format!("{}/{name}", admin.rsplit_once('/').unwrap().0)
        }
    };
    Some(Db::connect(&url).await.unwrap())
}

async fn columns(db: &Db) -> BTreeSet<(String, String)> {
    let sql = match db.backend {
        Backend::Sqlite => {
            "SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'"
        }
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) AS t, CAST(column_name AS TEXT) AS c \
             FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'"
        }
    };
    sqlx::query(sql)
        .fetch_all(&db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<String, _>("t"), r.get::<String, _>("c")))
        .collect()
}

#[tokio::test]
async fn both_backends_have_the_same_tables_and_columns() {
    let sqlite = columns(&fresh(Backend::Sqlite).await.unwrap()).await;
    assert!(sqlite.contains(&("intents".into(), "state".into())));
    let Some(pg) = fresh(Backend::Postgres).await else {
        return;
    };
    let pg = columns(&pg).await;
    assert_eq!(
        sqlite.symmetric_difference(&pg).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "columns only one backend has"
    );
}

/// An account, a resident, one intent in `state` and its person-year in `contribution`.
async fn one_intent(db: &Db, state: &str, contribution: &str) {
    for sql in [
        "INSERT INTO residents (id, id_number, name, town, village, region_code, \
         severely_disabled, status, created_at) VALUES ('r', '1', 'n', 't', 'v', '371003', 0, \
         'enrolled', 0)",
        "INSERT INTO accounts (id, mobile, password_hash, created_at) VALUES ('a', 'm', 'h', 0)",
    ] {
        sqlx::query(sql).execute(&db.pool).await.unwrap();
    }
    sqlx::query(
        "INSERT INTO intents (id, account_id, payee_id, resident_id, year, tier_fen, \
         prepared_at, received_at, state, changed_seq, updated_at) \
         VALUES ('i', 'a', 'p', 'r', 2026, 50000, '', 0, $1, 0, 0)",
    )
    .bind(state)
    .execute(&db.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO contributions (resident_id, year, amount_fen, state, intent_id, created_at) \
         VALUES ('r', 2026, 50000, $1, 'i', 0)",
    )
    .bind(contribution)
    .execute(&db.pool)
    .await
    .unwrap();
}

async fn set_intent(db: &Db, to: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE intents SET state = $1 WHERE id = 'i'")
        .bind(to)
        .execute(&db.pool)
        .await
        .map(|_| ())
}

#[tokio::test]
async fn the_database_refuses_the_moves_the_ledger_forbids() {
    use crate::payments::states::{ContributionStatus, IntentStatus};
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(db) = fresh(backend).await else {
            continue;
        };
        let (paid, charging) = (IntentStatus::Paid.as_str(), IntentStatus::Charging.as_str());
        one_intent(&db, charging, ContributionStatus::Charging.as_str()).await;
        // charging → waiting is no edge; charging → paid is.
        assert!(
            set_intent(&db, IntentStatus::Waiting.as_str())
                .await
                .is_err(),
            "{backend:?}"
        );
        set_intent(&db, paid).await.unwrap();
        // paid is final.
        assert!(
            set_intent(&db, IntentStatus::Failed.as_str())
                .await
                .is_err(),
            "{backend:?}"
        );
        // A paid person-year never changes nor disappears; a charging one may be released.
        sqlx::query("UPDATE contributions SET state = $1")
            .bind(ContributionStatus::Paid.as_str())
            .execute(&db.pool)
            .await
            .unwrap();
        let change = sqlx::query("UPDATE contributions SET amount_fen = 1").execute(&db.pool);
        assert!(change.await.is_err(), "{backend:?}");
        let delete = sqlx::query("DELETE FROM contributions").execute(&db.pool);
        assert!(delete.await.is_err(), "{backend:?}");
    }
}

/// The charge queue's claim query goes through `AnyPool` to PostgreSQL unchanged.
#[tokio::test]
async fn skip_locked_passes_through_the_any_pool_to_postgres() {
    let Some(db) = fresh(Backend::Postgres).await else {
        return;
    };
    let mut holder = db.pool.begin().await.unwrap();
    one_intent(&db, "charging", "charging").await;
    let claim = "SELECT id FROM intents WHERE state = $1 FOR UPDATE SKIP LOCKED";
    let first: Vec<String> = sqlx::query_scalar(claim)
        .bind("charging")
        .fetch_all(&mut *holder)
        .await
        .unwrap();
    assert_eq!(first, vec!["i".to_owned()]);
    // A second claimer skips the row the first holds instead of waiting for it.
    let second: Vec<String> = sqlx::query_scalar(claim)
        .bind("charging")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    assert!(second.is_empty());
    holder.rollback().await.unwrap();
}
