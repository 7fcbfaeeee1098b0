//! IndexedDB: everything the phone keeps. Values are stored as JSON text (one serde path for
//! the server and the disk, no extra serialiser in the wasm; the policy as the server's answer
//! wrote it). Writes that belong together
//! (a sync's answer and its cursor) share one transaction, so a closed tab never leaves half.
//! The browser's IndexedDB calls themselves are in `store/idb.rs`.
//!
//! Object stores, all keyed by a string:
//! - `kv`: session, account owner, cursor, cached window/policy/account, last sync; what only
//!   staff see (statistics, review lists, the unpaid list: [`staff`]), gone on logout.
//! - `payees`, `intents`, `methods`: one record per id.
//! - `applications` (since version 2): 参保登记 and 补缴 forms and their answers, one per id.
//! - `mutations` (since version 3): the mutation log ([`crate::mutations`]), one entry per
//!   write the server has not acknowledged, keyed by its zero-padded sequence number. The
//!   version-3 upgrade moves what older versions queued (people and payments waiting, forms
//!   waiting) into it, inside the upgrade's own transaction. Offline writes ([`log`]) write
//!   their record and its entry together.
//!
//! Never stored: a card number, a password. A full ID number and name only while the person
//! waits to be sent (`LocalPayee::pending`, `LocalApplication::pending`).

use serde::Serialize;
use uuid::Uuid;
use yanglao_shared::json::{self, FromJson};
use yanglao_shared::wire::{Account, PaymentMethod, Session};

use crate::applications::LocalApplication;
use crate::model::{CachedWindow, Snapshot, SyncMark};
use crate::mutations::Logged;
use crate::outbox::Changes;
pub use idb::Tx;
use idb::{TransactionMode, Upgrade};

pub const DB_NAME: &str = "yanglao";
const DB_VERSION: u32 = 3;

const KV: &str = "kv";
const PAYEES: &str = "payees";
const INTENTS: &str = "intents";
const METHODS: &str = "methods";
const APPLICATIONS: &str = "applications";
const MUTATIONS: &str = "mutations";
/// What version 1 created.
const V1: [&str; 4] = [KV, PAYEES, INTENTS, METHODS];
const ALL: [&str; 6] = [KV, PAYEES, INTENTS, METHODS, APPLICATIONS, MUTATIONS];
/// The stores that belong to one account, wiped when another account logs in.
const ACCOUNT_STORES: [&str; 5] = [PAYEES, INTENTS, METHODS, APPLICATIONS, MUTATIONS];

pub mod keys {
    pub const SESSION: &str = "session";
    pub const OWNER: &str = "owner";
    pub const CURSOR: &str = "cursor";
    pub const WINDOW: &str = "window";
    pub const POLICY: &str = "policy";
    pub const POLICY_VERSION: &str = "policy_version";
    /// The policy version number the last sync answer named (to fetch it when it is new).
    pub const SERVER_POLICY_VERSION: &str = "server_policy_version";
    pub const ACCOUNT: &str = "account";
    pub const LAST_SYNC: &str = "last_sync";
    /// The staff screen's last statistics ([`crate::staff::StatsCache`]), for offline use.
    pub const STAFF_STATS: &str = "staff_stats";
    /// The mutation log's last sequence number (never reused, across accounts too).
    pub const LOG_SEQ: &str = "log_seq";
    /// The towns and villages the enrolment form offers (the same for every account).
    pub const PLACES: &str = "places";
    /// How much one `POST /sync` may carry, as the server last said (or as halving learned).
    pub const SYNC_LIMITS: &str = "sync_limits";
    /// The review screens' last lists (参保登记 / 补缴), for a weak network.
    pub const STAFF_ENROLMENTS: &str = "staff_enrolments";
    pub const STAFF_BACK_PAYMENTS: &str = "staff_back_payments";
    /// The 工作台's last unpaid list ([`crate::staff::CachedList`]), for a walk offline.
    pub const STAFF_UNPAID: &str = "staff_unpaid";
    /// Not in here, so kept across accounts: the window and policy, the same for everyone.
    pub const ACCOUNT_KEYS: [&str; 8] = [
        CURSOR,
        ACCOUNT,
        LAST_SYNC,
        OWNER,
        STAFF_STATS,
        STAFF_ENROLMENTS,
        STAFF_BACK_PAYMENTS,
        STAFF_UNPAID,
    ];
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "本机存储出错：{}", self.0)
    }
}

/// Writing JSON fails only when a value has no wire form (a date out of range): said in
/// one sentence, so serde_json's error texts are not in the wasm.
impl From<serde_json::Error> for StoreError {
    fn from(_: serde_json::Error) -> Self {
        Self("a record has no JSON form".into())
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A kept record read back; one that no longer parses (an older app version) is none.
fn parsed<T: FromJson>(text: Option<String>) -> Option<T> {
    text.and_then(|t| json::from_text(&t).ok())
}

/// Deletes database `name` (each test uses a database of its own).
#[cfg(test)]
pub async fn delete_database(name: &str) -> Result<()> {
    idb::delete(name).await
}

#[derive(Clone, Debug)]
pub struct Store {
    db: web_sys::IdbDatabase,
}

impl Store {
    pub async fn open(name: &str) -> Result<Self> {
        Self::open_with(name, || {}).await
    }

    /// The app's database. `blocked` hears that an open tab of an older version holds the
    /// database (this version's upgrade waits until that tab closes). This tab in turn
    /// closes its connection and reloads when a newer version needs the upgrade, so it never
    /// blocks one itself.
    pub async fn open_for_app(name: &str, blocked: impl FnOnce() + 'static) -> Result<Self> {
        let store = Self::open_with(name, blocked).await?;
        let raw = store.db.clone();
        let on_change = wasm_bindgen::closure::Closure::<dyn Fn()>::new({
            let raw = raw.clone();
            move || {
                raw.close();
                if let Some(window) = web_sys::window() {
                    let _ = window.location().reload();
                }
            }
        });
        raw.set_onversionchange(Some(wasm_bindgen::JsCast::unchecked_ref(
            on_change.as_ref(),
        )));
        on_change.forget(); // for the page's lifetime
        Ok(store)
    }

    async fn open_with(name: &str, blocked: impl FnOnce() + 'static) -> Result<Self> {
        let db = idb::open(
            name,
            DB_VERSION,
            blocked,
            |Upgrade {
                 db,
                 old_version,
                 tx,
             }| {
                // Each version adds what it brought; a phone on any older version catches up.
                if old_version < 1.0 {
                    for store in V1 {
                        db.create_object_store(store)?;
                    }
                }
                if old_version < 2.0 {
                    db.create_object_store(APPLICATIONS)?;
                }
                if old_version < 3.0 {
                    db.create_object_store(MUTATIONS)?;
                    if old_version >= 1.0 {
                        // Runs on in the upgrade's transaction, which stays open while it asks;
                        // the open waits for that transaction, and fails when this aborts it.
                        wasm_bindgen_futures::spawn_local(async move {
                            let upgrade = Tx::upgrade(tx.clone());
                            if log::move_queued_into_log(&upgrade).await.is_err() {
                                let _ = tx.abort();
                            }
                        });
                    }
                }
                Ok(())
            },
        )
        .await?;
        Ok(Self { db })
    }

    pub fn close(self) {
        self.db.close();
    }

    fn tx(&self, stores: &[&str], mode: TransactionMode) -> Result<Tx> {
        Tx::new(&self.db, stores, mode)
    }

    async fn read_all<T: FromJson>(tx: &Tx, store: &str) -> Result<Vec<T>> {
        let mut out = Vec::new();
        // One read's code for every record type: the texts, then each parsed.
        for text in tx.all_texts(store).await? {
            // A record that no longer parses (an older app version) is skipped, not fatal.
            if let Ok(value) = json::from_text(&text) {
                out.push(value);
            }
        }
        Ok(out)
    }

    async fn read_kv<T: FromJson>(tx: &Tx, key: &str) -> Result<Option<T>> {
        Ok(parsed(tx.get_text(KV, key).await?))
    }

    fn write<T: Serialize>(tx: &Tx, store: &str, key: &str, value: &T) -> Result<()> {
        let text = serde_json::to_string(value)?;
        // The request goes out now; the transaction's commit reports its error.
        tx.put_text(store, key, &text)
    }

    /// Everything the UI shows.
    pub async fn load(&self) -> Result<Snapshot> {
        let tx = self.tx(&ALL, TransactionMode::Readonly)?;
        // The resident build only counts the forms: it cannot show them (see crate::bundle).
        let (applications, holds_forms) = match crate::bundle::forms() {
            Some(forms) => {
                let apps = (forms.read)(&tx).await?;
                let held = !apps.is_empty();
                (apps, held)
            }
            None => {
                let held = Self::read_all::<json::Json>(&tx, APPLICATIONS).await?;
                (Vec::new(), !held.is_empty())
            }
        };
        // The kv records the UI shows, read together; each is parsed where it lands.
        let mut kv = tx
            .get_texts(
                KV,
                &[
                    keys::SESSION,
                    keys::OWNER,
                    keys::CURSOR,
                    keys::WINDOW,
                    keys::POLICY,
                    keys::POLICY_VERSION,
                    keys::ACCOUNT,
                    keys::PLACES,
                    keys::LAST_SYNC,
                ],
            )
            .await?
            .into_iter();
        let mut next = || kv.next().flatten();
        Ok(Snapshot {
            session: parsed(next()),
            owner: parsed(next()),
            cursor: parsed(next()),
            window: parsed(next()),
            policy: parsed(next()),
            policy_version: parsed(next()),
            account: parsed(next()),
            places: parsed(next()).unwrap_or_default(),
            last_sync: parsed(next()),
            payees: Self::read_all(&tx, PAYEES).await?,
            intents: Self::read_all(&tx, INTENTS).await?,
            methods: Self::read_all(&tx, METHODS).await?,
            applications,
            holds_forms,
            log: Self::read_all(&tx, MUTATIONS).await?,
        })
    }

    pub async fn get<T: FromJson>(&self, key: &str) -> Result<Option<T>> {
        let tx = self.tx(&[KV], TransactionMode::Readonly)?;
        Self::read_kv(&tx, key).await
    }

    pub async fn set<T: Serialize>(&self, key: &str, value: &T) -> Result<()> {
        let tx = self.tx(&[KV], TransactionMode::Readwrite)?;
        Self::write(&tx, KV, key, value)?;
        tx.commit().await
    }

    pub async fn unset(&self, key: &str) -> Result<()> {
        let tx = self.tx(&[KV], TransactionMode::Readwrite)?;
        tx.delete(KV, key)?;
        tx.commit().await
    }

    pub async fn put_method(&self, method: &PaymentMethod) -> Result<()> {
        let tx = self.tx(&[METHODS], TransactionMode::Readwrite)?;
        Self::write(&tx, METHODS, &method.id.to_string(), method)?;
        tx.commit().await
    }

    /// Stores applications all together or not at all (a sync's answers, or one new form).
    pub async fn put_applications(&self, apps: &[LocalApplication]) -> Result<()> {
        let tx = self.tx(&[APPLICATIONS], TransactionMode::Readwrite)?;
        for app in apps {
            Self::write(&tx, APPLICATIONS, &app.id.to_string(), app)?;
        }
        tx.commit().await
    }

    pub async fn applications(&self) -> Result<Vec<LocalApplication>> {
        let tx = self.tx(&[APPLICATIONS], TransactionMode::Readonly)?;
        Self::read_all(&tx, APPLICATIONS).await
    }

    /// Every form, inside a transaction that includes `applications` (the full build's part
    /// of [`Store::load`]).
    pub(crate) async fn read_applications(tx: &Tx) -> Result<Vec<LocalApplication>> {
        Self::read_all(tx, APPLICATIONS).await
    }

    pub async fn delete_application(&self, id: Uuid) -> Result<()> {
        let tx = self.tx(&[APPLICATIONS], TransactionMode::Readwrite)?;
        tx.delete(APPLICATIONS, &id.to_string())?;
        tx.commit().await
    }

    /// Writes a sync's answer: records, cursor, window and the time, in one transaction, and
    /// takes the log entries it `settled` out of the log in the same transaction.
    pub async fn apply(&self, changes: &Changes, mark: SyncMark, settled: &[u64]) -> Result<()> {
        let tx = self.tx(&ALL, TransactionMode::Readwrite)?;
        for seq in settled {
            tx.delete(MUTATIONS, &Logged::store_key(*seq))?;
        }
        for payee in &changes.payees_put {
            Self::write(&tx, PAYEES, &payee.id.to_string(), payee)?;
        }
        for id in &changes.payees_deleted {
            tx.delete(PAYEES, &id.to_string())?;
        }
        for intent in &changes.intents_put {
            Self::write(&tx, INTENTS, &intent.id().to_string(), intent)?;
        }
        for method in &changes.methods_put {
            Self::write(&tx, METHODS, &method.id.to_string(), method)?;
        }
        for id in &changes.methods_deleted {
            tx.delete(METHODS, &id.to_string())?;
        }
        Self::write(&tx, KV, keys::CURSOR, &changes.cursor)?;
        Self::write(&tx, KV, keys::WINDOW, &changes.window)?;
        Self::write(&tx, KV, keys::LAST_SYNC, &mark)?;
        tx.commit().await
    }

    /// Stores a new session. When it is another account's, the previous account's records go
    /// (they are not this person's to see); the same account keeps its outbox.
    pub async fn begin_session(&self, session: &Session) -> Result<()> {
        let owner: Option<Uuid> = self.get(keys::OWNER).await?;
        let tx = self.tx(&ALL, TransactionMode::Readwrite)?;
        if owner.is_some_and(|o| o != session.account_id) {
            for store in ACCOUNT_STORES {
                tx.clear(store)?;
            }
            for key in keys::ACCOUNT_KEYS {
                tx.delete(KV, key)?;
            }
        }
        Self::write(&tx, KV, keys::SESSION, session)?;
        Self::write(&tx, KV, keys::OWNER, &session.account_id)?;
        tx.commit().await
    }

    /// Forgets the session and what only staff see (the area's names and figures): a village
    /// office may share one phone. The account's own outbox stays for its next login.
    pub async fn log_out(&self) -> Result<()> {
        let tx = self.tx(&[KV], TransactionMode::Readwrite)?;
        for key in [
            keys::SESSION,
            keys::STAFF_STATS,
            keys::STAFF_ENROLMENTS,
            keys::STAFF_BACK_PAYMENTS,
            keys::STAFF_UNPAID,
        ] {
            tx.delete(KV, key)?;
        }
        tx.commit().await
    }

    /// The window, and the policy as the server wrote it (`api::policy`), kept together.
    pub async fn save_window(&self, window: &CachedWindow, policy: &str) -> Result<()> {
        let tx = self.tx(&[KV], TransactionMode::Readwrite)?;
        Self::write(&tx, KV, keys::WINDOW, window)?;
        tx.put_text(KV, keys::POLICY, policy)?;
        tx.commit().await
    }

    pub async fn save_account(&self, account: &Account) -> Result<()> {
        self.set(keys::ACCOUNT, account).await
    }
}

mod idb;
pub mod log;
mod staff;
#[cfg(test)]
mod tests;
