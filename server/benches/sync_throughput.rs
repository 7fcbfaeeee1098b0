//! Sync throughput: payment intents per second through `POST /api/v1/sync` (batches of 50,
//! every commit durable), from the first push until the bank's last answer is in the ledger,
//! on SQLite and on PostgreSQL, next to the rate of writing every row the server writes per
//! intent (intent, person-year, queued charge, and the bank's answer) straight into the same
//! database, 50 intents per commit. Run: `cargo bench -p yanglao-server --bench sync_throughput`
//! (PostgreSQL when `YANGLAO_TEST_PG_URL` names a server, as scripts/test.sh's pg_start does).

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use time::macros::{date, datetime};
use uuid::Uuid;
use yanglao_server::clock::Clock;
use yanglao_server::gateway::sandbox::{test_cards, SandboxBank};
use yanglao_server::roster::seed::{self, NewResident};
use yanglao_server::storage::Db;
use yanglao_server::{AppState, Parts, Server};
use yanglao_shared::{synthetic, PersonName, PolicyTable, RosterStatus};

const PAYERS: usize = 4;
const BATCHES_PER_PAYER: usize = 20;
const BATCH: usize = 50;
/// The sandbox bank's signing secret (AppState::build refuses one under 32 bytes).
const SECRET: &str = "yanglao-bench-gateway-secret-0123456789";

fn person(i: usize) -> (String, String) {
    let birth = date!(1970 - 01 - 01) + time::Duration::days(i as i64);
    (
        "测试居民".into(),
        synthetic::id_number("371003", birth, 7).as_str().to_owned(),
    )
}

async fn database(pg: bool) -> Option<String> {
    if !pg {
        let path = std::env::temp_dir().join(format!("yanglao-bench-{}.db", Uuid::new_v4()));
        return Some(format!("sqlite://{}", path.display()));
    }
    let admin = std::env::var("YANGLAO_TEST_PG_URL").ok()?;
    sqlx::any::install_default_drivers();
    let name = format!("bench_{}", Uuid::new_v4().simple());
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
        .await
        .ok()?;
    sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
        .await
        .ok()?;
    Some(format!("{}/{name}", admin.rsplit_once('/')?.0))
}

async fn call(
    http: &reqwest::Client,
    url: String,
    token: Option<&str>,
    method: reqwest::Method,
    body: Value,
) -> Value {
    let mut request = http.request(method, url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().json().await.unwrap()
}

async fn run(label: &str, url: String) {
    let total = PAYERS * BATCHES_PER_PAYER * BATCH;
    let db = Db::connect(&url).await.unwrap();
    let rows: Vec<NewResident> = (0..total)
        .map(|i| {
            let (name, id) = person(i);
            NewResident {
                id_number: yanglao_shared::IdNumber::parse_any_date(&id).unwrap(),
                name: PersonName::parse(&name).unwrap(),
                town: "泽库镇".into(),
                village: "泽库村".into(),
                severely_disabled: false,
                status: RosterStatus::Enrolled,
                paid: vec![],
                mobile: None,
            }
        })
        .collect();
    let clock = Clock::manual(datetime!(2026-03-02 10:00 +8));
    seed::insert_all(&db, "371003", &rows, clock.now_ms())
        .await
        .unwrap();
    let sandbox = SandboxBank::new(SECRET);
    let state = AppState::build(Parts {
        db: db.clone(),
        clock,
        policies: PolicyTable::builtin(),
        region: "371003".into(),
        gateway: Arc::new(sandbox.clone()),
        gateway_secret: SECRET.into(),
    })
    .expect("a policy for 2026 and a strong secret");
    let server = Server::start(
        state,
        "127.0.0.1:0".parse().unwrap(),
        None,
        Duration::from_secs(3600),
    )
    .await
    .unwrap();
    let base = format!("{}/api/v1", server.url());
    sandbox.set_notify_url(format!("{base}/gateway/notify"));
    let http = reqwest::Client::new();

    // Setup (not timed): payers, their people and cards, all intents prepared.
    let mut payers = Vec::new();
    for p in 0..PAYERS {
        let session = call(
            &http,
            format!("{base}/accounts"),
            None,
            reqwest::Method::POST,
            json!({"mobile": format!("1360000{p:04}"), "password": "bench-password"}),
        )
        .await;
        let token = session["token"].as_str().unwrap().to_owned();
        let card = Uuid::new_v4();
        call(
            &http,
            format!("{base}/methods"),
            Some(&token),
            reqwest::Method::POST,
            json!({"id": card, "card_number": test_cards::pays()}),
        )
        .await;
        let mut batches = Vec::new();
        for b in 0..BATCHES_PER_PAYER {
            let mut payees = Vec::new();
            let mut intents = Vec::new();
            for k in 0..BATCH {
                let (name, id) = person((p * BATCHES_PER_PAYER + b) * BATCH + k);
                let payee = Uuid::new_v4();
                payees.push(json!({"id": payee, "name": name, "id_number": id}));
                intents.push(
                    json!({"id": Uuid::new_v4(), "payee_id": payee, "year": 2026, "tier": "500",
                    "method_id": card, "prepared_at": "2026-03-01T10:00:00+08:00"}),
                );
            }
            call(
                &http,
                format!("{base}/sync"),
                Some(&token),
                reqwest::Method::POST,
                json!({"version": 1, "cursor": null, "payees": payees}),
            )
            .await;
            batches.push(json!({"version": 1, "cursor": null, "intents": intents}));
        }
        payers.push((token, batches));
    }

    let started = Instant::now();
    let tasks = payers.into_iter().map(|(token, batches)| {
        let (http, base) = (http.clone(), base.clone());
        tokio::spawn(async move {
            // A client sends its cursor, so each answer carries only what is new.
            let mut cursor = Value::Null;
            for mut batch in batches {
                batch["cursor"] = cursor;
                let answer = call(
                    &http,
                    format!("{base}/sync"),
                    Some(&token),
                    reqwest::Method::POST,
                    batch,
                )
                .await;
                let results = answer["intents"].as_array().expect("intents");
                // Paid, or submitted while the bank's answer is still on its way.
                assert!(results[..BATCH].iter().all(
                    |i| ["paid", "submitted"].contains(&i["state"]["state"].as_str().unwrap())
                ));
                cursor = answer["cursor"].clone();
            }
        })
    });
    for task in tasks.collect::<Vec<_>>() {
        task.await.unwrap();
    }
    // Timed until the bank's last answer is in the ledger: every intent paid.
    loop {
        let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM charges")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        if queued == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let sync_secs = started.elapsed().as_secs_f64();
    server.stop().await;
    let paid: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM contributions WHERE receipt_no IS NOT NULL")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(paid, total as i64, "every intent paid");

    // Every row the server writes for one intent, written straight, 50 intents per commit:
    // the intent, its person-year and its queued charge; then the bank's answer (the year and
    // the intent paid, the charge gone).
    let account: String = sqlx::query_scalar("SELECT id FROM accounts LIMIT 1")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let statements = [
        "INSERT INTO intents (id, account_id, payee_id, year, tier_fen, prepared_at, received_at, \
         state, changed_seq, updated_at) VALUES ($1, $2, $1, 2030, 50000, '', 0, 'charging', 0, 0)",
        "INSERT INTO contributions (resident_id, year, amount_fen, state, intent_id, created_at) \
         SELECT id, 2030, 50000, 'charging', $1, 0 FROM residents WHERE id_number = $3 AND $2 <> ''",
        "INSERT INTO charges (intent_id, due_at) VALUES ($1, 0)",
        "UPDATE contributions SET state = 'paid', receipt_no = $1, paid_at = 0 WHERE intent_id = $1",
        "UPDATE intents SET state = 'paid', receipt_no = $1, changed_seq = 1 WHERE id = $1 AND account_id = $2",
        "DELETE FROM charges WHERE intent_id = $1",
    ];
    let started = Instant::now();
    for b in 0..total / BATCH {
        let mut tx = db.begin_write().await.unwrap();
        for k in 0..BATCH {
            let id = Uuid::new_v4().to_string();
            let (_, id_number) = person(b * BATCH + k);
            for sql in statements {
                // Each statement takes the parameters it names, in order.
                let mut query = sqlx::query(sql).bind(&id);
                if sql.contains("$2") {
                    query = query.bind(&account);
                }
                if sql.contains("$3") {
                    query = query.bind(&id_number);
                }
                query.execute(&mut **tx).await.unwrap();
            }
        }
        tx.commit().await.unwrap();
    }
    let raw_secs = started.elapsed().as_secs_f64();
    let sync_rate = total as f64 / sync_secs;
    let raw_rate = total as f64 / raw_secs;
    println!(
        "| {label:<10} | {total:>7} | {sync_rate:>14.0} | {raw_rate:>18.0} | {:>5.2}x |",
        sync_rate / raw_rate
    );
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for a list; this bench has no sub-benchmarks
    }
    println!(
        "{PAYERS} payers, batches of {BATCH}, durable commits, {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("| store      | intents | sync intents/s | raw intent-rows/s  | ratio |");
    println!("|------------|---------|----------------|--------------------|-------|");
    run("SQLite", database(false).await.unwrap()).await;
    match database(true).await {
        Some(url) => run("PostgreSQL", url).await,
        None => println!("PostgreSQL skipped: set YANGLAO_TEST_PG_URL (scripts/pg.sh: pg_start)"),
    }
}
