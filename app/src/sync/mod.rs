//! The sync engine: sends the whole outbox in one `POST /sync` whenever a connection may
//! exist, and applies the answer.
//!
//! Triggers: app start, the window's `online` event, the page becoming visible, a message from
//! the service worker (Background Sync), a local change, and a timer. The timer backs off
//! exponentially with jitter after failures and polls gently while payments wait for the bank.
//! One tab syncs at a time ([`lock`]); the others hear about the result on a
//! BroadcastChannel and reload from IndexedDB.

pub mod applications;
pub mod backoff;
pub mod lock;

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;
use web_sys::BroadcastChannel;

use crate::api::{self, ApiError};
use crate::clock;
use crate::model::{CachedWindow, SyncMark};
use crate::outbox;
use crate::state::{AppState, SyncStatus};

const CHANNEL: &str = "yanglao";
/// A tab that found another tab syncing looks again after this long.
const BUSY_RETRY_MS: u32 = 3_000;

thread_local! {
    static RUNNING: Cell<bool> = const { Cell::new(false) };
    static AGAIN: Cell<bool> = const { Cell::new(false) };
    static FAILURES: Cell<u32> = const { Cell::new(0) };
    static POLLS: Cell<u32> = const { Cell::new(0) };
    static TIMER: RefCell<Option<TimeoutHandle>> = const { RefCell::new(None) };
    static CHANNEL_TX: RefCell<Option<BroadcastChannel>> = const { RefCell::new(None) };
    /// The applications screen is open: fetch their steps even if nothing seems to move.
    static ASK_APPLICATIONS: Cell<bool> = const { Cell::new(false) };
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// Applied; `pending` payments still wait for the bank's answer.
    Done {
        pending: bool,
    },
    NoSession,
    AnotherTab,
    Failed(ApiError),
    Store(String),
}

/// Installs every trigger. Called once, after the first load from IndexedDB.
pub fn start(app: AppState) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let on_online = Closure::<dyn Fn()>::new(move || {
        app.online.set(true);
        FAILURES.with(|f| f.set(0));
        request(app);
    });
    let on_offline = Closure::<dyn Fn()>::new(move || app.online.set(false));
    let on_visible = Closure::<dyn Fn()>::new(move || {
        let visible = web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
        if visible {
            request(app);
        }
    });
    let _ = window.add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
    let _ = window.add_event_listener_with_callback("offline", on_offline.as_ref().unchecked_ref());
    if let Some(document) = window.document() {
        let _ = document.add_event_listener_with_callback(
            "visibilitychange",
            on_visible.as_ref().unchecked_ref(),
        );
    }
    // Listeners for the page's lifetime.
    on_online.forget();
    on_offline.forget();
    on_visible.forget();

    if let Ok(channel) = BroadcastChannel::new(CHANNEL) {
        let on_message =
            Closure::<dyn Fn()>::new(move || spawn_local(async move { app.reload().await }));
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        CHANNEL_TX.with(|c| *c.borrow_mut() = Some(channel));
    }
    request(app);
}

/// Tells other tabs that IndexedDB changed.
pub fn announce() {
    CHANNEL_TX.with(|c| {
        if let Some(channel) = c.borrow().as_ref() {
            let _ = channel.post_message(&JsValue::from_str("changed"));
        }
    });
}

/// "A connection may exist now": sync as soon as possible. Calls during a sync are folded
/// into one more run after it.
pub fn request(app: AppState) {
    if RUNNING.with(Cell::get) {
        AGAIN.with(|a| a.set(true));
        return;
    }
    RUNNING.with(|r| r.set(true));
    cancel_timer();
    spawn_local(async move {
        loop {
            AGAIN.with(|a| a.set(false));
            let outcome = run_once(app).await;
            after(app, &outcome);
            if !AGAIN.with(Cell::get) || matches!(outcome, Outcome::Failed(_)) {
                break;
            }
        }
        RUNNING.with(|r| r.set(false));
    });
}

async fn run_once(app: AppState) -> Outcome {
    let Some(token) = app.token() else {
        // An expired session keeps its outbox; the person is asked to log in again.
        if app.data.with_untracked(|d| d.session.is_some()) {
            app.needs_login.set(true);
        }
        return Outcome::NoSession;
    };
    app.sync.set(SyncStatus::Running);
    lock::exclusive(exchange(app, token))
        .await
        .unwrap_or(Outcome::AnotherTab)
}

/// One round trip: read the outbox from disk (what another tab wrote counts too), send it,
/// write the answer and the new cursor in one transaction.
async fn exchange(app: AppState, token: String) -> Outcome {
    let store = match app.store().await {
        Ok(s) => s,
        Err(e) => return Outcome::Store(e),
    };
    let snapshot = match store.load().await {
        Ok(s) => s,
        Err(e) => return Outcome::Store(e.to_string()),
    };
    let request = outbox::build_request(snapshot.cursor, &snapshot.payees, &snapshot.intents);
    let sent: BTreeSet<_> = request.intents.iter().map(|i| i.id).collect();
    let sent_payees: BTreeSet<_> = request.payees.iter().map(|p| p.id).collect();
    let response = match api::sync(&token, &request).await {
        Ok(r) => r,
        Err(e) => return Outcome::Failed(e),
    };
    // Re-read: the person may have changed something while the request was out.
    let latest = store.load().await.unwrap_or(snapshot);
    let seen_at = clock::now();
    let changes = outbox::merge(
        &latest.payees,
        &latest.intents,
        &sent,
        &sent_payees,
        &response,
        seen_at,
    );
    if let Err(e) = store.apply(&changes, SyncMark { at: seen_at }).await {
        return Outcome::Store(e.to_string());
    }
    let always = ASK_APPLICATIONS.with(|a| a.replace(false));
    let applications = applications::exchange(&store, &token, always).await;
    app.reload().await;
    announce();
    match applications {
        Err(applications::Trouble::Api(e)) => {
            ASK_APPLICATIONS.with(|a| a.set(always));
            return Outcome::Failed(e);
        }
        Err(applications::Trouble::Store(e)) => return Outcome::Store(e),
        Ok(_) => {}
    }
    let pending = app.data.with_untracked(|d| {
        d.intents
            .iter()
            .any(|i| i.mine && i.state == yanglao_shared::wire::IntentState::Submitted)
    });
    Outcome::Done { pending }
}

fn after(app: AppState, outcome: &Outcome) {
    match outcome {
        Outcome::Done { pending } => {
            FAILURES.with(|f| f.set(0));
            app.needs_login.set(false);
            app.online.set(true);
            app.sync.set(SyncStatus::Idle);
            if *pending {
                let attempt = POLLS.with(|p| p.replace(p.get() + 1));
                schedule(
                    app,
                    backoff::delay_ms(backoff::POLL_BASE_MS, attempt, clock::random_unit()),
                );
            } else {
                POLLS.with(|p| p.set(0));
            }
        }
        Outcome::NoSession => app.sync.set(SyncStatus::Idle),
        Outcome::AnotherTab => {
            app.sync.set(SyncStatus::Idle);
            schedule(app, BUSY_RETRY_MS);
        }
        Outcome::Failed(ApiError::Unauthorized(_)) => {
            // Keep everything; ask to log in again. The next login resumes the outbox.
            app.needs_login.set(true);
            app.sync.set(SyncStatus::Idle);
        }
        Outcome::Failed(error) => {
            let attempt = FAILURES.with(|f| f.replace(f.get() + 1));
            app.sync.set(match error {
                ApiError::Offline => SyncStatus::Offline,
                ApiError::Refused { message, .. } => SyncStatus::Failed(message.clone()),
                ApiError::BadAnswer(_) => {
                    SyncStatus::Failed(crate::i18n::tr().server_trouble.into())
                }
                ApiError::Unauthorized(_) => unreachable!("handled above"),
            });
            if *error == ApiError::Offline {
                app.online.set(false);
                crate::pwa::register_background_sync();
            }
            schedule(
                app,
                backoff::delay_ms(backoff::BASE_MS, attempt, clock::random_unit()),
            );
        }
        Outcome::Store(message) => {
            app.sync.set(SyncStatus::Failed(message.clone()));
            let attempt = FAILURES.with(|f| f.replace(f.get() + 1));
            schedule(
                app,
                backoff::delay_ms(backoff::BASE_MS, attempt, clock::random_unit()),
            );
        }
    }
}

fn schedule(app: AppState, ms: u32) {
    cancel_timer();
    let handle = set_timeout_with_handle(move || request(app), Duration::from_millis(ms.into()));
    TIMER.with(|t| *t.borrow_mut() = handle.ok());
}

fn cancel_timer() {
    TIMER.with(|t| {
        if let Some(handle) = t.borrow_mut().take() {
            handle.clear();
        }
    });
}

/// Syncs now and brings the applications' steps up to date (the applications screen).
pub fn refresh_applications(app: AppState) {
    ASK_APPLICATIONS.with(|a| a.set(true));
    request(app);
}

/// Fetches the public policy and window (no login needed) and caches them for offline use.
pub async fn refresh_policy(app: AppState) {
    let Ok(info) = api::policy().await else {
        return;
    };
    let cached = CachedWindow {
        window: info.window,
        clock: crate::clock::ServerClock {
            server_time: info.server_time,
            seen_at: clock::now(),
        },
    };
    if let Ok(store) = app.store().await {
        if store.save_window(&cached, &info.policy).await.is_ok() {
            // Just these fields: a full reload would redraw every screen at start-up.
            app.data.update(|d| {
                d.window = Some(cached);
                d.policy = Some(info.policy);
            });
        }
    }
}

/// Fetches the towns and villages the enrolment form offers (public) and keeps them.
pub async fn refresh_places(app: AppState) {
    let Ok(places) = api::places().await else {
        return;
    };
    if let Ok(store) = app.store().await {
        if store.set(crate::store::keys::PLACES, &places).await.is_ok() {
            app.data.update(|d| d.places = places);
        }
    }
}

/// Re-reads the account (`GET /me`) and keeps it, so what depends on it (the staff entry,
/// one's own record) also shows offline. Quiet: a failure leaves the cached account as it
/// was. Answers whether the server was reached (a 401 asks to log in again).
pub async fn refresh_account(app: AppState) -> bool {
    let Some(token) = app.token() else {
        return false;
    };
    match api::me(&token).await {
        Ok(account) => {
            remember_account(app, account).await;
            true
        }
        Err(ApiError::Unauthorized(_)) => {
            app.needs_login.set(true);
            true
        }
        Err(_) => false,
    }
}

/// Keeps the account as the server just gave it, on disk and on screen.
pub async fn remember_account(app: AppState, account: yanglao_shared::wire::Account) {
    if let Ok(store) = app.store().await {
        if store.save_account(&account).await.is_ok() {
            app.data.update(|d| d.account = Some(account));
        }
    }
}
