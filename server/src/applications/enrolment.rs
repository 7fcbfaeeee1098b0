//! New enrolment (参保登记), 《居民基本养老保险参保登记表》 made online: a resident or relative
//! submits the form (or the village assistant enters it), the village assistant of the village
//! of household registration checks the materials and approves or returns it, and the town
//! center enters it — the person then joins the roster and can pay. Every staff step writes an
//! audit entry in its own transaction.

use axum::extract::{Path, State};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;
use yanglao_shared::applications::{
    enrolment_too_young, place_name, Checklist, EnrolmentEvent, EnrolmentForm, EnrolmentState,
    EnrolmentView,
};
use yanglao_shared::{IdNumber, MobileNumber, PersonName};

use crate::accounts::auth::Authed;
use crate::app::AppState;
use crate::applications::enrolment_review as review;
use crate::applications::places;
use crate::clock::from_ms;
use crate::http::error::{ApiError, ApiJson, ApiResult};
use crate::roster;
use crate::staff::audit;
use crate::staff::roles::{self, Role, Staff};
use crate::storage::{is_unique_violation, WriteTx};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/enrolments", get(mine))
        .route("/enrolments/{id}", put(submit))
        .route(
            "/staff/enrolments",
            get(crate::applications::lists::enrolments),
        )
        .route(
            "/staff/enrolments/{id}/village-check",
            post(review::village_check),
        )
        .route(
            "/staff/enrolments/{id}/town-review",
            post(review::town_review),
        )
}

pub(crate) const COLUMNS: &str = "id, applicant_id, name, id_number, town, village, mobile, \
    severely_disabled, revision, state, return_reason, checklist_json, submitted_at, \
    village_checked_at, town_reviewed_at";

pub(crate) struct EnrolmentRow {
    pub applicant_id: String,
    pub form: EnrolmentForm,
    pub state: EnrolmentState,
    pub return_reason: Option<String>,
    pub checklist: Option<Checklist>,
    pub submitted_at: i64,
    pub village_checked_at: Option<i64>,
    pub town_reviewed_at: Option<i64>,
}

pub(crate) fn from_row(r: &sqlx::any::AnyRow) -> ApiResult<EnrolmentRow> {
    let internal = |e: String| ApiError::Internal(e);
    let state: String = r.try_get("state")?;
    let checklist: Option<String> = r.try_get("checklist_json")?;
    Ok(EnrolmentRow {
        applicant_id: r.try_get("applicant_id")?,
        form: EnrolmentForm {
            id: Uuid::parse_str(&r.try_get::<String, _>("id")?)
                .map_err(|e| internal(e.to_string()))?,
            name: r.try_get("name")?,
            id_number: r.try_get("id_number")?,
            town: r.try_get("town")?,
            village: r.try_get("village")?,
            mobile: r.try_get("mobile")?,
            severely_disabled: r.try_get::<i64, _>("severely_disabled")? == 1,
            revision: u32::try_from(r.try_get::<i64, _>("revision")?)
                .map_err(|e| internal(e.to_string()))?,
        },
        state: EnrolmentState::parse(&state).ok_or_else(|| internal(state.clone()))?,
        return_reason: r.try_get("return_reason")?,
        checklist: checklist
            .map(|c| serde_json::from_str(&c))
            .transpose()
            .map_err(|e| internal(e.to_string()))?,
        submitted_at: r.try_get("submitted_at")?,
        village_checked_at: r.try_get("village_checked_at")?,
        town_reviewed_at: r.try_get("town_reviewed_at")?,
    })
}

impl EnrolmentRow {
    pub(crate) fn view(&self) -> EnrolmentView {
        let f = &self.form;
        EnrolmentView {
            id: f.id,
            name: f.name.clone(),
            id_masked: IdNumber::parse_any_date(&f.id_number)
                .map(|i| i.masked())
                .unwrap_or_default(),
            town: f.town.clone(),
            village: f.village.clone(),
            mobile_masked: MobileNumber::parse(&f.mobile)
                .map(|m| m.masked())
                .unwrap_or_default(),
            severely_disabled: f.severely_disabled,
            revision: f.revision,
            state: self.state,
            return_reason: self.return_reason.clone(),
            checklist: self.checklist,
            submitted_at: from_ms(self.submitted_at),
            village_checked_at: self.village_checked_at.map(from_ms),
            town_reviewed_at: self.town_reviewed_at.map(from_ms),
        }
    }

    /// What the audit log keeps of it: the view (masked ID and mobile), never more.
    pub(crate) fn audit_json(&self) -> serde_json::Value {
        serde_json::to_value(self.view()).unwrap_or_default()
    }
}

pub(crate) async fn load(conn: &mut AnyConnection, id: &str) -> ApiResult<EnrolmentRow> {
    let sql = format!("SELECT {COLUMNS} FROM enrolments WHERE id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(conn).await?;
    from_row(&row.ok_or(ApiError::NotFound)?)
}

async fn mine(State(state): State<AppState>, who: Authed) -> ApiResult<Json<Vec<EnrolmentView>>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM enrolments WHERE applicant_id = $1 ORDER BY submitted_at, id"
    );
    let rows = sqlx::query(&sql)
        .bind(&who.account_id)
        .fetch_all(&state.db.pool)
        .await?;
    rows.iter()
        .map(|r| Ok(from_row(r)?.view()))
        .collect::<ApiResult<_>>()
        .map(Json)
}

/// The form, checked; what a person typed is normalised (trimmed names, upper-case X).
fn validated(state: &AppState, form: &EnrolmentForm) -> ApiResult<EnrolmentForm> {
    let invalid = |code: &'static str, msg: String| ApiError::invalid(code, msg);
    let name = PersonName::parse(&form.name).map_err(|e| invalid(e.code(), e.to_string()))?;
    let today = yanglao_shared::window::cst_date(state.now());
    let id_number =
        IdNumber::parse(&form.id_number, today).map_err(|e| invalid(e.code(), e.to_string()))?;
    let mobile = MobileNumber::parse(&form.mobile).map_err(|e| invalid(e.code(), e.to_string()))?;
    let place = |p: &str| {
        place_name(p).ok_or_else(|| invalid("invalid_place", "请填写户籍所在镇街和村居".into()))
    };
    Ok(EnrolmentForm {
        id: form.id,
        name: name.as_str().to_owned(),
        id_number: id_number.as_str().to_owned(),
        town: place(&form.town)?,
        village: place(&form.village)?,
        mobile: mobile.as_str().to_owned(),
        severely_disabled: form.severely_disabled,
        revision: form.revision,
    })
}

/// What a new or changed form must meet beyond its shape: the minimum age, a known place,
/// and, from a staff account, the assistant's own village (answered with that staff member,
/// for the audit log). A retry of a form already filed is answered before this, so a rule or
/// a staff change since never turns an accepted form into a refusal.
async fn admissible(
    state: &AppState,
    conn: &mut AnyConnection,
    who: &Authed,
    form: &EnrolmentForm,
) -> ApiResult<Option<Staff>> {
    let id_number =
        IdNumber::parse_any_date(&form.id_number).map_err(|e| ApiError::Internal(e.to_string()))?;
    let policy = state.current_policy()?;
    let today = yanglao_shared::window::cst_date(state.now());
    if let Some(why) = enrolment_too_young(policy, id_number.birth_date(), today) {
        return Err(ApiError::invalid("too_young", why));
    }
    places::check_known(conn, &form.town, &form.village).await?;
    // A village assistant may enter a form for someone of their own village; other staff
    // review forms, they do not file them.
    match roles::info(conn, &who.account_id).await? {
        None => Ok(None),
        Some(info) => {
            let staff = Staff {
                account_id: who.account_id.clone(),
                role: info.role,
                town: info.town,
                village: info.village,
            };
            staff.acts_in(Role::Village, &form.town, &form.village)?;
            Ok(Some(staff))
        }
    }
}

/// Someone already on the roster, or with an application in progress, needs no new one.
async fn refuse_duplicate(tx: &mut WriteTx, form: &EnrolmentForm) -> ApiResult<()> {
    let id_number =
        IdNumber::parse_any_date(&form.id_number).map_err(|e| ApiError::Internal(e.to_string()))?;
    if roster::by_id_number(tx, &id_number).await?.is_some() {
        return Err(already_enrolled());
    }
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM enrolments WHERE id_number = $1 AND id <> $2 \
         AND state IN ($3, $4)",
    )
    .bind(&form.id_number)
    .bind(form.id.to_string())
    .bind(EnrolmentState::Submitted.as_str())
    .bind(EnrolmentState::VillageApproved.as_str())
    .fetch_one(&mut ***tx)
    .await?;
    if open > 0 {
        return Err(pending());
    }
    Ok(())
}

pub(crate) fn already_enrolled() -> ApiError {
    ApiError::conflict(
        "already_enrolled",
        "此身份证号已在参保名册中，不需要再登记，可以直接缴费",
    )
}

fn pending() -> ApiError {
    ApiError::conflict(
        "enrolment_pending",
        "此人已有一份正在办理的参保登记，请等待审核结果",
    )
}

async fn submit(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<Uuid>,
    ApiJson(form): ApiJson<EnrolmentForm>,
) -> ApiResult<Json<EnrolmentView>> {
    if form.id != id {
        return Err(ApiError::invalid("id_mismatch", "地址中的编号与内容不一致"));
    }
    let form = validated(&state, &form)?;
    let id = id.to_string();
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let existing = match load(&mut tx, &id).await {
        Ok(row) => Some(row),
        Err(ApiError::NotFound) => None,
        Err(e) => return Err(e),
    };
    let before = existing.as_ref().map(EnrolmentRow::audit_json);
    match &existing {
        Some(row) if row.applicant_id != who.account_id => {
            return Err(ApiError::conflict("id_conflict", "编号冲突，请重新填写"));
        }
        // The same form again (a retried outbox item): the answer, unchanged.
        Some(row) if row.form == form => {
            tx.commit().await?;
            return Ok(Json(row.view()));
        }
        _ => {}
    }
    let entering = admissible(&state, &mut tx, &who, &form).await?;
    match &existing {
        // Fixed after a return: it goes back to the village.
        Some(row) if row.state == EnrolmentState::Returned && form.revision > row.form.revision => {
            refuse_duplicate(&mut tx, &form).await?;
            let to = row
                .state
                .transition(EnrolmentEvent::ApplicantFixes)
                .map_err(|_| ApiError::Internal("returned form cannot be fixed".into()))?;
            let updated = sqlx::query(
                "UPDATE enrolments SET name = $1, id_number = $2, town = $3, village = $4, \
                 mobile = $5, severely_disabled = $6, state = $10, return_reason = NULL, \
                 checklist_json = NULL, submitted_at = $7, village_checked_at = NULL, \
                 town_reviewed_at = NULL, revision = $8 WHERE id = $9",
            )
            .bind(&form.name)
            .bind(&form.id_number)
            .bind(&form.town)
            .bind(&form.village)
            .bind(&form.mobile)
            .bind(i64::from(form.severely_disabled))
            .bind(now)
            .bind(i64::from(form.revision))
            .bind(&id)
            .bind(to.as_str())
            .execute(&mut **tx)
            .await;
            // Two fixes racing for one person: the database's one-open-form rule decides.
            match updated {
                Err(e) if is_unique_violation(&e) => return Err(pending()),
                other => other?,
            };
        }
        // An earlier sending arriving late (the phone never heard the answer): not a fix.
        Some(row) if row.state == EnrolmentState::Returned => {
            return Err(ApiError::conflict(
                "stale_revision",
                "这份登记表已被退回，请按退回原因修改后重新提交",
            ));
        }
        Some(_) => {
            return Err(ApiError::conflict(
                "idempotency_conflict",
                "这份登记表已提交，正在审核，不能修改",
            ));
        }
        None => {
            refuse_duplicate(&mut tx, &form).await?;
            let inserted = sqlx::query(
                "INSERT INTO enrolments (id, applicant_id, name, id_number, town, village, \
                 mobile, severely_disabled, revision, state, submitted_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $11, $10)",
            )
            .bind(&id)
            .bind(&who.account_id)
            .bind(&form.name)
            .bind(&form.id_number)
            .bind(&form.town)
            .bind(&form.village)
            .bind(&form.mobile)
            .bind(i64::from(form.severely_disabled))
            .bind(i64::from(form.revision))
            .bind(now)
            .bind(EnrolmentState::Submitted.as_str())
            .execute(&mut **tx)
            .await;
            match inserted {
                Err(e) if is_unique_violation(&e) => return Err(pending()),
                other => other?,
            };
        }
    }
    let after = load(&mut tx, &id).await?;
    if let Some(staff) = entering {
        let entry = audit::Entry {
            actor: &staff.account_id,
            at_ms: now,
            action: "enrolment_enter",
            target: &format!("enrolment:{id}"),
            before,
            after: Some(after.audit_json()),
        };
        audit::record(&mut tx, &entry).await?;
    }
    tx.commit().await?;
    Ok(Json(after.view()))
}
