//! `GET /places`: the towns (镇街) and villages (村居) the roster and the staff know. The
//! enrolment form offers them, and an enrolment naming any other place is refused at once:
//! a typo in a village name would otherwise leave the form where no village assistant looks.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use sqlx::{AnyConnection, Row};
use yanglao_shared::wire::Place;

use crate::app::AppState;
use crate::http::error::{ApiError, ApiResult};

pub fn router() -> Router<AppState> {
    Router::new().route("/places", get(list))
}

const KNOWN: &str = "SELECT town, village FROM residents \
    UNION SELECT town, village FROM staff WHERE village IS NOT NULL";

/// Public: village names are no secret, and the form needs them before any login.
async fn list(State(state): State<AppState>) -> ApiResult<Json<Vec<Place>>> {
    let sql = format!("SELECT town, village FROM ({KNOWN}) p ORDER BY town, village");
    let rows = sqlx::query(&sql).fetch_all(&state.db.pool).await?;
    let mut places: Vec<Place> = Vec::new();
    for row in rows {
        let (town, village): (String, String) = (row.try_get("town")?, row.try_get("village")?);
        match places.last_mut() {
            Some(last) if last.town == town => last.villages.push(village),
            _ => places.push(Place {
                town,
                villages: vec![village],
            }),
        }
    }
    Ok(Json(places))
}

/// Refuses a town and village that no roster record and no staff member has.
pub async fn check_known(conn: &mut AnyConnection, town: &str, village: &str) -> ApiResult<()> {
    let sql = format!("SELECT COUNT(*) FROM ({KNOWN}) p WHERE town = $1 AND village = $2");
    let n: i64 = sqlx::query_scalar(&sql)
        .bind(town)
        .bind(village)
        .fetch_one(conn)
        .await?;
    if n == 0 {
        return Err(ApiError::invalid(
            "unknown_place",
            format!("没有找到“{town} {village}”：请按户口簿选择镇（街道）和村（居）"),
        ));
    }
    Ok(())
}
