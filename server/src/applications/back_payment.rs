//! Back payment (补缴), 《补缴居民基本养老保险申请表》 made online: during the window a resident
//! or relative applies for missed past years of a roster person (matched by name and ID
//! number); the town center of the person's town checks eligibility and issues a payment slip
//! (number, amount = tier × years, no subsidy), and later records the Agricultural Bank receipt,
//! which puts the years in the ledger as back payment — all or none, never over a paid year.

use axum::extract::{Path, State};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;
use yanglao_shared::applications::{
    bank_receipt_no, check_back_payment, BackPaymentEvent, BackPaymentForm, BackPaymentState,
    BackPaymentView, BackRefusal, BankReceipt, MAX_BACK_YEARS,
};
use yanglao_shared::money::Money;
use yanglao_shared::window::WindowState;
use yanglao_shared::{IdNumber, PersonName, TierAmount};

use crate::accounts::auth::Authed;
use crate::app::AppState;
use crate::clock::from_ms;
use crate::http::error::{ApiError, ApiJson, ApiResult};
use crate::roster;
use crate::staff::audit;
use crate::staff::roles::{Role, Staff};
use crate::storage::contributions;
use crate::storage::WriteTx;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/back-payments", get(mine))
        .route("/back-payments/{id}", put(submit))
        .route(
            "/staff/back-payments",
            get(crate::applications::lists::back_payments),
        )
        .route("/staff/back-payments/{id}/review", post(review))
        .route("/staff/back-payments/{id}/receipt", post(receipt))
}

pub(crate) const COLUMNS: &str = "b.id, b.applicant_id, b.resident_id, b.years_json, b.tier_fen, \
    b.state, b.refusals_json, b.slip_no, b.amount_fen, b.bank_receipt_no, b.submitted_at, \
    b.reviewed_at, b.paid_at, r.name, r.id_number, r.town, r.village";
pub(crate) const FROM: &str = "back_payments b JOIN residents r ON r.id = b.resident_id";

pub(crate) struct BackRow {
    pub applicant_id: String,
    pub resident_id: String,
    pub view: BackPaymentView,
}

pub(crate) fn from_row(r: &sqlx::any::AnyRow) -> ApiResult<BackRow> {
    let internal = |e: String| ApiError::Internal(e);
    let state: String = r.try_get("state")?;
    let money = |fen: i64| Money::from_fen(fen).map_err(|e| internal(e.to_string()));
    let tier = TierAmount::try_from(money(r.try_get("tier_fen")?)?)
        .map_err(|e| internal(e.to_string()))?;
    let name: String = r.try_get("name")?;
    let id_number: String = r.try_get("id_number")?;
    Ok(BackRow {
        applicant_id: r.try_get("applicant_id")?,
        resident_id: r.try_get("resident_id")?,
        view: BackPaymentView {
            id: Uuid::parse_str(&r.try_get::<String, _>("id")?)
                .map_err(|e| internal(e.to_string()))?,
            name_masked: PersonName::parse(&name)
                .map(|n| n.masked())
                .unwrap_or_default(),
            id_masked: IdNumber::parse_any_date(&id_number)
                .map(|i| i.masked())
                .unwrap_or_default(),
            town: r.try_get("town")?,
            village: r.try_get("village")?,
            years: json(&r.try_get::<String, _>("years_json")?)?,
            tier,
            state: BackPaymentState::parse(&state).ok_or_else(|| internal(state.clone()))?,
            refusals: match r.try_get::<Option<String>, _>("refusals_json")? {
                Some(text) => json::<Vec<BackRefusal>>(&text)?
                    .iter()
                    .map(BackRefusal::reason)
                    .collect(),
                None => Vec::new(),
            },
            slip_no: r.try_get("slip_no")?,
            amount: r
                .try_get::<Option<i64>, _>("amount_fen")?
                .map(money)
                .transpose()?,
            // The notice: back-paid years earn no subsidy (不享受相应的缴费补贴).
            earns_subsidy: false,
            bank_receipt_no: r.try_get("bank_receipt_no")?,
            submitted_at: from_ms(r.try_get("submitted_at")?),
            reviewed_at: r.try_get::<Option<i64>, _>("reviewed_at")?.map(from_ms),
            paid_at: r.try_get::<Option<i64>, _>("paid_at")?.map(from_ms),
        },
    })
}

fn json<T: serde::de::DeserializeOwned>(text: &str) -> ApiResult<T> {
    serde_json::from_str(text).map_err(|e| ApiError::Internal(e.to_string()))
}

async fn load(conn: &mut AnyConnection, id: &str) -> ApiResult<BackRow> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE b.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(conn).await?;
    from_row(&row.ok_or(ApiError::NotFound)?)
}

async fn mine(State(state): State<AppState>, who: Authed) -> ApiResult<Json<Vec<BackPaymentView>>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE b.applicant_id = $1 ORDER BY b.submitted_at, b.id"
    );
    let rows = sqlx::query(&sql)
        .bind(&who.account_id)
        .fetch_all(&state.db.pool)
        .await?;
    rows.iter()
        .map(|r| Ok(from_row(r)?.view))
        .collect::<ApiResult<_>>()
        .map(Json)
}

async fn submit(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<Uuid>,
    ApiJson(form): ApiJson<BackPaymentForm>,
) -> ApiResult<Json<BackPaymentView>> {
    if form.id != id {
        return Err(ApiError::invalid("id_mismatch", "地址中的编号与内容不一致"));
    }
    let name =
        PersonName::parse(&form.name).map_err(|e| ApiError::invalid(e.code(), e.to_string()))?;
    let today = yanglao_shared::window::cst_date(state.now());
    let id_number = IdNumber::parse(&form.id_number, today)
        .map_err(|e| ApiError::invalid(e.code(), e.to_string()))?;
    let mut years = form.years.clone();
    years.sort_unstable();
    years.dedup();
    if years.is_empty() || years.len() > MAX_BACK_YEARS {
        let refusal = if years.is_empty() {
            BackRefusal::NoYears
        } else {
            BackRefusal::TooManyYears {
                max: MAX_BACK_YEARS,
            }
        };
        return Err(ApiError::invalid(refusal.code(), refusal.zh()));
    }
    let years_json =
        serde_json::to_string(&years).map_err(|e| ApiError::Internal(e.to_string()))?;
    let id = id.to_string();
    let mut tx = state.db.begin_write().await?;
    let resident = roster::matching(&mut tx, &name, &id_number)
        .await?
        .ok_or_else(|| {
            ApiError::invalid("no_roster_match", crate::payments::payees::no_match().zh)
        })?;
    match load(&mut tx, &id).await {
        Ok(row) if row.applicant_id != who.account_id => {
            return Err(ApiError::conflict("id_conflict", "编号冲突，请重新填写"))
        }
        Ok(row)
            if row.resident_id == resident.id
                && row.view.years == years
                && row.view.tier == form.tier =>
        {
            return Ok(Json(row.view));
        }
        Ok(_) => {
            return Err(ApiError::conflict(
                "idempotency_conflict",
                "这份补缴申请已提交，不能修改；如需更改请重新填写一份",
            ))
        }
        Err(ApiError::NotFound) => {}
        Err(e) => return Err(e),
    }
    // The notice: the form is filled in during the payment window (a retry of a form filed
    // in time was answered above, whatever the date now).
    let policy = state.current_policy()?;
    match policy.window.state_at(state.now()) {
        WindowState::Open { .. } => {}
        _ => {
            return Err(ApiError::conflict(
                "window_closed",
                "补缴申请只能在缴费期（每年1月1日至4月30日）内提交",
            ))
        }
    }
    sqlx::query(
        "INSERT INTO back_payments (id, applicant_id, resident_id, years_json, tier_fen, state, \
         submitted_at) VALUES ($1, $2, $3, $4, $5, $7, $6)",
    )
    .bind(&id)
    .bind(&who.account_id)
    .bind(&resident.id)
    .bind(&years_json)
    .bind(form.tier.money().to_fen())
    .bind(state.clock.now_ms())
    .bind(BackPaymentState::Submitted.as_str())
    .execute(&mut **tx)
    .await?;
    let row = load(&mut tx, &id).await?;
    tx.commit().await?;
    Ok(Json(row.view))
}

fn wrong_state() -> ApiError {
    ApiError::conflict("wrong_state", "这份补缴申请当前不在这一步，请刷新后再看")
}

/// Loads the application for a town-center step: only the town center of the person's town.
async fn for_town(tx: &mut WriteTx, staff: &Staff, id: &str) -> ApiResult<BackRow> {
    let row = load(tx, id).await?;
    staff.acts_in(Role::Town, &row.view.town, &row.view.village)?;
    Ok(row)
}

async fn finish(
    mut tx: WriteTx,
    staff: &Staff,
    action: &str,
    before: BackRow,
    now: i64,
) -> ApiResult<Json<BackPaymentView>> {
    let id = before.view.id.to_string();
    let after = load(&mut tx, &id).await?;
    let (target, before, changed) = (
        format!("back_payment:{id}"),
        serde_json::to_value(&before.view).ok(),
        serde_json::to_value(&after.view).ok(),
    );
    audit::commit_change(tx, &staff.account_id, now, action, &target, before, changed).await?;
    Ok(Json(after.view))
}

/// The eligibility check: a slip when every year qualifies, otherwise a rejection that lists
/// every reason (the applicant sees them).
async fn review(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<BackPaymentView>> {
    let id = id.to_string();
    let mut tx = state.db.begin_write().await?;
    let row = for_town(&mut tx, &staff, &id).await?;
    let from = row.view.state;
    let next = |event| from.transition(event).map_err(|_| wrong_state());
    next(BackPaymentEvent::SlipIssued)?;
    let resident = roster::by_id(&mut tx, &row.resident_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut facts = roster::facts(&mut tx, &resident).await?;
    // Years on another slip not yet paid count as taken: two slips never cover one year.
    let held: Vec<String> = sqlx::query_scalar(
        "SELECT years_json FROM back_payments WHERE resident_id = $1 AND state = $2",
    )
    .bind(&row.resident_id)
    .bind(BackPaymentState::SlipIssued.as_str())
    .fetch_all(&mut **tx)
    .await?;
    for years in held {
        let years: Vec<i32> =
            serde_json::from_str(&years).map_err(|e| ApiError::Internal(e.to_string()))?;
        facts.paid_years.extend(years);
    }
    let current = state.current_policy()?;
    let checked = check_back_payment(
        current,
        |year| state.policies.lookup(&state.region, year).ok(),
        &facts,
        &row.view.years,
        row.view.tier,
        state.current_year(),
    );
    let now = state.clock.now_ms();
    let action = match checked {
        Ok(quote) => {
            let n = Uuid::new_v4().as_u128() % 100_000_000;
            let slip_no = format!("BJ{}{n:08}", state.current_year());
            sqlx::query(
                "UPDATE back_payments SET state = $5, slip_no = $1, amount_fen = $2, \
                 reviewed_at = $3 WHERE id = $4",
            )
            .bind(&slip_no)
            .bind(quote.amount.to_fen())
            .bind(now)
            .bind(&id)
            .bind(next(BackPaymentEvent::SlipIssued)?.as_str())
            .execute(&mut **tx)
            .await?;
            "back_payment_slip"
        }
        Err(refusals) => {
            let refusals =
                serde_json::to_string(&refusals).map_err(|e| ApiError::Internal(e.to_string()))?;
            sqlx::query(
                "UPDATE back_payments SET state = $4, refusals_json = $1, \
                 reviewed_at = $2 WHERE id = $3",
            )
            .bind(refusals)
            .bind(now)
            .bind(&id)
            .bind(next(BackPaymentEvent::Rejected)?.as_str())
            .execute(&mut **tx)
            .await?;
            "back_payment_reject"
        }
    };
    finish(tx, &staff, action, row, now).await
}

fn year_taken(year: i64) -> ApiError {
    ApiError::conflict(
        "year_already_paid",
        format!("{year}年已有缴费记录，本次补缴没有录入，请核对后联系申请人"),
    )
}

/// The bank receipt: every year of the slip enters the ledger (back payment, paid, no subsidy)
/// in this one transaction, or none does.
async fn receipt(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<BankReceipt>,
) -> ApiResult<Json<BackPaymentView>> {
    let bank_no = bank_receipt_no(&body.bank_receipt_no).ok_or_else(|| {
        ApiError::invalid(
            "invalid_bank_receipt",
            "农业银行回单号应为6至32位字母或数字",
        )
    })?;
    let id = id.to_string();
    let mut tx = state.db.begin_write().await?;
    let row = for_town(&mut tx, &staff, &id).await?;
    if row.view.state != BackPaymentState::SlipIssued {
        return Err(wrong_state());
    }
    let used: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM back_payments WHERE bank_receipt_no = $1")
            .bind(&bank_no)
            .fetch_one(&mut **tx)
            .await?;
    if used > 0 {
        return Err(ApiError::conflict(
            "bank_receipt_used",
            "这张银行回单已经录入过",
        ));
    }
    let slip_no = row.view.slip_no.clone().unwrap_or_default();
    let now = state.clock.now_ms();
    for &year in &row.view.years {
        let amount = row.view.tier.money().to_fen();
        // One receipt number per person-year, checkable at /receipts like any other.
        let receipt = format!("{slip_no}Y{year}");
        let booked = contributions::book_paid(
            &mut tx,
            &row.resident_id,
            year,
            amount,
            true,
            Some(&receipt),
            now,
        )
        .await?;
        // The primary key (resident, year) refuses a paid year; dropping `tx` undoes every
        // year already written.
        if !booked {
            return Err(year_taken(i64::from(year)));
        }
    }
    sqlx::query(
        "UPDATE back_payments SET state = $4, bank_receipt_no = $1, paid_at = $2 WHERE id = $3",
    )
    .bind(&bank_no)
    .bind(now)
    .bind(&id)
    .bind(
        row.view
            .state
            .transition(BackPaymentEvent::ReceiptRecorded)
            .map_err(|_| wrong_state())?
            .as_str(),
    )
    .execute(&mut **tx)
    .await?;
    finish(tx, &staff, "back_payment_receipt", row, now).await
}
