//! The routes of staff's window statistics and unpaid lists (JSON, or CSV for Excel), only
//! for their own area. Each handler parses the query, narrows the area to the staff member's
//! own and asks `staff::report`, which counts, audits the read and answers.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use yanglao_shared::wire::{UnpaidPage, WindowStats};

use crate::app::AppState;
use crate::http::error::{ApiError, ApiResult};
use crate::staff::report;
use crate::staff::roles::{Area, Staff};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/stats", get(stats))
        .route("/staff/unpaid", get(unpaid))
        .route("/staff/unpaid.csv", get(unpaid_csv))
}

#[derive(Debug, Deserialize)]
pub struct AreaQuery {
    year: Option<i32>,
    town: Option<String>,
    village: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// The query, the year and the area asked about, in that order of refusal.
fn asked(
    state: &AppState,
    staff: &Staff,
    q: Result<Query<AreaQuery>, QueryRejection>,
) -> ApiResult<(AreaQuery, i32, Area)> {
    let Query(mut q) = q.map_err(|e| {
        ApiError::invalid("invalid_query", format!("查询参数有误：{}", e.body_text()))
    })?;
    let year = report::year_asked(state, q.year)?;
    let area = staff.area(q.town.take(), q.village.take())?;
    Ok((q, year, area))
}

#[utoipa::path(get, path = "/staff/stats", tag = "staff", security(("session" = [])),
    summary = "Staff: enrolled, paid, unpaid, amounts by tier and days left for their area",
    params(
        ("year" = Option<i32>, Query, description = "The year (default: the current window's)"),
        ("town" = Option<String>, Query, description = "Narrow to a town (within one's own area)"),
        ("village" = Option<String>, Query, description = "Narrow to a village (within one's own area)"),
    ),
    responses(
        (status = 200, description = "The window's counts", body = WindowStats),
        (status = 403, description = "Not staff, or outside one's own area"),
        (status = 422, description = "A bad year or query"),
    ))]
async fn stats(
    State(state): State<AppState>,
    staff: Staff,
    q: Result<Query<AreaQuery>, QueryRejection>,
) -> ApiResult<Json<WindowStats>> {
    let (_, year, area) = asked(&state, &staff, q)?;
    Ok(Json(
        report::window_stats(&state, &staff, &area, year).await?,
    ))
}

#[utoipa::path(get, path = "/staff/unpaid", tag = "staff", security(("session" = [])),
    summary = "Staff: the unpaid list of their area, masked ID numbers",
    params(
        ("year" = Option<i32>, Query, description = "The year (default: the current window's)"),
        ("town" = Option<String>, Query, description = "Narrow to a town (within one's own area)"),
        ("village" = Option<String>, Query, description = "Narrow to a village (within one's own area)"),
        ("limit" = Option<i64>, Query, description = "Page size"),
        ("offset" = Option<i64>, Query, description = "Rows to skip"),
    ),
    responses(
        (status = 200, description = "One page", body = UnpaidPage),
        (status = 403, description = "Not staff, or outside one's own area"),
        (status = 422, description = "A bad year, page or query"),
    ))]
async fn unpaid(
    State(state): State<AppState>,
    staff: Staff,
    q: Result<Query<AreaQuery>, QueryRejection>,
) -> ApiResult<Json<UnpaidPage>> {
    let (q, year, area) = asked(&state, &staff, q)?;
    let page = report::unpaid_page(&state, &staff, &area, year, q.limit, q.offset).await?;
    Ok(Json(page))
}

#[utoipa::path(get, path = "/staff/unpaid.csv", tag = "staff", security(("session" = [])),
    summary = "Staff: the unpaid list as CSV (UTF-8 with BOM, Chinese headers)",
    params(
        ("year" = Option<i32>, Query, description = "The year (default: the current window's)"),
        ("town" = Option<String>, Query, description = "Narrow to a town (within one's own area)"),
        ("village" = Option<String>, Query, description = "Narrow to a village (within one's own area)"),
    ),
    responses(
        (status = 200, description = "The list for Excel", body = String, content_type = "text/csv"),
        (status = 403, description = "Not staff, or outside one's own area"),
        (status = 422, description = "A bad year or query"),
    ))]
async fn unpaid_csv(
    State(state): State<AppState>,
    staff: Staff,
    q: Result<Query<AreaQuery>, QueryRejection>,
) -> ApiResult<impl IntoResponse> {
    let (_, year, area) = asked(&state, &staff, q)?;
    let body = report::unpaid_csv(&state, &staff, &area, year).await?;
    let today = yanglao_shared::window::cst_date(state.now());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition(&area, year, today)),
        ],
        body,
    ))
}

/// The file name of an unpaid list (`shared::exports`): the area's own village or town.
pub fn csv_name(area: &Area, year: i32, day: time::Date) -> String {
    let place = area.village.as_deref().or(area.town.as_deref());
    yanglao_shared::exports::unpaid_list_name(place, year, day)
}

fn disposition(area: &Area, year: i32, day: time::Date) -> String {
    let name = csv_name(area, year, day);
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let day_text = yanglao_shared::exports::day_text(day);
    format!("attachment; filename=\"unpaid-{year}-{day_text}.csv\"; filename*=UTF-8''{encoded}")
}
