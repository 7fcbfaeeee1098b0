//! The ledger: payment intents and the contributions they pay for. This is the only code that
//! moves a payment from one state to the next, and it does so in one transaction per step:
//!
//! ```text
//! arrive ─► failed / not_needed / awaiting_payment      (the rules say no, or no card yet)
//!        └► charging (holds the person-year) ─► paid      (bank says paid: receipt)
//!        └► waiting  (someone else holds it)  └► failed   (bank declines: year released,
//!                                                          the next waiting intent goes on)
//! ```
//!
//! A person-year is charged at most once: the contributions table's primary key (resident, year)
//! is taken by the intent that charges it *before* the bank is asked.

use sqlx::{AnyConnection, Row};
use uuid::Uuid;
use yanglao_shared::money::Money;
use yanglao_shared::wire::{IntentResult, IntentState, PaymentIntent};
use yanglao_shared::{decide, Reason, Refusal, TierAmount};

use crate::app::AppState;
use crate::clock::from_ms;
use crate::gateway::{ChargeRequest, OrderStatus};
use crate::http::error::{ApiError, ApiResult};
use crate::payments::methods;
use crate::roster;
use crate::storage::{next_seq, WriteTx};

/// An intent as stored.
#[derive(Debug, Clone)]
pub struct IntentRow {
    pub id: String,
    pub account_id: String,
    pub payee_id: String,
    pub resident_id: Option<String>,
    pub year: i32,
    pub tier_fen: i64,
    pub method_id: Option<String>,
    pub state: String,
    pub reason: Option<Reason>,
    pub receipt_no: Option<String>,
    pub paid_at: Option<i64>,
}

const COLUMNS: &str = "id, account_id, payee_id, resident_id, year, tier_fen, method_id, state, \
                       reason_code, reason_zh, reason_en, receipt_no, paid_at";

fn from_row(r: &sqlx::any::AnyRow) -> Result<IntentRow, sqlx::Error> {
    let code: Option<String> = r.try_get("reason_code")?;
    let reason = match code {
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
    Ok(IntentRow {
        id: r.try_get("id")?,
        account_id: r.try_get("account_id")?,
        payee_id: r.try_get("payee_id")?,
        resident_id: r.try_get("resident_id")?,
        year: r.try_get::<i64, _>("year")? as i32,
        tier_fen: r.try_get("tier_fen")?,
        method_id: r.try_get("method_id")?,
        state: r.try_get("state")?,
        reason,
        receipt_no: r.try_get("receipt_no")?,
        paid_at: r.try_get("paid_at")?,
    })
}

pub async fn load(conn: &mut AnyConnection, id: &str) -> Result<Option<IntentRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM intents WHERE id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(conn).await?;
    row.as_ref().map(from_row).transpose()
}

/// This account's intents changed after `since` (all of them when `None`).
pub async fn changed_since(
    conn: &mut AnyConnection,
    account_id: &str,
    since: Option<i64>,
) -> Result<Vec<IntentRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM intents WHERE account_id = $1 AND changed_seq > $2 ORDER BY received_at"
    );
    let rows = sqlx::query(&sql)
        .bind(account_id)
        .bind(since.unwrap_or(-1))
        .fetch_all(conn)
        .await?;
    rows.iter().map(from_row).collect()
}

impl IntentRow {
    pub fn to_wire(&self) -> ApiResult<IntentResult> {
        let internal = |e: String| ApiError::Internal(e);
        let reason = || {
            self.reason
                .clone()
                .unwrap_or_else(|| Reason::new("unknown", "", ""))
        };
        let amount = Money::from_fen(self.tier_fen).map_err(|e| internal(e.to_string()))?;
        let state = match self.state.as_str() {
            "awaiting_payment" => IntentState::AwaitingPayment { reason: reason() },
            "waiting" | "charging" => IntentState::Submitted,
            "paid" => IntentState::Paid {
                receipt_no: self.receipt_no.clone().unwrap_or_default(),
                amount,
                paid_at: from_ms(self.paid_at.unwrap_or_default()),
            },
            "failed" => IntentState::Failed { reason: reason() },
            "not_needed" => IntentState::NotNeeded { reason: reason() },
            other => return Err(internal(format!("unknown intent state {other}"))),
        };
        Ok(IntentResult {
            id: parse_uuid(&self.id)?,
            payee_id: parse_uuid(&self.payee_id)?,
            year: self.year,
            tier: TierAmount::try_from(amount).map_err(|e| internal(e.to_string()))?,
            state,
        })
    }
}

fn parse_uuid(s: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(s).map_err(|e| ApiError::Internal(e.to_string()))
}

/// What an intent asks for, whether it just arrived or waited for its turn.
struct Candidate<'a> {
    id: &'a str,
    account_id: &'a str,
    payee_id: &'a str,
    year: i32,
    tier: TierAmount,
    method_id: Option<&'a str>,
}

/// Where the rules, the card and the ledger put an intent.
struct Outcome {
    state: &'static str,
    reason: Option<Reason>,
    resident_id: Option<String>,
}

impl Outcome {
    fn new(state: &'static str, reason: Option<Reason>, resident_id: Option<String>) -> Self {
        Self {
            state,
            reason,
            resident_id,
        }
    }
}

/// Decides an intent and, when it may be charged, takes the person-year for it. Runs inside
/// the caller's write transaction.
async fn evaluate(tx: &mut WriteTx, state: &AppState, c: &Candidate<'_>) -> ApiResult<Outcome> {
    let payee: Option<Option<String>> = sqlx::query_scalar(
        "SELECT resident_id FROM payees WHERE id = $1 AND account_id = $2 AND removed = 0",
    )
    .bind(c.payee_id)
    .bind(c.account_id)
    .fetch_optional(&mut ***tx)
    .await?;
    let Some(payee) = payee else {
        let reason = Reason::new(
            "unknown_payee",
            "找不到这位缴费人员（可能已从列表中删除），本次没有扣款。请重新添加后再缴费。",
            "This person is not on your list (removed?); nothing was charged.",
        );
        return Ok(Outcome::new("failed", Some(reason), None));
    };
    let Some(resident) = (match payee {
        Some(rid) => roster::by_id(tx, &rid).await?,
        None => None,
    }) else {
        return Ok(Outcome::new(
            "failed",
            Some(crate::payments::payees::no_match()),
            None,
        ));
    };
    let facts = roster::facts(tx, &resident).await?;
    let policy = state.policy_for(c.year)?;
    let rid = Some(resident.id.clone());
    if let Err(refusals) = decide(policy, &facts, c.year, c.tier, state.now()) {
        if refusals
            .iter()
            .any(|r| matches!(r, Refusal::AlreadyPaid { .. }))
        {
            return Ok(Outcome::new(
                "not_needed",
                Some(paid_by_someone(c.year)),
                rid,
            ));
        }
        return Ok(Outcome::new("failed", Some(combined(&refusals)), rid));
    }
    let token = match c.method_id {
        Some(m) => methods::usable_token(tx, c.account_id, m).await?,
        None => None,
    };
    if token.is_none() {
        let reason = Reason::new(
            "no_payment_method",
            "还没有选择可用的银联卡。请绑定或选择一张银行卡，再点“缴费”。",
            "No usable UnionPay card yet: bind or choose one, then pay.",
        );
        return Ok(Outcome::new("awaiting_payment", Some(reason), rid));
    }
    let taken = sqlx::query(
        "INSERT INTO contributions (resident_id, year, amount_fen, state, intent_id, \
         back_payment, created_at) VALUES ($1, $2, $3, 'charging', $4, 0, $5) \
         ON CONFLICT (resident_id, year) DO NOTHING",
    )
    .bind(&resident.id)
    .bind(i64::from(c.year))
    .bind(c.tier.money().to_fen())
    .bind(c.id)
    .bind(state.clock.now_ms())
    .execute(&mut ***tx)
    .await?;
    if taken.rows_affected() == 1 {
        return Ok(Outcome::new("charging", None, rid));
    }
    let holder: Option<String> =
        sqlx::query_scalar("SELECT state FROM contributions WHERE resident_id = $1 AND year = $2")
            .bind(&resident.id)
            .bind(i64::from(c.year))
            .fetch_optional(&mut ***tx)
            .await?;
    Ok(match holder.as_deref() {
        Some("paid") => Outcome::new("not_needed", Some(paid_by_someone(c.year)), rid),
        _ => Outcome::new("waiting", None, rid),
    })
}

fn paid_by_someone(year: i32) -> Reason {
    Reason::new(
        "paid_by_someone_else",
        format!("此人{year}年的保险费已经有人缴过了（可能是家人代缴），这次不会扣款。"),
        format!(
            "{year} is already paid for this person (perhaps by a relative); nothing was charged."
        ),
    )
}

fn combined(refusals: &[Refusal]) -> Reason {
    let code = refusals.first().map(Refusal::code).unwrap_or("refused");
    let zh = refusals
        .iter()
        .map(Refusal::zh)
        .collect::<Vec<_>>()
        .join("\n");
    let en = refusals
        .iter()
        .map(Refusal::en)
        .collect::<Vec<_>>()
        .join("\n");
    Reason::new(code, zh, en)
}

/// An answer for an intent whose id cannot be used; nothing is written.
fn refused_id(intent: &PaymentIntent, code: &str, zh: &str) -> IntentResult {
    IntentResult {
        id: intent.id,
        payee_id: intent.payee_id,
        year: intent.year,
        tier: intent.tier,
        state: IntentState::Failed {
            reason: Reason::new(code, zh, code),
        },
    }
}

/// Takes an intent from a client. Idempotent: the same id answers the same, and is never
/// charged twice; the same id with other content is refused and changes nothing.
pub async fn submit(
    state: &AppState,
    account_id: &str,
    intent: &PaymentIntent,
) -> ApiResult<IntentResult> {
    let id = intent.id.to_string();
    let payee_id = intent.payee_id.to_string();
    let method_id = intent.method_id.map(|m| m.to_string());
    let candidate = Candidate {
        id: &id,
        account_id,
        payee_id: &payee_id,
        year: intent.year,
        tier: intent.tier,
        method_id: method_id.as_deref(),
    };
    let mut tx = state.db.begin_write().await?;
    let existing = load(&mut tx, &id).await?;
    let outcome = match &existing {
        Some(row) if row.account_id != account_id => {
            return Ok(refused_id(
                intent,
                "id_conflict",
                "编号冲突，请重新发起缴费",
            ));
        }
        Some(row)
            if row.payee_id != payee_id
                || row.year != intent.year
                || row.tier_fen != intent.tier.money().to_fen() =>
        {
            return Ok(refused_id(
                intent,
                "idempotency_conflict",
                "这笔缴费的编号已用于另一笔内容不同的缴费，本次未处理，也没有扣款。",
            ));
        }
        // Waiting for a card, and now one is given: carry on as if it just arrived.
        Some(row) if row.state == "awaiting_payment" && method_id.is_some() => {
            let outcome = evaluate(&mut tx, state, &candidate).await?;
            let seq = next_seq(&mut tx).await?;
            sqlx::query(
                "UPDATE intents SET method_id = $1, resident_id = $2, state = $3, reason_code = $4, \
                 reason_zh = $5, reason_en = $6, changed_seq = $7, updated_at = $8 WHERE id = $9",
            )
            .bind(method_id.as_deref())
            .bind(outcome.resident_id.as_deref())
            .bind(outcome.state)
            .bind(outcome.reason.as_ref().map(|r| r.code.clone()))
            .bind(outcome.reason.as_ref().map(|r| r.zh.clone()))
            .bind(outcome.reason.as_ref().map(|r| r.en.clone()))
            .bind(seq)
            .bind(state.clock.now_ms())
            .bind(&id)
            .execute(&mut **tx)
            .await?;
            Some(outcome)
        }
        Some(_) => None,
        None => {
            let outcome = evaluate(&mut tx, state, &candidate).await?;
            let seq = next_seq(&mut tx).await?;
            sqlx::query(
                "INSERT INTO intents (id, account_id, payee_id, resident_id, year, tier_fen, \
                 method_id, prepared_at, received_at, state, reason_code, reason_zh, reason_en, \
                 changed_seq, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $9) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(&id)
            .bind(account_id)
            .bind(&payee_id)
            .bind(outcome.resident_id.as_deref())
            .bind(i64::from(intent.year))
            .bind(intent.tier.money().to_fen())
            .bind(method_id.as_deref())
            .bind(
                intent
                    .prepared_at
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default(),
            )
            .bind(state.clock.now_ms())
            .bind(outcome.state)
            .bind(outcome.reason.as_ref().map(|r| r.code.clone()))
            .bind(outcome.reason.as_ref().map(|r| r.zh.clone()))
            .bind(outcome.reason.as_ref().map(|r| r.en.clone()))
            .bind(seq)
            .execute(&mut **tx)
            .await?;
            Some(outcome)
        }
    };
    tx.commit().await?;
    if outcome.is_some_and(|o| o.state == "charging") {
        charge(state, &id).await;
    }
    let mut conn = state.db.pool.acquire().await?;
    load(&mut conn, &id)
        .await?
        .ok_or(ApiError::NotFound)?
        .to_wire()
}

/// Asks the bank to charge a `charging` intent, applies its answer, and goes on with any
/// intent that a decline let through. A bank that cannot be reached leaves the intent for
/// reconciliation.
pub async fn charge(state: &AppState, first: &str) {
    let mut next = Some(first.to_owned());
    while let Some(id) = next.take() {
        next = match charge_once(state, &id).await {
            Ok(promoted) => promoted,
            Err(e) => {
                tracing::warn!(intent = %id, error = %e, "charge left for reconciliation");
                None
            }
        };
    }
}

async fn charge_once(state: &AppState, id: &str) -> ApiResult<Option<String>> {
    let mut conn = state.db.pool.acquire().await?;
    let Some(row) = load(&mut conn, id).await? else {
        return Ok(None);
    };
    if row.state != "charging" {
        return Ok(None);
    }
    let token: Option<String> = match &row.method_id {
        Some(m) => {
            sqlx::query_scalar("SELECT gateway_token FROM methods WHERE id = $1")
                .bind(m)
                .fetch_optional(&mut *conn)
                .await?
        }
        None => None,
    };
    drop(conn);
    let status = match token {
        Some(token) => {
            let request = ChargeRequest {
                order_id: parse_uuid(id)?,
                token,
                amount_fen: row.tier_fen,
                description: format!("{}年度城乡居民基本养老保险费", row.year),
            };
            state
                .gateway
                .charge(&request)
                .await
                .map_err(|e| ApiError::Internal(format!("gateway: {e}")))?
        }
        None => OrderStatus::Declined {
            code: "card_unknown".into(),
            message: "银行卡已失效".into(),
        },
    };
    apply(state, id, &status).await
}

/// Applies the bank's word about an order (from a charge, a notification or a query).
/// Idempotent: only a `charging` intent changes. Returns an intent that may now be charged.
pub async fn apply(state: &AppState, id: &str, status: &OrderStatus) -> ApiResult<Option<String>> {
    match status {
        OrderStatus::Paid { .. } => settle_paid(state, id).await.map(|_| None),
        OrderStatus::Declined { code, message } => settle_declined(state, id, code, message).await,
        OrderStatus::Pending | OrderStatus::Unknown => Ok(None),
    }
}

async fn settle_paid(state: &AppState, id: &str) -> ApiResult<()> {
    let mut tx = state.db.begin_write().await?;
    let Some(row) = load(&mut tx, id).await? else {
        return Ok(());
    };
    let Some(resident_id) = row.resident_id.clone().filter(|_| row.state == "charging") else {
        return Ok(());
    };
    let now = state.clock.now_ms();
    let receipt_no = new_receipt_no(row.year);
    let seq = next_seq(&mut tx).await?;
    sqlx::query(
        "UPDATE contributions SET state = 'paid', receipt_no = $1, paid_at = $2 \
         WHERE resident_id = $3 AND year = $4 AND intent_id = $5 AND state = 'charging'",
    )
    .bind(&receipt_no)
    .bind(now)
    .bind(&resident_id)
    .bind(i64::from(row.year))
    .bind(id)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE intents SET state = 'paid', receipt_no = $1, paid_at = $2, reason_code = NULL, \
         reason_zh = NULL, reason_en = NULL, changed_seq = $3, updated_at = $2 \
         WHERE id = $4 AND state = 'charging'",
    )
    .bind(&receipt_no)
    .bind(now)
    .bind(seq)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    // Everyone else who meant to pay this person-year is told it is not needed.
    let reason = paid_by_someone(row.year);
    sqlx::query(
        "UPDATE intents SET state = 'not_needed', reason_code = $1, reason_zh = $2, reason_en = $3, \
         changed_seq = $4, updated_at = $5 WHERE resident_id = $6 AND year = $7 \
         AND state IN ('waiting', 'awaiting_payment')",
    )
    .bind(&reason.code)
    .bind(&reason.zh)
    .bind(&reason.en)
    .bind(seq)
    .bind(now)
    .bind(&resident_id)
    .bind(i64::from(row.year))
    .execute(&mut **tx)
    .await?;
    // Every payer's view of this person now says "paid this year".
    sqlx::query("UPDATE payees SET changed_seq = $1 WHERE resident_id = $2")
        .bind(seq)
        .bind(&resident_id)
        .execute(&mut **tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

async fn settle_declined(
    state: &AppState,
    id: &str,
    code: &str,
    message: &str,
) -> ApiResult<Option<String>> {
    let mut tx = state.db.begin_write().await?;
    let Some(row) = load(&mut tx, id).await? else {
        return Ok(None);
    };
    let Some(resident_id) = row.resident_id.clone().filter(|_| row.state == "charging") else {
        return Ok(None);
    };
    let now = state.clock.now_ms();
    sqlx::query(
        "DELETE FROM contributions WHERE resident_id = $1 AND year = $2 AND intent_id = $3 \
         AND state = 'charging'",
    )
    .bind(&resident_id)
    .bind(i64::from(row.year))
    .bind(id)
    .execute(&mut **tx)
    .await?;
    let seq = next_seq(&mut tx).await?;
    let reason = Reason::new(
        &format!("declined_{code}"),
        format!("银行未能扣款：{message}。这次没有扣款，可以换一张卡再缴。"),
        format!("The bank declined the payment ({code}); nothing was charged."),
    );
    sqlx::query(
        "UPDATE intents SET state = 'failed', reason_code = $1, reason_zh = $2, reason_en = $3, \
         changed_seq = $4, updated_at = $5 WHERE id = $6",
    )
    .bind(&reason.code)
    .bind(&reason.zh)
    .bind(&reason.en)
    .bind(seq)
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    // The year is free again: the longest-waiting intent for it gets its turn.
    let waiting = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM intents WHERE resident_id = $1 AND year = $2 AND state = 'waiting' \
         ORDER BY received_at LIMIT 1"
    ))
    .bind(&resident_id)
    .bind(i64::from(row.year))
    .fetch_optional(&mut **tx)
    .await?;
    let mut promoted = None;
    if let Some(next) = waiting.as_ref().map(from_row).transpose()? {
        let tier = Money::from_fen(next.tier_fen)
            .ok()
            .and_then(|m| TierAmount::try_from(m).ok())
            .ok_or_else(|| ApiError::Internal("stored tier is invalid".into()))?;
        let candidate = Candidate {
            id: &next.id,
            account_id: &next.account_id,
            payee_id: &next.payee_id,
            year: next.year,
            tier,
            method_id: next.method_id.as_deref(),
        };
        let outcome = evaluate(&mut tx, state, &candidate).await?;
        sqlx::query(
            "UPDATE intents SET state = $1, reason_code = $2, reason_zh = $3, reason_en = $4, \
             changed_seq = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(outcome.state)
        .bind(outcome.reason.as_ref().map(|r| r.code.clone()))
        .bind(outcome.reason.as_ref().map(|r| r.zh.clone()))
        .bind(outcome.reason.as_ref().map(|r| r.en.clone()))
        .bind(seq)
        .bind(now)
        .bind(&next.id)
        .execute(&mut **tx)
        .await?;
        if outcome.state == "charging" {
            promoted = Some(next.id.clone());
        }
    }
    tx.commit().await?;
    Ok(promoted)
}

/// WD + year + ten digits: short enough to read out over the phone.
fn new_receipt_no(year: i32) -> String {
    let n = Uuid::new_v4().as_u128() % 10_000_000_000;
    format!("WD{year}{n:010}")
}

/// A year's totals, for staff and for checking the ledger from outside (the e2e tests do).
#[derive(Debug, serde::Serialize)]
pub struct YearSummary {
    pub year: i32,
    /// Paid contributions, whatever the channel.
    pub paid: i64,
    pub paid_fen: i64,
    /// Of those, paid through this app (an intent charged them).
    pub paid_in_app: i64,
    /// Of those, back payments (补缴) the town center recorded from a bank receipt.
    pub back_paid: i64,
    /// Person-years held while the bank answers.
    pub charging: i64,
}

pub async fn year_summary(db: &crate::storage::Db, year: i32) -> Result<YearSummary, sqlx::Error> {
    let row = sqlx::query(
        "SELECT \
           CAST(COALESCE(SUM(CASE WHEN state = 'paid' THEN 1 ELSE 0 END), 0) AS BIGINT) AS paid, \
           CAST(COALESCE(SUM(CASE WHEN state = 'paid' THEN amount_fen ELSE 0 END), 0) AS BIGINT) \
             AS paid_fen, \
           CAST(COALESCE(SUM(CASE WHEN state = 'paid' AND intent_id IS NOT NULL THEN 1 ELSE 0 END), 0) \
             AS BIGINT) AS paid_in_app, \
           CAST(COALESCE(SUM(CASE WHEN state = 'paid' AND back_payment = 1 THEN 1 ELSE 0 END), 0) \
             AS BIGINT) AS back_paid, \
           CAST(COALESCE(SUM(CASE WHEN state = 'charging' THEN 1 ELSE 0 END), 0) AS BIGINT) AS charging \
         FROM contributions WHERE year = $1",
    )
    .bind(i64::from(year))
    .fetch_one(&db.pool)
    .await?;
    Ok(YearSummary {
        year,
        paid: row.try_get("paid")?,
        paid_fen: row.try_get("paid_fen")?,
        paid_in_app: row.try_get("paid_in_app")?,
        back_paid: row.try_get("back_paid")?,
        charging: row.try_get("charging")?,
    })
}
