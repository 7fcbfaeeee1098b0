//! Town (镇街) and village (村居) of household registration: chosen from the places the server
//! knows when the phone has them (no typing, and no typo that would leave the form where no
//! village assistant looks), typed otherwise (a first use offline); the server checks either.

use leptos::prelude::*;

use crate::components::TextField;
use crate::i18n::ta;
use crate::state::use_app;

#[component]
pub fn PlaceFields(
    town: RwSignal<String>,
    village: RwSignal<String>,
    #[prop(into)] town_error: Signal<Option<String>>,
    #[prop(into)] village_error: Signal<Option<String>>,
) -> impl IntoView {
    let app = use_app();
    let t = ta();
    let known = Memo::new(move |_| app.data.with(|d| !d.places.is_empty()));
    let villages = move || {
        let chosen = town.get();
        app.data.with(|d| {
            d.places
                .iter()
                .find(|p| p.town == chosen)
                .map(|p| p.villages.clone())
                .unwrap_or_default()
        })
    };
    let choose_town = move |name: String| {
        town.set(name);
        village.set(String::new());
    };
    move || {
        if !known.get() {
            return view! {
                <TextField label=t.town value=town error=town_error testid="enrol-town" hint=t.place_hint />
                <TextField label=t.village value=village error=village_error testid="enrol-village" />
            }
            .into_any();
        }
        let towns = app
            .data
            .with(|d| d.places.iter().map(|p| p.town.clone()).collect::<Vec<_>>());
        view! {
            <label class="field">
                <span>{t.town}</span>
                <select data-testid="enrol-town-choice" on:change=move |ev| choose_town(event_target_value(&ev))>
                    <option value="" selected=move || town.with(String::is_empty)>{t.choose}</option>
                    {towns.into_iter().map(|name| {
                        let selected = { let name = name.clone(); move || town.get() == name };
                        view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                    }).collect_view()}
                </select>
                <span class="field__error" aria-live="polite">{move || town_error.get()}</span>
            </label>
            <label class="field">
                <span>{t.village}</span>
                <select data-testid="enrol-village-choice" on:change=move |ev| village.set(event_target_value(&ev))>
                    <option value="" selected=move || village.with(String::is_empty)>{t.choose}</option>
                    {move || villages().into_iter().map(|name| {
                        let selected = { let name = name.clone(); move || village.get() == name };
                        view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                    }).collect_view()}
                </select>
                <span class="field__error" aria-live="polite">{move || village_error.get()}</span>
            </label>
        }
        .into_any()
    }
}
