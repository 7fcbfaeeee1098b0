//! The HTTP face of back payment: parse, authorize (an account for the applicant's routes, the
//! `Staff` extractor for the town center's steps), call [`service`](super::service), answer
//! JSON.

use axum::extract::{Path, Query, State};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use uuid::Uuid;
use yanglao_shared::applications::{BackPaymentForm, BackPaymentView, BankReceipt};

use super::service;
use crate::accounts::auth::Authed;
use crate::app::AppState;
use crate::applications::lists::{self, ListQuery};
use crate::http::error::{ApiError, ApiJson, ApiResult};
use crate::staff::roles::Staff;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/back-payments", get(mine))
        .route("/back-payments/{id}", put(submit))
        .route("/staff/back-payments", get(in_area))
        .route("/staff/back-payments/{id}/review", post(review))
        .route("/staff/back-payments/{id}/receipt", post(receipt))
}

#[utoipa::path(get, path = "/back-payments", tag = "applications", security(("session" = [])),
    summary = "This account's back-payment applications and each step's status",
    responses((status = 200, description = "Oldest first", body = Vec<BackPaymentView>)))]
async fn mine(State(state): State<AppState>, who: Authed) -> ApiResult<Json<Vec<BackPaymentView>>> {
    Ok(Json(service::mine(&state, &who.account_id).await?))
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

#[utoipa::path(post, path = "/staff/back-payments/{id}/review", tag = "staff", security(("session" = [])),
    summary = "Town center: check eligibility and issue a payment slip, or reject with reasons",
    params(("id" = Uuid, Path, description = "The form")),
    responses(
        (status = 200, description = "The form after the step", body = BackPaymentView),
        (status = 403, description = "Not town-center staff, or outside one's area"),
        (status = 404, description = "No such form"),
        (status = 409, description = "The form is not at this step"),
        (status = 422, description = "The step's input is refused"),
    ))]
async fn review(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<BackPaymentView>> {
    Ok(Json(service::review(&state, &staff, id).await?))
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
    Ok(Json(service::receipt(&state, &staff, id, &body).await?))
}
