//! The `accounts` and `sessions` tables, and the paid years an account's own record shows.
//! Every account is made by [`insert`] (registration, `create-staff` and the demo alike), and
//! a session is stored only as its token's SHA-256, so a copy of the database lets no one in.
//! The rules (password length, the login limit, how long a session lasts) live in `accounts`.

use sqlx::{AnyConnection, Row};
use uuid::Uuid;
use yanglao_shared::money::Money;
use yanglao_shared::wire::Contribution;
use yanglao_shared::MobileNumber;

use crate::payments::states::ContributionStatus;
use crate::storage::{unless_taken, StorageError, StorageResult};

/// An account as stored.
#[derive(Debug, Clone)]
pub struct StoredAccount {
    pub id: Uuid,
    pub mobile: MobileNumber,
    /// The roster record this account claimed as its own, if any.
    pub resident_id: Option<String>,
}

/// What a login is checked against.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub account_id: Uuid,
    /// Argon2id, in the PHC string format.
    pub password_hash: String,
}

fn account_id(text: String) -> StorageResult<Uuid> {
    Uuid::parse_str(&text).map_err(|_| StorageError::corrupt("account id", text))
}

/// Adds an account inside `conn`'s transaction and answers its id; `None` when the mobile
/// number already has one (its unique key refuses the row).
pub async fn insert(
    conn: &mut AnyConnection,
    mobile: &MobileNumber,
    password_hash: &str,
    now_ms: i64,
) -> StorageResult<Option<Uuid>> {
    let id = Uuid::new_v4();
    let inserted = sqlx::query(
        "INSERT INTO accounts (id, mobile, password_hash, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(id.to_string())
    .bind(mobile.as_str())
    .bind(password_hash)
    .bind(now_ms)
    .execute(conn)
    .await;
    Ok(unless_taken(inserted)?.map(|_| id))
}

/// The id of the account with this mobile number.
pub async fn id_of_mobile(
    conn: &mut AnyConnection,
    mobile: &MobileNumber,
) -> StorageResult<Option<Uuid>> {
    let id: Option<String> = sqlx::query_scalar("SELECT id FROM accounts WHERE mobile = $1")
        .bind(mobile.as_str())
        .fetch_optional(conn)
        .await?;
    id.map(account_id).transpose()
}

pub async fn credentials(
    conn: &mut AnyConnection,
    mobile: &MobileNumber,
) -> StorageResult<Option<Credentials>> {
    let row = sqlx::query("SELECT id, password_hash FROM accounts WHERE mobile = $1")
        .bind(mobile.as_str())
        .fetch_optional(conn)
        .await?;
    row.map(|r| {
        Ok(Credentials {
            account_id: account_id(r.try_get("id")?)?,
            password_hash: r.try_get("password_hash")?,
        })
    })
    .transpose()
}

pub async fn load(conn: &mut AnyConnection, id: &str) -> StorageResult<Option<StoredAccount>> {
    let row = sqlx::query("SELECT id, mobile, resident_id FROM accounts WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.map(|r| {
        let mobile: String = r.try_get("mobile")?;
        Ok(StoredAccount {
            id: account_id(r.try_get("id")?)?,
            mobile: MobileNumber::parse(&mobile)
                .map_err(|_| StorageError::corrupt("mobile", mobile))?,
            resident_id: r.try_get("resident_id")?,
        })
    })
    .transpose()
}

/// Ties a roster record to an account; `false` when another account holds it already (the
/// unique key on `resident_id` refuses the second).
pub async fn claim(
    conn: &mut AnyConnection,
    account_id: &str,
    resident_id: &str,
) -> StorageResult<bool> {
    let updated = sqlx::query("UPDATE accounts SET resident_id = $1 WHERE id = $2")
        .bind(resident_id)
        .bind(account_id)
        .execute(conn)
        .await;
    Ok(unless_taken(updated)?.is_some())
}

/// A resident's paid years, oldest first, as `viewer`'s claimed record shows them: a receipt
/// number only for a payment `viewer` made (its own intent, or the back payment it applied for,
/// whose receipts are the slip's number and the year); a year
/// another account paid shows its amount and `paid_by_other`, never that payer's receipt.
pub async fn paid_contributions(
    conn: &mut AnyConnection,
    resident_id: &str,
    viewer: &str,
) -> StorageResult<Vec<Contribution>> {
    let rows = sqlx::query(
        "SELECT c.year, c.amount_fen, c.back_payment, c.receipt_no, \
         COALESCE(i.account_id, b.applicant_id) AS payer FROM contributions c \
         LEFT JOIN intents i ON i.id = c.intent_id \
         LEFT JOIN back_payments b ON c.back_payment = 1 AND b.resident_id = c.resident_id \
         AND c.receipt_no = b.slip_no || 'Y' || CAST(c.year AS TEXT) \
         WHERE c.resident_id = $1 AND c.state = $2 ORDER BY c.year",
    )
    .bind(resident_id)
    .bind(ContributionStatus::Paid.as_str())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let amount_fen: i64 = r.try_get("amount_fen")?;
            let payer: Option<String> = r.try_get("payer")?;
            let receipt_no: Option<String> = r.try_get("receipt_no")?;
            // A receipt whose payer is unknown is not shown either: only one's own.
            let own = payer.as_deref() == Some(viewer);
            Ok(Contribution {
                year: r.try_get::<i64, _>("year")? as i32,
                amount: Money::from_fen(amount_fen)
                    .map_err(|_| StorageError::corrupt("amount_fen", amount_fen))?,
                back_payment: r.try_get::<i64, _>("back_payment")? == 1,
                receipt_no: receipt_no.filter(|_| own),
                paid_by_other: payer.is_some() && !own,
            })
        })
        .collect()
}

/// The account holding this roster record as its own, if any.
pub async fn claimed_by(
    conn: &mut AnyConnection,
    resident_id: &str,
) -> StorageResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM accounts WHERE resident_id = $1")
            .bind(resident_id)
            .fetch_optional(conn)
            .await?,
    )
}

/// Stores a new session under its token's hash.
pub async fn open_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    account_id: Uuid,
    created_ms: i64,
    expires_ms: i64,
) -> StorageResult<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, account_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(account_id.to_string())
    .bind(created_ms)
    .bind(expires_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// The account of a session that has not expired by `now_ms`.
pub async fn session_account(
    conn: &mut AnyConnection,
    token_hash: &str,
    now_ms: i64,
) -> StorageResult<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT account_id FROM sessions WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now_ms)
    .fetch_optional(conn)
    .await?)
}

pub async fn close_session(conn: &mut AnyConnection, token_hash: &str) -> StorageResult<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(())
}
