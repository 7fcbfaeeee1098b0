//! The HTTP boundary: the router that mounts every concern's routes under `/api/v1` and the
//! PWA's files beside them, the extractors, the one error type every handler answers with, the
//! OpenAPI document, and the static files. Nothing below this folder knows about HTTP.

pub mod error;
mod json_errors;
pub mod openapi;
pub mod static_files;
mod uncancellable;

use std::path::PathBuf;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::accounts::account;
use crate::app::AppState;
use crate::applications::{back_payment, enrolment, places};
use crate::http::error::ApiResult;
use crate::payments::{methods, notify, payees, receipts, sync};
use crate::staff::{reconciliation, stats};

/// Requests larger than this are refused before they are read (a sync batch of 200 intents is
/// about 60 KiB).
pub const BODY_LIMIT: usize = 256 * 1024;

/// Every route of the API and the PWA.
pub fn router(state: AppState, dist: Option<PathBuf>) -> Router {
    let api = Router::new()
        .route("/health", get(health))
        .merge(crate::policy::router())
        .merge(account::router())
        .merge(payees::router())
        .merge(methods::router())
        .merge(sync::router())
        .merge(notify::router())
        .merge(receipts::router())
        .merge(stats::router())
        .merge(reconciliation::router())
        .merge(enrolment::router())
        .merge(back_payment::router())
        .merge(places::router())
        .merge(openapi::router())
        .fallback(api_not_found)
        // Innermost, inside the time-out: a request that times out still finishes its write.
        .layer(axum::middleware::from_fn(
            uncancellable::finish_whatever_happens,
        ))
        .with_state(state);
    let app = Router::new().nest("/api/v1", api);
    let app = match dist {
        Some(dist) => app.merge(static_files::router(dist)),
        None => app,
    };
    app.layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        // Outside the time-out, so that its 408 gets a JSON body too.
        .layer(axum::middleware::from_fn(json_errors::api_errors_in_json))
        .layer(TraceLayer::new_for_http())
}

#[utoipa::path(get, path = "/health", tag = "service",
    summary = "Liveness and database check",
    responses((status = 200, description = "The database answers", body = openapi::Health)))]
async fn health(State(state): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    let mut conn = state.db.pool.acquire().await?;
    sqlx::query("SELECT 1").execute(&mut *conn).await?;
    Ok(Json(serde_json::json!({ "status": "ok" })))
}

async fn api_not_found() -> (StatusCode, Json<yanglao_shared::wire::ErrorBody>) {
    (
        StatusCode::NOT_FOUND,
        Json(yanglao_shared::wire::ErrorBody {
            code: "no_such_route".into(),
            message: "没有这个接口".into(),
        }),
    )
}
