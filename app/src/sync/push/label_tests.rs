//! A payer's own label for a person (妈妈), set offline: kept on the phone at once, sent
//! through the log under its change's own id (the same id on every retry), never overwritten
//! by a pull while it waits, and the server's once answered. Real IndexedDB in headless
//! Chromium, the stand-in server of [`crate::fake_server`].

use std::collections::BTreeSet;

use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;
use yanglao_shared::wire::{LabelChange, SyncResponse};
use yanglao_shared::PayeeLabel;

use super::*;
use crate::fake_server::{calls, restore_fetch, serve, sync_answer};
use crate::fixtures::*;
use crate::model::LocalPayee;
use crate::mutations::Mutation;

async fn fresh(tag: &str) -> (Store, String) {
    let name = format!("yanglao-test-label-{tag}-{}", crate::clock::new_id());
    (Store::open(&name).await.unwrap(), name)
}

async fn drop_db(store: Store, name: &str) {
    store.close();
    crate::store::delete_database(name).await.unwrap();
}

fn label(text: &str) -> PayeeLabel {
    PayeeLabel::parse(text).unwrap()
}

/// A store holding one verified person, as a pull brought them.
async fn with_person(tag: &str) -> (Store, String, LocalPayee) {
    let (store, name) = fresh(tag).await;
    let person = verified_payee(1);
    let pulled = response(1, vec![view_of(&person, verified(false), false)], vec![]);
    let changes = outbox::merge(&[], &[], &BTreeSet::new(), &BTreeSet::new(), &pulled, NOW);
    store
        .apply(&changes, SyncMark { at: NOW }, &[])
        .await
        .unwrap();
    (store, name, person)
}

fn labelled(person: &LocalPayee, text: Option<&str>) -> LocalPayee {
    LocalPayee {
        label: text.map(label),
        ..person.clone()
    }
}

fn put_path(person: &LocalPayee) -> String {
    format!("PUT /api/v1/payees/{}/label", person.id)
}

/// The change a `PUT` call carried.
fn sent_change(call: &str) -> LabelChange {
    let body = call
        .split_once(" {")
        .map(|(_, b)| format!("{{{b}"))
        .expect(call);
    serde_json::from_str(&body).unwrap()
}

async fn stored(store: &Store) -> LocalPayee {
    store.load().await.unwrap().payees.remove(0)
}

#[wasm_bindgen_test]
async fn a_label_set_offline_is_sent_once_online_with_the_same_change_id_on_every_retry() {
    let (store, name, person) = with_person("offline").await;
    assert!(store
        .set_label(person.id, id(50), Some(label("妈妈")))
        .await
        .unwrap());
    let now = stored(&store).await;
    assert_eq!(now.label_text(), Some("妈妈"), "shown at once, offline");
    assert_eq!(now.label_change.as_ref().map(|c| c.id), Some(id(50)));
    assert_eq!(
        store
            .log()
            .await
            .unwrap()
            .iter()
            .map(|l| l.mutation)
            .collect::<Vec<_>>(),
        [Mutation::SetLabel { id: person.id }]
    );

    // Offline: nothing goes, nothing is lost.
    serve(json!({}), true);
    assert!(matches!(
        push(&store, "t").await,
        Err(Trouble::Api(ApiError::Offline))
    ));
    // A weak network: the server is busy once; then a pull from the other phone, which still
    // knows no label, must not undo the one waiting here.
    let busy = r#"{"code":"busy","message":"忙"}"#;
    serve(
        json!({ put_path(&person): { "status": 503, "body": busy } }),
        false,
    );
    calls();
    assert!(push(&store, "t").await.is_err());
    let first = calls();
    let pulled = response(2, vec![view_of(&person, verified(true), false)], vec![]);
    apply_pull(&store, &pulled).await;
    assert_eq!(
        stored(&store).await.label_text(),
        Some("妈妈"),
        "the pull kept it"
    );

    let answer = view_of(&labelled(&person, Some("妈妈")), verified(true), false);
    serve(
        json!({
            put_path(&person): { "status": 200, "body": serde_json::to_string(&answer).unwrap() },
            "POST /api/v1/sync": sync_answer(&response(3, vec![], vec![])),
        }),
        false,
    );
    push(&store, "t").await.unwrap();
    let second = calls();
    restore_fetch();
    let put = |calls: &[String]| {
        calls
            .iter()
            .find(|c| c.starts_with("PUT "))
            .cloned()
            .unwrap()
    };
    assert_eq!(
        sent_change(&put(&first)),
        sent_change(&put(&second)),
        "the same change, same id"
    );
    assert_eq!(
        sent_change(&put(&second)),
        LabelChange {
            id: id(50),
            label: Some("妈妈".into())
        }
    );
    let after = store.load().await.unwrap();
    assert!(after.log.is_empty(), "settled");
    assert_eq!(after.payees[0].label_text(), Some("妈妈"));
    assert_eq!(after.payees[0].label_change, None);
    drop_db(store, &name).await;
}

#[wasm_bindgen_test]
async fn a_second_change_before_sending_rides_the_same_entry_and_a_refusal_pulls_all_again() {
    let (store, name, person) = with_person("twice").await;
    store
        .set_label(person.id, id(50), Some(label("妈妈")))
        .await
        .unwrap();
    store
        .set_label(person.id, id(51), Some(label("老妈")))
        .await
        .unwrap();
    assert_eq!(
        store.log().await.unwrap().len(),
        1,
        "one entry carries the latest"
    );

    let refusal = r#"{"code":"label_too_long","message":"称呼最多10个字"}"#;
    serve(
        json!({
            put_path(&person): { "status": 400, "body": refusal },
            "POST /api/v1/sync": sync_answer(&response(4, vec![view_of(&person, verified(false), false)], vec![])),
        }),
        false,
    );
    calls();
    push(&store, "t").await.unwrap();
    let sent = calls();
    restore_fetch();
    let puts: Vec<_> = sent.iter().filter(|c| c.starts_with("PUT ")).collect();
    assert_eq!(puts.len(), 1, "{sent:?}");
    assert_eq!(sent_change(puts[0]).id, id(51));
    assert_eq!(sent_change(puts[0]).label.as_deref(), Some("老妈"));
    let pull = sent
        .iter()
        .find(|c| c.starts_with("POST /api/v1/sync"))
        .unwrap();
    assert_eq!(
        crate::fake_server::sync_body(pull).cursor,
        None,
        "everything pulled again"
    );
    let after = store.load().await.unwrap();
    assert!(after.log.is_empty(), "not sent again and again");
    assert_eq!(
        after.payees[0].label, None,
        "the server's own (none) shows again"
    );
    drop_db(store, &name).await;
}

#[wasm_bindgen_test]
async fn a_label_set_on_the_other_phone_arrives_with_the_pull_and_a_removed_person_sends_none() {
    let (store, name, person) = with_person("other").await;
    let pulled = response(
        2,
        vec![view_of(
            &labelled(&person, Some("二叔")),
            verified(false),
            false,
        )],
        vec![],
    );
    apply_pull(&store, &pulled).await;
    assert_eq!(stored(&store).await.label_text(), Some("二叔"));

    // Relabelled, then removed before anything went out: only the removal is sent.
    store.set_label(person.id, id(52), None).await.unwrap();
    store.remove_payee(person.id).await.unwrap();
    assert!(
        !store
            .set_label(person.id, id(53), Some(label("妈妈")))
            .await
            .unwrap(),
        "gone"
    );
    serve(
        json!({
            format!("DELETE /api/v1/payees/{}", person.id): { "status": 204, "body": null },
            "POST /api/v1/sync": sync_answer(&response(3, vec![], vec![])),
        }),
        false,
    );
    calls();
    push(&store, "t").await.unwrap();
    let sent = calls();
    restore_fetch();
    assert!(!sent.iter().any(|c| c.starts_with("PUT ")), "{sent:?}");
    assert!(store.log().await.unwrap().is_empty());
    drop_db(store, &name).await;
}

/// Writes a pull into the store as the sync engine does: merged with what the phone holds.
async fn apply_pull(store: &Store, pulled: &SyncResponse) {
    let latest = store.load().await.unwrap();
    let changes = outbox::merge(
        &latest.payees,
        &[],
        &BTreeSet::new(),
        &BTreeSet::new(),
        pulled,
        NOW,
    );
    store
        .apply(&changes, SyncMark { at: NOW }, &[])
        .await
        .unwrap();
}
