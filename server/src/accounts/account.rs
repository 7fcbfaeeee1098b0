//! The account routes: register and log in with a mobile number, log out, see one's account,
//! and claim one's own roster record to see its full history (two steps: name and ID number
//! send a code to the roster's mobile, the code proves it). Each handler parses, asks
//! `accounts::service` or `accounts::claim` and answers; the rules and the transactions are
//! there.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use yanglao_shared::wire::{
    Account, ClaimConfirm, ClaimRequest, ClaimStarted, Credentials, Session,
};

use crate::accounts::auth::{self, Authed};
use crate::accounts::{claim, service};
use crate::app::AppState;
use crate::http::error::{ApiJson, ApiResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/accounts", post(register))
        .route("/sessions", post(login).delete(logout))
        .route("/me", get(me))
        .route("/me/claim", post(start_claim))
        .route("/me/claim/confirm", post(confirm_claim))
}

async fn register(
    State(state): State<AppState>,
    ApiJson(creds): ApiJson<Credentials>,
) -> ApiResult<(StatusCode, Json<Session>)> {
    let session = service::register(&state, &creds).await?;
    Ok((StatusCode::CREATED, Json(session)))
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(creds): ApiJson<Credentials>,
) -> ApiResult<Json<Session>> {
    Ok(Json(service::login(&state, &creds, peer.ip()).await?))
}

async fn logout(
    State(state): State<AppState>,
    _who: Authed,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    if let Some(token) = auth::bearer(&headers) {
        service::logout(&state, token).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn me(State(state): State<AppState>, who: Authed) -> ApiResult<Json<Account>> {
    Ok(Json(service::view(&state, &who.account_id).await?))
}

async fn start_claim(
    State(state): State<AppState>,
    who: Authed,
    ApiJson(request): ApiJson<ClaimRequest>,
) -> ApiResult<Json<ClaimStarted>> {
    Ok(Json(claim::start(&state, &who.account_id, &request).await?))
}

async fn confirm_claim(
    State(state): State<AppState>,
    who: Authed,
    ApiJson(request): ApiJson<ClaimConfirm>,
) -> ApiResult<Json<Account>> {
    Ok(Json(
        claim::confirm(&state, &who.account_id, &request).await?,
    ))
}
