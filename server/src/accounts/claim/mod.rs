//! Claiming one's own roster record, in two steps, so that knowing a name and an ID number
//! (printed on many documents in China) opens nothing:
//!
//! 1. [`start`]: name and ID number. When they match a roster record that has a mobile number,
//!    a six-digit code goes to *that* number through the SMS gateway (`state.sms`), and the
//!    answer says only the masked number and the code's expiry. Whether name and ID match the
//!    roster is no secret beyond what adding the person as a payee already says; nothing of
//!    the record (history, amounts, receipts) is shown. A record without a mobile number is
//!    claimed through the village assistant (村协办员).
//! 2. [`confirm`]: the code. Right, within [`CODE_MINUTES`], and the record is this account's;
//!    the code is used once and dies at the [`MAX_WRONG_TRIES`]th wrong try.
//!
//! Every start is counted in the database (`storage::claims`), so the limits hold across every
//! server process: [`STARTS_PER_ACCOUNT_HOUR`] starts an account, matched or not, and
//! [`CODES_PER_PERSON_HOUR`] codes a person, whichever accounts ask. Starts and tries of one
//! account, and codes of one person, take turns (`WriteTx::serialize`), so two requests at
//! once cannot both pass a limit. A start deletes the account's starts older than a day,
//! except a confirmed one. [`code`] makes, hashes and checks the codes and spells the
//! states.

pub mod code;

use uuid::Uuid;
use yanglao_shared::wire::{Account, ClaimConfirm, ClaimRequest, ClaimStarted};
use yanglao_shared::{IdNumber, PersonName};

use crate::accounts::service;
use crate::app::AppState;
use crate::roster;
use crate::service::{ServiceError, ServiceResult};
use crate::storage::claims::{self, NewClaim};
use crate::storage::{accounts, roster_mobiles};
use code::ClaimState;

/// How long a code is good for.
pub const CODE_MINUTES: i64 = 5;
/// The wrong try that kills a code.
pub const MAX_WRONG_TRIES: i64 = 5;
/// Claims an account may start in an hour, matched or not.
pub const STARTS_PER_ACCOUNT_HOUR: i64 = 5;
/// Codes sent for one person in an hour, whoever asks.
pub const CODES_PER_PERSON_HOUR: i64 = 3;

const HOUR_MS: i64 = 3_600_000;

/// The text of the message; the code is its only secret.
fn message(code: &str) -> String {
    format!(
        "【居民养老缴费】验证码{code}，用于认领本人的参保缴费记录，{CODE_MINUTES}分钟内有效。\
         如非本人操作，请勿把验证码告诉任何人。"
    )
}

/// Refused for `limit` starts since the oldest of them: how many minutes until one frees.
fn too_many(oldest_ms: Option<i64>, now_ms: i64) -> ServiceError {
    let wait_ms = oldest_ms.map_or(HOUR_MS, |oldest| oldest + HOUR_MS - now_ms);
    ServiceError::TooManyAttempts(((wait_ms.max(1) + 59_999) / 60_000) as u64)
}

/// Step one: checks name and ID number against the roster and sends a code to the record's
/// mobile number.
pub async fn start(
    state: &AppState,
    account_id: &str,
    request: &ClaimRequest,
) -> ServiceResult<ClaimStarted> {
    let name = PersonName::parse(&request.name)
        .map_err(|e| ServiceError::invalid(e.code(), e.to_string()))?;
    let today = yanglao_shared::window::cst_date(state.now());
    let id_number = IdNumber::parse(&request.id_number, today)
        .map_err(|e| ServiceError::invalid(e.code(), e.to_string()))?;
    let now = state.clock.now_ms();
    let claim_id = Uuid::new_v4().to_string();
    let mut tx = state.db.begin_write().await?;
    tx.serialize(&format!("claim_account:{account_id}")).await?;
    // Starts older than a day count for nothing any more (a confirmed one stays).
    claims::prune(&mut tx, account_id, now - 24 * HOUR_MS).await?;
    let (starts, oldest) = claims::starts_since(&mut tx, account_id, now - HOUR_MS).await?;
    if starts >= STARTS_PER_ACCOUNT_HOUR {
        return Err(too_many(oldest, now));
    }
    let mut counted = NewClaim {
        id: &claim_id,
        account_id,
        resident_id: None,
        state: ClaimState::NoMatch,
        code_hash: None,
        created_at: now,
        expires_at: None,
    };
    let Some(resident) = roster::matching(&mut tx, &name, &id_number).await? else {
        claims::insert(&mut tx, &counted).await?;
        tx.commit().await?;
        return Err(ServiceError::invalid(
            "no_roster_match",
            "名册中没有姓名和身份证号都相符的记录，请核对后再试",
        ));
    };
    counted.resident_id = Some(&resident.id);
    let Some(mobile) = roster_mobiles::of(&mut tx, &resident.id).await? else {
        counted.state = ClaimState::NoMobile;
        claims::insert(&mut tx, &counted).await?;
        tx.commit().await?;
        return Err(ServiceError::conflict(
            "no_roster_mobile",
            "名册上没有您的手机号码，无法发送验证码。请带上身份证找本村的村协办员核对信息、认领记录",
        ));
    };
    tx.serialize(&format!("claim_resident:{}", resident.id))
        .await?;
    let (codes, oldest) = claims::codes_since(&mut tx, &resident.id, now - HOUR_MS).await?;
    if codes >= CODES_PER_PERSON_HOUR {
        return Err(too_many(oldest, now));
    }
    let code = code::new_code();
    let code_hash = code::hash(&claim_id, &code);
    let expires_at = now + CODE_MINUTES * 60_000;
    counted.state = ClaimState::Sent;
    counted.code_hash = Some(&code_hash);
    counted.expires_at = Some(expires_at);
    claims::supersede(&mut tx, account_id).await?;
    claims::insert(&mut tx, &counted).await?;
    tx.commit().await?;
    // Sent after the commit: the gateway may write to this database too (the sandbox does).
    if let Err(e) = state.sms.send(&mobile, &message(&code)).await {
        tracing::warn!(%e, "a claim's code was not sent");
        let mut tx = state.db.begin_write().await?;
        claims::mark(
            &mut tx,
            &claim_id,
            ClaimState::Sent,
            ClaimState::NotSent,
            now,
        )
        .await?;
        tx.commit().await?;
        return Err(ServiceError::conflict(
            "sms_not_sent",
            "验证码短信没有发出去，请稍后再试",
        ));
    }
    Ok(ClaimStarted {
        mobile_masked: mobile.masked(),
        expires_at: crate::clock::from_ms(expires_at),
    })
}

fn start_again(code: &'static str, message: &str) -> ServiceError {
    ServiceError::conflict(code, message)
}

/// Step two: the code proves the claim started last, and the record becomes this account's.
pub async fn confirm(
    state: &AppState,
    account_id: &str,
    request: &ClaimConfirm,
) -> ServiceResult<Account> {
    let typed = request.code.trim();
    if !code::is_well_formed(typed) {
        return Err(ServiceError::invalid("code_format", "验证码是6位数字"));
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    tx.serialize(&format!("claim_account:{account_id}")).await?;
    let dead = || {
        start_again(
            "code_dead",
            "验证码输错次数太多，已经失效。请重新填写姓名和身份证号码获取新的验证码",
        )
    };
    let used = || start_again("code_used", "这个验证码已经用过了，请重新获取验证码");
    let claim = match claims::newest_with_code(&mut tx, account_id).await? {
        Some(claim) if claim.state == ClaimState::Sent => claim,
        Some(claim) if claim.state == ClaimState::Dead => return Err(dead()),
        Some(claim) if claim.state == ClaimState::Confirmed => return Err(used()),
        _ => {
            return Err(start_again(
                "no_pending_claim",
                "没有待验证的认领，请先填写姓名和身份证号码获取验证码",
            ))
        }
    };
    if now >= claim.expires_at {
        return Err(start_again(
            "code_expired",
            "验证码已过期（5分钟内有效），请重新获取验证码",
        ));
    }
    if !code::matches(&claim.id, typed, &claim.code_hash) {
        let tries = claims::wrong_try(&mut tx, &claim.id, MAX_WRONG_TRIES).await?;
        tx.commit().await?;
        return Err(match tries {
            Some(tries) if tries < MAX_WRONG_TRIES => ServiceError::invalid(
                "wrong_code",
                format!("验证码不对，还可以再试{}次", MAX_WRONG_TRIES - tries),
            ),
            _ => dead(),
        });
    }
    if !claims::mark(
        &mut tx,
        &claim.id,
        ClaimState::Sent,
        ClaimState::Confirmed,
        now,
    )
    .await?
    {
        return Err(used());
    }
    // Proven: only now may the person learn that another account holds the record.
    let holder = accounts::claimed_by(&mut tx, &claim.resident_id).await?;
    let taken_by_other = holder.is_some_and(|holder| holder != account_id);
    if taken_by_other || !accounts::claim(&mut tx, account_id, &claim.resident_id).await? {
        if taken_by_other {
            tx.commit().await?;
        }
        return Err(ServiceError::conflict(
            "record_claimed",
            "这份参保记录已被另一个账号认领。如非本人操作，请到镇办社保中心处理",
        ));
    }
    tx.commit().await?;
    service::view(state, account_id).await
}
