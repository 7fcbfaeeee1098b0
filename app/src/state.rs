//! The reactive state every page shares, provided as a Leptos context. It mirrors what is in
//! IndexedDB: pages write through the sync engine ([`crate::sync::SyncEngine::write`] and, for
//! what the server must hear of, [`crate::sync::SyncEngine::record`]), which re-reads it here.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

use leptos::prelude::*;
use uuid::Uuid;
use yanglao_shared::policy::Policy;
use yanglao_shared::tiers::TierAmount;
use yanglao_shared::wire::Session;

use crate::clock;
use crate::i18n::{self, Lang};
use crate::model::Snapshot;
use crate::rules::{self, WindowNow};
use crate::store::{Store, DB_NAME};

/// Where the sync engine stands, for the status line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SyncStatus {
    #[default]
    Idle,
    Running,
    /// The last attempt found no connection; it retries by itself.
    Offline,
    /// The server refused for a reason people must read.
    Failed(String),
}

/// A payment being prepared (缴费): the people, a tier each, the card. Kept in the app state
/// so leaving the page (to bind a card, say) does not lose it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PayDraft {
    pub step: PayStep,
    pub people: Vec<Uuid>,
    pub tiers: BTreeMap<Uuid, TierAmount>,
    pub method: Option<Uuid>,
    /// Chosen once per person when the draft reaches the confirm step, so a second tap on
    /// "pay" writes the same intents again instead of new ones.
    pub intent_ids: BTreeMap<Uuid, Uuid>,
}

/// One decision per screen: who, then a tier for each person, then the card, then confirm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PayStep {
    #[default]
    People,
    Tier(usize),
    Card,
    Confirm,
}

#[derive(Clone, Copy)]
pub struct AppState {
    pub data: RwSignal<Snapshot>,
    /// False until the first load from IndexedDB finished.
    pub ready: RwSignal<bool>,
    pub elder: RwSignal<bool>,
    pub online: RwSignal<bool>,
    pub sync: RwSignal<SyncStatus>,
    /// Set by a 401: the mutation log is kept and the person is asked to log in again.
    pub needs_login: RwSignal<bool>,
    /// A new version of the app is installed and waiting (service worker).
    pub update_ready: RwSignal<bool>,
    pub draft: RwSignal<PayDraft>,
    /// Ticks every minute so days-left and "offline since" stay right on an open page.
    pub minute: RwSignal<u32>,
    /// A short message for everyone (screen readers hear it through `aria-live`).
    pub notice: RwSignal<Option<String>>,
    /// What the notice is about; the frame clears the notice when that changes
    /// (`components::chrome::Notice`). `None`: the screen it was said on.
    pub notice_about: RwSignal<Option<NoticeAbout>>,
}

/// A notice belongs to one screen and, optionally, to a state it describes ("saved on the
/// phone, not sent yet"): it goes when the route leaves `path` or `still` turns false, so an
/// old message never follows the person to a screen where it is no longer true.
#[derive(Clone)]
pub struct NoticeAbout {
    pub path: String,
    pub still: Option<StillTrue>,
}

/// Whether what a notice says is still so, asked of the phone's data after each change.
pub type StillTrue = Arc<dyn Fn(&Snapshot) -> bool + Send + Sync>;

thread_local! {
    static STORE: RefCell<Option<Store>> = const { RefCell::new(None) };
}

const LANG_KEY: &str = "yanglao.lang";
const ELDER_KEY: &str = "yanglao.elder";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

impl AppState {
    /// Display preferences live in localStorage: read synchronously, so the first paint is
    /// already in the right language and size.
    pub fn new() -> Self {
        let stored = |key| local_storage().and_then(|s| s.get_item(key).ok().flatten());
        let lang = if stored(LANG_KEY).as_deref() == Some("en") {
            Lang::En
        } else {
            Lang::Zh
        };
        i18n::set_lang(lang);
        let online = web_sys::window()
            .map(|w| w.navigator().on_line())
            .unwrap_or(true);
        Self {
            data: RwSignal::new(Snapshot::default()),
            ready: RwSignal::new(false),
            elder: RwSignal::new(stored(ELDER_KEY).as_deref() == Some("1")),
            online: RwSignal::new(online),
            sync: RwSignal::new(SyncStatus::Idle),
            needs_login: RwSignal::new(false),
            update_ready: RwSignal::new(false),
            draft: RwSignal::new(PayDraft::default()),
            minute: RwSignal::new(0),
            notice: RwSignal::new(None),
            notice_about: RwSignal::new(None),
        }
    }

    /// Switches the language ([`i18n`] holds it as a signal) and remembers it for next time.
    pub fn set_lang(&self, lang: Lang) {
        i18n::set_lang(lang);
        if let Some(s) = local_storage() {
            let _ = s.set_item(LANG_KEY, if lang == Lang::En { "en" } else { "zh" });
        }
    }

    pub fn set_elder(&self, on: bool) {
        if let Some(s) = local_storage() {
            let _ = s.set_item(ELDER_KEY, if on { "1" } else { "0" });
        }
        self.elder.set(on);
    }

    /// The open database (opened once per page).
    pub async fn store(&self) -> Result<Store, String> {
        if let Some(store) = STORE.with(|s| s.borrow().clone()) {
            return Ok(store);
        }
        let app = *self;
        let blocked = move || app.say(crate::i18n::tr().close_other_windows);
        let store = Store::open_for_app(DB_NAME, blocked)
            .await
            .map_err(|e| e.to_string())?;
        STORE.with(|s| *s.borrow_mut() = Some(store.clone()));
        Ok(store)
    }

    /// Re-reads everything from IndexedDB (after a write here, or in another tab).
    pub async fn reload(&self) {
        match self.store().await {
            Ok(store) => match store.load().await {
                Ok(snapshot) => self.data.set(snapshot),
                Err(e) => self.say(e.to_string()),
            },
            Err(e) => self.say(e),
        }
        self.ready.set(true);
    }

    /// The session, if any and not expired (by the server's clock as far as it is known).
    pub fn session(&self) -> Option<Session> {
        let now = self.server_now();
        self.data
            .with(|d| d.session.clone())
            .filter(|s| s.expires_at > now)
    }

    pub fn token(&self) -> Option<String> {
        self.session().map(|s| s.token)
    }

    /// The policy in force: the server's last word, else the built-in Wendeng table.
    pub fn policy(&self) -> Policy {
        let year = yanglao_shared::window::cst_date(self.server_now()).year();
        self.data
            .with(|d| rules::policy_or_builtin(d.policy.as_ref(), year))
    }

    /// The window now (reactive: re-evaluates each minute and after each sync).
    pub fn window(&self) -> WindowNow {
        self.minute.track();
        let policy = self.policy();
        self.data
            .with(|d| rules::window_now(d.window.as_ref(), &policy, clock::now()))
    }

    /// The server's clock, as well as the phone can estimate it.
    pub fn server_now(&self) -> time::OffsetDateTime {
        let now = clock::now();
        self.data
            .with_untracked(|d| d.window.map(|w| w.clock.estimate(now)))
            .unwrap_or(now)
    }

    /// A notice about the screen shown now: it goes when the route changes.
    pub fn say(&self, message: impl Into<String>) {
        let path = web_sys::window()
            .and_then(|w| w.location().pathname().ok())
            .unwrap_or_default();
        self.say_on(path, message);
    }

    /// A notice for the screen at `path`, said just before going there.
    pub fn say_on(&self, path: impl Into<String>, message: impl Into<String>) {
        self.notice_about.set(Some(NoticeAbout {
            path: path.into(),
            still: None,
        }));
        self.notice.set(Some(message.into()));
    }

    /// A notice for the screen at `path` about a state: it also goes once `still` is false
    /// (the form was sent, the person was checked).
    pub fn say_while(
        &self,
        path: impl Into<String>,
        message: impl Into<String>,
        still: impl Fn(&Snapshot) -> bool + Send + Sync + 'static,
    ) {
        self.notice_about.set(Some(NoticeAbout {
            path: path.into(),
            still: Some(Arc::new(still)),
        }));
        self.notice.set(Some(message.into()));
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

pub fn use_app() -> AppState {
    expect_context::<AppState>()
}
