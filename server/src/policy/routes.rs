//! The policy's routes: `GET /policy` (public: the policy in force for this year, its version
//! and label, the window by the server's clock), and for administrators only
//! `GET /admin/policies` (every version) and `POST /admin/policies` (publish one; 201 with the
//! new version, or 422 `{code, message}` saying in Chinese what is wrong).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use yanglao_shared::policy::{PolicyVersion, PublishPolicy, PublishedPolicy};
use yanglao_shared::wire::PolicyInfo;

use crate::app::AppState;
use crate::http::error::{ApiError, ApiJson, ApiResult};
use crate::policy::publish::{self, Publication};
use crate::staff::roles::{Role, Staff};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/policy", get(current))
        .route("/admin/policies", get(list).post(create))
}

#[utoipa::path(get, path = "/policy", tag = "service",
    summary = "The policy in force for this year (its version and label) and the payment window by the server's clock",
    responses((status = 200, description = "Policy, version, label, server time, window and sync limits", body = PolicyInfo)))]
async fn current(State(state): State<AppState>) -> ApiResult<Json<PolicyInfo>> {
    // Another process may have published: look before answering (one small query).
    state.policies.refresh(&state.db).await?;
    let now = state.now();
    let year = state.current_year();
    let (version, policy) = state.policy_in_force(year)?;
    Ok(Json(PolicyInfo {
        policy: policy.clone(),
        version: Some(version.clone()),
        label: Some(policy.label(year, Some(version))),
        server_time: now,
        window: policy.window.state_at(now),
        sync_limits: Some(crate::payments::sync::limits()),
    }))
}

fn admin(staff: &Staff) -> ApiResult<()> {
    match staff.role {
        Role::Admin => Ok(()),
        Role::Village | Role::Town => Err(ApiError::Forbidden),
    }
}

#[utoipa::path(get, path = "/admin/policies", tag = "staff", security(("session" = [])),
    summary = "Admin: every policy version, newest first, with its first day in force and publisher",
    responses(
        (status = 200, description = "The versions", body = Vec<PublishedPolicy>),
        (status = 403, description = "Not an administrator"),
    ))]
async fn list(
    State(state): State<AppState>,
    staff: Staff,
) -> ApiResult<Json<Vec<PublishedPolicy>>> {
    admin(&staff)?;
    state.policies.refresh(&state.db).await?;
    let year = state.current_year();
    let in_force = state.policy_in_force(year)?.0.number;
    let list = state
        .policies
        .versions()
        .iter()
        .rev()
        .map(|v| PublishedPolicy {
            version: v.meta.clone(),
            policies: v.table.policies.iter().map(|p| p.id.clone()).collect(),
            all_confirmed: v.table.policies.iter().all(|p| p.all_confirmed()),
            in_force: v.meta.number == in_force,
        })
        .collect();
    Ok(Json(list))
}

#[utoipa::path(post, path = "/admin/policies", tag = "staff", security(("session" = [])),
    summary = "Admin: publish a policy table (format 2) as the next version, in force from a stated day; audited",
    request_body = PublishPolicy,
    responses(
        (status = 201, description = "The new version", body = PolicyVersion),
        (status = 403, description = "Not an administrator"),
        (status = 422, description = "What is wrong with the document or the day, in Chinese"),
    ))]
async fn create(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(body): ApiJson<PublishPolicy>,
) -> ApiResult<(StatusCode, Json<PolicyVersion>)> {
    admin(&staff)?;
    let publication = Publication {
        document: &body.document,
        effective_from: &body.effective_from,
    };
    let version = publish::publish(
        &state.db,
        &state.region,
        state.now(),
        &staff.account_id,
        &publication,
    )
    .await?;
    state.policies.refresh(&state.db).await?;
    Ok((StatusCode::CREATED, Json(version)))
}
