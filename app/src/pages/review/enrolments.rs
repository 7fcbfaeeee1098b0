//! 参保登记审核: the village assistant checks the materials (户口簿, ID card, proof of severe
//! disability when claimed) and approves or returns with a reason; the town center enters the
//! approved ones on the roster or returns them. Each sees the forms of their own area only,
//! with the person's full name and ID number to compare with the papers.

use crate::routing::A;
use leptos::prelude::*;
use leptos::task::spawn_local;
use yanglao_shared::applications::{
    return_reason, Checklist, EnrolmentState, EnrolmentView, TownReview, VillageCheck,
};
use yanglao_shared::wire::StaffRole;

use super::{decision_error, person_line, queue, role, QueueLists};
use crate::api;
use crate::applications::Status;
use crate::i18n::{self, apply, ta};
use crate::pages::{ErrorText, RequireSession};
use crate::state::{use_app, AppState};
use crate::store::keys;

#[component]
pub fn ReviewEnrolments() -> impl IntoView {
    view! {
        <RequireSession>
            <ReviewPage />
        </RequireSession>
    }
}

/// Whose move it is: the village checks what was submitted, the town enters what the
/// village approved (an administrator looks on).
fn acts_on(role: Option<StaffRole>) -> Option<EnrolmentState> {
    match role {
        Some(StaffRole::Village) => Some(EnrolmentState::Submitted),
        Some(StaffRole::Town) => Some(EnrolmentState::VillageApproved),
        _ => None,
    }
}

fn waits_on(role: Option<StaffRole>, view: &EnrolmentView) -> bool {
    acts_on(role).is_some_and(|s| s == view.state)
}

#[component]
fn ReviewPage() -> impl IntoView {
    let app = use_app();
    let role = role(app);
    // Only what this role acts on travels: a town's whole history can be long, and the
    // network weak. What is decided here stays on screen, under 其他申请.
    let fetch = move |token: String| async move {
        api::staff_enrolments(&token, acts_on(role.get_untracked())).await
    };
    let queue = queue(app, keys::STAFF_ENROLMENTS, fetch, move |v| {
        waits_on(role.get(), v)
    });
    let task = Callback::new(move |v: EnrolmentView| {
        view! { <Task item=v role=role.get_untracked() decided=queue.decided /> }.into_any()
    });
    view! {
        <section class="page review">
            <h1 tabindex="-1">{move || ta().review_enrol_title}</h1>
            <Show when=move || role.get() == Some(StaffRole::Village)>
                <A href="/apply/enrol" attr:class="button" attr:data-testid="enter-for-resident">{move || ta().enter_for}</A>
            </Show>
            <QueueLists queue task summary=|v: &EnrolmentView| summary(v).into_any() />
        </section>
    }
}

/// Who, where, what is claimed, and the state: enough to recognise the form.
fn summary(v: &EnrolmentView) -> impl IntoView {
    let t = ta();
    let (class, words) = apply::status(&Status::Enrolment(v.state));
    view! {
        <div class="list__row">
            <span class="list__main">
                {person_line(v.full.as_ref(), &v.name_masked, &v.id_masked)}
            </span>
            <span class=format!("chip chip--{class}") data-testid="review-status" data-state=v.state.as_str()>{words}</span>
        </div>
        <p class="muted">
            {format!("{} {} · {}：{}", v.town, v.village, t.mobile, v.mobile_masked)}
            {v.severely_disabled.then(|| format!(" · {}", t.claims_disabled))}
        </p>
        <p class="small muted">{move || crate::i18n::tr().prepared_at}{i18n::date_time(v.submitted_at)}</p>
    }
}

#[component]
fn Task(
    item: EnrolmentView,
    role: Option<StaffRole>,
    decided: Callback<EnrolmentView>,
) -> impl IntoView {
    let app = use_app();
    let village = role == Some(StaffRole::Village);
    let household = RwSignal::new(false);
    let id_card = RwSignal::new(false);
    let disability = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let id = item.id;
    let claims = item.severely_disabled;
    let shown = item.clone();

    let decide = move |approve: bool| {
        let reason_text = reason.get_untracked();
        if !approve && return_reason(Some(&reason_text)).is_none() {
            error.set(Some(ta().reason_needed.to_owned()));
            return;
        }
        let reason = (!approve).then_some(reason_text);
        let checklist = Checklist {
            household_register: household.get_untracked(),
            id_card: id_card.get_untracked(),
            disability_proof: disability.get_untracked(),
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let answer = send(app, village, id, checklist, approve, reason).await;
            busy.set(false);
            match answer {
                Ok(now) => decided.run(now),
                Err(e) => error.set(Some(decision_error(app, &e))),
            }
        });
    };
    let materials = village.then(|| {
        let tick = move |label: fn() -> &'static str, testid: &'static str, on: RwSignal<bool>| {
            view! {
                <label class="choice" class:choice--on=move || on.get()>
                    <input type="checkbox" data-testid=testid prop:checked=move || on.get()
                        on:change:target=move |ev| on.set(ev.target().checked()) />
                    <span>{label}</span>
                </label>
            }
        };
        view! {
            <fieldset class="choices">
                <legend>{move || ta().materials}</legend>
                {tick(|| ta().mat_household, "check-household", household)}
                {tick(|| ta().mat_id_card, "check-id-card", id_card)}
                {claims.then(|| tick(|| ta().mat_disability, "check-disability", disability))}
            </fieldset>
        }
    });
    let approve_label = move || {
        if village {
            ta().approve_village
        } else {
            ta().approve_town
        }
    };
    view! {
        <li class="list__item review-task" data-testid="review-item" data-id=id.to_string()>
            {move || summary(&shown)}
            {materials}
            <label class="field">
                <span>{move || ta().return_reason_label}</span>
                <textarea rows="2" maxlength="200" data-testid="review-reason"
                    prop:value=move || reason.get()
                    on:input:target=move |ev| reason.set(ev.target().value())></textarea>
            </label>
            <ErrorText message=error testid="review-item-error" />
            <div class="actions">
                <button type="button" class="button button--primary" data-testid="review-approve"
                    disabled=move || busy.get() on:click=move |_| decide(true)>{approve_label}</button>
                <button type="button" class="button" data-testid="review-return"
                    disabled=move || busy.get() on:click=move |_| decide(false)>{move || ta().return_it}</button>
            </div>
        </li>
    }
}

async fn send(
    app: AppState,
    village: bool,
    id: uuid::Uuid,
    checklist: Checklist,
    approve: bool,
    reason: Option<String>,
) -> Result<EnrolmentView, api::ApiError> {
    let Some(token) = app.token() else {
        app.needs_login.set(true);
        return Err(api::ApiError::Unauthorized(
            crate::i18n::tr().relogin.to_owned(),
        ));
    };
    if village {
        let check = VillageCheck {
            checklist,
            approve,
            reason,
        };
        api::village_check(&token, id, &check).await
    } else {
        api::town_review(&token, id, &TownReview { approve, reason }).await
    }
}
