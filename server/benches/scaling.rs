//! Scaling: 1, 2 and 4 `yanglao-server serve` processes sharing one address (`--reuse-port`)
//! on one PostgreSQL, over a big roster, under an open-loop load: payments are sent at a fixed
//! offered rate whatever the answers do (each request is timed from when it was *due*, so a
//! slow server cannot hide its queue), one intent per sync, as a phone sends one payment.
//! Prints, per process count and offered rate: the rate achieved, p50 and p99 sync latency,
//! errors, and how long the bank's last answer took to be in the ledger.
//!
//! Run (PostgreSQL as scripts/test.sh starts it):
//!   . scripts/pg.sh && pg_start && cargo bench -p yanglao-server --bench scaling; pg_stop
//! `YANGLAO_BENCH_PEOPLE` sets the roster's size (default 1,000,000; the import is timed too),
//! `YANGLAO_BENCH_SECONDS` each load's duration (default 5).

mod support;

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{env_or, pg_database, roster, server_bin, Processes};
use uuid::Uuid;

const PROCESS_COUNTS: [usize; 3] = [1, 2, 4];
const OFFERED: [u64; 3] = [100, 500, 1000];
const ACCOUNTS: usize = 50;
const CARD: &str = "6222020000123456782";

fn start(url: &str, port: u16, processes: usize) -> Processes {
    let children = (0..processes)
        .map(|_| {
            Command::new(server_bin())
                .args([
                    "serve",
                    "--reuse-port",
                    "--database-url",
                    url,
                    "--bind",
                    &format!("127.0.0.1:{port}"),
                    "--dist",
                    "/nonexistent",
                    "--clock-start",
                    "2026-03-02T10:00:00+08:00",
                ])
                .env("RUST_LOG", "error")
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    Processes(children)
}

async fn post(http: &reqwest::Client, url: String, token: Option<&str>, body: Value) -> Value {
    let mut request = http.post(url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().json().await.unwrap()
}

/// Accounts with their people on the list and a card, not timed: (token, card, payee ids,
/// the cursor after adding them).
async fn payers(
    http: &reqwest::Client,
    base: &str,
    round: usize,
    people: &[(String, String)],
) -> Vec<(String, Uuid, Vec<Uuid>, i64)> {
    let per = people.len() / ACCOUNTS;
    let mut payers = Vec::new();
    for a in 0..ACCOUNTS {
        let mobile = format!("137{round:02}{a:06}");
        let session = post(
            http,
            format!("{base}/accounts"),
            None,
            json!({"mobile": mobile, "password": "bench-password"}),
        )
        .await;
        let token = session["token"].as_str().expect("registered").to_owned();
        let card = Uuid::new_v4();
        post(
            http,
            format!("{base}/methods"),
            Some(&token),
            json!({"id": card, "card_number": CARD}),
        )
        .await;
        let mut ids = Vec::new();
        let mut cursor = 0;
        for chunk in people[a * per..(a + 1) * per].chunks(100) {
            let payees: Vec<Value> = chunk
                .iter()
                .map(|(name, id)| {
                    let payee = Uuid::new_v4();
                    ids.push(payee);
                    json!({"id": payee, "name": name, "id_number": id})
                })
                .collect();
            let answer = post(
                http,
                format!("{base}/sync"),
                Some(&token),
                json!({"version": 1, "cursor": null, "payees": payees}),
            )
            .await;
            cursor = answer["cursor"].as_i64().expect("a cursor");
        }
        payers.push((token, card, ids, cursor));
    }
    payers
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let at = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[at].as_secs_f64() * 1000.0
}

async fn queue_empty(db: &sqlx::AnyPool) {
    loop {
        let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM charges")
            .fetch_one(db)
            .await
            .unwrap();
        if queued == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let Ok(admin) = std::env::var("YANGLAO_TEST_PG_URL") else {
        println!("scaling skipped: set YANGLAO_TEST_PG_URL (scripts/pg.sh: pg_start)");
        return;
    };
    let people_count: usize = env_or("YANGLAO_BENCH_PEOPLE", 1_000_000);
    let seconds: u64 = env_or("YANGLAO_BENCH_SECONDS", 5);
    let url = pg_database(&admin, "scaling").await;
    let people = roster(&url, people_count, 2026);
    let needed: u64 = OFFERED.iter().sum::<u64>() * seconds;
    let per_round = (needed as usize).div_ceil(ACCOUNTS) * ACCOUNTS;
    assert!(
        people.len() >= per_round * PROCESS_COUNTS.len(),
        "the roster has {} payable people, fewer than the {} the runs need",
        people.len(),
        per_round * PROCESS_COUNTS.len()
    );
    let db = sqlx::AnyPool::connect(&url).await.unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}/api/v1");
    let http = reqwest::Client::new();
    println!(
        "{} cores; one intent per sync, open loop, {seconds} s per offered rate, {ACCOUNTS} payers",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "| processes | offered/s | achieved/s | p50 ms | p99 ms | errors | ledger settled after |"
    );
    println!(
        "|-----------|-----------|------------|--------|--------|--------|----------------------|"
    );
    for (round, &processes) in PROCESS_COUNTS.iter().enumerate() {
        let servers = start(&url, port, processes);
        for _ in 0..200 {
            if http.get(format!("{base}/health")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let slice = &people[round * per_round..(round + 1) * per_round];
        let payers = payers(&http, &base, round, slice).await;
        let mut next = vec![0usize; ACCOUNTS];
        // Each payer's newest cursor, as its phone would keep it: a sync pulls only what
        // changed since.
        let cursors: Arc<Vec<AtomicI64>> =
            Arc::new(payers.iter().map(|p| AtomicI64::new(p.3)).collect());
        for rate in OFFERED {
            let total = (rate * seconds) as usize;
            let started = Instant::now();
            let mut calls = Vec::with_capacity(total);
            for i in 0..total {
                let a = i % ACCOUNTS;
                let (token, card, ids, _) = &payers[a];
                let payee = ids[next[a]];
                next[a] += 1;
                let due = started + Duration::from_secs_f64(i as f64 / rate as f64);
                let intent = json!({
                    "id": Uuid::new_v4(), "payee_id": payee, "year": 2026, "tier": "500",
                    "method_id": card, "prepared_at": "2026-03-01T10:00:00+08:00"});
                let (http, url, token) = (http.clone(), format!("{base}/sync"), token.clone());
                let cursors = cursors.clone();
                calls.push(tokio::spawn(async move {
                    tokio::time::sleep_until(due.into()).await;
                    let cursor = cursors[a].load(Ordering::Relaxed);
                    let body = json!({"version": 1, "cursor": cursor, "intents": [intent]});
                    let reply = http.post(url).bearer_auth(token).json(&body).send().await;
                    let answer = match reply {
                        Ok(r) if r.status().is_success() => r.json::<Value>().await.ok(),
                        _ => None,
                    };
                    if let Some(newer) = answer.as_ref().and_then(|a| a["cursor"].as_i64()) {
                        cursors[a].fetch_max(newer, Ordering::Relaxed);
                    }
                    (due.elapsed(), answer.is_some())
                }));
            }
            let mut latencies = Vec::with_capacity(total);
            let mut errors = 0;
            for call in calls {
                let (latency, ok) = call.await.unwrap();
                latencies.push(latency);
                errors += usize::from(!ok);
            }
            let answered = started.elapsed();
            queue_empty(&db).await;
            let settled = started.elapsed();
            latencies.sort();
            println!(
                "| {processes:>9} | {rate:>9} | {:>10.0} | {:>6.0} | {:>6.0} | {errors:>6} | {:>18.1} s |",
                total as f64 / answered.as_secs_f64(),
                percentile(&latencies, 0.50),
                percentile(&latencies, 0.99),
                settled.as_secs_f64(),
            );
        }
        drop(servers);
    }
}
