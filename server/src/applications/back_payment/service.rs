//! The applicant's side of back payment: the applications an account filed, filing one during
//! the window for a roster person, and fixing one the town center returned (same id, the next
//! revision). Each step is one write transaction that asks `BackPaymentState::transition`
//! before it writes. The town center's steps are in [`review`](super::review).

use yanglao_shared::applications::{
    BackPaymentEvent, BackPaymentForm, BackPaymentState, BackPaymentView, BackRefusal,
    MAX_BACK_YEARS,
};
use yanglao_shared::window::WindowState;
use yanglao_shared::{IdNumber, PersonName};

use super::{view, Shown};
use crate::app::AppState;
use crate::roster::{self, Resident};
use crate::service::{ServiceError, ServiceResult};
use crate::storage::back_payments::{self, Fix, NewBackPayment};
use crate::storage::WriteTx;

/// The applications `account_id` filed, oldest first.
pub async fn mine(state: &AppState, account_id: &str) -> ServiceResult<Vec<BackPaymentView>> {
    let rows = back_payments::of_applicant(&state.db, account_id).await?;
    Ok(rows.iter().map(|r| view(r, Shown::Masked)).collect())
}

/// The form as its applicant filed it (full name and ID number, from the roster record it
/// matched), for the fix form of a returned application: the applicant changes only what is
/// wrong. Nobody else's, and only while it waits for a fix.
pub async fn form_to_fix(
    state: &AppState,
    account_id: &str,
    id: uuid::Uuid,
) -> ServiceResult<BackPaymentForm> {
    let mut conn = state.db.pool.acquire().await?;
    let row = back_payments::load(&mut conn, id)
        .await?
        .filter(|r| r.applicant_id == account_id)
        .ok_or(ServiceError::NotFound)?;
    if row.state != BackPaymentState::Returned {
        return Err(ServiceError::conflict(
            "not_returned",
            "只有被退回的补缴申请才需要修改",
        ));
    }
    Ok(BackPaymentForm {
        id: row.id,
        name: row.name,
        id_number: row.id_number,
        years: row.years,
        tier: row.tier,
        revision: row.revision,
    })
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

/// The notice: the form is filled in (and fixed) during the payment window.
fn window_open(state: &AppState) -> ServiceResult<()> {
    let policy = state.current_policy()?;
    match policy.window.state_at(state.now()) {
        WindowState::Open { .. } => Ok(()),
        _ => Err(ServiceError::conflict(
            "window_closed",
            "补缴申请只能在缴费期（每年1月1日至4月30日）内提交",
        )),
    }
}

async fn roster_person(
    tx: &mut WriteTx,
    state: &AppState,
    form: &BackPaymentForm,
) -> ServiceResult<Resident> {
    let name = PersonName::parse(&form.name)
        .map_err(|e| ServiceError::invalid(e.code(), e.to_string()))?;
    let today = yanglao_shared::window::cst_date(state.now());
    let id_number = IdNumber::parse(&form.id_number, today)
        .map_err(|e| ServiceError::invalid(e.code(), e.to_string()))?;
    roster::matching(tx, &name, &id_number)
        .await?
        .ok_or_else(|| {
            ServiceError::invalid("no_roster_match", crate::payments::payees::no_match().zh)
        })
}

/// Files `form` for `account_id`, or fixes a returned one (a higher revision under the same
/// id). Idempotent: the same application again answers as it stands, whatever the date now.
pub async fn submit(
    state: &AppState,
    account_id: &str,
    form: &BackPaymentForm,
) -> ServiceResult<BackPaymentView> {
    let years = years_of(form)?;
    let mut tx = state.db.begin_write().await?;
    tx.serialize(&format!("back_payment:{}", form.id)).await?;
    let resident = roster_person(&mut tx, state, form).await?;
    let now = state.clock.now_ms();
    match back_payments::load(&mut tx, form.id).await? {
        Some(row) if row.applicant_id != account_id => {
            return Err(ServiceError::conflict(
                "id_conflict",
                "编号冲突，请重新填写",
            ))
        }
        // The same sending again (the phone never heard the answer).
        Some(row)
            if row.resident_id == resident.id
                && row.years == years
                && row.tier == form.tier
                && form.revision <= row.revision =>
        {
            return Ok(view(&row, Shown::Masked));
        }
        // Fixed after the town center returned it: back to the town center.
        Some(row) if row.state == BackPaymentState::Returned && form.revision > row.revision => {
            window_open(state)?;
            let to = row
                .state
                .transition(BackPaymentEvent::ApplicantFixes)
                .map_err(|_| ServiceError::Internal("returned form cannot be fixed".into()))?;
            let fix = Fix {
                resident_id: &resident.id,
                years: &years,
                tier: form.tier,
                revision: form.revision,
            };
            back_payments::resubmit(&mut tx, form.id, to, &fix, now).await?;
        }
        Some(row) if row.state == BackPaymentState::Returned => {
            return Err(ServiceError::conflict(
                "stale_revision",
                "这份补缴申请已被退回，请按退回原因修改后重新提交",
            ))
        }
        Some(_) => {
            return Err(ServiceError::conflict(
                "idempotency_conflict",
                "这份补缴申请已提交，不能修改；如需更改请重新填写一份",
            ))
        }
        None => {
            window_open(state)?;
            let new = NewBackPayment {
                id: form.id,
                applicant_id: account_id,
                resident_id: &resident.id,
                years: &years,
                tier: form.tier,
            };
            back_payments::insert(&mut tx, &new, now).await?;
        }
    }
    let row = back_payments::load(&mut tx, form.id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    Ok(view(&row, Shown::Masked))
}
