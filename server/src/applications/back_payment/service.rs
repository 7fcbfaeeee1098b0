//! The rules of back payment: filing an application (during the window, for a roster person),
//! the town center's eligibility check (a slip, or every reason it is refused) and the bank
//! receipt (every year into the ledger, or none). Each step is one write transaction that asks
//! `BackPaymentState::transition` before it writes; the staff steps write their audit entry
//! in it.

use uuid::Uuid;
use yanglao_shared::applications::{
    bank_receipt_no, check_back_payment, BackPaymentEvent, BackPaymentForm, BackPaymentState,
    BackPaymentView, BackRefusal, BankReceipt, MAX_BACK_YEARS,
};
use yanglao_shared::window::WindowState;
use yanglao_shared::{IdNumber, PersonName};

use super::view;
use crate::app::AppState;
use crate::roster;
use crate::service::{ServiceError, ServiceResult};
use crate::staff::audit;
use crate::staff::roles::{Role, Staff};
use crate::storage::back_payments::{self, BackPayment, NewBackPayment};
use crate::storage::{contributions, WriteTx};

/// The applications `account_id` filed, oldest first.
pub async fn mine(state: &AppState, account_id: &str) -> ServiceResult<Vec<BackPaymentView>> {
    let rows = back_payments::of_applicant(&state.db, account_id).await?;
    Ok(rows.iter().map(view).collect())
}

/// The form's years, ascending and without repeats; one to [`MAX_BACK_YEARS`] of them.
fn years_of(form: &BackPaymentForm) -> ServiceResult<Vec<i32>> {
    let mut years = form.years.clone();
    years.sort_unstable();
    years.dedup();
    if years.is_empty() || years.len() > MAX_BACK_YEARS {
        let refusal = if years.is_empty() {
            BackRefusal::NoYears
        } else {
            BackRefusal::TooManyYears {
                max: MAX_BACK_YEARS,
            }
        };
        return Err(ServiceError::invalid(refusal.code(), refusal.zh()));
    }
    Ok(years)
}

/// Files `form` for `account_id`. Idempotent: the same application again answers as it
/// stands, whatever the date now.
pub async fn submit(
    state: &AppState,
    account_id: &str,
    form: &BackPaymentForm,
) -> ServiceResult<BackPaymentView> {
    let name = PersonName::parse(&form.name)
        .map_err(|e| ServiceError::invalid(e.code(), e.to_string()))?;
    let today = yanglao_shared::window::cst_date(state.now());
    let id_number = IdNumber::parse(&form.id_number, today)
        .map_err(|e| ServiceError::invalid(e.code(), e.to_string()))?;
    let years = years_of(form)?;
    let mut tx = state.db.begin_write().await?;
    tx.serialize(&format!("back_payment:{}", form.id)).await?;
    let resident = roster::matching(&mut tx, &name, &id_number)
        .await?
        .ok_or_else(|| {
            ServiceError::invalid("no_roster_match", crate::payments::payees::no_match().zh)
        })?;
    match back_payments::load(&mut tx, form.id).await? {
        Some(row) if row.applicant_id != account_id => {
            return Err(ServiceError::conflict(
                "id_conflict",
                "编号冲突，请重新填写",
            ))
        }
        Some(row)
            if row.resident_id == resident.id && row.years == years && row.tier == form.tier =>
        {
            return Ok(view(&row));
        }
        Some(_) => {
            return Err(ServiceError::conflict(
                "idempotency_conflict",
                "这份补缴申请已提交，不能修改；如需更改请重新填写一份",
            ))
        }
        None => {}
    }
    // The notice: the form is filled in during the payment window (a retry of a form filed
    // in time was answered above, whatever the date now).
    let policy = state.current_policy()?;
    if !matches!(
        policy.window.state_at(state.now()),
        WindowState::Open { .. }
    ) {
        return Err(ServiceError::conflict(
            "window_closed",
            "补缴申请只能在缴费期（每年1月1日至4月30日）内提交",
        ));
    }
    let new = NewBackPayment {
        id: form.id,
        applicant_id: account_id,
        resident_id: &resident.id,
        years: &years,
        tier: form.tier,
    };
    back_payments::insert(&mut tx, &new, state.clock.now_ms()).await?;
    let row = back_payments::load(&mut tx, form.id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    Ok(view(&row))
}

fn wrong_state() -> ServiceError {
    ServiceError::conflict("wrong_state", "这份补缴申请当前不在这一步，请刷新后再看")
}

/// Loads the application for a town-center step: only the town center of the person's town.
async fn for_town(tx: &mut WriteTx, staff: &Staff, id: Uuid) -> ServiceResult<BackPayment> {
    let row = back_payments::load(tx, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    staff.acts_in(Role::Town, &row.town, &row.village)?;
    Ok(row)
}

/// Loads the row as it now is, writes the audit entry (before and after) and commits.
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
    let (before, after) = (view(&before), view(&after));
    let target = format!("back_payment:{}", before.id);
    let (before_json, after_json) = (
        serde_json::to_value(&before).ok(),
        serde_json::to_value(&after).ok(),
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
    Ok(after)
}

/// The eligibility check: a slip when every year qualifies, otherwise a rejection that lists
/// every reason (the applicant sees them).
pub async fn review(state: &AppState, staff: &Staff, id: Uuid) -> ServiceResult<BackPaymentView> {
    let mut tx = state.db.begin_write().await?;
    tx.serialize(&format!("back_payment:{id}")).await?;
    let row = for_town(&mut tx, staff, id).await?;
    let next = |event| row.state.transition(event).map_err(|_| wrong_state());
    next(BackPaymentEvent::SlipIssued)?;
    let resident = roster::by_id(&mut tx, &row.resident_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let mut facts = roster::facts(&mut tx, &resident).await?;
    // Years on another slip not yet paid count as taken: two slips never cover one year.
    let held = back_payments::years_on_open_slips(&mut tx, &row.resident_id).await?;
    facts.paid_years.extend(held);
    let current = state.current_policy()?;
    let checked = check_back_payment(
        current,
        |year| state.policy_of_year(year),
        &facts,
        &row.years,
        row.tier,
        state.current_year(),
    );
    let now = state.clock.now_ms();
    let action = match checked {
        Ok(quote) => {
            let n = Uuid::new_v4().as_u128() % 100_000_000;
            let slip_no = format!("BJ{}{n:08}", state.current_year());
            let to = next(BackPaymentEvent::SlipIssued)?;
            back_payments::issue_slip(&mut tx, id, to, &slip_no, quote.amount, now).await?;
            "back_payment_slip"
        }
        Err(refusals) => {
            let to = next(BackPaymentEvent::Rejected)?;
            back_payments::reject(&mut tx, id, to, &refusals, now).await?;
            "back_payment_reject"
        }
    };
    finish(tx, staff, action, row, now).await
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
            "农业银行回单号应为6至32位字母或数字",
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
    for &year in &row.years {
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
