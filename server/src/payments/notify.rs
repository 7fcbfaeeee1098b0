//! `POST /api/v1/gateway/notify`: the bank's signed asynchronous notifications. The signature is
//! checked over the exact body bytes before anything is parsed (with this installation's own
//! secret: it has no default), then its order, amount and state against the ledger
//! (`ledger::notified`); applying a notification twice changes nothing the second time.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};

use crate::app::AppState;
use crate::gateway::{verify, Notification, SIGNATURE_HEADER};
use crate::http::error::{ApiError, ApiResult};
use crate::payments::ledger;

pub fn router() -> Router<AppState> {
    Router::new().route("/gateway/notify", post(notify))
}

#[utoipa::path(post, path = "/gateway/notify", tag = "bank",
    summary = "Signed payment notification from the bank (HMAC-SHA256 of the body)",
    params(("x-sandbox-signature" = Option<String>, Header, description = "Hex HMAC-SHA256 of the exact body with this installation's secret")),
    request_body = crate::gateway::Notification,
    responses(
        (status = 200, description = "Applied (or already applied)", body = crate::http::openapi::Received),
        (status = 404, description = "No such order"),
        (status = 409, description = "The notification does not match what the ledger asked for"),
        (status = 413, description = "Body over the limit"),
        (status = 422, description = "Bad signature or unreadable body"),
        (status = 503, description = "The bank cannot be asked to confirm a decline"),
    ))]
async fn notify(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let signature = headers
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !verify(&state.gateway_secret, &body, signature) {
        return Err(ApiError::invalid("bad_signature", "通知签名无效"));
    }
    let notification: Notification = serde_json::from_slice(&body)
        .map_err(|_| ApiError::invalid("invalid_body", "通知内容无法读取"))?;
    ledger::notified(&state, notification.order_id, &notification.status).await?;
    Ok((
        StatusCode::OK,
        Json(serde_json::json!({ "received": true })),
    ))
}
