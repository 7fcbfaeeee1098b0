//! Fifty payers race for one person-year across two `yanglao-server serve` processes on one
//! PostgreSQL, with the sandbox bank as a third process, and one server is killed (SIGKILL)
//! while the race is on. Sessions, the charge queue and the notification secret are in the
//! database, so either server answers any payer, and the survivor finishes what the killed one
//! left: one charge at the bank, one paid person-year, every payer told the truth, no 5xx, and
//! no connection left inside a transaction.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use uuid::Uuid;
use yanglao_server::gateway::remote::HttpGateway;
use yanglao_server::gateway::sandbox::test_cards;
use yanglao_server::gateway::{LineStatus, PaymentGateway};
use yanglao_server::storage::{settings, Db};
use yanglao_shared::wire::{SyncRequest, SyncResponse};

use crate::support::database;
use crate::support::*;

const PAYERS: usize = 50;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process killed when the test ends, however it ends.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(args: &[&str]) -> Process {
    let child = Command::new(env!("CARGO_BIN_EXE_yanglao-server"))
        .args(args)
        .env_remove("YANGLAO_GATEWAY_SECRET")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("yanglao-server starts");
    Process(child)
}

async fn until_up(url: &str) {
    for _ in 0..200 {
        if let Ok(r) = reqwest::get(format!("{url}/api/v1/health")).await {
            if r.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{url} did not come up");
}

fn serve(url: &str, port: u16, bank: &str) -> Process {
    let bind = format!("127.0.0.1:{port}");
    spawn(&[
        "serve",
        "--database-url",
        url,
        "--bind",
        &bind,
        "--gateway",
        bank,
        "--region",
        "371003",
        "--dist",
        "/nonexistent",
        "--clock-start",
        "2026-03-02T10:00:00+08:00",
    ])
}

/// Sends a sync until some server answers it: a request cut by a dying server is sent again,
/// to the other one, with the same ids. Any answer must not be a server error.
async fn sync_until_answered(
    http: &reqwest::Client,
    urls: &[String],
    first: usize,
    token: &str,
    request: &SyncRequest,
) -> SyncResponse {
    for attempt in 0..40 {
        let url = &urls[(first + attempt) % urls.len()];
        let sent = http
            .post(format!("{url}/api/v1/sync"))
            .bearer_auth(token)
            .json(request)
            .timeout(Duration::from_secs(20))
            .send()
            .await;
        let Ok(reply) = sent else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let status = reply.status();
        assert!(!status.is_server_error(), "{url}: {status}");
        assert_eq!(status, StatusCode::OK, "{url}");
        return reply.json().await.expect("a sync answer");
    }
    panic!("no server answered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_payers_race_across_two_servers_and_one_is_killed() {
    let Some((url, accounts)) = database::with_village(Store::Postgres).await else {
        return;
    };
    let db = Db::connect(&url).await.unwrap();
    let secret = settings::notify_secret(&db).await.unwrap();
    let dir = std::env::temp_dir().join(format!("yanglao-two-servers-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let (bank_port, a_port, b_port) = (free_port(), free_port(), free_port());
    let bank_url = format!("http://127.0.0.1:{bank_port}");
    let urls = [
        format!("http://127.0.0.1:{a_port}"),
        format!("http://127.0.0.1:{b_port}"),
    ];
    let bank_data = dir.join("bank.db");
    let _bank = spawn(&[
        "sandbox-bank",
        "--bind",
        &format!("127.0.0.1:{bank_port}"),
        "--secret",
        &secret,
        "--notify-url",
        &format!("{}/api/v1/gateway/notify", urls[0]),
        "--data",
        bank_data.to_str().unwrap(),
    ]);
    let _a = serve(&url, a_port, &bank_url);
    let mut b = Some(serve(&url, b_port, &bank_url));
    for u in &urls {
        until_up(u).await;
    }

    // Each payer is set up on one server and races on the other: a session made by one
    // process is honoured by the other.
    let mut payers = Vec::new();
    for i in 0..PAYERS {
        let token = accounts[&racer(i)].clone();
        let api = Client::new(&urls[i % 2]);
        let payee = new_payee(&mother());
        api.add_payee(&token, &payee).await.expect("adds");
        let card = yanglao_shared::wire::BindCard {
            id: Uuid::new_v4(),
            card_number: test_cards::pays(),
        };
        api.bind_card(&token, &card).await.expect("binds");
        let request = push(None, vec![intent(payee.id, "1000", Some(card.id))]);
        payers.push((token, request));
    }

    let http = reqwest::Client::new();
    let race = futures::future::join_all(payers.iter().enumerate().map(|(i, (token, request))| {
        let (http, urls) = (&http, &urls);
        async move { sync_until_answered(http, urls, (i + 1) % 2, token, request).await }
    }));
    let kill = async {
        tokio::time::sleep(Duration::from_millis(30)).await;
        drop(b.take()); // SIGKILL, mid-race
    };
    let (answers, ()) = tokio::join!(race, kill);
    for answer in &answers {
        let state = states(answer)[0];
        assert!(
            ["paid", "not_needed", "submitted"].contains(&state),
            "{state}"
        );
    }

    // The survivor's workers finish whatever the killed server had claimed, once its lease
    // runs out.
    let mut queued = 1;
    for _ in 0..300 {
        queued = sqlx::query_scalar("SELECT COUNT(*) FROM charges")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        if queued == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(queued, 0, "the charge queue drained");
    let survivor = [urls[0].clone()];
    let mut paid = 0;
    for (token, _) in &payers {
        let now = sync_until_answered(&http, &survivor, 0, token, &pull(None)).await;
        match states(&now)[0] {
            "paid" => paid += 1,
            "not_needed" => {}
            other => panic!("a payer was left with {other}"),
        }
    }
    assert_eq!(paid, 1, "one payer's payment is the one that counts");
    let contributions: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM contributions WHERE intent_id IS NOT NULL")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(contributions, 1);

    // The bank's own statement of the day: exactly one order, paid.
    let bank = HttpGateway::new(&bank_url);
    let today = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date();
    let lines = bank.statement(today).await.expect("statement");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0].status, LineStatus::Paid);

    let stale: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
         AND state LIKE 'idle in transaction%'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(stale, 0, "no connection left inside a transaction");
    let _ = std::fs::remove_dir_all(&dir);
}
