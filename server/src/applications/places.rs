//! `GET /places`: the towns (镇街) and villages (村居) the roster and the staff know
//! (`storage::places`). The enrolment form offers them, and an enrolment naming any other
//! place is refused at once: a typo in a village name would otherwise leave the form where no
//! village assistant looks. Small enough for one file: the handler, then the rule.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use sqlx::AnyConnection;
use yanglao_shared::wire::Place;

use crate::app::AppState;
use crate::http::error::ApiResult;
use crate::service::{ServiceError, ServiceResult};
use crate::storage::places;

// ---- handler ------------------------------------------------------------------------------

pub fn router() -> Router<AppState> {
    Router::new().route("/places", get(list))
}

/// Public: village names are no secret, and the form needs them before any login.
#[utoipa::path(get, path = "/places", tag = "applications",
    summary = "The towns and villages the enrolment form offers",
    responses((status = 200, description = "Towns with their villages", body = Vec<Place>)))]
async fn list(State(state): State<AppState>) -> ApiResult<Json<Vec<Place>>> {
    Ok(Json(places::known(&state.db).await?))
}

// ---- rule ---------------------------------------------------------------------------------

/// Refuses a town and village that no roster record and no staff member has.
pub async fn check_known(conn: &mut AnyConnection, town: &str, village: &str) -> ServiceResult<()> {
    if !places::is_known(conn, town, village).await? {
        return Err(ServiceError::invalid(
            "unknown_place",
            format!("没有找到“{town} {village}”：请按户口簿选择镇（街道）和村（居）"),
        ));
    }
    Ok(())
}
