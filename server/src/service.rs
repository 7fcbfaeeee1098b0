//! The service layer's one error. Services hold the rules and the transactions (the ledger,
//! enrolment, accounts, …); they answer with [`ServiceError`], never with HTTP types, and
//! `http::error` maps it to a status and a stable code in one place. Causes are kept
//! (`#[source]`) for the log; the client hears only the code and the Chinese sentence.

use crate::gateway::GatewayError;
use crate::payments::states::IllegalTransition;
use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The request is malformed or a value is invalid (the code says which).
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    /// The request is valid but the state of things refuses it (the code says why).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("找不到")]
    NotFound,
    /// Signed in, but this account's role may not do this.
    #[error("没有权限")]
    Forbidden,
    #[error("请先登录")]
    Unauthorized,
    #[error("手机号或密码不对")]
    BadCredentials,
    #[error("尝试次数太多，请{0}分钟后再试")]
    TooManyAttempts(u64),
    #[error("storage")]
    Storage(#[from] StorageError),
    #[error("policy")]
    Policy(#[from] yanglao_shared::policy::PolicyError),
    #[error("bank")]
    Gateway(#[from] GatewayError),
    /// The code tried a move its own state machine forbids: a bug, refused before any write.
    #[error("illegal transition")]
    Illegal(#[from] IllegalTransition),
    /// Something that cannot happen did (a stored value that does not decode, …).
    #[error("{0}")]
    Internal(String),
}

impl ServiceError {
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
}

impl From<sqlx::Error> for ServiceError {
    fn from(e: sqlx::Error) -> Self {
        Self::Storage(e.into())
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// An error and its causes as one line, for the log or the terminal (never for a client):
/// a database failure then says what the database said, not only "storage".
pub fn with_causes(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(e) = cause {
        text.push_str(": ");
        text.push_str(&e.to_string());
        cause = e.source();
    }
    text
}
