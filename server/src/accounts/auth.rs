//! Who is asking: the [`Authed`] extractor (a bearer token to its account), opaque session
//! tokens (only their SHA-256 is stored, by `storage::accounts`), passwords hashed with
//! Argon2id off the async workers, and the limit on failed logins per mobile number and per
//! address (counted in the database, `storage::login_failures`, so every server process on it
//! shares it). Only the extractor speaks HTTP; the rest answers with [`ServiceError`].

use std::net::IpAddr;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;
use yanglao_shared::MobileNumber;

use crate::app::AppState;
use crate::http::error::ApiError;
use crate::service::{ServiceError, ServiceResult};
use crate::storage::{accounts, login_failures, Db, WriteTx};

pub const SESSION_DAYS: i64 = 30;

/// The account behind a valid bearer token.
#[derive(Debug, Clone)]
pub struct Authed {
    pub account_id: String,
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(ApiError::Unauthorized)?;
        let token = header
            .strip_prefix("Bearer ")
            .ok_or(ApiError::Unauthorized)?
            .trim();
        if token.is_empty() || token.len() > 128 {
            return Err(ApiError::Unauthorized);
        }
        let mut conn = state.db.pool.acquire().await?;
        let account_id =
            accounts::session_account(&mut conn, &token_hash(token), state.clock.now_ms()).await?;
        account_id
            .map(|account_id| Self { account_id })
            .ok_or(ApiError::Unauthorized)
    }
}

/// The bearer token of a request, for logging out.
pub fn bearer(parts: &axum::http::HeaderMap) -> Option<&str> {
    parts
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).expect("the OS has randomness");
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A password of `min` characters or more, and not absurdly long (Argon2 hashes all of it).
pub fn password_fits(password: &str, min: usize) -> bool {
    password.chars().count() >= min && password.len() <= 200
}

pub fn hash_password(password: &str) -> ServiceResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(format!("argon2: {e}")))
}

pub fn password_matches(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Runs Argon2 (tens of milliseconds of CPU on purpose) off the async workers, so logins and
/// registrations do not stall every other request on a 2-core machine.
pub async fn off_the_workers<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> ServiceResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ServiceError::Internal(format!("argon2 task: {e}")))
}

/// How far back failed logins count, and how many of them block a mobile number or an address.
const LOGIN_WINDOW_MS: i64 = 15 * 60 * 1000;
const FAILURES_PER_MOBILE: i64 = 5;
const FAILURES_PER_ADDRESS: i64 = 30;

/// Refuses a login when the number or the address has used up its failures in the window,
/// saying how many minutes to wait. The failures are in the database (`storage::login_failures`),
/// so the limit holds across every server process on it and across a restart.
pub async fn check_login(
    conn: &mut AnyConnection,
    mobile: &MobileNumber,
    address: IpAddr,
    now_ms: i64,
) -> ServiceResult<()> {
    let recent = login_failures::since(conn, mobile, address, now_ms - LOGIN_WINDOW_MS).await?;
    match login_wait_minutes(&recent, now_ms) {
        Some(minutes) => Err(ServiceError::TooManyAttempts(minutes)),
        None => Ok(()),
    }
}

/// Counts a failed login against the number and the address, forgetting what fell out of the
/// window.
pub async fn record_login_failure(
    db: &Db,
    mobile: &MobileNumber,
    address: IpAddr,
    now_ms: i64,
) -> ServiceResult<()> {
    let mut tx = db.begin_write().await?;
    login_failures::record(&mut tx, mobile, address, now_ms, now_ms - LOGIN_WINDOW_MS).await?;
    tx.commit().await?;
    Ok(())
}

/// A login succeeded: the number's failures are forgotten (the address's stay), inside the
/// transaction that opens its session.
pub async fn clear_login_failures(tx: &mut WriteTx, mobile: &MobileNumber) -> ServiceResult<()> {
    login_failures::clear(tx, mobile).await?;
    Ok(())
}

/// Minutes until the first blocked key frees up, or `None` when neither is blocked.
fn login_wait_minutes(recent: &login_failures::Recent, now_ms: i64) -> Option<u64> {
    [
        (recent.mobile, FAILURES_PER_MOBILE),
        (recent.address, FAILURES_PER_ADDRESS),
    ]
    .into_iter()
    .find(|(failures, limit)| failures.count >= *limit)
    .map(|(failures, _)| {
        let oldest = failures.oldest_ms.unwrap_or(now_ms);
        let wait_ms = (oldest + LOGIN_WINDOW_MS - now_ms).max(0) as u64;
        wait_ms.div_ceil(60_000).max(1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(password_matches("correct horse", &hash));
        assert!(!password_matches("wrong", &hash));
    }

    #[test]
    fn a_key_at_its_limit_waits_until_its_oldest_failure_leaves_the_window() {
        use login_failures::{Failures, Recent};
        let now = 1_000_000_000;
        let at = |count, minutes_ago: i64| Failures {
            count,
            oldest_ms: Some(now - minutes_ago * 60_000),
        };
        let free = Recent {
            mobile: at(4, 1),
            address: at(29, 1),
        };
        assert_eq!(login_wait_minutes(&free, now), None);
        let mobile_blocked = Recent {
            mobile: at(5, 1),
            ..free
        };
        assert_eq!(login_wait_minutes(&mobile_blocked, now), Some(14));
        let address_blocked = Recent {
            address: at(30, 10),
            ..free
        };
        assert_eq!(login_wait_minutes(&address_blocked, now), Some(5));
        let almost_free = Recent {
            mobile: Failures {
                count: 5,
                oldest_ms: Some(now - LOGIN_WINDOW_MS + 1),
            },
            ..free
        };
        assert_eq!(login_wait_minutes(&almost_free, now), Some(1));
    }
}
