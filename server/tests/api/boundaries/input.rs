//! Bad input gets a status and a code, and writes nothing. Bodies here are deliberately
//! malformed, so they are written as raw JSON where the wire types cannot express them.

use reqwest::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;
use yanglao_shared::wire::{BindCard, NewPayee, SyncRequest};

use crate::on_both_stores;
use crate::support::client::RawAnswer;
use crate::support::*;

on_both_stores!(
    malformed_json_is_refused_as_malformed_json,
    a_body_of_the_wrong_type_is_an_invalid_body,
    a_tier_that_is_not_whole_yuan_is_an_invalid_body,
    an_unknown_field_in_an_intent_is_an_invalid_body,
    an_amount_that_is_not_a_tier_is_refused_and_recorded_once,
    an_unsupported_wire_version_is_refused,
    a_body_over_the_size_limit_is_refused_as_too_large,
    an_invalid_id_number_is_refused_in_plain_chinese,
    a_card_number_failing_its_check_digit_is_refused,
    an_unknown_route_answers_no_such_route,
);

/// An account with mother on its list; the rows of intents, payees and cards so far.
async fn account(app: &TestApp) -> (String, Uuid, i64) {
    let token = app.account("13700000003").await;
    let mum = app.add_payee(&token, &mother()).await;
    (token, mum, rows(app).await)
}

async fn rows(app: &TestApp) -> i64 {
    app.count(
        "SELECT (SELECT COUNT(*) FROM intents) + (SELECT COUNT(*) FROM payees) \
         + (SELECT COUNT(*) FROM methods)",
    )
    .await
}

async fn raw_sync(app: &TestApp, token: &str, body: impl Into<Vec<u8>>) -> RawAnswer {
    app.api
        .raw(Method::POST, "/sync", Some(token), Some(body.into()))
        .await
}

/// A one-intent sync body with `edit` applied to the intent's JSON.
fn sync_body(mum: Uuid, edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let mut sent = serde_json::to_value(intent(mum, "500", None)).unwrap();
    edit(&mut sent);
    serde_json::to_vec(&json!({ "version": 1, "cursor": null, "intents": [sent] })).unwrap()
}

async fn malformed_json_is_refused_as_malformed_json(app: &TestApp) {
    let (token, _, before) = account(app).await;
    let reply = raw_sync(app, &token, "{\"version\": 1,").await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.code().as_deref(), Some("malformed_json"));
    assert_eq!(rows(app).await, before);
}

async fn a_body_of_the_wrong_type_is_an_invalid_body(app: &TestApp) {
    let (token, _, before) = account(app).await;
    let reply = raw_sync(app, &token, "{\"version\": \"one\"}").await;
    assert_eq!(reply.code().as_deref(), Some("invalid_body"));
    assert_eq!(rows(app).await, before);
}

async fn a_tier_that_is_not_whole_yuan_is_an_invalid_body(app: &TestApp) {
    let (token, mum, before) = account(app).await;
    let reply = raw_sync(app, &token, sync_body(mum, |i| i["tier"] = json!("500.5"))).await;
    assert_eq!(
        (reply.status, reply.code().as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_body"))
    );
    assert_eq!(rows(app).await, before);
}

async fn an_unknown_field_in_an_intent_is_an_invalid_body(app: &TestApp) {
    let (token, mum, before) = account(app).await;
    let reply = raw_sync(app, &token, sync_body(mum, |i| i["amount"] = json!("1"))).await;
    assert_eq!(reply.code().as_deref(), Some("invalid_body"));
    assert_eq!(rows(app).await, before);
}

/// Recorded as failed, so a replay answers the same: the one row bad input may write.
async fn an_amount_that_is_not_a_tier_is_refused_and_recorded_once(app: &TestApp) {
    let (token, mum, before) = account(app).await;
    let reply = app
        .api
        .sync(&token, &push(None, vec![intent(mum, "600", None)]))
        .await
        .unwrap();
    assert_eq!(reason_code(&reply.intents[0].state), Some("not_a_tier"));
    assert_eq!(rows(app).await, before + 1);
}

async fn an_unsupported_wire_version_is_refused(app: &TestApp) {
    let (token, _, before) = account(app).await;
    let old = SyncRequest {
        version: 9,
        ..pull(None)
    };
    let refused = app.api.sync(&token, &old).await.unwrap_err();
    assert_eq!(refused.code, "unsupported_version");
    assert_eq!(rows(app).await, before);
}

async fn a_body_over_the_size_limit_is_refused_as_too_large(app: &TestApp) {
    let (token, _, before) = account(app).await;
    let huge = "x".repeat(300 * 1024);
    let body = json!({ "version": 1, "cursor": null, "pad": huge });
    let reply = raw_sync(app, &token, serde_json::to_vec(&body).unwrap()).await;
    assert_eq!(
        (reply.status, reply.code().as_deref()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );
    assert_eq!(rows(app).await, before);
}

async fn an_invalid_id_number_is_refused_in_plain_chinese(app: &TestApp) {
    let (token, _, before) = account(app).await;
    let bad = NewPayee {
        id: Uuid::new_v4(),
        name: "王秀英".into(),
        id_number: "371081196805120221".into(),
    };
    let refused = app.api.add_payee(&token, &bad).await.unwrap_err();
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.code.starts_with("id_"), "{}", refused.code);
    assert!(refused.message.contains("身份证"), "{}", refused.message);
    assert_eq!(rows(app).await, before);
}

async fn a_card_number_failing_its_check_digit_is_refused(app: &TestApp) {
    let (token, _, before) = account(app).await;
    let bad = BindCard {
        id: Uuid::new_v4(),
        card_number: "6222020000123456780".into(),
    };
    let refused = app.api.bind_card(&token, &bad).await.unwrap_err();
    assert_eq!(refused.code, "card_checksum");
    assert_eq!(rows(app).await, before);
}

async fn an_unknown_route_answers_no_such_route(app: &TestApp) {
    let token = app.account("13700000003").await;
    let reply = app
        .api
        .raw(Method::GET, "/nothing-here", Some(&token), None)
        .await;
    assert_eq!(reply.code().as_deref(), Some("no_such_route"));
}
