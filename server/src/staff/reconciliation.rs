//! The routes of the daily reconciliation (对账) and its refund cases (退费), for town-center
//! staff (their own town's residents) and administrators (everyone); village assistants and
//! residents get 403. Each handler parses its input into a `{code, message}` refusal when it
//! is bad, and asks `payments::reconciliation`, which compares, opens and resolves cases;
//! every read and every step is audited.
//!
//! - `GET /staff/reconciliation?date=YYYY-MM-DD` (or `?from=&to=`, at most 31 days): the
//!   mismatches, JSON; `GET /staff/reconciliation.csv?…`: the same as CSV for Excel.
//! - `GET /staff/refund-cases[?state=open]`, `POST /staff/refund-cases/{id}/refund`,
//!   `POST /staff/refund-cases/{id}/book`.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use time::Date;
use uuid::Uuid;
use yanglao_shared::window::parse_day;

use crate::app::AppState;
use crate::http::error::{ApiError, ApiResult};
use crate::payments::reconciliation::case_states::CaseStatus;
use crate::payments::reconciliation::cases::{self, visible, CaseView};
use crate::payments::reconciliation::{self, Mismatch, Report};
use crate::payments::states::IntentStatus;
use crate::staff::audit;
use crate::staff::roles::{Area, Role, Staff};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/reconciliation", get(report))
        .route("/staff/reconciliation.csv", get(report_csv))
        .route("/staff/refund-cases", get(list))
        .route("/staff/refund-cases/{id}/refund", post(refund))
        .route("/staff/refund-cases/{id}/book", post(book))
}

#[derive(Debug, Deserialize)]
pub struct DayQuery {
    date: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct CaseQuery {
    state: Option<String>,
}

/// Town-center staff see their town, administrators every town; nobody else.
fn area_of(staff: &Staff) -> ApiResult<Area> {
    match staff.role {
        Role::Village => Err(ApiError::Forbidden),
        Role::Town | Role::Admin => Ok(staff.area(None, None)?),
    }
}

fn day(text: &str) -> ApiResult<Date> {
    parse_day(text).ok_or_else(|| {
        ApiError::invalid(
            "bad_date",
            format!("日期格式应为 YYYY-MM-DD，例如 2026-03-01：{text}"),
        )
    })
}

fn days_asked(q: Result<Query<DayQuery>, QueryRejection>) -> ApiResult<(Date, Date)> {
    let Query(q) = q.map_err(|e| {
        ApiError::invalid("invalid_query", format!("查询参数有误：{}", e.body_text()))
    })?;
    match (q.date, q.from, q.to) {
        (Some(d), None, None) => {
            let d = day(&d)?;
            Ok((d, d))
        }
        (None, Some(from), Some(to)) => Ok((day(&from)?, day(&to)?)),
        (None, Some(d), None) | (None, None, Some(d)) => {
            let d = day(&d)?;
            Ok((d, d))
        }
        (None, None, None) => Err(ApiError::invalid(
            "date_needed",
            "请指定对账日期（date=YYYY-MM-DD），或起止日期（from=…&to=…）",
        )),
        _ => Err(ApiError::invalid("bad_range", "date 与 from/to 只能选一种")),
    }
}

/// Runs the days asked and keeps what this staff member may see; the read is audited.
async fn run(
    state: &AppState,
    staff: &Staff,
    q: Result<Query<DayQuery>, QueryRejection>,
    action: &str,
) -> ApiResult<Report> {
    let area = area_of(staff)?;
    let (from, to) = days_asked(q)?;
    let days = reconciliation::days(state, from, to)?;
    let mut report = reconciliation::run(state, &staff.account_id, &days).await?;
    report
        .mismatches
        .retain(|m| visible(&area, m.town.as_deref()));
    let target = format!(
        "reconciliation:{}..{} {}",
        report.from,
        report.to,
        area.target(0)
    );
    let seen = json!({ "mismatches": report.mismatches.len(), "opened": report.opened });
    audit::record_read(
        &state.db,
        &staff.account_id,
        state.clock.now_ms(),
        action,
        &target,
        seen,
    )
    .await?;
    Ok(report)
}

#[utoipa::path(get, path = "/staff/reconciliation", tag = "staff", security(("session" = [])),
    summary = "Town center, admin: the day's reconciliation, bank statement against ledger, both ways; opens refund cases",
    params(
        ("date" = Option<String>, Query, description = "One day, YYYY-MM-DD (China Standard Time)"),
        ("from" = Option<String>, Query, description = "First day of a range, YYYY-MM-DD"),
        ("to" = Option<String>, Query, description = "Last day of a range (at most 31 days)"),
    ),
    responses(
        (status = 200, description = "The mismatches one may see", body = Report),
        (status = 403, description = "Not town-center staff or an administrator"),
        (status = 422, description = "No day, a bad day or range"),
        (status = 503, description = "The bank's statement cannot be fetched"),
    ))]
async fn report(
    State(state): State<AppState>,
    staff: Staff,
    q: Result<Query<DayQuery>, QueryRejection>,
) -> ApiResult<Json<Report>> {
    Ok(Json(run(&state, &staff, q, "view_reconciliation").await?))
}

pub const CSV_HEADER: [&str; 13] = [
    "对账日期",
    "差异类型",
    "订单号",
    "银行状态",
    "银行金额（元）",
    "账本状态",
    "账本金额（元）",
    "姓名",
    "镇街",
    "村居",
    "缴费年度",
    "退费单号",
    "差异代码",
];

/// A cell Excel would run as a formula is kept as text.
fn cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

fn row(m: &Mismatch) -> [String; 13] {
    let opt = |v: &Option<String>| v.as_deref().map(cell).unwrap_or_default();
    let money =
        |v: Option<yanglao_shared::money::Money>| v.map(|m| m.to_string()).unwrap_or_default();
    let bank = m.bank_status.map(|s| s.zh());
    [
        m.day.clone(),
        m.kind_zh.clone(),
        m.order_id.to_string(),
        bank.unwrap_or("对账单中没有").to_owned(),
        money(m.bank_amount),
        m.ledger_state
            .as_deref()
            .map(|code| IntentStatus::parse(code).map_or(code, |s| s.zh()))
            .unwrap_or("无此订单")
            .to_owned(),
        money(m.ledger_amount),
        opt(&m.name),
        opt(&m.town),
        opt(&m.village),
        m.year.map(|y| y.to_string()).unwrap_or_default(),
        m.refund_case.map(|c| c.to_string()).unwrap_or_default(),
        m.kind.code().to_owned(),
    ]
}

#[utoipa::path(get, path = "/staff/reconciliation.csv", tag = "staff", security(("session" = [])),
    summary = "Town center, admin: the reconciliation's mismatches as CSV (UTF-8 with BOM)",
    params(
        ("date" = Option<String>, Query, description = "One day, YYYY-MM-DD (China Standard Time)"),
        ("from" = Option<String>, Query, description = "First day of a range, YYYY-MM-DD"),
        ("to" = Option<String>, Query, description = "Last day of a range (at most 31 days)"),
    ),
    responses(
        (status = 200, description = "The mismatches for Excel", body = String, content_type = "text/csv"),
        (status = 403, description = "Not town-center staff or an administrator"),
        (status = 422, description = "No day, a bad day or range"),
        (status = 503, description = "The bank's statement cannot be fetched"),
    ))]
async fn report_csv(
    State(state): State<AppState>,
    staff: Staff,
    q: Result<Query<DayQuery>, QueryRejection>,
) -> ApiResult<impl IntoResponse> {
    let report = run(&state, &staff, q, "export_reconciliation").await?;
    // The BOM makes Excel read the file as UTF-8 (without it, Chinese comes out garbled).
    let mut csv = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
    let internal = |e: csv::Error| ApiError::Internal(format!("csv: {e}"));
    csv.write_record(CSV_HEADER).map_err(internal)?;
    for m in &report.mismatches {
        csv.write_record(row(m)).map_err(internal)?;
    }
    let body = csv
        .into_inner()
        .map_err(|e| ApiError::Internal(format!("csv: {e}")))?;
    let name = if report.from == report.to {
        format!("reconciliation-{}.csv", report.from)
    } else {
        format!("reconciliation-{}-{}.csv", report.from, report.to)
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    ))
}

#[utoipa::path(get, path = "/staff/refund-cases", tag = "staff", security(("session" = [])),
    summary = "Town center, admin: refund cases (bank paid, ledger not) of their area",
    params(("state" = Option<String>, Query, description = "open, refunding, refunded or booked")),
    responses(
        (status = 200, description = "The cases", body = Vec<CaseView>),
        (status = 403, description = "Not town-center staff or an administrator"),
        (status = 422, description = "An unknown state"),
    ))]
async fn list(
    State(state): State<AppState>,
    staff: Staff,
    q: Result<Query<CaseQuery>, QueryRejection>,
) -> ApiResult<Json<Vec<CaseView>>> {
    let area = area_of(&staff)?;
    let Query(q) = q.map_err(|e| {
        ApiError::invalid("invalid_query", format!("查询参数有误：{}", e.body_text()))
    })?;
    let status = match q.state.as_deref() {
        None | Some("") => None,
        Some(text) => Some(CaseStatus::parse(text).ok_or_else(|| {
            ApiError::invalid(
                "bad_state",
                "state 应为 open、refunding、refunded 或 booked",
            )
        })?),
    };
    let cases = cases::list(&state, &area, status).await?;
    let target = format!("refund_cases {}", area.target(0));
    let seen = json!({ "rows": cases.len() });
    audit::record_read(
        &state.db,
        &staff.account_id,
        state.clock.now_ms(),
        "view_refund_cases",
        &target,
        seen,
    )
    .await?;
    Ok(Json(cases))
}

fn case_id(id: Result<Path<String>, PathRejection>) -> ApiResult<Uuid> {
    let Path(id) = id.map_err(|_| ApiError::invalid("bad_id", "退费单编号有误"))?;
    Uuid::parse_str(&id).map_err(|_| ApiError::invalid("bad_id", "退费单编号有误"))
}

#[utoipa::path(post, path = "/staff/refund-cases/{id}/refund", tag = "staff", security(("session" = [])),
    summary = "Town center, admin: refund the case's order in full through the bank",
    params(("id" = Uuid, Path, description = "The refund case")),
    responses(
        (status = 200, description = "The case after the step", body = CaseView),
        (status = 403, description = "Not town-center staff or an administrator, or outside one's town"),
        (status = 404, description = "No such case"),
        (status = 409, description = "The case is not open for this step"),
        (status = 422, description = "A malformed case id"),
        (status = 503, description = "The bank cannot be reached"),
    ))]
async fn refund(
    State(state): State<AppState>,
    staff: Staff,
    id: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<CaseView>> {
    let area = area_of(&staff)?;
    let id = case_id(id)?;
    Ok(Json(
        cases::refund(&state, &staff.account_id, &area, id).await?,
    ))
}

#[utoipa::path(post, path = "/staff/refund-cases/{id}/book", tag = "staff", security(("session" = [])),
    summary = "Town center, admin: book the case's money to its person-year, when still free",
    params(("id" = Uuid, Path, description = "The refund case")),
    responses(
        (status = 200, description = "The case after the step", body = CaseView),
        (status = 403, description = "Not town-center staff or an administrator, or outside one's town"),
        (status = 404, description = "No such case"),
        (status = 409, description = "The case is not open for this step"),
        (status = 422, description = "A malformed case id"),
    ))]
async fn book(
    State(state): State<AppState>,
    staff: Staff,
    id: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<CaseView>> {
    let area = area_of(&staff)?;
    let id = case_id(id)?;
    Ok(Json(
        cases::book(&state, &staff.account_id, &area, id).await?,
    ))
}
