//! Name and ID number, as several forms ask for them (新增缴费人员, 参保登记表, 补缴申请表):
//! checked by the shared crate as they are typed, offline too. The ID is judged once it is
//! long enough to be complete, or after leaving the field; the birth date read from it shows
//! as a sign that the number is right.
//!
//! Also the payer's own label for a person (妈妈, 二叔) wherever the person appears beside
//! their masked name ([`LabelTag`], looked up by [`label_of`] for a payment), and the field
//! that sets it ([`LabelEditor`], on the person's screen).

use leptos::prelude::*;
use leptos::task::spawn_local;
use time::Date;
use uuid::Uuid;
use yanglao_shared::id_number::{IdNumber, IdNumberError};
use yanglao_shared::name::{NameError, PersonName};
use yanglao_shared::payee_label::PayeeLabel;

use super::TextField;
use crate::i18n::{self, fixed};

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
            label=fixed(|s| s.name)
            value=person.name
            error=person.name_error()
            testid=testids.0
            hint=fixed(|s| s.name_hint)
            autocomplete="off"
            on_blur=Callback::new(move |_| person.name_touched.set(true))
        />
        <TextField
            label=fixed(|s| s.id_number)
            value=person.id_number
            error=person.id_error()
            testid=testids.1
            hint=fixed(|s| s.id_hint)
            autocomplete="off"
            maxlength=20
            on_blur=Callback::new(move |_| person.id_touched.set(true))
        />
        <p class="field__ok" data-testid=testids.2 aria-live="polite">{birth}</p>
    }
}

/// The payer's own label for a person, beside the masked name; nothing when there is none.
#[component]
pub fn LabelTag(label: Option<String>) -> impl IntoView {
    label.map(|l| view! { <span class="payee-label" data-testid="payee-label">{l}</span> })
}

/// The label of the person `payee_id` on this phone's list (a payment names its person by id;
/// a person removed since has none).
pub fn label_of(payees: &[crate::model::LocalPayee], payee_id: Uuid) -> Option<String> {
    payees
        .iter()
        .find(|p| p.id == payee_id)
        .and_then(|p| p.label_text().map(str::to_owned))
}

/// 我对他/她的称呼: sets or clears the payer's own label, offline too (the mutation log sends
/// it under a new change id). Checked by the shared rule as it is typed.
#[component]
pub fn LabelEditor(payee_id: Uuid, current: Option<String>, waiting: bool) -> impl IntoView {
    let sync = crate::sync::use_sync();
    let app = crate::state::use_app();
    let value = RwSignal::new(current.clone().unwrap_or_default());
    let busy = RwSignal::new(false);
    let parsed = Memo::new(move |_| PayeeLabel::parse_optional(&value.get()));
    let error = Signal::derive(move || {
        parsed.get().err().map(|e| match i18n::lang() {
            i18n::Lang::Zh => e.to_string(),
            i18n::Lang::En => e.en().to_owned(),
        })
    });
    let unchanged = move || {
        parsed
            .get()
            .is_ok_and(|l| l.as_ref().map(PayeeLabel::as_str) == current.as_deref())
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(label) = parsed.get_untracked() else {
            return;
        };
        busy.set(true);
        let cleared = label.is_none();
        spawn_local(async move {
            let change = crate::clock::new_id();
            let saved = sync
                .record(move |store| async move {
                    store.set_label(payee_id, change, label).await.map(|_| ())
                })
                .await;
            busy.set(false);
            match saved {
                Ok(()) if cleared => app.say(i18n::tp().label_cleared),
                Ok(()) => app.say(i18n::tp().label_saved),
                Err(e) => app.say(e),
            }
        });
    };
    view! {
        <form class="label-editor" data-testid="label-form" on:submit=save>
            <TextField
                label=move || i18n::tp().label
                value=value
                error=error
                testid="label-input"
                hint=move || i18n::tp().label_hint
                autocomplete="off"
                maxlength=20
            />
            {waiting.then(|| view! { <p class="muted small" data-testid="label-waiting">{move || i18n::tp().label_waiting}</p> })}
            <button
                type="submit"
                class="button"
                data-testid="label-save"
                disabled=move || busy.get() || unchanged() || error.get().is_some()
            >
                {move || i18n::tp().label_save}
            </button>
        </form>
    }
}
