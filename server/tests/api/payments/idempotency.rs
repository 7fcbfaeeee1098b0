//! The client's intent id is the idempotency key: the same intent sent again, one after
//! another or from three tabs at once, is charged once and answered the same; the same key
//! with other content is refused.

use crate::on_both_stores;
use crate::support::*;
use yanglao_server::gateway::sandbox::test_cards;
use yanglao_shared::wire::PaymentIntent;

on_both_stores!(
    the_same_batch_sent_three_times_is_charged_once_and_answered_the_same,
    the_same_batch_sent_by_three_tabs_at_once_is_charged_once,
    a_reused_intent_id_with_other_content_is_refused_and_changes_nothing,
    one_intent_twice_in_one_push_is_charged_once_and_answered_the_same,
    one_id_twice_in_one_push_with_other_content_refuses_the_second,
    two_intents_for_one_person_year_in_one_push_charge_it_once,
    another_accounts_id_twice_in_one_push_learns_nothing_and_takes_no_year,
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

// A push decides all its payments together (one statement takes every year, one stores every
// new intent); what it holds twice must come out as if they had come one at a time.

async fn one_intent_twice_in_one_push_is_charged_once_and_answered_the_same(app: &TestApp) {
    let token = app.account("13800000002").await;
    let mum = app.add_payee(&token, &mother()).await;
    let card = app.bind_card(&token, &test_cards::pays()).await;
    let sent = intent(mum, "800", Some(card));
    let answer = app
        .api
        .sync(&token, &push(None, vec![sent.clone(), sent.clone()]))
        .await
        .unwrap();
    assert_eq!(answer.intents[0], answer.intents[1]);
    assert_eq!(state_name(&answer.intents[0].state), "paid");
    assert_eq!(app.paid_contributions().await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM intents").await, 1);
    assert_eq!(app.sandbox.order_count(), 1, "the bank saw one order");
}

async fn one_id_twice_in_one_push_with_other_content_refuses_the_second(app: &TestApp) {
    let token = app.account("13800000002").await;
    let mum = app.add_payee(&token, &mother()).await;
    let card = app.bind_card(&token, &test_cards::pays()).await;
    let sent = intent(mum, "800", Some(card));
    let changed = PaymentIntent {
        tier: tier("5000"),
        ..sent.clone()
    };
    let answer = app
        .api
        .sync(&token, &push(None, vec![sent.clone(), changed]))
        .await
        .unwrap();
    let mine: Vec<_> = answer.intents.iter().filter(|i| i.id == sent.id).collect();
    assert_eq!(mine.len(), 2, "each payment of the push is answered");
    assert_eq!(state_name(&mine[0].state), "paid");
    assert_eq!(reason_code(&mine[1].state), Some("idempotency_conflict"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM intents WHERE tier_fen = 500000")
            .await,
        0
    );
    assert_eq!(app.sandbox.order_count(), 1);
}

async fn two_intents_for_one_person_year_in_one_push_charge_it_once(app: &TestApp) {
    let token = app.account("13800000002").await;
    let dad = app.add_payee(&token, &father()).await;
    let card = app.bind_card(&token, &test_cards::pays()).await;
    let (first, second) = (
        intent(dad, "800", Some(card)),
        intent(dad, "1000", Some(card)),
    );
    let answer = app
        .api
        .sync(&token, &push(None, vec![first.clone(), second.clone()]))
        .await
        .unwrap();
    assert_eq!(app.paid_contributions().await, 1);
    assert_eq!(app.sandbox.order_count(), 1, "one person-year, one order");
    let states: Vec<_> = [first.id, second.id]
        .iter()
        .map(|id| {
            let result = answer.intents.iter().find(|i| i.id == *id).unwrap();
            state_name(&result.state)
        })
        .collect();
    // The one that took the year is paid; the other waited behind it, and is told it is not
    // needed once the year is paid (at once or on the next sync).
    assert_eq!(
        states.iter().filter(|s| **s == "paid").count(),
        1,
        "{states:?}"
    );
    let again = app.api.sync(&token, &push(None, vec![])).await.unwrap();
    let mut states: Vec<_> = again
        .intents
        .iter()
        .filter(|i| [first.id, second.id].contains(&i.id))
        .map(|i| state_name(&i.state))
        .collect();
    states.sort_unstable();
    assert_eq!(states, ["not_needed", "paid"]);
}

async fn another_accounts_id_twice_in_one_push_learns_nothing_and_takes_no_year(app: &TestApp) {
    let a = app.account("13800000002").await;
    let mum = app.add_payee(&a, &mother()).await;
    let card = app.bind_card(&a, &test_cards::pays()).await;
    let paid = intent(mum, "800", Some(card));
    app.api
        .sync(&a, &push(None, vec![paid.clone()]))
        .await
        .unwrap();
    let b = app.account("13700000002").await;
    let b_dad = app.add_payee(&b, &father()).await;
    let b_card = app.bind_card(&b, &test_cards::pays()).await;
    let replay = PaymentIntent {
        id: paid.id,
        ..intent(b_dad, "500", Some(b_card))
    };
    let years = "SELECT COUNT(*) FROM contributions";
    let before = app.count(years).await;
    let replayed = app
        .api
        .sync(&b, &push(None, vec![replay.clone(), replay]))
        .await
        .unwrap();
    let codes: Vec<_> = replayed
        .intents
        .iter()
        .map(|i| reason_code(&i.state))
        .collect();
    assert_eq!(codes, [Some("id_conflict"), Some("id_conflict")]);
    let text = serde_json::to_string(&replayed).unwrap();
    assert!(!text.contains("receipt_no"), "{text}");
    assert_eq!(
        app.paid_contributions().await,
        1,
        "B's father's year untouched"
    );
    assert_eq!(app.count(years).await, before, "no year taken or held");
    assert_eq!(app.sandbox.order_count(), 1);
}
