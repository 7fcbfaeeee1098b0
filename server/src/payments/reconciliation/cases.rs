//! Refund cases (退费): a bank-paid order the ledger did not record, opened by a
//! reconciliation run and resolved by staff one of two ways, each step audited in its own
//! transaction and moved only through [`CaseStatus::transition`]:
//! - [`refund`]: the bank gives the money back (`PaymentGateway::refund`, in full). The case
//!   is marked `refunding` before the bank is asked, so a booking cannot slip in between,
//!   and a crash or an unreachable bank leaves it there to be asked again (the bank refunds an
//!   order once and answers a repeat with the same refund). Refused (`ledger_paid`) when the
//!   ledger has since recorded the order as paid (its intent got a card and its charge was
//!   answered with this paid order).
//! - [`book`]: the money becomes the person-year's paid contribution with a receipt, held by
//!   the order, and the order's intent is paid (its payer's next pull says 已缴费; other
//!   payers waiting for the year are told it is not needed), only while that year is still
//!   free for that resident. A year already paid (or being charged) is refused with
//!   `year_taken`: refund the case instead.

use serde_json::json;
use uuid::Uuid;

use super::case_states::{CaseEvent, CaseStatus};
use crate::app::AppState;
use crate::gateway::GatewayError;
use crate::payments::states::{ContributionEvent, ContributionStatus, IntentEvent};
use crate::service::{ServiceError, ServiceResult};
use crate::staff::audit;
use crate::staff::roles::Area;
use crate::storage::refund_cases::{self as store, Move, RefundCase};
use crate::storage::{intents, payees, UNSTAMPED};

pub use yanglao_shared::reconciliation::CaseView;

pub fn view(c: &RefundCase) -> CaseView {
    CaseView {
        id: c.id,
        order_id: c.order_id,
        amount: c.amount,
        bank_ref: c.bank_ref.clone(),
        bank_day: c.bank_day.clone(),
        ledger_state: c.ledger_state.map(|s| s.as_str().to_owned()),
        name: c.place.as_ref().map(|p| p.name.clone()),
        town: c.place.as_ref().map(|p| p.town.clone()),
        village: c.place.as_ref().map(|p| p.village.clone()),
        year: c.year,
        state: c.status.as_str().to_owned(),
        state_zh: c.status.zh().to_owned(),
        refund_ref: c.refund_ref.clone(),
        receipt_no: c.receipt_no.clone(),
        found_at_ms: c.found_at,
        resolved_at_ms: c.resolved_at,
        bookable: c.place.is_some() && c.year.is_some(),
    }
}

/// May staff of `area` see a case (or mismatch) of `town`? A town's staff see their own
/// residents' only; a case of unknown person only an area of every town.
pub fn visible(area: &Area, town: Option<&str>) -> bool {
    match &area.town {
        None => true,
        Some(own) => town == Some(own.as_str()),
    }
}

/// The case `id` as staff of `area` may see it; another town's is "not found".
async fn load_in(state: &AppState, area: &Area, id: Uuid) -> ServiceResult<RefundCase> {
    let mut conn = state.db.pool.acquire().await?;
    let case = store::load(&mut conn, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let town = case.place.as_ref().map(|p| p.town.as_str());
    visible(area, town)
        .then_some(case)
        .ok_or(ServiceError::NotFound)
}

pub async fn list(
    state: &AppState,
    area: &Area,
    status: Option<CaseStatus>,
) -> ServiceResult<Vec<CaseView>> {
    let mut conn = state.db.pool.acquire().await?;
    let cases = store::list(&mut conn, area, status).await?;
    Ok(cases.iter().map(view).collect())
}

fn resolved() -> ServiceError {
    ServiceError::conflict("case_resolved", "这笔退费单已经处理过了，请刷新后再看")
}

/// Refunds the case's order in full through the bank.
pub async fn refund(
    state: &AppState,
    actor: &str,
    area: &Area,
    id: Uuid,
) -> ServiceResult<CaseView> {
    let case = load_in(state, area, id).await?;
    let asking = case
        .status
        .transition(CaseEvent::RefundAsked)
        .map_err(|_| resolved())?;
    if case.status == CaseStatus::Open {
        // The ledger may have caught up since the case was found (a payer gave a card to the
        // intent, and the bank answered its charge with this very order): its money is then
        // a paid contribution, not to be given back.
        let mut conn = state.db.pool.acquire().await?;
        let order = store::ledger_order(&mut conn, case.order_id).await?;
        if matches!(order.contribution, Some((ContributionStatus::Paid, _))) {
            return Err(ServiceError::conflict(
                "ledger_paid",
                "账本中这笔订单现在已经缴费入账，不能再退费，请核对",
            ));
        }
    }
    let now = state.clock.now_ms();
    if case.status != asking {
        let mut tx = state.db.begin_write().await?;
        let to = Move {
            from: case.status,
            to: asking,
            refund_ref: None,
            receipt_no: None,
            resolved_by: None,
        };
        if !store::move_case(&mut tx, id, &to, now).await? {
            return Err(resolved());
        }
        let target = format!("refund_case:{id}");
        audit::commit_change(
            tx,
            actor,
            now,
            "refund_case_asked",
            &target,
            Some(json!({ "state": case.status.as_str() })),
            Some(json!({ "state": asking.as_str(), "amount_fen": case.amount.to_fen() })),
        )
        .await?;
    }
    let answer = state
        .gateway
        .refund(case.order_id, case.amount.to_fen())
        .await;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let target = format!("refund_case:{id}");
    let before = Some(json!({ "state": asking.as_str() }));
    match answer {
        Ok(done) => {
            let to_state = asking.transition(CaseEvent::BankRefunded)?;
            let to = Move {
                from: asking,
                to: to_state,
                refund_ref: Some(&done.refund_ref),
                receipt_no: None,
                resolved_by: Some(actor),
            };
            if !store::move_case(&mut tx, id, &to, now).await? {
                return Err(resolved());
            }
            let after = json!({ "state": to_state.as_str(), "refund_ref": done.refund_ref,
                                "amount_fen": done.amount_fen });
            audit::commit_change(
                tx,
                actor,
                now,
                "refund_case_refunded",
                &target,
                before,
                Some(after),
            )
            .await?;
        }
        Err(GatewayError::Refused { code, message }) => {
            let back = asking.transition(CaseEvent::BankRefused)?;
            let to = Move {
                from: asking,
                to: back,
                refund_ref: None,
                receipt_no: None,
                resolved_by: None,
            };
            if store::move_case(&mut tx, id, &to, now).await? {
                let after = json!({ "state": back.as_str(), "bank_code": code });
                audit::commit_change(
                    tx,
                    actor,
                    now,
                    "refund_case_refused",
                    &target,
                    before,
                    Some(after),
                )
                .await?;
            }
            tracing::warn!(case = %id, %code, "the bank refused a refund");
            return Err(ServiceError::conflict(
                "refund_refused",
                format!("银行拒绝退款：{message}"),
            ));
        }
        // Left `refunding`: asking again is safe.
        Err(e) => return Err(e.into()),
    }
    reload(state, id).await
}

async fn reload(state: &AppState, id: Uuid) -> ServiceResult<CaseView> {
    let mut conn = state.db.pool.acquire().await?;
    let case = store::load(&mut conn, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(view(&case))
}

/// Books the case's money to its person-year, when that year is still free.
pub async fn book(state: &AppState, actor: &str, area: &Area, id: Uuid) -> ServiceResult<CaseView> {
    let case = load_in(state, area, id).await?;
    let booked = case
        .status
        .transition(CaseEvent::Booked)
        .map_err(|_| resolved())?;
    let (Some(place), Some(year)) = (case.place.as_ref(), case.year) else {
        return Err(ServiceError::conflict(
            "cannot_book",
            "账本里找不到这笔订单对应的缴费人员和年度，只能退费",
        ));
    };
    ContributionStatus::transition(None, ContributionEvent::Booked)?;
    let now = state.clock.now_ms();
    let receipt_no = crate::payments::ledger::new_receipt_no(year);
    let mut tx = state.db.begin_write().await?;
    let to = Move {
        from: case.status,
        to: booked,
        refund_ref: None,
        receipt_no: Some(&receipt_no),
        resolved_by: Some(actor),
    };
    // The case first (only this booking moves it on), then the person-year, the intent and
    // the payees: the writers' lock order.
    if !store::move_case(&mut tx, id, &to, now).await? {
        return Err(resolved());
    }
    let rid = &place.resident_id;
    let free = store::book_contribution(
        &mut tx,
        rid,
        year,
        case.amount,
        case.order_id,
        &receipt_no,
        now,
    );
    if !free.await? {
        return Err(ServiceError::conflict(
            "year_taken",
            format!("此人{year}年已经缴费（或正在扣款），不能再入账，请办理退费"),
        ));
    }
    let intent = intents::load(&mut tx, case.order_id).await?;
    if let Some(intent) = intent {
        let paid = intent.status.transition(IntentEvent::Booked)?;
        debug_assert_eq!(paid, crate::payments::states::IntentStatus::Paid);
        if !store::intent_booked(&mut tx, case.order_id, intent.status, &receipt_no, now).await? {
            return Err(ServiceError::conflict(
                "case_changed",
                "这笔缴费刚刚有了变化，请重试",
            ));
        }
    }
    let reason = crate::payments::ledger::paid_by_someone(year);
    intents::not_needed_for(&mut tx, &[rid], year, &reason, UNSTAMPED, now).await?;
    payees::touch_residents(&mut tx, &[rid]).await?;
    let after = json!({
        "state": booked.as_str(), "receipt_no": receipt_no, "resident_id": rid, "year": year,
        "amount_fen": case.amount.to_fen(),
    });
    let before = Some(json!({ "state": case.status.as_str() }));
    let target = format!("refund_case:{id}");
    audit::commit_change(
        tx,
        actor,
        now,
        "refund_case_booked",
        &target,
        before,
        Some(after),
    )
    .await?;
    reload(state, id).await
}
