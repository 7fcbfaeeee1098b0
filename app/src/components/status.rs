//! Status chips: one colour per state, always with words (colour alone says nothing to a
//! colour-blind reader or a screen reader).

use leptos::prelude::*;
use yanglao_shared::wire::IntentState;

use crate::i18n::{self, fixed, tr};
use crate::rules::PayeeStatus;

/// The CSS modifier and stable `data-state` of an intent state.
pub fn intent_class(state: &IntentState) -> &'static str {
    match state {
        IntentState::Queued => "queued",
        IntentState::Submitted => "submitted",
        IntentState::AwaitingPayment { .. } => "awaiting",
        IntentState::Paid { .. } => "paid",
        IntentState::Failed { .. } => "failed",
        IntentState::NotNeeded { .. } => "not-needed",
    }
}

#[component]
pub fn IntentChip(
    state: IntentState,
    #[prop(default = "intent-status")] testid: &'static str,
) -> impl IntoView {
    let class = intent_class(&state);
    view! {
        <span class=format!("chip chip--{class}") data-testid=testid data-state=class>
            {move || i18n::intent_state(&state)}
        </span>
    }
}

pub fn payee_label(status: &PayeeStatus) -> (&'static str, &'static str) {
    let t = tr();
    match status {
        PayeeStatus::Unverified => ("unverified", t.st_unverified),
        PayeeStatus::NoMatch(_) => ("failed", t.st_no_match),
        PayeeStatus::Blocked(_) => ("blocked", t.st_blocked),
        PayeeStatus::Paid { .. } => ("paid", t.st_paid),
        PayeeStatus::InProgress(intent) => (
            intent_class(&intent.state),
            i18n::intent_state(&intent.state),
        ),
        PayeeStatus::Unpaid { .. } => ("unpaid", t.st_unpaid),
    }
}

#[component]
pub fn PayeeChip(status: PayeeStatus) -> impl IntoView {
    let (class, _) = payee_label(&status);
    view! {
        <span class=format!("chip chip--{class}") data-testid="payee-status" data-state=class>
            {move || payee_label(&status).1}
        </span>
    }
}

/// Shown wherever a sandbox card is shown.
#[component]
pub fn SandboxNote() -> impl IntoView {
    view! { <p class="sandbox" data-testid="sandbox-note">{fixed(|s| s.sandbox)}</p> }
}
