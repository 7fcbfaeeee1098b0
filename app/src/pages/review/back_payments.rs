//! 补缴审核 (town center): a submitted application shows the server's check year by year (可以
//! 补缴, or why not: already paid, not a past year, not covered, outside the ages) before the
//! town decides: a payment slip for the payable years (the others named on it with their
//! reasons), or the form back to the applicant, who fixes it rather than starting over. Then
//! the Agricultural Bank receipt the applicant brings back puts the slip's years in the ledger.
//! A village assistant sees their village's applications, without acting on them.

use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;
use yanglao_shared::applications::{
    bank_receipt_no, return_reason, BackPaymentCheck, BackPaymentDecision, BackPaymentState,
    BackPaymentView, BankReceipt,
};
use yanglao_shared::wire::StaffRole;

use super::{decision_error, person_line, queue, role, QueueLists};
use crate::api::{self, ApiError};
use crate::applications::Status;
use crate::components::TextField;
use crate::i18n::{self, apply, ta};
use crate::pages::{ErrorText, RequireSession};
use crate::state::{use_app, AppState};
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
        let years = apply::years(&v.slip_years);
        view! {
            <p class="slip-line" data-testid="review-slip">
                {format!("{}：{no} · {}：{years} · {}：{amount}", t.slip_no, t.slip_years, t.amount_due)}
            </p>
        }
    });
    let refusals_title = if v.slip_no.is_some() {
        t.left_off
    } else {
        t.refusals
    };
    view! {
        <div class="list__row">
            <span class="list__main">
                {person_line(v.full.as_ref(), &v.name_masked, &v.id_masked)}
            </span>
            <span class=format!("chip chip--{class}") data-testid="review-status" data-state=v.state.as_str()>{words}</span>
        </div>
        <p class="muted">{format!("{} {} · {}：{} · {}：{}", v.town, v.village, t.years, apply::years(&v.years), t.tier, i18n::per_year(v.tier))}</p>
        {slip}
        {(!v.refusals.is_empty()).then(|| view! {
            <div class="callout" data-testid="review-refusals">
                <p>{refusals_title}</p>
                <ul>{v.refusals.iter().map(|r| view! { <li>{i18n::reason(r)}</li> }).collect_view()}</ul>
            </div>
        })}
        {v.return_reason.clone().map(|r| view! { <p class="callout">{t.return_reason}{r}</p> })}
        {v.bank_receipt_no.clone().map(|no| view! { <p>{move || ta().bank_receipt}": "{no}</p> })}
    }
}

/// The check as the server sees it now, year by year.
fn check_table(check: &BackPaymentCheck) -> impl IntoView {
    let t = ta();
    view! {
        <div class="year-check" data-testid="review-check">
            <p><strong>{t.check_title}</strong></p>
            <ul class="year-check__list">
                {check.years.iter().map(|y| {
                    let payable = y.refusals.is_empty();
                    let why = y.refusals.iter().map(i18n::reason).collect::<Vec<_>>().join(" ");
                    view! {
                        <li class="year-check__year" class:year-check__year--no=!payable
                            data-testid="review-check-year" data-year=y.year.to_string()
                            data-payable=payable.to_string()>
                            <strong>{i18n::year(y.year)}</strong>" "
                            <span>{if payable { t.year_payable.to_owned() } else { why }}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {(!check.general.is_empty()).then(|| view! {
                <ul class="callout" data-testid="review-check-general">
                    {check.general.iter().map(|r| view! { <li>{i18n::reason(r)}</li> }).collect_view()}
                </ul>
            })}
            {match check.amount {
                Some(amount) => view! {
                    <p data-testid="review-check-amount">{format!("{}：{}", t.amount_due, i18n::yuan(amount))}</p>
                }.into_any(),
                None => view! { <p class="callout">{t.nothing_payable}</p> }.into_any(),
            }}
        </div>
    }
}

async fn token_or_login(app: AppState) -> Result<String, ApiError> {
    app.token().ok_or_else(|| {
        app.needs_login.set(true);
        ApiError::Unauthorized(crate::i18n::tr().relogin.to_owned())
    })
}

#[component]
fn Task(item: BackPaymentView, decided: Callback<BackPaymentView>) -> impl IntoView {
    let shown = item.clone();
    let body = if item.state == BackPaymentState::SlipIssued {
        view! { <ReceiptStep id=item.id decided /> }.into_any()
    } else {
        view! { <DecideStep id=item.id decided /> }.into_any()
    };
    view! {
        <li class="list__item review-task" data-testid="review-item" data-id=item.id.to_string()>
            {move || summary(&shown)}
            {body}
        </li>
    }
}

/// A submitted application: the check first, then a slip for the payable years or a return.
#[component]
fn DecideStep(id: Uuid, decided: Callback<BackPaymentView>) -> impl IntoView {
    let app = use_app();
    let check = RwSignal::new(None::<Result<BackPaymentCheck, String>>);
    let reason = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let load = move || {
        spawn_local(async move {
            let answer = match token_or_login(app).await {
                Ok(token) => api::back_payment_check(&token, id).await,
                Err(e) => Err(e),
            };
            check.set(Some(answer.map_err(|e| decision_error(app, &e))));
        })
    };
    load();
    let decide = move |decision: BackPaymentDecision| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let answer = match token_or_login(app).await {
                Ok(token) => api::back_payment_decide(&token, id, &decision).await,
                Err(e) => Err(e),
            };
            busy.set(false);
            match answer {
                Ok(now) => decided.run(now),
                // The check changed meanwhile (a relative paid a year): show it again.
                Err(ApiError::Refused { code, message, .. }) if code == "check_changed" => {
                    error.set(Some(message));
                    load();
                }
                Err(e) => error.set(Some(decision_error(app, &e))),
            }
        });
    };
    let slip = move |_| {
        let years = check.with_untracked(|c| match c {
            Some(Ok(c)) => c.payable_years.clone(),
            _ => Vec::new(),
        });
        if !years.is_empty() {
            decide(BackPaymentDecision::Slip { years });
        }
    };
    let send_back = move |_| {
        let text = reason.get_untracked();
        let words = (!text.trim().is_empty()).then_some(text);
        if words
            .as_deref()
            .is_some_and(|w| return_reason(Some(w)).is_none())
        {
            error.set(Some(ta().reason_needed.to_owned()));
            return;
        }
        decide(BackPaymentDecision::Return { reason: words });
    };
    let payable = move || {
        check.with(|c| match c {
            Some(Ok(c)) => c.amount.map(|a| (c.payable_years.clone(), a)),
            _ => None,
        })
    };
    view! {
        {move || match check.get() {
            None => view! { <p class="muted">{move || ta().check_loading}</p> }.into_any(),
            Some(Err(message)) => view! {
                <p class="callout" role="alert" data-testid="review-check-error">{message}</p>
                <button type="button" class="button" on:click=move |_| load()>{move || ta().refresh}</button>
            }.into_any(),
            Some(Ok(c)) => check_table(&c).into_any(),
        }}
        <label class="field">
            <span>{move || ta().return_reason_optional}</span>
            <textarea rows="2" maxlength="200" data-testid="review-reason"
                prop:value=move || reason.get()
                on:input:target=move |ev| reason.set(ev.target().value())></textarea>
        </label>
        <ErrorText message=error testid="review-item-error" />
        <div class="actions actions--stack">
            {move || payable().map(|(years, amount)| view! {
                <button type="button" class="button button--primary button--block" data-testid="review-slip-payable"
                    disabled=move || busy.get() on:click=slip>
                    {apply::issue_slip_for(&years, amount)}
                </button>
            })}
            <button type="button" class="button button--block" data-testid="review-return"
                disabled=move || busy.get() || check.with(Option::is_none) on:click=send_back>
                {move || ta().return_form}
            </button>
        </div>
    }
}

/// A slip issued: the Agricultural Bank receipt the applicant brought back.
#[component]
fn ReceiptStep(id: Uuid, decided: Callback<BackPaymentView>) -> impl IntoView {
    let app = use_app();
    let receipt = RwSignal::new(String::new());
    let receipt_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let act = move |_| {
        let Some(no) = bank_receipt_no(&receipt.get_untracked()) else {
            // Said differently from the hint under the field, which stays in view.
            receipt_error.set(Some(ta().receipt_invalid.to_owned()));
            return;
        };
        receipt_error.set(None);
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let answer = match token_or_login(app).await {
                Ok(token) => {
                    let body = BankReceipt {
                        bank_receipt_no: no,
                    };
                    api::back_payment_receipt(&token, id, &body).await
                }
                Err(e) => Err(e),
            };
            busy.set(false);
            match answer {
                Ok(now) => decided.run(now),
                Err(e) => error.set(Some(decision_error(app, &e))),
            }
        });
    };
    view! {
        <TextField label=move || ta().bank_receipt value=receipt error=receipt_error testid="review-bank-receipt"
            hint=move || ta().receipt_hint autocomplete="off" maxlength=32 />
        <ErrorText message=error testid="review-item-error" />
        <button type="button" class="button button--primary button--block" data-testid="review-act"
            disabled=move || busy.get() on:click=act>
            {move || ta().record_receipt}
        </button>
    }
}
