//! Enrolment (参保登记) and back payment (补缴): the two flows the notice keeps at the village
//! and the town center, as forms and states both the app and the server understand, with the
//! rules that decide them (written once, so the app can warn offline and the server decides).

use crate::json::FromJson;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::money::Money;
use crate::policy::Policy;
use crate::refusal::Reason;
use crate::tiers::TierAmount;

/// Past years one back-payment form may list; more is a typo, not a person's history.
pub const MAX_BACK_YEARS: usize = 44;

// ---- enrolment: 《居民基本养老保险参保登记表》 ----------------------------------------------

/// The form a resident, a relative or a village assistant fills in. `id` is made by the client
/// so a resubmission (a retried outbox item) is recognised, not duplicated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EnrolmentForm {
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$",
            example = "3c2b1a09-8f7e-4d6c-b5a4-932817161514"
        )
    )]
    pub id: Uuid,
    #[cfg_attr(feature = "openapi", schema(example = "刘伟"))]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(example = "371003197906110069"))]
    pub id_number: String,
    /// Town (镇街) and village (村居) of household registration: they decide who checks it.
    #[cfg_attr(feature = "openapi", schema(example = "文登营镇"))]
    pub town: String,
    #[cfg_attr(feature = "openapi", schema(example = "营南村"))]
    pub village: String,
    #[cfg_attr(feature = "openapi", schema(example = "13800138000"))]
    pub mobile: String,
    /// Claimed here, proven by the village's material check, and only then on the roster.
    pub severely_disabled: bool,
    /// 0 when first sent; each fix after a return counts up. A fix may change no field (the
    /// papers were the problem), so this is how the server tells it from a late retry.
    #[serde(default)]
    pub revision: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EnrolmentState {
    /// Waiting for the village assistant's material check.
    Submitted,
    /// Sent back (by the village or the town) with a reason; the applicant may fix and resubmit.
    Returned,
    /// Checked, signed and stamped by the village; waiting for the town center.
    VillageApproved,
    /// Entered by the town center: the person is on the roster and can pay.
    Enrolled,
}

impl EnrolmentState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Returned => "returned",
            Self::VillageApproved => "village_approved",
            Self::Enrolled => "enrolled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Submitted,
            Self::Returned,
            Self::VillageApproved,
            Self::Enrolled,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// The materials the village assistant has seen (originals and copies).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Checklist {
    /// 户口簿
    pub household_register: bool,
    /// 居民身份证
    pub id_card: bool,
    /// 残疾证明 (needed only when severe disability is claimed)
    pub disability_proof: bool,
}

impl Checklist {
    /// What is still missing, in Chinese, for a form claiming `severely_disabled` or not.
    pub fn missing(&self, severely_disabled: bool) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if !self.household_register {
            missing.push("户口簿");
        }
        if !self.id_card {
            missing.push("身份证");
        }
        if severely_disabled && !self.disability_proof {
            missing.push("重度残疾证明");
        }
        missing
    }
}

/// The village assistant's decision: approve (every material seen) or return with a reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VillageCheck {
    pub checklist: Checklist,
    pub approve: bool,
    pub reason: Option<String>,
}

/// The town center's decision: enter the person on the roster, or return with a reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TownReview {
    pub approve: bool,
    pub reason: Option<String>,
}

/// Why someone cannot enrol yet: under the policy's minimum age (16) on `today`. (Benefit
/// age is left to the town center: an older resident may still enrol to draw a pension.)
pub fn enrolment_too_young(policy: &Policy, birth: Date, today: Date) -> Option<String> {
    let age = crate::id_number::age_on(birth, today);
    (age < i32::from(policy.min_age))
        .then(|| format!("此人{age}周岁，年满{}周岁才能参保登记。", policy.min_age))
}

/// A return reason: trimmed, 2 to 200 characters, so the applicant learns what to fix.
pub fn return_reason(reason: Option<&str>) -> Option<String> {
    let reason = reason?.trim();
    let n = reason.chars().count();
    (2..=200).contains(&n).then(|| reason.to_owned())
}

/// A town or village name: trimmed, 2 to 30 characters, no control characters.
pub fn place_name(input: &str) -> Option<String> {
    let name = input.trim();
    let n = name.chars().count();
    ((2..=30).contains(&n) && !name.chars().any(char::is_control)).then(|| name.to_owned())
}

/// The full name and ID number of an application's person: sent only to the staff who must
/// compare them with the papers in hand (the village assistant of the person's village, the
/// town center of their town), never kept on a phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonIdentity {
    #[cfg_attr(feature = "openapi", schema(example = "刘伟"))]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(example = "371003197906110069"))]
    pub id_number: String,
}

/// An enrolment as its applicant and the staff of its area see it, with each step's time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolmentView {
    pub id: Uuid,
    pub name_masked: String,
    pub id_masked: String,
    /// Only for the reviewers of the person's own village or town; absent for everyone else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full: Option<PersonIdentity>,
    pub town: String,
    pub village: String,
    pub mobile_masked: String,
    pub severely_disabled: bool,
    pub revision: u32,
    pub state: EnrolmentState,
    pub return_reason: Option<String>,
    pub checklist: Option<Checklist>,
    #[serde(with = "crate::timetext::rfc3339")]
    pub submitted_at: OffsetDateTime,
    #[serde(with = "crate::timetext::rfc3339::option")]
    pub village_checked_at: Option<OffsetDateTime>,
    #[serde(with = "crate::timetext::rfc3339::option")]
    pub town_reviewed_at: Option<OffsetDateTime>,
}

// ---- back payment: 《补缴居民基本养老保险申请表》 -------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BackPaymentForm {
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$",
            example = "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"
        )
    )]
    pub id: Uuid,
    #[cfg_attr(feature = "openapi", schema(example = "刘伟"))]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(example = "371003197906110069"))]
    pub id_number: String,
    #[cfg_attr(feature = "openapi", schema(example = json!([2021])))]
    pub years: Vec<i32>,
    pub tier: TierAmount,
    /// 0 when first sent; each fix after the town returned it counts up (as on enrolment).
    #[serde(default)]
    pub revision: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BackPaymentState {
    /// Waiting for the town center's eligibility check.
    Submitted,
    /// Sent back by the town center (`refusals` and `return_reason` say why); the applicant
    /// may fix it and send it again. Once stored as `rejected`, when a refusal was final.
    #[serde(alias = "rejected")]
    Returned,
    /// Eligible: a payment slip (缴费单据) with its number and amount, to pay at the bank.
    SlipIssued,
    /// The bank receipt is recorded and the years are in the ledger.
    Paid,
}

impl BackPaymentState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Returned => "returned",
            Self::SlipIssued => "slip_issued",
            Self::Paid => "paid",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Submitted,
            Self::Returned,
            Self::SlipIssued,
            Self::Paid,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// The town center records the Agricultural Bank receipt number the applicant brings back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BankReceipt {
    pub bank_receipt_no: String,
}

/// A bank receipt number: 6 to 32 letters or digits (upper-cased), as printed.
pub fn bank_receipt_no(input: &str) -> Option<String> {
    let no = input.trim().to_ascii_uppercase();
    ((6..=32).contains(&no.len()) && no.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(no)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackPaymentView {
    pub id: Uuid,
    pub name_masked: String,
    pub id_masked: String,
    /// Only for the town center of the person's town, which checks it; absent for everyone
    /// else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full: Option<PersonIdentity>,
    pub town: String,
    pub village: String,
    /// The years asked for.
    pub years: Vec<i32>,
    pub tier: TierAmount,
    pub state: BackPaymentState,
    #[serde(default)]
    pub revision: u32,
    /// The years the slip covers (empty until a slip is issued): those of `years` that passed.
    #[serde(default)]
    pub slip_years: Vec<i32>,
    /// With a slip: why each year left off it was left off. With a return: every reason the
    /// check found. In both languages (a plain reason keeps the app's decoder small).
    pub refusals: Vec<Reason>,
    /// The town center's own words when it returned the form.
    #[serde(default)]
    pub return_reason: Option<String>,
    pub slip_no: Option<String>,
    pub amount: Option<Money>,
    /// Always false under the notice: back-paid years earn no contribution subsidy.
    pub earns_subsidy: bool,
    pub bank_receipt_no: Option<String>,
    #[serde(with = "crate::timetext::rfc3339")]
    pub submitted_at: OffsetDateTime,
    #[serde(with = "crate::timetext::rfc3339::option")]
    pub reviewed_at: Option<OffsetDateTime>,
    #[serde(with = "crate::timetext::rfc3339::option")]
    pub paid_at: Option<OffsetDateTime>,
}

/// One year of the town center's check: payable when `refusals` is empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearCheck {
    pub year: i32,
    pub refusals: Vec<Reason>,
}

/// The check the town center sees before deciding: each year's result, the reasons against
/// the whole form, and what a slip for the payable years would come to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackPaymentCheck {
    pub years: Vec<YearCheck>,
    /// Reasons against the whole form (not enrolled, the tier): no slip is possible.
    pub general: Vec<Reason>,
    pub payable_years: Vec<i32>,
    /// tier × payable years; absent when nothing is payable.
    pub amount: Option<Money>,
    pub earns_subsidy: bool,
}

impl BackPaymentCheck {
    pub fn of(check: &BackCheck) -> Self {
        let quote = check.quote();
        Self {
            years: check
                .years
                .iter()
                .map(|(year, why)| YearCheck {
                    year: *year,
                    refusals: why.iter().map(BackRefusal::reason).collect(),
                })
                .collect(),
            general: check.general.iter().map(BackRefusal::reason).collect(),
            payable_years: check.payable_years(),
            amount: quote.as_ref().map(|q| q.amount),
            earns_subsidy: quote.is_some_and(|q| q.earns_subsidy),
        }
    }
}

/// The town center's decision after the check: a slip for the payable years it was shown
/// (refused if the check has changed since), or the form back to the applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "decision", rename_all = "snake_case", deny_unknown_fields)]
pub enum BackPaymentDecision {
    Slip {
        #[cfg_attr(feature = "openapi", schema(example = json!([2021])))]
        years: Vec<i32>,
    },
    Return {
        reason: Option<String>,
    },
}

mod check;
mod refusals;
mod transitions;
pub use check::{back_payable_years, check_back_years, BackCheck, BackQuote};
pub use transitions::{BackPaymentEvent, EnrolmentEvent, NotAtThisStep};
#[cfg(test)]
mod tests;

pub use refusals::BackRefusal;
