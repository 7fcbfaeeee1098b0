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

#[utoipa::path(post, path = "/accounts", tag = "accounts",
    summary = "Register with a mainland mobile number and a password",
    request_body = Credentials,
    responses(
        (status = 201, description = "Registered and logged in", body = Session),
        (status = 409, description = "The mobile number has an account"),
    ))]
async fn register(
    State(state): State<AppState>,
    ApiJson(creds): ApiJson<Credentials>,
) -> ApiResult<(StatusCode, Json<Session>)> {
    let session = service::register(&state, &creds).await?;
    Ok((StatusCode::CREATED, Json(session)))
}

#[utoipa::path(post, path = "/sessions", tag = "accounts",
    summary = "Log in",
    request_body = Credentials,
    responses(
        (status = 200, description = "A session", body = Session),
        (status = 401, description = "Wrong mobile number or password (`bad_credentials`)"),
        (status = 429, description = "Too many failed attempts; try again later"),
    ))]
async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(creds): ApiJson<Credentials>,
) -> ApiResult<Json<Session>> {
    Ok(Json(service::login(&state, &creds, peer.ip()).await?))
}

#[utoipa::path(delete, path = "/sessions", tag = "accounts", security(("session" = [])),
    summary = "Log out",
    responses((status = 204, description = "The session is ended")))]
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

#[utoipa::path(get, path = "/me", tag = "accounts", security(("session" = [])),
    summary = "This account, with its own roster record if claimed",
    responses((status = 200, description = "The account", body = Account)))]
async fn me(State(state): State<AppState>, who: Authed) -> ApiResult<Json<Account>> {
    Ok(Json(service::view(&state, &who.account_id).await?))
}

#[utoipa::path(post, path = "/me/claim", tag = "accounts", security(("session" = [])),
    summary = "Start claiming one's own roster record: name and ID number send a one-time code to the roster's mobile",
    request_body = ClaimRequest,
    responses(
        (status = 200, description = "A code was sent to the roster's mobile (masked in the answer)", body = ClaimStarted),
        (status = 422, description = "Name and ID number match no roster record (`no_roster_match`), or are invalid"),
        (status = 409, description = "The record has no mobile number (`no_roster_mobile`: ask the village assistant), or the SMS was not sent (`sms_not_sent`)"),
        (status = 429, description = "Too many claims from this account, or codes for this person, this hour (`too_many_attempts`)"),
    ))]
async fn start_claim(
    State(state): State<AppState>,
    who: Authed,
    ApiJson(request): ApiJson<ClaimRequest>,
) -> ApiResult<Json<ClaimStarted>> {
    Ok(Json(claim::start(&state, &who.account_id, &request).await?))
}

#[utoipa::path(post, path = "/me/claim/confirm", tag = "accounts", security(("session" = [])),
    summary = "Prove a claim with the code the roster's mobile received; answers the account with its record",
    request_body = ClaimConfirm,
    responses(
        (status = 200, description = "Claimed: the account with its record", body = Account),
        (status = 422, description = "A wrong code (`wrong_code`, with the tries left) or not six digits (`code_format`)"),
        (status = 409, description = "No claim waiting (`no_pending_claim`), the code expired (`code_expired`), was used (`code_used`) or died at the fifth wrong try (`code_dead`), or another account holds the record (`record_claimed`)"),
    ))]
async fn confirm_claim(
    State(state): State<AppState>,
    who: Authed,
    ApiJson(request): ApiJson<ClaimConfirm>,
) -> ApiResult<Json<Account>> {
    Ok(Json(
        claim::confirm(&state, &who.account_id, &request).await?,
    ))
}
