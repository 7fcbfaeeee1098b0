//! The `payees` table: the people an account pays for, as the payer typed them, the roster
//! record they matched, and the payer's own label for them (migration 0014). Removal is a flag
//! (`storage::soft_remove`) so that a phone at an older cursor learns of it.
//!
//! The views (`payments::payees`) are built from [`view_rows`]: two queries per request however
//! many people the account pays for — the account's changed payees joined with their roster
//! records, then the paid years of all of them at once — where one `residents` and one
//! `contributions` query per person used to follow the first. Their plans over 20,000 residents
//! and 15,000 payees, as `storage::explain` recorded them from a sync (it fails on any
//! whole-table read; PostgreSQL's generic plans, costs left out):
//!
//! ```text
//! SELECT p.id AS payee_id, ... FROM payees p LEFT JOIN residents r ON r.id = p.resident_id
//!   AND p.removed = 0 WHERE p.account_id = $1 AND ($2 = '' OR p.id = $2) AND p.changed_seq > $3 ...
//! PostgreSQL: Sort
//!               Sort Key: p.created_at, p.id
//!               ->  Nested Loop Left Join
//!                     Join Filter: (p.removed = 0)
//!                     ->  Index Scan using payees_account_seq on payees p
//!                           Index Cond: ((account_id = $1) AND (changed_seq > $3))
//!                     ->  Index Scan using residents_pkey on residents r
//!                           Index Cond: (id = p.resident_id)
//! SQLite:     SEARCH p USING INDEX payees_account_seq (account_id=? AND changed_seq>?);
//!             SEARCH r USING INDEX sqlite_autoindex_residents_1 (id=?) LEFT-JOIN;
//!             USE TEMP B-TREE FOR ORDER BY
//!
//! SELECT c.resident_id, c.year FROM payees p JOIN contributions c ON c.resident_id = p.resident_id
//!   WHERE p.account_id = $1 AND ($2 = '' OR p.id = $2) AND p.changed_seq > $3 ... AND c.state = $4
//! PostgreSQL: Nested Loop
//!               ->  Index Scan using payees_account_seq on payees p
//!                     Index Cond: ((account_id = $1) AND (changed_seq > $3))
//!               ->  Index Scan using contributions_pkey on contributions c
//!                     Index Cond: (resident_id = p.resident_id)
//!                     Filter: (state = $4)
//! SQLite:     SEARCH p USING INDEX payees_account_seq (account_id=? AND changed_seq>?);
//!             SEARCH c USING INDEX sqlite_autoindex_contributions_2 (resident_id=?)
//! ```

use std::collections::{BTreeSet, HashMap};

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;
use yanglao_shared::PayeeLabel;

use crate::payments::states::ContributionStatus;
use crate::roster::Resident;
use crate::storage::{residents, StorageError, StorageResult, WriteTx};

/// A payee as stored.
#[derive(Debug, Clone)]
pub struct Payee {
    pub id: Uuid,
    pub account_id: String,
    /// Set once name and ID number matched the roster.
    pub resident_id: Option<String>,
    pub name: String,
    pub id_number: String,
    pub removed: bool,
    /// The account's own label for the person, if it gave one.
    pub label: Option<PayeeLabel>,
}

const COLUMNS: &str = "id, account_id, resident_id, name, id_number, removed, label";

fn decode(r: &AnyRow) -> StorageResult<Payee> {
    decode_as(r, ["id", "name", "id_number"])
}

/// A payee from a row whose id, name and ID-number columns are called `names` (a join with
/// `residents` renames them, since the roster record has columns of the same names).
fn decode_as(r: &AnyRow, names: [&str; 3]) -> StorageResult<Payee> {
    let id: String = r.try_get(names[0])?;
    let label: Option<String> = r.try_get("label")?;
    Ok(Payee {
        id: Uuid::parse_str(&id).map_err(|_| StorageError::corrupt("payee id", id))?,
        account_id: r.try_get("account_id")?,
        resident_id: r.try_get("resident_id")?,
        name: r.try_get(names[1])?,
        id_number: r.try_get(names[2])?,
        removed: r.try_get::<i64, _>("removed")? == 1,
        label: label
            .map(|l| {
                PayeeLabel::parse(&l).map_err(|e| StorageError::corrupt("label", e.to_string()))
            })
            .transpose()?,
    })
}

/// Any account's payee with this id (to tell a retry from a clash).
pub async fn by_id(conn: &mut AnyConnection, id: Uuid) -> StorageResult<Option<Payee>> {
    let sql = format!("SELECT {COLUMNS} FROM payees WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(decode).transpose()
}

/// The account's payees changed after `since`, oldest first; `only` narrows to one. Removed
/// ones are included only for a client that has synced before (`since` is `Some`).
const CHANGED: &str = "p.account_id = $1 AND ($2 = '' OR p.id = $2) AND p.changed_seq > $3 \
     AND (p.removed = 0 OR $3 >= 0)";

/// A payee with what its view needs: the roster record it matched (none once removed) and
/// the years that record has paid, whoever paid them.
#[derive(Debug, Clone)]
pub struct ViewRow {
    pub payee: Payee,
    pub resident: Option<Resident>,
    pub paid_years: BTreeSet<i32>,
}

/// The account's payees changed after `since` (oldest first; `only` narrows to one; removed
/// ones only for a client that has synced before), each with its roster record and paid
/// years: two queries whatever the number of people (the module doc has their plans).
pub async fn view_rows(
    conn: &mut AnyConnection,
    account_id: &str,
    only: Option<Uuid>,
    since: Option<i64>,
) -> StorageResult<Vec<ViewRow>> {
    let only = only.map(|id| id.to_string()).unwrap_or_default();
    let since = since.unwrap_or(-1);
    let sql = format!(
        "SELECT p.id AS payee_id, p.account_id, p.resident_id, p.name AS payee_name, \
         p.id_number AS payee_id_number, p.removed, p.label, \
         r.id, r.id_number, r.name, r.town, r.village, r.severely_disabled, r.status \
         FROM payees p LEFT JOIN residents r ON r.id = p.resident_id AND p.removed = 0 \
         WHERE {CHANGED} ORDER BY p.created_at, p.id"
    );
    let rows = sqlx::query(&sql)
        .bind(account_id)
        .bind(&only)
        .bind(since)
        .fetch_all(&mut *conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let payee = decode_as(row, ["payee_id", "payee_name", "payee_id_number"])?;
        let matched: Option<String> = row.try_get("id")?;
        let resident = matched.map(|_| residents::from_row(row)).transpose()?;
        out.push(ViewRow {
            payee,
            resident,
            paid_years: BTreeSet::new(),
        });
    }
    if out.iter().all(|v| v.resident.is_none()) {
        return Ok(out);
    }
    let sql = format!(
        "SELECT c.resident_id, c.year FROM payees p \
         JOIN contributions c ON c.resident_id = p.resident_id \
         WHERE {CHANGED} AND p.removed = 0 AND c.state = $4"
    );
    let paid: Vec<(String, i64)> = sqlx::query_as(&sql)
        .bind(account_id)
        .bind(&only)
        .bind(since)
        .bind(ContributionStatus::Paid.as_str())
        .fetch_all(&mut *conn)
        .await?;
    let mut years: HashMap<String, BTreeSet<i32>> = HashMap::new();
    for (resident, year) in paid {
        years.entry(resident).or_default().insert(year as i32);
    }
    for view in &mut out {
        if let Some(r) = &view.resident {
            view.paid_years = years.remove(&r.id).unwrap_or_default();
        }
    }
    Ok(out)
}

/// Adds a payee. `false`, with nothing written, when the id is taken or the account already
/// has this ID number on its list (the `payees_once_per_account` index). No error either way:
/// inside a sync's transaction a failed statement would end the transaction for the others.
pub async fn insert(
    conn: &mut AnyConnection,
    payee: &Payee,
    seq: i64,
    now_ms: i64,
) -> StorageResult<bool> {
    let inserted = sqlx::query(
        "INSERT INTO payees (id, account_id, resident_id, name, id_number, removed, \
         changed_seq, created_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $7) \
         ON CONFLICT DO NOTHING",
    )
    .bind(payee.id.to_string())
    .bind(&payee.account_id)
    .bind(payee.resident_id.as_deref())
    .bind(&payee.name)
    .bind(&payee.id_number)
    .bind(seq)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// The roster records of several of this account's people, read with the people in one query
/// (a sync orders its payments by person-year, and decides each, with them): a person not, or
/// no longer, on the list is absent; one on it but matched to no record maps to `None`.
pub async fn with_residents(
    conn: &mut AnyConnection,
    account_id: &str,
    payee_ids: &[Uuid],
) -> StorageResult<HashMap<Uuid, Option<Resident>>> {
    if payee_ids.is_empty() {
        return Ok(Default::default());
    }
    let sql = format!(
        "SELECT p.id AS payee_id, p.resident_id AS matched, r.id, r.id_number, r.name, r.town, \
         r.village, r.severely_disabled, r.status FROM payees p LEFT JOIN residents r \
         ON r.id = p.resident_id WHERE p.account_id = $1 AND p.removed = 0 AND p.id IN ({})",
        super::placeholders(2, payee_ids.len())
    );
    let mut query = sqlx::query(&sql).bind(account_id);
    for id in payee_ids {
        query = query.bind(id.to_string());
    }
    let mut found = HashMap::new();
    for row in query.fetch_all(conn).await? {
        let id: String = row.try_get("payee_id")?;
        let id = Uuid::parse_str(&id).map_err(|_| StorageError::corrupt("payee id", &id))?;
        let resident = match row.try_get::<Option<String>, _>("matched")? {
            Some(_) => Some(residents::from_row(&row)?),
            None => None,
        };
        found.insert(id, resident);
    }
    Ok(found)
}

/// Every payer's view of these residents changed (payments settled): their rows are marked
/// [`UNSTAMPED`], except those of the account `tx` writes for, if it took one, which get its
/// version at once and need no stamping later. One statement for a batch of the bank's
/// answers.
///
/// [`UNSTAMPED`]: super::UNSTAMPED
pub async fn touch_residents(tx: &mut WriteTx, resident_ids: &[&str]) -> StorageResult<()> {
    if resident_ids.is_empty() {
        return Ok(());
    }
    let (account, version) = match tx.own_account() {
        Some((account, version)) => (account.to_owned(), version),
        None => (String::new(), super::UNSTAMPED),
    };
    let sql = format!(
        "UPDATE payees SET changed_seq = \
         CASE WHEN account_id = $1 THEN CAST($2 AS BIGINT) ELSE CAST($3 AS BIGINT) END \
         WHERE resident_id IN ({})",
        super::placeholders(4, resident_ids.len())
    );
    let mut query = sqlx::query(&sql)
        .bind(account)
        .bind(version)
        .bind(super::UNSTAMPED);
    for id in resident_ids {
        query = query.bind(*id);
    }
    query.execute(&mut ***tx).await?;
    Ok(())
}

/// A label change as recorded under the phone's id for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelChange {
    pub account_id: String,
    pub payee_id: Uuid,
    pub label: Option<String>,
}

/// The change recorded under `id`, if any (to tell a retry from a new change).
pub async fn label_change(
    conn: &mut AnyConnection,
    id: Uuid,
) -> StorageResult<Option<LabelChange>> {
    let row =
        sqlx::query("SELECT account_id, payee_id, label FROM payee_label_changes WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(conn)
            .await?;
    row.map(|r| {
        let payee: String = r.try_get("payee_id")?;
        Ok(LabelChange {
            account_id: r.try_get("account_id")?,
            payee_id: Uuid::parse_str(&payee)
                .map_err(|_| StorageError::corrupt("label change payee", payee))?,
            label: r.try_get("label")?,
        })
    })
    .transpose()
}

/// Records change `id` and gives the account's current payee its label (or takes it away),
/// stamped with `seq` so the payer's other phone pulls it. `false` when the account has no
/// such current payee, or `id` was recorded meanwhile by another request: the caller rolls
/// back (the first statement may have written) and answers from what is stored.
pub async fn set_label(
    conn: &mut AnyConnection,
    id: Uuid,
    change: &LabelChange,
    seq: i64,
    now_ms: i64,
) -> StorageResult<bool> {
    let updated = sqlx::query(
        "UPDATE payees SET label = $1, changed_seq = $2 \
         WHERE id = $3 AND account_id = $4 AND removed = 0",
    )
    .bind(change.label.as_deref())
    .bind(seq)
    .bind(change.payee_id.to_string())
    .bind(&change.account_id)
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() != 1 {
        return Ok(false);
    }
    let recorded = sqlx::query(
        "INSERT INTO payee_label_changes (id, account_id, payee_id, label, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(id.to_string())
    .bind(&change.account_id)
    .bind(change.payee_id.to_string())
    .bind(change.label.as_deref())
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    Ok(recorded.rows_affected() == 1)
}
