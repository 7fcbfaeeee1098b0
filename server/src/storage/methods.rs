//! The card tokens the ledger needs from the `methods` table (bound cards: a gateway token, the
//! bank and the last four digits, never the number).

use sqlx::AnyConnection;

use crate::storage::StorageResult;

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
