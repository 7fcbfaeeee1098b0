//! The `intents` table: payment intents keyed by the client's UUID (the idempotency key),
//! decoded into [`Intent`] with its typed [`IntentStatus`]. Every state is bound, never
//! spelled in SQL; the ledger decides, this module only reads and writes.

use std::collections::HashSet;

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;
use yanglao_shared::money::Money;
use yanglao_shared::{Reason, TierAmount};

use crate::payments::states::IntentStatus::{self, AwaitingPayment, Charging, Waiting};
use crate::storage::{Backend, StorageError, StorageResult, WriteTx};

/// An intent as the ledger knows it.
#[derive(Debug, Clone)]
pub struct Intent {
    pub id: Uuid,
    pub account_id: String,
    pub payee_id: Uuid,
    /// Set once the payee matched the roster.
    pub resident_id: Option<String>,
    pub year: i32,
    pub tier: TierAmount,
    pub method_id: Option<String>,
    pub status: IntentStatus,
    pub reason: Option<Reason>,
    pub receipt_no: Option<String>,
    pub paid_at: Option<i64>,
    /// The policy version that decided it on arrival, and decides it until it is final (an
    /// intent from before versions: 1, the built-in table).
    pub policy_version: u32,
}

/// What an arriving intent is stored with.
pub struct NewIntent<'a> {
    pub id: Uuid,
    pub account_id: &'a str,
    pub payee_id: Uuid,
    pub resident_id: Option<&'a str>,
    pub year: i32,
    pub tier: TierAmount,
    pub method_id: Option<&'a str>,
    /// The phone's own time, kept as sent (RFC 3339), for the record only.
    pub prepared_at: String,
    pub policy_version: u32,
}

const COLUMNS: &str = "id, account_id, payee_id, resident_id, year, tier_fen, method_id, state, \
                       reason_code, reason_zh, reason_en, receipt_no, paid_at, policy_version";

fn uuid(text: String, what: &'static str) -> StorageResult<Uuid> {
    Uuid::parse_str(&text).map_err(|_| StorageError::corrupt(what, text))
}

fn decode(r: &AnyRow) -> StorageResult<Intent> {
    let reason = match r.try_get::<Option<String>, _>("reason_code")? {
        Some(code) => Some(Reason {
            code,
            zh: r
                .try_get::<Option<String>, _>("reason_zh")?
                .unwrap_or_default(),
            en: r
                .try_get::<Option<String>, _>("reason_en")?
                .unwrap_or_default(),
        }),
        None => None,
    };
    let state: String = r.try_get("state")?;
    let tier_fen: i64 = r.try_get("tier_fen")?;
    let tier = Money::from_fen(tier_fen)
        .ok()
        .and_then(|m| TierAmount::try_from(m).ok())
        .ok_or_else(|| StorageError::corrupt("tier_fen", tier_fen))?;
    Ok(Intent {
        id: uuid(r.try_get("id")?, "intent id")?,
        account_id: r.try_get("account_id")?,
        payee_id: uuid(r.try_get("payee_id")?, "payee id")?,
        resident_id: r.try_get("resident_id")?,
        year: r.try_get::<i64, _>("year")? as i32,
        tier,
        method_id: r.try_get("method_id")?,
        status: IntentStatus::parse(&state).ok_or_else(|| StorageError::corrupt("state", state))?,
        reason,
        receipt_no: r.try_get("receipt_no")?,
        paid_at: r.try_get("paid_at")?,
        policy_version: r
            .try_get::<Option<i64>, _>("policy_version")?
            .map_or(Ok(1), u32::try_from)
            .map_err(|_| StorageError::corrupt("policy_version", "out of range"))?,
    })
}

pub async fn load(conn: &mut AnyConnection, id: Uuid) -> StorageResult<Option<Intent>> {
    let sql = format!("SELECT {COLUMNS} FROM intents WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(decode).transpose()
}

/// The intent, and whether a worker holds a live lease on its charge (`now_ms` before the
/// lease's end), in one read: what a bank notification asks first.
pub async fn load_with_lease(
    conn: &mut AnyConnection,
    id: Uuid,
    now_ms: i64,
) -> StorageResult<Option<(Intent, bool)>> {
    let sql = format!(
        "SELECT {COLUMNS}, EXISTS (SELECT 1 FROM charges c WHERE c.intent_id = intents.id \
         AND c.lease_until > $2) AS leased FROM intents WHERE id = $1"
    );
    let row = sqlx::query(&sql)
        .bind(id.to_string())
        .bind(now_ms)
        .fetch_optional(conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    // EXISTS is an integer on SQLite and a boolean on PostgreSQL.
    let leased = match row.try_get::<bool, _>("leased") {
        Ok(leased) => leased,
        Err(_) => row.try_get::<i64, _>("leased")? != 0,
    };
    Ok(Some((decode(&row)?, leased)))
}

/// Several intents by id, in id order; ids not stored are absent.
pub async fn load_many(conn: &mut AnyConnection, ids: &[Uuid]) -> StorageResult<Vec<Intent>> {
    select_many(conn, ids, "").await
}

/// [`load_many`], their rows locked until the transaction ends on PostgreSQL, taken in id
/// order (the order of every writer of the bank's answers); SQLite's one writer needs none.
pub async fn load_many_for_update(
    conn: &mut AnyConnection,
    backend: Backend,
    ids: &[Uuid],
) -> StorageResult<Vec<Intent>> {
    let lock = match backend {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    };
    select_many(conn, ids, lock).await
}

async fn select_many(
    conn: &mut AnyConnection,
    ids: &[Uuid],
    lock: &str,
) -> StorageResult<Vec<Intent>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM intents WHERE id IN ({}) ORDER BY id{lock}",
        super::placeholders(1, ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(id.to_string());
    }
    query.fetch_all(conn).await?.iter().map(decode).collect()
}

/// This account's intents changed after `since` (all of them when `None`).
pub async fn changed_since(
    conn: &mut AnyConnection,
    account_id: &str,
    since: Option<i64>,
) -> StorageResult<Vec<Intent>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM intents WHERE account_id = $1 AND changed_seq > $2 ORDER BY received_at"
    );
    let rows = sqlx::query(&sql)
        .bind(account_id)
        .bind(since.unwrap_or(-1))
        .fetch_all(conn)
        .await?;
    rows.iter().map(decode).collect()
}

/// The intent that has waited longest for a person-year.
pub async fn longest_waiting(
    conn: &mut AnyConnection,
    resident_id: &str,
    year: i32,
) -> StorageResult<Option<Intent>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM intents WHERE resident_id = $1 AND year = $2 AND state = $3 \
         ORDER BY received_at LIMIT 1"
    );
    let row = sqlx::query(&sql)
        .bind(resident_id)
        .bind(i64::from(year))
        .bind(Waiting.as_str())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(decode).transpose()
}

/// Person-years with intents `waiting` since before `cutoff_ms` that no intent is charging:
/// the year is free or paid, so nobody will hand it on (see `ledger::sweep_waiting`).
/// Served by `intents_state` (state, updated_at) and the contributions' primary key.
pub async fn stranded_waiting(
    conn: &mut AnyConnection,
    cutoff_ms: i64,
    limit: i64,
) -> StorageResult<Vec<(String, i32)>> {
    let rows = sqlx::query(
        // The person-year's state as a scalar subquery, not NOT EXISTS: PostgreSQL turns
        // NOT EXISTS into an anti join that reads `contributions` whole when it guesses many
        // waiting intents; a scalar subquery is looked up by primary key for each one.
        "SELECT DISTINCT i.resident_id, i.year FROM intents i WHERE i.state = $1 \
         AND i.updated_at < $2 AND i.resident_id IS NOT NULL AND COALESCE((SELECT c.state \
         FROM contributions c WHERE c.resident_id = i.resident_id AND c.year = i.year), '') \
         <> $3 LIMIT $4",
    )
    .bind(Waiting.as_str())
    .bind(cutoff_ms)
    .bind(crate::payments::states::ContributionStatus::Charging.as_str())
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let year: i64 = r.try_get(1)?;
            let year = i32::try_from(year).map_err(|_| StorageError::corrupt("year", year))?;
            Ok((r.try_get(0)?, year))
        })
        .collect()
}

/// Intents still `charging` that were last touched before `cutoff_ms`, oldest first.
pub async fn charging_before(
    conn: &mut AnyConnection,
    cutoff_ms: i64,
    limit: i64,
) -> StorageResult<Vec<Uuid>> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM intents WHERE state = $1 AND updated_at < $2 ORDER BY updated_at LIMIT $3",
    )
    .bind(Charging.as_str())
    .bind(cutoff_ms)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    ids.into_iter().map(|id| uuid(id, "intent id")).collect()
}

/// An arriving intent with what its arrival decided, for [`insert_many`].
pub struct Arriving<'a> {
    pub new: NewIntent<'a>,
    pub status: IntentStatus,
    pub reason: Option<&'a Reason>,
}

/// Stores arriving intents, all at the account's version `seq`: a sync's push stores its new
/// intents in one statement. Answers the ids stored; an id already there (another account's,
/// since this account's syncs take turns) is left as it was. When all were stored (the common
/// case) the count says so; otherwise one more read says which.
pub async fn insert_many(
    tx: &mut WriteTx,
    account_id: &str,
    rows: &[Arriving<'_>],
    seq: i64,
    now_ms: i64,
) -> StorageResult<HashSet<Uuid>> {
    if rows.is_empty() {
        return Ok(HashSet::new());
    }
    let backend = tx.backend();
    let values: Vec<String> = (0..rows.len())
        .map(|i| format!("({})", super::marks(backend, i, 16).join(", ")))
        .collect();
    // No RETURNING: SQLite's driver hands every returned row across its thread on its own.
    let sql = format!(
        "INSERT INTO intents (id, account_id, payee_id, resident_id, year, tier_fen, \
         method_id, prepared_at, received_at, state, reason_code, reason_zh, reason_en, \
         changed_seq, updated_at, policy_version) VALUES {} ON CONFLICT (id) DO NOTHING",
        values.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for row in rows {
        let (new, reason) = (&row.new, row.reason);
        query = query
            .bind(new.id.to_string())
            .bind(new.account_id)
            .bind(new.payee_id.to_string())
            .bind(new.resident_id)
            .bind(i64::from(new.year))
            .bind(new.tier.money().to_fen())
            .bind(new.method_id)
            .bind(new.prepared_at.as_str())
            .bind(now_ms)
            .bind(row.status.as_str())
            .bind(reason.map(|r| r.code.as_str()))
            .bind(reason.map(|r| r.zh.as_str()))
            .bind(reason.map(|r| r.en.as_str()))
            .bind(seq)
            .bind(now_ms)
            .bind(i64::from(new.policy_version));
    }
    let stored = query.execute(&mut ***tx).await?.rows_affected();
    if stored as usize == rows.len() {
        return Ok(rows.iter().map(|r| r.new.id).collect());
    }
    let sql = format!(
        "SELECT id FROM intents WHERE account_id = $1 AND changed_seq = $2 AND id IN ({})",
        super::placeholders(3, rows.len())
    );
    let mut query = sqlx::query_scalar::<_, String>(&sql)
        .bind(account_id)
        .bind(seq);
    for row in rows {
        query = query.bind(row.new.id.to_string());
    }
    query
        .fetch_all(&mut ***tx)
        .await?
        .into_iter()
        .map(|id| uuid(id, "intent id"))
        .collect()
}

/// An intent decided again (a card given, the person-year freed, the bank declined): its new
/// state and reason, the card when one was given, the resident when it matched one.
pub struct Redecided<'a> {
    pub status: IntentStatus,
    pub reason: Option<&'a Reason>,
    pub method_id: Option<&'a str>,
    pub resident_id: Option<&'a str>,
}

pub async fn redecide(
    conn: &mut AnyConnection,
    id: Uuid,
    to: &Redecided<'_>,
    seq: i64,
    now_ms: i64,
) -> StorageResult<()> {
    sqlx::query(
        "UPDATE intents SET method_id = COALESCE($1, method_id), \
         resident_id = COALESCE($2, resident_id), state = $3, reason_code = $4, reason_zh = $5, \
         reason_en = $6, changed_seq = $7, updated_at = $8 WHERE id = $9",
    )
    .bind(to.method_id)
    .bind(to.resident_id)
    .bind(to.status.as_str())
    .bind(to.reason.map(|r| r.code.clone()))
    .bind(to.reason.map(|r| r.zh.clone()))
    .bind(to.reason.map(|r| r.en.clone()))
    .bind(seq)
    .bind(now_ms)
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// The charging intents of a batch of the bank's answers paid, each with its receipt number
/// and version, in one statement (`UPDATE … FROM (VALUES …)`, which both backends know; a
/// VALUES list's columns are `column1`, `column2`, … on both).
pub async fn settle_paid(
    conn: &mut AnyConnection,
    paid: &[(Uuid, String, i64)],
    now_ms: i64,
) -> StorageResult<()> {
    if paid.is_empty() {
        return Ok(());
    }
    let rows: Vec<String> = (0..paid.len())
        .map(|i| format!("(${}, ${}, ${})", 4 + 3 * i, 5 + 3 * i, 6 + 3 * i))
        .collect();
    let sql = format!(
        "UPDATE intents SET state = $1, receipt_no = v.column2, paid_at = $2, reason_code = NULL, \
         reason_zh = NULL, reason_en = NULL, changed_seq = CAST(v.column3 AS BIGINT), \
         updated_at = $2 FROM (VALUES {}) AS v WHERE intents.id = v.column1 \
         AND intents.state = $3",
        rows.join(", ")
    );
    let mut query = sqlx::query(&sql)
        .bind(IntentStatus::Paid.as_str())
        .bind(now_ms)
        .bind(Charging.as_str());
    for (id, receipt_no, seq) in paid {
        query = query.bind(id.to_string()).bind(receipt_no).bind(*seq);
    }
    query.execute(conn).await?;
    Ok(())
}

/// Every intent still waiting for one of these residents' `year` (or for a card) is told it
/// is not needed: someone paid. One statement for a batch of the bank's answers.
pub async fn not_needed_for(
    conn: &mut AnyConnection,
    resident_ids: &[&str],
    year: i32,
    reason: &Reason,
    seq: i64,
    now_ms: i64,
) -> StorageResult<()> {
    if resident_ids.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "UPDATE intents SET state = $1, reason_code = $2, reason_zh = $3, reason_en = $4, \
         changed_seq = $5, updated_at = $6 WHERE year = $7 AND state IN ($8, $9) \
         AND resident_id IN ({})",
        super::placeholders(10, resident_ids.len())
    );
    let mut query = sqlx::query(&sql)
        .bind(IntentStatus::NotNeeded.as_str())
        .bind(&reason.code)
        .bind(&reason.zh)
        .bind(&reason.en)
        .bind(seq)
        .bind(now_ms)
        .bind(i64::from(year))
        .bind(Waiting.as_str())
        .bind(AwaitingPayment.as_str());
    for id in resident_ids {
        query = query.bind(*id);
    }
    query.execute(conn).await?;
    Ok(())
}
