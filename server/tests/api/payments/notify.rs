//! The bank answers later: a card that pays at once is paid in the same round trip; a slow
//! bank's signed notification settles its payment; a lost notification is found by
//! reconciliation.

use std::time::Duration;

use yanglao_server::gateway::sandbox::test_cards;
use yanglao_server::payments::reconcile::reconcile_once;
use yanglao_shared::wire::{IntentState, PayeeCheck};

use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    a_card_that_pays_at_once_answers_paid_with_the_amount_and_a_receipt,
    a_slow_banks_signed_notification_settles_the_payment,
    a_lost_notification_is_settled_by_reconciliation,
);

async fn a_card_that_pays_at_once_answers_paid_with_the_amount_and_a_receipt(app: &TestApp) {
    let token = app.account("13800000001").await;
    let mum = app.add_payee(&token, &mother()).await;
    let card = app.bind_card(&token, &test_cards::pays()).await;
    let reply = app
        .api
        .sync(&token, &push(None, vec![intent(mum, "1500", Some(card))]))
        .await
        .unwrap();
    let IntentState::Paid {
        receipt_no, amount, ..
    } = &reply.intents[0].state
    else {
        panic!("paid: {:?}", reply.intents[0].state);
    };
    assert_eq!(amount.to_string(), "1500");
    assert!(!receipt_no.is_empty());
}

async fn a_slow_banks_signed_notification_settles_the_payment(app: &TestApp) {
    let token = app.account("13800000001").await;
    let mum = app.add_payee(&token, &mother()).await;
    let dad = app.add_payee(&token, &father()).await;
    let card = app.bind_card(&token, &test_cards::pays()).await;
    let slow_card = app.bind_card(&token, &test_cards::delayed()).await;
    let first = app
        .api
        .sync(
            &token,
            &push(
                None,
                vec![
                    intent(mum, "1500", Some(card)),
                    intent(dad, "500", Some(slow_card)),
                ],
            ),
        )
        .await
        .unwrap();
    assert_eq!(states(&first), ["paid", "submitted"]);

    tokio::time::sleep(Duration::from_millis(1200)).await;
    let later = app
        .api
        .sync(&token, &pull(Some(first.cursor)))
        .await
        .unwrap();
    let dad_result = later.intents.iter().find(|i| i.payee_id == dad);
    assert_eq!(
        state_name(&dad_result.expect("dad's intent changed").state),
        "paid"
    );
    assert!(
        later.payees.iter().all(|p| matches!(
            p.check,
            PayeeCheck::Verified {
                paid_this_year: true,
                ..
            }
        )),
        "{:?}",
        later.payees
    );
    assert_eq!(app.paid_contributions().await, 2);
    let summary = yanglao_server::payments::ledger::year_summary(&app.db, 2026)
        .await
        .unwrap();
    assert_eq!(
        (summary.paid_in_app, summary.paid_fen, summary.charging),
        (2, 200_000, 0)
    );
}

async fn a_lost_notification_is_settled_by_reconciliation(app: &TestApp) {
    let token = app.account("13800000003").await;
    let dad = app.add_payee(&token, &father()).await;
    let card = app
        .bind_card(&token, &test_cards::lost_notification())
        .await;
    let first = app
        .api
        .sync(&token, &push(None, vec![intent(dad, "2000", Some(card))]))
        .await
        .unwrap();
    assert_eq!(states(&first), ["submitted"]);
    tokio::time::sleep(Duration::from_millis(600)).await;
    // No notification came: still submitted.
    let still = app.api.sync(&token, &pull(None)).await.unwrap();
    assert_eq!(states(&still), ["submitted"]);
    app.clock.set(IN_WINDOW + time::Duration::seconds(60));
    let settled = reconcile_once(&app.server.state).await.unwrap();
    assert_eq!(settled, 1);
    let after = app.api.sync(&token, &pull(None)).await.unwrap();
    assert_eq!(states(&after), ["paid"]);
    assert_eq!(app.paid_contributions().await, 1);
}
