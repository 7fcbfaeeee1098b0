//! The applications of a staff member's area (a village assistant: their village; town staff:
//! their town), oldest first, optionally only those in one state: the services behind
//! `GET /staff/enrolments` and `GET /staff/back-payments` (each flow's `routes` mounts its
//! own). Each read is audited like every staff read, after the rows are read and before they
//! are answered, naming the forms shown with the person's full name and ID number (only to
//! the village assistant of the person's village and the town center of their town).

use serde_json::json;
use yanglao_shared::applications::{
    BackPaymentState, BackPaymentView, EnrolmentState, EnrolmentView,
};

use crate::app::AppState;
use crate::applications::back_payment::{self, Shown};
use crate::applications::enrolment;
use crate::service::{ServiceError, ServiceResult};
use crate::staff::audit;
use crate::staff::roles::{Area, Role, Staff};
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

/// Records the read: how many forms of which state this member saw, in which area, and which
/// of them were shown with the full name and ID number.
async fn audited(
    state: &AppState,
    staff: &Staff,
    area: &Area,
    action: &str,
    (count, unmasked): (usize, Vec<String>),
    asked: Option<&str>,
) -> ServiceResult<()> {
    audit::record_read(
        &state.db,
        &staff.account_id,
        state.clock.now_ms(),
        action,
        &area.target(state.current_year()),
        json!({ "count": count, "state": asked, "unmasked": unmasked }),
    )
    .await?;
    Ok(())
}

/// Whether this member reviews forms of `town`/`village` in one of `roles`, and so must see
/// the person in full to compare with the papers. Administrators, and staff who only look on
/// (a village assistant at a back payment), see masked values.
fn reviews(staff: &Staff, roles: &[Role], town: &str, village: &str) -> Shown {
    let mine = roles
        .iter()
        .any(|&role| staff.acts_in(role, town, village).is_ok());
    if mine {
        Shown::Full
    } else {
        Shown::Masked
    }
}

/// The village checks the papers, the town enters the person: both compare them.
const ENROLMENT_REVIEWERS: &[Role] = &[Role::Village, Role::Town];

fn unmasked<T>(views: &[T], full: impl Fn(&T) -> Option<String>) -> (usize, Vec<String>) {
    (views.len(), views.iter().filter_map(full).collect())
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
    let views: Vec<EnrolmentView> = rows
        .iter()
        .map(|r| {
            enrolment::view(
                r,
                reviews(staff, ENROLMENT_REVIEWERS, &r.form.town, &r.form.village),
            )
        })
        .collect();
    let seen = unmasked(&views, |v| v.full.as_ref().map(|_| v.id.to_string()));
    audited(state, staff, &area, "enrolment_list", seen, asked).await?;
    Ok(views)
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
    let views: Vec<BackPaymentView> = rows
        .iter()
        .map(|r| back_payment::view(r, reviews(staff, &[Role::Town], &r.town, &r.village)))
        .collect();
    let seen = unmasked(&views, |v| v.full.as_ref().map(|_| v.id.to_string()));
    audited(state, staff, &area, "back_payment_list", seen, asked).await?;
    Ok(views)
}
