//! Every `/api/v1` answer that is not a success carries `{code, message}`, including the ones
//! axum and tower make before a handler runs (a malformed id in a path, a method the route
//! does not take, a body over the limit, a time-out). Answers our handlers made are JSON
//! already and pass through untouched.

use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use yanglao_shared::wire::ErrorBody;

/// The code and Chinese sentence for an answer that came without a body of ours.
fn describe(status: StatusCode) -> (&'static str, &'static str) {
    match status {
        StatusCode::BAD_REQUEST => ("invalid_request", "请求有误（地址或参数格式不对）"),
        StatusCode::NOT_FOUND => ("not_found", "找不到"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "这个接口不支持这种请求方式"),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "请求内容太大"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ("unsupported_media_type", "请求须为 application/json")
        }
        StatusCode::REQUEST_TIMEOUT => ("timeout", "服务器处理超时，请稍后再试"),
        s if s.is_server_error() => ("internal", "服务器出了点问题，请稍后再试"),
        _ => ("invalid_request", "请求无法处理"),
    }
}

/// Under `/api/`, gives a JSON error body to any error answer that has none; the PWA's own
/// pages are left as they are.
pub async fn api_errors_in_json(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    match api {
        true => ensure_json(response),
        false => response,
    }
}

fn ensure_json(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (code, message) = describe(status);
    let mut fresh = (
        status,
        Json(ErrorBody {
            code: code.to_owned(),
            message: message.to_owned(),
        }),
    )
        .into_response();
    // Keep what tells a client how to go on (Allow on a 405, Retry-After).
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(value) = response.headers().get(&name) {
            fresh.headers_mut().insert(name, value.clone());
        }
    }
    fresh
}
