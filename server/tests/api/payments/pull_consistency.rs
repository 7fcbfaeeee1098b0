//! Per-account versions (issue 11): a pull never misses a change that commits after the cursor
//! it was given. Several writers push people and payments for one account while a relative's
//! account pays for the same people (so some of this account's rows are changed by another
//! account's write, and the charge workers settle the rest), and readers pull in a loop from
//! their own cursors. Once everything has settled, each reader's picture, built only from what
//! the pulls sent, is exactly the server's.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;
use yanglao_server::gateway::sandbox::test_cards;
use yanglao_server::roster::seed::NewResident;
use yanglao_shared::wire::{
    IntentResult, NewPayee, PayeeView, SyncRequest, SyncResponse, WIRE_VERSION,
};

use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    a_pull_never_misses_a_change_that_commits_after_its_cursor,
    a_sync_paid_at_once_leaves_nothing_of_its_own_to_stamp,
);

const WRITERS: usize = 4;
const PEOPLE_PER_WRITER: usize = 8;

fn payee_of(person: &NewResident) -> NewPayee {
    NewPayee {
        id: Uuid::new_v4(),
        name: person.name.as_str().into(),
        id_number: person.id_number.as_str().into(),
    }
}

/// A person and a payment for them, in one round trip, as a phone sends them.
fn person_and_payment(person: &NewResident, card: Uuid) -> SyncRequest {
    let payee = payee_of(person);
    SyncRequest {
        version: WIRE_VERSION,
        cursor: None,
        intents: vec![intent(payee.id, "500", Some(card))],
        payees: vec![payee],
    }
}

/// What a phone knows, built only from what its pulls sent.
#[derive(Default, Debug, PartialEq)]
struct Picture {
    payees: BTreeMap<Uuid, PayeeView>,
    intents: BTreeMap<Uuid, IntentResult>,
}

impl Picture {
    fn apply(&mut self, reply: &SyncResponse) {
        for p in &reply.payees {
            self.payees.insert(p.id, p.clone());
        }
        for i in &reply.intents {
            self.intents.insert(i.id, i.clone());
        }
    }
}

async fn a_pull_never_misses_a_change_that_commits_after_its_cursor(app: &TestApp) {
    let people = bulk((WRITERS * PEOPLE_PER_WRITER) as u16);
    app.seed(&people).await;
    let me = app.account(&racer(0)).await;
    let my_card = app.bind_card(&me, &test_cards::pays()).await;
    let relative = app.account(&racer(1)).await;
    let their_card = app.bind_card(&relative, &test_cards::pays()).await;

    let writing = Arc::new(AtomicBool::new(true));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (api, token, writing) = (app.api.clone(), me.clone(), writing.clone());
            tokio::spawn(async move {
                let mut picture = Picture::default();
                let mut cursor = None;
                let mut pulls = 0;
                while writing.load(Ordering::SeqCst) {
                    let reply = api.sync(&token, &pull(cursor)).await.expect("pull");
                    picture.apply(&reply);
                    cursor = Some(reply.cursor);
                    pulls += 1;
                }
                (picture, cursor, pulls)
            })
        })
        .collect();

    // Four phones of this account, and the relative paying for every other person too.
    let mine = people.chunks(PEOPLE_PER_WRITER).map(|chunk| {
        let (api, token) = (app.api.clone(), me.clone());
        let chunk = chunk.to_vec();
        tokio::spawn(async move {
            for person in &chunk {
                api.sync(&token, &person_and_payment(person, my_card))
                    .await
                    .expect("push");
            }
        })
    });
    let theirs = people.iter().step_by(2).map(|person| {
        let (api, token) = (app.api.clone(), relative.clone());
        let request = person_and_payment(person, their_card);
        tokio::spawn(async move { api.sync(&token, &request).await.expect("push") })
    });
    let mine: Vec<_> = mine.collect();
    let theirs: Vec<_> = theirs.collect();
    for w in mine {
        w.await.unwrap();
    }
    for w in theirs {
        w.await.unwrap();
    }
    app.until_charges_settle().await;
    writing.store(false, Ordering::SeqCst);

    let truth = app.api.sync(&me, &pull(None)).await.unwrap();
    let mut whole = Picture::default();
    whole.apply(&truth);
    assert_eq!(whole.payees.len(), people.len());
    assert_eq!(whole.intents.len(), people.len());
    let settled: HashSet<_> = whole
        .intents
        .values()
        .map(|i| state_name(&i.state))
        .collect();
    assert!(
        settled.iter().all(|s| ["paid", "not_needed"].contains(s)),
        "{settled:?}"
    );
    for reader in readers {
        let (mut picture, cursor, pulls) = reader.await.unwrap();
        // One last pull from where the reader stopped: all it may add is what changed after.
        let last = app.api.sync(&me, &pull(cursor)).await.unwrap();
        picture.apply(&last);
        assert!(pulls > 1, "the reader pulled while the writers wrote");
        assert_eq!(picture, whole, "a reader missed a change ({pulls} pulls)");
    }
    assert_eq!(app.paid_contributions().await, people.len() as i64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_charge_queue_is_empty_and_every_row_stamped_once_settled() {
    let Some(app) = spawn_app(Store::Sqlite).await else {
        return;
    };
    let token = app.account(&racer(2)).await;
    let payee = app.add_payee(&token, &mother()).await;
    let card = app.bind_card(&token, &test_cards::delayed()).await;
    let first = app
        .api
        .sync(&token, &push(None, vec![intent(payee, "500", Some(card))]))
        .await
        .unwrap();
    // The delayed card answers "pending": the sync returns within its bounded wait.
    assert_eq!(states(&first), vec!["submitted"]);
    app.until_charges_settle().await;
    let later = app
        .api
        .sync(&token, &pull(Some(first.cursor)))
        .await
        .unwrap();
    assert_eq!(states(&later), vec!["paid"]);
    let unstamped: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM intents WHERE changed_seq = $1")
        .bind(yanglao_server::storage::UNSTAMPED)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let still: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM intents WHERE changed_seq = $1")
        .bind(yanglao_server::storage::UNSTAMPED)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert!(
        unstamped <= 1 && still == 0,
        "stamped by the worker: {unstamped} then {still}"
    );
    app.server.stop().await;
}

/// The account's version and how many of its rows wait for one.
async fn versions_of(app: &TestApp, mobile: &str) -> (i64, i64) {
    let (version, account): (i64, String) =
        sqlx::query_as("SELECT version, id FROM accounts WHERE mobile = $1")
            .bind(mobile)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    let unstamped: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM intents WHERE account_id = $1 AND changed_seq = $2) \
         + (SELECT COUNT(*) FROM payees WHERE account_id = $1 AND changed_seq = $2)",
    )
    .bind(&account)
    .bind(yanglao_server::storage::UNSTAMPED)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    (version, unstamped)
}

/// A sync whose charge the bank pays at once leaves none of the payer's rows waiting for a
/// version (the bank's answer is written under the payer's own: two versions, the push and the
/// answer), and the cursor it answers with covers the paid year, so the next pull sends
/// nothing again.
async fn a_sync_paid_at_once_leaves_nothing_of_its_own_to_stamp(app: &TestApp) {
    let mobile = racer(3);
    let token = app.account(&mobile).await;
    let payee = app.add_payee(&token, &mother()).await;
    let card = app.bind_card(&token, &test_cards::pays()).await;
    let (before, _) = versions_of(app, &mobile).await;
    let paid = app
        .api
        .sync(&token, &push(None, vec![intent(payee, "500", Some(card))]))
        .await
        .unwrap();
    assert_eq!(states(&paid), vec!["paid"]);
    let (after, unstamped) = versions_of(app, &mobile).await;
    assert_eq!(
        (after - before, unstamped),
        (2, 0),
        "push and answer, nothing to stamp"
    );
    assert_eq!(paid.cursor, after);
    let next = app
        .api
        .sync(&token, &pull(Some(paid.cursor)))
        .await
        .unwrap();
    assert!(
        next.intents.is_empty() && next.payees.is_empty(),
        "{next:?}"
    );
}
