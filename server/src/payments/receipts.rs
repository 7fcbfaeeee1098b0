//! `GET /api/v1/receipts/{number}`: anyone holding a printed receipt can check it is real. The
//! answer names the person only by a masked name.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use yanglao_shared::wire::ReceiptCheck;
use yanglao_shared::PersonName;

use crate::app::AppState;
use crate::clock::from_ms;
use crate::http::error::{ApiError, ApiResult};
use crate::storage::contributions;

pub fn router() -> Router<AppState> {
    Router::new().route("/receipts/{number}", get(check))
}

#[utoipa::path(get, path = "/receipts/{number}", tag = "payments",
    summary = "Verify a receipt (masked name only)",
    params(("number" = String, Path, description = "The receipt number printed on the receipt")),
    responses(
        (status = 200, description = "The receipt is real", body = ReceiptCheck),
        (status = 404, description = "No such receipt"),
    ))]
async fn check(
    State(state): State<AppState>,
    Path(number): Path<String>,
) -> ApiResult<Json<ReceiptCheck>> {
    if number.len() > 40 || !number.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(ApiError::NotFound);
    }
    let mut conn = state.db.pool.acquire().await?;
    let found = contributions::receipt(&mut conn, &number).await?;
    let found = found.ok_or(ApiError::NotFound)?;
    Ok(Json(ReceiptCheck {
        receipt_no: number,
        name_masked: PersonName::parse(&found.name)
            .map(|n| n.masked())
            .unwrap_or_default(),
        year: found.year,
        amount: found.amount,
        paid_at: from_ms(found.paid_at.unwrap_or_default()),
    }))
}
