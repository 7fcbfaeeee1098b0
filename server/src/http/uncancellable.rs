//! Every API request runs in a task of its own, so nothing can cancel a write halfway: not a
//! phone that disconnects mid-request (hyper drops the request's future), not the time-out
//! layer. The request finishes and commits or rolls back as a whole; only its answer may be
//! lost, and the client's retry with the same ids gets the same answer. This also keeps sqlx
//! 0.8's `Pool::begin`, which is not cancel-safe on PostgreSQL (transact-rs/sqlx#4393), from
//! ever being cancelled; `storage::Db` heals a connection that comes back in a transaction
//! anyway.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use yanglao_shared::wire::ErrorBody;

pub async fn finish_whatever_happens(request: Request, next: Next) -> Response {
    match tokio::spawn(next.run(request)).await {
        Ok(response) => response,
        Err(e) => {
            tracing::error!(error = %e, "request task failed");
            let body = ErrorBody {
                code: "internal".into(),
                message: "服务器内部错误，请稍后再试".into(),
            };
            (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
        }
    }
}
