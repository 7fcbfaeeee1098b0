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
        .route("/staff/enrolments", get(in_area))
        .route("/staff/enrolments/{id}/village-check", post(village_check))
        .route("/staff/enrolments/{id}/town-review", post(town_review))
}

async fn mine(State(state): State<AppState>, who: Authed) -> ApiResult<Json<Vec<EnrolmentView>>> {
    Ok(Json(submit::mine(&state, &who.account_id).await?))
}

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

async fn in_area(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<EnrolmentView>>> {
    Ok(Json(
        lists::enrolments(&state, &staff, q.state.as_deref()).await?,
    ))
}

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
