//! The mutation log in IndexedDB (headless Chromium): offline writes land with their entry, in
//! order and once each; settled entries leave; a phone on version 2 finds what it had queued
//! in the log after the upgrade.

use time::macros::datetime;
use wasm_bindgen_test::wasm_bindgen_test;
use yanglao_shared::wire::IntentState;

use super::super::tests::put_raw;
use super::super::*;
use crate::applications::{ApplicationForm, LocalApplication};
use crate::fixtures::*;
use crate::mutations::Mutation;

async fn fresh(tag: &str) -> (Store, String) {
    let name = format!("yanglao-test-log-{tag}-{}", crate::clock::new_id());
    (Store::open(&name).await.unwrap(), name)
}

async fn drop_db(store: Store, name: &str) {
    store.close();
    delete_database(name).await.unwrap();
}

fn mutations(log: &[Logged]) -> Vec<Mutation> {
    log.iter().map(|l| l.mutation).collect()
}

fn back_payment(n: u128) -> LocalApplication {
    use yanglao_shared::applications::BackPaymentForm;
    let form = ApplicationForm::BackPayment(BackPaymentForm {
        id: id(n),
        name: "刘伟".into(),
        id_number: "371003197906110069".into(),
        years: vec![2021],
        tier: tier("1500"),
        revision: 0,
    });
    LocalApplication::prepared(
        form,
        "刘*".into(),
        "3710…0069".into(),
        datetime!(2027-03-01 9:00 +8),
    )
}

#[wasm_bindgen_test]
async fn offline_writes_are_logged_in_the_order_made_and_once_each() {
    let (store, name) = fresh("order").await;
    let payee = pending_payee(1);
    store.add_payee(&payee).await.unwrap();
    store
        .prepare_payments(&[
            intent(10, id(1), IntentState::Queued),
            intent(11, id(1), IntentState::Queued),
        ])
        .await
        .unwrap();
    store.remove_card(id(30)).await.unwrap();
    store.file_application(&back_payment(5)).await.unwrap();
    // A second tap, a card attached before the first sending, the same payment twice in
    // one batch: still one entry each.
    store
        .prepare_payments(&[
            intent(10, id(1), IntentState::Queued),
            intent(10, id(1), IntentState::Queued),
        ])
        .await
        .unwrap();
    store.file_application(&back_payment(5)).await.unwrap();

    store.close();
    let store = Store::open(&name).await.unwrap();
    let log = store.log().await.unwrap();
    assert_eq!(
        mutations(&log),
        [
            Mutation::AddPayee { id: id(1) },
            Mutation::PreparePayment { id: id(10) },
            Mutation::PreparePayment { id: id(11) },
            Mutation::RemoveCard { id: id(30) },
            Mutation::FileApplication { id: id(5) },
        ]
    );
    assert!(log.windows(2).all(|w| w[0].seq < w[1].seq));
    let snapshot = store.load().await.unwrap();
    assert_eq!(
        snapshot.payees,
        [payee],
        "the record is written with its entry"
    );
    assert_eq!(snapshot.intents.len(), 2);
    assert_eq!(snapshot.applications, [back_payment(5)]);
    drop_db(store, &name).await;
}

#[wasm_bindgen_test]
async fn settled_entries_leave_and_their_numbers_are_never_used_again() {
    let (store, name) = fresh("settle").await;
    store.remove_payee(id(2)).await.unwrap();
    store.remove_card(id(30)).await.unwrap();
    let log = store.log().await.unwrap();
    let last = log.last().unwrap().seq;
    store.settle(log[0].seq).await.unwrap();
    assert_eq!(
        mutations(&store.log().await.unwrap()),
        [Mutation::RemoveCard { id: id(30) }]
    );
    store.settle(last).await.unwrap();
    assert!(store.log().await.unwrap().is_empty());

    // The same removal again (the person removed the card on another tab): a new entry,
    // numbered after everything before it.
    store.remove_card(id(30)).await.unwrap();
    let again = store.log().await.unwrap();
    assert_eq!(again.len(), 1);
    assert!(again[0].seq > last);
    drop_db(store, &name).await;
}

#[wasm_bindgen_test]
async fn a_removal_takes_the_record_off_the_phone_at_once() {
    let (store, name) = fresh("remove").await;
    store.add_payee(&pending_payee(1)).await.unwrap();
    store.remove_payee(id(1)).await.unwrap();
    let snapshot = store.load().await.unwrap();
    assert!(snapshot.payees.is_empty());
    // The add finds no record to send; the removal still goes (the add may be in flight).
    assert_eq!(
        mutations(&snapshot.log),
        [
            Mutation::AddPayee { id: id(1) },
            Mutation::RemovePayee { id: id(1) }
        ]
    );
    drop_db(store, &name).await;
}

#[wasm_bindgen_test]
async fn a_phone_on_version_2_finds_what_it_had_queued_in_the_log() {
    let name = format!("yanglao-test-v2-{}", crate::clock::new_id());
    // The database as version 2 left it on phones: what waits is marked in the records.
    let v2 = idb::open(
        &name,
        2,
        || {},
        |up| {
            for store in V1 {
                up.db.create_object_store(store)?;
            }
            up.db.create_object_store(APPLICATIONS)?;
            Ok(())
        },
    )
    .await
    .unwrap();
    let old = Store { db: v2 };
    let waiting = pending_payee(1);
    let known = verified_payee(2);
    let mut later = intent(11, id(2), IntentState::Submitted);
    later.intent.prepared_at = datetime!(2026-03-02 9:00 +8);
    let earlier = intent(10, id(1), IntentState::Queued);
    let done = intent(12, id(2), paid("R-1"));
    let form = back_payment(5);
    for payee in [&waiting, &known] {
        put_raw(&old, PAYEES, &payee.id.to_string(), payee).await;
    }
    for i in [&later, &earlier, &done] {
        put_raw(&old, INTENTS, &i.id().to_string(), i).await;
    }
    put_raw(&old, APPLICATIONS, &form.id.to_string(), &form).await;
    old.close();

    let store = Store::open(&name).await.unwrap();
    let snapshot = store.load().await.unwrap();
    assert_eq!(
        mutations(&store.log().await.unwrap()),
        [
            Mutation::AddPayee { id: id(1) },
            Mutation::PreparePayment { id: id(10) },
            Mutation::PreparePayment { id: id(11) },
            Mutation::FileApplication { id: id(5) },
        ],
        "people first, then payments and forms as they were prepared; nothing answered"
    );
    assert_eq!(snapshot.payees.len(), 2, "the records stay as they were");
    assert_eq!(snapshot.intents.len(), 3);
    assert_eq!(snapshot.applications, [form]);
    // The next write is numbered after what the upgrade moved.
    store.remove_card(id(30)).await.unwrap();
    let log = store.log().await.unwrap();
    assert_eq!(
        log.last().unwrap().mutation,
        Mutation::RemoveCard { id: id(30) }
    );
    assert_eq!(log.len(), 5);
    drop_db(store, &name).await;
}
