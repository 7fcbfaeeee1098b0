//! The sandbox bank as an outside system with its own storage: its orders survive a restart of
//! its process (SIGKILL included, and a delayed order still becomes paid and is notified), and
//! its statement and refund calls round-trip over HTTP as they answer in-process.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::routing::post;
use time::OffsetDateTime;
use tokio::sync::mpsc;
use uuid::Uuid;
use yanglao_server::gateway::remote::{sandbox_router, HttpGateway};
use yanglao_server::gateway::sandbox::{test_cards, SandboxBank};
use yanglao_server::gateway::{
    refusal, verify, ChargeRequest, GatewayError, LineStatus, Notification, OrderStatus,
    PaymentGateway, SIGNATURE_HEADER,
};
use yanglao_shared::window::CST;
use yanglao_shared::CardNumber;

const SECRET: &str = "sandbox-bank-test-secret-0123456789abcdef";

fn data_file() -> PathBuf {
    std::env::temp_dir().join(format!("yanglao-sandbox-bank-{}.db", Uuid::new_v4()))
}

fn today_in_china() -> time::Date {
    OffsetDateTime::now_utc().to_offset(CST).date()
}

async fn charge(bank: &dyn PaymentGateway, card: &str, amount_fen: i64) -> (Uuid, OrderStatus) {
    let card = bank
        .bind_card(&CardNumber::parse(card).unwrap())
        .await
        .unwrap();
    let order_id = Uuid::new_v4();
    let request = ChargeRequest {
        order_id,
        token: card.token,
        amount_fen,
        description: "2026年度城乡居民基本养老保险费".into(),
    };
    (order_id, bank.charge(&request).await.unwrap())
}

/// A server's notification endpoint: every signed body it receives, checked and decoded.
async fn notification_receiver() -> (String, mpsc::UnboundedReceiver<Notification>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/notify",
        post(move |headers: HeaderMap, body: Bytes| {
            let tx = tx.clone();
            async move {
                let signature = headers[SIGNATURE_HEADER].to_str().unwrap();
                assert!(verify(SECRET, &body, signature), "signed with the secret");
                let _ = tx.send(serde_json::from_slice::<Notification>(&body).unwrap());
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/notify"), rx)
}

/// `yanglao-server sandbox-bank` on a free port over `data`; answers once it listens.
async fn start_process(data: &Path, notify_url: &str) -> (Child, HttpGateway) {
    let addr: SocketAddr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_yanglao-server"))
        .args([
            "sandbox-bank",
            "--bind",
            &addr.to_string(),
            "--secret",
            SECRET,
        ])
        .args(["--notify-url", notify_url, "--data"])
        .arg(data)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return (child, HttpGateway::new(&format!("http://{addr}")));
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the sandbox bank did not start on {addr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_sandbox_bank_process_keeps_its_orders_and_finishes_the_delayed_ones() {
    let data = data_file();
    let (notify_url, mut notices) = notification_receiver().await;
    let (mut first, bank) = start_process(&data, &notify_url).await;
    let (paid, paid_status) = charge(&bank, &test_cards::pays(), 50_000).await;
    let (declined, declined_status) = charge(&bank, &test_cards::expired(), 30_000).await;
    // The process is killed inside the delay (two seconds) of this order.
    let (delayed, pending) = charge(&bank, &test_cards::delayed(), 80_000).await;
    assert_eq!(pending, OrderStatus::Pending);
    first.kill().unwrap();
    first.wait().unwrap();
    // Drop what the first process sent at once; the delayed order's is still owed.
    while let Ok(Some(notice)) =
        tokio::time::timeout(Duration::from_millis(300), notices.recv()).await
    {
        assert_ne!(
            notice.order_id, delayed,
            "not yet due when the process died"
        );
    }

    let (mut second, bank) = start_process(&data, &notify_url).await;
    assert_eq!(bank.query(paid).await.unwrap(), paid_status);
    assert_eq!(bank.query(declined).await.unwrap(), declined_status);
    let notice = tokio::time::timeout(Duration::from_secs(10), notices.recv())
        .await
        .expect("the restarted bank sends the delayed order's notification")
        .unwrap();
    assert_eq!(notice.order_id, delayed);
    assert!(matches!(
        notice.status,
        OrderStatus::Paid {
            amount_fen: 80_000,
            ..
        }
    ));
    assert_eq!(bank.query(delayed).await.unwrap(), notice.status);
    // Still the same orders: a repeated order id is answered, not charged again.
    let again = ChargeRequest {
        order_id: paid,
        token: "sbx_nsf_x".into(),
        amount_fen: 50_000,
        description: "again".into(),
    };
    assert_eq!(bank.charge(&again).await.unwrap(), paid_status);
    let mut lines = bank.statement(today_in_china()).await.unwrap();
    lines.retain(|l| [paid, declined, delayed].contains(&l.order_id));
    assert_eq!(lines.len(), 3, "{lines:?}");
    second.kill().unwrap();
    second.wait().unwrap();
    let _ = std::fs::remove_file(&data);
}

#[tokio::test]
async fn the_same_file_opened_again_holds_the_same_orders_and_refunds() {
    let data = data_file();
    let bank = SandboxBank::open(&data, SECRET).await.unwrap();
    let (paid, status) = charge(&bank, &test_cards::pays(), 50_000).await;
    let (lost, _) = charge(&bank, &test_cards::lost_notification(), 80_000).await;
    let refund = bank.refund(paid, 50_000).await.unwrap();
    drop(bank);

    let bank = SandboxBank::open(&data, SECRET).await.unwrap();
    assert_eq!(bank.order_count(), 2);
    assert_eq!(bank.query(paid).await.unwrap(), status);
    assert_eq!(bank.refund(paid, 50_000).await.unwrap(), refund);
    let lines = bank.statement(today_in_china()).await.unwrap();
    let line = |id| lines.iter().find(|l| l.order_id == id).unwrap();
    assert_eq!(line(paid).status, LineStatus::Refunded);
    assert_eq!(line(lost).status, LineStatus::Pending);
    assert_eq!(line(lost).amount_fen, 80_000);
    let _ = std::fs::remove_file(&data);
}

#[tokio::test]
async fn statement_and_refund_round_trip_over_http() {
    let local = SandboxBank::new(SECRET);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = sandbox_router(local.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let remote: Arc<dyn PaymentGateway> = Arc::new(HttpGateway::new(&format!("http://{addr}")));

    let (paid, _) = charge(&*remote, &test_cards::pays(), 50_000).await;
    let (declined, _) = charge(&*remote, &test_cards::insufficient_funds(), 30_000).await;
    let refund = remote.refund(paid, 50_000).await.unwrap();
    assert_eq!(refund, local.refund(paid, 50_000).await.unwrap());
    assert_eq!(remote.refund(paid, 50_000).await.unwrap(), refund);
    for (id, amount, code) in [
        (paid, 10_000, refusal::ALREADY_REFUNDED),
        (declined, 30_000, refusal::NOT_PAID),
        (Uuid::new_v4(), 30_000, refusal::ORDER_UNKNOWN),
    ] {
        match remote.refund(id, amount).await {
            Err(GatewayError::Refused { code: got, message }) => {
                assert_eq!(got, code);
                assert!(!message.is_empty());
            }
            other => panic!("expected {code}, got {other:?}"),
        }
    }

    let day = today_in_china();
    let lines = remote.statement(day).await.unwrap();
    assert_eq!(lines, local.statement(day).await.unwrap());
    let mut seen: Vec<_> = lines
        .iter()
        .map(|l| (l.order_id, l.amount_fen, l.status))
        .collect();
    let mut expected = vec![
        (paid, 50_000, LineStatus::Refunded),
        (declined, 30_000, LineStatus::Declined),
    ];
    seen.sort_by_key(|l| l.0);
    expected.sort_by_key(|l| l.0);
    assert_eq!(seen, expected);
    assert!(remote
        .statement(day.previous_day().unwrap())
        .await
        .unwrap()
        .is_empty());
    let bad = reqwest::get(format!("http://{addr}/statement?date=2026-13-01"))
        .await
        .unwrap();
    assert_eq!(bad.status(), reqwest::StatusCode::BAD_REQUEST);
}
