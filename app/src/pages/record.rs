//! 我的参保记录: the account's own roster record with its full contribution history, once the
//! account has claimed it by name and ID number. Fetched when online, cached for offline.

use leptos::prelude::*;
use leptos::task::spawn_local;
use yanglao_shared::id_number::IdNumber;
use yanglao_shared::name::PersonName;
use yanglao_shared::window::cst_date;
use yanglao_shared::wire::{Account, ClaimRequest, OwnRecord};

use super::{api_message, ErrorText, RequireSession};
use crate::api::{self, ApiError};
use crate::components::TextField;
use crate::i18n::{self, tr};
use crate::state::{use_app, AppState};

#[component]
pub fn Record() -> impl IntoView {
    view! {
        <RequireSession>
            <RecordPage />
        </RequireSession>
    }
}

async fn keep(app: AppState, account: &Account) {
    if let Ok(store) = app.store().await {
        let _ = store.save_account(account).await;
    }
    app.reload().await;
}

#[component]
fn RecordPage() -> impl IntoView {
    let app = use_app();
    let t = tr();
    let offline = RwSignal::new(false);
    if let Some(token) = app.token() {
        spawn_local(async move {
            match api::me(&token).await {
                Ok(account) => keep(app, &account).await,
                Err(ApiError::Unauthorized(_)) => app.needs_login.set(true),
                Err(_) => offline.set(true),
            }
        });
    }
    // Only a new record rebuilds the view; other syncs leave the claim form as typed.
    let own_record = Memo::new(move |_| {
        app.data
            .with(|d| d.account.as_ref().and_then(|a| a.own_record.clone()))
    });
    view! {
        <section class="page">
            <h1 tabindex="-1">{t.record_title}</h1>
            <Show when=move || offline.get()>
                <p class="muted">{tr().record_cached}</p>
            </Show>
            {move || match own_record.get() {
                Some(record) => view! { <RecordView record /> }.into_any(),
                None => view! { <ClaimForm /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn RecordView(record: OwnRecord) -> impl IntoView {
    let t = tr();
    let mut rows = record.contributions.clone();
    rows.sort_by_key(|c| std::cmp::Reverse(c.year));
    view! {
        <dl class="facts" data-testid="record-facts">
            <dt>{t.name}</dt><dd>{record.name.clone()}</dd>
            <dt>{t.id_number}</dt><dd class="id-masked">{record.id_masked.clone()}</dd>
            <dt>{t.town_village}</dt><dd>{format!("{} {}", record.town, record.village)}</dd>
            <dt>{t.record_status}</dt>
            <dd>
                {i18n::roster_status(record.status)}
                {record.severely_disabled.then(|| format!(" · {}", t.severely_disabled))}
            </dd>
        </dl>
        <p class="callout" data-testid="record-years">{i18n::years_paid(record.years_paid_total, record.min_years_for_pension)}</p>
        {if rows.is_empty() {
            view! { <p class="empty">{t.record_empty}</p> }.into_any()
        } else {
            view! {
                <table class="record" data-testid="record-table">
                    <thead>
                        <tr>
                            <th scope="col">{t.col_year}</th>
                            <th scope="col">{t.col_amount}</th>
                            <th scope="col">{t.col_kind}</th>
                            <th scope="col">{t.receipt_no}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows.into_iter().map(|c| view! {
                            <tr>
                                <td>{c.year}</td>
                                <td class="num">{c.amount.to_string()}</td>
                                <td>{if c.back_payment { t.back_payment } else { t.normal_payment }}</td>
                                <td>{c.receipt_no.unwrap_or_default()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }
            .into_any()
        }}
        <button type="button" class="button no-print" data-testid="print" on:click=|_| { let _ = window().print(); }>
            {t.print}
        </button>
    }
}

#[component]
fn ClaimForm() -> impl IntoView {
    let app = use_app();
    let t = tr();
    let name = RwSignal::new(String::new());
    let id_number = RwSignal::new(String::new());
    let touched = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let today = move || cst_date(app.server_now());
    let name_error = Signal::derive(move || {
        touched
            .get()
            .then(|| {
                PersonName::parse(&name.get())
                    .err()
                    .map(|e| i18n::input_error(e.code(), e.to_string()))
            })
            .flatten()
    });
    let id_error = Signal::derive(move || {
        let complete = id_number.with(|s| s.trim().chars().count() >= 18);
        (touched.get() || complete)
            .then(|| {
                IdNumber::parse(&id_number.get(), today())
                    .err()
                    .map(|e| i18n::input_error(e.code(), e.to_string()))
            })
            .flatten()
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        let (Ok(person), Ok(id)) = (
            PersonName::parse(&name.get_untracked()),
            IdNumber::parse(&id_number.get_untracked(), today()),
        ) else {
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
                Ok(account) => keep(app, &account).await,
                Err(e) => failure.set(Some(api_message(&e))),
            }
        });
    };
    view! {
        <p class="lead">{t.claim_intro}</p>
        <form on:submit=submit novalidate class="page--narrow">
            <TextField label=t.name value=name error=name_error testid="claim-name" autocomplete="name" />
            <TextField
                label=t.id_number
                value=id_number
                error=id_error
                testid="claim-id-number"
                hint=t.id_hint
                autocomplete="off"
                maxlength=20
            />
            <ErrorText message=failure testid="claim-error" />
            <button type="submit" class="button button--primary button--block" data-testid="claim-submit" disabled=move || busy.get()>
                {t.claim_submit}
            </button>
        </form>
    }
}
