//! The bank's word about an order, from the answer to a charge, a signed notification or a
//! query, and what it moves: a paid person-year with its receipt, or a declined one freed for
//! the payer who waited longest.

use uuid::Uuid;
use yanglao_shared::Reason;

use super::{evaluate, load, paid_by_someone, Candidate};
use crate::app::AppState;
use crate::gateway::{ChargeRequest, OrderStatus};
use crate::payments::charges::queue_now_ms;
use crate::payments::states::{ContributionEvent, ContributionStatus, IntentEvent, IntentStatus};
use crate::service::{ServiceError, ServiceResult};
use crate::storage::intents::{self, Intent, Redecided};
use crate::storage::{charges, contributions, methods, payees, UNSTAMPED};

/// What asking the bank about a queued charge came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charged {
    /// The intent is settled (or was already); `promoted` is an intent that a decline let
    /// take the person-year, its charge queued.
    Settled { promoted: Option<Uuid> },
    /// The bank has not decided yet (pending, or it has not seen the order): ask again later.
    Undecided,
}

/// Asks the bank to charge a `charging` intent (again, when an earlier attempt got no answer:
/// the order id makes it the same order) and applies its answer. A bank that cannot be
/// reached is an error; the caller gives the charge back to the queue.
pub async fn charge_once(state: &AppState, id: Uuid) -> ServiceResult<Charged> {
    let mut conn = state.db.pool.acquire().await?;
    let Some(row) = intents::load(&mut conn, id).await? else {
        charges::remove(&mut conn, id).await?;
        return Ok(Charged::Settled { promoted: None });
    };
    if row.status != IntentStatus::Charging {
        // Settled by a notification or a query meanwhile: nothing left to ask.
        charges::remove(&mut conn, id).await?;
        return Ok(Charged::Settled { promoted: None });
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
    match status {
        OrderStatus::Pending | OrderStatus::Unknown => Ok(Charged::Undecided),
        decided => Ok(Charged::Settled {
            promoted: apply(state, id, &decided).await?,
        }),
    }
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
            if apply(state, id, &status).await?.is_some() {
                state.charges.wake();
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
/// Idempotent: only a `charging` intent changes. Returns an intent that may now be charged
/// (its charge is queued). The rows it changes belong to payers of any account, so they are
/// marked [`UNSTAMPED`] rather than taking any account's lock.
pub async fn apply(
    state: &AppState,
    id: Uuid,
    status: &OrderStatus,
) -> ServiceResult<Option<Uuid>> {
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

async fn settle_paid(state: &AppState, id: Uuid) -> ServiceResult<()> {
    let mut tx = state.db.begin_write().await?;
    let row = intents::load_for_update(&mut tx, state.db.backend, id).await?;
    let Some((row, resident_id)) = holding(row) else {
        return Ok(());
    };
    row.status.transition(IntentEvent::BankPaid)?;
    ContributionStatus::transition(
        Some(ContributionStatus::Charging),
        ContributionEvent::BankPaid,
    )?;
    let now = state.clock.now_ms();
    let receipt_no = new_receipt_no(row.year);
    let seq = UNSTAMPED;
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
    charges::remove(&mut tx, id).await?;
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
) -> ServiceResult<Option<Uuid>> {
    let mut tx = state.db.begin_write().await?;
    let row = intents::load_for_update(&mut tx, state.db.backend, id).await?;
    let Some((row, resident_id)) = holding(row) else {
        return Ok(None);
    };
    let failed = row.status.transition(IntentEvent::BankDeclined)?;
    ContributionStatus::transition(
        Some(ContributionStatus::Charging),
        ContributionEvent::BankDeclined,
    )?;
    let now = state.clock.now_ms();
    contributions::release(&mut tx, &resident_id, row.year, &id.to_string()).await?;
    charges::remove(&mut tx, id).await?;
    let seq = UNSTAMPED;
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
            charges::enqueue(&mut tx, next.id, queue_now_ms()).await?;
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
