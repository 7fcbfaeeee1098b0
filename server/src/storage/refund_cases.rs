//! The SQL of the daily reconciliation (对账): the ledger's side of a day (in-app paid
//! person-years by the instant they were taken), what the ledger knows of one bank order, and
//! the `refund_cases` table (退费, migration 0009) with the booking of a case into the ledger.
//! States are bound from their enums, never spelled in SQL; the rules are in
//! `payments::reconciliation`.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;
use yanglao_shared::money::Money;

use crate::payments::reconciliation::case_states::CaseStatus;
use crate::payments::states::ContributionStatus::{self, Paid};
use crate::payments::states::IntentStatus;
use crate::staff::roles::Area;
use crate::storage::{StorageError, StorageResult, UNSTAMPED};

/// Who a person-year belongs to, as staff see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub resident_id: String,
    pub name: String,
    pub town: String,
    pub village: String,
}

/// A paid person-year the app charged (not a back payment), with its order.
#[derive(Debug, Clone)]
pub struct LedgerPaid {
    pub order_id: Uuid,
    pub amount: Money,
    pub year: i32,
    pub place: Place,
}

/// What the ledger knows of one order id: its intent (if any) and the person-year it holds.
#[derive(Debug, Clone, Default)]
pub struct LedgerOrder {
    pub intent: Option<IntentStatus>,
    /// The person-year: the contribution's, or else the intent's when its payee matched.
    pub resident_id: Option<String>,
    pub year: Option<i32>,
    /// The contribution row this order holds or paid, and its amount.
    pub contribution: Option<(ContributionStatus, Money)>,
}

fn money(fen: i64) -> StorageResult<Money> {
    Money::from_fen(fen).map_err(|_| StorageError::corrupt("amount_fen", fen))
}

fn uuid(text: String, what: &'static str) -> StorageResult<Uuid> {
    Uuid::parse_str(&text).map_err(|_| StorageError::corrupt(what, text))
}

/// In-app paid person-years taken in `[from_ms, to_ms)`: the orders the bank's statement of
/// that day must show paid. Back payments (补缴, paid at the bank counter) have no order.
pub async fn ledger_paid_between(
    conn: &mut AnyConnection,
    from_ms: i64,
    to_ms: i64,
) -> StorageResult<Vec<LedgerPaid>> {
    let rows = sqlx::query(
        "SELECT c.intent_id, c.amount_fen, c.year, r.id AS resident_id, r.name, r.town, \
         r.village FROM contributions c JOIN residents r ON r.id = c.resident_id \
         WHERE c.created_at >= $1 AND c.created_at < $2 AND c.state = $3 \
         AND c.back_payment = 0 AND c.intent_id IS NOT NULL ORDER BY c.created_at",
    )
    .bind(from_ms)
    .bind(to_ms)
    .bind(Paid.as_str())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(LedgerPaid {
                order_id: uuid(r.try_get("intent_id")?, "intent_id")?,
                amount: money(r.try_get("amount_fen")?)?,
                year: r.try_get::<i64, _>("year")? as i32,
                place: place_of(r)?,
            })
        })
        .collect()
}

fn place_of(r: &AnyRow) -> StorageResult<Place> {
    Ok(Place {
        resident_id: r.try_get("resident_id")?,
        name: r.try_get("name")?,
        town: r.try_get("town")?,
        village: r.try_get("village")?,
    })
}

/// What the ledger knows of `order_id` (an intent id).
pub async fn ledger_order(conn: &mut AnyConnection, order_id: Uuid) -> StorageResult<LedgerOrder> {
    let id = order_id.to_string();
    let mut order = LedgerOrder::default();
    let intent = sqlx::query("SELECT state, resident_id, year FROM intents WHERE id = $1")
        .bind(&id)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(r) = intent {
        let text: String = r.try_get("state")?;
        let status =
            IntentStatus::parse(&text).ok_or_else(|| StorageError::corrupt("state", text))?;
        order.intent = Some(status);
        order.resident_id = r.try_get("resident_id")?;
        order.year = Some(r.try_get::<i64, _>("year")? as i32);
    }
    let held = sqlx::query(
        "SELECT state, amount_fen, resident_id, year FROM contributions WHERE intent_id = $1",
    )
    .bind(&id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(r) = held {
        // The person-year the order holds is the ledger's own word on whose it is.
        order.resident_id = Some(r.try_get("resident_id")?);
        order.year = Some(r.try_get::<i64, _>("year")? as i32);
        let text: String = r.try_get("state")?;
        let status =
            ContributionStatus::parse(&text).ok_or_else(|| StorageError::corrupt("state", text))?;
        order.contribution = Some((status, money(r.try_get("amount_fen")?)?));
    }
    Ok(order)
}

/// The roster's name and place of a resident.
pub async fn place(conn: &mut AnyConnection, resident_id: &str) -> StorageResult<Option<Place>> {
    let row =
        sqlx::query("SELECT id AS resident_id, name, town, village FROM residents WHERE id = $1")
            .bind(resident_id)
            .fetch_optional(conn)
            .await?;
    row.as_ref().map(place_of).transpose()
}

/// A refund case as stored, with its person's place when the ledger knows it.
#[derive(Debug, Clone)]
pub struct RefundCase {
    pub id: Uuid,
    pub order_id: Uuid,
    pub amount: Money,
    pub bank_ref: Option<String>,
    /// The statement day it was found in, `YYYY-MM-DD` (China Standard Time).
    pub bank_day: String,
    pub ledger_state: Option<IntentStatus>,
    pub year: Option<i32>,
    pub place: Option<Place>,
    pub status: CaseStatus,
    pub refund_ref: Option<String>,
    pub receipt_no: Option<String>,
    pub found_at: i64,
    pub resolved_at: Option<i64>,
}

/// A case to open.
pub struct NewCase<'a> {
    pub order_id: Uuid,
    pub amount: Money,
    pub bank_ref: Option<&'a str>,
    pub bank_day: &'a str,
    pub ledger_state: Option<IntentStatus>,
    pub resident_id: Option<&'a str>,
    pub year: Option<i32>,
    pub found_by: &'a str,
}

/// Opens a case; `None` when the order has one already (the unique key on the order id).
pub async fn open(
    conn: &mut AnyConnection,
    new: &NewCase<'_>,
    now_ms: i64,
) -> StorageResult<Option<Uuid>> {
    let id = Uuid::new_v4();
    let done = sqlx::query(
        "INSERT INTO refund_cases (id, order_id, amount_fen, bank_ref, bank_day, ledger_state, \
         resident_id, year, state, found_at, found_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (order_id) DO NOTHING",
    )
    .bind(id.to_string())
    .bind(new.order_id.to_string())
    .bind(new.amount.to_fen())
    .bind(new.bank_ref)
    .bind(new.bank_day)
    .bind(new.ledger_state.map(IntentStatus::as_str))
    .bind(new.resident_id)
    .bind(new.year.map(i64::from))
    .bind(CaseStatus::Open.as_str())
    .bind(now_ms)
    .bind(new.found_by)
    .execute(conn)
    .await?;
    Ok((done.rows_affected() == 1).then_some(id))
}

const CASE_COLUMNS: &str = "k.id, k.order_id, k.amount_fen, k.bank_ref, k.bank_day, \
    k.ledger_state, k.year, k.state, k.refund_ref, k.receipt_no, k.found_at, k.resolved_at, \
    r.id AS resident_id, r.name, r.town, r.village";

fn decode(r: &AnyRow) -> StorageResult<RefundCase> {
    let state: String = r.try_get("state")?;
    let status = CaseStatus::parse(&state).ok_or_else(|| StorageError::corrupt("state", state))?;
    let ledger_state = match r.try_get::<Option<String>, _>("ledger_state")? {
        Some(t) => Some(IntentStatus::parse(&t).ok_or_else(|| StorageError::corrupt("state", t))?),
        None => None,
    };
    let place = match r.try_get::<Option<String>, _>("resident_id")? {
        Some(_) => Some(place_of(r)?),
        None => None,
    };
    Ok(RefundCase {
        id: uuid(r.try_get("id")?, "id")?,
        order_id: uuid(r.try_get("order_id")?, "order_id")?,
        amount: money(r.try_get("amount_fen")?)?,
        bank_ref: r.try_get("bank_ref")?,
        bank_day: r.try_get("bank_day")?,
        ledger_state,
        year: r.try_get::<Option<i64>, _>("year")?.map(|y| y as i32),
        place,
        status,
        refund_ref: r.try_get("refund_ref")?,
        receipt_no: r.try_get("receipt_no")?,
        found_at: r.try_get("found_at")?,
        resolved_at: r.try_get("resolved_at")?,
    })
}

pub async fn load(conn: &mut AnyConnection, id: Uuid) -> StorageResult<Option<RefundCase>> {
    let sql = format!(
        "SELECT {CASE_COLUMNS} FROM refund_cases k LEFT JOIN residents r ON r.id = k.resident_id \
         WHERE k.id = $1"
    );
    let row = sqlx::query(&sql)
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(decode).transpose()
}

pub async fn by_order(conn: &mut AnyConnection, order_id: Uuid) -> StorageResult<Option<Uuid>> {
    let id: Option<String> = sqlx::query_scalar("SELECT id FROM refund_cases WHERE order_id = $1")
        .bind(order_id.to_string())
        .fetch_optional(conn)
        .await?;
    id.map(|t| uuid(t, "id")).transpose()
}

/// The cases of an area (a town's cases are those of its residents; a case whose person the
/// ledger does not know is in no town: only an area of every town lists it), open ones first,
/// newest first; only of `status` when given.
pub async fn list(
    conn: &mut AnyConnection,
    area: &Area,
    status: Option<CaseStatus>,
) -> StorageResult<Vec<RefundCase>> {
    let first = if status.is_some() { 2 } else { 1 };
    let (filter, values) = area.filter("r", first);
    let state_filter = if status.is_some() {
        " AND k.state = $1"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {CASE_COLUMNS} FROM refund_cases k LEFT JOIN residents r ON r.id = k.resident_id \
         WHERE 1 = 1{state_filter}{filter} \
         ORDER BY CASE WHEN k.resolved_at IS NULL THEN 0 ELSE 1 END, k.found_at DESC LIMIT 1000"
    );
    let mut query = sqlx::query(&sql);
    if let Some(status) = status {
        query = query.bind(status.as_str());
    }
    for v in values {
        query = query.bind(v);
    }
    let rows = query.fetch_all(conn).await?;
    rows.iter().map(decode).collect()
}

/// What resolving a case (or a step of it) writes.
pub struct Move<'a> {
    pub from: CaseStatus,
    pub to: CaseStatus,
    pub refund_ref: Option<&'a str>,
    pub receipt_no: Option<&'a str>,
    /// Who, when the move resolves the case.
    pub resolved_by: Option<&'a str>,
}

/// Moves a case on, only from the state the caller read; `false` when another got there first.
pub async fn move_case(
    conn: &mut AnyConnection,
    id: Uuid,
    to: &Move<'_>,
    now_ms: i64,
) -> StorageResult<bool> {
    let resolved_at = to.resolved_by.map(|_| now_ms);
    let done = sqlx::query(
        "UPDATE refund_cases SET state = $1, refund_ref = COALESCE($2, refund_ref), \
         receipt_no = COALESCE($3, receipt_no), resolved_at = $4, resolved_by = $5 \
         WHERE id = $6 AND state = $7",
    )
    .bind(to.to.as_str())
    .bind(to.refund_ref)
    .bind(to.receipt_no)
    .bind(resolved_at)
    .bind(to.resolved_by)
    .bind(id.to_string())
    .bind(to.from.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The booked case's money as the person-year's paid contribution, held by its order (the
/// intent id); `false` when the year is taken (paid, or held by a charge).
pub async fn book_contribution(
    conn: &mut AnyConnection,
    resident_id: &str,
    year: i32,
    amount: Money,
    order_id: Uuid,
    receipt_no: &str,
    now_ms: i64,
) -> StorageResult<bool> {
    let done = sqlx::query(
        "INSERT INTO contributions (resident_id, year, amount_fen, state, intent_id, \
         back_payment, receipt_no, paid_at, created_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $7) \
         ON CONFLICT (resident_id, year) DO NOTHING",
    )
    .bind(resident_id)
    .bind(i64::from(year))
    .bind(amount.to_fen())
    .bind(Paid.as_str())
    .bind(order_id.to_string())
    .bind(receipt_no)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The booked order's intent is paid, with the receipt, and marked [`UNSTAMPED`] so its
/// payer's next pull sends it; only from the state the caller read.
pub async fn intent_booked(
    conn: &mut AnyConnection,
    order_id: Uuid,
    from: IntentStatus,
    receipt_no: &str,
    now_ms: i64,
) -> StorageResult<bool> {
    let done = sqlx::query(
        "UPDATE intents SET state = $1, receipt_no = $2, paid_at = $3, reason_code = NULL, \
         reason_zh = NULL, reason_en = NULL, changed_seq = $4, updated_at = $3 \
         WHERE id = $5 AND state = $6",
    )
    .bind(IntentStatus::Paid.as_str())
    .bind(receipt_no)
    .bind(now_ms)
    .bind(UNSTAMPED)
    .bind(order_id.to_string())
    .bind(from.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
