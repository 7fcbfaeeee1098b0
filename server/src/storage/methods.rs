//! The `methods` table: bound cards (a gateway token, the bank and the last four digits, never
//! the number), and the tokens the ledger charges.

use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::storage::{StorageError, StorageResult};

/// The token of one of `account_id`'s cards, while it is bound.
pub async fn usable_token(
    conn: &mut AnyConnection,
    account_id: &str,
    method_id: &str,
) -> StorageResult<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT gateway_token FROM methods WHERE id = $1 AND account_id = $2 AND removed = 0",
    )
    .bind(method_id)
    .bind(account_id)
    .fetch_optional(conn)
    .await?)
}

/// The token a charge was decided with, even if the card was removed since: an intent already
/// holding a person-year is charged on the card it was given.
pub async fn gateway_token(
    conn: &mut AnyConnection,
    method_id: &str,
) -> StorageResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT gateway_token FROM methods WHERE id = $1")
            .bind(method_id)
            .fetch_optional(conn)
            .await?,
    )
}

/// A bound card as the account sees it: never the number, nor the token.
#[derive(Debug, Clone)]
pub struct Method {
    pub id: Uuid,
    pub bank: String,
    pub last_four: String,
    pub removed: bool,
}

/// What binding a card stores.
pub struct NewMethod<'a> {
    pub id: Uuid,
    pub account_id: &'a str,
    pub gateway_token: &'a str,
    pub bank: &'a str,
    pub last_four: &'a str,
}

/// The account a card id belongs to (to tell a retry from a clash).
pub async fn owner_of(conn: &mut AnyConnection, id: Uuid) -> StorageResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT account_id FROM methods WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn insert(
    conn: &mut AnyConnection,
    new: &NewMethod<'_>,
    seq: i64,
    now_ms: i64,
) -> StorageResult<()> {
    sqlx::query(
        "INSERT INTO methods (id, account_id, gateway_token, bank, last_four, removed, \
         changed_seq, created_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $7)",
    )
    .bind(new.id.to_string())
    .bind(new.account_id)
    .bind(new.gateway_token)
    .bind(new.bank)
    .bind(new.last_four)
    .bind(seq)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Cards changed after `since` (current ones when `None`, removals too for a synced client).
pub async fn changed_since(
    conn: &mut AnyConnection,
    account_id: &str,
    since: Option<i64>,
) -> StorageResult<Vec<Method>> {
    let rows = sqlx::query(
        "SELECT id, bank, last_four, removed FROM methods WHERE account_id = $1 \
         AND changed_seq > $2 AND (removed = 0 OR $2 >= 0) ORDER BY created_at",
    )
    .bind(account_id)
    .bind(since.unwrap_or(-1))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let id: String = r.try_get("id")?;
            Ok(Method {
                id: Uuid::parse_str(&id).map_err(|_| StorageError::corrupt("method id", id))?,
                bank: r.try_get("bank")?,
                last_four: r.try_get("last_four")?,
                removed: r.try_get::<i64, _>("removed")? == 1,
            })
        })
        .collect()
}
