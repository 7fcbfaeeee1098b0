//! The charge queue (`charges`): one row per intent that holds its person-year and still needs
//! the bank's answer. The ledger enqueues in the transaction that takes the year and deletes in
//! the one that settles it; workers in every server process claim rows for a lease. Nothing
//! about a charge lives only in one process's memory: a process killed mid-charge leaves its
//! rows, their leases run out, and another worker charges again (the order id makes it the
//! same order at the bank).

use sqlx::AnyConnection;
use uuid::Uuid;

use super::{Backend, Db, StorageError, StorageResult};
use crate::payments::states::IntentStatus;

/// A claimed charge: the intent to ask the bank about, and how many times it has been tried
/// (this claim included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claimed {
    pub intent_id: Uuid,
    pub attempts: i64,
}

fn claimed(row: (String, i64)) -> StorageResult<Claimed> {
    let intent_id = Uuid::parse_str(&row.0).map_err(|_| StorageError::corrupt("charge", row.0))?;
    Ok(Claimed {
        intent_id,
        attempts: row.1,
    })
}

/// Queues a charge, due at once, for any worker. Runs in the transaction that took the
/// person-year.
pub async fn enqueue(conn: &mut AnyConnection, intent_id: Uuid, now_ms: i64) -> StorageResult<()> {
    enqueue_leased(conn, intent_id, now_ms, 0).await.map(|_| ())
}

/// Queues a charge already claimed by the caller until `lease_until` (the sync that queues it
/// asks the bank at once, without a second transaction to claim it). Should the caller die,
/// the lease runs out and any worker takes the charge.
pub async fn enqueue_leased(
    conn: &mut AnyConnection,
    intent_id: Uuid,
    now_ms: i64,
    lease_until: i64,
) -> StorageResult<Claimed> {
    let attempts = i64::from(lease_until > 0);
    sqlx::query(
        "INSERT INTO charges (intent_id, due_at, lease_until, attempts) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (intent_id) DO NOTHING",
    )
    .bind(intent_id.to_string())
    .bind(now_ms)
    .bind(lease_until)
    .bind(attempts)
    .execute(conn)
    .await?;
    Ok(Claimed {
        intent_id,
        attempts,
    })
}

/// Queues the charges of several intents at once, each already claimed by the caller until
/// `lease_until`, as [`enqueue_leased`] does for one: a sync's push queues its charges in one
/// statement.
pub async fn enqueue_leased_many(
    conn: &mut AnyConnection,
    intent_ids: &[Uuid],
    now_ms: i64,
    lease_until: i64,
) -> StorageResult<Vec<Claimed>> {
    if intent_ids.is_empty() {
        return Ok(vec![]);
    }
    let attempts = i64::from(lease_until > 0);
    let rows: Vec<String> = (0..intent_ids.len())
        .map(|i| format!("(${}, $1, $2, $3)", 4 + i))
        .collect();
    let sql = format!(
        "INSERT INTO charges (intent_id, due_at, lease_until, attempts) VALUES {} \
         ON CONFLICT (intent_id) DO NOTHING",
        rows.join(", ")
    );
    let mut query = sqlx::query(&sql)
        .bind(now_ms)
        .bind(lease_until)
        .bind(attempts);
    for id in intent_ids {
        query = query.bind(id.to_string());
    }
    query.execute(conn).await?;
    Ok(intent_ids
        .iter()
        .map(|&intent_id| Claimed {
            intent_id,
            attempts,
        })
        .collect())
}

/// Done with: these intents are settled. Runs in the settling transaction, one statement for
/// a batch of the bank's answers.
pub async fn remove_many(conn: &mut AnyConnection, intent_ids: &[Uuid]) -> StorageResult<()> {
    if intent_ids.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "DELETE FROM charges WHERE intent_id IN ({})",
        super::placeholders(1, intent_ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in intent_ids {
        query = query.bind(id.to_string());
    }
    query.execute(conn).await?;
    Ok(())
}

/// Claims up to `limit` due charges that no live lease holds, for `lease_ms`. On PostgreSQL
/// `FOR UPDATE SKIP LOCKED` lets the workers of every process claim side by side without
/// waiting on each other's rows; SQLite has one writer, so the plain query is just as safe.
pub async fn claim_due(
    db: &Db,
    now_ms: i64,
    lease_ms: i64,
    limit: i64,
) -> StorageResult<Vec<Claimed>> {
    let lock = match db.backend {
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE charges SET lease_until = $1, attempts = attempts + 1 WHERE intent_id IN \
         (SELECT intent_id FROM charges WHERE due_at <= $2 AND lease_until <= $2 \
          ORDER BY due_at LIMIT $3 {lock}) \
         RETURNING intent_id, attempts"
    );
    let mut tx = db.begin_write().await?;
    let rows: Vec<(String, i64)> = sqlx::query_as(&sql)
        .bind(now_ms + lease_ms)
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&mut **tx)
        .await?;
    tx.commit().await?;
    rows.into_iter().map(claimed).collect()
}

/// Claims these charges, those of them queued and held by no live lease: the sync that just
/// queued them asks the bank at once instead of waiting for a worker's next round.
pub async fn claim(
    db: &Db,
    intent_ids: &[Uuid],
    now_ms: i64,
    lease_ms: i64,
) -> StorageResult<Vec<Claimed>> {
    if intent_ids.is_empty() {
        return Ok(vec![]);
    }
    let list = (0..intent_ids.len())
        .map(|i| format!("${}", i + 3))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "UPDATE charges SET lease_until = $1, attempts = attempts + 1 \
         WHERE lease_until <= $2 AND intent_id IN ({list}) RETURNING intent_id, attempts"
    );
    let mut query = sqlx::query_as(&sql).bind(now_ms + lease_ms).bind(now_ms);
    for id in intent_ids {
        query = query.bind(id.to_string());
    }
    let mut tx = db.begin_write().await?;
    let rows: Vec<(String, i64)> = query.fetch_all(&mut **tx).await?;
    tx.commit().await?;
    rows.into_iter().map(claimed).collect()
}

/// What the bank is asked for one queued charge: the order (the intent id), its amount, the
/// year it pays, and the card token it was decided with (`None`: the card is gone).
#[derive(Debug, Clone)]
pub struct Order {
    pub intent_id: Uuid,
    pub amount_fen: i64,
    pub year: i32,
    pub token: Option<String>,
}

/// The orders of those of `intent_ids` still charging, in one query; the queue entries of the
/// others (settled meanwhile by a notification or a query) are removed.
pub async fn orders(conn: &mut AnyConnection, intent_ids: &[Uuid]) -> StorageResult<Vec<Order>> {
    if intent_ids.is_empty() {
        return Ok(vec![]);
    }
    let list = (0..intent_ids.len())
        .map(|i| format!("${}", i + 2))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT i.id, i.tier_fen, i.year, m.gateway_token FROM intents i \
         LEFT JOIN methods m ON m.id = i.method_id WHERE i.state = $1 AND i.id IN ({list})"
    );
    let mut query = sqlx::query_as(&sql).bind(IntentStatus::Charging.as_str());
    for id in intent_ids {
        query = query.bind(id.to_string());
    }
    let rows: Vec<(String, i64, i64, Option<String>)> = query.fetch_all(&mut *conn).await?;
    let mut orders = Vec::with_capacity(rows.len());
    for (id, amount_fen, year, token) in rows {
        let intent_id = Uuid::parse_str(&id).map_err(|_| StorageError::corrupt("intent id", id))?;
        orders.push(Order {
            intent_id,
            amount_fen,
            year: year as i32,
            token,
        });
    }
    let gone: Vec<Uuid> = intent_ids
        .iter()
        .filter(|id| !orders.iter().any(|o| o.intent_id == **id))
        .copied()
        .collect();
    remove_many(conn, &gone).await?;
    Ok(orders)
}

/// Gives a claimed charge back, due again at `due_ms` (the bank could not be reached, or has
/// not decided yet).
pub async fn retry_at(db: &Db, intent_id: Uuid, due_ms: i64) -> StorageResult<()> {
    sqlx::query("UPDATE charges SET due_at = $1, lease_until = 0 WHERE intent_id = $2")
        .bind(due_ms)
        .bind(intent_id.to_string())
        .execute(&db.pool)
        .await?;
    Ok(())
}
