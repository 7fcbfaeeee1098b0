//! 缴费进度: every payment of this account with its honest state. Payments that need a card
//! (待选择银行卡) get one here and go back into the mutation log with the same id.

use crate::routing::A;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;
use yanglao_shared::wire::{IntentState, PaymentMethod};

use super::RequireSession;
use crate::components::{IntentChip, SandboxNote};
use crate::i18n::voice::{self, PaymentSaid};
use crate::i18n::{self, fixed, tr};
use crate::model::LocalIntent;
use crate::state::{use_app, AppState};
use crate::sync::use_sync;
use crate::voice::read_aloud;

#[component]
pub fn Payments() -> impl IntoView {
    view! {
        <RequireSession>
            <PaymentList />
        </RequireSession>
    }
}

#[component]
fn PaymentList() -> impl IntoView {
    let app = use_app();
    let list = move || {
        app.data.with(|d| {
            let mut intents = d.intents.clone();
            yanglao_shared::short_sort::sort_by_key(&mut intents, |i| {
                std::cmp::Reverse(i.intent.prepared_at)
            });
            let methods: Vec<PaymentMethod> =
                d.methods.iter().filter(|m| !m.removed).cloned().collect();
            (intents, methods)
        })
    };
    view! {
        <section class="page">
            <h1 tabindex="-1">{fixed(|s| s.payments_title)}</h1>
            {read_aloud(move || {
                let (intents, _) = list();
                let items: Vec<PaymentSaid> = intents
                    .iter()
                    .map(|i| PaymentSaid {
                        name: &i.name_masked,
                        year: i.intent.year,
                        tier: i.intent.tier,
                        state: &i.state,
                        mine: i.mine,
                    })
                    .collect();
                voice::payments(&items)
            })}
            // Rows hold no input: built again in the other language.
            {move || {
                i18n::track_lang();
                let (intents, methods) = list();
                if intents.is_empty() {
                    return view! { <p class="empty">{fixed(|s| s.payments_empty)}</p> }.into_any();
                }
                view! {
                    <ul class="list" data-testid="payment-list">
                        {intents.into_iter().map(|i| view! { <PaymentRow intent=i methods=methods.clone() /> }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </section>
    }
}

#[component]
fn PaymentRow(intent: LocalIntent, methods: Vec<PaymentMethod>) -> impl IntoView {
    let app = use_app();
    let t = tr();
    let id = intent.id();
    let explain = match &intent.state {
        IntentState::Queued => Some(t.queued_explain.to_owned()),
        IntentState::Submitted => Some(t.submitted_explain.to_owned()),
        IntentState::AwaitingPayment { reason }
        | IntentState::Failed { reason }
        | IntentState::NotNeeded { reason } => Some(i18n::reason(reason)),
        IntentState::Paid { .. } => None,
    };
    let paid = match &intent.state {
        IntentState::Paid {
            receipt_no,
            paid_at,
            amount,
        } => Some(view! {
            <p class="list__note">
                {fixed(|s| s.receipt_no)} " " <span data-testid="receipt-no">{receipt_no.clone()}</span>
                " · " {i18n::date_time(*paid_at)} " · " {i18n::yuan(*amount)} " "
                <A href=format!("/receipt/{id}") attr:data-testid="receipt-link">{fixed(|s| s.view_receipt)}</A>
            </p>
        }),
        _ => None,
    };
    let needs_card = matches!(intent.state, IntentState::AwaitingPayment { .. }) && intent.mine;
    let retry = matches!(intent.state, IntentState::Failed { .. }).then(|| {
        view! { <A href=format!("/pay?payee={}", intent.intent.payee_id) attr:class="button" attr:data-testid="pay-again">{fixed(|s| s.pay_again)}</A> }
    });
    view! {
        <li class="list__item" data-testid="payment-item" data-intent-id=id.to_string()>
            <div class="list__row">
                <span class="list__main">
                    <span class="person-name">{intent.name_masked.clone()}</span>
                    <crate::components::LabelTag label=app.data.with_untracked(|d| crate::components::label_of(&d.payees, intent.intent.payee_id)) />
                    <span class="muted">{i18n::year(intent.intent.year)} " · " {i18n::per_year(intent.intent.tier)}</span>
                </span>
                <IntentChip state=intent.state.clone() />
            </div>
            {explain.map(|e| view! { <p class="list__note">{e}</p> })}
            {paid}
            {intent.mine.then(|| view! {
                <p class="muted small" data-testid="prepared-at">{fixed(|s| s.prepared_at)}{i18n::date_time(intent.intent.prepared_at)}</p>
            })}
            {needs_card.then(|| view! { <AttachCard app id methods /> })}
            {retry}
        </li>
    }
}

/// Puts a 待选择银行卡 payment back in the mutation log with a card: same id, so the server answers
/// the same payment, now with a way to charge it.
#[component]
fn AttachCard(app: AppState, id: Uuid, methods: Vec<PaymentMethod>) -> impl IntoView {
    if methods.is_empty() {
        return view! { <A href="/cards" attr:class="button" attr:data-testid="attach-bind-card">{fixed(|s| s.bind_new_card)}</A> }.into_any();
    }
    let sandbox = methods.iter().any(|m| m.sandbox);
    let sync = use_sync();
    let attach = move |method: Uuid| {
        spawn_local(async move {
            let Some(mut intent) = app
                .data
                .with_untracked(|d| d.intents.iter().find(|i| i.id() == id).cloned())
            else {
                return;
            };
            intent.intent.method_id = Some(method);
            intent.state = IntentState::Queued;
            let recorded = sync
                .record(|store| async move { store.prepare_payments(&[intent]).await })
                .await;
            if let Err(e) = recorded {
                app.say(e);
            }
        });
    };
    view! {
        <div class="attach">
            {methods.into_iter().map(|m| {
                let mid = m.id;
                view! {
                    <button type="button" class="button" data-testid="attach-card" on:click=move |_| attach(mid)>
                        {fixed(|s| s.attach_card)} " · " {i18n::card_label(&m.bank, &m.last_four)}
                    </button>
                }
            }).collect_view()}
            {sandbox.then(|| view! { <SandboxNote /> })}
        </div>
    }
    .into_any()
}
