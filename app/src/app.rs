//! The root: state and the sync engine (both provided as contexts), start-up (load from IndexedDB, then sync, service worker, policy), the
//! frame and the routes.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;
use wasm_bindgen::JsCast;

use crate::components::{
    DeadlineBanner, Notice, SyncLine, TabBar, TopBar, UpdatePrompt, WindowBanner,
};
use crate::i18n;
use crate::pages;
use crate::state::AppState;
use crate::sync::SyncEngine;

#[component]
pub fn App() -> impl IntoView {
    let app = AppState::new();
    provide_context(app);
    let sync = SyncEngine::new(app);
    provide_context(sync);

    spawn_local(async move {
        app.reload().await;
        sync.start();
        crate::sync::refresh_policy(app).await;
        crate::sync::refresh_account(app).await;
        crate::sync::refresh_places(app).await;
    });
    crate::pwa::start(sync);
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
        <div class="app" class:elder=move || app.elder.get()>
            // Built once: the text follows the language signal in place, so switching it
            // keeps the page, its inputs and the history as they are.
            <Router>
                <Shell />
            </Router>
        </div>
    }
}

#[component]
fn Shell() -> impl IntoView {
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

    view! {
        <TopBar />
        <UpdatePrompt />
        <WindowBanner />
        <SyncLine />
        <DeadlineBanner />
        <Notice />
        <main id="main">
            <Routes fallback=pages::NotFound>
                <Route path=path!("/") view=pages::home::Home />
                <Route path=path!("/login") view=pages::login::Login />
                <Route path=path!("/register") view=pages::login::Register />
                <Route path=path!("/payees/new") view=pages::add_payee::AddPayee />
                <Route path=path!("/payees/:id") view=pages::payee::PayeeDetail />
                <Route path=path!("/pay") view=pages::pay::Pay />
                <Route path=path!("/payments") view=pages::payments::Payments />
                <Route path=path!("/cards") view=pages::cards::Cards />
                <Route path=path!("/record") view=pages::record::Record />
                <Route path=path!("/receipt/:id") view=pages::receipt::Receipt />
                <Route path=path!("/verify") view=pages::receipt::Verify />
                <Route path=path!("/guide") view=pages::guide::Guide />
                <Route path=path!("/apply") view=pages::apply::Applications />
                <Route path=path!("/apply/enrol") view=pages::apply::enrol::Enrol />
                <Route path=path!("/apply/back-pay") view=pages::apply::back_pay::BackPay />
                <Route path=path!("/staff") view=pages::staff::Staff />
                <Route path=path!("/staff/enrolments") view=pages::review::enrolments::ReviewEnrolments />
                <Route path=path!("/staff/back-payments") view=pages::review::back_payments::ReviewBackPayments />
                <Route path=path!("/staff/reconciliation") view=pages::review::reconciliation::Reconciliation />
            </Routes>
        </main>
        <TabBar />
    }
}
