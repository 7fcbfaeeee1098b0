//! The staff steps of enrolment (参保登记): the village assistant's material check (approve or
//! return with a reason) and the town center's review, which puts the person on the roster.
//! Each step asks `EnrolmentState::transition` before it writes, and writes its audit entry
//! (before and after) in the step's own transaction.

use uuid::Uuid;
use yanglao_shared::applications::{
    return_reason, EnrolmentEvent, EnrolmentView, TownReview, VillageCheck,
};

use super::{already_enrolled, audit_json, id_number_of, view, Shown};
use crate::app::AppState;
use crate::roster;
use crate::service::{ServiceError, ServiceResult};
use crate::staff::audit;
use crate::staff::roles::{Role, Staff};
use crate::storage::enrolments::{self, Enrolment};
use crate::storage::{WriteTx, UNSTAMPED};

fn wrong_state() -> ServiceError {
    ServiceError::conflict("wrong_state", "这份登记表当前不在这一步，请刷新后再看")
}

fn reason_required() -> ServiceError {
    ServiceError::invalid("reason_required", "退回时请写明原因（2至200字）")
}

async fn load(tx: &mut WriteTx, id: Uuid) -> ServiceResult<Enrolment> {
    enrolments::load(tx, id)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// The village assistant of the form's village approves it (every material seen) or returns
/// it with a reason.
pub async fn village_check(
    state: &AppState,
    staff: &Staff,
    id: Uuid,
    check: &VillageCheck,
) -> ServiceResult<EnrolmentView> {
    let mut tx = state.db.begin_write().await?;
    tx.serialize(&format!("enrolment:{id}")).await?;
    let row = load(&mut tx, id).await?;
    staff.acts_in(Role::Village, &row.form.town, &row.form.village)?;
    let (event, reason, action) = if check.approve {
        let missing = check.checklist.missing(row.form.severely_disabled);
        if !missing.is_empty() {
            return Err(ServiceError::invalid(
                "materials_missing",
                format!("材料不全，还缺：{}", missing.join("、")),
            ));
        }
        (
            EnrolmentEvent::VillageApproves,
            None,
            "enrolment_village_approve",
        )
    } else {
        let reason = return_reason(check.reason.as_deref()).ok_or_else(reason_required)?;
        (
            EnrolmentEvent::VillageReturns,
            Some(reason),
            "enrolment_village_return",
        )
    };
    let next = row.state.transition(event).map_err(|_| wrong_state())?;
    let now = state.clock.now_ms();
    enrolments::village_checked(&mut tx, id, next, reason.as_deref(), &check.checklist, now)
        .await?;
    finish(tx, staff, action, row, now).await
}

/// The town center of the form's town returns it with a reason, or enters it: the person
/// joins the roster, and payers who added them before now see them verified.
pub async fn town_review(
    state: &AppState,
    staff: &Staff,
    id: Uuid,
    review: &TownReview,
) -> ServiceResult<EnrolmentView> {
    let mut tx = state.db.begin_write().await?;
    tx.serialize(&format!("enrolment:{id}")).await?;
    let row = load(&mut tx, id).await?;
    staff.acts_in(Role::Town, &row.form.town, &row.form.village)?;
    let event = match review.approve {
        true => EnrolmentEvent::TownEnters,
        false => EnrolmentEvent::TownReturns,
    };
    let next = row.state.transition(event).map_err(|_| wrong_state())?;
    let now = state.clock.now_ms();
    if !review.approve {
        let reason = return_reason(review.reason.as_deref()).ok_or_else(reason_required)?;
        enrolments::town_returned(&mut tx, id, next, &reason, now).await?;
        return finish(tx, staff, "enrolment_town_return", row, now).await;
    }
    // The roster may have learnt of the person (an import) since the form was filed.
    if roster::by_id_number(&mut tx, &id_number_of(&row.form)?)
        .await?
        .is_some()
    {
        return Err(already_enrolled());
    }
    let resident_id = Uuid::new_v4().to_string();
    enrolments::add_resident(&mut tx, &resident_id, &row.form, &state.region, now).await?;
    // The applicant's and any relative's list of people: other accounts' rows, so unstamped.
    enrolments::verify_payees(&mut tx, &resident_id, &row.form, UNSTAMPED).await?;
    enrolments::town_entered(&mut tx, id, next, &resident_id, now).await?;
    finish(tx, staff, "enrolment_town_enter", row, now).await
}

/// Loads the row as it now is, writes the audit entry (before and after) and commits.
async fn finish(
    mut tx: WriteTx,
    staff: &Staff,
    action: &str,
    before: Enrolment,
    now: i64,
) -> ServiceResult<EnrolmentView> {
    let after = load(&mut tx, before.form.id).await?;
    let target = format!("enrolment:{}", before.form.id);
    audit::commit_change(
        tx,
        &staff.account_id,
        now,
        action,
        &target,
        Some(audit_json(&before)),
        Some(audit_json(&after)),
    )
    .await?;
    // Only the form's own village assistant or town center gets here (`acts_in`).
    Ok(view(&after, Shown::Full))
}
