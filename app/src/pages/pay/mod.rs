//! 缴费, one decision per screen: choose people → a tier for each (only the tiers the server
//! lists for that person) → a card → confirm (masked name and ID, year, tier, card) → pay.
//! "Pay" stores the intents on the phone first (待提交), then asks the sync engine to send
//! ([`confirm`]). Under the tiers, what each brings (养老金测算, [`estimate`]).

mod confirm;
mod estimate;

use crate::routing::use_query_map;
use crate::routing::A;
use leptos::prelude::*;
use uuid::Uuid;
use yanglao_shared::window::WindowState;

use super::RequireSession;
use crate::clock;
use crate::components::SandboxNote;
use crate::i18n::{self, fixed, voice};
use crate::model::LocalPayee;
use crate::rules;
use crate::state::{use_app, AppState, PayDraft, PayStep};
use crate::voice::read_aloud;

/// The decisions of a payment: people, tier, card, confirm.
const STEPS: usize = 4;

#[component]
pub fn Pay() -> impl IntoView {
    view! {
        <RequireSession>
            <Wizard />
        </RequireSession>
    }
}

#[component]
fn Wizard() -> impl IntoView {
    let app = use_app();
    let query = use_query_map();
    // "为TA缴费" from a person's page starts with that person chosen.
    // Only when it is a new choice: coming back to this page must not throw away the steps
    // already taken.
    let preselect = query.with_untracked(|q| q.get("payee").and_then(|s| Uuid::parse_str(&s).ok()));
    if let Some(id) = preselect.filter(|id| app.draft.with_untracked(|d| d.people != [*id])) {
        app.draft.set(PayDraft {
            people: vec![id],
            step: PayStep::Tier(0),
            ..PayDraft::default()
        });
    }
    // Memos: the screen is rebuilt when the step or the window changes, not on every sync
    // or every tick of a checkbox (which would move the keyboard focus away).
    let open_year = Memo::new(move |_| match app.window().state {
        WindowState::Open { year, .. } => Some(year),
        _ => None,
    });
    let step = Memo::new(move |_| app.draft.with(|d| d.step));
    // `data-step` numbers the screens (one tier screen per person) so a test can wait for
    // the next one; the words count the four decisions, whose total never changes mid-flow
    // however many people are chosen (the tier step says whose turn it is).
    let step_number = move || {
        let people = app.draft.with(|d| d.people.len());
        match step.get() {
            PayStep::People => 1,
            PayStep::Tier(i) => 2 + i,
            PayStep::Card => people + 2,
            PayStep::Confirm => people + 3,
        }
    };
    let step_text = move || {
        let people = app.draft.with(|d| d.people.len());
        match step.get() {
            PayStep::People => i18n::step_of(1, STEPS),
            PayStep::Tier(i) if people > 1 => {
                format!("{} · {}/{people}", i18n::step_of(2, STEPS), i + 1)
            }
            PayStep::Tier(_) => i18n::step_of(2, STEPS),
            PayStep::Card => i18n::step_of(3, STEPS),
            PayStep::Confirm => i18n::step_of(STEPS, STEPS),
        }
    };
    // Each step is built again in the other language (what was chosen lives in the draft).
    move || {
        i18n::track_lang();
        let Some(year) = open_year.get() else {
            return view! {
                <section class="page">
                    <h1 tabindex="-1">{fixed(|s| s.pay_title)}</h1>
                    <p class="explain" data-testid="pay-window-shut">{fixed(|s| s.window_shut)}</p>
                    <A href="/guide">{fixed(|s| s.missed_link)}</A>
                </section>
            }
            .into_any();
        };
        let body = match step.get() {
            PayStep::People => view! { <ChoosePeople year /> }.into_any(),
            PayStep::Tier(i) => view! { <ChooseTier index=i year /> }.into_any(),
            PayStep::Card => view! { <ChooseCard /> }.into_any(),
            PayStep::Confirm => view! { <confirm::Confirm year /> }.into_any(),
        };
        view! {
            <section class="page">
                <p class="step" data-testid="pay-step" data-step=step_number>{step_text}</p>
                {body}
            </section>
        }
        .into_any()
    }
}

fn go(app: AppState, step: PayStep) {
    app.draft.update(|d| d.step = step);
}

#[component]
fn ChoosePeople(year: i32) -> impl IntoView {
    let app = use_app();
    let payable: Vec<LocalPayee> = app.data.with_untracked(|d| {
        d.payees
            .iter()
            .filter(|p| rules::payable(&rules::payee_status(p, &d.intents, year)))
            .cloned()
            .collect()
    });
    let chosen = move |id: Uuid| app.draft.with(|d| d.people.contains(&id));
    let toggle = move |id: Uuid| {
        app.draft.update(|d| {
            if let Some(at) = d.people.iter().position(|p| *p == id) {
                d.people.remove(at);
            } else {
                d.people.push(id);
            }
        })
    };
    let none = payable.is_empty();
    let names: Vec<String> = payable.iter().map(|p| p.name_masked.clone()).collect();
    view! {
        <h1 tabindex="-1">{fixed(|s| s.step_people)}</h1>
        {read_aloud(move || voice::pay_people(&names))}
        {none.then(|| view! {
            <p class="empty" data-testid="pay-none">{fixed(|s| s.none_payable)}</p>
            <A href="/" attr:class="button">{fixed(|s| s.go_home)}</A>
        })}
        <fieldset class="choices" class:hidden=none>
            <legend class="visually-hidden">{fixed(|s| s.step_people)}</legend>
            {payable
                .into_iter()
                .map(|p| {
                    let id = p.id;
                    view! {
                        <label class="choice" class:choice--on=move || chosen(id)>
                            <input
                                type="checkbox"
                                data-testid="pay-person"
                                data-payee-id=id.to_string()
                                prop:checked=move || chosen(id)
                                on:change=move |_| toggle(id)
                            />
                            <span class="person-name">{p.name_masked.clone()}</span>
                            <crate::components::LabelTag label=p.label_text().map(str::to_owned) />
                            <span class="muted id-masked">{p.id_masked.clone()}</span>
                        </label>
                    }
                })
                .collect_view()}
        </fieldset>
        <div class="actions" class:hidden=none>
            <button
                type="button"
                class="button button--primary button--block"
                data-testid="pay-next"
                disabled=move || app.draft.with(|d| d.people.is_empty())
                on:click=move |_| go(app, PayStep::Tier(0))
            >
                {fixed(|s| s.next)}
            </button>
        </div>
    }
}

#[component]
fn ChooseTier(index: usize, year: i32) -> impl IntoView {
    let app = use_app();
    let person_id = app.draft.with_untracked(|d| d.people.get(index).copied());
    let person = person_id.and_then(|id| {
        app.data
            .with_untracked(|d| d.payees.iter().find(|p| p.id == id).cloned())
    });
    let Some(person) = person else {
        go(app, PayStep::People);
        return ().into_any();
    };
    let id = person.id;
    let chosen = move || app.draft.with(|d| d.tiers.get(&id).copied());
    let people = app.draft.with_untracked(|d| d.people.len());
    let next = if index + 1 < people {
        PayStep::Tier(index + 1)
    } else {
        PayStep::Card
    };
    let back = if index == 0 {
        PayStep::People
    } else {
        PayStep::Tier(index - 1)
    };
    let said = person.clone();
    let spoken = move || {
        let tiers: Vec<_> = said.tiers().iter().map(|r| r.amount).collect();
        let chosen = chosen();
        let estimate = crate::rules::estimate::for_payee(&app.policy(), &said, year);
        let row = estimate
            .as_ref()
            .and_then(|e| e.rows.iter().find(|p| Some(p.tier) == chosen));
        voice::pay_tier(&said.name_masked, &tiers, chosen, row)
    };
    view! {
        <h1 tabindex="-1">{i18n::choose_tier_for(&i18n::people::with_label(&person.name_masked, person.label_text()))}</h1>
        {read_aloud(spoken)}
        <p class="muted">{fixed(|s| s.tier_note)}</p>
        <div class="tiers" role="group" aria-label=i18n::choose_tier_for(&person.name_masked)>
            {person
                .tiers()
                .iter()
                .map(|rule| {
                    let amount = rule.amount;
                    let restricted = rule.restriction.is_some();
                    view! {
                        <button
                            type="button"
                            class="tier"
                            class:tier--on=move || chosen() == Some(amount)
                            aria-pressed=move || if chosen() == Some(amount) { "true" } else { "false" }
                            data-testid="tier-option"
                            data-amount=amount.to_string()
                            on:click=move |_| app.draft.update(|d| {
                                d.tiers.insert(id, amount);
                            })
                        >
                            <span class="tier__amount">{i18n::per_year(amount)}</span>
                            {restricted.then(|| view! { <span class="tier__note">{fixed(|s| s.tier_restricted)}</span> })}
                        </button>
                    }
                })
                .collect_view()}
        </div>
        <estimate::TierEstimates person=person.clone() year />
        <div class="actions">
            <button type="button" class="button" data-testid="pay-back" on:click=move |_| go(app, back)>{fixed(|s| s.prev)}</button>
            <button
                type="button"
                class="button button--primary"
                data-testid="pay-next"
                disabled=move || chosen().is_none()
                on:click=move |_| go(app, next)
            >
                {fixed(|s| s.next)}
            </button>
        </div>
    }
    .into_any()
}

#[component]
fn ChooseCard() -> impl IntoView {
    let app = use_app();
    let methods: Vec<_> = app
        .data
        .with_untracked(|d| d.methods.iter().filter(|m| !m.removed).cloned().collect());
    // The first card is chosen unless the person chose otherwise.
    if app.draft.with_untracked(|d| d.method.is_none()) {
        if let Some(first) = methods.first() {
            app.draft.update(|d| d.method = Some(first.id));
        }
    }
    let chosen = move || app.draft.with(|d| d.method);
    let sandbox = methods.iter().any(|m| m.sandbox);
    let last_tier = app
        .draft
        .with_untracked(|d| d.people.len().saturating_sub(1));
    let to_confirm = move |_| {
        app.draft.update(|d| {
            for person in &d.people {
                d.intent_ids.entry(*person).or_insert_with(clock::new_id);
            }
            d.step = PayStep::Confirm;
        })
    };
    let said = methods.clone();
    let spoken = move || {
        let method = chosen().and_then(|id| said.iter().find(|m| m.id == id));
        let card = method.map(|m| (m.bank.as_str(), m.last_four.as_str()));
        voice::pay_card(card, method.is_some_and(|m| m.sandbox))
    };
    view! {
        <h1 tabindex="-1">{fixed(|s| s.step_card)}</h1>
        {read_aloud(spoken)}
        {methods.is_empty().then(|| view! { <p class="empty">{fixed(|s| s.no_cards)}</p> })}
        <div class="choices" role="group" aria-label=fixed(|s| s.step_card)>
            {methods
                .into_iter()
                .map(|m| {
                    let id = Some(m.id);
                    view! {
                        <button
                            type="button"
                            class="choice"
                            class:choice--on=move || chosen() == id
                            aria-pressed=move || if chosen() == id { "true" } else { "false" }
                            data-testid="card-option"
                            on:click=move |_| app.draft.update(|d| d.method = id)
                        >
                            {i18n::card_label(&m.bank, &m.last_four)}
                        </button>
                    }
                })
                .collect_view()}
            <button
                type="button"
                class="choice"
                class:choice--on=move || chosen().is_none()
                aria-pressed=move || if chosen().is_none() { "true" } else { "false" }
                data-testid="card-later"
                on:click=move |_| app.draft.update(|d| d.method = None)
            >
                {fixed(|s| s.no_card_now)}
            </button>
        </div>
        {sandbox.then(|| view! { <SandboxNote /> })}
        <A href="/cards?return=pay" attr:class="button" attr:data-testid="pay-bind-card">{fixed(|s| s.bind_new_card)}</A>
        <div class="actions">
            <button type="button" class="button" data-testid="pay-back" on:click=move |_| go(app, PayStep::Tier(last_tier))>{fixed(|s| s.prev)}</button>
            <button type="button" class="button button--primary" data-testid="pay-next" on:click=to_confirm>{fixed(|s| s.next)}</button>
        </div>
    }
}
