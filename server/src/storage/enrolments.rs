//! The `enrolments` table (参保登记), and what the town center's entry writes beside it: the
//! new `residents` row and the payees it verifies. Rows decode once into [`Enrolment`] with
//! its typed [`EnrolmentState`]; every state is bound, never spelled in SQL. The rules (who
//! may act, which step) live in `applications::enrolment`; this module only reads and writes.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;
use yanglao_shared::applications::{Checklist, EnrolmentForm, EnrolmentState};
use yanglao_shared::RosterStatus;

use crate::staff::roles::Area;
use crate::storage::{unless_taken, Db, StorageError, StorageResult};

/// An enrolment as stored: the form as last sent, where it stands, and when each step was
/// taken (unix ms).
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub applicant_id: String,
    pub form: EnrolmentForm,
    pub state: EnrolmentState,
    pub return_reason: Option<String>,
    pub checklist: Option<Checklist>,
    pub submitted_at: i64,
    pub village_checked_at: Option<i64>,
    pub town_reviewed_at: Option<i64>,
}

const COLUMNS: &str = "id, applicant_id, name, id_number, town, village, mobile, \
    severely_disabled, revision, state, return_reason, checklist_json, submitted_at, \
    village_checked_at, town_reviewed_at";

fn decode(r: &AnyRow) -> StorageResult<Enrolment> {
    let id: String = r.try_get("id")?;
    let revision: i64 = r.try_get("revision")?;
    let state: String = r.try_get("state")?;
    let checklist = match r.try_get::<Option<String>, _>("checklist_json")? {
        Some(text) => Some(
            serde_json::from_str(&text).map_err(|_| StorageError::corrupt("checklist", text))?,
        ),
        None => None,
    };
    Ok(Enrolment {
        applicant_id: r.try_get("applicant_id")?,
        form: EnrolmentForm {
            id: Uuid::parse_str(&id).map_err(|_| StorageError::corrupt("enrolment id", &id))?,
            name: r.try_get("name")?,
            id_number: r.try_get("id_number")?,
            town: r.try_get("town")?,
            village: r.try_get("village")?,
            mobile: r.try_get("mobile")?,
            severely_disabled: r.try_get::<i64, _>("severely_disabled")? == 1,
            revision: u32::try_from(revision)
                .map_err(|_| StorageError::corrupt("revision", revision))?,
        },
        state: EnrolmentState::parse(&state)
            .ok_or_else(|| StorageError::corrupt("enrolment state", state))?,
        return_reason: r.try_get("return_reason")?,
        checklist,
        submitted_at: r.try_get("submitted_at")?,
        village_checked_at: r.try_get("village_checked_at")?,
        town_reviewed_at: r.try_get("town_reviewed_at")?,
    })
}

pub async fn load(conn: &mut AnyConnection, id: Uuid) -> StorageResult<Option<Enrolment>> {
    let sql = format!("SELECT {COLUMNS} FROM enrolments WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(decode).transpose()
}

/// The forms an account filed, oldest first.
pub async fn of_applicant(db: &Db, account_id: &str) -> StorageResult<Vec<Enrolment>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM enrolments WHERE applicant_id = $1 ORDER BY submitted_at, id"
    );
    let rows = sqlx::query(&sql)
        .bind(account_id)
        .fetch_all(&db.pool)
        .await?;
    rows.iter().map(decode).collect()
}

/// The forms of `area` (the form's own town and village place it), oldest first; only those
/// in `state` when one is given.
pub async fn in_area(
    db: &Db,
    state: Option<EnrolmentState>,
    area: &Area,
) -> StorageResult<Vec<Enrolment>> {
    let (filter, values) = area.filter("e", 2);
    let sql = format!(
        "SELECT {COLUMNS} FROM enrolments e WHERE ($1 = '' OR e.state = $1){filter} \
         ORDER BY e.submitted_at, e.id"
    );
    let mut query = sqlx::query(&sql).bind(state.map_or("", EnrolmentState::as_str));
    for value in values {
        query = query.bind(value);
    }
    let rows = query.fetch_all(&db.pool).await?;
    rows.iter().map(decode).collect()
}

/// Whether another form for this ID number is still with the village or the town.
pub async fn other_open_for(
    conn: &mut AnyConnection,
    id_number: &str,
    except: Uuid,
) -> StorageResult<bool> {
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM enrolments WHERE id_number = $1 AND id <> $2 \
         AND state IN ($3, $4)",
    )
    .bind(id_number)
    .bind(except.to_string())
    .bind(EnrolmentState::Submitted.as_str())
    .bind(EnrolmentState::VillageApproved.as_str())
    .fetch_one(conn)
    .await?;
    Ok(open > 0)
}

/// Files a new form as `submitted`. `false` when the one-open-form index
/// (`enrolments_one_open`) refuses it: a form for the same person, filed concurrently, won.
pub async fn insert(
    conn: &mut AnyConnection,
    applicant_id: &str,
    form: &EnrolmentForm,
    now_ms: i64,
) -> StorageResult<bool> {
    let inserted = sqlx::query(
        "INSERT INTO enrolments (id, applicant_id, name, id_number, town, village, \
         mobile, severely_disabled, revision, state, submitted_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $11, $10)",
    )
    .bind(form.id.to_string())
    .bind(applicant_id)
    .bind(&form.name)
    .bind(&form.id_number)
    .bind(&form.town)
    .bind(&form.village)
    .bind(&form.mobile)
    .bind(i64::from(form.severely_disabled))
    .bind(i64::from(form.revision))
    .bind(now_ms)
    .bind(EnrolmentState::Submitted.as_str())
    .execute(conn)
    .await;
    refused_by_one_open(inserted)
}

/// A returned form, fixed and sent again: its fields, `to` (the state the machine answered),
/// and every step's trace cleared. `false` when the one-open-form index refuses it.
pub async fn resubmit(
    conn: &mut AnyConnection,
    form: &EnrolmentForm,
    to: EnrolmentState,
    now_ms: i64,
) -> StorageResult<bool> {
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
    .bind(now_ms)
    .bind(i64::from(form.revision))
    .bind(form.id.to_string())
    .bind(to.as_str())
    .execute(conn)
    .await;
    refused_by_one_open(updated)
}

/// The one-open-form index is the only unique key these two writes can meet.
fn refused_by_one_open(
    done: Result<sqlx::any::AnyQueryResult, sqlx::Error>,
) -> StorageResult<bool> {
    Ok(unless_taken(done)?.is_some())
}

/// The village assistant's check: `to`, the reason when returned, the materials seen.
pub async fn village_checked(
    conn: &mut AnyConnection,
    id: Uuid,
    to: EnrolmentState,
    reason: Option<&str>,
    checklist: &Checklist,
    now_ms: i64,
) -> StorageResult<()> {
    sqlx::query(
        "UPDATE enrolments SET state = $1, return_reason = $2, checklist_json = $3, \
         village_checked_at = $4 WHERE id = $5",
    )
    .bind(to.as_str())
    .bind(reason)
    .bind(checklist_json(checklist))
    .bind(now_ms)
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// A checklist is three flags: it always serialises.
fn checklist_json(checklist: &Checklist) -> String {
    serde_json::to_string(checklist).expect("a checklist of flags serialises")
}

/// The town center sent the form back with `reason`.
pub async fn town_returned(
    conn: &mut AnyConnection,
    id: Uuid,
    to: EnrolmentState,
    reason: &str,
    now_ms: i64,
) -> StorageResult<()> {
    sqlx::query(
        "UPDATE enrolments SET state = $4, return_reason = $1, \
         town_reviewed_at = $2 WHERE id = $3",
    )
    .bind(reason)
    .bind(now_ms)
    .bind(id.to_string())
    .bind(to.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

/// The town center entered the form: it now names the roster record `resident_id`.
pub async fn town_entered(
    conn: &mut AnyConnection,
    id: Uuid,
    to: EnrolmentState,
    resident_id: &str,
    now_ms: i64,
) -> StorageResult<()> {
    sqlx::query(
        "UPDATE enrolments SET state = $4, resident_id = $1, return_reason = NULL, \
         town_reviewed_at = $2 WHERE id = $3",
    )
    .bind(resident_id)
    .bind(now_ms)
    .bind(id.to_string())
    .bind(to.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

/// Puts the person of an entered form on the roster as `resident_id`, enrolled in `region`.
pub async fn add_resident(
    conn: &mut AnyConnection,
    resident_id: &str,
    form: &EnrolmentForm,
    region: &str,
    now_ms: i64,
) -> StorageResult<()> {
    sqlx::query(
        "INSERT INTO residents (id, id_number, name, town, village, region_code, \
         severely_disabled, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $9, $8)",
    )
    .bind(resident_id)
    .bind(&form.id_number)
    .bind(&form.name)
    .bind(&form.town)
    .bind(&form.village)
    .bind(region)
    .bind(i64::from(form.severely_disabled))
    .bind(now_ms)
    .bind(RosterStatus::Enrolled.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

/// Payers who added this person before the roster knew them: their payee now names
/// `resident_id`, stamped with change `seq` so their phones hear of it.
pub async fn verify_payees(
    conn: &mut AnyConnection,
    resident_id: &str,
    form: &EnrolmentForm,
    seq: i64,
) -> StorageResult<()> {
    sqlx::query(
        "UPDATE payees SET resident_id = $1, changed_seq = $2 WHERE resident_id IS NULL \
         AND removed = 0 AND id_number = $3 AND name = $4",
    )
    .bind(resident_id)
    .bind(seq)
    .bind(&form.id_number)
    .bind(&form.name)
    .execute(conn)
    .await?;
    Ok(())
}
