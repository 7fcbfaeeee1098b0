//! IndexedDB in a real browser (headless Chromium): what is written survives closing and
//! reopening the database, a sync answer lands whole, accounts do not see each other's data.

use std::collections::BTreeSet;

use time::macros::datetime;
use wasm_bindgen_test::wasm_bindgen_test;
use yanglao_shared::wire::{IntentState, Session};

use super::*;
use crate::fixtures::*;
use crate::outbox;

/// A database of its own per test, deleted at the end.
async fn fresh(tag: &str) -> (Store, String) {
    let name = format!("yanglao-test-{tag}-{}", crate::clock::new_id());
    (Store::open(&name).await.unwrap(), name)
}

async fn reopen(store: Store, name: &str) -> Store {
    store.close();
    Store::open(name).await.unwrap()
}

async fn drop_db(store: Store, name: &str) {
    store.close();
    delete_database(name).await.unwrap();
}

/// Writes a record the way an older version did, without the log (which it did not have).
pub(super) async fn put_raw<T: serde::Serialize>(store: &Store, into: &str, key: &str, value: &T) {
    let tx = store.tx(&[into], TransactionMode::Readwrite).unwrap();
    Store::write(&tx, into, key, value).unwrap();
    tx.commit().await.unwrap();
}

fn session(account: u128) -> Session {
    Session {
        token: format!("token-{account}"),
        account_id: id(account),
        mobile_masked: "138****5678".into(),
        expires_at: datetime!(2030-01-01 0:00 UTC),
    }
}

#[wasm_bindgen_test]
async fn what_is_written_is_still_there_after_reopening() {
    let (store, name) = fresh("reopen").await;
    let payee = pending_payee(1);
    let queued = intent(10, id(1), IntentState::Queued);
    store.add_payee(&payee).await.unwrap();
    store
        .prepare_payments(std::slice::from_ref(&queued))
        .await
        .unwrap();
    store.begin_session(&session(7)).await.unwrap();
    store.set(keys::CURSOR, &41i64).await.unwrap();

    let store = reopen(store, &name).await;
    let snapshot = store.load().await.unwrap();
    assert_eq!(snapshot.payees, [payee]);
    assert_eq!(snapshot.intents, [queued]);
    assert_eq!(snapshot.session, Some(session(7)));
    assert_eq!(snapshot.owner, Some(id(7)));
    assert_eq!(snapshot.cursor, Some(41));
    drop_db(store, &name).await;
}

#[wasm_bindgen_test]
async fn a_sync_answer_is_applied_with_its_cursor() {
    let (store, name) = fresh("apply").await;
    let kept = verified_payee(1);
    let gone = verified_payee(2);
    let to_pay = intent(10, id(1), IntentState::Queued);
    let paid_by_other = intent(11, id(1), IntentState::Submitted);
    store.add_payee(&kept).await.unwrap();
    store.add_payee(&gone).await.unwrap();
    store
        .prepare_payments(&[to_pay.clone(), paid_by_other.clone()])
        .await
        .unwrap();

    let snapshot = store.load().await.unwrap();
    let request = outbox::build_request(snapshot.cursor, &snapshot.payees, &snapshot.intents);
    let sent: BTreeSet<_> = request.intents.iter().map(|i| i.id).collect();
    let answer = response(
        12,
        vec![view_of(&gone, verified(false), true)],
        vec![
            result_of(&to_pay, paid("R-1")),
            result_of(&paid_by_other, not_needed()),
        ],
    );
    let changes = outbox::merge(
        &snapshot.payees,
        &snapshot.intents,
        &sent,
        &BTreeSet::new(),
        &answer,
        NOW,
    );
    store
        .apply(&changes, SyncMark { at: NOW }, &[])
        .await
        .unwrap();

    let store = reopen(store, &name).await;
    let after = store.load().await.unwrap();
    let state = |n| {
        after
            .intents
            .iter()
            .find(|i| i.id() == id(n))
            .unwrap()
            .state
            .clone()
    };
    assert_eq!(state(10), paid("R-1"));
    assert_eq!(state(11), not_needed());
    assert_eq!(
        after.payees.iter().map(|p| p.id).collect::<Vec<_>>(),
        [id(1)],
        "removed person is gone"
    );
    assert_eq!(after.cursor, Some(12));
    assert_eq!(after.window.map(|w| w.window), Some(open_window(61)));
    assert_eq!(after.last_sync, Some(SyncMark { at: NOW }));
    drop_db(store, &name).await;
}

#[wasm_bindgen_test]
async fn a_failed_attempt_retries_with_the_same_ids() {
    let (store, name) = fresh("retry").await;
    store.add_payee(&pending_payee(1)).await.unwrap();
    store
        .prepare_payments(&[intent(10, id(1), IntentState::Queued)])
        .await
        .unwrap();
    let first = {
        let s = store.load().await.unwrap();
        outbox::build_request(s.cursor, &s.payees, &s.intents)
    };
    // The POST failed (offline): nothing is applied. The tab is closed and opened again.
    let store = reopen(store, &name).await;
    let s = store.load().await.unwrap();
    let second = outbox::build_request(s.cursor, &s.payees, &s.intents);
    assert_eq!(first, second);
    assert_eq!(second.intents[0].id, id(10));
    assert_eq!(second.payees[0].id, id(1));
    drop_db(store, &name).await;
}

#[wasm_bindgen_test]
async fn the_same_account_keeps_its_outbox_and_another_account_starts_clean() {
    let (store, name) = fresh("accounts").await;
    store.begin_session(&session(7)).await.unwrap();
    store
        .prepare_payments(&[intent(10, id(1), IntentState::Queued)])
        .await
        .unwrap();
    store.set(keys::CURSOR, &5i64).await.unwrap();

    // Logged out (session gone), then in again as the same account: nothing lost.
    store.unset(keys::SESSION).await.unwrap();
    store.begin_session(&session(7)).await.unwrap();
    let same = store.load().await.unwrap();
    assert_eq!(same.intents.len(), 1);
    assert_eq!(same.cursor, Some(5));

    store.begin_session(&session(8)).await.unwrap();
    let other = store.load().await.unwrap();
    assert!(other.intents.is_empty());
    assert!(other.log.is_empty(), "nor the log of what it had not sent");
    assert_eq!(other.cursor, None);
    assert_eq!(other.owner, Some(id(8)));
    drop_db(store, &name).await;
}

#[wasm_bindgen_test]
async fn staff_statistics_survive_reopening_and_leave_with_the_account() {
    use crate::staff::tests::stats;
    use crate::staff::CachedStats;
    let (store, name) = fresh("staff").await;
    store.begin_session(&session(7)).await.unwrap();
    assert!(store.staff_stats().await.unwrap().pick(None).is_none());
    let at = datetime!(2027-03-01 9:00 +8);
    store
        .remember_stats(CachedStats {
            stats: stats(2026, &[(50_000, 2)]),
            at,
        })
        .await
        .unwrap();
    store
        .remember_stats(CachedStats {
            stats: stats(2027, &[(50_000, 1)]),
            at,
        })
        .await
        .unwrap();
    let store = reopen(store, &name).await;
    let cache = store.staff_stats().await.unwrap();
    assert_eq!(cache.pick(None).unwrap().stats.year, 2027);
    assert_eq!(cache.pick(Some(2026)).unwrap().stats.paid, 2);
    assert_eq!(cache.pick(Some(2026)).unwrap().at, at);

    // Another account on this phone must not see the area's figures.
    store.begin_session(&session(8)).await.unwrap();
    assert!(store.staff_stats().await.unwrap().entries.is_empty());
    drop_db(store, &name).await;
}

#[wasm_bindgen_test]
async fn the_unpaid_list_survives_reopening_and_goes_on_logout() {
    use crate::staff::CachedList;
    use yanglao_shared::wire::UnpaidPerson;
    let (store, name) = fresh("unpaid").await;
    store.begin_session(&session(7)).await.unwrap();
    assert_eq!(store.unpaid_list().await.unwrap(), None);
    let list = CachedList {
        year: 2027,
        people: vec![UnpaidPerson {
            name: "刘*".into(),
            id_masked: "371003********0069".into(),
            town: "文登营镇".into(),
            village: "营南村".into(),
        }],
        total: 1,
        at: datetime!(2027-03-01 9:00 +8),
    };
    store.remember_unpaid(&list).await.unwrap();
    let store = reopen(store, &name).await;
    assert_eq!(store.unpaid_list().await.unwrap(), Some(list.clone()));

    store.log_out().await.unwrap();
    assert_eq!(
        store.unpaid_list().await.unwrap(),
        None,
        "forgotten on logout"
    );
    // Nor does another account's login find one kept before (without a logout in between).
    store.begin_session(&session(7)).await.unwrap();
    store.remember_unpaid(&list).await.unwrap();
    store.begin_session(&session(8)).await.unwrap();
    assert_eq!(store.unpaid_list().await.unwrap(), None);
    drop_db(store, &name).await;
}

fn application(n: u128) -> LocalApplication {
    use crate::applications::ApplicationForm;
    use yanglao_shared::applications::EnrolmentForm;
    let form = ApplicationForm::Enrolment(EnrolmentForm {
        id: id(n),
        name: "王芳".into(),
        id_number: "371003199001011237".into(),
        town: "龙山街道".into(),
        village: "西村".into(),
        mobile: "13900000000".into(),
        severely_disabled: false,
        revision: 0,
    });
    LocalApplication::prepared(
        form,
        "*芳".into(),
        "3710…1237".into(),
        datetime!(2027-03-01 9:00 +8),
    )
}

#[wasm_bindgen_test]
async fn a_phone_on_version_1_keeps_its_data_and_gains_applications() {
    let name = format!("yanglao-test-v1-{}", crate::clock::new_id());
    // The database as the first release left it on phones.
    let v1 = idb::open(
        &name,
        1,
        || {},
        |up| {
            for store in V1 {
                up.db.create_object_store(store)?;
            }
            Ok(())
        },
    )
    .await
    .unwrap();
    let old = Store { db: v1 };
    let payee = pending_payee(1);
    put_raw(&old, PAYEES, &payee.id.to_string(), &payee).await;
    old.close();

    let store = Store::open(&name).await.unwrap();
    assert_eq!(store.load().await.unwrap().payees, [payee]);
    let log = store.log().await.unwrap();
    assert_eq!(
        log.iter().map(|l| l.mutation).collect::<Vec<_>>(),
        [crate::mutations::Mutation::AddPayee { id: id(1) }],
        "the person waiting since version 1 is in the log"
    );
    store.put_applications(&[application(5)]).await.unwrap();
    assert_eq!(store.load().await.unwrap().applications, [application(5)]);
    drop_db(store, &name).await;
}

#[wasm_bindgen_test]
async fn applications_survive_reopening_and_leave_with_the_account() {
    let (store, name) = fresh("applications").await;
    store.begin_session(&session(7)).await.unwrap();
    store
        .put_applications(&[application(5), application(6)])
        .await
        .unwrap();
    store.delete_application(id(6)).await.unwrap();
    let store = reopen(store, &name).await;
    assert_eq!(store.applications().await.unwrap(), [application(5)]);
    // Another account on this phone does not see this one's forms.
    store.begin_session(&session(8)).await.unwrap();
    assert!(store.applications().await.unwrap().is_empty());
    drop_db(store, &name).await;
}

/// The log's entries as phones already keep them (`{"AddPayee": {"id": …}}`): every kind is
/// written in that form and read back as itself, and a kind this version does not know is
/// an error, not another kind.
#[wasm_bindgen_test]
fn every_mutation_reads_back_from_the_form_the_log_keeps() {
    use crate::mutations::Mutation;
    let id = crate::clock::new_id();
    for m in [
        Mutation::AddPayee { id },
        Mutation::RemovePayee { id },
        Mutation::RemoveCard { id },
        Mutation::PreparePayment { id },
        Mutation::FileApplication { id },
        Mutation::SetLabel { id },
    ] {
        let text = serde_json::to_string(&m).unwrap();
        let name = format!("{m:?}");
        let variant = name.split(' ').next().unwrap();
        assert_eq!(text, format!(r#"{{"{variant}":{{"id":"{id}"}}}}"#));
        assert_eq!(json::from_text::<Mutation>(&text).unwrap(), m);
    }
    assert!(json::from_text::<Mutation>(&format!(r#"{{"Refund":{{"id":"{id}"}}}}"#)).is_err());
}

/// The policy is kept as the server's answer wrote it (`api::policy`) and comes back as that
/// policy, with the window beside it.
#[wasm_bindgen_test]
async fn the_policy_kept_as_the_server_wrote_it_reads_back_with_its_window() {
    use crate::clock::ServerClock;
    use crate::model::CachedWindow;
    use yanglao_shared::policy::PolicyTable;

    let (store, name) = fresh("policy").await;
    let policy = PolicyTable::builtin().policies.pop().unwrap();
    let answer = serde_json::json!({ "policy": &policy, "other": 1 }).to_string();
    // What api::policy keeps: the answer's `policy`, written back from the parsed tree.
    let json::Json::Obj(tree) = json::parse(&answer).unwrap() else {
        panic!("an object");
    };
    let kept = json::to_text(tree.get("policy").unwrap());
    let window = CachedWindow {
        window: open_window(30),
        clock: ServerClock {
            server_time: datetime!(2026-03-01 9:00 +8),
            seen_at: datetime!(2026-03-01 9:00 +8),
        },
    };
    store.save_window(&window, &kept).await.unwrap();
    let store = reopen(store, &name).await;
    let snapshot = store.load().await.unwrap();
    assert_eq!(snapshot.policy, Some(policy));
    assert_eq!(snapshot.window, Some(window));
    drop_db(store, &name).await;
}
