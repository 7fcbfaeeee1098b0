//! The applications of a staff member's area (a village assistant: their village; town staff:
//! their town), oldest first, optionally only those in one state: the services behind
//! `GET /staff/enrolments` and `GET /staff/back-payments` (each flow's `routes` mounts its
//! own). Each read is audited like every staff read, after the rows are read and before they
//! are answered.

use serde_json::json;
use yanglao_shared::applications::{
    BackPaymentState, BackPaymentView, EnrolmentState, EnrolmentView,
};

use crate::app::AppState;
use crate::applications::{back_payment, enrolment};
use crate::service::{ServiceError, ServiceResult};
use crate::staff::audit;
use crate::staff::roles::{Area, Staff};
use crate::storage::{back_payments, enrolments};

/// `?state=…`: only the applications in that state (empty or absent: all of them).
#[derive(Debug, serde::Deserialize)]
pub struct ListQuery {
    pub state: Option<String>,
}

/// The state asked for, if any; `states` lists the known ones for the refusal of any other.
fn wanted<S>(
    asked: Option<&str>,
    parse: fn(&str) -> Option<S>,
    states: &str,
) -> ServiceResult<Option<S>> {
    match asked.unwrap_or("") {
        "" => Ok(None),
        text => parse(text)
            .map(Some)
            .ok_or_else(|| ServiceError::invalid("invalid_state", format!("状态应为 {states}"))),
    }
}

/// Records the read: how many forms of which state this member saw, in which area.
async fn audited(
    state: &AppState,
    staff: &Staff,
    area: &Area,
    action: &str,
    count: usize,
    asked: Option<&str>,
) -> ServiceResult<()> {
    audit::record_read(
        &state.db,
        &staff.account_id,
        state.clock.now_ms(),
        action,
        &area.target(state.current_year()),
        json!({ "count": count, "state": asked }),
    )
    .await?;
    Ok(())
}

pub async fn enrolments(
    state: &AppState,
    staff: &Staff,
    asked: Option<&str>,
) -> ServiceResult<Vec<EnrolmentView>> {
    let states = "submitted/returned/village_approved/enrolled";
    let wanted = wanted(asked, EnrolmentState::parse, states)?;
    let area = staff.area(None, None)?;
    let rows = enrolments::in_area(&state.db, wanted, &area).await?;
    audited(state, staff, &area, "enrolment_list", rows.len(), asked).await?;
    Ok(rows.iter().map(enrolment::view).collect())
}

pub async fn back_payments(
    state: &AppState,
    staff: &Staff,
    asked: Option<&str>,
) -> ServiceResult<Vec<BackPaymentView>> {
    let states = "submitted/rejected/slip_issued/paid";
    let wanted = wanted(asked, BackPaymentState::parse, states)?;
    let area = staff.area(None, None)?;
    let rows = back_payments::in_area(&state.db, wanted, &area).await?;
    audited(state, staff, &area, "back_payment_list", rows.len(), asked).await?;
    Ok(rows.iter().map(back_payment::view).collect())
}
