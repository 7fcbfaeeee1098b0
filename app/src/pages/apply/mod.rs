//! 参保登记和补缴申请: the applicant's applications, newest first, each with its status chip,
//! its steps (done, current, stopped, to come) and what the person can do next: edit or delete
//! a form never sent, fix and send again one that was returned, or add the newly enrolled
//! person to pay for (said as done once they are among this account's payees).

pub mod back_pay;
pub mod enrol;
mod place;

use crate::routing::A;
use leptos::prelude::*;
use leptos::task::spawn_local;
use yanglao_shared::applications::{
    BackPaymentState, BackPaymentView, EnrolmentState, EnrolmentView,
};

use super::RequireSession;
use crate::applications::{newest_first, Change, Filed, Kind, LocalApplication, Mark, Status};
use crate::i18n::{self, apply, ta};
use crate::state::{use_app, AppState};
use crate::sync::{use_sync, SyncEngine};

#[component]
pub fn Applications() -> impl IntoView {
    view! {
        <RequireSession>
            <ApplicationsPage />
        </RequireSession>
    }
}

#[component]
fn ApplicationsPage() -> impl IntoView {
    let app = use_app();
    // Opening the screen asks the server where each application stands.
    let sync = use_sync();
    sync.refresh_applications();
    let apps = move || {
        let mut apps = app.data.with(|d| d.applications.clone());
        newest_first(&mut apps);
        apps
    };
    view! {
        <section class="page applications">
            <h1 tabindex="-1">{move || ta().apps_title}</h1>
            {crate::voice::read_aloud(move || i18n::voice::applications_of(&apps()))}
            <p class="lead">{move || ta().apps_intro}</p>
            <div class="actions">
                <A href="/apply/enrol" attr:class="button button--primary" attr:data-testid="new-enrolment">{move || ta().new_enrol}</A>
                <A href="/apply/back-pay" attr:class="button" attr:data-testid="new-back-payment">{move || ta().new_back_pay}</A>
            </div>
            <button type="button" class="button button--quiet" on:click=move |_| sync.refresh_applications()>
                {move || ta().refresh}
            </button>
            // The cards hold no input (fixing opens the form): built again in the other language.
            {move || {
                i18n::track_lang();
                let apps = apps();
                if apps.is_empty() {
                    view! { <p class="empty">{move || ta().apps_empty}</p> }.into_any()
                } else {
                    view! {
                        <ul class="list" data-testid="application-list">
                            {apps.into_iter().map(|a| view! { <ApplicationCard record=a /> }).collect_view()}
                        </ul>
                    }
                    .into_any()
                }
            }}
        </section>
    }
}

#[component]
fn ApplicationCard(record: LocalApplication) -> impl IntoView {
    let sync = use_sync();
    let app = use_app();
    let t = ta();
    let status = record.status();
    let (class, words) = apply::status(&status);
    let kind = match record.kind {
        Kind::Enrolment => t.kind_enrol,
        Kind::BackPayment => t.kind_back,
    };
    // A refusal of the latest sending, and what the server has (a return reason, a slip).
    let refused = match &status {
        Status::Refused(message) => Some(view! {
            <p class="callout" role="alert" data-testid="application-refused">{message.clone()}</p>
        }),
        _ => None,
    };
    let added = record.payee_added(
        app.data
            .with_untracked(|d| {
                d.payees
                    .iter()
                    .map(|p| (p.name_masked.clone(), p.id_masked.clone()))
                    .collect::<Vec<_>>()
            })
            .iter()
            .map(|(n, i)| (n.as_str(), i.as_str())),
    );
    let details = match &record.filed {
        Some(Filed::Enrolment(v)) => enrolment_details(v, added).into_any(),
        Some(Filed::BackPayment(v)) => back_details(v).into_any(),
        None => ().into_any(),
    };
    let id = record.id;
    let fix_href = match record.kind {
        Kind::Enrolment => format!("/apply/enrol?edit={id}"),
        Kind::BackPayment => format!("/apply/back-pay?edit={id}"),
    };
    let change_label = match record.change() {
        Some(Change::EditQueued) => Some(t.edit_queued),
        Some(Change::FixAndResend) => Some(t.fix),
        None => None,
    };
    let discard = move |_| {
        let sure = window()
            .confirm_with_message(ta().discard_confirm)
            .unwrap_or(false);
        if sure {
            spawn_local(discard_application(sync, id));
        }
    };
    view! {
        <li class="list__item application" data-testid="application" data-id=id.to_string() data-state=class>
            <div class="list__row">
                <span class="list__main">
                    <strong>{kind}</strong>" "
                    <span class="person-name">{record.name_masked.clone()}</span>" "
                    <span class="muted id-masked">{record.id_masked.clone()}</span>
                </span>
                <span class=format!("chip chip--{class}") data-testid="application-status" data-state=class>{words}</span>
            </div>
            {refused}
            {details}
            <ol class="timeline" data-testid="application-steps">
                {record.steps().into_iter().map(|s| {
                    let mark = match s.mark {
                        Mark::Done => "done",
                        Mark::Now => "now",
                        Mark::Problem => "problem",
                        Mark::Todo => "todo",
                    };
                    view! {
                        <li class=format!("timeline__step timeline__step--{mark}") data-mark=mark>
                            <span>{apply::step(s.name)}</span>
                            {s.at.filter(|_| s.mark != Mark::Todo).map(|at| view! { <small class="muted">{i18n::date_time(at)}</small> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
            <div class="actions">
                {change_label.map(|label| view! {
                    <A href=fix_href attr:class="button" attr:data-testid="application-fix">{label}</A>
                })}
                {record.can_discard().then(|| view! {
                    <button type="button" class="button button--quiet" data-testid="application-discard" on:click=discard>{move || ta().discard}</button>
                })}
            </div>
        </li>
    }
}

fn enrolment_details(v: &EnrolmentView, added: bool) -> impl IntoView {
    let t = ta();
    let reason = (v.state == EnrolmentState::Returned)
        .then(|| v.return_reason.clone())
        .flatten();
    let enrolled = v.state == EnrolmentState::Enrolled;
    let id = v.id;
    let (app, navigate) = (use_app(), crate::routing::use_navigate());
    let next = match (enrolled, added) {
        (false, _) => ().into_any(),
        (true, true) => view! {
            <p class="explain" data-testid="application-payee-added">{move || ta().added_payee}</p>
        }
        .into_any(),
        (true, false) => view! {
            <p class="explain">{move || ta().now_enrolled}</p>
            <button type="button" class="button button--primary button--block" data-testid="application-add-payee"
                on:click=move |_| spawn_local(add_as_payee(app, id, navigate.clone()))>
                {move || ta().add_to_pay}
            </button>
        }
        .into_any(),
    };
    view! {
        <p class="muted">{format!("{} {}", v.town, v.village)}
            {v.severely_disabled.then(|| format!(" · {}", t.claims_disabled))}</p>
        {reason.map(|r| view! {
            <p class="callout" role="alert" data-testid="application-return-reason">{move || ta().return_reason}{r}</p>
        })}
        {next}
    }
}

/// Opens 新增缴费人员 filled in from the enrolment as filed (fetched now, held in memory for
/// that form only); offline it opens empty and says why.
async fn add_as_payee(
    app: AppState,
    id: uuid::Uuid,
    navigate: impl Fn(&str, crate::routing::NavigateOptions),
) {
    let form = match app.token() {
        Some(token) => crate::api::enrolment_form(&token, id).await.ok(),
        None => None,
    };
    match form {
        Some(f) => crate::pages::add_payee::prefill(f.name, f.id_number),
        None => app.say_on("/payees/new", ta().prefill_offline),
    }
    navigate("/payees/new", Default::default());
}

fn back_details(v: &BackPaymentView) -> impl IntoView {
    let t = ta();
    let slip = v.slip_no.clone().map(|no| {
        let amount = v.amount.map(i18n::yuan).unwrap_or_default();
        let years = apply::years(&v.slip_years);
        view! {
            <dl class="facts facts--tight slip" data-testid="application-slip">
                <dt>{move || ta().slip_no}</dt><dd class="slip__no" data-testid="slip-no">{no}</dd>
                <dt>{move || ta().slip_years}</dt><dd data-testid="slip-years">{years}</dd>
                <dt>{move || ta().amount_due}</dt><dd data-testid="slip-amount">{amount}</dd>
            </dl>
        }
    });
    let returned = v.return_reason.clone().map(|r| {
        view! { <p class="callout" role="alert" data-testid="application-return-reason">{move || ta().return_reason}{r}</p> }
    });
    // With a slip, the refusals are the years left off it; otherwise why it was returned.
    let refusals_title = if v.slip_no.is_some() {
        t.left_off
    } else {
        t.refusals
    };
    let to_bank = (v.state == BackPaymentState::SlipIssued)
        .then(|| view! { <p class="explain">{move || ta().slip_go_bank}</p> });
    let receipt = v.bank_receipt_no.clone().map(|no| {
        view! {
            <p data-testid="application-bank-receipt">{move || ta().bank_receipt}": "{no}</p>
        }
    });
    let refusals = (!v.refusals.is_empty()).then(|| {
        view! {
            <div class="callout" role="alert" data-testid="application-refusals">
                <p>{refusals_title}</p>
                <ul>{v.refusals.iter().map(|r| view! { <li>{i18n::reason(r)}</li> }).collect_view()}</ul>
            </div>
        }
    });
    view! {
        <p class="muted">{format!("{}：{} · {}：{}", t.years, apply::years(&v.years), t.tier, i18n::per_year(v.tier))}</p>
        {slip}
        {to_bank}
        {receipt}
        {refusals}
        {returned}
        <p class="small muted">{move || ta().no_subsidy}</p>
    }
}

async fn discard_application(sync: SyncEngine, id: uuid::Uuid) {
    let deleted = sync
        .write(|store| async move { store.delete_application(id).await })
        .await;
    if let Err(e) = deleted {
        sync.app().say(e);
    }
}

/// Keeps a prepared (or fixed) form on the phone, asks for a sync, and goes back to the list,
/// where its state (待提交, then the server's steps) shows. `failure` hears of a storage error.
fn save_and_show(
    sync: SyncEngine,
    record: LocalApplication,
    failure: RwSignal<Option<String>>,
    navigate: impl Fn(&str, crate::routing::NavigateOptions) + 'static,
) {
    let id = record.id;
    spawn_local(async move {
        let saved = sync
            .record(|store| async move { store.file_application(&record).await })
            .await;
        if let Err(e) = saved {
            failure.set(Some(e));
            return;
        }
        // About this form waiting on the phone: it goes once the form is sent.
        sync.app()
            .say_while("/apply", ta().saved_waiting, move |d| {
                d.applications
                    .iter()
                    .any(|a| a.id == id && a.to_send().is_some())
            });
        navigate("/apply", Default::default());
    });
}

/// The application named by `?edit=` in the address, if this phone has it.
fn from_query(app: AppState, key: &str) -> Option<LocalApplication> {
    let query = crate::routing::use_query_map();
    let id = query.with_untracked(|q| q.get(key).and_then(|s| uuid::Uuid::parse_str(&s).ok()))?;
    app.data
        .with_untracked(|d| d.applications.iter().find(|a| a.id == id).cloned())
}
