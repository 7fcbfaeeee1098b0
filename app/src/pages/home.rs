//! 我的缴费人员: the people this account pays for, each with this year's status, and the two
//! ways on: pay, or add a person.

use crate::routing::A;
use leptos::prelude::*;

use super::RequireSession;
use crate::components::PayeeChip;
use crate::i18n::{self, fixed, tr, voice};
use crate::model::LocalPayee;
use crate::rules::{self, PayeeStatus};
use crate::state::use_app;
use crate::sync::use_sync;
use crate::voice::read_aloud;

#[component]
pub fn Home() -> impl IntoView {
    view! {
        <RequireSession>
            <PeopleList />
        </RequireSession>
    }
}

#[component]
fn PeopleList() -> impl IntoView {
    let app = use_app();
    let rows = move || {
        let year = rules::window_year(&app.window().state);
        app.data.with(|d| {
            let mut rows: Vec<(LocalPayee, PayeeStatus)> = d
                .payees
                .iter()
                .map(|p| (p.clone(), rules::payee_status(p, &d.intents, year)))
                .collect();
            yanglao_shared::short_sort::sort_by(&mut rows, |a, b| {
                a.0.name_masked.cmp(&b.0.name_masked)
            });
            rows
        })
    };
    let waiting = move || {
        app.data.with(|d| {
            d.intents
                .iter()
                .filter(|i| i.mine && !i.state.is_final())
                .count()
        })
    };
    let year = move || i18n::year(rules::window_year(&app.window().state));
    let to_act_on = move || {
        app.data.with(|d| {
            d.applications
                .iter()
                .filter(|a| a.awaits_applicant())
                .count()
        })
    };

    view! {
        <section class="page">
            <h1 tabindex="-1">{fixed(|s| s.home_title)}</h1>
            {read_aloud(move || {
                let people: Vec<_> = rows().into_iter().map(|(p, s)| (p.name_masked, s)).collect();
                voice::home(rules::window_year(&app.window().state), &people, waiting())
            })}
            <p class="muted">{year}</p>
            <div class="actions">
                <A href="/pay" attr:class="button button--primary" attr:data-testid="start-pay">{fixed(|s| s.start_pay)}</A>
                <A href="/payees/new" attr:class="button" attr:data-testid="add-payee">{fixed(|s| s.add_payee)}</A>
            </div>
            {move || {
                let n = to_act_on();
                (n > 0).then(|| view! {
                    <A href="/apply" attr:class="callout" attr:data-testid="applications-waiting">{i18n::apply::awaiting_you(n)}</A>
                })
            }}
            {move || {
                let n = waiting();
                (n > 0).then(|| view! {
                    <A href="/payments" attr:class="callout" attr:data-testid="pending-count">{i18n::pending_count(n)}</A>
                })
            }}
            {move || {
                let rows = rows();
                if rows.is_empty() {
                    return view! { <p class="empty" data-testid="payee-empty">{fixed(|s| s.home_empty)}</p> }.into_any();
                }
                view! {
                    <ul class="list" data-testid="payee-list">
                        {rows.into_iter().map(|(payee, status)| view! { <PersonRow payee status /> }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
            <p class="more-links">
                <A href="/record" attr:data-testid="nav-record">{fixed(|s| s.nav_record)}</A>
                " · "
                <A href="/apply" attr:data-testid="nav-apply">{move || i18n::ta().apps_link}</A>
                " · "
                <LogOut />
            </p>
        </section>
    }
}

#[component]
fn PersonRow(payee: LocalPayee, status: PayeeStatus) -> impl IntoView {
    let label = payee.label_text().map(str::to_owned);
    let shown = status.clone();
    let detail = move || match &shown {
        PayeeStatus::NoMatch(reason) | PayeeStatus::Blocked(reason) => Some(i18n::reason(reason)),
        PayeeStatus::Unverified => Some(tr().unverified_explain.to_owned()),
        _ => None,
    };
    view! {
        <li class="list__item" data-testid="payee-item" data-payee-id=payee.id.to_string()>
            <A href=format!("/payees/{}", payee.id) attr:class="list__link">
                <span class="list__main">
                    <span class="person-name">{payee.name_masked.clone()}</span>
                    <crate::components::LabelTag label=label.clone() />
                    <span class="muted id-masked">{payee.id_masked.clone()}</span>
                </span>
                <PayeeChip status />
            </A>
            {move || detail().map(|d| view! { <p class="list__note">{d}</p> })}
        </li>
    }
}

/// Logs out; warns first when payments are still waiting to be sent (they stay on the phone).
#[component]
fn LogOut() -> impl IntoView {
    let app = use_app();
    let sync = use_sync();
    let navigate = crate::routing::use_navigate();
    let click = move |_| {
        let unsent = app.data.with_untracked(|d| {
            let payments = d.intents.iter().filter(|i| i.to_send()).count();
            // Forms waiting to be sent stay on the phone just the same.
            payments
                + d.applications
                    .iter()
                    .filter(|a| a.to_send().is_some())
                    .count()
        });
        if unsent > 0 {
            let ok = window()
                .confirm_with_message(&i18n::logout_pending(unsent))
                .unwrap_or(false);
            if !ok {
                return;
            }
        }
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            if let Some(token) = app
                .data
                .with_untracked(|d| d.session.as_ref().map(|s| s.token.clone()))
            {
                let _ = crate::api::log_out(&token).await; // best effort: offline logout still forgets the token
            }
            if let Err(e) = sync
                .write(|store| async move { store.log_out().await })
                .await
            {
                app.say(e);
            }
            navigate("/login", Default::default());
        });
    };
    view! {
        <button type="button" class="link" data-testid="logout" on:click=click>{fixed(|s| s.logout)}</button>
    }
}
