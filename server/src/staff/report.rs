//! What staff are told about their own area: the payment window at a glance (how many are
//! enrolled, paid and unpaid this year, the amounts by tier, the days left) and the unpaid list
//! to follow up, one page or all of it as CSV for Excel. Every read writes an audit entry, and
//! the answer is given only once that entry has committed. The queries are in
//! `storage::stats`; the routes in `staff::stats`.

use serde_json::json;
use yanglao_shared::window::WindowState;
use yanglao_shared::wire::{TierTotal, UnpaidPage, UnpaidPerson, WindowStats};

use crate::app::AppState;
use crate::service::{ServiceError, ServiceResult};
use crate::staff::audit;
use crate::staff::roles::{Area, Staff};
use crate::storage::stats::{self, UnpaidResident};

/// Rows per page of the unpaid list; a town has thousands, a phone on a weak network wants few.
pub const PAGE_DEFAULT: i64 = 200;
pub const PAGE_MAX: i64 = 1000;

/// The year asked about: this year by the server's clock unless given; nothing far off.
pub fn year_asked(state: &AppState, asked: Option<i32>) -> ServiceResult<i32> {
    let this = state.current_year();
    match asked.unwrap_or(this) {
        y if (2000..=this + 1).contains(&y) => Ok(y),
        _ => Err(ServiceError::invalid("bad_year", "年份不对")),
    }
}

pub async fn window_stats(
    state: &AppState,
    staff: &Staff,
    area: &Area,
    year: i32,
) -> ServiceResult<WindowStats> {
    let now = state.now();
    let policy = state.policy_for(year)?;
    let window = policy.window.state_at(now);
    let days_left = match window {
        WindowState::Open {
            year: open,
            days_left,
            ..
        } if open == year => days_left,
        _ => 0,
    };
    let mut conn = state.db.pool.acquire().await?;
    let counts = stats::counts(&mut conn, area, year).await?;
    let tiers: Vec<TierTotal> = stats::paid_by_tier(&mut conn, area, year)
        .await?
        .into_iter()
        .map(|t| TierTotal {
            amount_fen: t.amount.to_fen(),
            amount: t.amount.to_string(),
            count: t.count,
            sum_fen: t.sum_fen,
        })
        .collect();
    drop(conn);
    let unpaid = counts.enrolled - counts.paid - counts.charging;
    audit::record_read(
        &state.db,
        &staff.account_id,
        crate::clock::to_ms(now),
        "view_stats",
        &area.target(year),
        json!({ "enrolled": counts.enrolled, "paid": counts.paid, "unpaid": unpaid }),
    )
    .await?;
    Ok(WindowStats {
        year,
        paid_fen: tiers.iter().map(|t| t.sum_fen).sum(),
        town: area.town.clone(),
        village: area.village.clone(),
        enrolled: counts.enrolled,
        paid: counts.paid,
        charging: counts.charging,
        unpaid,
        tiers,
        days_left,
        window,
    })
}

/// The unpaid list as staff see it: the ID number masked.
fn person(r: UnpaidResident) -> UnpaidPerson {
    UnpaidPerson {
        name: r.name,
        id_masked: r.id_number.masked(),
        town: r.town,
        village: r.village,
    }
}

/// One page of the unpaid list (`limit` within 1 to [`PAGE_MAX`]) and how many there are.
pub async fn unpaid_page(
    state: &AppState,
    staff: &Staff,
    area: &Area,
    year: i32,
    limit: Option<i64>,
    offset: Option<i64>,
) -> ServiceResult<UnpaidPage> {
    let limit = limit.unwrap_or(PAGE_DEFAULT).clamp(1, PAGE_MAX);
    let offset = offset.unwrap_or(0).max(0);
    let mut conn = state.db.pool.acquire().await?;
    let people = stats::unpaid(&mut conn, area, year, Some((limit, offset))).await?;
    let total = stats::unpaid_count(&mut conn, area, year).await?;
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
    Ok(UnpaidPage {
        year,
        total,
        offset,
        people: people.into_iter().map(person).collect(),
    })
}

pub const CSV_HEADER: [&str; 5] = ["姓名", "身份证号码（部分隐藏）", "镇街", "村居", "缴费年度"];

/// A cell Excel would run as a formula is kept as text.
fn cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

/// The whole unpaid list as a CSV file for Excel.
pub async fn unpaid_csv(
    state: &AppState,
    staff: &Staff,
    area: &Area,
    year: i32,
) -> ServiceResult<Vec<u8>> {
    let people = stats::unpaid(&mut *state.db.pool.acquire().await?, area, year, None).await?;
    // The BOM makes Excel read the file as UTF-8 (without it, Chinese comes out garbled).
    let mut csv = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
    let internal = |e: csv::Error| ServiceError::Internal(format!("csv: {e}"));
    csv.write_record(CSV_HEADER).map_err(internal)?;
    let year_text = year.to_string();
    for p in people.iter().cloned().map(person) {
        csv.write_record([
            cell(&p.name),
            p.id_masked,
            cell(&p.town),
            cell(&p.village),
            year_text.clone(),
        ])
        .map_err(internal)?;
    }
    let body = csv
        .into_inner()
        .map_err(|e| ServiceError::Internal(format!("csv: {e}")))?;
    audit::record_read(
        &state.db,
        &staff.account_id,
        state.clock.now_ms(),
        "export_unpaid",
        &area.target(year),
        json!({ "rows": people.len() }),
    )
    .await?;
    Ok(body)
}
