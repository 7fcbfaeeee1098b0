//! The rules, decided by the server's clock and roster, each refusal with its code: the
//! window, the tiers, who may pay, what is already paid, and a payment waiting for a card.

use time::macros::datetime;
use yanglao_server::gateway::sandbox::test_cards;
use yanglao_shared::window::WindowState;
use yanglao_shared::wire::{IntentState, PaymentIntent};

use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    an_intent_arriving_after_the_window_is_refused_and_not_charged,
    an_intent_without_a_card_waits_and_is_paid_once_a_card_is_attached,
    the_300_tier_is_allowed_for_the_severely_disabled,
    the_300_tier_is_refused_to_everyone_else,
    a_pensioner_is_refused_as_drawing_a_pension,
    a_past_year_already_paid_is_not_needed,
);

/// Pays one intent for `person` with a card that pays; returns its state.
async fn pay(app: &TestApp, person: &Person, edit: impl FnOnce(&mut PaymentIntent)) -> IntentState {
    let token = app.account("13800000008").await;
    let card = app.bind_card(&token, &test_cards::pays()).await;
    let payee = app.add_payee(&token, person).await;
    let mut sent = intent(payee, "500", Some(card));
    edit(&mut sent);
    let reply = app.api.sync(&token, &push(None, vec![sent])).await.unwrap();
    reply.intents[0].state.clone()
}

async fn an_intent_arriving_after_the_window_is_refused_and_not_charged(app: &TestApp) {
    // Prepared on the evening of 30 April, arrives at 01:00 on 1 May in Wendeng (17:00 UTC).
    app.clock.set(datetime!(2026-04-30 17:00 UTC));
    // Registered now: a session from the template's day would have expired.
    let token = app.register("13800000096").await;
    let mum = app.add_payee(&token, &mother()).await;
    let card = app.bind_card(&token, &test_cards::pays()).await;
    let late = PaymentIntent {
        prepared_at: datetime!(2026-04-30 22:00 +8),
        ..intent(mum, "500", Some(card))
    };
    let reply = app.api.sync(&token, &push(None, vec![late])).await.unwrap();
    let IntentState::Failed { reason } = &reply.intents[0].state else {
        panic!("failed: {:?}", reply.intents[0].state);
    };
    assert_eq!(reason.code, "window_closed");
    assert!(reason.zh.contains("4月30日"));
    assert!(matches!(reply.window, WindowState::Closed { .. }));
    assert_eq!(app.sandbox.order_count(), 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM contributions WHERE intent_id IS NOT NULL")
            .await,
        0
    );
}

async fn an_intent_without_a_card_waits_and_is_paid_once_a_card_is_attached(app: &TestApp) {
    let token = app.account("13800000007").await;
    let mum = app.add_payee(&token, &mother()).await;
    let waiting = intent(mum, "500", None);
    let first = app
        .api
        .sync(&token, &push(None, vec![waiting.clone()]))
        .await
        .unwrap();
    assert_eq!(states(&first), ["awaiting_payment"]);
    let card = app.bind_card(&token, &test_cards::pays()).await;
    let completed = PaymentIntent {
        method_id: Some(card),
        ..waiting
    };
    let second = app
        .api
        .sync(&token, &push(None, vec![completed]))
        .await
        .unwrap();
    assert_eq!(states(&second), ["paid"]);
}

async fn the_300_tier_is_allowed_for_the_severely_disabled(app: &TestApp) {
    let state = pay(app, &disabled_neighbour(), |i| i.tier = tier("300")).await;
    assert_eq!((state_name(&state), reason_code(&state)), ("paid", None));
}

async fn the_300_tier_is_refused_to_everyone_else(app: &TestApp) {
    let state = pay(app, &mother(), |i| i.tier = tier("300")).await;
    assert_eq!(
        (state_name(&state), reason_code(&state)),
        ("failed", Some("tier_restricted"))
    );
}

async fn a_pensioner_is_refused_as_drawing_a_pension(app: &TestApp) {
    let state = pay(app, &pensioner(), |_| {}).await;
    assert_eq!(
        (state_name(&state), reason_code(&state)),
        ("failed", Some("drawing_pension"))
    );
}

async fn a_past_year_already_paid_is_not_needed(app: &TestApp) {
    let state = pay(app, &mother(), |i| i.year = 2024).await;
    assert_eq!(
        (state_name(&state), reason_code(&state)),
        ("not_needed", Some("paid_by_someone_else")),
        "2024 was paid"
    );
}
