//! The daily reconciliation's (对账) wire types, shared by the server that compares the bank's
//! statement with the ledger (`server/src/payments/reconciliation`) and the staff screen that
//! shows it: the bank's word on an order in its statement ([`LineStatus`]), each
//! [`Mismatch`] of a run's [`Report`], and a refund case (退费) as staff see it ([`CaseView`]).
//! Amounts are [`Money`] (yuan as a decimal string on the wire).

use crate::json::FromJson;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::money::Money;

/// An order's state in the bank's statement: paid, declined, pending, or paid then refunded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LineStatus {
    Paid,
    Declined,
    Pending,
    /// Paid, then refunded in full: the bank did not keep the money.
    Refunded,
}

impl LineStatus {
    pub fn zh(self) -> &'static str {
        match self {
            Self::Paid => "已扣款",
            Self::Declined => "未成功",
            Self::Pending => "处理中",
            Self::Refunded => "已退款",
        }
    }

    /// The English word the staff screens show (the wire's own name).
    pub fn en(self) -> &'static str {
        match self {
            Self::Paid => "paid",
            Self::Declined => "declined",
            Self::Pending => "pending",
            Self::Refunded => "refunded",
        }
    }
}

/// What kind of mismatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The bank took the money; the ledger holds no contribution for the order.
    BankPaidLedgerNot,
    /// The ledger says paid; the bank's statement does not (declined, pending, refunded, or
    /// no such order).
    LedgerPaidBankNot,
    AmountsDiffer,
    /// The bank paid; the ledger is still waiting for its answer.
    LedgerPending,
}

impl Kind {
    pub fn zh(self) -> &'static str {
        match self {
            Self::BankPaidLedgerNot => "银行已扣款、账本未入账",
            Self::LedgerPaidBankNot => "账本已缴费、银行未扣款",
            Self::AmountsDiffer => "金额不符",
            Self::LedgerPending => "银行已扣款、账本待确认",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::BankPaidLedgerNot => "bank_paid_ledger_not",
            Self::LedgerPaidBankNot => "ledger_paid_bank_not",
            Self::AmountsDiffer => "amounts_differ",
            Self::LedgerPending => "ledger_pending",
        }
    }
}

/// One mismatch between the bank's statement and the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mismatch {
    /// The statement day (`YYYY-MM-DD`, China Standard Time).
    pub day: String,
    pub kind: Kind,
    pub kind_zh: String,
    pub order_id: Uuid,
    /// The bank's word; `None` when its statement of the day does not list the order.
    pub bank_status: Option<LineStatus>,
    pub bank_amount: Option<Money>,
    /// The intent's state (`paid`, `failed`, …); `None` when the ledger has no such intent.
    pub ledger_state: Option<String>,
    pub ledger_amount: Option<Money>,
    pub name: Option<String>,
    pub town: Option<String>,
    pub village: Option<String>,
    pub year: Option<i32>,
    /// The refund case this mismatch opened (or found open) for a bank-paid order.
    pub refund_case: Option<Uuid>,
}

/// A run's answer: the days covered and their mismatches, as far as the asker may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    pub from: String,
    pub to: String,
    pub mismatches: Vec<Mismatch>,
    /// Refund cases this run opened (not those found again).
    pub opened: usize,
}

/// A refund case as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseView {
    pub id: Uuid,
    pub order_id: Uuid,
    pub amount: Money,
    pub bank_ref: Option<String>,
    pub bank_day: String,
    /// What the ledger said of the order when the case was found (`None`: no such intent).
    pub ledger_state: Option<String>,
    pub name: Option<String>,
    pub town: Option<String>,
    pub village: Option<String>,
    pub year: Option<i32>,
    /// `open`, `refunding`, `refunded` or `booked`.
    pub state: String,
    pub state_zh: String,
    pub refund_ref: Option<String>,
    pub receipt_no: Option<String>,
    pub found_at_ms: i64,
    pub resolved_at_ms: Option<i64>,
    /// Whether booking is possible at all (the ledger knows the person-year).
    pub bookable: bool,
}

impl CaseView {
    /// Still waiting for a staff member (open, or a refund whose answer is not recorded).
    pub fn is_open(&self) -> bool {
        matches!(self.state.as_str(), "open" | "refunding")
    }
}

#[cfg(test)]
mod tests {
    use super::LineStatus;

    #[test]
    fn a_statuss_english_word_is_its_wire_name() {
        for s in [
            LineStatus::Paid,
            LineStatus::Declined,
            LineStatus::Pending,
            LineStatus::Refunded,
        ] {
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.en())
            );
        }
    }
}
