//! A village's worth of log (1,000 payments, 300 people) drained against a stand-in server
//! that enforces its limits ([`crate::fake_server::answer_sync`]): no round over them, every
//! entry answered and written on the phone, progress kept across a drop half-way, and an older
//! server that refuses without saying its limits drained all the same by halving.

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;
use yanglao_shared::wire::{IntentResult, IntentState, PayeeView, SyncRequest};

use super::*;
use crate::fake_server::{answer_sync, calls, restore_fetch, serve, sync_body};
use crate::fixtures::*;

const PEOPLE: u128 = 300;
const PAYMENTS: u128 = 1000;

/// 100 people, their first 500 payments, 200 more people, the other 500: payments made for
/// people already on the list, as on a phone.
async fn a_village_queued_offline(tag: &str) -> (Store, String) {
    let name = format!("yanglao-test-drain-{tag}-{}", crate::clock::new_id());
    let store = Store::open(&name).await.unwrap();
    let pay = |range: std::ops::Range<u128>, people: u128| {
        range
            .map(|n| intent(10_000 + n, id(1 + n % people), IntentState::Queued))
            .collect::<Vec<_>>()
    };
    for n in 1..=100 {
        store.add_payee(&pending_payee(n)).await.unwrap();
    }
    store.prepare_payments(&pay(0..500, 100)).await.unwrap();
    for n in 101..=PEOPLE {
        store.add_payee(&pending_payee(n)).await.unwrap();
    }
    store
        .prepare_payments(&pay(500..PAYMENTS, PEOPLE))
        .await
        .unwrap();
    assert_eq!(
        store.log().await.unwrap().len(),
        (PEOPLE + PAYMENTS) as usize
    );
    (store, name)
}

/// What the stand-in server does with a request, by the limits it enforces.
#[derive(Default)]
struct Server {
    rounds: usize,
    refused: usize,
    /// A round number that gets a 503 once, as a connection that drops.
    drop_at: Option<usize>,
}

/// Answers every person as matched and every payment as paid, refusing a request over
/// `limits` as the real server does; `states` says whether the answer carries the limits.
fn stand_in(limits: SyncLimits, states: bool) -> Rc<RefCell<Server>> {
    let server = Rc::new(RefCell::new(Server::default()));
    let seen = server.clone();
    answer_sync(move |request: SyncRequest| {
        let mut s = seen.borrow_mut();
        if request.payees.len() > limits.max_payees as usize
            || request.intents.len() > limits.max_intents as usize
        {
            s.refused += 1;
            let body = r#"{"code":"batch_too_large","message":"一次提交的内容太多，请分批提交"}"#;
            return json!({ "status": 400, "body": body });
        }
        s.rounds += 1;
        if s.drop_at == Some(s.rounds) {
            s.drop_at = None;
            return json!({ "status": 503, "body": r#"{"code":"busy","message":"忙"}"# });
        }
        let payees = request.payees.iter().map(|p| PayeeView {
            id: p.id,
            name_masked: "王**".into(),
            id_masked: String::new(),
            check: verified(false),
            removed: false,
            label: None,
        });
        let intents = request.intents.iter().map(|i| IntentResult {
            id: i.id,
            payee_id: i.payee_id,
            year: i.year,
            tier: i.tier,
            state: paid(&format!("R-{}", i.id.as_u128())),
        });
        let mut answer = response(s.rounds as i64, payees.collect(), intents.collect());
        answer.sync_limits = states.then_some(limits);
        json!({ "status": 200, "body": serde_json::to_string(&answer).unwrap() })
    });
    server
}

/// Every request's size, and whether each was within `limits`.
fn sizes(sent: &[String]) -> Vec<(usize, usize)> {
    sent.iter()
        .map(|call| {
            let body = sync_body(call);
            (body.payees.len(), body.intents.len())
        })
        .collect()
}

async fn everything_answered(store: &Store) {
    let after = store.load().await.unwrap();
    assert!(after.log.is_empty(), "{} entries left", after.log.len());
    assert_eq!(after.payees.len(), PEOPLE as usize);
    assert!(after.payees.iter().all(|p| p.pending.is_none()));
    assert_eq!(after.intents.len(), PAYMENTS as usize);
    assert!(after
        .intents
        .iter()
        .all(|i| matches!(i.state, IntentState::Paid { .. })));
}

async fn drop_db(store: Store, name: &str) {
    store.close();
    crate::store::delete_database(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_village_drains_in_rounds_within_the_limits_the_server_stated() {
    let (store, name) = a_village_queued_offline("stated").await;
    let limits = SyncLimits {
        max_payees: 40,
        max_intents: 150,
    };
    // As `GET /policy` left them on the phone.
    store.set(keys::SYNC_LIMITS, &limits).await.unwrap();
    serve(json!({}), false);
    let server = stand_in(limits, true);
    server.borrow_mut().drop_at = Some(4);
    calls();

    // The connection drops at the fourth round: the three before it are kept.
    assert!(push(&store, "t").await.is_err());
    let done: usize = sizes(&calls())[..3].iter().map(|(p, i)| p + i).sum();
    let left = store.log().await.unwrap().len();
    assert_eq!(left, (PEOPLE + PAYMENTS) as usize - done, "answers kept");

    push(&store, "t").await.unwrap();
    let sent = sizes(&calls());
    restore_fetch();
    assert_eq!(server.borrow().refused, 0, "never over: {sent:?}");
    assert!(sent.iter().all(|&(p, i)| p <= 40 && i <= 150), "{sent:?}");
    let total: (usize, usize) = sent.iter().fold((0, 0), |a, s| (a.0 + s.0, a.1 + s.1));
    assert_eq!(total.0 + total.1, left, "each entry sent once: {sent:?}");
    everything_answered(&store).await;
    drop_db(store, &name).await;
}

#[wasm_bindgen_test]
async fn an_older_stricter_server_that_states_nothing_is_drained_by_halving() {
    let (store, name) = a_village_queued_offline("halving").await;
    let limits = SyncLimits {
        max_payees: 30,
        max_intents: 70,
    };
    serve(json!({}), false);
    let server = stand_in(limits, false);
    calls();
    push(&store, "t").await.unwrap();
    let sent = sizes(&calls());
    restore_fetch();
    let refused = server.borrow().refused;
    assert!((1..=6).contains(&refused), "{refused} refusals: {sent:?}");
    assert!(
        sent.iter().all(|&(p, i)| p <= 100 && i <= 200),
        "never over what it assumed: {sent:?}"
    );
    everything_answered(&store).await;
    let learned: SyncLimits = store.get(keys::SYNC_LIMITS).await.unwrap().unwrap();
    assert!(
        learned.max_payees <= 30 && learned.max_intents <= 70,
        "{learned:?}"
    );

    // The next run starts from what it learned: no refusal.
    let (again, other) = a_village_queued_offline("halving-again").await;
    again.set(keys::SYNC_LIMITS, &learned).await.unwrap();
    serve(json!({}), false);
    let server = stand_in(limits, false);
    push(&again, "t").await.unwrap();
    restore_fetch();
    assert_eq!(server.borrow().refused, 0);
    everything_answered(&again).await;
    drop_db(again, &other).await;
    drop_db(store, &name).await;
}
