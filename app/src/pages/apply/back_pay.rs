//! 《补缴居民基本养老保险申请表》 on the phone: the person (name and ID number), the missed
//! years, and a tier; the amount is tier × years and earns no subsidy. Only the years the
//! policy and the person's age allow are offered (the same rule the town center applies);
//! which of them are already paid the town center knows, and says so if one is. A form the
//! town center returned opens here again, filled in as filed (fetched for this screen only),
//! to be fixed and sent again under the same id.

use std::collections::BTreeSet;

use crate::routing::use_navigate;
use leptos::prelude::*;
use leptos::task::spawn_local;
use yanglao_shared::applications::{back_payable_years, BackPaymentForm};
use yanglao_shared::policy::DEFAULT_REGION;
use yanglao_shared::tiers::TierAmount;
use yanglao_shared::window::cst_date;

use super::enrol::Prefill;
use super::{from_query, save_and_show};
use crate::applications::{ApplicationForm, Filed, LocalApplication};
use crate::components::{PersonFields, PersonInput};
use crate::i18n::{self, apply, fixed, ta};
use crate::pages::{ErrorText, RequireSession};
use crate::rules;
use crate::state::use_app;
use crate::sync::use_sync;
use crate::{api, clock};

#[component]
pub fn BackPay() -> impl IntoView {
    view! {
        <RequireSession>
            <BackPayForm />
        </RequireSession>
    }
}

#[component]
fn BackPayForm() -> impl IntoView {
    let app = use_app();
    let sync = use_sync();
    let navigate = use_navigate();
    let person = PersonInput::new(move || cst_date(app.server_now()));
    let years = RwSignal::new(BTreeSet::<i32>::new());
    let tier = RwSignal::new(None::<TierAmount>);
    let touched = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let this_year = cst_date(app.server_now()).year();

    // Fixing a form: the same id, sent again.
    let editing = from_query(app, "edit").filter(LocalApplication::can_fix);
    let prefill = RwSignal::new(None::<Prefill>);
    match editing.as_ref().map(|a| (&a.pending, &a.filed)) {
        Some((Some(ApplicationForm::BackPayment(f)), _)) => {
            person.name.set(f.name.clone());
            person.id_number.set(f.id_number.clone());
            years.set(f.years.iter().copied().collect());
            tier.set(Some(f.tier));
        }
        Some((_, Some(Filed::BackPayment(v)))) => {
            years.set(v.years.iter().copied().collect());
            tier.set(Some(v.tier));
            prefill.set(Some(Prefill::Loading));
            let id = v.id;
            spawn_local(async move {
                let form = match app.token() {
                    Some(token) => api::back_payment_form(&token, id).await.ok(),
                    None => None,
                };
                let Some(f) = form else {
                    prefill.set(Some(Prefill::Offline));
                    return;
                };
                if person.name.with_untracked(String::is_empty) {
                    person.name.set(f.name);
                }
                if person.id_number.with_untracked(String::is_empty) {
                    person.id_number.set(f.id_number);
                }
                prefill.set(None);
            });
        }
        _ => {}
    }

    let offered = Memo::new(move |_| {
        person.id().map(|id| {
            back_payable_years(
                |y| rules::builtin().lookup(DEFAULT_REGION, y).ok(),
                id.birth_date(),
                this_year,
            )
        })
    });
    // Years that are no longer offered (the ID changed) are not sent.
    let chosen = move || -> Vec<i32> {
        let offered = offered.get().unwrap_or_default();
        years.with(|y| y.iter().copied().filter(|y| offered.contains(y)).collect())
    };
    let total = move || {
        let n = chosen().len();
        let tier = tier.get()?;
        let sum = tier.money().checked_mul(n as u32).ok()?;
        (n > 0).then(|| apply::times_years(tier, n, sum))
    };
    let years_error = Signal::derive(move || {
        (touched.get() && chosen().is_empty()).then(|| ta().choose_years.to_owned())
    });
    let tier_error = Signal::derive(move || {
        (touched.get() && tier.get().is_none()).then(|| ta().choose_tier.to_owned())
    });
    let toggle = move |y: i32| {
        years.update(|set| {
            if !set.remove(&y) {
                set.insert(y);
            }
        })
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        let checked = person.checked();
        let (Some((name, id)), Some(tier), years) = (checked, tier.get_untracked(), chosen())
        else {
            return;
        };
        if years.is_empty() {
            return;
        }
        let form = ApplicationForm::BackPayment(BackPaymentForm {
            id: editing.as_ref().map_or_else(clock::new_id, |a| a.id),
            name: name.as_str().to_owned(),
            id_number: id.as_str().to_owned(),
            years,
            tier,
            revision: editing.as_ref().map_or(0, LocalApplication::next_revision),
        });
        let record = match &editing {
            Some(earlier) => earlier.fixed(form, name.masked(), id.masked()),
            None => LocalApplication::prepared(form, name.masked(), id.masked(), app.server_now()),
        };
        save_and_show(sync, record, failure, navigate.clone());
    };

    let tiers = app.policy().tiers;
    view! {
        <section class="page page--narrow">
            <h1 tabindex="-1">{move || ta().back_form_title}</h1>
            {crate::voice::read_aloud(crate::i18n::voice::back_pay_form)}
            <p class="lead">{move || ta().back_form_intro}</p>
            <p class="explain">{move || ta().back_window_note}</p>
            {move || prefill.get().map(|p| match p {
                Prefill::Loading => view! { <p class="muted">{move || ta().prefill_loading}</p> }.into_any(),
                Prefill::Offline => view! { <p class="callout" data-testid="back-retype">{move || ta().prefill_offline}</p> }.into_any(),
            })}
            <form on:submit=submit novalidate>
                <PersonFields person=person testids=("back-name", "back-id-number", "back-id-ok") />
                <fieldset class="choices" data-testid="back-years">
                    <legend>{move || ta().years}</legend>
                    <p class="field__hint">{move || ta().back_years_hint}</p>
                    {move || match offered.get() {
                        None => view! { <p class="muted">{move || ta().back_years_need_id}</p> }.into_any(),
                        Some(list) if list.is_empty() => {
                            view! { <p class="callout">{move || ta().back_years_none}</p> }.into_any()
                        }
                        Some(list) => list
                            .into_iter()
                            .map(|y| {
                                let on = move || years.with(|s| s.contains(&y));
                                view! {
                                    <label class="choice" class:choice--on=on>
                                        <input
                                            type="checkbox"
                                            data-testid="back-year"
                                            value=y.to_string()
                                            prop:checked=on
                                            on:change=move |_| toggle(y)
                                        />
                                        <span>{i18n::year(y)}</span>
                                    </label>
                                }
                            })
                            .collect_view()
                            .into_any(),
                    }}
                    <p class="field__error" aria-live="polite">{move || years_error.get()}</p>
                </fieldset>
                <fieldset class="choices" data-testid="back-tiers">
                    <legend>{move || ta().back_tier}</legend>
                    {tiers
                        .into_iter()
                        .map(|rule| {
                            let amount = rule.amount;
                            let on = move || tier.get() == Some(amount);
                            view! {
                                <label class="choice" class:choice--on=on>
                                    <input
                                        type="radio"
                                        name="back-tier"
                                        data-testid="back-tier"
                                        value=amount.to_string()
                                        prop:checked=on
                                        on:change=move |_| tier.set(Some(amount))
                                    />
                                    <span>{move || i18n::per_year(amount)}</span>
                                    {rule.restriction.map(|_| view! { <small class="muted">{fixed(|s| s.tier_restricted)}</small> })}
                                </label>
                            }
                        })
                        .collect_view()}
                    <p class="field__error" aria-live="polite">{move || tier_error.get()}</p>
                </fieldset>
                <p class="confirm__total" data-testid="back-total">
                    {move || total().map(|text| format!("{}：{text}", ta().back_total))}
                </p>
                <p class="small muted">{move || ta().no_subsidy}</p>
                <ErrorText message=failure testid="back-save-error" />
                <button type="submit" class="button button--primary button--block" data-testid="back-submit">
                    {move || ta().submit_form}
                </button>
            </form>
        </section>
    }
}
