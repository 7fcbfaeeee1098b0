//! The ledger: payment intents and the contributions they pay for. This is the only code that
//! moves a payment from one state to the next, and it does so in one transaction per step,
//! asking the typed machines of [`states`](crate::payments::states) before every write:
//!
//! ```text
//! arrive ─► failed / not_needed / awaiting_payment      (the rules say no, or no card yet)
//!        └► charging (holds the person-year) ─► paid      (bank says paid: receipt)
//!        └► waiting  (someone else holds it)  └► failed   (bank declines: year released,
//!                                                          the next waiting intent goes on)
//! ```
//!
//! A person-year is charged at most once: the contributions table's primary key (resident, year)
//! is taken by the intent that charges it *before* the bank is asked. The SQL lives in
//! `storage::intents` and `storage::contributions`; this module holds the rules.

use uuid::Uuid;
use yanglao_shared::wire::{is_client_made, IntentResult, IntentState, PaymentIntent};
use yanglao_shared::{decide, Reason, Refusal, TierAmount};

use crate::app::AppState;
use crate::clock::from_ms;
use crate::gateway::{ChargeRequest, OrderStatus};
use crate::payments::states::{
    ContributionEvent, ContributionStatus, IntentEvent, IntentStatus, Verdict,
};
use crate::roster;
use crate::service::{ServiceError, ServiceResult};
use crate::storage::intents::{self, Intent, NewIntent, Redecided};
use crate::storage::{contributions, methods, next_seq, payees, StorageError, WriteTx};

pub use crate::storage::contributions::{year_summary, YearSummary};

/// Refusals by the rules are not errors: they are answers, stored on the intent.
pub type LedgerResult<T> = ServiceResult<T>;

pub async fn load(state: &AppState, id: Uuid) -> LedgerResult<Option<Intent>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(intents::load(&mut conn, id).await?)
}

/// The phone's view of an intent.
pub fn to_wire(intent: &Intent) -> IntentResult {
    let reason = || {
        intent
            .reason
            .clone()
            .unwrap_or_else(|| Reason::new("unknown", "", ""))
    };
    let state = match intent.status {
        IntentStatus::AwaitingPayment => IntentState::AwaitingPayment { reason: reason() },
        IntentStatus::Waiting | IntentStatus::Charging => IntentState::Submitted,
        IntentStatus::Paid => IntentState::Paid {
            receipt_no: intent.receipt_no.clone().unwrap_or_default(),
            amount: intent.tier.money(),
            paid_at: from_ms(intent.paid_at.unwrap_or_default()),
        },
        IntentStatus::Failed => IntentState::Failed { reason: reason() },
        IntentStatus::NotNeeded => IntentState::NotNeeded { reason: reason() },
    };
    IntentResult {
        id: intent.id,
        payee_id: intent.payee_id,
        year: intent.year,
        tier: intent.tier,
        state,
    }
}

/// What an intent asks for, whether it just arrived or waited for its turn.
struct Candidate<'a> {
    id: Uuid,
    account_id: &'a str,
    payee_id: Uuid,
    year: i32,
    tier: TierAmount,
    method_id: Option<&'a str>,
}

/// Where the rules, the card and the ledger put an intent.
struct Outcome {
    verdict: Verdict,
    reason: Option<Reason>,
    resident_id: Option<String>,
}

impl Outcome {
    fn new(verdict: Verdict, reason: Option<Reason>, resident_id: Option<String>) -> Self {
        Self {
            verdict,
            reason,
            resident_id,
        }
    }
}

/// Decides an intent and, when it may be charged, takes the person-year for it. Runs inside
/// the caller's write transaction.
async fn evaluate(tx: &mut WriteTx, state: &AppState, c: &Candidate<'_>) -> LedgerResult<Outcome> {
    let payee = payees::resident_of(tx, c.account_id, c.payee_id).await?;
    let Some(payee) = payee else {
        let reason = Reason::new(
            "unknown_payee",
            "找不到这位缴费人员（可能已从列表中删除），本次没有扣款。请重新添加后再缴费。",
            "This person is not on your list (removed?); nothing was charged.",
        );
        return Ok(Outcome::new(Verdict::Refused, Some(reason), None));
    };
    let Some(resident) = (match payee {
        Some(rid) => roster::by_id(tx, &rid).await?,
        None => None,
    }) else {
        let reason = crate::payments::payees::no_match();
        return Ok(Outcome::new(Verdict::Refused, Some(reason), None));
    };
    let facts = roster::facts(tx, &resident).await?;
    let policy = state
        .policies
        .lookup(&state.region, c.year)
        .or_else(|_| state.current_policy())?;
    let rid = Some(resident.id.clone());
    if let Err(refusals) = decide(policy, &facts, c.year, c.tier, state.now()) {
        if refusals
            .iter()
            .any(|r| matches!(r, Refusal::AlreadyPaid { .. }))
        {
            let reason = Some(paid_by_someone(c.year));
            return Ok(Outcome::new(Verdict::AlreadyPaid, reason, rid));
        }
        return Ok(Outcome::new(
            Verdict::Refused,
            Some(combined(&refusals)),
            rid,
        ));
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
        return Ok(Outcome::new(Verdict::NoCard, Some(reason), rid));
    }
    ContributionStatus::transition(None, ContributionEvent::Take)?;
    let id = c.id.to_string();
    let now = state.clock.now_ms();
    let amount = c.tier.money().to_fen();
    if contributions::take(tx, &resident.id, c.year, amount, &id, now).await? {
        return Ok(Outcome::new(Verdict::TookYear, None, rid));
    }
    Ok(
        match contributions::status(tx, &resident.id, c.year).await? {
            Some(ContributionStatus::Paid) => {
                Outcome::new(Verdict::AlreadyPaid, Some(paid_by_someone(c.year)), rid)
            }
            _ => Outcome::new(Verdict::YearHeld, None, rid),
        },
    )
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
) -> LedgerResult<IntentResult> {
    if !is_client_made(intent.id) {
        return Ok(refused_id(
            intent,
            "invalid_id",
            "这笔缴费的编号无效，本次未处理，也没有扣款。请重新发起缴费。",
        ));
    }
    let method_id = intent.method_id.map(|m| m.to_string());
    let candidate = Candidate {
        id: intent.id,
        account_id,
        payee_id: intent.payee_id,
        year: intent.year,
        tier: intent.tier,
        method_id: method_id.as_deref(),
    };
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let existing = intents::load(&mut tx, intent.id).await?;
    let status = match &existing {
        Some(row) if row.account_id != account_id => {
            return Ok(refused_id(
                intent,
                "id_conflict",
                "编号冲突，请重新发起缴费",
            ));
        }
        Some(row)
            if row.payee_id != intent.payee_id
                || row.year != intent.year
                || row.tier != intent.tier =>
        {
            return Ok(refused_id(
                intent,
                "idempotency_conflict",
                "这笔缴费的编号已用于另一笔内容不同的缴费，本次未处理，也没有扣款。",
            ));
        }
        // Waiting for a card, and now one is given: carry on as if it just arrived.
        Some(row) if row.status == IntentStatus::AwaitingPayment && method_id.is_some() => {
            let outcome = evaluate(&mut tx, state, &candidate).await?;
            let next = row
                .status
                .transition(IntentEvent::CardGiven(outcome.verdict))?;
            let seq = next_seq(&mut tx).await?;
            let to = Redecided {
                status: next,
                reason: outcome.reason.as_ref(),
                method_id: method_id.as_deref(),
                resident_id: outcome.resident_id.as_deref(),
            };
            intents::redecide(&mut tx, intent.id, &to, seq, now).await?;
            Some(next)
        }
        Some(_) => None,
        None => {
            let outcome = evaluate(&mut tx, state, &candidate).await?;
            let status = IntentStatus::arrive(outcome.verdict);
            let seq = next_seq(&mut tx).await?;
            let new = NewIntent {
                id: intent.id,
                account_id,
                payee_id: intent.payee_id,
                resident_id: outcome.resident_id.as_deref(),
                year: intent.year,
                tier: intent.tier,
                method_id: method_id.as_deref(),
                prepared_at: intent
                    .prepared_at
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default(),
            };
            intents::insert(&mut tx, &new, status, outcome.reason.as_ref(), seq, now).await?;
            Some(status)
        }
    };
    tx.commit().await?;
    if status == Some(IntentStatus::Charging) {
        charge(state, intent.id).await;
    }
    let stored = load(state, intent.id).await?;
    let stored = stored.ok_or_else(|| StorageError::corrupt("intent", "vanished after commit"))?;
    Ok(to_wire(&stored))
}

/// Asks the bank to charge a `charging` intent, applies its answer, and goes on with any
/// intent that a decline let through. A bank that cannot be reached leaves the intent for
/// reconciliation.
pub async fn charge(state: &AppState, first: Uuid) {
    let mut next = Some(first);
    while let Some(id) = next.take() {
        next = match charge_once(state, id).await {
            Ok(promoted) => promoted,
            Err(e) => {
                tracing::warn!(intent = %id, error = %e, cause = ?std::error::Error::source(&e), "charge left for reconciliation");
                None
            }
        };
    }
}

async fn charge_once(state: &AppState, id: Uuid) -> LedgerResult<Option<Uuid>> {
    let mut conn = state.db.pool.acquire().await?;
    let Some(row) = intents::load(&mut conn, id).await? else {
        return Ok(None);
    };
    if row.status != IntentStatus::Charging {
        return Ok(None);
    }
    let token = match &row.method_id {
        Some(m) => methods::gateway_token(&mut conn, m).await?,
        None => None,
    };
    drop(conn);
    let status = match token {
        Some(token) => {
            let request = ChargeRequest {
                order_id: id,
                token,
                amount_fen: row.tier.money().to_fen(),
                description: format!("{}年度城乡居民基本养老保险费", row.year),
            };
            state.gateway.charge(&request).await?
        }
        None => OrderStatus::Declined {
            code: "card_unknown".into(),
            message: "银行卡已失效".into(),
        },
    };
    apply(state, id, &status).await
}

/// The bank's signed notification about an order, checked against what the ledger asked for
/// before anything moves: the order must be one of ours and being charged, a payment must be
/// for the amount asked, and a decline (which frees the person-year for someone else) is
/// believed only when the bank's own query says so too. A repeat of what was already applied
/// is accepted and changes nothing.
pub async fn notified(state: &AppState, id: Uuid, said: &OrderStatus) -> ServiceResult<()> {
    let intent = load(state, id).await?.ok_or(ServiceError::NotFound)?;
    let asked = intent.tier.money().to_fen();
    let wrong_amount = |fen: i64| {
        tracing::error!(intent = %id, asked, notified = fen, "bank notification with another amount");
        ServiceError::conflict("amount_mismatch", "通知的金额与订单不符，未处理")
    };
    let status = match said {
        OrderStatus::Paid { amount_fen, .. } if *amount_fen != asked => {
            return Err(wrong_amount(*amount_fen))
        }
        OrderStatus::Declined { .. } => match state.gateway.query(id).await? {
            OrderStatus::Paid { amount_fen, .. } if amount_fen != asked => {
                return Err(wrong_amount(amount_fen))
            }
            confirmed @ (OrderStatus::Paid { .. } | OrderStatus::Declined { .. }) => confirmed,
            OrderStatus::Pending | OrderStatus::Unknown => {
                return Err(ServiceError::conflict(
                    "not_confirmed",
                    "银行查询未确认这笔扣款失败，未处理",
                ))
            }
        },
        other => other.clone(),
    };
    match (intent.status, &status) {
        (_, OrderStatus::Pending) => Ok(()),
        (IntentStatus::Charging, _) => {
            if let Some(next) = apply(state, id, &status).await? {
                charge(state, next).await;
            }
            Ok(())
        }
        (IntentStatus::Paid, OrderStatus::Paid { .. })
        | (IntentStatus::Failed, OrderStatus::Declined { .. }) => Ok(()),
        (held, _) => {
            // The bank says something happened to an order the ledger is not charging: never
            // applied silently (a paid one is money the ledger does not know).
            tracing::error!(intent = %id, ledger = held.as_str(), bank = ?status, "bank and ledger disagree");
            Err(ServiceError::conflict(
                "ledger_state_mismatch",
                "通知与账本中这笔缴费的状态不符，已记录待核对",
            ))
        }
    }
}

/// Applies the bank's word about an order (from a charge, a notification or a query).
/// Idempotent: only a `charging` intent changes. Returns an intent that may now be charged.
pub async fn apply(state: &AppState, id: Uuid, status: &OrderStatus) -> LedgerResult<Option<Uuid>> {
    match status {
        OrderStatus::Paid { .. } => settle_paid(state, id).await.map(|_| None),
        OrderStatus::Declined { code, message } => settle_declined(state, id, code, message).await,
        OrderStatus::Pending | OrderStatus::Unknown => Ok(None),
    }
}

/// The charging intent `id` and the person-year it holds, when it still holds one.
fn holding(row: Option<Intent>) -> Option<(Intent, String)> {
    let row = row.filter(|r| r.status == IntentStatus::Charging)?;
    let resident = row.resident_id.clone()?;
    Some((row, resident))
}

async fn settle_paid(state: &AppState, id: Uuid) -> LedgerResult<()> {
    let mut tx = state.db.begin_write().await?;
    let Some((row, resident_id)) = holding(intents::load(&mut tx, id).await?) else {
        return Ok(());
    };
    row.status.transition(IntentEvent::BankPaid)?;
    ContributionStatus::transition(
        Some(ContributionStatus::Charging),
        ContributionEvent::BankPaid,
    )?;
    let now = state.clock.now_ms();
    let receipt_no = new_receipt_no(row.year);
    let seq = next_seq(&mut tx).await?;
    let intent_id = id.to_string();
    contributions::settle_paid(
        &mut tx,
        &resident_id,
        row.year,
        &intent_id,
        &receipt_no,
        now,
    )
    .await?;
    intents::settle_paid(&mut tx, id, &receipt_no, seq, now).await?;
    // Everyone else who meant to pay this person-year is told it is not needed.
    let reason = paid_by_someone(row.year);
    intents::not_needed_for(&mut tx, &resident_id, row.year, &reason, seq, now).await?;
    // Every payer's view of this person now says "paid this year".
    payees::touch_resident(&mut tx, &resident_id, seq).await?;
    tx.commit().await?;
    Ok(())
}

async fn settle_declined(
    state: &AppState,
    id: Uuid,
    code: &str,
    message: &str,
) -> LedgerResult<Option<Uuid>> {
    let mut tx = state.db.begin_write().await?;
    let Some((row, resident_id)) = holding(intents::load(&mut tx, id).await?) else {
        return Ok(None);
    };
    let failed = row.status.transition(IntentEvent::BankDeclined)?;
    ContributionStatus::transition(
        Some(ContributionStatus::Charging),
        ContributionEvent::BankDeclined,
    )?;
    let now = state.clock.now_ms();
    contributions::release(&mut tx, &resident_id, row.year, &id.to_string()).await?;
    let seq = next_seq(&mut tx).await?;
    let reason = Reason::new(
        &format!("declined_{code}"),
        format!("银行未能扣款：{message}。这次没有扣款，可以换一张卡再缴。"),
        format!("The bank declined the payment ({code}); nothing was charged."),
    );
    let to = Redecided {
        status: failed,
        reason: Some(&reason),
        method_id: None,
        resident_id: None,
    };
    intents::redecide(&mut tx, id, &to, seq, now).await?;
    // The year is free again: the longest-waiting intent for it gets its turn.
    let mut promoted = None;
    if let Some(next) = intents::longest_waiting(&mut tx, &resident_id, row.year).await? {
        let candidate = Candidate {
            id: next.id,
            account_id: &next.account_id,
            payee_id: next.payee_id,
            year: next.year,
            tier: next.tier,
            method_id: next.method_id.as_deref(),
        };
        let outcome = evaluate(&mut tx, state, &candidate).await?;
        let status = next
            .status
            .transition(IntentEvent::YearFreed(outcome.verdict))?;
        let to = Redecided {
            status,
            reason: outcome.reason.as_ref(),
            method_id: None,
            resident_id: None,
        };
        intents::redecide(&mut tx, next.id, &to, seq, now).await?;
        if status == IntentStatus::Charging {
            promoted = Some(next.id);
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
