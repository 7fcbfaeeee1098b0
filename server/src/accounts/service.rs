//! The rules and transactions behind the account routes (`account.rs`): register, log in and
//! out, and the account's own view (claiming one's own roster record is `accounts::claim`). One
//! write transaction per write; Argon2 runs off the async workers; the SQL is in
//! `storage::accounts`.

use std::net::IpAddr;

use uuid::Uuid;
use yanglao_shared::wire::{Account, Credentials, OwnRecord, Session};
use yanglao_shared::MobileNumber;

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

/// Checks the password (within the allowance of failed logins for this number and address,
/// `auth::check_login`) and opens a session. An unknown number and a wrong password are the
/// same answer, and both count as a failure.
pub async fn login(state: &AppState, creds: &Credentials, peer: IpAddr) -> ServiceResult<Session> {
    let mobile = MobileNumber::parse(&creds.mobile).map_err(|_| ServiceError::BadCredentials)?;
    let stored = {
        let mut conn = state.db.pool.acquire().await?;
        auth::check_login(&mut conn, &mobile, peer, state.clock.now_ms()).await?;
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
        auth::record_login_failure(&state.db, &mobile, peer, state.clock.now_ms()).await?;
        return Err(ServiceError::BadCredentials);
    };
    let mut tx = state.db.begin_write().await?;
    auth::clear_login_failures(&mut tx, &mobile).await?;
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
        Some(id) => own_record(&mut conn, state, id, account_id).await?,
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

/// The full record, for the account that proved it *is* this resident: every paid year with
/// its amount, but the receipt numbers of this account's own payments only.
async fn own_record(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    resident_id: &str,
    account_id: &str,
) -> ServiceResult<Option<OwnRecord>> {
    let Some(resident) = roster::by_id(conn, resident_id).await? else {
        return Ok(None);
    };
    let contributions = accounts::paid_contributions(conn, resident_id, account_id).await?;
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
