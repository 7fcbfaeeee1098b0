//! The staff steps of enrolment (参保登记): the village assistant's material check (approve or
//! return with a reason) and the town center's review, which puts the person on the roster.
//! Each step writes its audit entry (before and after) in the step's own transaction.

use axum::extract::{Path, State};
use axum::Json;
use uuid::Uuid;
use yanglao_shared::applications::{
    return_reason, EnrolmentEvent, EnrolmentView, TownReview, VillageCheck,
};
use yanglao_shared::IdNumber;

use crate::app::AppState;
use crate::applications::enrolment::{already_enrolled, load, EnrolmentRow};
use crate::http::error::{ApiError, ApiJson, ApiResult};
use crate::roster;
use crate::staff::audit;
use crate::staff::roles::{Role, Staff};
use crate::storage::{next_seq, WriteTx};

fn wrong_state() -> ApiError {
    ApiError::conflict("wrong_state", "这份登记表当前不在这一步，请刷新后再看")
}

fn reason_required() -> ApiError {
    ApiError::invalid("reason_required", "退回时请写明原因（2至200字）")
}

pub async fn village_check(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
    ApiJson(check): ApiJson<VillageCheck>,
) -> ApiResult<Json<EnrolmentView>> {
    let id = id.to_string();
    let mut tx = state.db.begin_write().await?;
    let row = load(&mut tx, &id).await?;
    staff.acts_in(Role::Village, &row.form.town, &row.form.village)?;
    let (event, reason, action) = if check.approve {
        let missing = check.checklist.missing(row.form.severely_disabled);
        if !missing.is_empty() {
            return Err(ApiError::invalid(
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
    sqlx::query(
        "UPDATE enrolments SET state = $1, return_reason = $2, checklist_json = $3, \
         village_checked_at = $4 WHERE id = $5",
    )
    .bind(next.as_str())
    .bind(reason)
    .bind(serde_json::to_string(&check.checklist).map_err(|e| ApiError::Internal(e.to_string()))?)
    .bind(now)
    .bind(&id)
    .execute(&mut **tx)
    .await?;
    finish(tx, &staff, action, row, now).await
}

/// Loads the row as it now is, writes the audit entry (before and after) and commits.
async fn finish(
    mut tx: WriteTx,
    staff: &Staff,
    action: &str,
    before: EnrolmentRow,
    now: i64,
) -> ApiResult<Json<EnrolmentView>> {
    let id = before.form.id.to_string();
    let after = load(&mut tx, &id).await?;
    let (target, before, changed) = (
        format!("enrolment:{id}"),
        before.audit_json(),
        after.audit_json(),
    );
    audit::commit_change(
        tx,
        &staff.account_id,
        now,
        action,
        &target,
        Some(before),
        Some(changed),
    )
    .await?;
    Ok(Json(after.view()))
}

pub async fn town_review(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
    ApiJson(review): ApiJson<TownReview>,
) -> ApiResult<Json<EnrolmentView>> {
    let id = id.to_string();
    let mut tx = state.db.begin_write().await?;
    let row = load(&mut tx, &id).await?;
    staff.acts_in(Role::Town, &row.form.town, &row.form.village)?;
    let event = match review.approve {
        true => EnrolmentEvent::TownEnters,
        false => EnrolmentEvent::TownReturns,
    };
    let next = row.state.transition(event).map_err(|_| wrong_state())?;
    let now = state.clock.now_ms();
    if !review.approve {
        let reason = return_reason(review.reason.as_deref()).ok_or_else(reason_required)?;
        sqlx::query(
            "UPDATE enrolments SET state = $4, return_reason = $1, \
             town_reviewed_at = $2 WHERE id = $3",
        )
        .bind(reason)
        .bind(now)
        .bind(&id)
        .bind(next.as_str())
        .execute(&mut **tx)
        .await?;
        return finish(tx, &staff, "enrolment_town_return", row, now).await;
    }
    let id_number = IdNumber::parse_any_date(&row.form.id_number)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    if roster::by_id_number(&mut tx, &id_number).await?.is_some() {
        return Err(already_enrolled());
    }
    let resident_id = Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO residents (id, id_number, name, town, village, region_code, \
         severely_disabled, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $9, $8)",
    )
    .bind(&resident_id)
    .bind(&row.form.id_number)
    .bind(&row.form.name)
    .bind(&row.form.town)
    .bind(&row.form.village)
    .bind(&state.region)
    .bind(i64::from(row.form.severely_disabled))
    .bind(now)
    .bind(yanglao_shared::RosterStatus::Enrolled.as_str())
    .execute(&mut **tx)
    .await?;
    // Payers who added this person before the roster knew them now see them verified.
    let seq = next_seq(&mut tx).await?;
    sqlx::query(
        "UPDATE payees SET resident_id = $1, changed_seq = $2 WHERE resident_id IS NULL \
         AND removed = 0 AND id_number = $3 AND name = $4",
    )
    .bind(&resident_id)
    .bind(seq)
    .bind(&row.form.id_number)
    .bind(&row.form.name)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE enrolments SET state = $4, resident_id = $1, return_reason = NULL, \
         town_reviewed_at = $2 WHERE id = $3",
    )
    .bind(&resident_id)
    .bind(now)
    .bind(&id)
    .bind(next.as_str())
    .execute(&mut **tx)
    .await?;
    finish(tx, &staff, "enrolment_town_enter", row, now).await
}
