//! `GET /api/v1/receipts/{number}`: anyone holding a printed receipt can check it is real. The
//! answer names the person only by a masked name.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use sqlx::Row;
use yanglao_shared::money::Money;
use yanglao_shared::wire::ReceiptCheck;
use yanglao_shared::PersonName;

use crate::app::AppState;
use crate::clock::from_ms;
use crate::http::error::{ApiError, ApiResult};
use crate::payments::states::ContributionStatus;

pub fn router() -> Router<AppState> {
    Router::new().route("/receipts/{number}", get(check))
}

async fn check(
    State(state): State<AppState>,
    Path(number): Path<String>,
) -> ApiResult<Json<ReceiptCheck>> {
    if number.len() > 40 || !number.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(ApiError::NotFound);
    }
    let row = sqlx::query(
        "SELECT r.name, c.year, c.amount_fen, c.paid_at FROM contributions c \
         JOIN residents r ON r.id = c.resident_id WHERE c.receipt_no = $1 AND c.state = $2",
    )
    .bind(&number)
    .bind(ContributionStatus::Paid.as_str())
    .fetch_optional(&state.db.pool)
    .await?
    .ok_or(ApiError::NotFound)?;
    let name: String = row.try_get("name")?;
    Ok(Json(ReceiptCheck {
        receipt_no: number,
        name_masked: PersonName::parse(&name)
            .map(|n| n.masked())
            .unwrap_or_default(),
        year: row.try_get::<i64, _>("year")? as i32,
        amount: Money::from_fen(row.try_get("amount_fen")?)
            .map_err(|e| ApiError::Internal(e.to_string()))?,
        paid_at: from_ms(
            row.try_get::<Option<i64>, _>("paid_at")?
                .unwrap_or_default(),
        ),
    }))
}
