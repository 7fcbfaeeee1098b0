//! Log in and register (both need the network). A new login of another account clears the
//! previous account's records from the phone; the same account keeps its mutation log (what
//! it had not sent yet).

use crate::routing::use_navigate;
use crate::routing::A;
use leptos::prelude::*;
use leptos::task::spawn_local;
use yanglao_shared::mobile::MobileNumber;
use yanglao_shared::wire::Credentials;

use super::{api_message, ErrorText};
use crate::api;
use crate::components::TextField;
use crate::i18n::{self, fixed, tr};
use crate::state::use_app;
use crate::sync::use_sync;

const MIN_PASSWORD: usize = 8;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Login,
    Register,
}

#[component]
pub fn Login() -> impl IntoView {
    view! { <AuthForm mode=Mode::Login /> }
}

#[component]
pub fn Register() -> impl IntoView {
    view! { <AuthForm mode=Mode::Register /> }
}

#[component]
fn AuthForm(mode: Mode) -> impl IntoView {
    let app = use_app();
    let sync = use_sync();
    let navigate = use_navigate();
    let prefix = if mode == Mode::Login {
        "login"
    } else {
        "register"
    };
    let mobile = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let password2 = RwSignal::new(String::new());
    let touched = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);

    // The shared crate checks the number as it is typed; errors show once there is enough
    // to judge (11 characters) or after leaving the field.
    let mobile_error = Signal::derive(move || {
        let text = mobile.get();
        let judge = touched.get() || text.chars().filter(char::is_ascii_digit).count() >= 11;
        (judge && !text.is_empty())
            .then(|| {
                MobileNumber::parse(&text)
                    .err()
                    .map(|e| i18n::input_error(e.code(), e.to_string()))
            })
            .flatten()
    });
    let password_error = Signal::derive(move || {
        let short = password.with(|p| p.chars().count() < MIN_PASSWORD);
        (mode == Mode::Register && touched.get() && short).then(|| tr().password_short.to_owned())
    });
    let password2_error = Signal::derive(move || {
        (mode == Mode::Register && touched.get() && password.get() != password2.get())
            .then(|| tr().password_mismatch.to_owned())
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        let Ok(number) = MobileNumber::parse(&mobile.get_untracked()) else {
            let e = MobileNumber::parse("").unwrap_err();
            failure.set(Some(i18n::input_error(e.code(), e.to_string())));
            return;
        };
        if mode == Mode::Register
            && (password_error.get_untracked().is_some()
                || password2_error.get_untracked().is_some())
        {
            return;
        }
        let credentials = Credentials {
            mobile: number.as_str().to_owned(),
            password: password.get_untracked(),
        };
        busy.set(true);
        failure.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            let answer = match mode {
                Mode::Login => api::log_in(&credentials).await,
                Mode::Register => api::register(&credentials).await,
            };
            busy.set(false);
            let session = match answer {
                Ok(s) => s,
                Err(e) => {
                    failure.set(Some(api_message(&e)));
                    return;
                }
            };
            password.set(String::new());
            password2.set(String::new());
            // Other tabs hear of it too: another account's records may just have left.
            let stored = sync
                .write(|store| async move { store.begin_session(&session).await })
                .await;
            if let Err(e) = stored {
                failure.set(Some(e));
                return;
            }
            app.needs_login.set(false);
            sync.request();
            // Whether this account is staff decides where it starts: staff on 工作台, where
            // their work is, everyone else on their people. Asked before leaving the form (a
            // login needs the network anyway); without an answer the phone's copy decides.
            crate::sync::refresh_account(app).await;
            let staff = app
                .data
                .with_untracked(|d| d.account.as_ref().is_some_and(|a| a.staff.is_some()));
            let start = if staff { "/staff" } else { "/" };
            navigate(start, Default::default());
        });
    };

    let words = move || match mode {
        Mode::Login => (tr().login_title, tr().login_submit),
        Mode::Register => (tr().register_title, tr().register_submit),
    };
    let signed_in = app.data.with_untracked(|d| d.session.clone());
    view! {
        <section class="page page--narrow">
            <h1 tabindex="-1">{move || words().0}</h1>
            {crate::voice::read_aloud(move || i18n::voice::login(mode == Mode::Register))}
            <p class="lead">{fixed(|s| s.login_intro)}</p>
            <form on:submit=submit novalidate>
                <TextField
                    label=fixed(|s| s.mobile)
                    value=mobile
                    error=mobile_error
                    testid=if mode == Mode::Login { "login-mobile" } else { "register-mobile" }
                    kind="tel"
                    inputmode="numeric"
                    autocomplete="tel"
                    on_blur=Callback::new(move |_| touched.set(true))
                />
                <TextField
                    label=fixed(|s| s.password)
                    value=password
                    error=password_error
                    testid=if mode == Mode::Login { "login-password" } else { "register-password" }
                    hint=fixed(|s| s.password_hint)
                    kind="password"
                    autocomplete=if mode == Mode::Login { "current-password" } else { "new-password" }
                />
                {(mode == Mode::Register).then(|| view! {
                    <TextField
                        label=fixed(|s| s.password_again)
                        value=password2
                        error=password2_error
                        testid="register-password2"
                        kind="password"
                        autocomplete="new-password"
                    />
                })}
                <ErrorText message=failure testid=if mode == Mode::Login { "login-error" } else { "register-error" } />
                <button
                    type="submit"
                    class="button button--primary button--block"
                    data-testid=format!("{prefix}-submit")
                    disabled=move || busy.get()
                >
                    {move || if busy.get() { tr().working } else { words().1 }}
                </button>
            </form>
            {match mode {
                Mode::Login => view! { <A href="/register" attr:data-testid="goto-register">{fixed(|s| s.to_register)}</A> }.into_any(),
                Mode::Register => view! { <A href="/login" attr:data-testid="goto-login">{fixed(|s| s.to_login)}</A> }.into_any(),
            }}
            {signed_in.map(|s| view! { <p class="muted">{fixed(|s| s.signed_in_as)}{s.mobile_masked}</p> })}
        </section>
    }
}
