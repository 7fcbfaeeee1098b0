//! The daily reconciliation (对账) a payment office runs: the bank's statement of a day
//! (`PaymentGateway::statement`) against the ledger, every mismatch listed in both directions,
//! and each bank-paid order the ledger did not record opened as a refund case (退费, [`cases`])
//! that staff resolve and that never silently disappears. The HTTP routes are in
//! `staff::reconciliation`, the command in `cli::reconcile`, the SQL in
//! `storage::refund_cases`.
//!
//! What is compared, for a day D (China Standard Time; a range is each of its days):
//! - **The bank's side** is every line of D's statement, that is every order the bank
//!   *created* on D, whatever its state. For each, the ledger is looked up by order id (an
//!   order id is an intent id):
//!   - bank `paid`, and the ledger has no contribution held by that order (no such intent, or
//!     the intent is failed, not needed, awaiting a card or waiting): **bank paid / ledger not**
//!     ([`Kind::BankPaidLedgerNot`]); a refund case is opened, once per order;
//!   - bank `paid`, and the order still holds its person-year as `charging`: the ledger has not
//!     heard yet ([`Kind::LedgerPending`]); no case: the reconciliation task settles it by query
//!     (a run first settles every charge older than a few seconds, so this is rare);
//!   - bank `paid`, ledger paid for another amount: **amounts differ** ([`Kind::AmountsDiffer`]);
//!   - bank `refunded`, `declined` or `pending`, ledger paid: **ledger paid / bank not**
//!     ([`Kind::LedgerPaidBankNot`]).
//! - **The ledger's side** is every in-app paid contribution (one with an order, the intent id,
//!   and `back_payment = 0`) whose person-year was *taken* on D (`contributions.created_at`:
//!   the instant the order was about to be sent to the bank). One that D's statement does not
//!   list is asked about by order id (`query`): an order taken in the last instants of a day
//!   is on the next day's statement, and a booked refund case's contribution is taken the day
//!   it is booked. Paid for the same amount there is no mismatch; anything else is **ledger
//!   paid / bank not** (or amounts differ).
//! - **Back payments** (补缴, `back_payment = 1`) are paid at an Agricultural Bank counter,
//!   not through the gateway: they have no order and are left out, as are years the roster
//!   import recorded as paid before the app.
//!
//! Who sees what: a mismatch belongs to the town of its person-year's resident (from the
//! contribution, or the intent's matched payee); one whose person the ledger does not know
//! (no intent, or a payee never matched) belongs to no town and only administrators see it.
//! Every run opens the cases of the whole statement, whoever runs it.
//!
//! Yesterday is also reconciled automatically, once a day per installation ([`daily`], from
//! the reconciliation task of `payments::reconcile`).

pub mod case_states;
pub mod cases;
pub mod daily;

use std::collections::HashSet;

use serde_json::json;
use time::{Date, Duration};
use uuid::Uuid;
use yanglao_shared::money::Money;
use yanglao_shared::window::{cst_date, cst_midnight};

use crate::app::AppState;
use crate::clock::to_ms;
use crate::gateway::{LineStatus, StatementLine};
use crate::payments::states::ContributionStatus;
use crate::service::{ServiceError, ServiceResult};
use crate::staff::audit;
use crate::storage::refund_cases::{self as store, LedgerOrder, NewCase, Place};

/// The longest range one run covers (a statement is fetched per day).
pub const MAX_DAYS: i64 = 31;

pub use yanglao_shared::reconciliation::{Kind, Mismatch, Report};

/// The days from `from` to `to` inclusive, refused when backwards, longer than [`MAX_DAYS`]
/// or reaching past today (by the server's clock, in China).
pub fn days(state: &AppState, from: Date, to: Date) -> ServiceResult<Vec<Date>> {
    let today = cst_date(state.now());
    if to < from {
        return Err(ServiceError::invalid("bad_range", "结束日期早于开始日期"));
    }
    if to > today {
        return Err(ServiceError::invalid("future_date", "不能对账还没到的日期"));
    }
    if (to - from).whole_days() >= MAX_DAYS {
        let message = format!("一次最多对账{MAX_DAYS}天");
        return Err(ServiceError::invalid("range_too_long", message));
    }
    let mut out = vec![from];
    while let Some(next) = out.last().and_then(|d| d.next_day()).filter(|d| *d <= to) {
        out.push(next);
    }
    Ok(out)
}

/// Runs the reconciliation of `days`, opening refund cases (audited as `actor`), and answers
/// every mismatch. The caller narrows what it shows.
pub async fn run(state: &AppState, actor: &str, days: &[Date]) -> ServiceResult<Report> {
    // Charges the bank answered but nobody told the ledger are settled first, so that they
    // are not reported as mismatches.
    crate::payments::reconcile::reconcile_once(state).await?;
    let mut mismatches = Vec::new();
    let mut opened = 0;
    for day in days {
        let lines = state.gateway.statement(*day).await?;
        opened += compare_day(state, actor, *day, &lines, &mut mismatches).await?;
    }
    let text = |d: Option<&Date>| d.map(Date::to_string).unwrap_or_default();
    Ok(Report {
        from: text(days.first()),
        to: text(days.last()),
        mismatches,
        opened,
    })
}

fn mismatch(day: Date, kind: Kind, order_id: Uuid) -> Mismatch {
    Mismatch {
        day: day.to_string(),
        kind,
        kind_zh: kind.zh().to_owned(),
        order_id,
        bank_status: None,
        bank_amount: None,
        ledger_state: None,
        ledger_amount: None,
        name: None,
        town: None,
        village: None,
        year: None,
        refund_case: None,
    }
}

fn placed(mut m: Mismatch, place: Option<&Place>, year: Option<i32>) -> Mismatch {
    if let Some(p) = place {
        m.name = Some(p.name.clone());
        m.town = Some(p.town.clone());
        m.village = Some(p.village.clone());
    }
    m.year = year;
    m
}

async fn compare_day(
    state: &AppState,
    actor: &str,
    day: Date,
    lines: &[StatementLine],
    out: &mut Vec<Mismatch>,
) -> ServiceResult<usize> {
    let start = cst_midnight(day);
    let end = start + Duration::days(1);
    let mut conn = state.db.pool.acquire().await?;
    let ledger = store::ledger_paid_between(&mut conn, to_ms(start), to_ms(end)).await?;
    let mut seen = HashSet::new();
    let mut opened = 0;
    for line in lines {
        seen.insert(line.order_id);
        let order = store::ledger_order(&mut conn, line.order_id).await?;
        let Some(kind) = judge(line, &order) else {
            continue;
        };
        let place = match &order.resident_id {
            Some(rid) => store::place(&mut conn, rid).await?,
            None => None,
        };
        let mut m = placed(
            mismatch(day, kind, line.order_id),
            place.as_ref(),
            order.year,
        );
        m.bank_status = Some(line.status);
        m.bank_amount = Money::from_fen(line.amount_fen).ok();
        m.ledger_state = order.intent.map(|s| s.as_str().to_owned());
        m.ledger_amount = order.contribution.map(|(_, amount)| amount);
        if kind == Kind::BankPaidLedgerNot {
            let (case, new) = open_case(state, &mut conn, actor, day, line, &order).await?;
            m.refund_case = Some(case);
            opened += usize::from(new);
        }
        out.push(m);
    }
    for paid in ledger.iter().filter(|p| !seen.contains(&p.order_id)) {
        let said = state.gateway.query(paid.order_id).await?;
        let kind = match said {
            crate::gateway::OrderStatus::Paid { amount_fen, .. }
                if amount_fen == paid.amount.to_fen() =>
            {
                continue
            }
            crate::gateway::OrderStatus::Paid { .. } => Kind::AmountsDiffer,
            _ => Kind::LedgerPaidBankNot,
        };
        let mut m = placed(
            mismatch(day, kind, paid.order_id),
            Some(&paid.place),
            Some(paid.year),
        );
        m.ledger_state = Some("paid".into());
        m.ledger_amount = Some(paid.amount);
        if let crate::gateway::OrderStatus::Paid { amount_fen, .. } = said {
            m.bank_amount = Money::from_fen(amount_fen).ok();
        }
        out.push(m);
    }
    Ok(opened)
}

/// The mismatch a statement line and the ledger's view of its order make, if any.
fn judge(line: &StatementLine, order: &LedgerOrder) -> Option<Kind> {
    use ContributionStatus as C;
    match (line.status, order.contribution) {
        (LineStatus::Paid, Some((C::Paid, amount))) if amount.to_fen() != line.amount_fen => {
            Some(Kind::AmountsDiffer)
        }
        (LineStatus::Paid, Some((C::Paid, _))) => None,
        (LineStatus::Paid, Some((C::Charging, _))) => Some(Kind::LedgerPending),
        (LineStatus::Paid, None) => Some(Kind::BankPaidLedgerNot),
        (LineStatus::Refunded | LineStatus::Declined | LineStatus::Pending, Some((C::Paid, _))) => {
            Some(Kind::LedgerPaidBankNot)
        }
        _ => None,
    }
}

/// The refund case of a bank-paid order the ledger did not record: opened now (audited in
/// the same transaction), or the one opened by an earlier run. Answers its id and whether it
/// is new.
async fn open_case(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    actor: &str,
    day: Date,
    line: &StatementLine,
    order: &LedgerOrder,
) -> ServiceResult<(Uuid, bool)> {
    if let Some(id) = store::by_order(conn, line.order_id).await? {
        return Ok((id, false));
    }
    let amount = Money::from_fen(line.amount_fen)
        .map_err(|_| ServiceError::Internal(format!("bank amount {}", line.amount_fen)))?;
    let bank_day = day.to_string();
    let new = NewCase {
        order_id: line.order_id,
        amount,
        bank_ref: line.bank_ref.as_deref(),
        bank_day: &bank_day,
        ledger_state: order.intent,
        resident_id: order.resident_id.as_deref(),
        year: order.year,
        found_by: actor,
    };
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let Some(id) = store::open(&mut tx, &new, now).await? else {
        // Another run opened it since the look-up: that one is the case.
        drop(tx);
        let id = store::by_order(conn, line.order_id).await?;
        return id.map(|id| (id, false)).ok_or(ServiceError::NotFound);
    };
    let entry = audit::Entry {
        actor,
        at_ms: now,
        action: "open_refund_case",
        target: &format!("refund_case:{id}"),
        before: None,
        after: Some(json!({
            "order_id": line.order_id,
            "amount_fen": line.amount_fen,
            "bank_day": bank_day,
            "ledger_state": order.intent.map(|s| s.as_str()),
        })),
    };
    audit::record(&mut tx, &entry).await?;
    tx.commit().await?;
    tracing::warn!(order = %line.order_id, case = %id, "bank paid an order the ledger did not record: refund case opened");
    Ok((id, true))
}
