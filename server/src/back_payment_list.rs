//! `GET /staff/back-payments`: the back-payment applications of a staff member's area (the
//! town center acts on them; a village assistant follows their village's), each read audited.

use axum::extract::{Query, State};
use axum::Json;
use serde_json::json;
use yanglao_shared::applications::{BackPaymentState, BackPaymentView};

use crate::app::AppState;
use crate::audit;
use crate::back_payment::{from_row, COLUMNS, FROM};
use crate::error::{ApiError, ApiResult};
use crate::staff::Staff;

#[derive(Debug, serde::Deserialize)]
pub struct ListQuery {
    state: Option<String>,
}

pub async fn staff_list(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<BackPaymentView>>> {
    let wanted = match q.state.as_deref() {
        None | Some("") => None,
        Some(s) => Some(BackPaymentState::parse(s).ok_or_else(|| {
            ApiError::invalid(
                "invalid_state",
                "状态应为 submitted/rejected/slip_issued/paid",
            )
        })?),
    };
    let area = staff.area(None, None)?;
    let (filter, values) = area.filter("r", 2);
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE ($1 = '' OR b.state = $1){filter} \
         ORDER BY b.submitted_at, b.id"
    );
    let mut query = sqlx::query(&sql).bind(wanted.map(BackPaymentState::as_str).unwrap_or(""));
    for value in values {
        query = query.bind(value);
    }
    let rows = query.fetch_all(&state.db.pool).await?;
    let views = rows
        .iter()
        .map(|r| Ok(from_row(r)?.view))
        .collect::<ApiResult<Vec<_>>>()?;
    audit::record_read(
        &state.db,
        &staff.account_id,
        state.clock.now_ms(),
        "back_payment_list",
        &area.target(state.current_year()),
        json!({ "count": views.len(), "state": q.state }),
    )
    .await?;
    Ok(Json(views))
}
