//! The ledger's guarantee: a person-year is charged once, however many payers race for it,
//! and a decline takes nothing, so the next payer can pay.

use std::collections::HashMap;

use yanglao_server::gateway::sandbox::test_cards;

use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    a_person_year_is_charged_once_when_twenty_payers_race,
    a_decline_says_why_and_takes_no_person_year,
    after_a_decline_another_payer_can_pay_the_same_year,
);

async fn a_person_year_is_charged_once_when_twenty_payers_race(app: &TestApp) {
    let mut payers = Vec::new();
    for i in 0..20 {
        let token = app.account(&racer(i)).await;
        let payee = app.add_payee(&token, &mother()).await;
        let card = app.bind_card(&token, &test_cards::pays()).await;
        payers.push((token, payee, card));
    }
    let answers = futures::future::join_all(payers.iter().map(|(token, payee, card)| {
        let batch = push(None, vec![intent(*payee, "1000", Some(*card))]);
        async move { app.api.sync(token, &batch).await }
    }))
    .await;
    for answer in answers {
        let answer = answer.expect("every sync answers");
        // Paid, not needed, or (while the first payer's bank answers) submitted: never failed.
        assert!(["paid", "not_needed", "submitted"].contains(&states(&answer)[0]));
    }
    // Once the dust settles (the bank's answer to the one charge is in) every payer sees the
    // truth.
    app.until_charges_settle().await;
    let mut counts = HashMap::new();
    for (token, _, _) in &payers {
        let now = app.api.sync(token, &pull(None)).await.unwrap();
        *counts.entry(states(&now)[0]).or_insert(0) += 1;
    }
    assert_eq!(counts.get("paid"), Some(&1), "{counts:?}");
    assert_eq!(
        counts.get("not_needed").copied().unwrap_or(0),
        19,
        "{counts:?}"
    );
    assert_eq!(app.paid_contributions().await, 1);
    assert_eq!(app.sandbox.order_count(), 1);
}

/// The daughter's card has too little money for her mother's 2026.
async fn declined(app: &TestApp) -> yanglao_shared::wire::SyncResponse {
    let daughter = app.account("13800000004").await;
    let mum = app.add_payee(&daughter, &mother()).await;
    let poor_card = app
        .bind_card(&daughter, &test_cards::insufficient_funds())
        .await;
    let batch = push(None, vec![intent(mum, "1000", Some(poor_card))]);
    app.api.sync(&daughter, &batch).await.unwrap()
}

async fn a_decline_says_why_and_takes_no_person_year(app: &TestApp) {
    let reply = declined(app).await;
    let yanglao_shared::wire::IntentState::Failed { reason } = &reply.intents[0].state else {
        panic!("failed: {:?}", reply.intents[0].state);
    };
    assert_eq!(reason.code, "declined_insufficient_funds");
    assert!(reason.zh.contains("余额不足"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM contributions WHERE intent_id IS NOT NULL")
            .await,
        0
    );
}

async fn after_a_decline_another_payer_can_pay_the_same_year(app: &TestApp) {
    declined(app).await;
    let son = app.account("13800000005").await;
    let mum = app.add_payee(&son, &mother()).await;
    let good_card = app.bind_card(&son, &test_cards::pays()).await;
    let paid = app
        .api
        .sync(
            &son,
            &push(None, vec![intent(mum, "1000", Some(good_card))]),
        )
        .await
        .unwrap();
    assert_eq!(states(&paid), ["paid"]);
}
