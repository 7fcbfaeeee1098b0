//! The client's intent id is the idempotency key: the same intent sent again, one after
//! another or from three tabs at once, is charged once and answered the same; the same key
//! with other content is refused.

use crate::on_both_stores;
use crate::support::*;
use yanglao_server::gateway::sandbox::test_cards;

on_both_stores!(
    the_same_batch_sent_three_times_is_charged_once_and_answered_the_same,
    the_same_batch_sent_by_three_tabs_at_once_is_charged_once,
    a_reused_intent_id_with_other_content_is_refused_and_changes_nothing,
);

async fn the_same_batch_sent_three_times_is_charged_once_and_answered_the_same(app: &TestApp) {
    let token = app.account("13800000002").await;
    let mum = app.add_payee(&token, &mother()).await;
    let card = app.bind_card(&token, &test_cards::pays()).await;
    let batch = push(None, vec![intent(mum, "800", Some(card))]);
    let mut answers = Vec::new();
    for _ in 0..3 {
        answers.push(app.api.sync(&token, &batch).await.unwrap());
    }
    let first = &answers[0].intents[0];
    for answer in &answers {
        assert_eq!(&answer.intents[0], first);
    }
    assert_eq!(state_name(&first.state), "paid");
    assert_eq!(app.paid_contributions().await, 1);
    assert_eq!(app.sandbox.order_count(), 1, "the bank saw one order");
}

async fn the_same_batch_sent_by_three_tabs_at_once_is_charged_once(app: &TestApp) {
    let token = app.account("13800000002").await;
    let dad = app.add_payee(&token, &father()).await;
    let card = app.bind_card(&token, &test_cards::pays()).await;
    let batch = push(None, vec![intent(dad, "800", Some(card))]);
    let racing = futures::future::join_all((0..3).map(|_| app.api.sync(&token, &batch))).await;
    assert!(racing.iter().all(Result::is_ok), "{racing:?}");
    assert_eq!(app.paid_contributions().await, 1);
    assert_eq!(app.sandbox.order_count(), 1, "the bank saw one order");
}

async fn a_reused_intent_id_with_other_content_is_refused_and_changes_nothing(app: &TestApp) {
    let token = app.account("13800000002").await;
    let mum = app.add_payee(&token, &mother()).await;
    let card = app.bind_card(&token, &test_cards::pays()).await;
    let sent = intent(mum, "800", Some(card));
    app.api
        .sync(&token, &push(None, vec![sent.clone()]))
        .await
        .unwrap();
    let changed = yanglao_shared::wire::PaymentIntent {
        tier: tier("5000"),
        ..sent
    };
    let conflict = app
        .api
        .sync(&token, &push(None, vec![changed]))
        .await
        .unwrap();
    assert_eq!(
        reason_code(&conflict.intents[0].state),
        Some("idempotency_conflict")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM intents WHERE tier_fen = 500000")
            .await,
        0
    );
    assert_eq!(app.sandbox.order_count(), 1);
}
