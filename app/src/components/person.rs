//! Name and ID number, as several forms ask for them (新增缴费人员, 参保登记表, 补缴申请表):
//! checked by the shared crate as they are typed, offline too. The ID is judged once it is
//! long enough to be complete, or after leaving the field; the birth date read from it shows
//! as a sign that the number is right.

use leptos::prelude::*;
use time::Date;
use yanglao_shared::id_number::{IdNumber, IdNumberError};
use yanglao_shared::name::{NameError, PersonName};

use super::TextField;
use crate::i18n::{self, tr};

#[derive(Clone, Copy)]
pub struct PersonInput {
    pub name: RwSignal<String>,
    pub id_number: RwSignal<String>,
    name_touched: RwSignal<bool>,
    id_touched: RwSignal<bool>,
    parsed_name: Memo<Result<PersonName, NameError>>,
    parsed_id: Memo<Result<IdNumber, IdNumberError>>,
}

impl PersonInput {
    /// `today` is the server's date as well as the phone knows it (no birth in the future).
    pub fn new(today: impl Fn() -> Date + Send + Sync + 'static) -> Self {
        let name = RwSignal::new(String::new());
        let id_number = RwSignal::new(String::new());
        Self {
            name,
            id_number,
            name_touched: RwSignal::new(false),
            id_touched: RwSignal::new(false),
            parsed_name: Memo::new(move |_| PersonName::parse(&name.get())),
            parsed_id: Memo::new(move |_| IdNumber::parse(&id_number.get(), today())),
        }
    }

    pub fn name_error(self) -> Signal<Option<String>> {
        Signal::derive(move || {
            self.name_touched
                .get()
                .then(|| self.parsed_name.get().err())
                .flatten()
                .map(|e| i18n::input_error(e.code(), e.to_string()))
        })
    }

    pub fn id_error(self) -> Signal<Option<String>> {
        Signal::derive(move || {
            let long_enough = self.id_number.with(|s| s.trim().chars().count() >= 18);
            (self.id_touched.get() || long_enough)
                .then(|| self.parsed_id.get().err())
                .flatten()
                .map(|e| i18n::input_error(e.code(), e.to_string()))
        })
    }

    /// The ID number, once valid (reactive).
    pub fn id(self) -> Option<IdNumber> {
        self.parsed_id.get().ok()
    }

    /// Shows every error (on submit) and answers with both values if they are valid.
    pub fn checked(self) -> Option<(PersonName, IdNumber)> {
        self.name_touched.set(true);
        self.id_touched.set(true);
        match (
            self.parsed_name.get_untracked(),
            self.parsed_id.get_untracked(),
        ) {
            (Ok(name), Ok(id)) => Some((name, id)),
            _ => None,
        }
    }
}

/// The two fields and the birth-date line; `testids` names them (name, ID, birth line).
#[component]
pub fn PersonFields(
    person: PersonInput,
    testids: (&'static str, &'static str, &'static str),
) -> impl IntoView {
    let birth = move || person.id().map(|id| i18n::birth_date(id.birth_date()));
    view! {
        <TextField
            label=move || tr().name
            value=person.name
            error=person.name_error()
            testid=testids.0
            hint=move || tr().name_hint
            autocomplete="off"
            on_blur=Callback::new(move |_| person.name_touched.set(true))
        />
        <TextField
            label=move || tr().id_number
            value=person.id_number
            error=person.id_error()
            testid=testids.1
            hint=move || tr().id_hint
            autocomplete="off"
            maxlength=20
            on_blur=Callback::new(move |_| person.id_touched.set(true))
        />
        <p class="field__ok" data-testid=testids.2 aria-live="polite">{birth}</p>
    }
}
