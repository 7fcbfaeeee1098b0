//! What a payer must know before anything else: is the window open and for how long, is the
//! phone online, did a payment miss the network near the deadline.

use crate::routing::A;
use leptos::prelude::*;
use yanglao_shared::window::WindowState;

use crate::i18n::{self, fixed, tr};
use crate::rules::{self, DeadlineWarning};
use crate::state::{use_app, SyncStatus};
use crate::sync::use_sync;

#[component]
pub fn WindowBanner() -> impl IntoView {
    let app = use_app();
    move || {
        let now = app.window();
        let t = tr();
        let estimated = (!now.from_server).then_some(t.estimated);
        let (class, text, missed) = match now.state {
            WindowState::Open {
                year,
                closes,
                days_left,
                ..
            } => (
                if days_left <= rules::WARN_DAYS {
                    "banner banner--soon"
                } else {
                    "banner banner--open"
                },
                i18n::window_open(year, closes, days_left),
                false,
            ),
            WindowState::NotYetOpen { year, opens, .. } => (
                "banner banner--closed",
                i18n::window_not_yet(year, opens),
                false,
            ),
            WindowState::Closed { year, closes, .. } => (
                "banner banner--closed",
                i18n::window_closed(year, closes),
                true,
            ),
        };
        view! {
            <div class=class data-testid="window-banner">
                <span>{text}{estimated}</span>
                {missed.then(|| view! { <A href="/guide">{fixed(|s| s.missed_link)}</A> })}
            </div>
        }
    }
}

/// Online/offline, syncing, or "log in again" — with a button to sync now.
#[component]
pub fn SyncLine() -> impl IntoView {
    let app = use_app();
    let sync = use_sync();
    let location = crate::routing::use_location();
    move || {
        let t = tr();
        if app.needs_login.get() {
            return view! {
                <div class="syncline syncline--alert" data-testid="relogin-banner" role="alert">
                    <span>{fixed(|s| s.relogin)}</span>
                    <A href="/login">{fixed(|s| s.relogin_action)}</A>
                </div>
            }
            .into_any();
        }
        if app.session().is_none() {
            return ().into_any();
        }
        // On an application form's screens the line speaks of the form, not of payments.
        let path = location.pathname.get();
        let offline = i18n::apply::offline_line(&path).unwrap_or(t.offline);
        let (class, text) = match app.sync.get() {
            SyncStatus::Running => ("syncline", t.syncing.to_owned()),
            SyncStatus::Offline => ("syncline syncline--offline", offline.to_owned()),
            SyncStatus::Failed(message) => ("syncline syncline--alert", message),
            SyncStatus::Idle if !app.online.get() => {
                ("syncline syncline--offline", offline.to_owned())
            }
            SyncStatus::Idle => {
                app.minute.track();
                let last = app
                    .data
                    .with(|d| d.last_sync)
                    .map(|m| i18n::date_time(m.at))
                    .unwrap_or_else(|| t.never_synced.to_owned());
                ("syncline syncline--quiet", format!("{}{last}", t.last_sync))
            }
        };
        let running = app.sync.get() == SyncStatus::Running;
        view! {
            <div class=class data-testid="sync-status">
                <span>{text}</span>
                <button
                    type="button"
                    class="link"
                    data-testid="sync-now"
                    disabled=running
                    on:click=move |_| sync.request()
                >
                    {fixed(|s| s.sync_now)}
                </button>
            </div>
        }
        .into_any()
    }
}

#[component]
pub fn DeadlineBanner() -> impl IntoView {
    let app = use_app();
    move || {
        let window = app.window().state;
        let warning = app
            .data
            .with(|d| rules::deadline_warning(&window, &d.intents))?;
        let text = match warning {
            DeadlineWarning::ClosingSoon { unsent, days_left } => {
                i18n::closing_soon(unsent, days_left)
            }
            DeadlineWarning::Closed { unsent } => i18n::closed_unsent(unsent),
        };
        Some(view! {
            <div class="banner banner--alert" role="alert" data-testid="deadline-warning">{text}</div>
        })
    }
}
