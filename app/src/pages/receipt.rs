//! A printable receipt for a paid payment (from the phone's records, so it works offline),
//! and the public check of a receipt number against the server.

use crate::routing::use_params_map;
use crate::routing::A;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;
use yanglao_shared::wire::{IntentState, ReceiptCheck};

use super::{api_message, ErrorText};
use crate::components::TextField;
use crate::i18n::{self, fixed};
use crate::state::use_app;
use crate::voice::read_aloud;

#[component]
pub fn Receipt() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    // A receipt holds no input: built again in the other language.
    move || {
        i18n::track_lang();
        let id = params.with(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok()));
        let found = id.and_then(|id| {
            app.data
                .with(|d| d.intents.iter().find(|i| i.id() == id).cloned())
        });
        let account = app
            .data
            .with(|d| d.session.as_ref().map(|s| s.mobile_masked.clone()));
        let Some((
            intent,
            IntentState::Paid {
                receipt_no,
                amount,
                paid_at,
            },
        )) = found.map(|i| (i.clone(), i.state))
        else {
            return view! {
                <section class="page">
                    <h1 tabindex="-1">{fixed(|s| s.receipt_title)}</h1>
                    {read_aloud(|| i18n::voice::receipt(None))}
                    <p class="empty" data-testid="receipt-missing">{fixed(|s| s.receipt_missing)}</p>
                    <A href="/payments">{fixed(|s| s.nav_payments)}</A>
                </section>
            }
            .into_any();
        };
        view! {
            <section class="page receipt" data-testid="receipt">
                <h1 tabindex="-1">{fixed(|s| s.receipt_title)}</h1>
                {read_aloud({
                    let name = intent.name_masked.clone();
                    let year = intent.intent.year;
                    move || i18n::voice::receipt(Some((&name, year, amount, paid_at)))
                })}
                <p class="receipt__scheme">{fixed(|s| s.receipt_scheme)}</p>
                <dl class="facts">
                    <dt>{fixed(|s| s.receipt_no)}</dt><dd data-testid="receipt-no">{receipt_no.clone()}</dd>
                    <dt>{fixed(|s| s.col_person)}</dt><dd>{intent.name_masked.clone()} <crate::components::LabelTag label=app.data.with(|d| crate::components::label_of(&d.payees, intent.intent.payee_id)) /></dd>
                    <dt>{fixed(|s| s.col_id)}</dt><dd class="id-masked">{intent.id_masked.clone()}</dd>
                    <dt>{fixed(|s| s.col_year)}</dt><dd>{i18n::year(intent.intent.year)}</dd>
                    <dt>{fixed(|s| s.receipt_amount)}</dt><dd data-testid="receipt-amount">{i18n::yuan(amount)}</dd>
                    <dt>{fixed(|s| s.receipt_paid_at)}</dt><dd>{i18n::date_time(paid_at)}</dd>
                    {account.map(|a| view! { <dt>{fixed(|s| s.receipt_account)}</dt><dd>{a}</dd> })}
                </dl>
                <p class="muted small">{fixed(|s| s.receipt_verify_note)}</p>
                <button type="button" class="button button--primary no-print" data-testid="print" on:click=|_| { let _ = window().print(); }>
                    {fixed(|s| s.print)}
                </button>
            </section>
        }
        .into_any()
    }
}

#[component]
pub fn Verify() -> impl IntoView {
    let number = RwSignal::new(String::new());
    let result = RwSignal::new(None::<ReceiptCheck>);
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let no = number.get_untracked();
        if no.trim().is_empty() {
            return;
        }
        busy.set(true);
        failure.set(None);
        result.set(None);
        spawn_local(async move {
            match crate::api::receipt(&no).await {
                Ok(check) => result.set(Some(check)),
                Err(e) => failure.set(Some(api_message(&e))),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="page page--narrow">
            <h1 tabindex="-1">{fixed(|s| s.verify_title)}</h1>
            <form on:submit=submit novalidate>
                <TextField label=fixed(|s| s.receipt_no) value=number error=Signal::derive(|| None::<String>) testid="verify-input" autocomplete="off" />
                <ErrorText message=failure testid="verify-error" />
                <button type="submit" class="button button--primary button--block" data-testid="verify-submit" disabled=move || busy.get()>
                    {fixed(|s| s.verify_submit)}
                </button>
            </form>
            {move || result.get().map(|r| view! {
                <div class="banner banner--open" data-testid="verify-result" role="status">
                    <p>{fixed(|s| s.verify_ok)}</p>
                    <p>{r.receipt_no} " · " {r.name_masked} " · " {i18n::year(r.year)} " · " {i18n::yuan(r.amount)} " · " {i18n::date_time(r.paid_at)}</p>
                </div>
            })}
        </section>
    }
}
