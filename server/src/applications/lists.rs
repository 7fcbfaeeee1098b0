//! `GET /staff/enrolments` and `GET /staff/back-payments`: the applications of a staff
//! member's area (a village assistant: their village; town staff: their town), oldest first,
//! optionally only those in one state. Each read is audited like every staff read.

use axum::extract::{Query, State};
use axum::Json;
use serde_json::json;
use sqlx::any::AnyRow;
use yanglao_shared::applications::{
    BackPaymentState, BackPaymentView, EnrolmentState, EnrolmentView,
};

use crate::app::AppState;
use crate::applications::back_payment;
use crate::applications::enrolment;
use crate::http::error::{ApiError, ApiResult};
use crate::staff::audit;
use crate::staff::roles::Staff;

#[derive(Debug, serde::Deserialize)]
pub struct ListQuery {
    state: Option<String>,
}

/// What differs between the two lists.
struct Listed {
    /// `SELECT … FROM …`, ready for a WHERE clause.
    select: String,
    state_column: &'static str,
    /// The table (or alias) whose `town` and `village` place the application.
    area_table: &'static str,
    order: &'static str,
    known_state: fn(&str) -> bool,
    /// The states, for the refusal of any other.
    states: &'static str,
    action: &'static str,
}

async fn rows(
    state: &AppState,
    staff: &Staff,
    q: &ListQuery,
    listed: Listed,
) -> ApiResult<Vec<AnyRow>> {
    let wanted = q.state.as_deref().unwrap_or("");
    if !wanted.is_empty() && !(listed.known_state)(wanted) {
        let message = format!("状态应为 {}", listed.states);
        return Err(ApiError::invalid("invalid_state", message));
    }
    let area = staff.area(None, None)?;
    let (filter, values) = area.filter(listed.area_table, 2);
    let sql = format!(
        "{} WHERE ($1 = '' OR {} = $1){filter} ORDER BY {}",
        listed.select, listed.state_column, listed.order
    );
    let mut query = sqlx::query(&sql).bind(wanted);
    for value in values {
        query = query.bind(value);
    }
    let rows = query.fetch_all(&state.db.pool).await?;
    audit::record_read(
        &state.db,
        &staff.account_id,
        state.clock.now_ms(),
        listed.action,
        &area.target(state.current_year()),
        json!({ "count": rows.len(), "state": q.state }),
    )
    .await?;
    Ok(rows)
}

pub async fn enrolments(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<EnrolmentView>>> {
    let listed = Listed {
        select: format!("SELECT {} FROM enrolments e", enrolment::COLUMNS),
        state_column: "e.state",
        area_table: "e",
        order: "e.submitted_at, e.id",
        known_state: |s| EnrolmentState::parse(s).is_some(),
        states: "submitted/returned/village_approved/enrolled",
        action: "enrolment_list",
    };
    let rows = rows(&state, &staff, &q, listed).await?;
    rows.iter()
        .map(|r| Ok(enrolment::from_row(r)?.view()))
        .collect::<ApiResult<_>>()
        .map(Json)
}

pub async fn back_payments(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<BackPaymentView>>> {
    let listed = Listed {
        select: format!(
            "SELECT {} FROM {}",
            back_payment::COLUMNS,
            back_payment::FROM
        ),
        state_column: "b.state",
        area_table: "r",
        order: "b.submitted_at, b.id",
        known_state: |s| BackPaymentState::parse(s).is_some(),
        states: "submitted/rejected/slip_issued/paid",
        action: "back_payment_list",
    };
    let rows = rows(&state, &staff, &q, listed).await?;
    rows.iter()
        .map(|r| Ok(back_payment::from_row(r)?.view))
        .collect::<ApiResult<_>>()
        .map(Json)
}
