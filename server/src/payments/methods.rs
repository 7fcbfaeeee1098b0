//! Payment methods: UnionPay cards bound through the gateway. The card number passes through
//! memory on its way to the gateway and is never stored; the server keeps the gateway's token,
//! the bank's name and the last four digits.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use sqlx::AnyConnection;
use uuid::Uuid;
use yanglao_shared::wire::{BindCard, PaymentMethod};
use yanglao_shared::CardNumber;

use crate::accounts::auth::Authed;
use crate::app::AppState;
use crate::gateway::GatewayError;
use crate::http::error::{ApiError, ApiJson, ApiResult};
use crate::service::{ServiceError, ServiceResult};
use crate::storage::methods::{self, NewMethod};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/methods", get(list).post(bind))
        .route("/methods/{id}", delete(remove))
}

#[utoipa::path(get, path = "/methods", tag = "payments", security(("session" = [])),
    summary = "Bound cards",
    responses((status = 200, description = "Bank and last four digits only", body = Vec<PaymentMethod>)))]
async fn list(State(state): State<AppState>, who: Authed) -> ApiResult<Json<Vec<PaymentMethod>>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(
        views_since(&mut conn, &state, &who.account_id, None).await?,
    ))
}

#[utoipa::path(post, path = "/methods", tag = "payments", security(("session" = [])),
    summary = "Bind a UnionPay card through the gateway (idempotent by the client's id)",
    request_body = BindCard,
    responses(
        (status = 201, description = "Bound", body = PaymentMethod),
        (status = 200, description = "Bound before under this id", body = PaymentMethod),
        (status = 409, description = "The id is another account's"),
        (status = 503, description = "The bank cannot be reached"),
    ))]
async fn bind(
    State(state): State<AppState>,
    who: Authed,
    ApiJson(request): ApiJson<BindCard>,
) -> ApiResult<(StatusCode, Json<PaymentMethod>)> {
    let (bound, method) = bind_card(&state, &who.account_id, &request).await?;
    let status = match bound {
        Bound::New => StatusCode::CREATED,
        Bound::Again => StatusCode::OK,
    };
    Ok((status, Json(method)))
}

/// Whether a bind made a new card or answered a retry with the one already bound.
pub enum Bound {
    New,
    Again,
}

/// Binds a card through the gateway under the client's id. Idempotent: the same id again
/// answers with the card already bound, and the bank is not asked twice.
pub async fn bind_card(
    state: &AppState,
    account_id: &str,
    request: &BindCard,
) -> ServiceResult<(Bound, PaymentMethod)> {
    if !yanglao_shared::wire::is_client_made(request.id) {
        return Err(ServiceError::invalid("invalid_id", "编号无效，请重新绑定"));
    }
    let card = CardNumber::parse(&request.card_number)
        .map_err(|e| ServiceError::invalid(e.code(), e.to_string()))?;
    let mut conn = state.db.pool.acquire().await?;
    if let Some(owner) = methods::owner_of(&mut conn, request.id).await? {
        if owner != account_id {
            return Err(ServiceError::conflict(
                "id_conflict",
                "编号冲突，请重新绑定",
            ));
        }
        let all = views_since(&mut conn, state, account_id, Some(-1)).await?;
        let existing = all
            .into_iter()
            .find(|m| m.id == request.id)
            .ok_or(ServiceError::NotFound)?;
        return Ok((Bound::Again, existing));
    }
    drop(conn);
    let bound = state.gateway.bind_card(&card).await.map_err(|e| match e {
        GatewayError::CardRefused(why) => {
            ServiceError::invalid("card_refused", format!("银行未接受这张卡：{why}"))
        }
        unavailable => ServiceError::Gateway(unavailable),
    })?;
    let new = NewMethod {
        id: request.id,
        account_id,
        gateway_token: &bound.token,
        bank: &bound.bank,
        last_four: &bound.last_four,
    };
    let mut tx = state.db.begin_write().await?;
    let seq = tx.version(account_id).await?;
    methods::insert(&mut tx, &new, seq, state.clock.now_ms()).await?;
    tx.commit().await?;
    let method = PaymentMethod {
        id: request.id,
        bank: bound.bank,
        last_four: bound.last_four,
        sandbox: state.gateway.is_sandbox(),
        removed: false,
    };
    Ok((Bound::New, method))
}

#[utoipa::path(delete, path = "/methods/{id}", tag = "payments", security(("session" = [])),
    summary = "Remove a card",
    params(("id" = Uuid, Path, description = "The card's id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such card on this account"),
    ))]
async fn remove(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    let owned = crate::storage::Owned::Methods;
    match crate::storage::soft_remove(&state.db, owned, &id.to_string(), &who.account_id).await? {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(ApiError::NotFound),
    }
}

/// Cards changed after `since` (current ones when `None`, removals too for a synced client).
pub async fn views_since(
    conn: &mut AnyConnection,
    state: &AppState,
    account_id: &str,
    since: Option<i64>,
) -> ServiceResult<Vec<PaymentMethod>> {
    let sandbox = state.gateway.is_sandbox();
    Ok(methods::changed_since(conn, account_id, since)
        .await?
        .into_iter()
        .map(|m| PaymentMethod {
            id: m.id,
            bank: m.bank,
            last_four: m.last_four,
            sandbox,
            removed: m.removed,
        })
        .collect())
}
