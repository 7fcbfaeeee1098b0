//! 我的参保记录: the account's own roster record with its full contribution history, once the
//! account has claimed it: name and ID number first ([`ClaimStart`]), then the code the server
//! sent to the roster's mobile ([`ClaimCode`], "验证码已发送至 138****5678"). A year another
//! account paid shows 他人代缴 in place of that payer's receipt number. Fetched when online,
//! cached for offline.

use leptos::prelude::*;
use leptos::task::spawn_local;
use yanglao_shared::window::cst_date;
use yanglao_shared::wire::{ClaimRequest, ClaimStarted, OwnRecord};

use super::{api_message, ErrorText, RequireSession};
use crate::api;
use crate::components::{PersonFields, PersonInput, TextField};
use crate::i18n::voice::{self, RecordSaid};
use crate::i18n::{self, fixed, tr};
use crate::state::use_app;
use crate::voice::read_aloud;

#[component]
pub fn Record() -> impl IntoView {
    view! {
        <RequireSession>
            <RecordPage />
        </RequireSession>
    }
}

#[component]
fn RecordPage() -> impl IntoView {
    let app = use_app();
    let offline = RwSignal::new(false);
    spawn_local(async move {
        if !crate::sync::refresh_account(app).await {
            offline.set(true);
        }
    });
    // Only a new record rebuilds the view; other syncs leave the claim form as typed.
    let own_record = Memo::new(move |_| {
        app.data
            .with(|d| d.account.as_ref().and_then(|a| a.own_record.clone()))
    });
    view! {
        <section class="page">
            <h1 tabindex="-1">{fixed(|s| s.record_title)}</h1>
            <Show when=move || offline.get()>
                <p class="muted">{fixed(|s| s.record_cached)}</p>
            </Show>
            {move || match own_record.get() {
                Some(record) => {
                    // The record holds no input: built again in the other language.
                    crate::i18n::track_lang();
                    view! { <RecordView record /> }.into_any()
                }
                None => view! { <ClaimForm /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn RecordView(record: OwnRecord) -> impl IntoView {
    let t = tr();
    let mut rows = record.contributions.clone();
    yanglao_shared::short_sort::sort_by_key(&mut rows, |c| std::cmp::Reverse(c.year));
    let said = record.clone();
    view! {
        {read_aloud(move || voice::record(RecordSaid::Record(&said)))}
        <dl class="facts" data-testid="record-facts">
            <dt>{fixed(|s| s.name)}</dt><dd>{record.name.clone()}</dd>
            <dt>{fixed(|s| s.id_number)}</dt><dd class="id-masked">{record.id_masked.clone()}</dd>
            <dt>{fixed(|s| s.town_village)}</dt><dd>{format!("{} {}", record.town, record.village)}</dd>
            <dt>{fixed(|s| s.record_status)}</dt>
            <dd>
                {i18n::roster_status(record.status)}
                {record.severely_disabled.then(|| format!(" · {}", t.severely_disabled))}
            </dd>
        </dl>
        <p class="callout" data-testid="record-years">{i18n::years_paid(record.years_paid_total, record.min_years_for_pension)}</p>
        {if rows.is_empty() {
            view! { <p class="empty">{fixed(|s| s.record_empty)}</p> }.into_any()
        } else {
            view! {
                <table class="record" data-testid="record-table">
                    <thead>
                        <tr>
                            <th scope="col">{fixed(|s| s.col_year)}</th>
                            <th scope="col">{fixed(|s| s.col_amount)}</th>
                            <th scope="col">{fixed(|s| s.col_kind)}</th>
                            <th scope="col">{fixed(|s| s.receipt_no)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows.into_iter().map(|c| view! {
                            <tr>
                                <td>{c.year}</td>
                                <td class="num">{c.amount.to_string()}</td>
                                <td>{if c.back_payment { t.back_payment } else { t.normal_payment }}</td>
                                <td>{match (c.receipt_no, c.paid_by_other) {
                                    (Some(receipt), _) => receipt,
                                    (None, true) => t.record_paid_by_other.to_owned(),
                                    (None, false) => String::new(),
                                }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }
            .into_any()
        }}
        <button type="button" class="button no-print" data-testid="print" on:click=|_| { let _ = window().print(); }>
            {fixed(|s| s.print)}
        </button>
    }
}

/// The two steps of a claim; going back to the first starts again.
#[component]
fn ClaimForm() -> impl IntoView {
    let sent = RwSignal::new(None::<ClaimStarted>);
    move || match sent.get() {
        None => view! { <ClaimStart sent /> }.into_any(),
        Some(started) => view! { <ClaimCode started sent /> }.into_any(),
    }
}

/// Name and ID number: the server sends a code to the mobile number on the roster.
#[component]
fn ClaimStart(sent: RwSignal<Option<ClaimStarted>>) -> impl IntoView {
    let app = use_app();
    let person = PersonInput::new(move || cst_date(app.server_now()));
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some((person, id)) = person.checked() else {
            return;
        };
        let Some(token) = app.token() else {
            return;
        };
        let request = ClaimRequest {
            name: person.as_str().to_owned(),
            id_number: id.as_str().to_owned(),
        };
        busy.set(true);
        failure.set(None);
        spawn_local(async move {
            let answer = api::claim(&token, &request).await;
            busy.set(false);
            match answer {
                Ok(started) => sent.set(Some(started)),
                Err(e) => failure.set(Some(api_message(&e))),
            }
        });
    };
    view! {
        {read_aloud(|| voice::record(RecordSaid::Claim))}
        <p class="lead">{fixed(|s| s.claim_intro)}</p>
        <form on:submit=submit novalidate class="page--narrow">
            <PersonFields person=person testids=("claim-name", "claim-id-number", "claim-id-ok") />
            <ErrorText message=failure testid="claim-error" />
            <button type="submit" class="button button--primary button--block" data-testid="claim-submit" disabled=move || busy.get()>
                {fixed(|s| s.claim_submit)}
            </button>
        </form>
    }
}

/// The code from the text message proves the claim; the record then shows.
#[component]
fn ClaimCode(started: ClaimStarted, sent: RwSignal<Option<ClaimStarted>>) -> impl IntoView {
    let app = use_app();
    let code = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed: String = code.get_untracked().split_whitespace().collect();
        if typed.len() != 6 || !typed.bytes().all(|b| b.is_ascii_digit()) {
            failure.set(Some(tr().claim_code_hint.to_owned()));
            return;
        }
        let Some(token) = app.token() else {
            return;
        };
        busy.set(true);
        failure.set(None);
        spawn_local(async move {
            let answer = api::confirm_claim(&token, &typed).await;
            busy.set(false);
            match answer {
                Ok(account) => crate::sync::remember_account(app, account).await,
                Err(e) => failure.set(Some(api_message(&e))),
            }
        });
    };
    let masked = started.mobile_masked;
    let said = masked.clone();
    view! {
        {read_aloud(move || voice::record(RecordSaid::CodeSent(&said)))}
        <p class="callout" role="status" data-testid="claim-sent">
            {fixed(|s| s.claim_code_sent)}" "<span class="id-masked">{masked.clone()}</span>
        </p>
        <form on:submit=submit novalidate class="page--narrow">
            <TextField
                label=fixed(|s| s.claim_code)
                value=code
                error=Signal::derive(|| None::<String>)
                testid="claim-code"
                hint=fixed(|s| s.claim_code_hint)
                inputmode="numeric"
                autocomplete="one-time-code"
                maxlength=6
            />
            <ErrorText message=failure testid="claim-error" />
            <button type="submit" class="button button--primary button--block" data-testid="claim-confirm" disabled=move || busy.get()>
                {fixed(|s| s.claim_confirm)}
            </button>
            <button type="button" class="button button--quiet" data-testid="claim-restart" on:click=move |_| sent.set(None)>
                {fixed(|s| s.claim_restart)}
            </button>
        </form>
    }
}
