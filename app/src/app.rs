//! The root: state and the sync engine (both provided as contexts), start-up (load from IndexedDB, then sync, service worker, policy), the
//! frame and the routes. The routes are written once for both builds (see [`crate::bundle`]):
//! a screen only the full bundle carries is, in the resident build, a switch to that bundle.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::components::{
    DeadlineBanner, Notice, SyncLine, TabBar, TopBar, UpdatePrompt, WindowBanner,
};
use crate::i18n;
use crate::pages;
use crate::routing::{use_location, use_navigate, NavigateOptions, Route, Router, Routes};
use crate::state::AppState;
use crate::sync::SyncEngine;

/// The app with the screens of one build: `FULL` is false for the resident bundle, true for the
/// full one. Each binary instantiates one, so the other build's screens are not in its wasm.
pub fn mount<const FULL: bool>() {
    leptos::mount::mount_to_body(|| view! { <App routes={routes::<FULL>} /> });
}

/// How long a first visit keeps the static first screen while it waits for the server's
/// payment window; after that (offline, a slow link) the phone's own estimate is shown.
const WAIT_FOR_WINDOW: Duration = Duration::from_secs(2);

#[component]
fn App(routes: fn() -> AnyView) -> impl IntoView {
    let app = AppState::new();
    provide_context(app);
    let sync = SyncEngine::new(app);
    provide_context(sync);

    // The app is built hidden behind the static first screen and shown once its top lines
    // are final: the window banner from the phone's cache, else from the server's first
    // answer, else (after WAIT_FOR_WINDOW) the phone's estimate. Shown any earlier, the
    // banner would change size under the person's eyes and push the page down.
    set_timeout(crate::bundle::reveal, WAIT_FOR_WINDOW);
    spawn_local(async move {
        app.reload().await;
        if app.data.with_untracked(|d| d.window.is_some()) {
            crate::bundle::reveal();
        }
        sync.start();
        crate::sync::refresh_policy(app).await;
        crate::bundle::reveal();
        crate::sync::refresh_account(app).await;
        crate::sync::refresh_places(app).await;
    });
    crate::pwa::start(sync);
    crate::bundle::follow_account(app);
    // Days left and "last sync" are worth re-reading on a page left open.
    let _ = set_interval_with_handle(
        move || app.minute.update(|m| *m += 1),
        Duration::from_secs(60),
    );

    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", i18n::html_lang());
        }
        document().set_title(i18n::tr().app_name);
    });

    view! {
        <div class="app" class:elder=move || app.elder.get() hidden>
            // Built once: the text follows the language signal in place, so switching it
            // keeps the page, its inputs and the history as they are.
            <Router>
                <Shell routes />
            </Router>
        </div>
    }
}

#[component]
fn Shell(routes: fn() -> AnyView) -> impl IntoView {
    let app = crate::state::use_app();
    let location = use_location();
    // After a route change, move focus to the new screen's heading so a screen reader
    // announces it and the keyboard starts from there.
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.is_some_and(|p| p != path) {
            request_animation_frame(|| {
                let heading = document().query_selector("main h1").ok().flatten();
                if let Some(h) = heading.and_then(|h| h.dyn_into::<web_sys::HtmlElement>().ok()) {
                    let _ = h.focus();
                }
            });
        }
        path
    });

    // Staff start where their work is: an app opened on the home screen by a staff account
    // (known from the phone's copy of the account, so offline too) goes on to 工作台. Once,
    // at start: a staff member who taps 首页 later stays there.
    let navigate = use_navigate();
    Effect::new(move |landed: Option<bool>| {
        if landed == Some(true) || !app.ready.get() {
            return landed.unwrap_or(false);
        }
        if crate::components::is_staff(app) && location.pathname.get_untracked() == "/" {
            navigate("/staff", NavigateOptions { replace: true });
        }
        true
    });
    crate::voice::announce_payments(app);

    view! {
        <TopBar />
        <UpdatePrompt />
        <WindowBanner />
        <SyncLine />
        <DeadlineBanner />
        <Notice />
        <main id="main">
            {routes()}
        </main>
        <TabBar />
    }
}

/// Every route of the app, in the order they are tried. `only_full` wraps a screen the
/// resident bundle leaves out.
fn routes<const FULL: bool>() -> AnyView {
    use crate::bundle::only_full;
    let route = |path, view| Route { path, view };
    let table = vec![
        route("/", || view! { <pages::home::Home /> }.into_any()),
        route("/login", || view! { <pages::login::Login /> }.into_any()),
        route("/register", || {
            view! { <pages::login::Register /> }.into_any()
        }),
        route("/payees/new", || {
            view! { <pages::add_payee::AddPayee /> }.into_any()
        }),
        route("/payees/:id", || {
            view! { <pages::payee::PayeeDetail /> }.into_any()
        }),
        route("/pay", || view! { <pages::pay::Pay /> }.into_any()),
        route("/payments", || {
            view! { <pages::payments::Payments /> }.into_any()
        }),
        route("/cards", || view! { <pages::cards::Cards /> }.into_any()),
        route("/record", || view! { <pages::record::Record /> }.into_any()),
        route("/receipt/:id", || {
            view! { <pages::receipt::Receipt /> }.into_any()
        }),
        route("/guide", || view! { <pages::guide::Guide /> }.into_any()),
        route("/verify", || only_full::<FULL, _>(pages::receipt::Verify)),
        route("/apply", || {
            only_full::<FULL, _>(pages::apply::Applications)
        }),
        route("/apply/enrol", || {
            only_full::<FULL, _>(pages::apply::enrol::Enrol)
        }),
        route("/apply/back-pay", || {
            only_full::<FULL, _>(pages::apply::back_pay::BackPay)
        }),
        route("/staff", || only_full::<FULL, _>(pages::staff::Staff)),
        route("/staff/enrolments", || {
            only_full::<FULL, _>(pages::review::enrolments::ReviewEnrolments)
        }),
        route("/staff/back-payments", || {
            only_full::<FULL, _>(pages::review::back_payments::ReviewBackPayments)
        }),
        route("/staff/reconciliation", || {
            only_full::<FULL, _>(pages::review::reconciliation::Reconciliation)
        }),
        route("/staff/policies", || {
            only_full::<FULL, _>(pages::review::policies::Policies)
        }),
    ];
    let not_found = || view! { <pages::NotFound /> }.into_any();
    view! { <Routes routes=table fallback=not_found /> }.into_any()
}
