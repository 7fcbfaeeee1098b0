//! The screens, one module each, named after what they show.

pub mod add_payee;
pub mod apply;
pub mod cards;
pub mod guide;
pub mod home;
pub mod login;
pub mod pay;
pub mod payee;
pub mod payments;
pub mod receipt;
pub mod record;
pub mod review;
pub mod staff;

use crate::routing::{Redirect, A};
use leptos::prelude::*;

use crate::i18n::{fixed, tr};
use crate::state::use_app;

/// Shows `children` when a session exists; sends to the login screen otherwise. While
/// IndexedDB is still being read, says so instead of flashing the login screen.
#[component]
pub fn RequireSession(children: ChildrenFn) -> impl IntoView {
    let app = use_app();
    // A memo, so a sync that reloads the data does not rebuild the page (and wipe what the
    // person is typing): only a change of "loaded / logged in" does.
    let gate = Memo::new(move |_| (app.ready.get(), app.data.with(|d| d.session.is_some())));
    move || {
        let (ready, logged_in) = gate.get();
        if !ready {
            view! { <p class="muted">{fixed(|s| s.loading)}</p> }.into_any()
        } else if logged_in {
            // An expired session still shows the phone's data; the sync line asks to log in.
            children().into_any()
        } else {
            view! { <Redirect path="/login" /> }.into_any()
        }
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="page">
            <h1 tabindex="-1">{fixed(|s| s.not_found)}</h1>
            <A href="/" attr:class="button">{fixed(|s| s.go_home)}</A>
        </section>
    }
}

/// A message from the server or the phone, announced to screen readers.
#[component]
pub fn ErrorText(
    #[prop(into)] message: Signal<Option<String>>,
    testid: &'static str,
) -> impl IntoView {
    view! {
        <p class="error-text" role="alert" data-testid=testid>
            {move || message.get().unwrap_or_default()}
        </p>
    }
}

pub fn api_message(error: &crate::api::ApiError) -> String {
    match error {
        crate::api::ApiError::Offline => tr().needs_network.to_owned(),
        crate::api::ApiError::Unauthorized(m) => m.clone(),
        crate::api::ApiError::Refused { message, .. } => message.clone(),
        crate::api::ApiError::BadAnswer(_) => tr().error_generic.to_owned(),
    }
}

/// What a staff screen says of a failure: the server's sentence, except a refusal of the
/// role, which is said plainly; a 401 also asks to log in again.
pub fn failure_text(app: crate::state::AppState, error: &crate::api::ApiError) -> String {
    if let crate::api::ApiError::Unauthorized(_) = error {
        app.needs_login.set(true);
    }
    if error.code() == "forbidden" {
        tr().staff_forbidden.to_owned()
    } else {
        api_message(error)
    }
}
