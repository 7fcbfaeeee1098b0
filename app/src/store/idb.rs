//! IndexedDB through the browser's own API (web-sys), the few calls the store makes: open with
//! an upgrade, a transaction over some stores, read a record or all of a store's records as
//! text, put, delete, clear, commit. Each request is awaited as the promise of its success or
//! error event.
//!
//! Why not a crate: indexed_db_futures, used before, carried a channel runtime (tokio's mpsc)
//! for its events, typed keys, cursors and serde paths the store never used, and its error
//! texts with float formatting: about 20 KB of every visitor's wasm for these calls.
//!
//! As indexed_db_futures did, a transaction dropped without [`Tx::commit`] is aborted: an early
//! `?` in the middle of a write leaves nothing half written. (The browser's default is the
//! opposite: a transaction with no request left commits.) A transaction stays open while a
//! request of its own is awaited, and only then: nothing between its start and its commit may
//! await anything else.

use js_sys::{Array, Function, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
pub use web_sys::IdbTransactionMode as TransactionMode;
use web_sys::{DomException, IdbDatabase, IdbRequest, IdbTransaction, IdbVersionChangeEvent};

use super::{Result, StoreError};

/// What an upgrade is given: the database at its new version, the version it had (0 when it
/// is new) and the upgrade's own transaction, which commits when nothing more is asked of it.
pub struct Upgrade {
    pub db: IdbDatabase,
    pub old_version: f64,
    pub tx: IdbTransaction,
}

/// Opens database `name` at `version`. `upgrade` runs when the database is older (or new), in
/// the upgrade's transaction; an error it returns aborts the upgrade, and the open fails.
/// `blocked` hears that an open connection of an older version holds the database.
pub async fn open(
    name: &str,
    version: u32,
    blocked: impl FnOnce() + 'static,
    upgrade: impl FnOnce(Upgrade) -> std::result::Result<(), JsValue> + 'static,
) -> Result<IdbDatabase> {
    let request = factory()?.open_with_u32(name, version).map_err(fault)?;
    let on_blocked = Closure::once(blocked);
    request.set_onblocked(Some(on_blocked.as_ref().unchecked_ref()));
    let upgraded = request.clone();
    let on_upgrade = Closure::once(move |event: IdbVersionChangeEvent| {
        let (Ok(db), Some(tx)) = (upgraded.result(), upgraded.transaction()) else {
            return;
        };
        let step = Upgrade {
            db: db.unchecked_into(),
            old_version: event.old_version(),
            tx: tx.clone(),
        };
        if upgrade(step).is_err() {
            let _ = tx.abort();
        }
    });
    request.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
    let opened = done(&request).await;
    // The handlers live until the request has ended (each runs at most once).
    request.set_onblocked(None);
    request.set_onupgradeneeded(None);
    drop((on_blocked, on_upgrade));
    Ok(opened?.unchecked_into())
}

/// Deletes database `name` (for the tests: each uses a database of its own).
#[cfg(test)]
pub async fn delete(name: &str) -> Result<()> {
    let request = factory()?.delete_database(name).map_err(fault)?;
    done(&request).await.map(drop)
}

fn factory() -> Result<web_sys::IdbFactory> {
    web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or_else(|| StoreError("IndexedDB is not available".into()))
}

/// One transaction. Reads are awaited; writes are sent when made, and [`Tx::commit`] reports
/// whether all of them landed.
pub struct Tx {
    raw: IdbTransaction,
    /// Committed, or an upgrade's (which ends with its open request): not aborted on drop.
    settled: bool,
}

impl Tx {
    pub fn new(db: &IdbDatabase, stores: &[&str], mode: TransactionMode) -> Result<Self> {
        let names: Array = stores.iter().map(|s| JsValue::from_str(s)).collect();
        let raw = db
            .transaction_with_str_sequence_and_mode(&names, mode)
            .map_err(fault)?;
        Ok(Self {
            raw,
            settled: false,
        })
    }

    /// The upgrade's transaction, for what an upgrade reads and writes after it began.
    pub fn upgrade(raw: IdbTransaction) -> Self {
        Self { raw, settled: true }
    }

    fn store(&self, name: &str) -> Result<web_sys::IdbObjectStore> {
        self.raw.object_store(name).map_err(fault)
    }

    /// The record under `key` in `store`, as the text it was written as.
    pub async fn get_text(&self, store: &str, key: &str) -> Result<Option<String>> {
        let request = self
            .store(store)?
            .get(&JsValue::from_str(key))
            .map_err(fault)?;
        Ok(done(&request).await?.as_string())
    }

    /// The records under `keys` in `store`, in their order: all asked for at once, then
    /// awaited (one read's code for any number of keys).
    pub async fn get_texts(&self, store: &str, keys: &[&str]) -> Result<Vec<Option<String>>> {
        let store = self.store(store)?;
        let mut requests = Vec::with_capacity(keys.len());
        for key in keys {
            requests.push(store.get(&JsValue::from_str(key)).map_err(fault)?);
        }
        let mut texts = Vec::with_capacity(keys.len());
        for request in &requests {
            texts.push(done(request).await?.as_string());
        }
        Ok(texts)
    }

    /// Every record of `store` that is text (the store writes nothing else).
    pub async fn all_texts(&self, store: &str) -> Result<Vec<String>> {
        let request = self.store(store)?.get_all().map_err(fault)?;
        let all: Array = done(&request).await?.unchecked_into();
        Ok(all.iter().filter_map(|v| v.as_string()).collect())
    }

    pub fn put_text(&self, store: &str, key: &str, text: &str) -> Result<()> {
        self.store(store)?
            .put_with_key(&JsValue::from_str(text), &JsValue::from_str(key))
            .map_err(fault)?;
        Ok(())
    }

    pub fn delete(&self, store: &str, key: &str) -> Result<()> {
        self.store(store)?
            .delete(&JsValue::from_str(key))
            .map_err(fault)?;
        Ok(())
    }

    pub fn clear(&self, store: &str) -> Result<()> {
        self.store(store)?.clear().map_err(fault)?;
        Ok(())
    }

    /// Ends the transaction; `Ok` once everything it wrote is on disk, else what went wrong
    /// (then none of it is).
    pub async fn commit(mut self) -> Result<()> {
        self.settled = true;
        let raw = self.raw.clone();
        let finished = Promise::new(&mut |resolve: Function, reject: Function| {
            raw.set_oncomplete(Some(&resolve));
            raw.set_onabort(Some(&reject));
        });
        // Only hastens the end: a browser without commit() commits when no request is left.
        // (web-sys marks it deprecated after an old WebIDL; it is IndexedDB 3.0's own call.)
        #[allow(deprecated)]
        let _ = raw.commit();
        match JsFuture::from(finished).await {
            Ok(_) => Ok(()),
            Err(_) => Err(raw
                .error()
                .map_or_else(|| StoreError("aborted".into()), dom_fault)),
        }
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        if !self.settled {
            let _ = self.raw.abort();
        }
    }
}

/// The result of `request` once it succeeded, or its error.
async fn done(request: &IdbRequest) -> Result<JsValue> {
    let ended = Promise::new(&mut |resolve: Function, reject: Function| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    match JsFuture::from(ended).await {
        Ok(_) => request.result().map_err(fault),
        Err(_) => Err(match request.error() {
            Ok(Some(e)) => dom_fault(e),
            _ => StoreError("request failed".into()),
        }),
    }
}

fn dom_fault(e: DomException) -> StoreError {
    StoreError(format!("{}: {}", e.name(), e.message()))
}

/// What a call that threw said (a DOMException, as the IndexedDB calls throw).
fn fault(e: JsValue) -> StoreError {
    match e.dyn_into::<DomException>() {
        Ok(e) => dom_fault(e),
        Err(_) => StoreError("IndexedDB call failed".into()),
    }
}

#[cfg(test)]
mod tests;
