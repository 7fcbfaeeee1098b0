//! `yanglao-server reconcile --date D --gateway URL` prints the day's mismatches as a table,
//! records the refund case of a bank-paid order the ledger never had (once, however often it
//! runs), and fails only when the bank cannot be reached.

use time::OffsetDateTime;
use uuid::Uuid;
use yanglao_server::gateway::remote::sandbox_router;
use yanglao_server::gateway::sandbox::{test_cards, SandboxBank};
use yanglao_server::gateway::{ChargeRequest, PaymentGateway};
use yanglao_shared::window::CST;
use yanglao_shared::CardNumber;

use super::run;
use crate::on_both_databases;
use crate::support::Store;

on_both_databases!(the_command_prints_the_mismatches_and_records_one_case);

async fn the_command_prints_the_mismatches_and_records_one_case(_: Store, url: &str) {
    let bank = SandboxBank::new("cli-reconcile-test-secret-0123456789abcdef");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = sandbox_router(bank.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let card = CardNumber::parse(&test_cards::pays()).unwrap();
    let token = bank.bind_card(&card).await.unwrap().token;
    let order = Uuid::new_v4();
    let request = ChargeRequest {
        order_id: order,
        token,
        amount_fen: 50_000,
        description: "不在账本里的订单".into(),
    };
    bank.charge(&request).await.unwrap();
    let today = OffsetDateTime::now_utc().to_offset(CST).date().to_string();
    let gateway = format!("http://{addr}");
    let args = [
        "reconcile",
        "--date",
        &today,
        "--gateway",
        &gateway,
        "--database-url",
        url,
    ];
    // The process is run off the async workers: the bank above answers it meanwhile.
    let first = tokio::task::spawn_blocking({
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        move || run(&args.iter().map(String::as_str).collect::<Vec<_>>(), &[])
    })
    .await
    .unwrap();
    let out = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(out.contains("bank_paid_ledger_not"), "{out}");
    assert!(out.contains(&order.to_string()), "{out}");
    assert!(
        out.contains("1 mismatch(es), 1 new refund case(s)"),
        "{out}"
    );
    let again = tokio::task::spawn_blocking({
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        move || run(&args.iter().map(String::as_str).collect::<Vec<_>>(), &[])
    })
    .await
    .unwrap();
    let out = String::from_utf8_lossy(&again.stdout);
    assert!(
        out.contains("1 mismatch(es), 0 new refund case(s)"),
        "{out}"
    );
    // A bank that cannot be reached is a failure, said on standard error.
    let down = run(
        &[
            "reconcile",
            "--date",
            &today,
            "--gateway",
            "http://127.0.0.1:9",
            "--database-url",
            url,
        ],
        &[],
    );
    assert!(!down.status.success());
    assert!(!down.stderr.is_empty());
    let bad = run(
        &[
            "reconcile",
            "--date",
            "2026-13-01",
            "--gateway",
            &gateway,
            "--database-url",
            url,
        ],
        &[],
    );
    assert!(!bad.status.success());
}
