//! The `back_payments` table (补缴), read together with the roster record it is for (the
//! person's name, ID number and place come from the roster, not from the form). Rows decode
//! once into [`BackPayment`] with its typed [`BackPaymentState`], years, tier and amount; every
//! state is bound, never spelled in SQL. The rules live in `applications::back_payment`; the
//! years a receipt books go through `storage::contributions`.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;
use yanglao_shared::applications::{BackPaymentState, BackRefusal};
use yanglao_shared::money::Money;
use yanglao_shared::TierAmount;

use crate::staff::roles::Area;
use crate::storage::{Db, StorageError, StorageResult};

/// A back-payment application as stored, with its person from the roster. Instants are unix ms.
#[derive(Debug, Clone)]
pub struct BackPayment {
    pub id: Uuid,
    pub applicant_id: String,
    pub resident_id: String,
    /// Ascending, no repeats (the form is normalised before it is stored).
    pub years: Vec<i32>,
    pub tier: TierAmount,
    pub state: BackPaymentState,
    /// Fixes after a return, counted up by the applicant's form.
    pub revision: u32,
    /// The years the slip covers, once issued.
    pub slip_years: Vec<i32>,
    /// With a slip, why the years left off it were; with a return, every reason found.
    pub refusals: Vec<BackRefusal>,
    pub return_reason: Option<String>,
    pub slip_no: Option<String>,
    /// tier × years, fixed when the slip is issued.
    pub amount: Option<Money>,
    pub bank_receipt_no: Option<String>,
    pub submitted_at: i64,
    pub reviewed_at: Option<i64>,
    pub paid_at: Option<i64>,
    /// The roster's name and ID number of the person, and their town and village.
    pub name: String,
    pub id_number: String,
    pub town: String,
    pub village: String,
}

/// What a new application is stored with.
pub struct NewBackPayment<'a> {
    pub id: Uuid,
    pub applicant_id: &'a str,
    pub resident_id: &'a str,
    pub years: &'a [i32],
    pub tier: TierAmount,
}

const COLUMNS: &str = "b.id, b.applicant_id, b.resident_id, b.years_json, b.tier_fen, \
    b.state, b.refusals_json, b.slip_no, b.amount_fen, b.bank_receipt_no, b.submitted_at, \
    b.reviewed_at, b.paid_at, b.revision, b.slip_years_json, b.return_reason, r.name, \
    r.id_number, r.town, r.village";
const FROM: &str = "back_payments b JOIN residents r ON r.id = b.resident_id";

fn money(fen: i64, what: &'static str) -> StorageResult<Money> {
    Money::from_fen(fen).map_err(|_| StorageError::corrupt(what, fen))
}

fn from_json<T: serde::de::DeserializeOwned>(text: String, what: &'static str) -> StorageResult<T> {
    serde_json::from_str(&text).map_err(|_| StorageError::corrupt(what, text))
}

/// Years and refusals are plain lists of numbers and tagged records: they always serialise.
fn to_json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).expect("years and refusals serialise")
}

fn decode(r: &AnyRow) -> StorageResult<BackPayment> {
    let id: String = r.try_get("id")?;
    let state: String = r.try_get("state")?;
    let tier_fen: i64 = r.try_get("tier_fen")?;
    let revision: i64 = r.try_get("revision")?;
    let tier = TierAmount::try_from(money(tier_fen, "tier_fen")?)
        .map_err(|_| StorageError::corrupt("tier_fen", tier_fen))?;
    Ok(BackPayment {
        id: Uuid::parse_str(&id).map_err(|_| StorageError::corrupt("back payment id", &id))?,
        applicant_id: r.try_get("applicant_id")?,
        resident_id: r.try_get("resident_id")?,
        years: from_json(r.try_get("years_json")?, "years")?,
        tier,
        state: BackPaymentState::parse(&state)
            .ok_or_else(|| StorageError::corrupt("back payment state", state))?,
        revision: u32::try_from(revision)
            .map_err(|_| StorageError::corrupt("revision", revision))?,
        slip_years: match r.try_get::<Option<String>, _>("slip_years_json")? {
            Some(text) => from_json(text, "slip years")?,
            None => Vec::new(),
        },
        refusals: match r.try_get::<Option<String>, _>("refusals_json")? {
            Some(text) => from_json(text, "refusals")?,
            None => Vec::new(),
        },
        return_reason: r.try_get("return_reason")?,
        slip_no: r.try_get("slip_no")?,
        amount: r
            .try_get::<Option<i64>, _>("amount_fen")?
            .map(|fen| money(fen, "amount_fen"))
            .transpose()?,
        bank_receipt_no: r.try_get("bank_receipt_no")?,
        submitted_at: r.try_get("submitted_at")?,
        reviewed_at: r.try_get("reviewed_at")?,
        paid_at: r.try_get("paid_at")?,
        name: r.try_get("name")?,
        id_number: r.try_get("id_number")?,
        town: r.try_get("town")?,
        village: r.try_get("village")?,
    })
}

pub async fn load(conn: &mut AnyConnection, id: Uuid) -> StorageResult<Option<BackPayment>> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE b.id = $1");
    let row = sqlx::query(&sql)
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(decode).transpose()
}

/// The applications an account filed, oldest first.
pub async fn of_applicant(db: &Db, account_id: &str) -> StorageResult<Vec<BackPayment>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE b.applicant_id = $1 ORDER BY b.submitted_at, b.id"
    );
    let rows = sqlx::query(&sql)
        .bind(account_id)
        .fetch_all(&db.pool)
        .await?;
    rows.iter().map(decode).collect()
}

/// The applications for people of `area` (the roster record's town and village place them),
/// oldest first; only those in `state` when one is given.
pub async fn in_area(
    db: &Db,
    state: Option<BackPaymentState>,
    area: &Area,
) -> StorageResult<Vec<BackPayment>> {
    let (filter, values) = area.filter("r", 2);
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE ($1 = '' OR b.state = $1){filter} \
         ORDER BY b.submitted_at, b.id"
    );
    let mut query = sqlx::query(&sql).bind(state.map_or("", BackPaymentState::as_str));
    for value in values {
        query = query.bind(value);
    }
    let rows = query.fetch_all(&db.pool).await?;
    rows.iter().map(decode).collect()
}

/// Files a new application as `submitted`.
pub async fn insert(
    conn: &mut AnyConnection,
    new: &NewBackPayment<'_>,
    now_ms: i64,
) -> StorageResult<()> {
    sqlx::query(
        "INSERT INTO back_payments (id, applicant_id, resident_id, years_json, tier_fen, state, \
         submitted_at) VALUES ($1, $2, $3, $4, $5, $7, $6)",
    )
    .bind(new.id.to_string())
    .bind(new.applicant_id)
    .bind(new.resident_id)
    .bind(to_json(new.years))
    .bind(new.tier.money().to_fen())
    .bind(now_ms)
    .bind(BackPaymentState::Submitted.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

/// The years on this person's slips issued but not yet paid (a slip's own years, not every
/// year its form asked for).
pub async fn years_on_open_slips(
    conn: &mut AnyConnection,
    resident_id: &str,
) -> StorageResult<Vec<i32>> {
    let lists: Vec<String> = sqlx::query_scalar(
        "SELECT slip_years_json FROM back_payments WHERE resident_id = $1 AND state = $2 \
         AND slip_years_json IS NOT NULL",
    )
    .bind(resident_id)
    .bind(BackPaymentState::SlipIssued.as_str())
    .fetch_all(conn)
    .await?;
    let mut years = Vec::new();
    for list in lists {
        years.extend(from_json::<Vec<i32>>(list, "years")?);
    }
    Ok(years)
}

/// Whether a bank receipt number is already recorded on any application.
pub async fn receipt_used(conn: &mut AnyConnection, bank_receipt_no: &str) -> StorageResult<bool> {
    let used: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM back_payments WHERE bank_receipt_no = $1")
            .bind(bank_receipt_no)
            .fetch_one(conn)
            .await?;
    Ok(used > 0)
}

/// What a slip is issued with: its number, the years it covers and their amount, and why
/// the other years asked for are left off.
pub struct Slip<'a> {
    pub slip_no: &'a str,
    pub years: &'a [i32],
    pub amount: Money,
    pub left_off: &'a [BackRefusal],
}

/// The town center issued `slip` after the check.
pub async fn issue_slip(
    conn: &mut AnyConnection,
    id: Uuid,
    to: BackPaymentState,
    slip: &Slip<'_>,
    now_ms: i64,
) -> StorageResult<()> {
    sqlx::query(
        "UPDATE back_payments SET state = $5, slip_no = $1, amount_fen = $2, \
         reviewed_at = $3, slip_years_json = $6, refusals_json = $7, return_reason = NULL \
         WHERE id = $4",
    )
    .bind(slip.slip_no)
    .bind(slip.amount.to_fen())
    .bind(now_ms)
    .bind(id.to_string())
    .bind(to.as_str())
    .bind(to_json(slip.years))
    .bind(to_json(slip.left_off))
    .execute(conn)
    .await?;
    Ok(())
}

/// The town center returned the form, with every reason the check found and its own words.
pub async fn returned(
    conn: &mut AnyConnection,
    id: Uuid,
    to: BackPaymentState,
    refusals: &[BackRefusal],
    reason: Option<&str>,
    now_ms: i64,
) -> StorageResult<()> {
    sqlx::query(
        "UPDATE back_payments SET state = $4, refusals_json = $1, \
         reviewed_at = $2, return_reason = $5 WHERE id = $3",
    )
    .bind(to_json(refusals))
    .bind(now_ms)
    .bind(id.to_string())
    .bind(to.as_str())
    .bind(reason)
    .execute(conn)
    .await?;
    Ok(())
}

/// What a fixed form changes: the person it is for, the years and the tier.
pub struct Fix<'a> {
    pub resident_id: &'a str,
    pub years: &'a [i32],
    pub tier: TierAmount,
    pub revision: u32,
}

/// The applicant's fix after a return: back to the town center, the earlier check forgotten.
pub async fn resubmit(
    conn: &mut AnyConnection,
    id: Uuid,
    to: BackPaymentState,
    fix: &Fix<'_>,
    now_ms: i64,
) -> StorageResult<()> {
    sqlx::query(
        "UPDATE back_payments SET state = $1, resident_id = $2, years_json = $3, tier_fen = $4, \
         revision = $5, submitted_at = $6, refusals_json = NULL, return_reason = NULL, \
         reviewed_at = NULL WHERE id = $7",
    )
    .bind(to.as_str())
    .bind(fix.resident_id)
    .bind(to_json(fix.years))
    .bind(fix.tier.money().to_fen())
    .bind(i64::from(fix.revision))
    .bind(now_ms)
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// The bank receipt that paid the slip.
pub async fn record_receipt(
    conn: &mut AnyConnection,
    id: Uuid,
    to: BackPaymentState,
    bank_receipt_no: &str,
    now_ms: i64,
) -> StorageResult<()> {
    sqlx::query(
        "UPDATE back_payments SET state = $4, bank_receipt_no = $1, paid_at = $2 WHERE id = $3",
    )
    .bind(bank_receipt_no)
    .bind(now_ms)
    .bind(id.to_string())
    .bind(to.as_str())
    .execute(conn)
    .await?;
    Ok(())
}
