//! The `login_failures` table: one row per failed login per key (the mobile number tried, the
//! client's address), with its instant on the server's clock. The limits themselves (window,
//! counts, the wait to report) are `accounts::auth`'s; kept here, they hold across every server
//! process on one database and across a restart.
//!
//! Cheap on purpose: a check is one statement over the `(kind, subject, failed_at)` index, a
//! failure one two-row insert plus a delete of what fell out of the window (over the
//! `failed_at` index), a success one delete of its number's rows.

use std::net::IpAddr;

use sqlx::{AnyConnection, Row};
use yanglao_shared::MobileNumber;

use crate::storage::{StorageError, StorageResult};

/// What a failure is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// The mobile number that was tried (known account or not).
    Mobile,
    /// The client address the attempt came from.
    Address,
}

impl KeyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mobile => "mobile",
            Self::Address => "address",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "mobile" => Some(Self::Mobile),
            "address" => Some(Self::Address),
            _ => None,
        }
    }
}

/// The failures of one key in the window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Failures {
    pub count: i64,
    /// Unix ms of the oldest of them; `None` when there are none.
    pub oldest_ms: Option<i64>,
}

/// The failures of a login attempt's two keys since a moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recent {
    pub mobile: Failures,
    pub address: Failures,
}

/// The failures of `mobile` and of `address` after `since_ms`, in one statement (each half an
/// index range).
pub async fn since(
    conn: &mut AnyConnection,
    mobile: &MobileNumber,
    address: IpAddr,
    since_ms: i64,
) -> StorageResult<Recent> {
    let sql = "SELECT CAST($1 AS TEXT) AS kind, COUNT(*) AS n, MIN(failed_at) AS oldest \
               FROM login_failures WHERE kind = $1 AND subject = $2 AND failed_at > $5 \
               UNION ALL \
               SELECT CAST($3 AS TEXT) AS kind, COUNT(*) AS n, MIN(failed_at) AS oldest \
               FROM login_failures WHERE kind = $3 AND subject = $4 AND failed_at > $5";
    let rows = sqlx::query(sql)
        .bind(KeyKind::Mobile.as_str())
        .bind(mobile.as_str())
        .bind(KeyKind::Address.as_str())
        .bind(address.to_string())
        .bind(since_ms)
        .fetch_all(conn)
        .await?;
    let mut recent = Recent::default();
    for row in rows {
        let kind: String = row.try_get("kind")?;
        let failures = Failures {
            count: row.try_get("n")?,
            oldest_ms: row.try_get("oldest")?,
        };
        match KeyKind::parse(&kind) {
            Some(KeyKind::Mobile) => recent.mobile = failures,
            Some(KeyKind::Address) => recent.address = failures,
            None => return Err(StorageError::corrupt("login failure kind", kind)),
        }
    }
    Ok(recent)
}

/// Counts a failed login against `mobile` and `address` at `at_ms`, and forgets every failure
/// at or before `forget_until_ms` (out of the window by then).
pub async fn record(
    conn: &mut AnyConnection,
    mobile: &MobileNumber,
    address: IpAddr,
    at_ms: i64,
    forget_until_ms: i64,
) -> StorageResult<()> {
    sqlx::query(
        "INSERT INTO login_failures (kind, subject, failed_at) VALUES ($1, $2, $5), ($3, $4, $5)",
    )
    .bind(KeyKind::Mobile.as_str())
    .bind(mobile.as_str())
    .bind(KeyKind::Address.as_str())
    .bind(address.to_string())
    .bind(at_ms)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM login_failures WHERE failed_at <= $1")
        .bind(forget_until_ms)
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets the failures of `mobile` (a login with it succeeded); its address's stay.
pub async fn clear(conn: &mut AnyConnection, mobile: &MobileNumber) -> StorageResult<()> {
    sqlx::query("DELETE FROM login_failures WHERE kind = $1 AND subject = $2")
        .bind(KeyKind::Mobile.as_str())
        .bind(mobile.as_str())
        .execute(conn)
        .await?;
    Ok(())
}
