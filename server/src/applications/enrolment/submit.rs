//! The applicant's side of enrolment: the forms an account filed, and filing one. A form is
//! new, a retry of one already filed (answered as it stands, whatever the rules say now), or a
//! fix after a return (back to the village). From a village assistant's account it is their
//! entry for someone of their village, and audited.

use sqlx::AnyConnection;
use yanglao_shared::applications::{
    enrolment_too_young, place_name, EnrolmentEvent, EnrolmentForm, EnrolmentState, EnrolmentView,
};
use yanglao_shared::{IdNumber, MobileNumber, PersonName};

use super::{already_enrolled, audit_json, id_number_of, view, Shown};
use crate::app::AppState;
use crate::applications::places;
use crate::roster;
use crate::service::{ServiceError, ServiceResult};
use crate::staff::audit;
use crate::staff::roles::{self, Role, Staff};
use crate::storage::enrolments;
use crate::storage::WriteTx;

/// The forms `account_id` filed, oldest first.
pub async fn mine(state: &AppState, account_id: &str) -> ServiceResult<Vec<EnrolmentView>> {
    let rows = enrolments::of_applicant(&state.db, account_id).await?;
    Ok(rows.iter().map(|r| view(r, Shown::Masked)).collect())
}

/// The applicant's own form as filed, in full, for what comes next without retyping: the fix
/// form of a returned enrolment, or the add-payee form once the person is enrolled. Nobody
/// else's, and not while it waits on the village or the town.
pub async fn form_to_reuse(
    state: &AppState,
    account_id: &str,
    id: uuid::Uuid,
) -> ServiceResult<EnrolmentForm> {
    let mut conn = state.db.pool.acquire().await?;
    let row = enrolments::load(&mut conn, id)
        .await?
        .filter(|r| r.applicant_id == account_id)
        .ok_or(ServiceError::NotFound)?;
    match row.state {
        EnrolmentState::Returned | EnrolmentState::Enrolled => Ok(row.form),
        _ => Err(ServiceError::conflict(
            "under_review",
            "这份登记表正在审核，审核后再修改或添加",
        )),
    }
}

/// The form, checked; what a person typed is normalised (trimmed names, upper-case X).
fn validated(state: &AppState, form: &EnrolmentForm) -> ServiceResult<EnrolmentForm> {
    let invalid = |code: &'static str, msg: String| ServiceError::invalid(code, msg);
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
    account_id: &str,
    form: &EnrolmentForm,
) -> ServiceResult<Option<Staff>> {
    let id_number = id_number_of(form)?;
    let policy = state.current_policy()?;
    let today = yanglao_shared::window::cst_date(state.now());
    if let Some(why) = enrolment_too_young(policy, id_number.birth_date(), today) {
        return Err(ServiceError::invalid("too_young", why));
    }
    places::check_known(conn, &form.town, &form.village).await?;
    // A village assistant may enter a form for someone of their own village; other staff
    // review forms, they do not file them.
    match roles::info(conn, account_id).await? {
        None => Ok(None),
        Some(info) => {
            let staff = Staff {
                account_id: account_id.to_owned(),
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
async fn refuse_duplicate(tx: &mut WriteTx, form: &EnrolmentForm) -> ServiceResult<()> {
    let id_number = id_number_of(form)?;
    if roster::by_id_number(tx, &id_number).await?.is_some() {
        return Err(already_enrolled());
    }
    if enrolments::other_open_for(tx, &form.id_number, form.id).await? {
        return Err(pending());
    }
    Ok(())
}

fn pending() -> ServiceError {
    ServiceError::conflict(
        "enrolment_pending",
        "此人已有一份正在办理的参保登记，请等待审核结果",
    )
}

/// Files `form` for `account_id`, in one write transaction with its audit entry when a
/// village assistant enters it. Idempotent: the same form again answers as it stands.
pub async fn submit(
    state: &AppState,
    account_id: &str,
    form: &EnrolmentForm,
) -> ServiceResult<EnrolmentView> {
    let form = validated(state, form)?;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    tx.serialize(&format!("enrolment:{}", form.id)).await?;
    let existing = enrolments::load(&mut tx, form.id).await?;
    let before = existing.as_ref().map(audit_json);
    match &existing {
        Some(row) if row.applicant_id != account_id => {
            return Err(ServiceError::conflict(
                "id_conflict",
                "编号冲突，请重新填写",
            ));
        }
        // The same form again (a retried outbox item): the answer, unchanged.
        Some(row) if row.form == form => {
            tx.commit().await?;
            return Ok(view(row, Shown::Masked));
        }
        _ => {}
    }
    let entering = admissible(state, &mut tx, account_id, &form).await?;
    // Two fixes or two forms racing for one person: the database's one-open-form rule decides
    // (a `false` from storage), and the loser hears "pending".
    let filed = match &existing {
        // Fixed after a return: it goes back to the village.
        Some(row) if row.state == EnrolmentState::Returned && form.revision > row.form.revision => {
            refuse_duplicate(&mut tx, &form).await?;
            let to = row
                .state
                .transition(EnrolmentEvent::ApplicantFixes)
                .map_err(|_| ServiceError::Internal("returned form cannot be fixed".into()))?;
            enrolments::resubmit(&mut tx, &form, to, now).await?
        }
        // An earlier sending arriving late (the phone never heard the answer): not a fix.
        Some(row) if row.state == EnrolmentState::Returned => {
            return Err(ServiceError::conflict(
                "stale_revision",
                "这份登记表已被退回，请按退回原因修改后重新提交",
            ));
        }
        Some(_) => {
            return Err(ServiceError::conflict(
                "idempotency_conflict",
                "这份登记表已提交，正在审核，不能修改",
            ));
        }
        None => {
            refuse_duplicate(&mut tx, &form).await?;
            enrolments::insert(&mut tx, account_id, &form, now).await?
        }
    };
    if !filed {
        return Err(pending());
    }
    let after = enrolments::load(&mut tx, form.id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if let Some(staff) = entering {
        let entry = audit::Entry {
            actor: &staff.account_id,
            at_ms: now,
            action: "enrolment_enter",
            target: &format!("enrolment:{}", form.id),
            before,
            after: Some(audit_json(&after)),
        };
        audit::record(&mut tx, &entry).await?;
    }
    tx.commit().await?;
    Ok(view(&after, Shown::Masked))
}
