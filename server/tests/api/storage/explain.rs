//! Every query a sync runs is planned on an index. The test fills a PostgreSQL database with a
//! realistic volume (20,000 residents through the roster import, their paid years, 5,000
//! accounts with sessions and cards, 15,000 payees and intents, 5,000 charges waiting in the
//! queue), `ANALYZE`s it, and records the SQL of every statement the server runs (sqlx's own
//! `sqlx::query` events, from this test's threads only) while a payer pushes a person and a
//! payment, the bank settles it, the phone retries the same push and pulls, and the charge
//! workers' rounds run beside it. Each distinct statement is then planned: on PostgreSQL
//! generically (`PREPARE`, then `EXPLAIN EXECUTE` under `plan_cache_mode =
//! force_generic_plan`), on SQLite with `EXPLAIN QUERY PLAN` (the few statements in
//! PostgreSQL's own SQL are left out there). Nothing may read a whole table, except tables of
//! one row (the change counter, settings): no plan may (one exception, [`CUSTOM_PLANNED`]),
//! and PostgreSQL's `pg_stat_user_tables` may count no whole-table read while the syncs ran.
//! Run it with `--nocapture` to see the plans; `server/src/storage/indexes.md` keeps them.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread::ThreadId;
use std::time::Duration;

use sqlx::{Connection, Row};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;
use yanglao_server::gateway::sandbox::test_cards;
use yanglao_server::roster::{import, rows, seed};
use yanglao_server::storage::Db;
use yanglao_shared::wire::{IntentState, SyncRequest, WIRE_VERSION};

use crate::support::*;

/// Tables of one row, or a few written by hand: reading them whole is their index.
/// `policy_versions` gets one row per table an administrator publishes (a few a year); a sync
/// asks for its newest number, and an empty or tiny table is read whole by any plan.
const SMALL: &[&str] = &[
    "change_counter",
    "settings",
    "_sqlx_migrations",
    "policy_versions",
];

/// Statements whose generic plan reads a table whole only because it guesses `LIMIT $n` at a
/// tenth of the rows; PostgreSQL keeps their far cheaper custom plans (an index; both plans
/// are in `indexes.md`), and the `pg_stat_user_tables` count below checks what it did.
const CUSTOM_PLANNED: &[&str] = &["ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED"];

static CAPTURING: AtomicBool = AtomicBool::new(false);
static THREADS: Mutex<Vec<ThreadId>> = Mutex::new(Vec::new());
static STATEMENTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Keeps the SQL of each `sqlx::query` event from a thread of this test's runtime.
struct Capture;

#[derive(Default)]
struct Sql {
    summary: String,
    statement: String,
}

impl tracing::field::Visit for Sql {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        match field.name() {
            "summary" => self.summary = value.to_owned(),
            "db.statement" => self.statement = value.to_owned(),
            _ => {}
        }
    }
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.record_str(field, format!("{value:?}").trim_matches('"'));
    }
}

impl<S: tracing::Subscriber> Layer<S> for Capture {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() != "sqlx::query" || !CAPTURING.load(Ordering::SeqCst) {
            return;
        }
        if !THREADS
            .lock()
            .unwrap()
            .contains(&std::thread::current().id())
        {
            return;
        }
        let mut sql = Sql::default();
        event.record(&mut sql);
        // sqlx puts a statement longer than its summary (four words) in `db.statement`.
        let text = match sql.statement.trim() {
            "" => sql.summary,
            full => full.to_owned(),
        };
        STATEMENTS.lock().unwrap().push(text);
    }
}

fn install_capture() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let only_sqlx = tracing_subscriber::filter::filter_fn(|m| m.target() == "sqlx::query");
        let subscriber = tracing_subscriber::registry().with(Capture.with_filter(only_sqlx));
        tracing::subscriber::set_global_default(subscriber)
            .expect("no other global tracing subscriber in the test binary");
    });
}

fn note_thread() {
    THREADS.lock().unwrap().push(std::thread::current().id());
}

#[test]
fn every_query_a_sync_runs_is_planned_on_an_index() {
    install_capture();
    note_thread();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .on_thread_start(note_thread)
        .build()
        .unwrap();
    runtime.block_on(async {
        let Some((url, accounts)) = database::with_village(Store::Postgres).await else {
            return;
        };
        let db = Db::connect(&url).await.unwrap();
        fill(&db, &url).await;
        db.pool.close().await;
        let before = seq_scans(&url).await;
        let db = Db::connect(&url).await.unwrap();
        let statements = statements_of_a_sync(db, accounts).await;
        let after = seq_scans(&url).await;
        assert!(statements.len() >= 10, "captured {statements:?}");
        let mut pg = sqlx::PgConnection::connect(&url).await.unwrap();
        let sqlite_url = database::with_village(Store::Sqlite).await.unwrap().0;
        let sqlite = Db::connect(&sqlite_url).await.unwrap();
        let mut lite = sqlite.pool.acquire().await.unwrap();
        let (mut generic, mut lite_scans) = (Vec::new(), Vec::new());
        for (n, sql) in statements.iter().enumerate() {
            let plan = postgres_plan(&mut pg, n, sql).await;
            let lite_plan = sqlite_plan(&mut lite, sql).await;
            println!("```sql\n{sql}\n```\n```text\n{plan}\n```\nSQLite: {lite_plan}\n");
            generic.extend(
                whole_reads(&plan, "Seq Scan on ")
                    .into_iter()
                    .map(|t| (t, sql)),
            );
            lite_scans.extend(
                whole_reads(&lite_plan, "SCAN ")
                    .into_iter()
                    .map(|t| (t, sql)),
            );
        }
        let generic: Vec<String> = generic
            .into_iter()
            .filter(|(_, sql)| !CUSTOM_PLANNED.iter().any(|mark| sql.contains(mark)))
            .map(|(table, sql)| format!("{table}: {sql}"))
            .collect();
        assert!(
            generic.is_empty(),
            "PostgreSQL scans:\n{}",
            generic.join("\n")
        );
        // And what PostgreSQL did with the real values, by its own count (foreign-key checks
        // and triggers included, which no recording shows).
        let read_whole: Vec<&String> = after
            .iter()
            .filter(|(table, n)| **n > before.get(*table).copied().unwrap_or(0))
            .filter(|(table, _)| !SMALL.contains(&table.as_str()))
            .map(|(table, _)| table)
            .collect();
        assert!(
            read_whole.is_empty(),
            "PostgreSQL read whole: {read_whole:?}"
        );
        let lite_scans: Vec<String> = lite_scans
            .into_iter()
            .map(|(table, sql)| format!("{table}: {sql}"))
            .collect();
        assert!(
            lite_scans.is_empty(),
            "SQLite scans:\n{}",
            lite_scans.join("\n")
        );
    });
}

/// Each table's count of whole-table reads (`pg_stat_user_tables.seq_scan`), once the
/// server's connections have closed and their counts have reached the statistics.
async fn seq_scans(url: &str) -> HashMap<String, i64> {
    let mut last = HashMap::new();
    for round in 0..30 {
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        let rows = sqlx::query("SELECT relname, seq_scan FROM pg_stat_user_tables")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        let now: HashMap<String, i64> = rows
            .iter()
            .map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1)))
            .collect();
        if round >= 2 && now == last {
            return now;
        }
        last = now;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    last
}

/// Tables a plan reads whole (`marker` then the table's name), small ones aside.
fn whole_reads(plan: &str, marker: &str) -> Vec<String> {
    let name_at = |at: usize| -> String {
        plan[at..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    // A statement's own VALUES list is no table: SQLite scans it as a CONSTANT ROW, or as the
    // subquery it materialises (`MATERIALIZE v`, then `SCAN v`).
    let lists: Vec<String> = plan
        .match_indices("MATERIALIZE ")
        .map(|(at, m)| name_at(at + m.len()))
        .chain(["CONSTANT".to_owned()])
        .collect();
    plan.match_indices(marker)
        .map(|(at, _)| name_at(at + marker.len()))
        .filter(|table| !SMALL.contains(&table.as_str()) && !lists.contains(table))
        .collect()
}

/// The highest `$n` in `sql`.
fn parameters(sql: &str) -> usize {
    let mut max = 0;
    for (at, _) in sql.match_indices('$') {
        let digits: String = sql[at + 1..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        max = max.max(digits.parse().unwrap_or(0));
    }
    max
}

async fn postgres_plan(pg: &mut sqlx::PgConnection, n: usize, sql: &str) -> String {
    let nulls = vec!["NULL"; parameters(sql)].join(", ");
    let execute = match nulls.is_empty() {
        true => format!("EXPLAIN EXECUTE q{n}"),
        false => format!("EXPLAIN EXECUTE q{n}({nulls})"),
    };
    sqlx::raw_sql("SET plan_cache_mode = force_generic_plan")
        .execute(&mut *pg)
        .await
        .unwrap();
    let prepare = format!("PREPARE q{n} AS {sql}");
    if let Err(e) = sqlx::raw_sql(&prepare).execute(&mut *pg).await {
        panic!("{e}: {sql}");
    }
    let rows = sqlx::raw_sql(&execute).fetch_all(&mut *pg).await.unwrap();
    rows.iter()
        .map(|r| r.get::<String, _>(0))
        .collect::<Vec<_>>()
        .join("\n")
}

async fn sqlite_plan(conn: &mut sqlx::AnyConnection, sql: &str) -> String {
    // A row lock is PostgreSQL's; SQLite's one writer needs none (the server leaves it out).
    let sql = sql.replace(" FOR UPDATE", "");
    let explain = format!("EXPLAIN QUERY PLAN {sql}");
    let mut query = sqlx::query(&explain);
    for _ in 0..parameters(&sql) {
        query = query.bind(None::<String>);
    }
    // The server speaks PostgreSQL's own SQL in a few places (`statement_timestamp()`, ...);
    // SQLite's words for those are not in this recording, so they are not planned here.
    let rows = match query.fetch_all(conn).await {
        Ok(rows) => rows,
        Err(e) => return format!("(PostgreSQL's own SQL: {e})"),
    };
    let steps: Vec<String> = rows.iter().map(|r| r.get::<String, _>("detail")).collect();
    match steps.is_empty() {
        true => "(no table read)".into(),
        false => steps.join("; "),
    }
}

/// A realistic volume: the roster through the import, then accounts, sessions, cards, payees,
/// a past year's paid intents for them, and a backlog in the charge queue.
async fn fill(db: &Db, url: &str) {
    let mut csv = Vec::new();
    rows::write_rows(&mut csv, seed::big(20_000, 2026)).unwrap();
    let today = time::macros::date!(2026 - 03 - 01);
    import::import_csv(db, Some(url), csv.as_slice(), today, "371003", 0)
        .await
        .unwrap();
    for sql in [
        "INSERT INTO accounts (id, mobile, password_hash, created_at) \
         SELECT CAST(CAST(md5('a' || g) AS uuid) AS TEXT), '15' || lpad(CAST(g AS TEXT), 9, '0'), \
         'x', 0 FROM generate_series(1, 5000) g",
        "INSERT INTO sessions (token_hash, account_id, created_at, expires_at) \
         SELECT md5('s' || g), CAST(CAST(md5('a' || g) AS uuid) AS TEXT), 0, 9000000000000000 \
         FROM generate_series(1, 5000) g",
        "INSERT INTO methods (id, account_id, gateway_token, bank, last_four, removed, \
         changed_seq, created_at) \
         SELECT CAST(CAST(md5('m' || g) AS uuid) AS TEXT), \
         CAST(CAST(md5('a' || g) AS uuid) AS TEXT), 'token', '农业银行', '0000', 0, g, 0 \
         FROM generate_series(1, 5000) g",
        "INSERT INTO payees (id, account_id, resident_id, name, id_number, removed, \
         changed_seq, created_at) \
         SELECT CAST(CAST(md5('p' || r.n) AS uuid) AS TEXT), \
         CAST(CAST(md5('a' || (1 + r.n % 5000)) AS uuid) AS TEXT), r.id, r.name, r.id_number, \
         0, r.n, 0 FROM (SELECT id, name, id_number, row_number() OVER (ORDER BY id) AS n \
         FROM residents) r WHERE r.n <= 15000",
        "INSERT INTO intents (id, account_id, payee_id, resident_id, year, tier_fen, \
         method_id, prepared_at, received_at, state, changed_seq, updated_at) \
         SELECT CAST(CAST(md5('i' || p.id) AS uuid) AS TEXT), p.account_id, p.id, \
         p.resident_id, 2025, 50000, NULL, '2025-03-01T20:00:00+08:00', 0, 'paid', \
         p.changed_seq, 0 FROM payees p WHERE p.created_at = 0 AND p.resident_id IS NOT NULL",
        // A charge queue with a backlog, as in the last days before the deadline: due far
        // after this test, so no worker takes them.
        "INSERT INTO charges (intent_id, due_at) \
         SELECT id, 9000000000000000 FROM intents WHERE year = 2025 LIMIT 5000",
        "ANALYZE",
    ] {
        sqlx::query(sql).execute(&db.pool).await.unwrap();
    }
}

/// One payer's round trips, recorded: a person and a payment pushed, the bank's answer
/// pulled, the same push retried, a pull at the cursor. Answers each statement once.
async fn statements_of_a_sync(db: Db, accounts: &HashMap<String, String>) -> Vec<String> {
    let (server, _clock, _sandbox) = start_server(db.clone()).await;
    let api = Client::new(&server.url());
    let token = accounts.get("13800000001").expect("a directory account");
    let card = yanglao_shared::wire::BindCard {
        id: uuid::Uuid::new_v4(),
        card_number: test_cards::pays(),
    };
    let card = api.bind_card(token, &card).await.unwrap().1.id;
    let payee = new_payee(&mother());
    let pay = intent(payee.id, "1000", Some(card));
    let request = SyncRequest {
        version: WIRE_VERSION,
        cursor: None,
        payees: vec![payee],
        intents: vec![pay.clone()],
    };
    STATEMENTS.lock().unwrap().clear();
    CAPTURING.store(true, Ordering::SeqCst);
    let mut answer = api.sync(token, &request).await.unwrap();
    for _ in 0..50 {
        let paid = answer
            .intents
            .iter()
            .any(|i| i.id == pay.id && matches!(i.state, IntentState::Paid { .. }));
        if paid {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        answer = api.sync(token, &pull(None)).await.unwrap();
    }
    let cursor = Some(answer.cursor);
    api.sync(token, &request).await.unwrap();
    api.sync(token, &pull(cursor)).await.unwrap();
    // The reconciliation's round (charges the bank never answered, payers left waiting for
    // a year nobody holds) runs every minute in every process: once here, so that its
    // statements are always among those planned, not only when its timer happens to fire.
    yanglao_server::payments::reconcile::reconcile_once(&server.state)
        .await
        .unwrap();
    // The charge workers' rounds (every half second: the queue, the stamping of rows other
    // accounts changed) run beside every sync; let a few of them in.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    CAPTURING.store(false, Ordering::SeqCst);
    server.stop().await;
    db.pool.close().await;
    let mut seen = HashSet::new();
    let statements: Vec<String> = STATEMENTS.lock().unwrap().drain(..).collect();
    let skip: BTreeSet<&str> = ["BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "SET"]
        .into_iter()
        .collect();
    statements
        .into_iter()
        .filter(|sql| {
            let first = sql.split_whitespace().next().unwrap_or_default();
            !skip.contains(first.to_ascii_uppercase().as_str())
        })
        .filter(|sql| seen.insert(sql.clone()))
        .collect()
}
