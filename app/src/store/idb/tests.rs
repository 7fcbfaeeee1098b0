//! The promises this module keeps, in a real browser: a transaction that is not committed
//! writes nothing, a failed upgrade fails the open and leaves the database as it was, an
//! older connection that holds the database is heard.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

use super::*;

const NOTES: &str = "notes";

async fn with_notes(tag: &str) -> (IdbDatabase, String) {
    let name = format!("yanglao-test-idb-{tag}-{}", crate::clock::new_id());
    let db = open(
        &name,
        1,
        || {},
        |up| up.db.create_object_store(NOTES).map(drop),
    )
    .await
    .unwrap();
    (db, name)
}

async fn read(db: &IdbDatabase, key: &str) -> Option<String> {
    let tx = Tx::new(db, &[NOTES], TransactionMode::Readonly).unwrap();
    tx.get_text(NOTES, key).await.unwrap()
}

#[wasm_bindgen_test]
async fn what_a_committed_transaction_wrote_is_read_back_and_all_of_a_store_too() {
    let (db, name) = with_notes("commit").await;
    let tx = Tx::new(&db, &[NOTES], TransactionMode::Readwrite).unwrap();
    tx.put_text(NOTES, "a", "一").unwrap();
    tx.put_text(NOTES, "b", "二").unwrap();
    tx.commit().await.unwrap();
    assert_eq!(read(&db, "a").await.as_deref(), Some("一"));
    assert_eq!(read(&db, "missing").await, None);

    let tx = Tx::new(&db, &[NOTES], TransactionMode::Readwrite).unwrap();
    tx.delete(NOTES, "a").unwrap();
    tx.commit().await.unwrap();
    let tx = Tx::new(&db, &[NOTES], TransactionMode::Readonly).unwrap();
    assert_eq!(tx.all_texts(NOTES).await.unwrap(), ["二"]);
    drop(tx);

    let tx = Tx::new(&db, &[NOTES], TransactionMode::Readwrite).unwrap();
    tx.clear(NOTES).unwrap();
    tx.commit().await.unwrap();
    assert_eq!(read(&db, "b").await, None);
    db.close();
    delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_transaction_left_without_commit_writes_nothing_even_after_its_reads() {
    let (db, name) = with_notes("drop").await;
    {
        let tx = Tx::new(&db, &[NOTES], TransactionMode::Readwrite).unwrap();
        tx.put_text(NOTES, "a", "half").unwrap();
        // A read awaited in between keeps the transaction open, and the write stays in it.
        assert_eq!(
            tx.get_text(NOTES, "a").await.unwrap().as_deref(),
            Some("half")
        );
        // A write outside the transaction's stores fails at once; `?` would leave here.
        assert!(tx.put_text("elsewhere", "b", "x").is_err());
    }
    assert_eq!(read(&db, "a").await, None, "dropped, so aborted");
    db.close();
    delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn an_upgrade_that_fails_fails_the_open_and_the_database_stays_as_it_was() {
    let (db, name) = with_notes("upgrade").await;
    let tx = Tx::new(&db, &[NOTES], TransactionMode::Readwrite).unwrap();
    tx.put_text(NOTES, "kept", "yes").unwrap();
    tx.commit().await.unwrap();
    db.close();

    let failed = open(
        &name,
        2,
        || {},
        |up| {
            up.db.create_object_store("more")?;
            Err(JsValue::from_str("refused"))
        },
    )
    .await;
    assert!(failed.is_err());

    let again = open(&name, 1, || {}, |_| panic!("version 1 needs no upgrade"))
        .await
        .unwrap();
    assert_eq!(again.version(), 1.0);
    assert!(!again.object_store_names().contains("more"));
    assert_eq!(read(&again, "kept").await.as_deref(), Some("yes"));
    again.close();
    delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn an_open_held_up_by_an_older_connection_is_told_and_goes_on_when_it_closes() {
    let (old, name) = with_notes("blocked").await;
    let heard = Rc::new(Cell::new(false));
    let told = heard.clone();
    let closing = old.clone();
    let newer = open(
        &name,
        2,
        move || {
            told.set(true);
            // What the app does on hearing it (its other tabs reload): the old one lets go.
            closing.close();
        },
        |up| up.db.create_object_store("more").map(drop),
    )
    .await
    .unwrap();
    assert!(heard.get());
    assert_eq!(newer.version(), 2.0);
    newer.close();
    delete(&name).await.unwrap();
}
