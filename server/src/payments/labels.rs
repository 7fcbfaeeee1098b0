//! A payer's own label for a person they pay for (妈妈, 二叔): `PUT /payees/{id}/label`.
//!
//! The label belongs to the account that wrote it: it is kept on that account's own `payees`
//! row, so it travels only in that account's views (`GET /payees`, `POST /sync`), never in
//! another payer's view of the same person, nor in anything staff or a receipt check read.
//! Setting it stamps the row with the account's next version, so the payer's other phone
//! pulls it on its next sync.
//!
//! Each change carries the phone's own random id (it is queued offline in the app's mutation
//! log and may be sent more than once). The change is recorded under that id in the same
//! transaction as the label; the same change sent again is answered with the current view
//! and not applied again, so a retry that arrives late never undoes a newer label; the same
//! id with other content is refused (`idempotency_conflict`).

use axum::extract::{Path, State};
use axum::Json;
use uuid::Uuid;
use yanglao_shared::wire::{is_client_made, LabelChange, PayeeView};
use yanglao_shared::PayeeLabel;

use crate::accounts::auth::Authed;
use crate::app::AppState;
use crate::http::error::{ApiJson, ApiResult};
use crate::payments::payees::view_of;
use crate::service::{ServiceError, ServiceResult};
use crate::storage::payees as stored;

#[utoipa::path(put, path = "/payees/{id}/label", tag = "payments", security(("session" = [])),
    summary = "Give a person this account's own label, or take it away (idempotent by the change's id)",
    params(("id" = Uuid, Path, description = "The person's entry on this account's list")),
    request_body = LabelChange,
    responses(
        (status = 200, description = "The person's view, with this account's label", body = PayeeView),
        (status = 422, description = "The label breaks the rule (1 to 10 characters, …), or the change's id is not a client's", body = yanglao_shared::wire::ErrorBody),
        (status = 404, description = "No such person on this account's list", body = yanglao_shared::wire::ErrorBody),
        (status = 409, description = "The change's id was used for another change", body = yanglao_shared::wire::ErrorBody),
    ))]
pub async fn put_label(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<Uuid>,
    ApiJson(change): ApiJson<LabelChange>,
) -> ApiResult<Json<PayeeView>> {
    Ok(Json(set(&state, &who.account_id, id, &change).await?))
}

/// Applies `change` to the account's person `payee_id` (once, however often it is sent) and
/// answers the person's view.
pub async fn set(
    state: &AppState,
    account_id: &str,
    payee_id: Uuid,
    change: &LabelChange,
) -> ServiceResult<PayeeView> {
    if !is_client_made(change.id) {
        return Err(ServiceError::invalid(
            "invalid_id",
            "编号无效，请重新填写称呼",
        ));
    }
    let label = change
        .label
        .as_deref()
        .map(PayeeLabel::parse)
        .transpose()
        .map_err(|e| ServiceError::invalid(e.code(), e.to_string()))?;
    let wanted = stored::LabelChange {
        account_id: account_id.to_owned(),
        payee_id,
        label: label.map(String::from),
    };
    let mut tx = state.db.begin_write().await?;
    match stored::label_change(&mut tx, change.id).await? {
        Some(done) if done == wanted => {}
        Some(done) if done.account_id != account_id => {
            return Err(ServiceError::conflict(
                "id_conflict",
                "编号冲突，请重新填写称呼",
            ));
        }
        Some(_) => {
            return Err(ServiceError::conflict(
                "idempotency_conflict",
                "同一编号的内容不同，请重新填写称呼",
            ));
        }
        None => {
            let version = tx.version(account_id).await?;
            if !stored::set_label(&mut tx, change.id, &wanted, version, state.clock.now_ms())
                .await?
            {
                tx.tx.rollback().await?;
                // Recorded meanwhile by a retry that overtook this request: answer as it did.
                let mut conn = state.db.pool.acquire().await?;
                return match stored::label_change(&mut conn, change.id).await? {
                    Some(done) if done == wanted => {
                        view_of(&mut conn, state, account_id, payee_id).await
                    }
                    Some(_) => Err(ServiceError::conflict(
                        "idempotency_conflict",
                        "同一编号的内容不同，请重新填写称呼",
                    )),
                    None => Err(ServiceError::NotFound),
                };
            }
        }
    }
    tx.commit().await?;
    let mut conn = state.db.pool.acquire().await?;
    view_of(&mut conn, state, account_id, payee_id).await
}
