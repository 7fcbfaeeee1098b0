//! One person: this year's status, why they cannot pay (if so), the payer's own label for
//! them (称呼, offline too), and what this account paid for them, with receipts. Removing a
//! person works offline: they leave the list at once and the server hears of it when it can
//! (the payments already made stay in the history).

use crate::routing::A;
use crate::routing::{use_navigate, use_params_map};
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;
use yanglao_shared::wire::IntentState;

use super::{ErrorText, RequireSession};
use crate::components::{IntentChip, LabelEditor, LabelTag, PayeeChip};
use crate::i18n::{self, fixed, tr};
use crate::model::LocalIntent;
use crate::rules::{self, PayeeStatus};
use crate::state::use_app;
use crate::sync::use_sync;

#[component]
pub fn PayeeDetail() -> impl IntoView {
    view! {
        <RequireSession>
            <Detail />
        </RequireSession>
    }
}

#[component]
fn Detail() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok()));
    move || {
        let t = tr();
        let Some(id) = id() else {
            return view! { <super::NotFound /> }.into_any();
        };
        let year = rules::window_year(&app.window().state);
        let found = app.data.with(|d| {
            d.payees.iter().find(|p| p.id == id).map(|p| {
                let mut history: Vec<LocalIntent> = d
                    .intents
                    .iter()
                    .filter(|i| i.intent.payee_id == id)
                    .cloned()
                    .collect();
                yanglao_shared::short_sort::sort_by_key(&mut history, |i| {
                    std::cmp::Reverse(i.intent.prepared_at)
                });
                (p.clone(), rules::payee_status(p, &d.intents, year), history)
            })
        });
        let Some((payee, status, history)) = found else {
            return view! { <super::NotFound /> }.into_any();
        };
        let explain = match &status {
            PayeeStatus::NoMatch(r) | PayeeStatus::Blocked(r) => Some(i18n::reason(r)),
            PayeeStatus::Unverified => Some(t.unverified_explain.to_owned()),
            PayeeStatus::Paid { by_me: None } => Some(t.paid_by_other.to_owned()),
            _ => None,
        };
        let can_pay = rules::payable(&status);
        let label = payee.label_text().map(str::to_owned);
        let label_waiting = payee.label_change.is_some();
        view! {
            <section class="page">
                <h1 tabindex="-1"><span class="person-name">{payee.name_masked.clone()}</span> <LabelTag label=label.clone() /></h1>
                {crate::voice::read_aloud({
                    let (name, status) = (payee.name_masked.clone(), status.clone());
                    move || i18n::voice::person(&name, year, &status)
                })}
                <p class="muted id-masked">{payee.id_masked.clone()}</p>
                <p class="status-line" data-testid="payee-detail-status">
                    {i18n::year(year)} " " <PayeeChip status />
                </p>
                {explain.map(|e| view! { <p class="explain">{e}</p> })}
                {can_pay.then(|| view! {
                    <A href=format!("/pay?payee={id}") attr:class="button button--primary" attr:data-testid="pay-for">
                        {fixed(|s| s.pay_for)}
                    </A>
                })}
                <LabelEditor payee_id=id current=label waiting=label_waiting />
                <h2>{fixed(|s| s.detail_history)}</h2>
                <History history />
                <RemovePayee id />
            </section>
        }
        .into_any()
    }
}

#[component]
pub fn History(history: Vec<LocalIntent>) -> impl IntoView {
    if history.is_empty() {
        return view! { <p class="empty">{fixed(|s| s.history_empty)}</p> }.into_any();
    }
    view! {
        <ul class="list">
            {history
                .into_iter()
                .map(|i| {
                    let receipt = matches!(i.state, IntentState::Paid { .. }).then(|| {
                        view! {
                            <A href=format!("/receipt/{}", i.id()) attr:data-testid="receipt-link">{fixed(|s| s.view_receipt)}</A>
                        }
                    });
                    view! {
                        <li class="list__item list__row" data-testid="history-item">
                            <span>{i18n::year(i.intent.year)} " · " {i18n::per_year(i.intent.tier)}</span>
                            <IntentChip state=i.state.clone() />
                            {receipt}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn RemovePayee(id: Uuid) -> impl IntoView {
    let sync = use_sync();
    let navigate = use_navigate();
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let click = move |_| {
        if !window()
            .confirm_with_message(tr().remove_confirm)
            .unwrap_or(false)
        {
            return;
        }
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let recorded = sync
                .record(|store| async move { store.remove_payee(id).await })
                .await;
            busy.set(false);
            if let Err(e) = recorded {
                failure.set(Some(e));
                return;
            }
            navigate("/", Default::default());
        });
    };
    view! {
        <div class="danger-zone">
            <ErrorText message=failure testid="remove-error" />
            <button type="button" class="button button--quiet" data-testid="remove-payee" disabled=move || busy.get() on:click=click>
                {fixed(|s| s.remove_payee)}
            </button>
        </div>
    }
}
