//! Payment gateways. The server talks to the bank only through [`PaymentGateway`]: bind a card
//! (get a token), charge a token for an order, query an order. The bank answers a charge at once
//! or later through a signed notification (see `notify`), and an order can always be queried,
//! so a lost notification never leaves a payment stuck (see `reconcile`).
//!
//! The only implementation today is the sandbox bank (沙箱银行), which behaves like a bank's
//! test environment and is named as a sandbox everywhere a user could see it.

pub mod remote;
pub mod sandbox;

use async_trait::async_trait;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("card refused: {0}")]
    CardRefused(String),
    #[error("gateway unreachable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait PaymentGateway: Send + Sync {
    fn is_sandbox(&self) -> bool;
    async fn bind_card(&self, card: &CardNumber) -> Result<BoundCard, GatewayError>;
    async fn charge(&self, request: &ChargeRequest) -> Result<OrderStatus, GatewayError>;
    async fn query(&self, order_id: Uuid) -> Result<OrderStatus, GatewayError>;
}

/// The body of an asynchronous notification from the bank.
// No deny_unknown_fields: serde does not support it together with `flatten`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
