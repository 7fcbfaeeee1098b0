//! 补缴审核 (town center): check a submitted application (the server applies the eligibility
//! rules and answers with a payment slip, or a rejection listing every reason), then record
//! the Agricultural Bank receipt the applicant brings back, which puts the years in the ledger.
//! A village assistant sees their village's applications, without acting on them.

use leptos::prelude::*;
use leptos::task::spawn_local;
use yanglao_shared::applications::{
    bank_receipt_no, BackPaymentState, BackPaymentView, BankReceipt,
};
use yanglao_shared::wire::StaffRole;

use super::{decision_error, queue, role, QueueLists};
use crate::api;
use crate::applications::Status;
use crate::components::TextField;
use crate::i18n::{self, apply, ta};
use crate::pages::{ErrorText, RequireSession};
use crate::state::use_app;
use crate::store::keys;

#[component]
pub fn ReviewBackPayments() -> impl IntoView {
    view! {
        <RequireSession>
            <ReviewPage />
        </RequireSession>
    }
}

fn waits_on(role: Option<StaffRole>, item: &BackPaymentView) -> bool {
    role == Some(StaffRole::Town)
        && matches!(
            item.state,
            BackPaymentState::Submitted | BackPaymentState::SlipIssued
        )
}

#[component]
fn ReviewPage() -> impl IntoView {
    let app = use_app();
    let role = role(app);
    let fetch = |token: String| async move { api::staff_back_payments(&token).await };
    let queue = queue(app, keys::STAFF_BACK_PAYMENTS, fetch, move |v| {
        waits_on(role.get(), v)
    });
    let task = Callback::new(move |v: BackPaymentView| {
        view! { <Task item=v decided=queue.decided /> }.into_any()
    });
    view! {
        <section class="page review">
            <h1 tabindex="-1">{move || ta().review_back_title}</h1>
            <QueueLists queue task summary=|v: &BackPaymentView| summary(v).into_any() />
        </section>
    }
}

fn summary(v: &BackPaymentView) -> impl IntoView {
    let t = ta();
    let (class, words) = apply::status(&Status::BackPayment(v.state));
    let slip = v.slip_no.clone().map(|no| {
        let amount = v.amount.map(i18n::yuan).unwrap_or_default();
        view! { <p data-testid="review-slip">{format!("{}：{no} · {}：{amount}", t.slip_no, t.amount_due)}</p> }
    });
    view! {
        <div class="list__row">
            <span class="list__main">
                <span class="person-name">{v.name_masked.clone()}</span>" "
                <span class="muted id-masked">{v.id_masked.clone()}</span>
            </span>
            <span class=format!("chip chip--{class}") data-testid="review-status" data-state=v.state.as_str()>{words}</span>
        </div>
        <p class="muted">{format!("{} {} · {}：{} · {}：{}", v.town, v.village, t.years, apply::years(&v.years), t.tier, i18n::per_year(v.tier))}</p>
        {slip}
        {(!v.refusals.is_empty()).then(|| view! {
            <ul class="callout" data-testid="review-refusals">{v.refusals.iter().map(|r| view! { <li>{i18n::reason(r)}</li> }).collect_view()}</ul>
        })}
        {v.bank_receipt_no.clone().map(|no| view! { <p>{move || ta().bank_receipt}": "{no}</p> })}
    }
}

#[component]
fn Task(item: BackPaymentView, decided: Callback<BackPaymentView>) -> impl IntoView {
    let app = use_app();
    let id = item.id;
    let shown = item.clone();
    let slip_issued = item.state == BackPaymentState::SlipIssued;
    let receipt = RwSignal::new(String::new());
    let receipt_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let act = move |_| {
        let receipt_no = if slip_issued {
            match bank_receipt_no(&receipt.get_untracked()) {
                Some(no) => Some(no),
                None => {
                    receipt_error.set(Some(ta().receipt_hint.to_owned()));
                    return;
                }
            }
        } else {
            None
        };
        receipt_error.set(None);
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let Some(token) = app.token() else {
                busy.set(false);
                app.needs_login.set(true);
                error.set(Some(crate::i18n::tr().relogin.to_owned()));
                return;
            };
            let answer = match receipt_no {
                Some(no) => {
                    let body = BankReceipt {
                        bank_receipt_no: no,
                    };
                    api::back_payment_receipt(&token, id, &body).await
                }
                None => api::back_payment_review(&token, id).await,
            };
            busy.set(false);
            match answer {
                Ok(now) => decided.run(now),
                Err(e) => error.set(Some(decision_error(app, &e))),
            }
        });
    };
    view! {
        <li class="list__item review-task" data-testid="review-item" data-id=id.to_string()>
            {move || summary(&shown)}
            {slip_issued.then(|| view! {
                <TextField label=move || ta().bank_receipt value=receipt error=receipt_error testid="review-bank-receipt"
                    hint=move || ta().receipt_hint autocomplete="off" maxlength=32 />
            })}
            <ErrorText message=error testid="review-item-error" />
            <button type="button" class="button button--primary button--block" data-testid="review-act"
                disabled=move || busy.get() on:click=act>
                {move || if slip_issued { ta().record_receipt } else { ta().check_eligibility }}
            </button>
        </li>
    }
}
