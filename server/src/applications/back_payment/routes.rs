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

async fn mine(State(state): State<AppState>, who: Authed) -> ApiResult<Json<Vec<BackPaymentView>>> {
    Ok(Json(service::mine(&state, &who.account_id).await?))
}

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

async fn in_area(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<BackPaymentView>>> {
    Ok(Json(
        lists::back_payments(&state, &staff, q.state.as_deref()).await?,
    ))
}

async fn review(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<BackPaymentView>> {
    Ok(Json(service::review(&state, &staff, id).await?))
}

async fn receipt(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<BankReceipt>,
) -> ApiResult<Json<BackPaymentView>> {
    Ok(Json(service::receipt(&state, &staff, id, &body).await?))
}
