//! A payer's own label for a person (妈妈): validated by the shared rule with its code and
//! Chinese sentence, applied once per change id however often it is sent, pulled by the
//! payer's other phone, and never seen by another payer of the same person in any answer.

use reqwest::Method;
use serde_json::json;
use uuid::Uuid;
use yanglao_shared::wire::{PayeeView, SyncRequest, WIRE_VERSION};

use crate::on_both_stores;
use crate::support::client::RawAnswer;
use crate::support::*;

on_both_stores!(
    two_payers_of_one_person_each_see_only_their_own_label,
    a_label_reaches_the_payers_other_phone_on_its_next_pull,
    a_change_sent_again_is_applied_once_and_never_undoes_a_newer_one,
    a_bad_label_is_refused_with_the_rules_code_and_a_chinese_sentence,
    a_label_is_cleared_with_null_and_only_on_the_accounts_own_people,
);

async fn put_label(
    app: &TestApp,
    token: &str,
    payee: Uuid,
    change: Uuid,
    label: Option<&str>,
) -> RawAnswer {
    let body = json!({ "id": change, "label": label });
    app.api
        .raw(
            Method::PUT,
            &format!("/payees/{payee}/label"),
            Some(token),
            Some(serde_json::to_vec(&body).unwrap()),
        )
        .await
}

async fn labelled(app: &TestApp, token: &str, payee: Uuid, label: &str) -> PayeeView {
    let answer = put_label(app, token, payee, Uuid::new_v4(), Some(label)).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    serde_json::from_slice(&answer.bytes).unwrap()
}

fn label_of(views: &[PayeeView], id: Uuid) -> Option<String> {
    let view = views.iter().find(|v| v.id == id).expect("listed");
    view.label.as_ref().map(|l| l.as_str().to_owned())
}

fn first_sync() -> SyncRequest {
    SyncRequest {
        version: WIRE_VERSION,
        cursor: None,
        payees: vec![],
        intents: vec![],
    }
}

/// Every answer a payer can get without naming an id: each GET of the OpenAPI document with
/// no path parameter (but the document itself, the same for everyone), and a first sync.
async fn everything_seen_by(app: &TestApp, token: &str) -> String {
    let doc = app.api.openapi().await;
    let mut seen = String::new();
    for (path, ops) in &doc.paths {
        if path.contains('{') || !ops.contains_key("get") || path.starts_with("/openapi") {
            continue;
        }
        let answer = app.api.raw(Method::GET, path, Some(token), None).await;
        assert!(answer.status.as_u16() < 500, "{path}: {}", answer.status);
        seen.push_str(&String::from_utf8_lossy(&answer.bytes));
    }
    let body = serde_json::to_vec(&first_sync()).unwrap();
    let sync = app
        .api
        .raw(Method::POST, "/sync", Some(token), Some(body))
        .await;
    assert_eq!(sync.status, 200);
    seen.push_str(sync.text());
    seen
}

async fn two_payers_of_one_person_each_see_only_their_own_label(app: &TestApp) {
    let son = app.account("13800000001").await;
    let daughter = app.account("13800000002").await;
    let his = app.add_payee(&son, &mother()).await;
    let hers = app.add_payee(&daughter, &mother()).await;
    let answer = labelled(app, &son, his, "阿妈").await;
    assert_eq!(answer.label.unwrap().as_str(), "阿妈");
    labelled(app, &daughter, hers, "婆婆").await;

    assert_eq!(
        label_of(&app.api.payees(&son).await.unwrap(), his).as_deref(),
        Some("阿妈")
    );
    assert_eq!(
        label_of(&app.api.payees(&daughter).await.unwrap(), hers).as_deref(),
        Some("婆婆")
    );
    let pulled = app.api.sync(&son, &first_sync()).await.unwrap();
    assert_eq!(label_of(&pulled.payees, his).as_deref(), Some("阿妈"));

    let his_answers = everything_seen_by(app, &son).await;
    let her_answers = everything_seen_by(app, &daughter).await;
    assert!(
        his_answers.contains("阿妈") && !his_answers.contains("婆婆"),
        "{his_answers}"
    );
    assert!(
        her_answers.contains("婆婆") && !her_answers.contains("阿妈"),
        "{her_answers}"
    );
}

async fn a_label_reaches_the_payers_other_phone_on_its_next_pull(app: &TestApp) {
    let token = app.account("13800000001").await;
    let mum = app.add_payee(&token, &mother()).await;
    let dad = app.add_payee(&token, &father()).await;
    // The other phone has everything up to here.
    let before = app.api.sync(&token, &first_sync()).await.unwrap();
    assert_eq!(label_of(&before.payees, mum), None);

    labelled(app, &token, mum, "妈妈").await;
    let later = SyncRequest {
        cursor: Some(before.cursor),
        ..first_sync()
    };
    let pulled = app.api.sync(&token, &later).await.unwrap();
    assert_eq!(
        pulled.payees.len(),
        1,
        "only the person whose label changed"
    );
    assert_eq!(label_of(&pulled.payees, mum).as_deref(), Some("妈妈"));
    assert!(pulled.cursor > before.cursor);
    let again = SyncRequest {
        cursor: Some(pulled.cursor),
        ..first_sync()
    };
    assert!(app
        .api
        .sync(&token, &again)
        .await
        .unwrap()
        .payees
        .is_empty());
    assert_eq!(label_of(&app.api.payees(&token).await.unwrap(), dad), None);
}

async fn a_change_sent_again_is_applied_once_and_never_undoes_a_newer_one(app: &TestApp) {
    let token = app.account("13800000001").await;
    let mum = app.add_payee(&token, &mother()).await;
    let first = Uuid::new_v4();
    assert_eq!(
        put_label(app, &token, mum, first, Some("妈妈"))
            .await
            .status,
        200
    );
    // The payer's other phone renames her; then the first phone's retry arrives late.
    labelled(app, &token, mum, "老妈").await;
    let retry = put_label(app, &token, mum, first, Some(" 妈妈 ")).await;
    assert_eq!(retry.status, 200, "{}", retry.text());
    let retried: PayeeView = serde_json::from_slice(&retry.bytes).unwrap();
    assert_eq!(
        retried.label.unwrap().as_str(),
        "老妈",
        "the retry changed nothing"
    );
    assert_eq!(
        label_of(&app.api.payees(&token).await.unwrap(), mum).as_deref(),
        Some("老妈")
    );

    let clash = put_label(app, &token, mum, first, Some("娘")).await;
    assert_eq!(clash.status, 409);
    assert_eq!(clash.code().as_deref(), Some("idempotency_conflict"));
    let other = app.account("13800000002").await;
    let hers = app.add_payee(&other, &mother()).await;
    let stolen = put_label(app, &other, hers, first, Some("妈妈")).await;
    assert_eq!(stolen.status, 409);
    assert_eq!(stolen.code().as_deref(), Some("id_conflict"));
    assert_eq!(label_of(&app.api.payees(&other).await.unwrap(), hers), None);
}

async fn a_bad_label_is_refused_with_the_rules_code_and_a_chinese_sentence(app: &TestApp) {
    let token = app.account("13800000001").await;
    let mum = app.add_payee(&token, &mother()).await;
    for (label, code) in [
        ("一二三四五六七八九十一", "label_too_long"),
        ("   ", "label_empty"),
        ("妈\n妈", "label_control"),
        ("妈妈371081", "label_digits"),
    ] {
        let answer = put_label(app, &token, mum, Uuid::new_v4(), Some(label)).await;
        assert_eq!(answer.status, 422, "{label:?}: {}", answer.text());
        assert_eq!(answer.code().as_deref(), Some(code));
        assert!(answer.text().contains("称呼"), "{}", answer.text());
    }
    let counted = put_label(app, &token, mum, Uuid::from_u128(7), Some("妈妈")).await;
    assert_eq!(counted.status, 422);
    assert_eq!(counted.code().as_deref(), Some("invalid_id"));
    let unknown_field = app
        .api
        .raw(
            Method::PUT,
            &format!("/payees/{mum}/label"),
            Some(&token),
            Some(br#"{"id":"5d3c2b1a-0f9e-4d8c-b7a6-958473625140","label":"a","x":1}"#.to_vec()),
        )
        .await;
    assert_eq!(unknown_field.status, 422);
    assert_eq!(unknown_field.code().as_deref(), Some("invalid_body"));
    assert_eq!(label_of(&app.api.payees(&token).await.unwrap(), mum), None);
}

async fn a_label_is_cleared_with_null_and_only_on_the_accounts_own_people(app: &TestApp) {
    let token = app.account("13800000001").await;
    let mum = app.add_payee(&token, &mother()).await;
    labelled(app, &token, mum, "妈妈").await;
    let cleared = put_label(app, &token, mum, Uuid::new_v4(), None).await;
    assert_eq!(cleared.status, 200, "{}", cleared.text());
    assert!(
        !cleared.text().contains("label"),
        "no label field: {}",
        cleared.text()
    );
    assert_eq!(label_of(&app.api.payees(&token).await.unwrap(), mum), None);

    let stranger = app.account("13800000002").await;
    let foreign = put_label(app, &stranger, mum, Uuid::new_v4(), Some("妈妈")).await;
    assert_eq!(foreign.status, 404, "{}", foreign.text());
    app.api.remove_payee(&token, mum).await.unwrap();
    let gone = put_label(app, &token, mum, Uuid::new_v4(), Some("妈妈")).await;
    assert_eq!(gone.status, 404);
}
