//! The bank's word about an order, from the answer to a charge, a signed notification or a
//! query, and what it moves: a paid person-year with its receipt, or a declined one freed for
//! the payer who waited longest.

use std::collections::{BTreeMap, HashMap};

use uuid::Uuid;
use yanglao_shared::Reason;

use super::{evaluate, paid_by_someone, Candidate, Reads};
use crate::app::AppState;
use crate::gateway::{ChargeRequest, OrderStatus};
use crate::payments::charges::{queue_now_ms, Asking};
use crate::payments::states::{ContributionEvent, ContributionStatus, IntentEvent, IntentStatus};
use crate::service::{ServiceError, ServiceResult};
use crate::storage::intents::{self, Intent, Redecided};
use crate::storage::{charges, contributions, payees, WriteTx, UNSTAMPED};

/// Asks the bank to charge each of these `charging` intents (again, when an earlier attempt
/// got no answer: the order id makes it the same order) and returns the answers, applying
/// nothing: the charge workers apply a batch of answers in one transaction ([`apply_all`]).
/// An intent settled meanwhile (by a notification or a query) is not asked about and has no
/// answer; a bank that cannot be reached is an error for that order. At most
/// [`BANK_CONCURRENCY`](crate::payments::charges::BANK_CONCURRENCY) calls are in flight per
/// process; each order is marked in `asking` before its call.
pub async fn ask_bank(
    state: &AppState,
    ids: &[Uuid],
    asking: &mut Asking<'_>,
) -> ServiceResult<Vec<(Uuid, ServiceResult<OrderStatus>)>> {
    let mut conn = state.db.pool.acquire().await?;
    let orders = charges::orders(&mut conn, ids).await?;
    drop(conn);
    for order in &orders {
        asking.add(order.intent_id, order.amount_fen);
    }
    let permits = state.charges.permits();
    let asked = orders.into_iter().map(|order| async move {
        let _permit = permits.clone().acquire_owned().await;
        let answer = match order.token {
            Some(token) => {
                let request = ChargeRequest {
                    order_id: order.intent_id,
                    token,
                    amount_fen: order.amount_fen,
                    description: format!("{}年度城乡居民基本养老保险费", order.year),
                };
                state.gateway.charge(&request).await.map_err(Into::into)
            }
            None => Ok(OrderStatus::Declined {
                code: "card_unknown".into(),
                message: "银行卡已失效".into(),
            }),
        };
        (order.intent_id, answer)
    });
    Ok(futures::future::join_all(asked).await)
}

/// The bank's signed notification about an order, checked against what the ledger asked for
/// before anything moves: the order must be one of ours and being charged, a payment must be
/// for the amount asked, and a decline (which frees the person-year for someone else) is
/// believed only when the bank's own query says so too. A repeat of what was already applied
/// is accepted and changes nothing.
pub async fn notified(state: &AppState, id: Uuid, said: &OrderStatus) -> ServiceResult<()> {
    let wrong_amount = |asked: i64, fen: i64| {
        tracing::error!(intent = %id, asked, notified = fen, "bank notification with another amount");
        ServiceError::conflict("amount_mismatch", "通知的金额与订单不符，未处理")
    };
    // An order this process is asking the bank about right now: its worker applies the bank's
    // own answer in a moment, so the notification is checked against the amount asked and
    // needs no read (every order the bank takes is notified, most while being asked).
    if let Some(asked) = state.charges.asking_for(id) {
        return match said {
            OrderStatus::Paid { amount_fen, .. } if *amount_fen != asked => {
                Err(wrong_amount(asked, *amount_fen))
            }
            _ => Ok(()),
        };
    }
    // The intent and its charge's lease in one read.
    let mut conn = state.db.pool.acquire().await?;
    let (intent, leased) = intents::load_with_lease(&mut conn, id, queue_now_ms())
        .await?
        .ok_or(ServiceError::NotFound)?;
    drop(conn);
    let asked = intent.tier.money().to_fen();
    let status = match said {
        OrderStatus::Paid { amount_fen, .. } if *amount_fen != asked => {
            return Err(wrong_amount(asked, *amount_fen))
        }
        OrderStatus::Declined { .. } => match state.gateway.query(id).await? {
            OrderStatus::Paid { amount_fen, .. } if amount_fen != asked => {
                return Err(wrong_amount(asked, amount_fen))
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
            // A worker holding the charge applies the bank's answer to it with its batch; the
            // notification would only race it for the same rows. Without a live lease (the
            // worker died, or the bank answered "pending") the notification is the answer.
            // (Read before the bank was asked to confirm a decline: a lease that ran out
            // meanwhile only delays this answer to the worker that takes the charge next.)
            if !leased && apply(state, id, &status).await?.is_some() {
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
/// (its charge is queued).
pub async fn apply(
    state: &AppState,
    id: Uuid,
    status: &OrderStatus,
) -> ServiceResult<Option<Uuid>> {
    let promoted = apply_all(state, &[(id, status.clone())], None).await?;
    Ok(promoted.into_iter().next())
}

/// Applies the bank's answers about several orders in one transaction (a worker's batch),
/// in order of intent id, so two batches lock the same intents in the same order. Returns
/// the intents that declines let take their person-year (their charges queued).
///
/// The rows this changes belong to payers of any account, so they are marked
/// [`UNSTAMPED`] rather than taking any account's lock, except for `own`: a sync applying the
/// answers to its own charges names its account, whose lock it takes first (the order of every
/// writer: the account, then intents, person-years, payees), so that account's rows carry
/// their version at once and its pull has nothing to stamp (one commit fewer per sync).
pub async fn apply_all(
    state: &AppState,
    answers: &[(Uuid, OrderStatus)],
    own: Option<&str>,
) -> ServiceResult<Vec<Uuid>> {
    let mut answers: Vec<_> = answers
        .iter()
        .filter(|(_, s)| matches!(s, OrderStatus::Paid { .. } | OrderStatus::Declined { .. }))
        .collect();
    if answers.is_empty() {
        return Ok(vec![]);
    }
    answers.sort_by_key(|(id, _)| *id);
    let mut tx = state.db.begin_write().await?;
    if let Some(account) = own {
        tx.version(account).await?;
    }
    // The intents in one read, their rows locked in id order (the answers' order).
    let ids: Vec<Uuid> = answers.iter().map(|(id, _)| *id).collect();
    let loaded = intents::load_many_for_update(&mut tx, state.db.backend, &ids).await?;
    let mut loaded: HashMap<Uuid, Intent> = loaded.into_iter().map(|i| (i.id, i)).collect();
    let mut rows = Vec::with_capacity(answers.len());
    for (id, status) in answers {
        if let Some(held) = holding(loaded.remove(id)) {
            rows.push((held, status));
        }
    }
    // Every settled intent's charge is done with, in one statement.
    let settled: Vec<Uuid> = rows.iter().map(|((row, _), _)| row.id).collect();
    charges::remove_many(&mut tx, &settled).await?;
    let mut promoted = Vec::new();
    let mut paid_rows = Vec::new();
    for ((row, resident_id), status) in rows {
        match status {
            OrderStatus::Paid { .. } => {
                row.status.transition(IntentEvent::BankPaid)?;
                ContributionStatus::transition(
                    Some(ContributionStatus::Charging),
                    ContributionEvent::BankPaid,
                )?;
                let receipt_no = new_receipt_no(row.year);
                paid_rows.push((row, resident_id, receipt_no));
            }
            OrderStatus::Declined { code, message } => {
                let next = settle_declined(&mut tx, state, &row, &resident_id, code, message);
                promoted.extend(next.await?);
            }
            OrderStatus::Pending | OrderStatus::Unknown => {}
        }
    }
    // The paid person-years with their receipts, then their intents: a statement each.
    let now = state.clock.now_ms();
    let years: Vec<_> = paid_rows
        .iter()
        .map(|(row, rid, receipt)| (rid.as_str(), row.year, row.id.to_string(), receipt.clone()))
        .collect();
    contributions::settle_paid(&mut tx, &years, now).await?;
    let intents_paid: Vec<_> = paid_rows
        .iter()
        .map(|(row, _, receipt)| (row.id, receipt.clone(), tx.stamp_for(&row.account_id)))
        .collect();
    intents::settle_paid(&mut tx, &intents_paid, now).await?;
    let mut paid: BTreeMap<i32, Vec<String>> = BTreeMap::new();
    for (row, resident_id, _) in paid_rows {
        paid.entry(row.year).or_default().push(resident_id);
    }
    // Everyone else who meant to pay these person-years is told it is not needed, a statement
    // per year; then every payer's view of these people says "paid": payees last.
    let mut touched: Vec<&str> = Vec::new();
    for (year, residents) in &paid {
        let residents: Vec<&str> = residents.iter().map(String::as_str).collect();
        let reason = paid_by_someone(*year);
        intents::not_needed_for(&mut tx, &residents, *year, &reason, UNSTAMPED, now).await?;
        touched.extend(residents);
    }
    touched.sort_unstable();
    touched.dedup();
    payees::touch_residents(&mut tx, &touched).await?;
    tx.commit().await?;
    Ok(promoted)
}

/// The charging intent and the person-year it holds, when it still holds one.
fn holding(row: Option<Intent>) -> Option<(Intent, String)> {
    let row = row.filter(|r| r.status == IntentStatus::Charging)?;
    let resident = row.resident_id.clone()?;
    Some((row, resident))
}

async fn settle_declined(
    tx: &mut WriteTx,
    state: &AppState,
    row: &Intent,
    resident_id: &str,
    code: &str,
    message: &str,
) -> ServiceResult<Option<Uuid>> {
    let failed = row.status.transition(IntentEvent::BankDeclined)?;
    ContributionStatus::transition(
        Some(ContributionStatus::Charging),
        ContributionEvent::BankDeclined,
    )?;
    let now = state.clock.now_ms();
    contributions::release(tx, resident_id, row.year, &row.id.to_string()).await?;
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
    let seq = tx.stamp_for(&row.account_id);
    intents::redecide(tx, row.id, &to, seq, now).await?;
    // The year is free again: the longest-waiting intent for it gets its turn.
    hand_on(tx, state, resident_id, row.year).await
}

/// A free person-year goes to the intents waiting for it, longest first, until one takes it
/// (its charge queued, its id answered) or none is left: one that is now refused, or has no
/// usable card any more, must not keep the others waiting.
async fn hand_on(
    tx: &mut WriteTx,
    state: &AppState,
    resident_id: &str,
    year: i32,
) -> ServiceResult<Option<Uuid>> {
    let now = state.clock.now_ms();
    while let Some(next) = intents::longest_waiting(tx, resident_id, year).await? {
        let candidate = Candidate {
            id: next.id,
            account_id: &next.account_id,
            payee_id: next.payee_id,
            year: next.year,
            tier: next.tier,
            method_id: next.method_id.as_deref(),
            policy_version: Some(next.policy_version),
        };
        let outcome = evaluate(tx, state, &candidate, &mut Reads::default()).await?;
        let status = next
            .status
            .transition(IntentEvent::YearFreed(outcome.verdict))?;
        let to = Redecided {
            status,
            reason: outcome.reason.as_ref(),
            method_id: None,
            resident_id: None,
        };
        let seq = tx.stamp_for(&next.account_id);
        intents::redecide(tx, next.id, &to, seq, now).await?;
        match status {
            IntentStatus::Charging => {
                charges::enqueue(tx, next.id, queue_now_ms()).await?;
                return Ok(Some(next.id));
            }
            // Someone took the year meanwhile: the rest wait for them as this one does.
            IntentStatus::Waiting => return Ok(None),
            _ => {}
        }
    }
    Ok(None)
}

/// Intents left `waiting` for a person-year nobody is charging any more (the year is free,
/// or paid): the charge workers' and notifications' paths hand a freed year on themselves, so
/// this finds none unless something went wrong between them; it is the ledger's own check
/// that no payer waits forever. Runs with reconciliation; answers the intents it queued.
pub async fn sweep_waiting(state: &AppState, cutoff_ms: i64) -> ServiceResult<Vec<Uuid>> {
    let mut conn = state.db.pool.acquire().await?;
    let stranded = intents::stranded_waiting(&mut conn, cutoff_ms, 200).await?;
    drop(conn);
    let mut queued = Vec::new();
    for (resident_id, year) in stranded {
        let mut tx = state.db.begin_write().await?;
        let held = contributions::status_locked(&mut tx, state.db.backend, &resident_id, year);
        match held.await? {
            Some(ContributionStatus::Charging) => {} // taken meanwhile: its answer hands on
            Some(ContributionStatus::Paid) => {
                let reason = paid_by_someone(year);
                let now = state.clock.now_ms();
                let residents = [resident_id.as_str()];
                intents::not_needed_for(&mut tx, &residents, year, &reason, UNSTAMPED, now).await?;
            }
            None => queued.extend(hand_on(&mut tx, state, &resident_id, year).await?),
        }
        tx.commit().await?;
    }
    if !queued.is_empty() {
        tracing::warn!(
            count = queued.len(),
            "waiting intents found stranded and handed on"
        );
    }
    Ok(queued)
}

/// WD + year + ten digits: short enough to read out over the phone.
pub fn new_receipt_no(year: i32) -> String {
    let n = Uuid::new_v4().as_u128() % 10_000_000_000;
    format!("WD{year}{n:010}")
}
