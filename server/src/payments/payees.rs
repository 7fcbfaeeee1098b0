//! The people an account pays for (缴费人员). A payer learns only what paying needs: masked name
//! and ID, whether the person can pay, whether this year is paid (by anyone), and which tiers
//! they may choose, and the payer's own label for them (`super::labels`). Never amounts,
//! history, or who else pays. The handlers come first; the service (`upsert`, `views_since`)
//! below them; the SQL is in `storage::payees`.

use std::collections::{HashMap, HashSet};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use sqlx::AnyConnection;
use uuid::Uuid;
use yanglao_shared::applications::back_payable_years;
use yanglao_shared::eligibility::{tiers_for, PersonFacts};
use yanglao_shared::pension::Contributor;
use yanglao_shared::wire::{is_client_made, NewPayee, PayeeCheck, PayeeView};
use yanglao_shared::{decide, IdNumber, PersonName, Reason, Refusal, TierAmount};

use crate::accounts::auth::Authed;
use crate::app::AppState;
use crate::http::error::{ApiError, ApiJson, ApiResult};
use crate::roster;
use crate::service::{ServiceError, ServiceResult};
use crate::storage::payees::{self, Payee, ViewRow};
use crate::storage::WriteTx;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/payees", get(list))
        .route("/payees/{id}", put(add).delete(remove))
        .route("/payees/{id}/label", put(super::labels::put_label))
}

#[utoipa::path(get, path = "/payees", tag = "payments", security(("session" = [])),
    summary = "The people this account pays for",
    responses((status = 200, description = "Masked views, only what paying needs", body = Vec<PayeeView>)))]
async fn list(State(state): State<AppState>, who: Authed) -> ApiResult<Json<Vec<PayeeView>>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(
        views_since(&mut conn, &state, &who.account_id, None).await?,
    ))
}

#[utoipa::path(put, path = "/payees/{id}", tag = "payments", security(("session" = [])),
    summary = "Add a person (idempotent by the client's id)",
    params(("id" = Uuid, Path, description = "The client's random (v4) id of the entry")),
    request_body = NewPayee,
    responses(
        (status = 200, description = "The person's view (matched on the roster or not)", body = PayeeView),
        (status = 409, description = "The id is another's, or names someone else; or the person is already listed"),
    ))]
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

#[utoipa::path(delete, path = "/payees/{id}", tag = "payments", security(("session" = [])),
    summary = "Remove a person from the list",
    params(("id" = Uuid, Path, description = "The entry's id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such person on this account's list"),
    ))]
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

/// Adds a person, idempotently by the client's id. Invalid input is an `Invalid` error; the
/// sync endpoint turns it into a per-item answer.
pub async fn upsert(
    state: &AppState,
    account_id: &str,
    payee: &NewPayee,
) -> ServiceResult<PayeeView> {
    let mut tx = state.db.begin_write().await?;
    record(&mut tx, state, account_id, payee).await?;
    tx.commit().await?;
    let mut conn = state.db.pool.acquire().await?;
    view_of(&mut conn, state, account_id, payee.id).await
}

/// Writes a person to the account's list (or recognises a retry of one already there) inside
/// the caller's transaction, without building its view: a sync pulls the view with everything
/// else that changed. A refusal writes nothing, so the transaction goes on for the others.
pub async fn record(
    tx: &mut WriteTx,
    state: &AppState,
    account_id: &str,
    payee: &NewPayee,
) -> ServiceResult<()> {
    if !is_client_made(payee.id) {
        return Err(ServiceError::invalid("invalid_id", "编号无效，请重新添加"));
    }
    let name = PersonName::parse(&payee.name)
        .map_err(|e| ServiceError::invalid(e.code(), e.to_string()))?;
    let today = yanglao_shared::window::cst_date(state.now());
    let id_number = IdNumber::parse(&payee.id_number, today)
        .map_err(|e| ServiceError::invalid(e.code(), e.to_string()))?;
    if let Some(existing) = payees::by_id(tx, payee.id).await? {
        if existing.account_id != account_id {
            return Err(ServiceError::conflict(
                "id_conflict",
                "编号冲突，请重新添加",
            ));
        }
        if existing.id_number != id_number.as_str() || existing.name != name.as_str() {
            return Err(ServiceError::conflict(
                "idempotency_conflict",
                "同一编号的内容不同，请重新添加",
            ));
        }
        return Ok(());
    }
    let resident = roster::matching(tx, &name, &id_number).await?;
    let version = tx.version(account_id).await?;
    let row = Payee {
        id: payee.id,
        account_id: account_id.to_owned(),
        resident_id: resident.map(|r| r.id),
        name: name.as_str().to_owned(),
        id_number: id_number.as_str().to_owned(),
        removed: false,
        label: None,
    };
    if !payees::insert(tx, &row, version, state.clock.now_ms()).await? {
        if payees::by_id(tx, payee.id).await?.is_some() {
            // Another account stored this id since it was looked up.
            return Err(ServiceError::conflict(
                "id_conflict",
                "编号冲突，请重新添加",
            ));
        }
        return Err(ServiceError::conflict(
            "payee_exists",
            "此人已在您的缴费人员列表中",
        ));
    }
    Ok(())
}

/// The view of one of the account's current people.
pub async fn view_of(
    conn: &mut AnyConnection,
    state: &AppState,
    account_id: &str,
    id: Uuid,
) -> ServiceResult<PayeeView> {
    let row = payees::view_rows(conn, account_id, Some(id), None).await?;
    let row = row.into_iter().next().ok_or(ServiceError::NotFound)?;
    view(state, row)
}

/// The account's people whose view changed after `since` (all current ones when `None`;
/// removals are included only for a client that has synced before). A constant number of
/// queries however many people there are (`storage::payees::view_rows`).
pub async fn views_since(
    conn: &mut AnyConnection,
    state: &AppState,
    account_id: &str,
    since: Option<i64>,
) -> ServiceResult<Vec<PayeeView>> {
    payees::view_rows(conn, account_id, None, since)
        .await?
        .into_iter()
        .map(|row| view(state, row))
        .collect()
}

/// The views of several of the account's current people, by id, in one read of the
/// account's list (a constant number of queries however many are asked for); an id the
/// account does not have (or removed) is missing from the answer.
pub async fn views_of(
    conn: &mut AnyConnection,
    state: &AppState,
    account_id: &str,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, PayeeView>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let wanted: HashSet<_> = ids.iter().collect();
    payees::view_rows(conn, account_id, None, None)
        .await?
        .into_iter()
        .filter(|row| wanted.contains(&row.payee.id))
        .map(|row| Ok((row.payee.id, view(state, row)?)))
        .collect()
}

/// What a payer may know of a person: masked name and ID, whether (and with which tiers)
/// they can pay this year, and the payer's own label.
fn view(state: &AppState, row: ViewRow) -> ServiceResult<PayeeView> {
    let ViewRow {
        payee: row,
        resident,
        paid_years,
    } = row;
    let name_masked = PersonName::parse(&row.name)
        .map(|n| n.masked())
        .unwrap_or_default();
    let id_masked = IdNumber::parse_any_date(&row.id_number)
        .map(|i| i.masked())
        .unwrap_or_default();
    let check = match (row.removed, resident) {
        (true, _) => PayeeCheck::Unverified,
        (false, None) => PayeeCheck::NoMatch { reason: no_match() },
        (false, Some(resident)) => {
            let facts = PersonFacts {
                status: resident.status,
                birth_date: resident.id_number.birth_date(),
                severely_disabled: resident.severely_disabled,
                paid_years,
            };
            let now = state.now();
            let year = state.current_year();
            let policy = state.current_policy()?;
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
            let contributor = contributor(state, &facts, year);
            PayeeCheck::Verified {
                status: resident.status,
                year,
                paid_this_year: facts.paid_years.contains(&year),
                tiers,
                blocked,
                contributor: Some(contributor),
            }
        }
    };
    Ok(PayeeView {
        id: row.id,
        name_masked,
        id_masked,
        check,
        removed: row.removed,
        // A removed person's view only tells the phone to drop them.
        label: (!row.removed).then_some(row.label).flatten(),
    })
}

/// What the phone's pension estimate needs from the roster: the birth year, the years on
/// record before this one, and the past years 补缴 could still cover (covered by a policy, at
/// contribution age, unpaid).
fn contributor(state: &AppState, facts: &PersonFacts, year: i32) -> Contributor {
    let birth = facts.birth_date;
    let before = facts.paid_years.iter().filter(|&&y| y < year).count();
    let missed = back_payable_years(|y| state.policy_of_year(y), birth, year)
        .into_iter()
        .filter(|y| !facts.paid_years.contains(y))
        .count();
    Contributor {
        birth_year: birth.year(),
        years_paid: u32::try_from(before).unwrap_or(u32::MAX),
        missed_years: u32::try_from(missed).unwrap_or(u32::MAX),
    }
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
