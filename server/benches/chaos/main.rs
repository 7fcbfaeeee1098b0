//! The chaos run: payers' phones pay through a lossy proxy (requests and answers dropped,
//! cut, sent twice, held and overtaken: `proxy`) to `yanglao-server serve` processes that
//! are SIGKILLed and started again throughout the load, while the servers reach the sandbox
//! bank (its own process, durable) through a second lossy proxy, and the bank's notifications
//! come back through it. Afterwards it checks, from the database and the bank's own statement:
//! nothing acknowledged is lost, no person-year is paid or charged twice, no answer was a 5xx,
//! every bank order paid is a paid intent of the ledger and the other way round, no connection
//! is left inside a transaction, and no server's or PostgreSQL's log warns of a transaction
//! state. Prints one table row per backend; exits non-zero when any check fails.
//!
//! Run (PostgreSQL as scripts/test.sh starts it; without it only SQLite runs):
//!   . scripts/pg.sh && pg_start && cargo bench -p yanglao-server --bench chaos; pg_stop
//! `YANGLAO_CHAOS_PAYERS` (default 60), `YANGLAO_CHAOS_PER_PAYER` people each (default 6),
//! `YANGLAO_CHAOS_SECONDS` of kills (default 20), `YANGLAO_CHAOS_SEED` (default: random,
//! printed). The README's test command keeps a small version: tests/api/scale/two_servers.rs.

#[path = "../support/mod.rs"]
mod support;

mod checks;
mod phones;
mod proxy;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use support::{env_or, free_port, pg_database, roster, spawn, until_up, Processes};
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use proxy::{Dice, Rates};

const YEAR: i32 = 2026;
/// Phones to servers: about a third of all requests meet a fault.
const PHONE_FAULTS: Rates = Rates {
    drop_request: 7,
    cut_request: 5,
    duplicate: 6,
    drop_answer: 8,
    cut_answer: 4,
    long_delay: 10,
};
/// Servers to the bank and back: fewer, as between two data centres.
const BANK_FAULTS: Rates = Rates {
    drop_request: 3,
    cut_request: 2,
    duplicate: 3,
    drop_answer: 4,
    cut_answer: 2,
    long_delay: 5,
};

#[derive(Clone, Copy, PartialEq)]
enum Backend {
    Sqlite,
    Postgres,
}

/// The server processes behind one port (`--reuse-port`), each started again after a kill
/// with its clock moved on by the time since the run began, so leases keep their meaning.
struct Servers {
    url: String,
    port: u16,
    bank: String,
    log: PathBuf,
    began: Instant,
    running: Vec<Option<std::process::Child>>,
}

impl Servers {
    fn start_one(&mut self, slot: usize) {
        let start = time::macros::datetime!(2026-03-02 10:00 +8) + self.began.elapsed();
        let child = spawn(
            &[
                "serve",
                "--reuse-port",
                "--database-url",
                &self.url,
                "--bind",
                &format!("127.0.0.1:{}", self.port),
                "--gateway",
                &self.bank,
                "--dist",
                "/nonexistent",
                "--clock-start",
                &start.format(&Rfc3339).unwrap(),
            ],
            Some(&self.log),
        );
        self.running[slot] = Some(child);
    }

    fn kill(&mut self, slot: usize) {
        if let Some(mut child) = self.running[slot].take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        for slot in 0..self.running.len() {
            self.kill(slot);
        }
    }
}

async fn run(backend: Backend, dir: &Path, seed: u64) -> checks::Row {
    let (url, processes) = match backend {
        Backend::Postgres => {
            let admin = std::env::var("YANGLAO_TEST_PG_URL").unwrap();
            (pg_database(&admin, "chaos").await, 2)
        }
        // SQLite has one writer: one process, killed and started again.
        Backend::Sqlite => (format!("sqlite://{}", dir.join("chaos.db").display()), 1),
    };
    let dice = Arc::new(Dice::new(seed));
    let people = roster(&url, 2_000, YEAR);
    let db = yanglao_server::storage::Db::connect(&url).await.unwrap();
    let secret = yanglao_server::storage::settings::notify_secret(&db)
        .await
        .unwrap();

    let port = free_port();
    let server_addr = format!("127.0.0.1:{port}").parse().unwrap();
    let phone_proxy = proxy::start(server_addr, PHONE_FAULTS, dice.clone()).await;
    let bank_port = free_port();
    let bank_proxy = proxy::start(
        format!("127.0.0.1:{bank_port}").parse().unwrap(),
        BANK_FAULTS,
        dice.clone(),
    )
    .await;
    let bank_url = format!("http://127.0.0.1:{bank_port}");
    let log = dir.join("servers.log");
    let _bank = Processes(vec![spawn(
        &[
            "sandbox-bank",
            "--bind",
            &format!("127.0.0.1:{bank_port}"),
            "--secret",
            &secret,
            "--notify-url",
            &format!("http://{}/api/v1/gateway/notify", phone_proxy.addr),
            "--data",
            dir.join("bank.db").to_str().unwrap(),
        ],
        Some(&dir.join("bank.log")),
    )]);
    let mut servers = Servers {
        url: url.clone(),
        port,
        bank: format!("http://{}", bank_proxy.addr),
        log: log.clone(),
        began: Instant::now(),
        running: (0..processes).map(|_| None).collect(),
    };
    for slot in 0..processes {
        servers.start_one(slot);
    }
    let direct = format!("http://127.0.0.1:{port}/api/v1");
    let http = reqwest::Client::new();
    until_up(&http, &direct).await;
    for _ in 0..400 {
        if tokio::net::TcpStream::connect(("127.0.0.1", bank_port))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }

    let payers = env_or("YANGLAO_CHAOS_PAYERS", 60);
    let per_payer = env_or("YANGLAO_CHAOS_PER_PAYER", 6);
    let kill_for = Duration::from_secs(env_or("YANGLAO_CHAOS_SECONDS", 20));
    let phones = phones::set_up(&direct, payers, per_payer, &people, &dice).await;

    let began = Instant::now();
    let deadline = began + kill_for + Duration::from_secs(120);
    let through = format!("http://{}/api/v1", phone_proxy.addr);
    let load: Vec<_> = phones
        .into_iter()
        .map(|phone| {
            tokio::spawn(phones::run(
                phone,
                through.clone(),
                YEAR,
                dice.clone(),
                deadline,
            ))
        })
        .collect();
    let mut kills = 0;
    while began.elapsed() < kill_for && !load.iter().all(|t| t.is_finished()) {
        tokio::time::sleep(Duration::from_millis(500 + dice.below(1500))).await;
        let slot = dice.below(processes as u64) as usize;
        servers.kill(slot);
        kills += 1;
        tokio::time::sleep(Duration::from_millis(100 + dice.below(700))).await;
        servers.start_one(slot);
    }
    let mut seen = Vec::new();
    for task in load {
        seen.push(task.await.unwrap());
    }
    let wall = began.elapsed();
    let row = checks::check(checks::Run {
        backend: if backend == Backend::Postgres {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        processes,
        db: &db,
        bank_url: &bank_url,
        seen: &seen,
        kills,
        phone_faults: &phone_proxy.counts,
        bank_faults: &bank_proxy.counts,
        logs: &[log, dir.join("bank.log")],
        wall,
    })
    .await;
    drop(servers);
    row
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let seed = env_or("YANGLAO_CHAOS_SEED", {
        let mut bytes = [0u8; 8];
        getrandom::getrandom(&mut bytes).unwrap();
        u64::from_le_bytes(bytes)
    });
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("chaos run: seed {seed}, {cores} cores");
    let mut backends = vec![Backend::Sqlite];
    if std::env::var("YANGLAO_TEST_PG_URL").is_ok() {
        backends.push(Backend::Postgres);
    } else {
        println!("PostgreSQL skipped: set YANGLAO_TEST_PG_URL (scripts/pg.sh: pg_start)");
    }
    let pg_log = std::env::var("YANGLAO_PG_DIR")
        .ok()
        .map(|d| PathBuf::from(d).join("server.log"));
    let pg_log_before = pg_log
        .as_ref()
        .and_then(|l| std::fs::metadata(l).ok())
        .map_or(0, |m| m.len());
    let mut rows = Vec::new();
    for backend in backends {
        let dir = std::env::temp_dir().join(format!("yanglao-chaos-{}", Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        rows.push(run(backend, &dir, seed).await);
        println!("logs: {}", dir.display());
    }
    let ok = checks::print(&rows, pg_log.as_deref().map(|l| (l, pg_log_before)));
    if !ok {
        std::process::exit(1);
    }
}
