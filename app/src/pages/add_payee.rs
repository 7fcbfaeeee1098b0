//! 新增缴费人员: name and ID number, checked by the shared crate as they are typed (offline
//! too), stored on the phone as 待核验 until the server has matched it with the roster.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use yanglao_shared::id_number::IdNumber;
use yanglao_shared::name::PersonName;
use yanglao_shared::window::cst_date;
use yanglao_shared::wire::{NewPayee, PayeeCheck};

use super::{ErrorText, RequireSession};
use crate::clock;
use crate::components::TextField;
use crate::i18n::{self, tr};
use crate::model::LocalPayee;
use crate::state::use_app;

#[component]
pub fn AddPayee() -> impl IntoView {
    view! {
        <RequireSession>
            <AddForm />
        </RequireSession>
    }
}

#[component]
fn AddForm() -> impl IntoView {
    let app = use_app();
    let t = tr();
    let navigate = use_navigate();
    let name = RwSignal::new(String::new());
    let id_number = RwSignal::new(String::new());
    let name_touched = RwSignal::new(false);
    let id_touched = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let today = move || cst_date(app.server_now());

    let parsed_name = Memo::new(move |_| PersonName::parse(&name.get()));
    let parsed_id = Memo::new(move |_| IdNumber::parse(&id_number.get(), today()));
    let name_error = Signal::derive(move || {
        name_touched
            .get()
            .then(|| {
                parsed_name
                    .get()
                    .err()
                    .map(|e| i18n::input_error(e.code(), e.to_string()))
            })
            .flatten()
    });
    // Judge the ID once it is long enough to be complete, or after leaving the field.
    let id_error = Signal::derive(move || {
        let long_enough = id_number.with(|s| s.trim().chars().count() >= 18);
        (id_touched.get() || long_enough)
            .then(|| {
                parsed_id
                    .get()
                    .err()
                    .map(|e| i18n::input_error(e.code(), e.to_string()))
            })
            .flatten()
    });
    let birth = move || {
        parsed_id
            .get()
            .ok()
            .map(|id| i18n::birth_date(id.birth_date()))
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        name_touched.set(true);
        id_touched.set(true);
        let (Ok(person), Ok(id)) = (parsed_name.get_untracked(), parsed_id.get_untracked()) else {
            return;
        };
        let payee = LocalPayee {
            id: clock::new_id(),
            name_masked: person.masked(),
            id_masked: id.masked(),
            check: PayeeCheck::Unverified,
            birth_date: Some(id.birth_date()),
            pending: None,
        };
        let payee = LocalPayee {
            pending: Some(NewPayee {
                id: payee.id,
                name: person.as_str().to_owned(),
                id_number: id.as_str().to_owned(),
            }),
            ..payee
        };
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            // Stored first; the sync that follows may or may not reach the server.
            let saved = match app.store().await {
                Ok(store) => store.put_payee(&payee).await.map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
            busy.set(false);
            if let Err(e) = saved {
                failure.set(Some(e));
                return;
            }
            app.reload().await;
            crate::sync::announce();
            crate::sync::request(app);
            app.say(tr().saved_unverified);
            navigate("/", Default::default());
        });
    };

    view! {
        <section class="page page--narrow">
            <h1 tabindex="-1">{t.add_payee}</h1>
            <form on:submit=submit novalidate>
                <TextField
                    label=t.name
                    value=name
                    error=name_error
                    testid="payee-name"
                    hint=t.name_hint
                    autocomplete="off"
                    on_blur=Callback::new(move |_| name_touched.set(true))
                />
                <TextField
                    label=t.id_number
                    value=id_number
                    error=id_error
                    testid="payee-id-number"
                    hint=t.id_hint
                    autocomplete="off"
                    maxlength=20
                    on_blur=Callback::new(move |_| id_touched.set(true))
                />
                <p class="field__ok" data-testid="payee-id-ok" aria-live="polite">{birth}</p>
                <ErrorText message=failure testid="payee-save-error" />
                <button
                    type="submit"
                    class="button button--primary button--block"
                    data-testid="payee-submit"
                    disabled=move || busy.get()
                >
                    {t.save}
                </button>
            </form>
            <p class="muted">{t.unverified_explain}</p>
        </section>
    }
}
