//! The HTTP face of back payment: parse, authorize (an account for the applicant's routes, the
//! `Staff` extractor for the town center's steps), call [`service`](super::service), answer
//! JSON.

use axum::extract::{Path, Query, State};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use uuid::Uuid;
use yanglao_shared::applications::{
    BackPaymentCheck, BackPaymentDecision, BackPaymentForm, BackPaymentView, BankReceipt,
};

use super::{review, service};
use crate::accounts::auth::Authed;
use crate::app::AppState;
use crate::applications::lists::{self, ListQuery};
use crate::http::error::{ApiError, ApiJson, ApiResult};
use crate::staff::roles::Staff;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/back-payments", get(mine))
        .route("/back-payments/{id}", put(submit))
        .route("/back-payments/{id}/form", get(form_to_fix))
        .route("/staff/back-payments", get(in_area))
        .route("/staff/back-payments/{id}/check", get(check))
        .route("/staff/back-payments/{id}/review", post(decide))
        .route("/staff/back-payments/{id}/receipt", post(receipt))
}

#[utoipa::path(get, path = "/back-payments", tag = "applications", security(("session" = [])),
    summary = "This account's back-payment applications and each step's status",
    responses((status = 200, description = "Oldest first", body = Vec<BackPaymentView>)))]
async fn mine(State(state): State<AppState>, who: Authed) -> ApiResult<Json<Vec<BackPaymentView>>> {
    Ok(Json(service::mine(&state, &who.account_id).await?))
}

#[utoipa::path(get, path = "/back-payments/{id}/form", tag = "applications", security(("session" = [])),
    summary = "The applicant's own returned form as filed (full name and ID number), to fix it",
    params(("id" = Uuid, Path, description = "The form")),
    responses(
        (status = 200, description = "The form as filed", body = BackPaymentForm),
        (status = 404, description = "No such form of this account"),
        (status = 409, description = "The form is not returned"),
    ))]
async fn form_to_fix(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<BackPaymentForm>> {
    Ok(Json(
        service::form_to_fix(&state, &who.account_id, id).await?,
    ))
}

#[utoipa::path(put, path = "/back-payments/{id}", tag = "applications", security(("session" = [])),
    summary = "Submit (or fix and resubmit) a back-payment application, idempotent by the client's id",
    params(("id" = Uuid, Path, description = "The client's random (v4) id of the form")),
    request_body = BackPaymentForm,
    responses(
        (status = 200, description = "The form as filed", body = BackPaymentView),
        (status = 404, description = "No such form of this account to fix"),
        (status = 409, description = "Not at a step that takes it, or the id is another's"),
    ))]
async fn submit(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<Uuid>,
    ApiJson(form): ApiJson<BackPaymentForm>,
) -> ApiResult<Json<BackPaymentView>> {
    if form.id != id {
        return Err(ApiError::invalid("id_mismatch", "地址中的编号与内容不一致"));
    }
    Ok(Json(service::submit(&state, &who.account_id, &form).await?))
}

#[utoipa::path(get, path = "/staff/back-payments", tag = "staff", security(("session" = [])),
    summary = "Staff: the back-payment applications of their area",
    params(("state" = Option<String>, Query, description = "Only forms in this state")),
    responses(
        (status = 200, description = "Oldest first", body = Vec<BackPaymentView>),
        (status = 403, description = "Not staff"),
        (status = 422, description = "An unknown state"),
    ))]
async fn in_area(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<BackPaymentView>>> {
    Ok(Json(
        lists::back_payments(&state, &staff, q.state.as_deref()).await?,
    ))
}

#[utoipa::path(get, path = "/staff/back-payments/{id}/check", tag = "staff", security(("session" = [])),
    summary = "Town center: the eligibility check year by year, before deciding (audited)",
    params(("id" = Uuid, Path, description = "The form")),
    responses(
        (status = 200, description = "Each year's result and the slip's amount", body = BackPaymentCheck),
        (status = 403, description = "Not town-center staff, or outside one's area"),
        (status = 404, description = "No such form"),
        (status = 409, description = "The form is not waiting for the check"),
    ))]
async fn check(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<BackPaymentCheck>> {
    Ok(Json(review::check(&state, &staff, id).await?))
}

#[utoipa::path(post, path = "/staff/back-payments/{id}/review", tag = "staff", security(("session" = [])),
    summary = "Town center: a payment slip for the payable years (the others named), or return the form",
    params(("id" = Uuid, Path, description = "The form")),
    request_body = BackPaymentDecision,
    responses(
        (status = 200, description = "The form after the step", body = BackPaymentView),
        (status = 403, description = "Not town-center staff, or outside one's area"),
        (status = 404, description = "No such form"),
        (status = 409, description = "The form is not at this step"),
        (status = 422, description = "The step's input is refused"),
    ))]
async fn decide(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
    ApiJson(decision): ApiJson<BackPaymentDecision>,
) -> ApiResult<Json<BackPaymentView>> {
    Ok(Json(review::decide(&state, &staff, id, &decision).await?))
}

#[utoipa::path(post, path = "/staff/back-payments/{id}/receipt", tag = "staff", security(("session" = [])),
    summary = "Town center: record the Agricultural Bank receipt; the years enter the ledger",
    params(("id" = Uuid, Path, description = "The form")),
    request_body = BankReceipt,
    responses(
        (status = 200, description = "The form after the step", body = BackPaymentView),
        (status = 403, description = "Not town-center staff, or outside one's area"),
        (status = 404, description = "No such form"),
        (status = 409, description = "The form is not at this step"),
        (status = 422, description = "The step's input is refused"),
    ))]
async fn receipt(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<BankReceipt>,
) -> ApiResult<Json<BackPaymentView>> {
    Ok(Json(review::receipt(&state, &staff, id, &body).await?))
}
