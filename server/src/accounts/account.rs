//! Accounts: register and log in with a mobile number, log out, and claim one's own roster
//! record to see its full history.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use sqlx::Row;
use uuid::Uuid;
use yanglao_shared::money::Money;
use yanglao_shared::wire::{Account, ClaimRequest, Contribution, Credentials, OwnRecord, Session};
use yanglao_shared::{IdNumber, MobileNumber, PersonName};

use crate::accounts::auth::{self, Authed, SESSION_DAYS};
use crate::app::AppState;
use crate::http::error::{ApiError, ApiJson, ApiResult};
use crate::payments::states::ContributionStatus;
use crate::roster;
use crate::storage::is_unique_violation;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/accounts", post(register))
        .route("/sessions", post(login).delete(logout))
        .route("/me", get(me))
        .route("/me/claim", post(claim))
}

const MIN_PASSWORD: usize = 8;

/// A password of `min` characters or more, and not absurdly long (Argon2 hashes all of it).
pub fn password_fits(password: &str, min: usize) -> bool {
    password.chars().count() >= min && password.len() <= 200
}

/// Adds an account inside `conn`'s transaction and answers its id; `None` when the mobile
/// number already has one. Registration, staff creation and the demo all make accounts here.
pub async fn insert(
    conn: &mut sqlx::AnyConnection,
    mobile: &MobileNumber,
    password_hash: &str,
    now_ms: i64,
) -> Result<Option<Uuid>, sqlx::Error> {
    let id = Uuid::new_v4();
    let inserted = sqlx::query(
        "INSERT INTO accounts (id, mobile, password_hash, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(id.to_string())
    .bind(mobile.as_str())
    .bind(password_hash)
    .bind(now_ms)
    .execute(conn)
    .await;
    match inserted {
        Ok(_) => Ok(Some(id)),
        Err(e) if is_unique_violation(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

async fn register(
    State(state): State<AppState>,
    ApiJson(creds): ApiJson<Credentials>,
) -> ApiResult<(StatusCode, Json<Session>)> {
    let mobile = MobileNumber::parse(&creds.mobile)
        .map_err(|e| ApiError::invalid(e.code(), e.to_string()))?;
    if !password_fits(&creds.password, MIN_PASSWORD) {
        return Err(ApiError::invalid("password_length", "密码至少8位"));
    }
    let password = creds.password.clone();
    let hash = auth::off_the_workers(move || auth::hash_password(&password)).await??;
    let mut tx = state.db.begin_write().await?;
    let Some(account_id) = insert(&mut tx, &mobile, &hash, state.clock.now_ms()).await? else {
        return Err(ApiError::conflict(
            "mobile_taken",
            "这个手机号已经注册过了，请直接登录",
        ));
    };
    let session = open_session(&mut tx, &state, account_id, &mobile).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(session)))
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(creds): ApiJson<Credentials>,
) -> ApiResult<Json<Session>> {
    let mobile = MobileNumber::parse(&creds.mobile).map_err(|_| ApiError::BadCredentials)?;
    state.limiter.check(mobile.as_str(), peer.ip())?;
    let row = sqlx::query("SELECT id, password_hash FROM accounts WHERE mobile = $1")
        .bind(mobile.as_str())
        .fetch_optional(&state.db.pool)
        .await?;
    let stored = row.and_then(|r| {
        let id: String = r.try_get("id").ok()?;
        let hash: String = r.try_get("password_hash").ok()?;
        Some((id, hash))
    });
    let account = match stored {
        Some((id, hash)) => {
            let password = creds.password.clone();
            let matches =
                auth::off_the_workers(move || auth::password_matches(&password, &hash)).await?;
            matches.then_some(id)
        }
        None => None,
    };
    let Some(account_id) = account.and_then(|id| Uuid::parse_str(&id).ok()) else {
        state.limiter.record_failure(mobile.as_str(), peer.ip());
        return Err(ApiError::BadCredentials);
    };
    state.limiter.record_success(mobile.as_str(), peer.ip());
    let mut tx = state.db.begin_write().await?;
    let session = open_session(&mut tx, &state, account_id, &mobile).await?;
    tx.commit().await?;
    Ok(Json(session))
}

async fn open_session(
    tx: &mut crate::storage::WriteTx,
    state: &AppState,
    account_id: Uuid,
    mobile: &MobileNumber,
) -> ApiResult<Session> {
    let token = auth::new_token();
    let now = state.now();
    let expires_at = now + time::Duration::days(SESSION_DAYS);
    sqlx::query(
        "INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(auth::token_hash(&token))
    .bind(account_id.to_string())
    .bind(crate::clock::to_ms(now))
    .bind(crate::clock::to_ms(expires_at))
    .execute(&mut ***tx)
    .await?;
    Ok(Session {
        token,
        account_id,
        mobile_masked: mobile.masked(),
        expires_at,
    })
}

async fn logout(
    State(state): State<AppState>,
    _who: Authed,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    if let Some(token) = auth::bearer(&headers) {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(auth::token_hash(token))
            .execute(&state.db.pool)
            .await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn me(State(state): State<AppState>, who: Authed) -> ApiResult<Json<Account>> {
    Ok(Json(account_view(&state, &who.account_id).await?))
}

async fn account_view(state: &AppState, account_id: &str) -> ApiResult<Account> {
    let mut conn = state.db.pool.acquire().await?;
    let row = sqlx::query("SELECT id, mobile, resident_id FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_one(&mut *conn)
        .await?;
    let mobile: String = row.try_get("mobile")?;
    let resident_id: Option<String> = row.try_get("resident_id")?;
    let own_record = match resident_id {
        Some(id) => own_record(&mut conn, state, &id).await?,
        None => None,
    };
    let staff = crate::staff::roles::info(&mut conn, account_id).await?;
    Ok(Account {
        account_id: Uuid::parse_str(account_id).map_err(|e| ApiError::Internal(e.to_string()))?,
        mobile_masked: MobileNumber::parse(&mobile)
            .map(|m| m.masked())
            .unwrap_or_default(),
        own_record,
        staff,
    })
}

/// The full record, for the account that *is* this resident.
async fn own_record(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    resident_id: &str,
) -> ApiResult<Option<OwnRecord>> {
    let Some(resident) = roster::by_id(conn, resident_id).await? else {
        return Ok(None);
    };
    let rows = sqlx::query(
        "SELECT year, amount_fen, back_payment, receipt_no FROM contributions \
         WHERE resident_id = $1 AND state = $2 ORDER BY year",
    )
    .bind(resident_id)
    .bind(ContributionStatus::Paid.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let contributions = rows
        .iter()
        .map(|r| {
            Ok(Contribution {
                year: r.try_get::<i64, _>("year")? as i32,
                amount: Money::from_fen(r.try_get("amount_fen")?)
                    .map_err(|e| ApiError::Internal(e.to_string()))?,
                back_payment: r.try_get::<i64, _>("back_payment")? == 1,
                receipt_no: r.try_get("receipt_no")?,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let policy = state.current_policy()?;
    Ok(Some(OwnRecord {
        name: resident.name.to_string(),
        id_masked: resident.id_number.masked(),
        town: resident.town,
        village: resident.village,
        status: resident.status,
        severely_disabled: resident.severely_disabled,
        years_paid_total: contributions.len() as u32,
        min_years_for_pension: policy.min_years_for_pension,
        contributions,
    }))
}

async fn claim(
    State(state): State<AppState>,
    who: Authed,
    ApiJson(request): ApiJson<ClaimRequest>,
) -> ApiResult<Json<Account>> {
    let name =
        PersonName::parse(&request.name).map_err(|e| ApiError::invalid(e.code(), e.to_string()))?;
    let today = yanglao_shared::window::cst_date(state.now());
    let id_number = IdNumber::parse(&request.id_number, today)
        .map_err(|e| ApiError::invalid(e.code(), e.to_string()))?;
    let mut tx = state.db.begin_write().await?;
    let Some(resident) = roster::matching(&mut tx, &name, &id_number).await? else {
        return Err(ApiError::invalid(
            "no_roster_match",
            "名册中没有姓名和身份证号都相符的记录，请核对后再试",
        ));
    };
    let updated = sqlx::query("UPDATE accounts SET resident_id = $1 WHERE id = $2")
        .bind(&resident.id)
        .bind(&who.account_id)
        .execute(&mut **tx)
        .await;
    match updated {
        Err(e) if is_unique_violation(&e) => {
            return Err(ApiError::conflict(
                "record_claimed",
                "这份参保记录已被另一个账号认领。如非本人操作，请到镇办社保中心处理",
            ))
        }
        other => other?,
    };
    tx.commit().await?;
    Ok(Json(account_view(&state, &who.account_id).await?))
}
