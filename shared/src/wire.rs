//! The JSON the app and the server exchange under `/api/v1`. Versioned: every sync carries
//! [`WIRE_VERSION`], and a server refuses a version it does not speak with a clear code instead
//! of guessing. Unknown fields are refused so a typo never silently drops data.

use crate::json::FromJson;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::eligibility::RosterStatus;
use crate::money::Money;
use crate::policy::Policy;
use crate::refusal::Reason;
use crate::tiers::{TierAmount, TierRule};
use crate::window::WindowState;

pub const WIRE_VERSION: u32 = 1;

/// Whether an id can have been made by a client as the wire asks: a random (version 4) UUID.
/// The nil UUID, or one a program counts up, is refused before anything is stored: ids are
/// idempotency keys, and a guessable one lets two clients collide.
pub fn is_client_made(id: Uuid) -> bool {
    id.get_version_num() == 4 && id.get_variant() == uuid::Variant::RFC4122
}

/// Every error answer: a stable code for programs and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}

// ---- accounts -------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    #[cfg_attr(feature = "openapi", schema(example = "13800138000"))]
    pub mobile: String,
    #[cfg_attr(feature = "openapi", schema(example = "yanglao2026"))]
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    pub token: String,
    pub account_id: Uuid,
    pub mobile_masked: String,
    #[serde(with = "crate::timetext::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// The first step of claiming one's own roster record: name and ID number. When they match a
/// record with a mobile number, a one-time code goes to that number ([`ClaimStarted`]); the
/// second step proves it ([`ClaimConfirm`]).
#[derive(Debug, Clone, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ClaimRequest {
    #[cfg_attr(feature = "openapi", schema(example = "于晓东"))]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(example = "371081196803140024"))]
    pub id_number: String,
}

/// A code was sent: to which number (masked, `138****5678`) and until when it is good. Nothing
/// of the record is shown before the code is proven.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClaimStarted {
    pub mobile_masked: String,
    #[serde(with = "crate::timetext::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// The second step: the six-digit code the roster's mobile number received.
#[derive(Debug, Clone, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ClaimConfirm {
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Account {
    pub account_id: Uuid,
    pub mobile_masked: String,
    pub own_record: Option<OwnRecord>,
    /// Set for village assistants, town-center staff and administrators.
    #[serde(default)]
    pub staff: Option<StaffInfo>,
}

/// The staff roles of the notice's division of labour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// 村居协办员: one village.
    Village,
    /// 镇办社会保障服务中心: one town.
    Town,
    Admin,
}

impl StaffRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Village => "village",
            Self::Town => "town",
            Self::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "village" => Some(Self::Village),
            "town" => Some(Self::Town),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffInfo {
    pub role: StaffRole,
    pub town: Option<String>,
    pub village: Option<String>,
}

// ---- staff views of the window ---------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TierTotal {
    pub amount_fen: i64,
    pub amount: String,
    pub count: i64,
    pub sum_fen: i64,
}

/// `GET /api/v1/staff/stats`. Counts are over enrolled residents: `paid + charging + unpaid ==
/// enrolled`, and the tiers add up to `paid`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WindowStats {
    pub year: i32,
    pub town: Option<String>,
    pub village: Option<String>,
    pub enrolled: i64,
    pub paid: i64,
    /// Being charged right now (the bank has not answered yet).
    pub charging: i64,
    pub unpaid: i64,
    pub paid_fen: i64,
    pub tiers: Vec<TierTotal>,
    /// Days left in `year`'s window by the server's clock (0 when it is not open).
    pub days_left: u32,
    pub window: WindowState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnpaidPerson {
    pub name: String,
    pub id_masked: String,
    pub town: String,
    pub village: String,
}

/// `GET /api/v1/staff/unpaid`: one page of the list to follow up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnpaidPage {
    pub year: i32,
    pub total: i64,
    pub offset: i64,
    pub people: Vec<UnpaidPerson>,
}

/// What a person sees of their *own* roster record, after claiming it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OwnRecord {
    pub name: String,
    pub id_masked: String,
    pub town: String,
    pub village: String,
    pub status: RosterStatus,
    pub severely_disabled: bool,
    pub years_paid_total: u32,
    pub min_years_for_pension: u8,
    pub contributions: Vec<Contribution>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contribution {
    pub year: i32,
    pub amount: Money,
    /// Back-paid (补缴) years earn no government subsidy.
    pub back_payment: bool,
    /// Only for a payment this account made; never the receipt of another payer's payment.
    pub receipt_no: Option<String>,
    /// Paid through another account (a relative's app, or their back payment): the year and
    /// the amount are shown, the receipt number is theirs and is not.
    #[serde(default)]
    pub paid_by_other: bool,
}

// ---- the people a payer pays for ------------------------------------------------------------

/// Add a person to "the people I pay for". The id is made by the client so an add made offline
/// can be sent again without creating a second entry. Strings, not parsed types, so one bad
/// entry in a sync batch gets its own answer instead of failing the whole batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPayee {
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$",
            example = "0b6f1c1e-5a4e-4b7f-9c3d-2a1e8f6d4c21"
        )
    )]
    pub id: Uuid,
    #[cfg_attr(feature = "openapi", schema(example = "刘伟"))]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(example = "371003197906110069"))]
    pub id_number: String,
}

/// Only what paying needs: masked name and ID, whether the person can pay, whether this year is
/// paid (by anyone), and which tiers they may choose. Never amounts, history or other payers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayeeView {
    pub id: Uuid,
    pub name_masked: String,
    pub id_masked: String,
    pub check: PayeeCheck,
    /// Set when the payer removed the person: the client drops it from its list.
    pub removed: bool,
    /// This account's own label for the person (妈妈, 二叔), if it gave one: only ever in the
    /// answers to the account that wrote it, never to another payer of the same person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "二叔"))]
    pub label: Option<crate::PayeeLabel>,
}

/// `PUT /payees/{id}/label`: give a person a label of this account's own, or take it away
/// (`label: null`). `id` is the client's random id of this one change, its idempotency key:
/// the same change sent again is answered without being applied twice, so a late retry never
/// undoes a newer label set from the payer's other phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LabelChange {
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$",
            example = "5d3c2b1a-0f9e-4d8c-b7a6-958473625140"
        )
    )]
    pub id: Uuid,
    /// Trimmed, 1 to 10 characters (`shared::payee_label`); a string, not the parsed type,
    /// so a bad one gets the rule's own code and sentence.
    #[cfg_attr(feature = "openapi", schema(example = "二叔"))]
    pub label: Option<String>,
}

// Read by a flat reader (crate::tagged) with serde, by the FromJson derive on the phone;
// written by the derive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PayeeCheck {
    /// Added on the phone, not yet confirmed by the server (待核验). Client-side only.
    Unverified,
    /// Name and ID match no roster record (or the input is invalid): the reason says what to do.
    NoMatch { reason: Reason },
    Verified {
        status: RosterStatus,
        year: i32,
        paid_this_year: bool,
        tiers: Vec<TierRule>,
        /// Why this person cannot pay this year (not enrolled, at benefit age, ...), if so.
        blocked: Option<Reason>,
        /// What the pension estimate (养老金测算) needs: birth year, years on record and
        /// years that could be back-paid, from the roster; only to the account paying for them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        contributor: Option<crate::pension::Contributor>,
    },
}

// ---- cards ---------------------------------------------------------------------------------

/// The card number goes to the payment gateway only; nothing keeps it.
#[derive(Debug, Clone, Deserialize, Serialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BindCard {
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$",
            example = "5d0c9a7e-3f21-4c6b-8e4d-7a9b1c2d3e4f"
        )
    )]
    pub id: Uuid,
    #[cfg_attr(feature = "openapi", schema(example = "6222020000123456782"))]
    pub card_number: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentMethod {
    pub id: Uuid,
    pub bank: String,
    pub last_four: String,
    /// True while payments go to the sandbox gateway: no real money moves.
    pub sandbox: bool,
    pub removed: bool,
}

// ---- payment intents and sync --------------------------------------------------------------

/// A payment prepared on the phone. `id` is the idempotency key: the same intent sent again
/// returns the same answer and is never charged twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PaymentIntent {
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$",
            example = "9e8d7c6b-5a49-4f3e-a2d1-c0b9a8f7e6d5"
        )
    )]
    pub id: Uuid,
    #[cfg_attr(
        feature = "openapi",
        schema(example = "0b6f1c1e-5a4e-4b7f-9c3d-2a1e8f6d4c21")
    )]
    pub payee_id: Uuid,
    #[cfg_attr(feature = "openapi", schema(example = 2027))]
    pub year: i32,
    pub tier: TierAmount,
    pub method_id: Option<Uuid>,
    /// The phone's clock when the payment was prepared: shown, never trusted.
    #[serde(with = "crate::timetext::rfc3339")]
    pub prepared_at: OffsetDateTime,
}

/// The honest state of a payment (待提交 / 已提交待确认 / 已缴费 / 未成功 / 无需缴费).
// Read by a flat reader (crate::tagged) with serde, by the FromJson derive on the phone;
// written by the derive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum IntentState {
    /// 待提交: stored on the phone, not yet sent. Client-side only.
    Queued,
    /// 已提交待确认: the server has it; the bank's answer is not in yet.
    Submitted,
    /// Needs a usable card before it can be charged; the client can attach one and send again.
    AwaitingPayment { reason: Reason },
    /// 已缴费, with the receipt.
    Paid {
        receipt_no: String,
        amount: Money,
        #[serde(with = "crate::timetext::rfc3339")]
        paid_at: OffsetDateTime,
    },
    /// 未成功, with the reason (refused by the rules, declined by the bank, ...).
    Failed { reason: Reason },
    /// 无需缴费: someone else already paid this person-year; nothing was charged.
    NotNeeded { reason: Reason },
}

impl IntentState {
    /// True once nothing more will happen to the intent.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Paid { .. } | Self::Failed { .. } | Self::NotNeeded { .. }
        )
    }

    pub fn label_zh(&self) -> &'static str {
        match self {
            Self::Queued => "待提交",
            Self::Submitted => "已提交待确认",
            Self::AwaitingPayment { .. } => "待选择银行卡",
            Self::Paid { .. } => "已缴费",
            Self::Failed { .. } => "未成功",
            Self::NotNeeded { .. } => "无需缴费",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntentResult {
    pub id: Uuid,
    pub payee_id: Uuid,
    pub year: i32,
    pub tier: TierAmount,
    pub state: IntentState,
}

/// One round trip: push what the phone prepared, pull what changed since `cursor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SyncRequest {
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1, example = 1))]
    pub version: u32,
    /// The cursor of the last response this client applied; `None` on first sync.
    pub cursor: Option<i64>,
    #[serde(default)]
    pub payees: Vec<NewPayee>,
    #[serde(default)]
    pub intents: Vec<PaymentIntent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncResponse {
    pub version: u32,
    pub cursor: i64,
    #[serde(with = "crate::timetext::rfc3339")]
    pub server_time: OffsetDateTime,
    pub window: WindowState,
    /// People added in this request, and every person whose view changed since the cursor.
    pub payees: Vec<PayeeView>,
    /// Intents sent in this request (in order), then any other of this account's intents that
    /// changed since the cursor.
    pub intents: Vec<IntentResult>,
    pub methods: Vec<PaymentMethod>,
    /// How much the next `POST /sync` may carry; `None` from a server that does not say.
    #[serde(default)]
    pub sync_limits: Option<SyncLimits>,
    /// The number of the policy version in force for this year: a phone holding another one
    /// fetches `GET /policy` (`None` from a server before versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_version: Option<u32>,
}

/// The most one `POST /sync` may push: a request with more people or more intents is refused
/// whole (`batch_too_large`), so a client sends a longer list in several rounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncLimits {
    pub max_payees: u32,
    pub max_intents: u32,
}

impl SyncLimits {
    /// What every server took before it said so (100 people, 200 intents): what a client
    /// assumes until it has heard otherwise.
    pub const ASSUMED: Self = Self {
        max_payees: 100,
        max_intents: 200,
    };
}

/// A town (镇街) and its villages (村居) as the roster and the staff know them
/// (`GET /api/v1/places`): what the enrolment form offers, so a form reaches a village.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Place {
    pub town: String,
    pub villages: Vec<String>,
}

/// `GET /api/v1/policy`: the rules in force and where the window stands, by the server's clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyInfo {
    pub policy: Policy,
    #[serde(with = "crate::timetext::rfc3339")]
    pub server_time: OffsetDateTime,
    pub window: WindowState,
    /// The limits of `POST /sync`, so a phone can cut its first push to fit.
    #[serde(default)]
    pub sync_limits: Option<SyncLimits>,
    /// Which version of the policy this is (`None` from a server before versions).
    #[serde(default)]
    pub version: Option<crate::policy::PolicyVersion>,
    /// How a phone names it: "2026年政策（第2版，部分数字待确认）".
    #[serde(default)]
    pub label: Option<String>,
}

/// `GET /api/v1/receipts/{number}`: public verification of a receipt, nothing personal beyond a
/// masked name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiptCheck {
    pub receipt_no: String,
    pub name_masked: String,
    pub year: i32,
    pub amount: Money,
    #[serde(with = "crate::timetext::rfc3339")]
    pub paid_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn intents_round_trip_and_refuse_unknown_fields() {
        let intent = PaymentIntent {
            id: Uuid::from_u128(1),
            payee_id: Uuid::from_u128(2),
            year: 2026,
            tier: TierAmount::parse("1500").unwrap(),
            method_id: None,
            prepared_at: datetime!(2026-04-30 23:59 +8),
        };
        let json = serde_json::to_value(&intent).unwrap();
        assert_eq!(json["tier"], "1500");
        assert_eq!(json["prepared_at"], "2026-04-30T23:59:00+08:00");
        assert_eq!(
            serde_json::from_value::<PaymentIntent>(json.clone()).unwrap(),
            intent
        );
        let mut extra = json;
        extra["amount"] = "1".into();
        assert!(serde_json::from_value::<PaymentIntent>(extra).is_err());
    }

    #[test]
    fn an_answer_without_sync_limits_still_decodes() {
        let info: PolicyInfo = serde_json::from_value(serde_json::json!({
            "policy": crate::policy::PolicyTable::builtin().policies[0],
            "server_time": "2027-03-01T09:00:00+08:00",
            "window": {"state": "closed", "year": 2026, "opens": "2026-01-01", "closes": "2026-04-30"},
        }))
        .unwrap();
        assert_eq!(info.sync_limits, None);
    }

    #[test]
    fn states_are_tagged_for_the_client() {
        let state = IntentState::NotNeeded {
            reason: Reason::new("paid_by_other", "x", "x"),
        };
        assert_eq!(serde_json::to_value(&state).unwrap()["state"], "not_needed");
        assert!(state.is_final());
        assert!(!IntentState::Submitted.is_final());
        assert_eq!(IntentState::Submitted.label_zh(), "已提交待确认");
    }
}
