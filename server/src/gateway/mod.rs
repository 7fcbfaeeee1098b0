//! Payment gateways. The server talks to the bank only through [`PaymentGateway`]: bind a card
//! (get a token), charge a token for an order, query an order. The bank answers a charge at once
//! or later through a signed notification (see `notify`), and an order can always be queried,
//! so a lost notification never leaves a payment stuck (see `reconcile`). Like a real
//! acquirer, the bank also hands out its statement of a day (对账单, [`StatementLine`]) for the
//! daily reconciliation, and refunds a paid order in full ([`Refund`], 退款).
//!
//! A refund is the bank's own transaction on a paid order, as at a real acquirer: [`query`]
//! still answers `Paid` for a refunded order (the payment did happen), and the refund shows in
//! the statement and in the [`Refund`] the call answers. So the ledger, which reads only
//! [`OrderStatus`], never takes a refund for a payment; only the code that asked for the refund
//! (reconciliation's refund cases) needs to know of it.
//!
//! The only implementation today is the sandbox bank (沙箱银行, [`sandbox`]), which behaves like a
//! bank's test environment, keeps its orders in its own SQLite database, and is named as a
//! sandbox everywhere a user could see it; [`remote`] is the same bank over HTTP.
//!
//! [`query`]: PaymentGateway::query

pub mod remote;
pub mod sandbox;

use async_trait::async_trait;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use time::{Date, OffsetDateTime};
use uuid::Uuid;
use yanglao_shared::CardNumber;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoundCard {
    pub token: String,
    pub bank: String,
    pub last_four: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChargeRequest {
    /// Our intent id: the bank treats a repeated order id as the same order.
    pub order_id: Uuid,
    pub token: String,
    pub amount_fen: i64,
    pub description: String,
}

/// What the bank says about an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum OrderStatus {
    Paid {
        bank_ref: String,
        amount_fen: i64,
    },
    Declined {
        code: String,
        message: String,
    },
    /// Accepted; the outcome comes later by notification (or query).
    Pending,
    /// The bank has never seen this order id.
    Unknown,
}

/// An order's state in the bank's statement: [`OrderStatus`] plus `refunded` (a wire type
/// of `shared`, since the staff screen shows it too).
pub use yanglao_shared::reconciliation::LineStatus;

/// One order in the bank's statement of a day (对账单). The day is the order's creation day
/// in China Standard Time (UTC+8): an order charged at 23:59 on 1 March is in 1 March's
/// statement even when it settles after midnight, and a still-pending order is listed too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementLine {
    pub order_id: Uuid,
    /// What the order was for, in fen (also for declined and pending orders).
    pub amount_fen: i64,
    pub status: LineStatus,
    /// The bank's reference of the payment, once paid (kept when refunded).
    pub bank_ref: Option<String>,
    /// Why a declined order was declined (`insufficient_funds`, …).
    pub decline_code: Option<String>,
    #[serde(with = "yanglao_shared::timetext::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When the bank answered: paid or declined (a delayed order: when it became paid).
    #[serde(with = "yanglao_shared::timetext::rfc3339::option")]
    pub settled_at: Option<OffsetDateTime>,
    #[serde(with = "yanglao_shared::timetext::rfc3339::option")]
    pub refunded_at: Option<OffsetDateTime>,
}

/// A full refund of a paid order. Asking again for the same refund answers this same refund;
/// the money goes back once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    pub order_id: Uuid,
    pub amount_fen: i64,
    /// The bank's reference of the refund (not the payment's).
    pub refund_ref: String,
    #[serde(with = "yanglao_shared::timetext::rfc3339")]
    pub refunded_at: OffsetDateTime,
}

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("card refused: {0}")]
    CardRefused(String),
    /// The bank refused a request about an order (a refund of an unpaid order, …); `code`
    /// is stable, `message` is for a person.
    #[error("{code}: {message}")]
    Refused { code: String, message: String },
    #[error("gateway unreachable: {0}")]
    Unavailable(String),
}

/// The codes of [`GatewayError::Refused`] a refund can get.
pub mod refusal {
    /// The bank has never seen this order id.
    pub const ORDER_UNKNOWN: &str = "order_unknown";
    /// The order is declined or still pending: there is no money to give back.
    pub const NOT_PAID: &str = "order_not_paid";
    /// Only a full refund is possible: the amount asked is not the amount paid.
    pub const AMOUNT_MISMATCH: &str = "refund_amount_mismatch";
    /// The order was refunded already, for the amount it names; never a second refund.
    pub const ALREADY_REFUNDED: &str = "already_refunded";
}

#[async_trait]
pub trait PaymentGateway: Send + Sync {
    fn is_sandbox(&self) -> bool;
    async fn bind_card(&self, card: &CardNumber) -> Result<BoundCard, GatewayError>;
    async fn charge(&self, request: &ChargeRequest) -> Result<OrderStatus, GatewayError>;
    async fn query(&self, order_id: Uuid) -> Result<OrderStatus, GatewayError>;
    /// The orders created on `date` (China Standard Time), oldest first: the bank's
    /// reconciliation file of that day.
    async fn statement(&self, date: Date) -> Result<Vec<StatementLine>, GatewayError>;
    /// Refunds a paid order in full. `amount_fen` must be the amount paid (no partial
    /// refunds); a repeat answers the refund already made. Refused, with a [`refusal`] code,
    /// for an unknown or unpaid order and for another amount.
    async fn refund(&self, order_id: Uuid, amount_fen: i64) -> Result<Refund, GatewayError>;
}

/// The body of an asynchronous notification from the bank.
// No deny_unknown_fields: serde does not support it together with `flatten`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Notification {
    pub order_id: Uuid,
    #[serde(flatten)]
    pub status: OrderStatus,
}

pub const SIGNATURE_HEADER: &str = "x-sandbox-signature";

/// HMAC-SHA256 of the exact body bytes, hex.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Constant-time check of a notification's signature.
pub fn verify(secret: &str, body: &[u8], signature_hex: &str) -> bool {
    let Ok(signature) = hex::decode(signature_hex) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    mac.verify_slice(&signature).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_and_tampering_is_caught() {
        let body = br#"{"order_id":"x"}"#;
        let sig = sign("k", body);
        assert!(verify("k", body, &sig));
        assert!(!verify("other", body, &sig));
        assert!(!verify("k", br#"{"order_id":"y"}"#, &sig));
        assert!(!verify("k", body, "zz"));
    }
}
