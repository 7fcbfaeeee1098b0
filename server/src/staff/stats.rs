//! The payment window at a glance, for staff and only for their own area: how many are
//! enrolled, paid and unpaid this year, the amounts by tier, the days left, and the unpaid list
//! to follow up (JSON, or CSV for Excel). Every read writes an audit entry in the same
//! transaction, and the answer is sent only once that entry has committed.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use sqlx::{AnyConnection, Row};
use yanglao_shared::money::Money;
use yanglao_shared::window::WindowState;
use yanglao_shared::wire::{TierTotal, UnpaidPage, UnpaidPerson, WindowStats as Stats};
use yanglao_shared::IdNumber;

use crate::app::AppState;
use crate::http::error::{ApiError, ApiResult};
use crate::staff::audit;
use crate::staff::roles::{Area, Staff};

/// Rows per page of the unpaid list; a town has thousands, a phone on a weak network wants few.
pub const PAGE_DEFAULT: i64 = 200;
pub const PAGE_MAX: i64 = 1000;

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

fn query(q: Result<Query<AreaQuery>, QueryRejection>) -> ApiResult<AreaQuery> {
    q.map(|Query(q)| q)
        .map_err(|e| ApiError::invalid("invalid_query", format!("查询参数有误：{}", e.body_text())))
}

/// The year asked about: this year by the server's clock unless given; nothing far off.
fn year(state: &AppState, asked: Option<i32>) -> ApiResult<i32> {
    let this = state.current_year();
    match asked.unwrap_or(this) {
        y if (2000..=this + 1).contains(&y) => Ok(y),
        _ => Err(ApiError::invalid("bad_year", "年份不对")),
    }
}

async fn stats(
    State(state): State<AppState>,
    staff: Staff,
    q: Result<Query<AreaQuery>, QueryRejection>,
) -> ApiResult<Json<Stats>> {
    let q = query(q)?;
    let year = year(&state, q.year)?;
    let area = staff.area(q.town, q.village)?;
    let now = state.now();
    let window = state.policy_for(year)?.window.state_at(now);
    let days_left = match window {
        WindowState::Open {
            year: open,
            days_left,
            ..
        } if open == year => days_left,
        _ => 0,
    };
    let mut conn = state.db.pool.acquire().await?;
    let (filter, values) = area.filter("r", 2);
    let sql = format!(
        "SELECT COUNT(*) AS enrolled, \
           CAST(COALESCE(SUM(CASE WHEN c.state = 'paid' THEN 1 ELSE 0 END), 0) AS BIGINT) AS paid, \
           CAST(COALESCE(SUM(CASE WHEN c.state = 'charging' THEN 1 ELSE 0 END), 0) AS BIGINT) \
             AS charging \
         FROM residents r LEFT JOIN contributions c ON c.resident_id = r.id AND c.year = $1 \
         WHERE r.status = 'enrolled'{filter}"
    );
    let mut counts = sqlx::query(&sql).bind(i64::from(year));
    for v in &values {
        counts = counts.bind(v.clone());
    }
    let counts = counts.fetch_one(&mut *conn).await?;
    let (enrolled, paid, charging): (i64, i64, i64) = (
        counts.try_get("enrolled")?,
        counts.try_get("paid")?,
        counts.try_get("charging")?,
    );
    let sql = format!(
        "SELECT c.amount_fen AS amount_fen, COUNT(*) AS n, CAST(SUM(c.amount_fen) AS BIGINT) AS total \
         FROM contributions c JOIN residents r ON r.id = c.resident_id \
         WHERE c.year = $1 AND c.state = 'paid' AND r.status = 'enrolled'{filter} \
         GROUP BY c.amount_fen ORDER BY c.amount_fen"
    );
    let mut tiers = sqlx::query(&sql).bind(i64::from(year));
    for v in &values {
        tiers = tiers.bind(v.clone());
    }
    let tiers = tiers
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|row| {
            let amount_fen: i64 = row.try_get("amount_fen")?;
            Ok(TierTotal {
                amount_fen,
                amount: Money::from_fen(amount_fen)
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
                count: row.try_get("n")?,
                sum_fen: row.try_get("total")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let stats = Stats {
        year,
        paid_fen: tiers.iter().map(|t| t.sum_fen).sum(),
        town: area.town.clone(),
        village: area.village.clone(),
        enrolled,
        paid,
        charging,
        unpaid: enrolled - paid - charging,
        tiers,
        days_left,
        window,
    };
    audit::record_read(
        &state.db,
        &staff.account_id,
        crate::clock::to_ms(now),
        "view_stats",
        &area.target(year),
        json!({ "enrolled": enrolled, "paid": paid, "unpaid": stats.unpaid }),
    )
    .await?;
    Ok(Json(stats))
}

/// Enrolled residents of `area` with nothing in the ledger for `year` (someone being charged
/// right now is not listed: the bank is answering), by village and ID number.
async fn unpaid_rows(
    conn: &mut AnyConnection,
    area: &Area,
    year: i32,
    page: Option<(i64, i64)>,
) -> Result<Vec<UnpaidPerson>, sqlx::Error> {
    let (filter, values) = area.filter("r", 2);
    let paging = match page {
        Some((limit, offset)) => format!(" LIMIT {limit} OFFSET {offset}"),
        None => String::new(),
    };
    let sql = format!(
        "SELECT r.name, r.id_number, r.town, r.village FROM residents r \
         WHERE r.status = 'enrolled'{filter} AND NOT EXISTS \
           (SELECT 1 FROM contributions c WHERE c.resident_id = r.id AND c.year = $1) \
         ORDER BY r.town, r.village, r.id_number{paging}"
    );
    let mut rows = sqlx::query(&sql).bind(i64::from(year));
    for v in &values {
        rows = rows.bind(v.clone());
    }
    rows.fetch_all(conn)
        .await?
        .iter()
        .map(|row| {
            let id_number: String = row.try_get("id_number")?;
            Ok(UnpaidPerson {
                name: row.try_get("name")?,
                id_masked: IdNumber::parse_any_date(&id_number)
                    .map(|id| id.masked())
                    .unwrap_or_else(|_| "******".into()),
                town: row.try_get("town")?,
                village: row.try_get("village")?,
            })
        })
        .collect()
}

async fn unpaid_count(
    conn: &mut AnyConnection,
    area: &Area,
    year: i32,
) -> Result<i64, sqlx::Error> {
    let (filter, values) = area.filter("r", 2);
    let sql = format!(
        "SELECT COUNT(*) FROM residents r WHERE r.status = 'enrolled'{filter} AND NOT EXISTS \
           (SELECT 1 FROM contributions c WHERE c.resident_id = r.id AND c.year = $1)"
    );
    let mut count = sqlx::query_scalar(&sql).bind(i64::from(year));
    for v in &values {
        count = count.bind(v.clone());
    }
    count.fetch_one(conn).await
}

async fn unpaid(
    State(state): State<AppState>,
    staff: Staff,
    q: Result<Query<AreaQuery>, QueryRejection>,
) -> ApiResult<Json<UnpaidPage>> {
    let q = query(q)?;
    let year = year(&state, q.year)?;
    let area = staff.area(q.town, q.village)?;
    let limit = q.limit.unwrap_or(PAGE_DEFAULT).clamp(1, PAGE_MAX);
    let offset = q.offset.unwrap_or(0).max(0);
    let mut conn = state.db.pool.acquire().await?;
    let people = unpaid_rows(&mut conn, &area, year, Some((limit, offset))).await?;
    let total = unpaid_count(&mut conn, &area, year).await?;
    drop(conn);
    audit::record_read(
        &state.db,
        &staff.account_id,
        state.clock.now_ms(),
        "view_unpaid",
        &area.target(year),
        json!({ "rows": people.len(), "offset": offset, "total": total }),
    )
    .await?;
    Ok(Json(UnpaidPage {
        year,
        total,
        offset,
        people,
    }))
}

pub const CSV_HEADER: [&str; 5] = ["姓名", "身份证号码（部分隐藏）", "镇街", "村居", "缴费年度"];

/// A cell Excel would run as a formula is kept as text.
fn cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

async fn unpaid_csv(
    State(state): State<AppState>,
    staff: Staff,
    q: Result<Query<AreaQuery>, QueryRejection>,
) -> ApiResult<impl IntoResponse> {
    let q = query(q)?;
    let year = year(&state, q.year)?;
    let area = staff.area(q.town, q.village)?;
    let people = unpaid_rows(&mut *state.db.pool.acquire().await?, &area, year, None).await?;
    // The BOM makes Excel read the file as UTF-8 (without it, Chinese comes out garbled).
    let mut csv = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
    let internal = |e: csv::Error| ApiError::Internal(format!("csv: {e}"));
    csv.write_record(CSV_HEADER).map_err(internal)?;
    let year_text = year.to_string();
    for p in &people {
        csv.write_record([
            cell(&p.name),
            p.id_masked.clone(),
            cell(&p.town),
            cell(&p.village),
            year_text.clone(),
        ])
        .map_err(internal)?;
    }
    let body = csv
        .into_inner()
        .map_err(|e| ApiError::Internal(format!("csv: {e}")))?;
    audit::record_read(
        &state.db,
        &staff.account_id,
        state.clock.now_ms(),
        "export_unpaid",
        &area.target(year),
        json!({ "rows": people.len() }),
    )
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"unpaid-{year}.csv\""),
            ),
        ],
        body,
    ))
}
