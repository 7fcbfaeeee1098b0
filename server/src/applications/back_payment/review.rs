//! The town center's steps of back payment: the check year by year (shown before deciding,
//! audited as a read), the decision (a slip for the payable years, naming the others and why,
//! or the form back to the applicant) and the bank receipt (every year of the slip into the
//! ledger, or none). Each decision is one write transaction that asks
//! `BackPaymentState::transition` before it writes, with its audit entry.

use serde_json::json;
use uuid::Uuid;
use yanglao_shared::applications::{
    bank_receipt_no, check_back_years, return_reason, BackCheck, BackPaymentCheck,
    BackPaymentDecision, BackPaymentEvent, BackPaymentState, BackPaymentView, BankReceipt,
};

use super::{view, Shown};
use crate::app::AppState;
use crate::roster;
use crate::service::{ServiceError, ServiceResult};
use crate::staff::audit;
use crate::staff::roles::{Role, Staff};
use crate::storage::back_payments::{self, BackPayment, Slip};
use crate::storage::{contributions, WriteTx};

fn wrong_state() -> ServiceError {
    ServiceError::conflict("wrong_state", "这份补缴申请当前不在这一步，请刷新后再看")
}

/// The application, for the town center of the person's town only.
async fn for_town(
    conn: &mut sqlx::AnyConnection,
    staff: &Staff,
    id: Uuid,
) -> ServiceResult<BackPayment> {
    let row = back_payments::load(conn, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    staff.acts_in(Role::Town, &row.town, &row.village)?;
    Ok(row)
}

/// The check as it stands now: the roster's paid years, and the years on another slip not yet
/// paid (two slips never cover one year), against the policies.
async fn checked(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    row: &BackPayment,
) -> ServiceResult<BackCheck> {
    let resident = roster::by_id(conn, &row.resident_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let mut facts = roster::facts(conn, &resident).await?;
    let held = back_payments::years_on_open_slips(conn, &row.resident_id).await?;
    facts.paid_years.extend(held);
    Ok(check_back_years(
        state.current_policy()?,
        |year| state.policy_of_year(year),
        &facts,
        &row.years,
        row.tier,
        state.current_year(),
    ))
}

/// What the town center sees before deciding a submitted application: each year's result.
pub async fn check(state: &AppState, staff: &Staff, id: Uuid) -> ServiceResult<BackPaymentCheck> {
    let mut conn = state.db.pool.acquire().await?;
    let row = for_town(&mut conn, staff, id).await?;
    if row.state != BackPaymentState::Submitted {
        return Err(wrong_state());
    }
    let found = BackPaymentCheck::of(&checked(&mut conn, state, &row).await?);
    drop(conn);
    audit::record_read(
        &state.db,
        &staff.account_id,
        state.clock.now_ms(),
        "back_payment_check",
        &format!("back_payment:{id}"),
        json!({ "payable_years": found.payable_years }),
    )
    .await?;
    Ok(found)
}

/// Loads the row as it now is, writes the audit entry (before and after, masked) and commits;
/// answers the town center with the full name and ID number it works with.
async fn finish(
    mut tx: WriteTx,
    staff: &Staff,
    action: &str,
    before: BackPayment,
    now: i64,
) -> ServiceResult<BackPaymentView> {
    let after = back_payments::load(&mut tx, before.id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let target = format!("back_payment:{}", before.id);
    let (before_json, after_json) = (
        serde_json::to_value(view(&before, Shown::Masked)).ok(),
        serde_json::to_value(view(&after, Shown::Masked)).ok(),
    );
    audit::commit_change(
        tx,
        &staff.account_id,
        now,
        action,
        &target,
        before_json,
        after_json,
    )
    .await?;
    Ok(view(&after, Shown::Full))
}

/// The town center's decision. A slip covers the payable years the town center was shown
/// (if the check has changed since, say because a relative paid a year, it is refused and
/// shown again) and names the others with their reasons; a return keeps every reason found.
pub async fn decide(
    state: &AppState,
    staff: &Staff,
    id: Uuid,
    decision: &BackPaymentDecision,
) -> ServiceResult<BackPaymentView> {
    let mut tx = state.db.begin_write().await?;
    tx.serialize(&format!("back_payment:{id}")).await?;
    let row = for_town(&mut tx, staff, id).await?;
    let next = |event| row.state.transition(event).map_err(|_| wrong_state());
    let found = checked(&mut tx, state, &row).await?;
    let now = state.clock.now_ms();
    let action = match decision {
        BackPaymentDecision::Slip { years } => {
            let to = next(BackPaymentEvent::SlipIssued)?;
            let quote = found.quote().ok_or_else(|| {
                ServiceError::conflict(
                    "nothing_payable",
                    "没有可以补缴的年度，不能开具缴费单据，请退回申请",
                )
            })?;
            let mut shown = years.clone();
            shown.sort_unstable();
            shown.dedup();
            if shown != quote.years {
                return Err(ServiceError::conflict(
                    "check_changed",
                    "核查结果已有变化，请刷新后重新核对可补缴年度",
                ));
            }
            let n = Uuid::new_v4().as_u128() % 100_000_000;
            let slip_no = format!("BJ{}{n:08}", state.current_year());
            let slip = Slip {
                slip_no: &slip_no,
                years: &quote.years,
                amount: quote.amount,
                left_off: &found.year_refusals(),
            };
            back_payments::issue_slip(&mut tx, id, to, &slip, now).await?;
            "back_payment_slip"
        }
        BackPaymentDecision::Return { reason } => {
            let to = next(BackPaymentEvent::TownReturns)?;
            let refusals = found.refusals();
            let words = match reason.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(_) => Some(return_reason(reason.as_deref()).ok_or_else(reason_invalid)?),
            };
            // The applicant must learn what to change: the check's reasons, or the town's.
            if refusals.is_empty() && words.is_none() {
                return Err(reason_invalid());
            }
            back_payments::returned(&mut tx, id, to, &refusals, words.as_deref(), now).await?;
            "back_payment_return"
        }
    };
    finish(tx, staff, action, row, now).await
}

fn reason_invalid() -> ServiceError {
    ServiceError::invalid(
        "reason_required",
        "退回时请写明原因（2至200字），让申请人知道要改什么",
    )
}

fn year_taken(year: i32) -> ServiceError {
    ServiceError::conflict(
        "year_already_paid",
        format!("{year}年已有缴费记录，本次补缴没有录入，请核对后联系申请人"),
    )
}

/// The bank receipt: every year of the slip enters the ledger (back payment, paid, no subsidy)
/// in this one transaction, or none does.
pub async fn receipt(
    state: &AppState,
    staff: &Staff,
    id: Uuid,
    body: &BankReceipt,
) -> ServiceResult<BackPaymentView> {
    let bank_no = bank_receipt_no(&body.bank_receipt_no).ok_or_else(|| {
        ServiceError::invalid(
            "invalid_bank_receipt",
            "回单号格式不对，请对照农业银行回单重新输入",
        )
    })?;
    let mut tx = state.db.begin_write().await?;
    // The application first, then the receipt number: the one order both locks are taken in.
    tx.serialize(&format!("back_payment:{id}")).await?;
    tx.serialize(&format!("bank_receipt:{bank_no}")).await?;
    let row = for_town(&mut tx, staff, id).await?;
    if row.state != BackPaymentState::SlipIssued {
        return Err(wrong_state());
    }
    if back_payments::receipt_used(&mut tx, &bank_no).await? {
        return Err(ServiceError::conflict(
            "bank_receipt_used",
            "这张银行回单已经录入过",
        ));
    }
    let to = row
        .state
        .transition(BackPaymentEvent::ReceiptRecorded)
        .map_err(|_| wrong_state())?;
    let slip_no = row.slip_no.clone().unwrap_or_default();
    let now = state.clock.now_ms();
    // Only the slip's years: those the check refused were never on it.
    for &year in &row.slip_years {
        let amount = row.tier.money().to_fen();
        // One receipt number per person-year, checkable at /receipts like any other.
        let receipt = format!("{slip_no}Y{year}");
        let booked = contributions::book_paid(
            &mut tx,
            &row.resident_id,
            year,
            amount,
            true,
            Some(&receipt),
            now,
        )
        .await?;
        // The primary key (resident, year) refuses a paid year; dropping `tx` undoes every
        // year already written.
        if !booked {
            return Err(year_taken(year));
        }
    }
    back_payments::record_receipt(&mut tx, id, to, &bank_no, now).await?;
    finish(tx, staff, "back_payment_receipt", row, now).await
}
