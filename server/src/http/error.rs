//! The one error type of the HTTP boundary. Every variant maps to a status and a stable code
//! with a Chinese sentence; internal detail is logged, never sent.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use yanglao_shared::wire::ErrorBody;

use crate::service::with_causes;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed or a value is invalid (code says which).
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    #[error("请先登录")]
    Unauthorized,
    #[error("手机号或密码不对")]
    BadCredentials,
    /// Signed in, but this account's role may not do this (a resident on a staff route, or
    /// staff outside their own area).
    #[error("没有权限")]
    Forbidden,
    #[error("找不到")]
    NotFound,
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("尝试次数太多，请{0}分钟后再试")]
    TooManyAttempts(u64),
    #[error("请求内容太大")]
    PayloadTooLarge,
    #[error("支付通道暂时不可用，请稍后再试")]
    GatewayUnavailable,
    #[error("服务器出了点问题，请稍后再试")]
    Internal(String),
}

impl ApiError {
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            code,
            message: message.into(),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::Invalid { code, .. } => (StatusCode::UNPROCESSABLE_ENTITY, code),
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Self::BadCredentials => (StatusCode::UNAUTHORIZED, "bad_credentials"),
            Self::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            Self::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            Self::Conflict { code, .. } => (StatusCode::CONFLICT, code),
            Self::TooManyAttempts(_) => (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"),
            Self::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            Self::GatewayUnavailable => (StatusCode::SERVICE_UNAVAILABLE, "gateway_unavailable"),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let (status, code) = self.status_and_code();
        let body = ErrorBody {
            code: code.to_owned(),
            message: self.to_string(),
        };
        (status, Json(body)).into_response()
    }
}

/// A database error reaching a handler goes the way every storage error goes.
impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        crate::storage::StorageError::from(err).into()
    }
}

/// Storage failures are internal, except a named constraint refusing a write: that is an
/// answer (the client asked for something already taken).
impl From<crate::storage::StorageError> for ApiError {
    fn from(err: crate::storage::StorageError) -> Self {
        use crate::storage::StorageError;
        match err {
            StorageError::Violated { constraint, .. } => {
                tracing::info!(%constraint, "a constraint refused a write");
                Self::conflict("conflict", "这项内容已经存在或与已有记录冲突，请刷新后再看")
            }
            other => Self::Internal(with_causes(&other)),
        }
    }
}

impl From<crate::service::ServiceError> for ApiError {
    fn from(err: crate::service::ServiceError) -> Self {
        use crate::service::ServiceError as S;
        match err {
            S::Invalid { code, message } => Self::Invalid { code, message },
            S::Conflict { code, message } => Self::Conflict { code, message },
            S::NotFound => Self::NotFound,
            S::Forbidden => Self::Forbidden,
            S::Unauthorized => Self::Unauthorized,
            S::BadCredentials => Self::BadCredentials,
            S::TooManyAttempts(minutes) => Self::TooManyAttempts(minutes),
            S::Storage(e) => e.into(),
            S::Gateway(_) => Self::GatewayUnavailable,
            other => Self::Internal(with_causes(&other)),
        }
    }
}

/// A missing policy is the server's misconfiguration (the table is checked at start-up).
impl From<yanglao_shared::policy::PolicyError> for ApiError {
    fn from(err: yanglao_shared::policy::PolicyError) -> Self {
        Self::Internal(format!("policy: {err}"))
    }
}

/// `Json<T>` whose rejections speak our error format (code + Chinese message).
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::JsonDataError(e) => {
            ApiError::invalid("invalid_body", format!("请求内容有误：{}", e.body_text()))
        }
        JsonRejection::JsonSyntaxError(_) => {
            ApiError::invalid("malformed_json", "请求不是有效的JSON")
        }
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::invalid("unsupported_media_type", "请求须为 application/json")
        }
        JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::PayloadTooLarge
        }
        other => ApiError::invalid(
            "invalid_body",
            format!("请求无法读取：{}", other.body_text()),
        ),
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
