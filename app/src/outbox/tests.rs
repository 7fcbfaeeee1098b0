use std::collections::BTreeSet;

use wasm_bindgen_test::wasm_bindgen_test;
use yanglao_shared::wire::{IntentState, PayeeCheck, PaymentMethod};

use super::*;
use crate::fixtures::*;

fn ids(list: &[Uuid]) -> BTreeSet<Uuid> {
    list.iter().copied().collect()
}

#[wasm_bindgen_test]
fn the_request_carries_pending_people_and_unanswered_payments_only() {
    let payees = vec![pending_payee(1), verified_payee(2)];
    let intents = vec![
        intent(10, id(2), IntentState::Queued),
        intent(11, id(2), IntentState::Submitted),
        intent(12, id(2), paid("R1")),
        intent(
            13,
            id(2),
            IntentState::AwaitingPayment {
                reason: not_needed_reason(),
            },
        ),
        LocalIntent {
            mine: false,
            ..intent(14, id(2), IntentState::Submitted)
        },
    ];
    let request = build_request(Some(7), &payees, &intents);
    assert_eq!(request.version, WIRE_VERSION);
    assert_eq!(request.cursor, Some(7));
    assert_eq!(
        request.payees.iter().map(|p| p.id).collect::<Vec<_>>(),
        [id(1)]
    );
    assert_eq!(
        request.intents.iter().map(|i| i.id).collect::<Vec<_>>(),
        [id(10), id(11)]
    );
}

fn not_needed_reason() -> yanglao_shared::refusal::Reason {
    yanglao_shared::refusal::Reason::new("no_card", "请选择银行卡", "Choose a card")
}

#[wasm_bindgen_test]
fn a_retry_sends_the_same_ids() {
    let intents = vec![intent(10, id(2), IntentState::Queued)];
    let first = build_request(None, &[pending_payee(1)], &intents);
    let second = build_request(None, &[pending_payee(1)], &intents);
    assert_eq!(
        first, second,
        "nothing changed between attempts: same keys, same body"
    );
}

#[wasm_bindgen_test]
fn a_queued_payment_becomes_paid_when_the_server_says_so() {
    let local = intent(10, id(2), IntentState::Queued);
    let answer = response(5, vec![], vec![result_of(&local, paid("R-2026-1"))]);
    let changes = merge(
        &[verified_payee(2)],
        std::slice::from_ref(&local),
        &ids(&[id(10)]),
        &BTreeSet::new(),
        &answer,
        NOW,
    );
    assert_eq!(changes.intents_put.len(), 1);
    assert_eq!(changes.intents_put[0].state, paid("R-2026-1"));
    assert!(changes.intents_put[0].mine);
    assert_eq!(changes.cursor, 5);
    assert_eq!(changes.window.window, open_window(61));
    assert_eq!(changes.window.clock.server_time, NOW);
}

#[wasm_bindgen_test]
fn someone_else_paid_gives_not_needed() {
    let local = intent(10, id(2), IntentState::Submitted);
    let answer = response(6, vec![], vec![result_of(&local, not_needed())]);
    let changes = merge(
        &[],
        &[local],
        &ids(&[id(10)]),
        &BTreeSet::new(),
        &answer,
        NOW,
    );
    assert_eq!(changes.intents_put[0].state, not_needed());
}

#[wasm_bindgen_test]
fn a_final_state_never_goes_back_to_pending() {
    let local = intent(10, id(2), paid("R1"));
    let answer = response(6, vec![], vec![result_of(&local, IntentState::Submitted)]);
    let changes = merge(
        &[],
        &[local],
        &ids(&[id(10)]),
        &BTreeSet::new(),
        &answer,
        NOW,
    );
    assert!(changes.intents_put.is_empty());
}

#[wasm_bindgen_test]
fn a_payment_changed_while_the_request_was_out_keeps_its_local_state() {
    // A card was attached (back to Queued) after the request left with the old version.
    let local = intent(10, id(2), IntentState::Queued);
    let answer = response(
        6,
        vec![],
        vec![result_of(
            &local,
            IntentState::AwaitingPayment {
                reason: not_needed_reason(),
            },
        )],
    );
    let changes = merge(
        &[],
        &[local],
        &BTreeSet::new(),
        &BTreeSet::new(),
        &answer,
        NOW,
    );
    assert!(changes.intents_put.is_empty());
}

#[wasm_bindgen_test]
fn payments_from_another_phone_are_added_as_not_ours() {
    let payee = verified_payee(2);
    let remote = intent(20, id(2), IntentState::Queued);
    let answer = response(6, vec![], vec![result_of(&remote, paid("R9"))]);
    let changes = merge(
        std::slice::from_ref(&payee),
        &[],
        &BTreeSet::new(),
        &BTreeSet::new(),
        &answer,
        NOW,
    );
    let added = &changes.intents_put[0];
    assert!(!added.mine);
    assert_eq!(added.name_masked, payee.name_masked);
    assert_eq!(added.intent.method_id, None);
    assert!(!added.to_send());
}

#[wasm_bindgen_test]
fn people_are_confirmed_and_removed_people_disappear() {
    let sent = pending_payee(1);
    let added_later = pending_payee(3);
    let gone = verified_payee(2);
    let answer = response(
        8,
        vec![
            view_of(&sent, verified(false), false),
            view_of(&added_later, PayeeCheck::Unverified, false),
            view_of(&gone, verified(false), true),
        ],
        vec![],
    );
    let payees = [sent.clone(), added_later.clone(), gone];
    let changes = merge(&payees, &[], &BTreeSet::new(), &ids(&[id(1)]), &answer, NOW);
    assert_eq!(changes.payees_deleted, [id(2)]);
    let confirmed = changes.payees_put.iter().find(|p| p.id == id(1)).unwrap();
    assert_eq!(confirmed.check, verified(false));
    assert_eq!(
        confirmed.pending, None,
        "the full ID number leaves the phone once the server has it"
    );
    assert_eq!(confirmed.birth_date, sent.birth_date);
    let later = changes.payees_put.iter().find(|p| p.id == id(3)).unwrap();
    assert!(later.pending.is_some(), "not in the request: still to send");
}

#[wasm_bindgen_test]
fn removed_cards_are_deleted_and_others_kept() {
    let card = |n, removed| PaymentMethod {
        id: id(n),
        bank: "中国农业银行".into(),
        last_four: "1234".into(),
        sandbox: true,
        removed,
    };
    let mut answer = response(9, vec![], vec![]);
    answer.methods = vec![card(1, false), card(2, true)];
    let changes = merge(&[], &[], &BTreeSet::new(), &BTreeSet::new(), &answer, NOW);
    assert_eq!(changes.methods_put, [card(1, false)]);
    assert_eq!(changes.methods_deleted, [id(2)]);
}
