//! The people an account pays for (缴费人员). A payer learns only what paying needs: masked name
//! and ID, whether the person can pay, whether this year is paid (by anyone), and which tiers
//! they may choose. Never amounts, history, or who else pays.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;
use yanglao_shared::eligibility::tiers_for;
use yanglao_shared::wire::{NewPayee, PayeeCheck, PayeeView};
use yanglao_shared::{decide, IdNumber, PersonName, Reason, Refusal, TierAmount};

use crate::accounts::auth::Authed;
use crate::app::AppState;
use crate::http::error::{ApiError, ApiJson, ApiResult};
use crate::roster;
use crate::storage::{is_unique_violation, next_seq};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/payees", get(list))
        .route("/payees/{id}", put(add).delete(remove))
}

async fn list(State(state): State<AppState>, who: Authed) -> ApiResult<Json<Vec<PayeeView>>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(
        views_since(&mut conn, &state, &who.account_id, None).await?,
    ))
}

async fn add(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<Uuid>,
    ApiJson(payee): ApiJson<NewPayee>,
) -> ApiResult<Json<PayeeView>> {
    if payee.id != id {
        return Err(ApiError::invalid("id_mismatch", "地址中的编号与内容不一致"));
    }
    Ok(Json(upsert(&state, &who.account_id, &payee).await?))
}

/// Adds a person, idempotently by the client's id. Invalid input is an `Invalid` error; the
/// sync endpoint turns it into a per-item answer.
pub async fn upsert(state: &AppState, account_id: &str, payee: &NewPayee) -> ApiResult<PayeeView> {
    let name =
        PersonName::parse(&payee.name).map_err(|e| ApiError::invalid(e.code(), e.to_string()))?;
    let today = yanglao_shared::window::cst_date(state.now());
    let id_number = IdNumber::parse(&payee.id_number, today)
        .map_err(|e| ApiError::invalid(e.code(), e.to_string()))?;
    let id = payee.id.to_string();
    let mut tx = state.db.begin_write().await?;
    let existing = sqlx::query("SELECT account_id, name, id_number FROM payees WHERE id = $1")
        .bind(&id)
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(row) = existing {
        let same_owner = row.try_get::<String, _>("account_id")? == account_id;
        let same_person = row.try_get::<String, _>("id_number")? == id_number.as_str()
            && row.try_get::<String, _>("name")? == name.as_str();
        if !same_owner {
            return Err(ApiError::conflict("id_conflict", "编号冲突，请重新添加"));
        }
        if !same_person {
            return Err(ApiError::conflict(
                "idempotency_conflict",
                "同一编号的内容不同，请重新添加",
            ));
        }
        tx.commit().await?;
    } else {
        let resident = roster::matching(&mut tx, &name, &id_number).await?;
        let seq = next_seq(&mut tx).await?;
        let inserted = sqlx::query(
            "INSERT INTO payees (id, account_id, resident_id, name, id_number, removed, \
             changed_seq, created_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $7)",
        )
        .bind(&id)
        .bind(account_id)
        .bind(resident.map(|r| r.id))
        .bind(name.as_str())
        .bind(id_number.as_str())
        .bind(seq)
        .bind(state.clock.now_ms())
        .execute(&mut **tx)
        .await;
        match inserted {
            Err(e) if is_unique_violation(&e) => {
                return Err(ApiError::conflict(
                    "payee_exists",
                    "此人已在您的缴费人员列表中",
                ))
            }
            other => other?,
        };
        tx.commit().await?;
    }
    let mut conn = state.db.pool.acquire().await?;
    let row = payee_rows(&mut conn, account_id, Some(&id), None).await?;
    let row = row.into_iter().next().ok_or(ApiError::NotFound)?;
    view(&mut conn, state, row).await
}

async fn remove(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    let owned = crate::storage::Owned::Payees;
    match crate::storage::soft_remove(&state.db, owned, &id.to_string(), &who.account_id).await? {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(ApiError::NotFound),
    }
}

pub struct PayeeRow {
    pub id: String,
    pub resident_id: Option<String>,
    pub name: String,
    pub id_number: String,
    pub removed: bool,
}

async fn payee_rows(
    conn: &mut AnyConnection,
    account_id: &str,
    only_id: Option<&str>,
    since: Option<i64>,
) -> ApiResult<Vec<PayeeRow>> {
    let rows = sqlx::query(
        "SELECT id, resident_id, name, id_number, removed FROM payees \
         WHERE account_id = $1 AND ($2 = '' OR id = $2) AND changed_seq > $3 \
         AND (removed = 0 OR $3 >= 0) ORDER BY created_at",
    )
    .bind(account_id)
    .bind(only_id.unwrap_or(""))
    .bind(since.unwrap_or(-1))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PayeeRow {
                id: r.try_get("id")?,
                resident_id: r.try_get("resident_id")?,
                name: r.try_get("name")?,
                id_number: r.try_get("id_number")?,
                removed: r.try_get::<i64, _>("removed")? == 1,
            })
        })
        .collect()
}

/// The account's people whose view changed after `since` (all current ones when `None`;
/// removals are included only for a client that has synced before).
pub async fn views_since(
    conn: &mut AnyConnection,
    state: &AppState,
    account_id: &str,
    since: Option<i64>,
) -> ApiResult<Vec<PayeeView>> {
    let mut views = Vec::new();
    for row in payee_rows(conn, account_id, None, since).await? {
        views.push(view(conn, state, row).await?);
    }
    Ok(views)
}

async fn view(conn: &mut AnyConnection, state: &AppState, row: PayeeRow) -> ApiResult<PayeeView> {
    let name_masked = PersonName::parse(&row.name)
        .map(|n| n.masked())
        .unwrap_or_default();
    let id_masked = IdNumber::parse_any_date(&row.id_number)
        .map(|i| i.masked())
        .unwrap_or_default();
    let id = Uuid::parse_str(&row.id).map_err(|e| ApiError::Internal(e.to_string()))?;
    let resident = match (&row.resident_id, row.removed) {
        (Some(rid), false) => roster::by_id(conn, rid).await?,
        _ => None,
    };
    let check = match (row.removed, resident) {
        (true, _) => PayeeCheck::Unverified,
        (false, None) => PayeeCheck::NoMatch { reason: no_match() },
        (false, Some(resident)) => {
            let facts = roster::facts(conn, &resident).await?;
            let now = state.now();
            let year = state.current_year();
            let policy = state.policy_for(year)?;
            let tiers = tiers_for(policy, resident.severely_disabled);
            // Ask the one decision with an allowed tier; what it still refuses (other than
            // "already paid", which is said separately) is why this person cannot pay now.
            let probe = tiers
                .first()
                .map(|t| t.amount)
                .unwrap_or(TierAmount::parse("1").expect("1"));
            let blocked = decide(policy, &facts, year, probe, now)
                .err()
                .and_then(|refusals| {
                    refusals
                        .into_iter()
                        .find(|r| !matches!(r, Refusal::AlreadyPaid { .. }))
                        .map(|r| r.reason())
                });
            PayeeCheck::Verified {
                status: resident.status,
                year,
                paid_this_year: facts.paid_years.contains(&year),
                tiers,
                blocked,
            }
        }
    };
    Ok(PayeeView {
        id,
        name_masked,
        id_masked,
        check,
        removed: row.removed,
    })
}

pub fn no_match() -> Reason {
    Reason::new(
        "no_roster_match",
        "参保名册中没有姓名和身份证号都相符的人。请核对姓名和身份证号；\
         如果此人还没有参保，请带户口簿和身份证到户籍所在村居办理参保登记。",
        "No enrolled resident matches this name and ID number. Check both; to enrol, go to \
         the village of household registration with the household register and ID card.",
    )
}
