use std::collections::BTreeSet;

use wasm_bindgen_test::wasm_bindgen_test;
use yanglao_shared::wire::IntentState;

use super::*;
use crate::fixtures::*;
use crate::outbox;

fn logged(seq: u64, mutation: Mutation) -> Logged {
    Logged { seq, mutation }
}

#[wasm_bindgen_test]
fn the_log_is_cut_in_order_with_neighbours_riding_one_sync() {
    let add = logged(1, Mutation::AddPayee { id: id(1) });
    let pay = logged(2, Mutation::PreparePayment { id: id(10) });
    let card = logged(3, Mutation::RemoveCard { id: id(30) });
    let form = logged(4, Mutation::FileApplication { id: id(5) });
    let later = logged(5, Mutation::AddPayee { id: id(3) });
    // Read from the store in any order: the sequence numbers decide.
    let segments = segments(&[later, card, pay, form, add]);
    assert_eq!(
        segments,
        [
            Segment::Sync(vec![add, pay]),
            Segment::One(card),
            Segment::One(form),
            Segment::Sync(vec![later]),
        ]
    );
    assert!(super::segments(&[]).is_empty());
}

#[wasm_bindgen_test]
fn a_long_stretch_goes_in_rounds_within_both_of_the_servers_limits() {
    // 3 people then 5 payments; the server takes 2 people and 4 payments per request.
    let log: Vec<_> = (1..=8u64)
        .map(|n| match n {
            1..=3 => logged(n, Mutation::AddPayee { id: id(n.into()) }),
            _ => logged(n, Mutation::PreparePayment { id: id(n.into()) }),
        })
        .collect();
    let limits = SyncLimits {
        max_payees: 2,
        max_intents: 4,
    };
    let mut rest = &log[..];
    let mut rounds = Vec::new();
    while !rest.is_empty() {
        let n = round_len(rest, limits);
        rounds.push(n);
        rest = &rest[n..];
    }
    assert_eq!(
        rounds,
        [2, 5, 1],
        "2 people; 1 person and 4 payments; the last payment"
    );
    assert_eq!(round_len(&log, SyncLimits::ASSUMED), 8);
    let none = SyncLimits {
        max_payees: 0,
        max_intents: 0,
    };
    assert_eq!(round_len(&log, none), 1, "never a round of nothing");
    assert_eq!(round_len(&[], limits), 0);
}

#[wasm_bindgen_test]
fn a_refused_round_is_halved_until_it_is_one_of_each() {
    let people: Vec<_> = (1..=5u64)
        .map(|n| logged(n, Mutation::AddPayee { id: id(n.into()) }))
        .collect();
    let pay = logged(9, Mutation::PreparePayment { id: id(9) });
    let mut sent = people.clone();
    sent.push(pay);
    assert_eq!(
        halved(SyncLimits::ASSUMED, &sent),
        Some(SyncLimits {
            max_payees: 2,
            max_intents: 200
        }),
        "only the kind that can shrink does"
    );
    assert_eq!(halved(SyncLimits::ASSUMED, &[people[0], pay]), None);
    assert_eq!(halved(SyncLimits::ASSUMED, &[]), None);
}

#[wasm_bindgen_test]
fn the_idempotency_key_is_the_records_id() {
    for mutation in [
        Mutation::AddPayee { id: id(7) },
        Mutation::RemovePayee { id: id(7) },
        Mutation::RemoveCard { id: id(7) },
        Mutation::PreparePayment { id: id(7) },
        Mutation::FileApplication { id: id(7) },
    ] {
        assert_eq!(mutation.key(), id(7));
    }
    assert!(
        Logged::store_key(9) < Logged::store_key(10),
        "store order is log order"
    );
}

#[wasm_bindgen_test]
fn a_removal_waiting_in_the_log_keeps_its_record_away() {
    let log = [
        logged(1, Mutation::RemovePayee { id: id(2) }),
        logged(2, Mutation::RemoveCard { id: id(30) }),
        logged(3, Mutation::AddPayee { id: id(4) }),
    ];
    assert!(removing(&log, id(2)));
    assert!(removing(&log, id(30)));
    assert!(!removing(&log, id(4)), "an addition is no removal");
}

#[wasm_bindgen_test]
fn entries_settle_when_their_records_have_nothing_more_to_send() {
    let person = pending_payee(1);
    let unanswered = pending_payee(3);
    let paid_now = intent(10, id(1), IntentState::Queued);
    let at_the_bank = intent(11, id(1), IntentState::Queued);
    let sent = [
        logged(1, Mutation::AddPayee { id: id(1) }),
        logged(2, Mutation::AddPayee { id: id(3) }),
        logged(3, Mutation::PreparePayment { id: id(10) }),
        logged(4, Mutation::PreparePayment { id: id(11) }),
        // Its record went meanwhile (a form discarded, a person removed): nothing to send.
        logged(5, Mutation::PreparePayment { id: id(12) }),
    ];
    let payees = [person.clone(), unanswered.clone()];
    let intents = [paid_now.clone(), at_the_bank.clone()];
    let answer = response(
        4,
        vec![view_of(&person, verified(false), false)],
        vec![
            result_of(&paid_now, paid("R-1")),
            result_of(&at_the_bank, IntentState::Submitted),
        ],
    );
    let ids: BTreeSet<_> = [id(10), id(11)].into();
    let changes = outbox::merge(
        &payees,
        &intents,
        &ids,
        &[id(1), id(3)].into(),
        &answer,
        NOW,
    );
    assert_eq!(
        settled(&sent, &changes, &payees, &intents),
        [1, 3, 5],
        "the unanswered person and the payment waiting for the bank stay"
    );
}
