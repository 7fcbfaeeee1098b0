//! One tab syncs at a time. The Web Locks API (`navigator.locks`) is used where it exists: the
//! browser releases the lock even when a tab crashes. Older browsers get a lease in
//! localStorage that expires by itself.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

const LOCK_NAME: &str = "yanglao-sync";
const LEASE_KEY: &str = "yanglao.sync.lease";
/// Longer than any sync (the request times out after 20 s).
const LEASE_MS: u64 = 60_000;

/// A lease another tab holds: its owner and when it ends (whole ms since the epoch: integers
/// keep float formatting out of the wasm).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub owner: String,
    pub until: u64,
}

impl Lease {
    pub fn parse(text: &str) -> Option<Self> {
        let (owner, until) = text.split_once('|')?;
        Some(Self {
            owner: owner.to_owned(),
            until: until.parse().ok()?,
        })
    }

    pub fn format(&self) -> String {
        format!("{}|{}", self.owner, self.until)
    }
}

/// May `me` take the lease at `now`? Yes when nobody holds it, it ran out, or it is ours.
pub fn may_take(current: Option<&Lease>, me: &str, now: u64) -> bool {
    current.is_none_or(|l| l.owner == me || l.until <= now)
}

thread_local! {
    static TAB_ID: String = crate::clock::new_id().to_string();
}

/// Runs `work` if no other tab is syncing; `None` when another tab holds the lock.
pub async fn exclusive<T: 'static>(work: impl Future<Output = T> + 'static) -> Option<T> {
    match web_locks() {
        Some(locks) => with_web_lock(locks, work).await,
        None => with_lease(work).await,
    }
}

fn web_locks() -> Option<JsValue> {
    let navigator = web_sys::window()?.navigator();
    let locks = Reflect::get(&navigator, &JsValue::from_str("locks")).ok()?;
    (!locks.is_undefined() && !locks.is_null()).then_some(locks)
}

async fn with_web_lock<T: 'static>(
    locks: JsValue,
    work: impl Future<Output = T> + 'static,
) -> Option<T> {
    let result: Rc<RefCell<Option<T>>> = Rc::new(RefCell::new(None));
    let slot = result.clone();
    // The browser calls back with the lock, or with null when `ifAvailable` found it taken;
    // the lock is held until the returned promise settles.
    let callback = Closure::once_into_js(move |lock: JsValue| -> Promise {
        if lock.is_null() {
            return Promise::resolve(&JsValue::FALSE);
        }
        future_to_promise(async move {
            *slot.borrow_mut() = Some(work.await);
            Ok(JsValue::TRUE)
        })
    });
    let options = Object::new();
    let _ = Reflect::set(&options, &"ifAvailable".into(), &JsValue::TRUE);
    let request: Function = Reflect::get(&locks, &"request".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let promise: Promise = request
        .call3(&locks, &LOCK_NAME.into(), &options, &callback)
        .ok()?
        .dyn_into()
        .ok()?;
    JsFuture::from(promise).await.ok()?;
    let out = result.borrow_mut().take();
    out
}

async fn with_lease<T>(work: impl Future<Output = T>) -> Option<T> {
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    let Some(storage) = storage else {
        return Some(work.await); // no storage at all: nothing to coordinate with
    };
    let me = TAB_ID.with(Clone::clone);
    let now = js_sys::Date::now() as u64;
    let current = storage
        .get_item(LEASE_KEY)
        .ok()
        .flatten()
        .and_then(|t| Lease::parse(&t));
    if !may_take(current.as_ref(), &me, now) {
        return None;
    }
    let lease = Lease {
        owner: me.clone(),
        until: now + LEASE_MS,
    };
    let _ = storage.set_item(LEASE_KEY, &lease.format());
    let out = work.await;
    let still_ours = storage
        .get_item(LEASE_KEY)
        .ok()
        .flatten()
        .and_then(|t| Lease::parse(&t))
        .is_some_and(|l| l.owner == me);
    if still_ours {
        let _ = storage.remove_item(LEASE_KEY);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_lease_is_taken_when_free_expired_or_ours() {
        let held = Lease {
            owner: "other".into(),
            until: 1_000,
        };
        assert!(may_take(None, "me", 0));
        assert!(!may_take(Some(&held), "me", 999));
        assert!(may_take(Some(&held), "me", 1_000));
        assert!(may_take(Some(&held), "other", 0));
        assert_eq!(Lease::parse(&held.format()), Some(held));
        assert_eq!(Lease::parse("garbage"), None);
    }

    #[wasm_bindgen_test]
    async fn the_lock_runs_the_work_and_refuses_a_second_holder() {
        let outer = exclusive(async {
            // While held, a second request in the same origin is refused.
            exclusive(async { 1 }).await
        })
        .await;
        assert_eq!(outer, Some(None));
        assert_eq!(exclusive(async { 2 }).await, Some(2));
    }
}
