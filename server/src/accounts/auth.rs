//! Who is asking: the [`Authed`] extractor (a bearer token to its account), opaque session
//! tokens (only their SHA-256 is stored, by `storage::accounts`), passwords hashed with
//! Argon2id off the async workers, and a limiter for login attempts per account and per
//! address. Only the extractor speaks HTTP; the rest answers with [`ServiceError`].

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::http::error::ApiError;
use crate::service::{ServiceError, ServiceResult};
use crate::storage::accounts;

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

/// Counts failed logins in a sliding window, per mobile number and per client address.
pub struct RateLimiter {
    window: Duration,
    per_account: usize,
    per_address: usize,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::new(Duration::from_secs(15 * 60), 5, 30)
    }
}

impl RateLimiter {
    pub fn new(window: Duration, per_account: usize, per_address: usize) -> Self {
        Self {
            window,
            per_account,
            per_address,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(mobile: &str, ip: IpAddr) -> [String; 2] {
        [format!("m:{mobile}"), format!("ip:{ip}")]
    }

    /// Refuses when either key has used up its failures; says how many minutes to wait.
    pub fn check(&self, mobile: &str, ip: IpAddr) -> ServiceResult<()> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let [account_key, address_key] = Self::keys(mobile, ip);
        for (key, limit) in [
            (account_key, self.per_account),
            (address_key, self.per_address),
        ] {
            if let Some(times) = map.get_mut(&key) {
                times.retain(|t| now.duration_since(*t) < self.window);
                if times.len() >= limit {
                    let wait = self.window.saturating_sub(now.duration_since(times[0]));
                    return Err(ServiceError::TooManyAttempts(
                        wait.as_secs().div_ceil(60).max(1),
                    ));
                }
            }
        }
        Ok(())
    }

    pub fn record_failure(&self, mobile: &str, ip: IpAddr) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        for key in Self::keys(mobile, ip) {
            map.entry(key).or_default().push(now);
        }
    }

    pub fn record_success(&self, mobile: &str, ip: IpAddr) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&Self::keys(mobile, ip)[0]);
    }
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
    fn limiter_blocks_after_the_limit_per_account_and_per_address() {
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let limiter = RateLimiter::new(Duration::from_secs(60), 2, 3);
        limiter.record_failure("a", ip);
        limiter.record_failure("a", ip);
        assert!(limiter.check("a", ip).is_err());
        assert!(limiter.check("b", ip).is_ok());
        limiter.record_failure("b", ip);
        assert!(limiter.check("c", ip).is_err(), "address limit reached");
    }
}
