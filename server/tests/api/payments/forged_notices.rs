//! A notification is believed only as far as the ledger asked for it: signed with this
//! installation's own secret (never a default), for an order being charged, for the amount
//! asked, and — when it says "declined", which would free the person-year — confirmed by the
//! bank's own query.

use std::time::Duration;

use yanglao_server::app::{BuildError, MIN_SECRET_BYTES};
use yanglao_server::gateway::sandbox::test_cards;
use yanglao_server::gateway::{sign, Notification, OrderStatus, SIGNATURE_HEADER};
use yanglao_server::payments::charges::Asking;
use yanglao_server::storage::settings;
use yanglao_server::{AppState, Parts};
use yanglao_shared::PolicyTable;

use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    a_signed_decline_the_bank_does_not_confirm_frees_nothing,
    a_notification_for_another_amount_is_refused,
    a_notification_while_the_bank_is_being_asked_is_held_to_the_amount_and_moves_nothing,
    a_notification_about_an_order_not_being_charged_is_refused,
    the_installation_secret_is_made_once_and_kept,
    a_restarted_server_reconciles_at_once,
);

/// Posts a notification signed with `secret`; answers the status and the error code.
async fn notify(app: &TestApp, secret: &str, n: &Notification) -> (u16, Option<String>) {
    let body = serde_json::to_vec(n).unwrap();
    let answer = reqwest::Client::new()
        .post(format!("{}/api/v1/gateway/notify", app.server.url()))
        .header(SIGNATURE_HEADER, sign(secret, &body))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    let body: serde_json::Value = answer.json().await.unwrap();
    (status, body["code"].as_str().map(str::to_owned))
}

/// The bank's word that order `id` was paid `amount_fen`.
fn paid(id: uuid::Uuid, amount_fen: i64) -> Notification {
    Notification {
        order_id: id,
        status: OrderStatus::Paid {
            bank_ref: "forged".into(),
            amount_fen,
        },
    }
}

/// The bank's word that order `id` was declined for want of funds.
fn declined(id: uuid::Uuid) -> Notification {
    Notification {
        order_id: id,
        status: OrderStatus::Declined {
            code: "insufficient_funds".into(),
            message: "余额不足".into(),
        },
    }
}

/// One intent for the mother on the slow card: `charging` until the sandbox pays it.
async fn slow_payment(app: &TestApp) -> (String, uuid::Uuid) {
    let token = app.register("13800000071").await;
    let mum = app.add_payee(&token, &mother()).await;
    let slow = app.bind_card(&token, &test_cards::delayed()).await;
    let sent = intent(mum, "500", Some(slow));
    let reply = app
        .api
        .sync(&token, &push(None, vec![sent.clone()]))
        .await
        .unwrap();
    assert_eq!(states(&reply), ["submitted"]);
    (token, sent.id)
}

async fn a_signed_decline_the_bank_does_not_confirm_frees_nothing(app: &TestApp) {
    let (token, id) = slow_payment(app).await;
    let forged = declined(id);
    let (status, code) = notify(app, GATEWAY_SECRET, &forged).await;
    assert_eq!((status, code.as_deref()), (409, Some("not_confirmed")));
    // The person-year stayed held, and the bank's real payment settles it.
    tokio::time::sleep(Duration::from_millis(900)).await;
    let later = app.api.sync(&token, &pull(None)).await.unwrap();
    assert_eq!(states(&later), ["paid"]);
    assert_eq!(app.paid_contributions().await, 1);
}

async fn a_notification_for_another_amount_is_refused(app: &TestApp) {
    let (_, id) = slow_payment(app).await;
    let short = paid(id, 1);
    let (status, code) = notify(app, GATEWAY_SECRET, &short).await;
    assert_eq!((status, code.as_deref()), (409, Some("amount_mismatch")));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM contributions WHERE receipt_no IS NOT NULL")
            .await,
        0
    );
}

/// While this process asks the bank about an order, its notification is answered without
/// reading the ledger (the worker applies the bank's own answer): still refused for another
/// amount, and a decline then frees nothing.
async fn a_notification_while_the_bank_is_being_asked_is_held_to_the_amount_and_moves_nothing(
    app: &TestApp,
) {
    let (token, id) = slow_payment(app).await;
    let mut asking = Asking::new(&app.server.state.charges);
    asking.add(id, 50_000);
    assert_eq!(app.server.state.charges.asking_for(id), Some(50_000));
    let short = paid(id, 1);
    let (status, code) = notify(app, GATEWAY_SECRET, &short).await;
    assert_eq!((status, code.as_deref()), (409, Some("amount_mismatch")));
    assert_eq!(notify(app, GATEWAY_SECRET, &declined(id)).await.0, 200);
    let now = app.api.sync(&token, &pull(None)).await.unwrap();
    assert_eq!(states(&now), ["submitted"], "the year is still held");
    drop(asking);
    assert_eq!(app.server.state.charges.asking_for(id), None);
    // The bank's real payment settles it.
    tokio::time::sleep(Duration::from_millis(900)).await;
    let later = app.api.sync(&token, &pull(None)).await.unwrap();
    assert_eq!(states(&later), ["paid"]);
    assert_eq!(app.paid_contributions().await, 1);
}

async fn a_notification_about_an_order_not_being_charged_is_refused(app: &TestApp) {
    let token = app.register("13800000072").await;
    let mum = app.add_payee(&token, &mother()).await;
    // No card: the intent waits for one and the bank was never asked.
    let waiting = intent(mum, "500", None);
    app.api
        .sync(&token, &push(None, vec![waiting.clone()]))
        .await
        .unwrap();
    let paid = paid(waiting.id, 50_000);
    let (status, code) = notify(app, GATEWAY_SECRET, &paid).await;
    assert_eq!(
        (status, code.as_deref()),
        (409, Some("ledger_state_mismatch"))
    );
    assert_eq!(app.paid_contributions().await, 0);
    // And a notification signed with any other secret is not read at all.
    let (status, code) = notify(app, "sandbox-secret", &paid).await;
    assert_eq!((status, code.as_deref()), (422, Some("bad_signature")));
}

async fn the_installation_secret_is_made_once_and_kept(app: &TestApp) {
    let first = settings::notify_secret(&app.db).await.unwrap();
    assert_eq!(first.len(), 64, "32 random bytes, hex");
    assert!(first.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(settings::notify_secret(&app.db).await.unwrap(), first);
}

#[tokio::test]
async fn a_server_with_a_short_secret_does_not_start() {
    let url = fresh_database(Store::Sqlite).await.unwrap();
    let db = yanglao_server::storage::Db::connect(&url).await.unwrap();
    let short = "x".repeat(MIN_SECRET_BYTES - 1);
    let built = AppState::build(Parts {
        db,
        clock: yanglao_server::clock::Clock::manual(IN_WINDOW),
        policies: PolicyTable::builtin(),
        region: "371003".into(),
        gateway: std::sync::Arc::new(yanglao_server::gateway::sandbox::SandboxBank::new(&short)),
        gateway_secret: short,
    });
    assert!(matches!(built, Err(BuildError::WeakSecret(31))));
}

#[test]
fn the_sandbox_bank_process_needs_the_servers_secret() {
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_yanglao-server"))
            .args(args)
            .env_remove("YANGLAO_GATEWAY_SECRET")
            .output()
            .unwrap()
    };
    let none = run(&["sandbox-bank", "--notify-url", "http://127.0.0.1:9/n"]);
    assert!(!none.status.success());
    assert!(String::from_utf8_lossy(&none.stderr).contains("--secret"));
    let weak = run(&[
        "sandbox-bank",
        "--secret",
        "sandbox-secret",
        "--notify-url",
        "x",
    ]);
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("fewer than 32"));
}

/// A charge whose notification was lost is settled by the first reconciliation pass of the
/// next server to start, not one interval later (the interval here is an hour).
async fn a_restarted_server_reconciles_at_once(app: &TestApp) {
    let token = app.register("13800000073").await;
    let mum = app.add_payee(&token, &mother()).await;
    let lost = app
        .bind_card(&token, &test_cards::lost_notification())
        .await;
    let reply = app
        .api
        .sync(&token, &push(None, vec![intent(mum, "500", Some(lost))]))
        .await
        .unwrap();
    assert_eq!(states(&reply), ["submitted"]);
    // The bank pays (its query would say so) but tells nobody; some time passes.
    tokio::time::sleep(Duration::from_millis(700)).await;
    app.clock.set(app.clock.now() + time::Duration::seconds(10));
    let next = yanglao_server::Server::start(
        app.server.state.clone(),
        "127.0.0.1:0".parse().unwrap(),
        None,
        Duration::from_secs(3600),
    )
    .await
    .unwrap();
    let mut paid = 0;
    for _ in 0..40 {
        paid = app.paid_contributions().await;
        if paid == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    next.stop().await;
    assert_eq!(paid, 1, "settled by the new server's first pass");
}

/// What a separate sandbox-bank process is handed: the same secret the server uses.
#[tokio::test]
async fn notify_secret_prints_the_installations_own() {
    let url = fresh_database(Store::Sqlite).await.unwrap();
    let print = || {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_yanglao-server"))
            .args(["notify-secret", "--database-url", &url])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    let first = print();
    assert_eq!(first.len(), 64);
    assert_eq!(print(), first);
    let db = yanglao_server::storage::Db::connect(&url).await.unwrap();
    assert_eq!(settings::notify_secret(&db).await.unwrap(), first);
}
