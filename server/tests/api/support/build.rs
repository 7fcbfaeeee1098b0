//! Wire values as the app would send them, and plain readings of the answers.

use time::macros::datetime;
use uuid::Uuid;
use yanglao_shared::applications::{BackPaymentForm, Checklist, EnrolmentForm, VillageCheck};
use yanglao_shared::wire::{IntentState, NewPayee, PaymentIntent, SyncRequest, SyncResponse};
use yanglao_shared::TierAmount;

use super::roster::Person;

pub fn tier(amount: &str) -> TierAmount {
    TierAmount::parse(amount).unwrap()
}

/// A 2026 payment prepared on the phone the evening before [`super::IN_WINDOW`].
pub fn intent(payee: Uuid, amount: &str, method: Option<Uuid>) -> PaymentIntent {
    PaymentIntent {
        id: Uuid::new_v4(),
        payee_id: payee,
        year: 2026,
        tier: tier(amount),
        method_id: method,
        prepared_at: datetime!(2026-03-01 20:00 +8),
    }
}

/// One round trip pushing `intents` (and no people).
pub fn push(cursor: Option<i64>, intents: Vec<PaymentIntent>) -> SyncRequest {
    SyncRequest {
        version: yanglao_shared::wire::WIRE_VERSION,
        cursor,
        payees: vec![],
        intents,
    }
}

/// A round trip that only pulls.
pub fn pull(cursor: Option<i64>) -> SyncRequest {
    push(cursor, vec![])
}

pub fn new_payee(person: &Person) -> NewPayee {
    NewPayee {
        id: Uuid::new_v4(),
        name: person.name.into(),
        id_number: person.id_number.as_str().into(),
    }
}

/// The tag the wire gives a state (`"paid"`, `"not_needed"`, ...).
pub fn state_name(state: &IntentState) -> &'static str {
    match state {
        IntentState::Queued => "queued",
        IntentState::Submitted => "submitted",
        IntentState::AwaitingPayment { .. } => "awaiting_payment",
        IntentState::Paid { .. } => "paid",
        IntentState::Failed { .. } => "failed",
        IntentState::NotNeeded { .. } => "not_needed",
    }
}

/// The refusal's code, for the states that carry one.
pub fn reason_code(state: &IntentState) -> Option<&str> {
    match state {
        IntentState::AwaitingPayment { reason }
        | IntentState::Failed { reason }
        | IntentState::NotNeeded { reason } => Some(&reason.code),
        _ => None,
    }
}

/// The state of every intent in the answer, in order.
pub fn states(reply: &SyncResponse) -> Vec<&'static str> {
    reply.intents.iter().map(|i| state_name(&i.state)).collect()
}

/// An enrolment form for `person` in `town`/`village`, first sending, not severely disabled.
pub fn enrolment(person: &Person, town: &str, village: &str) -> EnrolmentForm {
    EnrolmentForm {
        id: Uuid::new_v4(),
        name: person.name.into(),
        id_number: person.id_number.as_str().into(),
        town: town.into(),
        village: village.into(),
        mobile: "13700000001".into(),
        severely_disabled: false,
        revision: 0,
    }
}

/// 户口簿 and 身份证 seen (no disability claimed, so no proof needed).
pub fn all_seen() -> Checklist {
    Checklist {
        household_register: true,
        id_card: true,
        disability_proof: false,
    }
}

pub fn approve_materials() -> VillageCheck {
    VillageCheck {
        checklist: all_seen(),
        approve: true,
        reason: None,
    }
}

pub fn back_payment(person: &Person, years: &[i32], amount: &str) -> BackPaymentForm {
    BackPaymentForm {
        id: Uuid::new_v4(),
        name: person.name.into(),
        id_number: person.id_number.as_str().into(),
        years: years.to_vec(),
        tier: tier(amount),
        revision: 0,
    }
}
