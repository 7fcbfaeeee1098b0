//! Inputs that look almost right are refused, and every `/api/v1` refusal is JSON with a
//! code, including the ones made before a handler runs.

use reqwest::Method;
use uuid::Uuid;
use yanglao_server::gateway::sandbox::test_cards;
use yanglao_shared::wire::NewPayee;

use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    a_tier_written_with_an_exponent_is_refused_and_nothing_is_charged,
    an_intent_with_the_nil_uuid_is_answered_and_not_stored,
    a_payee_with_the_nil_uuid_is_refused,
    refusals_made_before_a_handler_are_json_too,
    the_same_person_twice_on_one_list_is_refused_as_already_there,
);

async fn a_tier_written_with_an_exponent_is_refused_and_nothing_is_charged(app: &TestApp) {
    let token = app.register("13800000081").await;
    let mum = app.add_payee(&token, &mother()).await;
    let card = app.bind_card(&token, &test_cards::pays()).await;
    let mut body = serde_json::to_value(push(None, vec![intent(mum, "500", Some(card))])).unwrap();
    for tier in [
        serde_json::json!("1e3"),
        serde_json::json!(1e3),
        serde_json::json!("500.0e0"),
    ] {
        body["intents"][0]["tier"] = tier.clone();
        let answer = app
            .api
            .raw(
                Method::POST,
                "/sync",
                Some(&token),
                Some(serde_json::to_vec(&body).unwrap()),
            )
            .await;
        assert_eq!(answer.status, 422, "{tier}: {}", answer.text());
        assert_eq!(answer.code().as_deref(), Some("invalid_body"), "{tier}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM intents").await, 0);
}

async fn an_intent_with_the_nil_uuid_is_answered_and_not_stored(app: &TestApp) {
    let token = app.register("13800000082").await;
    let mum = app.add_payee(&token, &mother()).await;
    let card = app.bind_card(&token, &test_cards::pays()).await;
    let mut nil = intent(mum, "500", Some(card));
    nil.id = Uuid::nil();
    let reply = app.api.sync(&token, &push(None, vec![nil])).await.unwrap();
    assert_eq!(reason_code(&reply.intents[0].state), Some("invalid_id"));
    assert_eq!(app.count("SELECT COUNT(*) FROM intents").await, 0);
    assert_eq!(app.paid_contributions().await, 0);
}

async fn a_payee_with_the_nil_uuid_is_refused(app: &TestApp) {
    let token = app.register("13800000083").await;
    let nil = NewPayee {
        id: Uuid::nil(),
        ..new_payee(&mother())
    };
    let refused = app.api.add_payee(&token, &nil).await.unwrap_err();
    assert_eq!(
        (refused.status.as_u16(), refused.code.as_str()),
        (422, "invalid_id")
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM payees").await, 0);
}

async fn refusals_made_before_a_handler_are_json_too(app: &TestApp) {
    let token = app.register("13800000084").await;
    let cases = [
        (Method::DELETE, "/payees/0", None, 400, "invalid_request"),
        (Method::GET, "/sync", None, 405, "method_not_allowed"),
        (Method::PUT, "/health", None, 405, "method_not_allowed"),
        (
            Method::GET,
            "/receipts/%FF%FE",
            None,
            400,
            "invalid_request",
        ),
        (
            Method::POST,
            "/gateway/notify",
            Some(vec![b'x'; 300 * 1024]),
            413,
            "payload_too_large",
        ),
    ];
    for (method, path, body, status, code) in cases {
        let answer = app.api.raw(method.clone(), path, Some(&token), body).await;
        assert_eq!(answer.status, status, "{method} {path}: {:?}", answer.bytes);
        assert_eq!(answer.code().as_deref(), Some(code), "{method} {path}");
    }
}

/// The second entry for one ID number on one account's list is an answer (409), on SQLite
/// too, whose unique violations name no constraint.
async fn the_same_person_twice_on_one_list_is_refused_as_already_there(app: &TestApp) {
    let token = app.register("13800000085").await;
    app.add_payee(&token, &mother()).await;
    let again = new_payee(&mother());
    let refused = app.api.add_payee(&token, &again).await.unwrap_err();
    assert_eq!(
        (refused.status.as_u16(), refused.code.as_str()),
        (409, "payee_exists")
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM payees").await, 1);
}
