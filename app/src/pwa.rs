//! The installable side: registers `sw.js`, shows "有新版本" when a new build is waiting,
//! asks for Background Sync when the outbox could not be sent, and turns the worker's
//! messages into sync requests.

use std::cell::Cell;

use js_sys::{Function, Promise, Reflect};
use leptos::prelude::Set;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    ServiceWorker, ServiceWorkerContainer, ServiceWorkerRegistration, ServiceWorkerState,
};

use crate::state::AppState;

const SYNC_TAG: &str = "yanglao-outbox";

thread_local! {
    /// Set when the person tapped "有新版本，点此更新".
    static UPDATE_REQUESTED: Cell<bool> = const { Cell::new(false) };
}

fn container() -> Option<ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    // Absent on plain-http origins other than localhost, and in some WebViews.
    let has = Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false);
    has.then(|| navigator.service_worker())
}

/// Registers the worker and wires the update prompt and the worker's messages.
pub fn start(sync: crate::sync::SyncEngine) {
    let app = sync.app();
    let Some(container) = container() else {
        return;
    };
    let on_message =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let kind = Reflect::get(&event.data(), &"type".into())
                .ok()
                .and_then(|v| v.as_string());
            if kind.as_deref() == Some("sync") {
                sync.request();
            }
        });
    container.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();

    // The new worker took over after "update": load the new build. The very first worker
    // also takes control (clients.claim), and that must not reload a page being typed in.
    let reload = Closure::<dyn Fn()>::new(|| {
        if UPDATE_REQUESTED.with(Cell::get) {
            if let Some(w) = web_sys::window() {
                let _ = w.location().reload();
            }
        }
    });
    let _ = container
        .add_event_listener_with_callback("controllerchange", reload.as_ref().unchecked_ref());
    reload.forget();

    leptos::task::spawn_local(async move {
        let Ok(registration) = JsFuture::from(container.register("/sw.js")).await else {
            return;
        };
        let registration: ServiceWorkerRegistration = registration.unchecked_into();
        let had_controller = container.controller().is_some();
        if registration.waiting().is_some() && had_controller {
            app.update_ready.set(true);
        }
        watch_installing(app, &registration, had_controller);
    });
}

/// A new worker that finishes installing while an old one controls the page is an update.
fn watch_installing(app: AppState, registration: &ServiceWorkerRegistration, had_controller: bool) {
    let reg = registration.clone();
    let on_update = Closure::<dyn Fn()>::new(move || {
        let Some(worker) = reg.installing() else {
            return;
        };
        let watched = worker.clone();
        let on_state = Closure::<dyn Fn()>::new(move || {
            if watched.state() == ServiceWorkerState::Installed && had_controller {
                app.update_ready.set(true);
            }
        });
        worker.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
        on_state.forget();
    });
    registration.set_onupdatefound(Some(on_update.as_ref().unchecked_ref()));
    on_update.forget();
}

/// "有新版本，点此更新": the waiting worker takes over, `controllerchange` reloads the page.
pub fn apply_update() {
    let Some(container) = container() else {
        return;
    };
    UPDATE_REQUESTED.with(|u| u.set(true));
    leptos::task::spawn_local(async move {
        let Ok(ready) = container.ready() else {
            return;
        };
        let Ok(registration) = JsFuture::from(ready).await else {
            return;
        };
        let registration: ServiceWorkerRegistration = registration.unchecked_into();
        let waiting: Option<ServiceWorker> = registration.waiting();
        match waiting {
            Some(worker) => {
                let message = js_sys::Object::new();
                let _ = Reflect::set(&message, &"type".into(), &"skipWaiting".into());
                let _ = worker.post_message(&message);
            }
            None => {
                if let Some(w) = web_sys::window() {
                    let _ = w.location().reload();
                }
            }
        }
    });
}

/// Asks the browser to wake the worker when the network is back (Chrome's Background Sync),
/// even if the page is closed meanwhile; the worker then asks an open page to sync.
pub fn register_background_sync() {
    let Some(container) = container() else {
        return;
    };
    leptos::task::spawn_local(async move {
        let Ok(ready) = container.ready() else {
            return;
        };
        let Ok(registration) = JsFuture::from(ready).await else {
            return;
        };
        let Ok(sync) = Reflect::get(&registration, &"sync".into()) else {
            return;
        };
        if sync.is_undefined() {
            return; // not supported (Firefox, Safari): the timer and `online` cover it
        }
        let Ok(register) =
            Reflect::get(&sync, &"register".into()).and_then(|f| f.dyn_into::<Function>())
        else {
            return;
        };
        if let Ok(promise) = register.call1(&sync, &SYNC_TAG.into()) {
            let _ = JsFuture::from(Promise::from(promise)).await;
        }
    });
}
