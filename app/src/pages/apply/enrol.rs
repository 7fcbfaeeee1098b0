//! 《居民基本养老保险参保登记表》 on the phone: name, ID number, town and village of household
//! registration, a phone number, and a claim of severe disability. Checked as typed (offline
//! too), kept as 待提交 until sent. A form returned by the village or the town opens here
//! again to be fixed, filled in as filed: the phone no longer keeps the full name, ID and
//! mobile numbers once the server has the form, so they are fetched again for this screen
//! (held in memory only); offline, the person types them.

use crate::routing::use_navigate;
use leptos::prelude::*;
use leptos::task::spawn_local;
use yanglao_shared::applications::{enrolment_too_young, place_name, EnrolmentForm};
use yanglao_shared::mobile::MobileNumber;
use yanglao_shared::window::cst_date;

use super::place::PlaceFields;
use super::{from_query, save_and_show};
use crate::applications::{ApplicationForm, Filed, LocalApplication};
use crate::components::{PersonFields, PersonInput, TextField};
use crate::i18n::{self, fixed, ta};
use crate::pages::{ErrorText, RequireSession};
use crate::state::use_app;
use crate::sync::use_sync;
use crate::{api, clock};

/// Filling a fix form from the server's copy: on its way, or not possible now (offline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Prefill {
    Loading,
    Offline,
}

#[component]
pub fn Enrol() -> impl IntoView {
    view! {
        <RequireSession>
            <EnrolForm />
        </RequireSession>
    }
}

#[component]
fn EnrolForm() -> impl IntoView {
    let app = use_app();
    let sync = use_sync();
    let navigate = use_navigate();
    let person = PersonInput::new(move || cst_date(app.server_now()));
    let town = RwSignal::new(String::new());
    let village = RwSignal::new(String::new());
    let mobile = RwSignal::new(String::new());
    let disabled = RwSignal::new(false);
    let touched = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);

    // Fixing an earlier form: what the phone still has is filled in.
    let editing = from_query(app, "edit").filter(LocalApplication::can_fix);
    // Fetched from the server when the phone no longer has the form in full.
    let prefill = RwSignal::new(None::<Prefill>);
    match editing.as_ref().map(|a| (&a.pending, &a.filed)) {
        Some((Some(ApplicationForm::Enrolment(f)), _)) => {
            person.name.set(f.name.clone());
            person.id_number.set(f.id_number.clone());
            town.set(f.town.clone());
            village.set(f.village.clone());
            mobile.set(f.mobile.clone());
            disabled.set(f.severely_disabled);
        }
        Some((_, Some(Filed::Enrolment(v)))) => {
            town.set(v.town.clone());
            village.set(v.village.clone());
            disabled.set(v.severely_disabled);
            prefill.set(Some(Prefill::Loading));
            let id = v.id;
            spawn_local(async move {
                let form = match app.token() {
                    Some(token) => api::enrolment_form(&token, id).await.ok(),
                    None => None,
                };
                let Some(f) = form else {
                    prefill.set(Some(Prefill::Offline));
                    return;
                };
                // What the person already typed meanwhile stays.
                let keep = |field: RwSignal<String>, value: String| {
                    if field.with_untracked(String::is_empty) {
                        field.set(value);
                    }
                };
                keep(person.name, f.name);
                keep(person.id_number, f.id_number);
                keep(mobile, f.mobile);
                prefill.set(None);
            });
        }
        _ => {}
    }

    let place_error = move |value: RwSignal<String>| {
        Signal::derive(move || {
            (touched.get() && value.with(|v| place_name(v).is_none()))
                .then(|| ta().place_error.to_owned())
        })
    };
    let mobile_error = Signal::derive(move || {
        touched
            .get()
            .then(|| MobileNumber::parse(&mobile.get()).err())
            .flatten()
            .map(|e| i18n::input_error(e.code(), e.to_string()))
    });

    // The same age rule the server applies, said before anything is sent.
    let too_young = move || {
        let id = person.id()?;
        enrolment_too_young(&app.policy(), id.birth_date(), cst_date(app.server_now()))
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        if too_young().is_some() {
            return;
        }
        let checked = person.checked();
        let places = (
            place_name(&town.get_untracked()),
            place_name(&village.get_untracked()),
        );
        let phone = MobileNumber::parse(&mobile.get_untracked());
        let (Some((name, id)), (Some(town), Some(village)), Ok(phone)) = (checked, places, phone)
        else {
            return;
        };
        let form = EnrolmentForm {
            id: editing.as_ref().map_or_else(clock::new_id, |a| a.id),
            name: name.as_str().to_owned(),
            id_number: id.as_str().to_owned(),
            town,
            village,
            mobile: phone.as_str().to_owned(),
            severely_disabled: disabled.get_untracked(),
            revision: editing.as_ref().map_or(0, LocalApplication::next_revision),
        };
        let form = ApplicationForm::Enrolment(form);
        let record = match &editing {
            Some(earlier) => earlier.fixed(form, name.masked(), id.masked()),
            None => LocalApplication::prepared(form, name.masked(), id.masked(), app.server_now()),
        };
        save_and_show(sync, record, failure, navigate.clone());
    };

    view! {
        <section class="page page--narrow">
            <h1 tabindex="-1">{move || ta().enrol_form_title}</h1>
            {crate::voice::read_aloud(crate::i18n::voice::enrol_form)}
            <p class="lead">{move || ta().enrol_form_intro}</p>
            {move || prefill.get().map(|p| match p {
                Prefill::Loading => view! { <p class="muted" data-testid="enrol-prefill-loading">{move || ta().prefill_loading}</p> }.into_any(),
                Prefill::Offline => view! { <p class="callout" data-testid="enrol-retype">{move || ta().prefill_offline}</p> }.into_any(),
            })}
            <form on:submit=submit novalidate>
                <PersonFields person=person testids=("enrol-name", "enrol-id-number", "enrol-id-ok") />
                {move || too_young().map(|why| view! { <p class="callout" role="alert" data-testid="enrol-too-young">{why}</p> })}
                <PlaceFields town=town village=village town_error=place_error(town) village_error=place_error(village) />
                <TextField
                    label=fixed(|s| s.mobile)
                    value=mobile
                    error=mobile_error
                    testid="enrol-mobile"
                    hint=move || ta().mobile_hint
                    kind="tel"
                    inputmode="numeric"
                    maxlength=11
                />
                <label class="choice" class:choice--on=move || disabled.get()>
                    <input
                        type="checkbox"
                        data-testid="enrol-disabled"
                        prop:checked=move || disabled.get()
                        on:change:target=move |ev| disabled.set(ev.target().checked())
                    />
                    <span>{move || ta().disabled_claim}</span>
                </label>
                <p class="explain">{move || ta().materials_note}</p>
                <ErrorText message=failure testid="enrol-save-error" />
                <button type="submit" class="button button--primary button--block" data-testid="enrol-submit">
                    {move || ta().submit_form}
                </button>
            </form>
        </section>
    }
}
