//! The two builds of the app and the move between them.
//!
//! Every visitor loads the resident bundle (`yanglao-app`): the screens a payer uses. The full
//! bundle (`yanglao-full`) adds the staff screens, applications and receipt verification, which
//! most residents never open and which would otherwise make every first visit on a village
//! network larger. Both are built from this crate (see `scripts/build-app.sh`); the routes are
//! written once (`app.rs`) and each binary keeps only its own screens.
//!
//! `index.html` picks the bundle before any wasm loads: the full one for `/staff`, `/apply` and
//! `/verify`, or when a flag says so: `localStorage` for a staff account or a phone that holds a
//! form (kept until logout, or an account that is neither), `sessionStorage` for a resident who
//! opened such a screen in this tab.
//! The resident build answers those routes with [`only_full`], which sets the tab's flag and
//! reloads the page, so the full bundle opens the same screen.
//!
//! The forms (参保登记, 补缴) also live on the phone and ride the sync, so the parts of the
//! store and the sync that read, send and refresh them are handed to the shared code by the
//! full binary ([`install_forms`]); the resident build never names them, so its wasm has none
//! of their code. A phone that holds a form keeps the full bundle, as a staff account does.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;
use uuid::Uuid;

use crate::applications::LocalApplication;
use crate::state::AppState;
use crate::store::{self, Store};
use crate::sync::push::Trouble;

/// A future the shared code awaits without knowing what it runs.
pub type Later<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;
/// A part of a sync run that may stop it.
pub type SyncStep<'a> = Later<'a, Result<(), Trouble>>;

/// What the full build does with forms, in the three places the shared code meets them.
#[derive(Clone, Copy)]
pub struct FormParts {
    /// Reads every form the phone keeps, inside the store's snapshot transaction.
    pub read: for<'a> fn(&'a store::Tx) -> Later<'a, store::Result<Vec<LocalApplication>>>,
    /// Sends form `id` for log entry `seq` and settles the entry by the answer.
    pub send: for<'a> fn(&'a Store, &'a str, Uuid, u64) -> SyncStep<'a>,
    /// Brings the forms' steps up to date (`always`: the applications screen is open).
    pub refresh: for<'a> fn(&'a Store, &'a str, bool) -> SyncStep<'a>,
}

thread_local! {
    static FORMS: Cell<Option<FormParts>> = const { Cell::new(None) };
}

/// Called by the full binary before the app mounts.
pub fn install_forms(parts: FormParts) {
    FORMS.with(|f| f.set(Some(parts)));
}

/// The forms' parts, or `None` in the resident build.
#[cfg(not(test))]
pub fn forms() -> Option<FormParts> {
    FORMS.with(Cell::get)
}

/// The unit tests exercise the full build's store and sync; the browser tests the resident's
/// move to the full bundle.
#[cfg(test)]
pub fn forms() -> Option<FormParts> {
    Some(crate::sync::applications::PARTS)
}

/// The flag `index.html` reads (the same key in both storages).
pub const FLAG: &str = "yanglao.bundle";
const FULL: &str = "full";

/// A route's view that only the full bundle carries: in the resident build, a short notice
/// while the page reloads into the full bundle.
pub fn only_full<const IS_FULL: bool, V: IntoView + 'static>(screen: fn() -> V) -> AnyView {
    if IS_FULL {
        return screen().into_any();
    }
    // The address as the router has it (with its query), left after this turn.
    let location = crate::routing::use_location();
    let path = format!(
        "{}{}",
        location.pathname.get_untracked(),
        location.search.get_untracked()
    );
    switch_to_full(Some(path));
    view! {
        <section class="page">
            <p role="status">{move || crate::i18n::tr().loading}</p>
        </section>
    }
    .into_any()
}

/// Sets this tab's flag and loads `path` (or this page again) into the full bundle. Without a
/// connection or a cached copy the browser shows its own offline page, as any first visit to
/// a page would.
pub(crate) fn switch_to_full(path: Option<String>) {
    let window = window();
    if let Ok(Some(session)) = window.session_storage() {
        if session.get_item(FLAG).ok().flatten().as_deref() == Some(FULL) {
            // Already asked for it and still in the resident build: index.html could not
            // load the full bundle; do not reload in a loop.
            return;
        }
        let _ = session.set_item(FLAG, FULL);
    }
    set_timeout(
        move || {
            let location = leptos::prelude::window().location();
            let _ = match &path {
                Some(path) => location.replace(path),
                None => location.reload(),
            };
        },
        std::time::Duration::ZERO,
    );
}

/// Keeps the flag in step with the account: a staff account, or one whose forms the phone
/// holds, gets the full bundle on every start (and is moved there now if this is the resident
/// build); any other account, or none, gets the resident one.
pub fn follow_account(app: AppState) {
    // A memo, so the storage is touched when the answer changes, not on every sync.
    let full = Memo::new(move |_| {
        app.data.with(|d| {
            d.session.as_ref()?;
            Some(d.holds_forms || d.account.as_ref().is_some_and(|a| a.staff.is_some()))
        })
    });
    Effect::new(move |_| {
        let Some(full) = full.get() else {
            if let Ok(Some(local)) = window().local_storage() {
                let _ = local.remove_item(FLAG);
            }
            return;
        };
        let Ok(Some(local)) = window().local_storage() else {
            return;
        };
        if full {
            let _ = local.set_item(FLAG, FULL);
            if !is_full_build() {
                switch_to_full(None);
            }
        } else {
            let _ = local.remove_item(FLAG);
        }
    });
}

/// Whether this is the full build: `index.html` keeps the chosen bundle's name on `<html>`.
fn is_full_build() -> bool {
    document()
        .document_element()
        .and_then(|root| root.get_attribute("data-bundle"))
        .as_deref()
        == Some(FULL)
}

/// Shows the app in place of the static first screen (`#boot` in `index.html`), in one step
/// so nothing on the screen moves. Called more than once; only the first call changes anything.
pub fn reveal() {
    let document = document();
    if let Some(boot) = document.get_element_by_id("boot") {
        boot.remove();
    }
    if let Ok(Some(app)) = document.query_selector(".app[hidden]") {
        let _ = app.remove_attribute("hidden");
    }
}
