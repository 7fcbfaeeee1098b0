//! `POST /api/v1/sync`: one round trip for a phone on a weak network. It pushes the people and
//! payment intents prepared on the phone, and pulls everything of this account that changed
//! since the phone's cursor. The handler checks the envelope; [`push_and_pull`] does the work.

use std::collections::{HashMap, HashSet};

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use yanglao_shared::wire::{
    PayeeCheck, PayeeView, SyncLimits, SyncRequest, SyncResponse, WIRE_VERSION,
};
use yanglao_shared::Reason;

use crate::accounts::auth::Authed;
use crate::app::AppState;
use crate::http::error::{ApiError, ApiJson, ApiResult};
use crate::payments::charges::{queue_now_ms, LEASE_MS};
use crate::payments::ledger::{Arrived, Reads};
use crate::payments::{charges, ledger, methods, payees};
use crate::service::{ServiceError, ServiceResult};
use crate::storage::{self, intents, StorageError};

/// Enough for a village assistant paying for a whole household list in one go.
pub const MAX_PAYEES: usize = 100;
pub const MAX_INTENTS: usize = 200;

/// The limits above as the wire states them (in `GET /policy` and every sync answer), so a
/// phone with a longer list sends it in rounds that fit.
pub fn limits() -> SyncLimits {
    SyncLimits {
        max_payees: MAX_PAYEES as u32,
        max_intents: MAX_INTENTS as u32,
    }
}

pub fn router() -> Router<AppState> {
    Router::new().route("/sync", post(sync))
}

#[utoipa::path(post, path = "/sync", tag = "payments", security(("session" = [])),
    summary = "Push payment intents and new people; pull changes since a cursor",
    request_body = SyncRequest,
    responses(
        (status = 200, description = "Each pushed item's answer, then everything changed since the cursor", body = SyncResponse),
        (status = 409, description = "A write conflicted with another; send again"),
    ))]
async fn sync(
    State(state): State<AppState>,
    who: Authed,
    ApiJson(request): ApiJson<SyncRequest>,
) -> ApiResult<Json<SyncResponse>> {
    if request.version != WIRE_VERSION {
        return Err(ApiError::invalid(
            "unsupported_version",
            "应用版本过旧，请刷新页面更新后再试（已准备的缴费不会丢失）",
        ));
    }
    if request.payees.len() > MAX_PAYEES || request.intents.len() > MAX_INTENTS {
        return Err(ApiError::invalid(
            "batch_too_large",
            "一次提交的内容太多，请分批提交",
        ));
    }
    Ok(Json(
        push_and_pull(&state, &who.account_id, &request).await?,
    ))
}

/// What pushing one person came to.
enum Pushed {
    Recorded(uuid::Uuid),
    Refused(PayeeView),
}

/// Transactions PostgreSQL ended to break a deadlock are run again, this many times in all.
const PUSH_TRIES: usize = 3;

/// Pushes the request's people and intents (each answered on its own) in one transaction,
/// asks the bank for the charges it queued (waiting at most [`charges::SYNC_WAIT`]), then pulls
/// what changed since the request's cursor.
pub async fn push_and_pull(
    state: &AppState,
    account: &str,
    request: &SyncRequest,
) -> ServiceResult<SyncResponse> {
    let mut tries = 0;
    let (pushed, arrived, queued) = loop {
        tries += 1;
        match push(state, account, request).await {
            Err(ServiceError::Storage(e)) if e.is_retryable() && tries < PUSH_TRIES => {
                tracing::info!(error = %e, tries, "sync push ran into another writer; again");
            }
            done => break done?,
        }
    };
    charges::charge_now(state, account, queued, charges::SYNC_WAIT).await;

    // Read the account's version before pulling: anything committed later is pulled next
    // time. One connection for the whole pull: a request never holds one while waiting for
    // another.
    storage::stamp::stamp_if_needed(&state.db, account).await?;
    let mut conn = state.db.pool.acquire().await?;
    let cursor = storage::version_of(&mut conn, account).await?;
    // A person pushed in this request is answered by the pull when it changed since the
    // cursor (a new one always has); only the others (a retry of one already there, a
    // refusal) are answered on their own, in the order they came.
    let pulled = payees::views_since(&mut conn, state, account, request.cursor).await?;
    let pulled_ids: HashSet<_> = pulled.iter().map(|p| p.id).collect();
    // The retries, all in one read (a constant number of queries however many there are).
    let retried: Vec<_> = pushed
        .iter()
        .filter_map(|entry| match entry {
            Pushed::Recorded(id) if !pulled_ids.contains(id) => Some(*id),
            _ => None,
        })
        .collect();
    let mut retried = payees::views_of(&mut conn, state, account, &retried).await?;
    let mut payee_views = Vec::with_capacity(pushed.len() + pulled.len());
    for entry in pushed {
        match entry {
            Pushed::Recorded(id) if !pulled_ids.contains(&id) => {
                payee_views.push(retried.remove(&id).ok_or(ServiceError::NotFound)?);
            }
            Pushed::Refused(view) if !pulled_ids.contains(&view.id) => payee_views.push(view),
            _ => {}
        }
    }
    payee_views.extend(pulled);
    // What changed since the cursor is read once; a stored intent of this request is almost
    // always among it (it was just written), and only one that is not (a retry of an intent
    // unchanged since this cursor) is read on its own.
    let mut changed: Vec<_> = intents::changed_since(&mut conn, account, request.cursor)
        .await?
        .into_iter()
        .map(Some)
        .collect();
    let at: HashMap<_, _> = changed
        .iter()
        .enumerate()
        .filter_map(|(i, row)| Some((row.as_ref()?.id, i)))
        .collect();
    let mut intent_results = Vec::with_capacity(arrived.len() + changed.len());
    for entry in arrived {
        intent_results.push(match entry {
            Arrived::Answered(result) => result,
            Arrived::Stored { id, .. } => match at.get(&id).and_then(|&i| changed[i].take()) {
                Some(row) => ledger::to_wire(&row),
                None => {
                    let stored = intents::load(&mut conn, id).await?;
                    let stored = stored
                        .ok_or_else(|| StorageError::corrupt("intent", "vanished after commit"))?;
                    ledger::to_wire(&stored)
                }
            },
        });
    }
    // The rest in the order they were read, each once (an answered refusal is not repeated).
    let answered: HashSet<_> = intent_results.iter().map(|i| i.id).collect();
    intent_results.extend(
        changed
            .iter()
            .flatten()
            .filter(|row| !answered.contains(&row.id))
            .map(ledger::to_wire),
    );
    let methods = methods::views_since(&mut conn, state, account, request.cursor).await?;
    let now = state.now();
    let (version, policy) = state.policy_in_force(state.current_year())?;
    Ok(SyncResponse {
        version: WIRE_VERSION,
        cursor,
        server_time: now,
        window: policy.window.state_at(now),
        payees: payee_views,
        intents: intent_results,
        methods,
        sync_limits: Some(limits()),
        policy_version: Some(version.number),
    })
}

/// The push, in one transaction: the people first (so intents for them find them), then the
/// intents in (resident, year) order, the order every writer takes person-years in, so that
/// two payers' batches for the same people cannot deadlock. Answers keep the request's order,
/// with the charges the push queued (leased to it).
async fn push(
    state: &AppState,
    account: &str,
    request: &SyncRequest,
) -> ServiceResult<(Vec<Pushed>, Vec<Arrived>, Vec<storage::charges::Claimed>)> {
    let mut tx = state.db.begin_write().await?;
    // The account's own lock before anything is read: two syncs of one account (a retry
    // racing its first try, two tabs) take turns, so the second finds the first one's intents
    // and answers them as they are. Deciding them again beside it told a phone `id_conflict`
    // about a payment the ledger had paid (the chaos run found it on PostgreSQL).
    if !request.payees.is_empty() || !request.intents.is_empty() {
        tx.version(account).await?;
    }
    let mut pushed = Vec::with_capacity(request.payees.len());
    for payee in &request.payees {
        pushed.push(match payees::record(&mut tx, state, account, payee).await {
            Ok(()) => Pushed::Recorded(payee.id),
            // One bad entry gets its own answer; the rest of the batch goes on.
            Err(
                ServiceError::Invalid { code, message } | ServiceError::Conflict { code, message },
            ) => Pushed::Refused(PayeeView {
                id: payee.id,
                name_masked: String::new(),
                id_masked: String::new(),
                check: PayeeCheck::NoMatch {
                    reason: Reason::new(code, message, code),
                },
                removed: false,
                label: None,
            }),
            Err(other) => return Err(other),
        });
    }
    // Person-years are locked in one order by every writer, so concurrent syncs cannot
    // deadlock: the people's records are read for that in one query, not one per payment.
    // What deciding the payments reads (stored intents, the people's records, their paid
    // years) is read once for all of them.
    let mut reads = Reads::for_push(&mut tx, account, &request.intents).await?;
    let mut order = Vec::with_capacity(request.intents.len());
    for (at, intent) in request.intents.iter().enumerate() {
        let resident = match reads.resident_of(intent.payee_id) {
            Some(Some(resident)) => resident.id.clone(),
            _ => String::new(),
        };
        order.push((resident, intent.year, at));
    }
    order.sort();
    let order: Vec<usize> = order.into_iter().map(|(_, _, at)| at).collect();
    let arrived = ledger::arrive_all(
        &mut tx,
        state,
        account,
        &request.intents,
        &order,
        &mut reads,
    )
    .await?;
    // The charges of the years this push took, queued in one statement and leased to this
    // request, which asks the bank as soon as the transaction commits.
    let taken: Vec<_> = arrived
        .iter()
        .filter_map(|a| match a {
            Arrived::Stored { id, charge: true } => Some(*id),
            _ => None,
        })
        .collect();
    let now = queue_now_ms();
    let queued =
        storage::charges::enqueue_leased_many(&mut tx, &taken, now, now + LEASE_MS).await?;
    tx.commit().await?;
    Ok((pushed, arrived, queued))
}
