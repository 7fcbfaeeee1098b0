//! The rules and transactions behind the account routes (`account.rs`): register, log in and
//! out, the account's own view, and claiming one's own roster record. One write transaction per
//! write; Argon2 runs off the async workers; the SQL is in `storage::accounts`.

use std::net::IpAddr;

use uuid::Uuid;
use yanglao_shared::wire::{Account, ClaimRequest, Credentials, OwnRecord, Session};
use yanglao_shared::{IdNumber, MobileNumber, PersonName};

use crate::accounts::auth::{self, SESSION_DAYS};
use crate::app::AppState;
use crate::roster;
use crate::service::{ServiceError, ServiceResult};
use crate::storage::{accounts, staff, WriteTx};

/// Residents' passwords; staff need longer ones (`staff::roles::MIN_STAFF_PASSWORD`).
const MIN_PASSWORD: usize = 8;

/// Makes an account and its first session, in one transaction.
pub async fn register(state: &AppState, creds: &Credentials) -> ServiceResult<Session> {
    let mobile = MobileNumber::parse(&creds.mobile)
        .map_err(|e| ServiceError::invalid(e.code(), e.to_string()))?;
    if !auth::password_fits(&creds.password, MIN_PASSWORD) {
        return Err(ServiceError::invalid("password_length", "密码至少8位"));
    }
    let password = creds.password.clone();
    let hash = auth::off_the_workers(move || auth::hash_password(&password)).await??;
    let mut tx = state.db.begin_write().await?;
    let Some(account_id) = accounts::insert(&mut tx, &mobile, &hash, state.clock.now_ms()).await?
    else {
        return Err(ServiceError::conflict(
            "mobile_taken",
            "这个手机号已经注册过了，请直接登录",
        ));
    };
    let session = open_session(&mut tx, state, account_id, &mobile).await?;
    tx.commit().await?;
    Ok(session)
}

/// Checks the password (within the limiter's allowance for this number and address) and
/// opens a session. An unknown number and a wrong password are the same answer.
pub async fn login(state: &AppState, creds: &Credentials, peer: IpAddr) -> ServiceResult<Session> {
    let mobile = MobileNumber::parse(&creds.mobile).map_err(|_| ServiceError::BadCredentials)?;
    state.limiter.check(mobile.as_str(), peer)?;
    let stored = {
        let mut conn = state.db.pool.acquire().await?;
        accounts::credentials(&mut conn, &mobile).await?
    };
    let account = match stored {
        Some(stored) => {
            let password = creds.password.clone();
            let hash = stored.password_hash;
            let matches =
                auth::off_the_workers(move || auth::password_matches(&password, &hash)).await?;
            matches.then_some(stored.account_id)
        }
        None => None,
    };
    let Some(account_id) = account else {
        state.limiter.record_failure(mobile.as_str(), peer);
        return Err(ServiceError::BadCredentials);
    };
    state.limiter.record_success(mobile.as_str(), peer);
    let mut tx = state.db.begin_write().await?;
    let session = open_session(&mut tx, state, account_id, &mobile).await?;
    tx.commit().await?;
    Ok(session)
}

async fn open_session(
    tx: &mut WriteTx,
    state: &AppState,
    account_id: Uuid,
    mobile: &MobileNumber,
) -> ServiceResult<Session> {
    let token = auth::new_token();
    let now = state.now();
    let expires_at = now + time::Duration::days(SESSION_DAYS);
    accounts::open_session(
        tx,
        &auth::token_hash(&token),
        account_id,
        crate::clock::to_ms(now),
        crate::clock::to_ms(expires_at),
    )
    .await?;
    Ok(Session {
        token,
        account_id,
        mobile_masked: mobile.masked(),
        expires_at,
    })
}

/// Ends the session of `token`; one already gone is no error.
pub async fn logout(state: &AppState, token: &str) -> ServiceResult<()> {
    let mut conn = state.db.pool.acquire().await?;
    accounts::close_session(&mut conn, &auth::token_hash(token)).await?;
    Ok(())
}

/// The account as the app shows it: the masked number, its own record if claimed, its staff
/// role if any.
pub async fn view(state: &AppState, account_id: &str) -> ServiceResult<Account> {
    let mut conn = state.db.pool.acquire().await?;
    // A session names an existing account (a foreign key), so a missing one is a fault.
    let account = accounts::load(&mut conn, account_id)
        .await?
        .ok_or_else(|| ServiceError::Internal(format!("account {account_id} not found")))?;
    let own_record = match &account.resident_id {
        Some(id) => own_record(&mut conn, state, id).await?,
        None => None,
    };
    let staff = staff::load(&mut conn, account_id).await?;
    Ok(Account {
        account_id: account.id,
        mobile_masked: account.mobile.masked(),
        own_record,
        staff,
    })
}

/// The full record, for the account that *is* this resident.
async fn own_record(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    resident_id: &str,
) -> ServiceResult<Option<OwnRecord>> {
    let Some(resident) = roster::by_id(conn, resident_id).await? else {
        return Ok(None);
    };
    let contributions = accounts::paid_contributions(conn, resident_id).await?;
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

/// Ties the roster record with this name and ID number to the account, once: a record
/// another account claimed stays theirs (the town center sorts out a mistaken claim).
pub async fn claim(
    state: &AppState,
    account_id: &str,
    request: &ClaimRequest,
) -> ServiceResult<Account> {
    let name = PersonName::parse(&request.name)
        .map_err(|e| ServiceError::invalid(e.code(), e.to_string()))?;
    let today = yanglao_shared::window::cst_date(state.now());
    let id_number = IdNumber::parse(&request.id_number, today)
        .map_err(|e| ServiceError::invalid(e.code(), e.to_string()))?;
    let mut tx = state.db.begin_write().await?;
    let Some(resident) = roster::matching(&mut tx, &name, &id_number).await? else {
        return Err(ServiceError::invalid(
            "no_roster_match",
            "名册中没有姓名和身份证号都相符的记录，请核对后再试",
        ));
    };
    if !accounts::claim(&mut tx, account_id, &resident.id).await? {
        return Err(ServiceError::conflict(
            "record_claimed",
            "这份参保记录已被另一个账号认领。如非本人操作，请到镇办社保中心处理",
        ));
    }
    tx.commit().await?;
    view(state, account_id).await
}
