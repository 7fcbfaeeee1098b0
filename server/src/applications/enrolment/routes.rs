//! The HTTP face of enrolment: parse, authorize (an account for the applicant's routes, the
//! `Staff` extractor for the staff steps), call the service, answer JSON. The rules are in
//! [`submit`](super::submit) and [`review`](super::review).

use axum::extract::{Path, Query, State};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use uuid::Uuid;
use yanglao_shared::applications::{EnrolmentForm, EnrolmentView, TownReview, VillageCheck};

use super::{review, submit};
use crate::accounts::auth::Authed;
use crate::app::AppState;
use crate::applications::lists::{self, ListQuery};
use crate::http::error::{ApiError, ApiJson, ApiResult};
use crate::staff::roles::Staff;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/enrolments", get(mine))
        .route("/enrolments/{id}", put(file))
        .route("/enrolments/{id}/form", get(form_to_reuse))
        .route("/staff/enrolments", get(in_area))
        .route("/staff/enrolments/{id}/village-check", post(village_check))
        .route("/staff/enrolments/{id}/town-review", post(town_review))
}

#[utoipa::path(get, path = "/enrolments", tag = "applications", security(("session" = [])),
    summary = "This account's enrolment forms and each step's status",
    responses((status = 200, description = "Oldest first", body = Vec<EnrolmentView>)))]
async fn mine(State(state): State<AppState>, who: Authed) -> ApiResult<Json<Vec<EnrolmentView>>> {
    Ok(Json(submit::mine(&state, &who.account_id).await?))
}

#[utoipa::path(put, path = "/enrolments/{id}", tag = "applications", security(("session" = [])),
    summary = "Submit (or fix and resubmit) a enrolment form, idempotent by the client's id",
    params(("id" = Uuid, Path, description = "The client's random (v4) id of the form")),
    request_body = EnrolmentForm,
    responses(
        (status = 200, description = "The form as filed", body = EnrolmentView),
        (status = 404, description = "No such form of this account to fix"),
        (status = 409, description = "Not at a step that takes it, or the id is another's"),
    ))]
async fn file(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<Uuid>,
    ApiJson(form): ApiJson<EnrolmentForm>,
) -> ApiResult<Json<EnrolmentView>> {
    if form.id != id {
        return Err(ApiError::invalid("id_mismatch", "地址中的编号与内容不一致"));
    }
    Ok(Json(submit::submit(&state, &who.account_id, &form).await?))
}

#[utoipa::path(get, path = "/enrolments/{id}/form", tag = "applications", security(("session" = [])),
    summary = "The applicant's own form as filed (in full), to fix it after a return or to add the enrolled person as a payee",
    params(("id" = Uuid, Path, description = "The form")),
    responses(
        (status = 200, description = "The form as filed", body = EnrolmentForm),
        (status = 404, description = "No such form of this account"),
        (status = 409, description = "The form is still being reviewed"),
    ))]
async fn form_to_reuse(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<EnrolmentForm>> {
    Ok(Json(
        submit::form_to_reuse(&state, &who.account_id, id).await?,
    ))
}

#[utoipa::path(get, path = "/staff/enrolments", tag = "staff", security(("session" = [])),
    summary = "Staff: the enrolment forms of their area",
    params(("state" = Option<String>, Query, description = "Only forms in this state")),
    responses(
        (status = 200, description = "Oldest first", body = Vec<EnrolmentView>),
        (status = 403, description = "Not staff"),
        (status = 422, description = "An unknown state"),
    ))]
async fn in_area(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<EnrolmentView>>> {
    Ok(Json(
        lists::enrolments(&state, &staff, q.state.as_deref()).await?,
    ))
}

#[utoipa::path(post, path = "/staff/enrolments/{id}/village-check", tag = "staff", security(("session" = [])),
    summary = "Village assistant: material checklist, then approve or return with a reason",
    params(("id" = Uuid, Path, description = "The form")),
    request_body = VillageCheck,
    responses(
        (status = 200, description = "The form after the step", body = EnrolmentView),
        (status = 403, description = "Not the village assistant, or outside one's area"),
        (status = 404, description = "No such form"),
        (status = 409, description = "The form is not at this step"),
        (status = 422, description = "The step's input is refused"),
    ))]
async fn village_check(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
    ApiJson(check): ApiJson<VillageCheck>,
) -> ApiResult<Json<EnrolmentView>> {
    Ok(Json(
        review::village_check(&state, &staff, id, &check).await?,
    ))
}

#[utoipa::path(post, path = "/staff/enrolments/{id}/town-review", tag = "staff", security(("session" = [])),
    summary = "Town center: enter the person on the roster, or return with a reason",
    params(("id" = Uuid, Path, description = "The form")),
    request_body = TownReview,
    responses(
        (status = 200, description = "The form after the step", body = EnrolmentView),
        (status = 403, description = "Not town-center staff, or outside one's area"),
        (status = 404, description = "No such form"),
        (status = 409, description = "The form is not at this step"),
        (status = 422, description = "The step's input is refused"),
    ))]
async fn town_review(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
    ApiJson(review): ApiJson<TownReview>,
) -> ApiResult<Json<EnrolmentView>> {
    Ok(Json(
        review::town_review(&state, &staff, id, &review).await?,
    ))
}
