//! The sync engine: pushes the mutation log and pulls what changed whenever a connection may
//! exist, and applies the answer.
//!
//! [`SyncEngine`] is a value: created once at app start ([`SyncEngine::start`]), provided as a
//! Leptos context, fetched with [`use_sync`] by the pages that write or ask for a sync. Its
//! state (a run in progress, a run asked for meanwhile, failures and polls counted for the
//! backoff, the timer, the channel to other tabs) lives in the engine, not in globals, so a
//! test or a second app root gets an engine of its own.
//!
//! Triggers: app start, the window's `online` event, the page becoming visible, a message from
//! the service worker (Background Sync, [`crate::pwa`]), a local change ([`SyncEngine::record`])
//! and a timer. The timer backs off exponentially with jitter after failures ([`backoff`])
//! and polls gently while payments wait for the bank. One tab syncs at a time ([`lock`]); the
//! others hear about the result on a BroadcastChannel and reload from IndexedDB. What one run
//! sends, and how each kind of entry goes out, is [`push`].

pub mod applications;
pub mod backoff;
pub mod lock;
pub mod push;
mod refresh;

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;
use web_sys::BroadcastChannel;

pub use refresh::{refresh_account, refresh_places, refresh_policy, remember_account};

use crate::api::ApiError;
use crate::clock;
use crate::state::{AppState, SyncStatus};
use crate::store::Store;
use push::Trouble;

const CHANNEL: &str = "yanglao";
/// A tab that found another tab syncing looks again after this long.
const BUSY_RETRY_MS: u32 = 3_000;

/// What the engine remembers between runs.
#[derive(Default)]
struct Engine {
    running: bool,
    /// Asked for while running: one more run follows.
    again: bool,
    failures: u32,
    polls: u32,
    timer: Option<TimeoutHandle>,
    channel: Option<BroadcastChannel>,
    /// The applications screen is open: fetch their steps even if nothing seems to move.
    ask_applications: bool,
}

/// A handle on the app's one sync engine (cheap to copy into closures).
#[derive(Clone, Copy)]
pub struct SyncEngine {
    app: AppState,
    engine: StoredValue<Engine, LocalStorage>,
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

/// The engine the app root provided.
pub fn use_sync() -> SyncEngine {
    expect_context::<SyncEngine>()
}

impl SyncEngine {
    /// An engine for `app`, with no trigger installed yet.
    pub fn new(app: AppState) -> Self {
        Self {
            app,
            engine: StoredValue::new_local(Engine::default()),
        }
    }

    pub fn app(&self) -> AppState {
        self.app
    }

    /// Reads or changes the engine's state; `None` once the app root is gone.
    fn with_engine<T>(&self, f: impl FnOnce(&mut Engine) -> T) -> Option<T> {
        self.engine.try_update_value(f)
    }

    /// Installs every trigger and syncs. Called once, after the first load from IndexedDB.
    pub fn start(self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let app = self.app;
        let on_online = Closure::<dyn Fn()>::new(move || {
            app.online.set(true);
            self.with_engine(|e| e.failures = 0);
            self.request();
        });
        let on_offline = Closure::<dyn Fn()>::new(move || app.online.set(false));
        let on_visible = Closure::<dyn Fn()>::new(move || {
            let visible = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
            if visible {
                self.request();
            }
        });
        let listen = |target: &web_sys::EventTarget, name: &str, f: &Closure<dyn Fn()>| {
            let _ = target.add_event_listener_with_callback(name, f.as_ref().unchecked_ref());
        };
        listen(&window, "online", &on_online);
        listen(&window, "offline", &on_offline);
        if let Some(document) = window.document() {
            listen(&document, "visibilitychange", &on_visible);
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
            self.with_engine(|e| e.channel = Some(channel));
        }
        self.request();
    }

    /// Tells other tabs that IndexedDB changed.
    pub fn announce(&self) {
        self.engine.with_value(|e| {
            if let Some(channel) = &e.channel {
                let _ = channel.post_message(&JsValue::from_str("changed"));
            }
        });
    }

    /// Writes to IndexedDB, then shows the result here and in the other open tabs. On a
    /// storage error nothing is re-read, and the error is the sentence to show.
    pub async fn write<Fut>(&self, write: impl FnOnce(Store) -> Fut) -> Result<(), String>
    where
        Fut: std::future::Future<Output = crate::store::Result<()>>,
    {
        let store = self.app.store().await?;
        write(store).await.map_err(|e| e.to_string())?;
        self.app.reload().await;
        self.announce();
        Ok(())
    }

    /// An offline write (one of [`crate::store::log`]'s): stored with its log entry first,
    /// then a sync is asked for, which may or may not reach the server.
    pub async fn record<Fut>(&self, write: impl FnOnce(Store) -> Fut) -> Result<(), String>
    where
        Fut: std::future::Future<Output = crate::store::Result<()>>,
    {
        self.write(write).await?;
        self.request();
        Ok(())
    }

    /// "A connection may exist now": sync as soon as possible. Calls during a sync are folded
    /// into one more run after it.
    pub fn request(&self) {
        let this = *self;
        let busy = self.with_engine(|e| {
            if e.running {
                e.again = true;
            }
            std::mem::replace(&mut e.running, true)
        });
        if busy != Some(false) {
            return; // running already, or the app is gone
        }
        self.cancel_timer();
        spawn_local(async move {
            loop {
                this.with_engine(|e| e.again = false);
                let outcome = this.run_once().await;
                this.after(&outcome);
                let again = this.with_engine(|e| e.again).unwrap_or(false);
                if !again || matches!(outcome, Outcome::Failed(_)) {
                    break;
                }
            }
            this.with_engine(|e| e.running = false);
        });
    }

    /// Syncs now and brings the applications' steps up to date (the applications screen).
    pub fn refresh_applications(&self) {
        self.with_engine(|e| e.ask_applications = true);
        self.request();
    }

    async fn run_once(self) -> Outcome {
        let app = self.app;
        let Some(token) = app.token() else {
            // An expired session keeps its log; the person is asked to log in again.
            if app.data.with_untracked(|d| d.session.is_some()) {
                app.needs_login.set(true);
            }
            return Outcome::NoSession;
        };
        app.sync.set(SyncStatus::Running);
        lock::exclusive(self.exchange(token))
            .await
            .unwrap_or(Outcome::AnotherTab)
    }

    /// One run: the log pushed in order with the pull, then the applications' steps.
    async fn exchange(self, token: String) -> Outcome {
        let app = self.app;
        let store = match app.store().await {
            Ok(s) => s,
            Err(e) => return Outcome::Store(e),
        };
        let always = self
            .with_engine(|e| std::mem::take(&mut e.ask_applications))
            .unwrap_or(false);
        let pushed = push::push(&store, &token).await;
        let refreshed = match pushed {
            Ok(forms) => match crate::bundle::forms() {
                Some(parts) => (parts.refresh)(&store, &token, always || forms).await,
                None => Ok(()),
            },
            Err(e) => Err(e),
        };
        app.reload().await;
        self.announce();
        match refreshed {
            Err(Trouble::Api(e)) => {
                self.with_engine(|e| e.ask_applications |= always);
                return Outcome::Failed(e);
            }
            Err(Trouble::Store(e)) => return Outcome::Store(e),
            Ok(()) => {}
        }
        // A policy version published since the phone's reaches it with the sync.
        let named: Option<u32> = store
            .get(crate::store::keys::SERVER_POLICY_VERSION)
            .await
            .ok()
            .flatten();
        let held = app
            .data
            .with_untracked(|d| d.policy_version.as_ref().map(|v| v.number));
        if named.is_some() && named != held {
            refresh::refresh_policy(app).await;
        }
        let pending = app.data.with_untracked(|d| {
            d.intents
                .iter()
                .any(|i| i.mine && i.state == yanglao_shared::wire::IntentState::Submitted)
        });
        Outcome::Done { pending }
    }

    fn after(self, outcome: &Outcome) {
        let app = self.app;
        let retry = |this: Self| {
            let attempt = this
                .with_engine(|e| {
                    e.failures += 1;
                    e.failures - 1
                })
                .unwrap_or(0);
            this.schedule(backoff::delay_ms(
                backoff::BASE_MS,
                attempt,
                clock::random_unit(),
            ));
        };
        match outcome {
            Outcome::Done { pending } => {
                self.with_engine(|e| e.failures = 0);
                app.needs_login.set(false);
                app.online.set(true);
                app.sync.set(SyncStatus::Idle);
                if *pending {
                    let attempt = self
                        .with_engine(|e| {
                            e.polls += 1;
                            e.polls - 1
                        })
                        .unwrap_or(0);
                    self.schedule(backoff::delay_ms(
                        backoff::POLL_BASE_MS,
                        attempt,
                        clock::random_unit(),
                    ));
                } else {
                    self.with_engine(|e| e.polls = 0);
                }
            }
            Outcome::NoSession => app.sync.set(SyncStatus::Idle),
            Outcome::AnotherTab => {
                app.sync.set(SyncStatus::Idle);
                self.schedule(BUSY_RETRY_MS);
            }
            Outcome::Failed(ApiError::Unauthorized(_)) => {
                // Keep everything; ask to log in again. The next login resumes the log.
                app.needs_login.set(true);
                app.sync.set(SyncStatus::Idle);
            }
            Outcome::Failed(error) => {
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
                retry(self);
            }
            Outcome::Store(message) => {
                app.sync.set(SyncStatus::Failed(message.clone()));
                retry(self);
            }
        }
    }

    fn schedule(self, ms: u32) {
        self.cancel_timer();
        let handle =
            set_timeout_with_handle(move || self.request(), Duration::from_millis(ms.into()));
        self.with_engine(|e| e.timer = handle.ok());
    }

    fn cancel_timer(&self) {
        if let Some(Some(handle)) = self.with_engine(|e| e.timer.take()) {
            handle.clear();
        }
    }
}

#[cfg(test)]
mod tests;
