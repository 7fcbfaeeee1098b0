//! 新增缴费人员: name and ID number, checked by the shared crate as they are typed (offline
//! too), stored on the phone as 待核验 until the server has matched it with the roster.

use crate::routing::use_navigate;
use leptos::prelude::*;
use leptos::task::spawn_local;
use yanglao_shared::window::cst_date;
use yanglao_shared::wire::{NewPayee, PayeeCheck};

use super::{ErrorText, RequireSession};
use crate::clock;
use crate::components::{PersonFields, PersonInput};
use crate::i18n::{fixed, tr};
use crate::model::LocalPayee;
use crate::state::use_app;
use crate::sync::use_sync;

thread_local! {
    /// A name and ID number to fill the next form with (an enrolled person from their
    /// enrolment): in memory only, taken by the form that uses it.
    static PREFILL: std::cell::RefCell<Option<(String, String)>> = const { std::cell::RefCell::new(None) };
}

/// Fills the next 新增缴费人员 form with `name` and `id_number` (held in memory, never stored).
pub fn prefill(name: String, id_number: String) {
    PREFILL.with(|p| *p.borrow_mut() = Some((name, id_number)));
}

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
    let sync = use_sync();
    let navigate = use_navigate();
    let person = PersonInput::new(move || cst_date(app.server_now()));
    if let Some((name, id_number)) = PREFILL.with(|p| p.borrow_mut().take()) {
        person.name.set(name);
        person.id_number.set(id_number);
    }
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some((person, id)) = person.checked() else {
            return;
        };
        let payee = LocalPayee {
            id: clock::new_id(),
            name_masked: person.masked(),
            id_masked: id.masked(),
            check: PayeeCheck::Unverified,
            birth_date: Some(id.birth_date()),
            pending: None,
            label: None,
            label_change: None,
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
        let id = payee.id;
        spawn_local(async move {
            // Stored first; the sync that follows may or may not reach the server.
            let saved = sync
                .record(|store| async move { store.add_payee(&payee).await })
                .await;
            busy.set(false);
            if let Err(e) = saved {
                failure.set(Some(e));
                return;
            }
            // About this person being unchecked: it goes once the server has checked them.
            app.say_while("/", tr().saved_unverified, move |d| {
                d.payees.iter().any(|p| {
                    p.id == id && matches!(p.check, yanglao_shared::wire::PayeeCheck::Unverified)
                })
            });
            navigate("/", Default::default());
        });
    };

    view! {
        <section class="page page--narrow">
            <h1 tabindex="-1">{fixed(|s| s.add_payee)}</h1>
            <form on:submit=submit novalidate>
                <PersonFields person=person testids=("payee-name", "payee-id-number", "payee-id-ok") />
                <ErrorText message=failure testid="payee-save-error" />
                <button
                    type="submit"
                    class="button button--primary button--block"
                    data-testid="payee-submit"
                    disabled=move || busy.get()
                >
                    {fixed(|s| s.save)}
                </button>
            </form>
            <p class="muted">{fixed(|s| s.unverified_explain)}</p>
        </section>
    }
}
