//! The push against a stand-in server ([`crate::fake_server`]); the log and the records are
//! real IndexedDB in headless Chromium.

use std::collections::BTreeSet;

use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;
use yanglao_shared::wire::IntentState;

use super::*;
use crate::fake_server::{calls, restore_fetch, serve, sync_answer, sync_body};
use crate::fixtures::*;
use crate::mutations::Mutation;

async fn fresh(tag: &str) -> (Store, String) {
    let name = format!("yanglao-test-push-{tag}-{}", crate::clock::new_id());
    (Store::open(&name).await.unwrap(), name)
}

async fn drop_db(store: Store, name: &str) {
    store.close();
    crate::store::delete_database(name).await.unwrap();
}

fn mutations(log: &[Logged]) -> Vec<Mutation> {
    log.iter().map(|l| l.mutation).collect()
}

#[wasm_bindgen_test]
async fn a_person_removed_offline_is_removed_on_the_server_once_online() {
    let (store, name) = fresh("remove").await;
    // Two people as an earlier pull brought them; a payment for one, then the other removed.
    let (staying, leaving) = (verified_payee(1), verified_payee(2));
    let pulled = response(
        1,
        vec![
            view_of(&staying, verified(false), false),
            view_of(&leaving, verified(false), false),
        ],
        vec![],
    );
    let changes = outbox::merge(&[], &[], &BTreeSet::new(), &BTreeSet::new(), &pulled, NOW);
    store
        .apply(&changes, SyncMark { at: NOW }, &[])
        .await
        .unwrap();
    let payment = intent(10, id(1), IntentState::Queued);
    store
        .prepare_payments(std::slice::from_ref(&payment))
        .await
        .unwrap();
    store.remove_payee(id(2)).await.unwrap();
    let ids = |s: &crate::model::Snapshot| s.payees.iter().map(|p| p.id).collect::<Vec<_>>();
    assert_eq!(ids(&store.load().await.unwrap()), [id(1)], "gone at once");

    serve(json!({}), true);
    assert!(matches!(
        push(&store, "t").await,
        Err(Trouble::Api(ApiError::Offline))
    ));
    assert_eq!(
        mutations(&store.log().await.unwrap()),
        [
            Mutation::PreparePayment { id: id(10) },
            Mutation::RemovePayee { id: id(2) }
        ],
        "kept for the next attempt"
    );

    // Online again. The payment goes first, and its round's pull still lists the person (the
    // removal comes after it in the log): that must not bring them back.
    let delete = format!("DELETE /api/v1/payees/{}", id(2));
    serve(
        json!({
            delete.clone(): { "status": 204, "body": null },
            "POST /api/v1/sync": sync_answer(&response(
                2,
                vec![view_of(&leaving, verified(true), false)],
                vec![result_of(&payment, paid("R-1"))],
            )),
        }),
        false,
    );
    calls();
    assert!(push(&store, "t").await.is_ok());
    let sent = calls();
    restore_fetch();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(
        sync_body(&sent[0])
            .intents
            .iter()
            .map(|i| i.id)
            .collect::<Vec<_>>(),
        [id(10)]
    );
    assert_eq!(sent[1], delete);
    let after = store.load().await.unwrap();
    assert!(after.log.is_empty());
    assert_eq!(ids(&after), [id(1)]);
    assert_eq!(after.cursor, Some(2));
    drop_db(store, &name).await;
}

#[wasm_bindgen_test]
async fn the_push_keeps_the_logs_order_and_a_retry_sends_the_same_ids() {
    let (store, name) = fresh("order").await;
    let first = pending_payee(1);
    let payment = intent(10, id(1), IntentState::Queued);
    let later = pending_payee(3);
    store.add_payee(&first).await.unwrap();
    store
        .prepare_payments(std::slice::from_ref(&payment))
        .await
        .unwrap();
    store.remove_card(id(30)).await.unwrap();
    store.add_payee(&later).await.unwrap();

    // The bank has not answered the payment; the server has not matched person 3 yet.
    let answer = response(
        3,
        vec![view_of(&first, verified(false), false)],
        vec![result_of(&payment, IntentState::Submitted)],
    );
    serve(json!({ "POST /api/v1/sync": sync_answer(&answer) }), false);
    calls();
    push(&store, "t").await.unwrap();
    let sent = calls();
    assert_eq!(sent.len(), 3, "{sent:?}");
    let body = sync_body(&sent[0]);
    assert_eq!(
        body.payees.iter().map(|p| p.id).collect::<Vec<_>>(),
        [id(1)]
    );
    assert_eq!(
        body.intents.iter().map(|i| i.id).collect::<Vec<_>>(),
        [id(10)]
    );
    // The card the server no longer has (404): done all the same.
    assert_eq!(sent[1], format!("DELETE /api/v1/methods/{}", id(30)));
    let body = sync_body(&sent[2]);
    assert_eq!(
        body.payees.iter().map(|p| p.id).collect::<Vec<_>>(),
        [id(3)]
    );
    assert_eq!(
        body.cursor,
        Some(3),
        "the second round pulls from the first's cursor"
    );

    assert_eq!(
        mutations(&store.log().await.unwrap()),
        [
            Mutation::PreparePayment { id: id(10) },
            Mutation::AddPayee { id: id(3) }
        ],
        "what still waits for an answer stays"
    );

    // The next attempt fails halfway through (offline), then goes: same ids, one round.
    serve(json!({}), true);
    assert!(push(&store, "t").await.is_err());
    serve(json!({ "POST /api/v1/sync": sync_answer(&answer) }), false);
    push(&store, "t").await.unwrap();
    let sent = calls();
    restore_fetch();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let body = sync_body(&sent[0]);
    assert_eq!(
        body.intents.iter().map(|i| i.id).collect::<Vec<_>>(),
        [id(10)]
    );
    assert_eq!(
        body.payees.iter().map(|p| p.id).collect::<Vec<_>>(),
        [id(3)]
    );
    drop_db(store, &name).await;
}

#[wasm_bindgen_test]
async fn a_form_discarded_before_sending_never_goes_out() {
    use crate::applications::{ApplicationForm, LocalApplication};
    use yanglao_shared::applications::BackPaymentForm;
    let (store, name) = fresh("discard").await;
    let form = ApplicationForm::BackPayment(BackPaymentForm {
        id: id(5),
        name: "刘伟".into(),
        id_number: "371003197906110069".into(),
        years: vec![2021],
        tier: tier("1500"),
        revision: 0,
    });
    let app = LocalApplication::prepared(form, "刘*".into(), "3710…0069".into(), NOW);
    store.file_application(&app).await.unwrap();
    store.delete_application(id(5)).await.unwrap();

    serve(
        json!({ "POST /api/v1/sync": sync_answer(&response(1, vec![], vec![])) }),
        false,
    );
    calls();
    assert!(push(&store, "t").await.unwrap(), "a form was in the log");
    let sent = calls();
    restore_fetch();
    assert_eq!(sent.len(), 1, "only the pull: {sent:?}");
    assert!(sent[0].starts_with("POST /api/v1/sync "));
    assert!(store.log().await.unwrap().is_empty());
    drop_db(store, &name).await;
}

#[wasm_bindgen_test]
async fn a_removal_refused_for_good_brings_the_person_back_with_a_full_pull() {
    let (store, name) = fresh("refused").await;
    let known = verified_payee(2);
    let pulled = response(1, vec![view_of(&known, verified(false), false)], vec![]);
    let changes = outbox::merge(&[], &[], &BTreeSet::new(), &BTreeSet::new(), &pulled, NOW);
    store
        .apply(&changes, SyncMark { at: NOW }, &[])
        .await
        .unwrap();
    store.remove_payee(id(2)).await.unwrap();

    let refusal = r#"{"code":"forbidden","message":"没有权限"}"#;
    serve(
        json!({
            format!("DELETE /api/v1/payees/{}", id(2)): { "status": 403, "body": refusal },
            "POST /api/v1/sync": sync_answer(&response(
                3,
                vec![view_of(&known, verified(false), false)],
                vec![],
            )),
        }),
        false,
    );
    calls();
    push(&store, "t").await.unwrap();
    let sent = calls();
    restore_fetch();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(
        sync_body(&sent[1]).cursor,
        None,
        "the server kept the person: everything is pulled again"
    );
    let after = store.load().await.unwrap();
    assert!(after.log.is_empty(), "not sent again and again");
    assert_eq!(
        after.payees.iter().map(|p| p.id).collect::<Vec<_>>(),
        [id(2)],
        "back on the phone, as the server has them"
    );
    drop_db(store, &name).await;
}

#[wasm_bindgen_test]
async fn the_last_sync_is_marked_by_the_servers_clock_not_the_phones() {
    let (store, name) = fresh("mark").await;
    // The phone's own clock says today; the server's says the first day of a window.
    let server_time = time::macros::datetime!(2031-03-01 9:00 +8);
    assert_ne!(crate::clock::now().date(), server_time.date());
    let mut answer = response(1, vec![], vec![]);
    answer.server_time = server_time;
    serve(json!({ "POST /api/v1/sync": sync_answer(&answer) }), false);
    push(&store, "t").await.unwrap();
    restore_fetch();
    let after = store.load().await.unwrap();
    assert_eq!(
        after.last_sync,
        Some(SyncMark { at: server_time }),
        "上次同步 is the server's"
    );
    // The clock offset is still learnt against the phone's own clock.
    let window = after.window.unwrap();
    assert_eq!(window.clock.server_time, server_time);
    assert_ne!(window.clock.seen_at, server_time);
    drop_db(store, &name).await;
}
