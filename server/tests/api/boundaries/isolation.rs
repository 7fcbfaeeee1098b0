//! One account never sees or changes another's people, cards or intents, and nothing but the
//! public routes answers without a session.

use reqwest::{Method, StatusCode};
use uuid::Uuid;
use yanglao_server::gateway::sandbox::test_cards;
use yanglao_server::http::openapi::routes;
use yanglao_shared::wire::PaymentIntent;

use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    another_accounts_people_cards_and_intents_are_invisible,
    another_accounts_person_or_card_cannot_be_removed,
    another_accounts_person_cannot_be_paid_for,
    another_accounts_card_cannot_pay_for_ones_own_person,
    replaying_another_accounts_intent_id_learns_nothing,
    another_accounts_payee_id_cannot_be_reused,
    every_secured_route_refuses_a_request_without_a_session,
);

/// Account A, who paid 2026 for mother with a card.
struct A {
    mum: Uuid,
    card: Uuid,
    paid: PaymentIntent,
}

async fn a_paid_for_mother(app: &TestApp) -> A {
    let a = app.account("13700000001").await;
    let mum = app.add_payee(&a, &mother()).await;
    let card = app.bind_card(&a, &test_cards::pays()).await;
    let paid = intent(mum, "500", Some(card));
    let reply = app
        .api
        .sync(&a, &push(None, vec![paid.clone()]))
        .await
        .unwrap();
    assert_eq!(states(&reply), ["paid"]);
    A { mum, card, paid }
}

async fn another_accounts_people_cards_and_intents_are_invisible(app: &TestApp) {
    a_paid_for_mother(app).await;
    let b = app.account("13700000002").await;
    assert_eq!(app.api.payees(&b).await.unwrap(), []);
    assert_eq!(app.api.methods(&b).await.unwrap(), []);
    let b_sync = app.api.sync(&b, &pull(None)).await.unwrap();
    assert_eq!(b_sync.intents, []);
    assert_eq!(b_sync.payees, []);
    assert_eq!(b_sync.methods, []);
}

async fn another_accounts_person_or_card_cannot_be_removed(app: &TestApp) {
    let a = a_paid_for_mother(app).await;
    let b = app.account("13700000002").await;
    let person = app.api.remove_payee(&b, a.mum).await.unwrap_err();
    assert_eq!(person.status, StatusCode::NOT_FOUND);
    let card = app.api.remove_card(&b, a.card).await.unwrap_err();
    assert_eq!(card.status, StatusCode::NOT_FOUND);
}

async fn another_accounts_person_cannot_be_paid_for(app: &TestApp) {
    let a = a_paid_for_mother(app).await;
    let b = app.account("13700000002").await;
    let stolen = app
        .api
        .sync(&b, &push(None, vec![intent(a.mum, "500", Some(a.card))]))
        .await
        .unwrap();
    assert_eq!(reason_code(&stolen.intents[0].state), Some("unknown_payee"));
}

async fn another_accounts_card_cannot_pay_for_ones_own_person(app: &TestApp) {
    let a = a_paid_for_mother(app).await;
    let b = app.account("13700000002").await;
    let b_dad = app.add_payee(&b, &father()).await;
    let stolen = app
        .api
        .sync(&b, &push(None, vec![intent(b_dad, "500", Some(a.card))]))
        .await
        .unwrap();
    assert_eq!(states(&stolen), ["awaiting_payment"], "A's card is not B's");
}

async fn replaying_another_accounts_intent_id_learns_nothing(app: &TestApp) {
    let a = a_paid_for_mother(app).await;
    let b = app.account("13700000002").await;
    let b_dad = app.add_payee(&b, &father()).await;
    let replay = PaymentIntent {
        id: a.paid.id,
        ..intent(b_dad, "500", None)
    };
    let replayed = app.api.sync(&b, &push(None, vec![replay])).await.unwrap();
    assert_eq!(reason_code(&replayed.intents[0].state), Some("id_conflict"));
    let text = serde_json::to_string(&replayed).unwrap();
    assert!(!text.contains("receipt_no"), "{text}");
}

async fn another_accounts_payee_id_cannot_be_reused(app: &TestApp) {
    let a = a_paid_for_mother(app).await;
    let b = app.account("13700000002").await;
    let taken = yanglao_shared::wire::NewPayee {
        id: a.mum,
        ..new_payee(&mother())
    };
    let refused = app.api.add_payee(&b, &taken).await.unwrap_err();
    assert_eq!(refused.code, "id_conflict");
}

async fn every_secured_route_refuses_a_request_without_a_session(app: &TestApp) {
    for route in routes() {
        if route.secured {
            let path = route.path.replace("{id}", &Uuid::new_v4().to_string());
            let method: Method = route.method.to_uppercase().parse().unwrap();
            let reply = app
                .api
                .raw(method.clone(), &path, None, Some(b"{}".to_vec()))
                .await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{method} {path}");
            assert_eq!(reply.code().as_deref(), Some("unauthorized"));
        }
    }
}
