//! The `claims` table: each start of a claim of one's own roster record, with its code's hash,
//! its expiry and its wrong tries (`accounts::claim`). The rate limits are counted here, so
//! they hold across every server process on one database; an account's old starts are
//! deleted when it starts again ([`prune`]).

use sqlx::{AnyConnection, Row};

use crate::accounts::claim::code::ClaimState;
use crate::storage::{StorageError, StorageResult};

/// A start of a claim, to be written.
pub struct NewClaim<'a> {
    pub id: &'a str,
    pub account_id: &'a str,
    pub resident_id: Option<&'a str>,
    pub state: ClaimState,
    pub code_hash: Option<&'a str>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
}

/// A claim that had a code.
#[derive(Debug, Clone)]
pub struct StoredClaim {
    pub id: String,
    pub resident_id: String,
    pub state: ClaimState,
    pub code_hash: String,
    pub wrong_tries: i64,
    pub expires_at: i64,
}

pub async fn insert(conn: &mut AnyConnection, claim: &NewClaim<'_>) -> StorageResult<()> {
    sqlx::query(
        "INSERT INTO claims (id, account_id, resident_id, state, code_hash, created_at, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(claim.id)
    .bind(claim.account_id)
    .bind(claim.resident_id)
    .bind(claim.state.as_str())
    .bind(claim.code_hash)
    .bind(claim.created_at)
    .bind(claim.expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// How many claims this account started since `since_ms`, and when the oldest of them was.
pub async fn starts_since(
    conn: &mut AnyConnection,
    account_id: &str,
    since_ms: i64,
) -> StorageResult<(i64, Option<i64>)> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM claims \
         WHERE account_id = $1 AND created_at > $2",
    )
    .bind(account_id)
    .bind(since_ms)
    .fetch_one(conn)
    .await?;
    Ok((row.try_get("n")?, row.try_get("oldest")?))
}

/// How many codes were made for this resident since `since_ms`, by any account, and when
/// the oldest of them was.
pub async fn codes_since(
    conn: &mut AnyConnection,
    resident_id: &str,
    since_ms: i64,
) -> StorageResult<(i64, Option<i64>)> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM claims \
         WHERE resident_id = $1 AND created_at > $2 AND code_hash IS NOT NULL",
    )
    .bind(resident_id)
    .bind(since_ms)
    .fetch_one(conn)
    .await?;
    Ok((row.try_get("n")?, row.try_get("oldest")?))
}

/// Deletes the account's starts at or before `until_ms`, except the confirmed ones (how its
/// record was proven). Over the `claims_account` index; the limits look back an hour only.
pub async fn prune(conn: &mut AnyConnection, account_id: &str, until_ms: i64) -> StorageResult<()> {
    sqlx::query("DELETE FROM claims WHERE account_id = $1 AND created_at <= $2 AND state <> $3")
        .bind(account_id)
        .bind(until_ms)
        .bind(ClaimState::Confirmed.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends the account's code still waiting, if any: only the newest code counts.
pub async fn supersede(conn: &mut AnyConnection, account_id: &str) -> StorageResult<()> {
    sqlx::query("UPDATE claims SET state = $1 WHERE account_id = $2 AND state = $3")
        .bind(ClaimState::Superseded.as_str())
        .bind(account_id)
        .bind(ClaimState::Sent.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

fn decode(r: &sqlx::any::AnyRow) -> StorageResult<StoredClaim> {
    let state: String = r.try_get("state")?;
    Ok(StoredClaim {
        id: r.try_get("id")?,
        resident_id: r.try_get("resident_id")?,
        state: ClaimState::parse(&state)
            .ok_or_else(|| StorageError::corrupt("claim state", &state))?,
        code_hash: r.try_get("code_hash")?,
        wrong_tries: r.try_get("wrong_tries")?,
        expires_at: r.try_get("expires_at")?,
    })
}

/// The account's newest claim that had a code: its waiting one if it has one (there is at
/// most one, see [`supersede`]), else the newest of the others.
pub async fn newest_with_code(
    conn: &mut AnyConnection,
    account_id: &str,
) -> StorageResult<Option<StoredClaim>> {
    let row = sqlx::query(
        "SELECT id, resident_id, state, code_hash, wrong_tries, expires_at FROM claims \
         WHERE account_id = $1 AND code_hash IS NOT NULL \
         ORDER BY CASE WHEN state = $2 THEN 0 ELSE 1 END, created_at DESC LIMIT 1",
    )
    .bind(account_id)
    .bind(ClaimState::Sent.as_str())
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(decode).transpose()
}

/// Counts a wrong code against a waiting claim, which dies at `max` wrong tries; answers
/// the tries so far, or `None` when the claim was no longer waiting.
pub async fn wrong_try(conn: &mut AnyConnection, id: &str, max: i64) -> StorageResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "UPDATE claims SET wrong_tries = wrong_tries + 1, \
         state = CASE WHEN wrong_tries + 1 >= $2 THEN $3 ELSE state END \
         WHERE id = $1 AND state = $4 RETURNING wrong_tries",
    )
    .bind(id)
    .bind(max)
    .bind(ClaimState::Dead.as_str())
    .bind(ClaimState::Sent.as_str())
    .fetch_optional(conn)
    .await?)
}

/// Moves a claim from `from` to `to` (at `at_ms` when confirmed); `false` when it was not in
/// `from` any more (another request moved it first).
pub async fn mark(
    conn: &mut AnyConnection,
    id: &str,
    from: ClaimState,
    to: ClaimState,
    at_ms: i64,
) -> StorageResult<bool> {
    let confirmed_at = (to == ClaimState::Confirmed).then_some(at_ms);
    let done =
        sqlx::query("UPDATE claims SET state = $1, confirmed_at = $2 WHERE id = $3 AND state = $4")
            .bind(to.as_str())
            .bind(confirmed_at)
            .bind(id)
            .bind(from.as_str())
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}
