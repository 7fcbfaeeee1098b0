//! The storage layer's one error. Storage knows nothing of HTTP: `http::error` maps this to an
//! answer, keeping the cause for the log.

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// A named unique constraint refused the write: an answer ("already taken"), not a failure.
    #[error("constraint {constraint} refused the write")]
    Violated {
        constraint: String,
        #[source]
        cause: sqlx::Error,
    },
    #[error("database")]
    Database(#[source] sqlx::Error),
    /// A stored value that does not decode into its domain type (an unknown state, a bad id).
    #[error("stored {what} is not valid: {value:?}")]
    Corrupt { what: &'static str, value: String },
}

impl From<sqlx::Error> for StorageError {
    fn from(cause: sqlx::Error) -> Self {
        let constraint = match &cause {
            // SQLite names no constraint: its unique violations are still answers.
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                Some(db.constraint().unwrap_or("unique").to_owned())
            }
            _ => None,
        };
        match constraint {
            Some(constraint) => Self::Violated { constraint, cause },
            None => Self::Database(cause),
        }
    }
}

impl StorageError {
    /// PostgreSQL gave up on this transaction to break a deadlock (40P01) or a serialization
    /// conflict (40001): nothing of it was written, and running it again is safe.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Database(sqlx::Error::Database(db)) => {
                matches!(db.code().as_deref(), Some("40P01" | "40001"))
            }
            _ => false,
        }
    }

    pub fn corrupt(what: &'static str, value: impl ToString) -> Self {
        Self::Corrupt {
            what,
            value: value.to_string(),
        }
    }
}

pub type StorageResult<T> = Result<T, StorageError>;

/// A write that a unique key may refuse: `Some` with what it did, `None` when the key
/// refused it (an answer such as "already taken"), any other failure as it is.
pub fn unless_taken<T>(done: Result<T, sqlx::Error>) -> StorageResult<Option<T>> {
    match done.map_err(StorageError::from) {
        Ok(done) => Ok(Some(done)),
        Err(StorageError::Violated { .. }) => Ok(None),
        Err(other) => Err(other),
    }
}
