//! Town (镇街) and village (村居) of household registration: chosen from the places the server
//! knows when the phone has them (no typing, and no typo that would leave the form where no
//! village assistant looks), typed otherwise (a first use offline); the server checks either.
//! Each chooser is its label above a full-width select as tall as a text field (styled under
//! "applications: forms" at the end of style/main.css).

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
    // Memos: a sync that reloads the phone's data must not rebuild an open list.
    let places = Memo::new(move |_| app.data.with(|d| d.places.clone()));
    let known = Memo::new(move |_| places.with(|p| !p.is_empty()));
    let towns = Memo::new(move |_| {
        let list = places.with(|p| p.iter().map(|p| p.town.clone()).collect());
        with_current(list, &town.get())
    });
    let villages = Memo::new(move |_| {
        let chosen = town.get();
        let list = places.with(|p| {
            p.iter()
                .find(|p| p.town == chosen)
                .map(|p| p.villages.clone())
                .unwrap_or_default()
        });
        with_current(list, &village.get())
    });
    let choose_town = move |name: String| {
        town.set(name);
        village.set(String::new());
    };
    move || {
        if !known.get() {
            return view! {
                <TextField label=move || ta().town value=town error=town_error testid="enrol-town" hint=move || ta().place_hint />
                <TextField label=move || ta().village value=village error=village_error testid="enrol-village" />
            }
            .into_any();
        }
        view! {
            <label class="field field--select">
                <span class="field__label">{move || ta().town}</span>
                <select class="select" data-testid="enrol-town-choice" on:change=move |ev| choose_town(event_target_value(&ev))>
                    <option value="" selected=move || town.with(String::is_empty)>{move || ta().choose}</option>
                    {move || towns.get().into_iter().map(|name| {
                        let selected = { let name = name.clone(); move || town.get() == name };
                        view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                    }).collect_view()}
                </select>
                <span class="field__error" aria-live="polite">{move || town_error.get()}</span>
            </label>
            <label class="field field--select">
                <span class="field__label">{move || ta().village}</span>
                <select class="select" data-testid="enrol-village-choice" on:change=move |ev| village.set(event_target_value(&ev))>
                    <option value="" selected=move || village.with(String::is_empty)>{move || ta().choose}</option>
                    {move || villages.get().into_iter().map(|name| {
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

/// The list with the current value in it: a form being fixed may name a place the list does
/// not have (the server refused it); it shows as chosen, so the person sees what to change.
fn with_current(mut list: Vec<String>, current: &str) -> Vec<String> {
    if !current.is_empty() && !list.iter().any(|p| p == current) {
        list.insert(0, current.to_owned());
    }
    list
}
