//! Enrolment (参保登记) and back payment (补缴): the two flows the notice keeps at the village
//! and the town center, as forms and states both the app and the server understand, with the
//! rules that decide them (written once, so the app can warn offline and the server decides).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::eligibility::{PersonFacts, RosterStatus};
use crate::money::Money;
use crate::policy::Policy;
use crate::refusal::Reason;
use crate::tiers::TierAmount;

/// Past years one back-payment form may list; more is a typo, not a person's history.
pub const MAX_BACK_YEARS: usize = 44;

// ---- enrolment: 《居民基本养老保险参保登记表》 ----------------------------------------------

/// The form a resident, a relative or a village assistant fills in. `id` is made by the client
/// so a resubmission (a retried outbox item) is recognised, not duplicated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VillageCheck {
    pub checklist: Checklist,
    pub approve: bool,
    pub reason: Option<String>,
}

/// The town center's decision: enter the person on the roster, or return with a reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// An enrolment as its applicant and the staff of its area see it, with each step's time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolmentView {
    pub id: Uuid,
    pub name: String,
    pub id_masked: String,
    pub town: String,
    pub village: String,
    pub mobile_masked: String,
    pub severely_disabled: bool,
    pub revision: u32,
    pub state: EnrolmentState,
    pub return_reason: Option<String>,
    pub checklist: Option<Checklist>,
    #[serde(with = "time::serde::rfc3339")]
    pub submitted_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub village_checked_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub town_reviewed_at: Option<OffsetDateTime>,
}

// ---- back payment: 《补缴居民基本养老保险申请表》 -------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BackPaymentState {
    /// Waiting for the town center's eligibility check.
    Submitted,
    /// Not eligible; `refusals` say why.
    Rejected,
    /// Eligible: a payment slip (缴费单据) with its number and amount, to pay at the bank.
    SlipIssued,
    /// The bank receipt is recorded and the years are in the ledger.
    Paid,
}

impl BackPaymentState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Rejected => "rejected",
            Self::SlipIssued => "slip_issued",
            Self::Paid => "paid",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Submitted,
            Self::Rejected,
            Self::SlipIssued,
            Self::Paid,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// The town center records the Agricultural Bank receipt number the applicant brings back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackPaymentView {
    pub id: Uuid,
    pub name_masked: String,
    pub id_masked: String,
    pub town: String,
    pub village: String,
    pub years: Vec<i32>,
    pub tier: TierAmount,
    pub state: BackPaymentState,
    /// Why it was rejected, in both languages (a plain reason keeps the app's decoder small).
    pub refusals: Vec<Reason>,
    pub slip_no: Option<String>,
    pub amount: Option<Money>,
    /// Always false under the notice: back-paid years earn no contribution subsidy.
    pub earns_subsidy: bool,
    pub bank_receipt_no: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub submitted_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub reviewed_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub paid_at: Option<OffsetDateTime>,
}

/// Whether a person born on `birth` was of contribution age (16 to 59 under Wendeng's policy)
/// in `year`, counting the age reached in that year.
fn in_contribution_ages(policy: &Policy, birth: Date, year: i32) -> bool {
    let age = year - birth.year();
    age >= i32::from(policy.min_age) && age < i32::from(policy.benefit_age)
}

/// The past years a person born on `birth` could ask to back-pay: before `this_year`, covered
/// by a policy, at contribution age. Which of them are already paid only the server knows;
/// the form offers these, and the town center's check refuses a paid one.
pub fn back_payable_years<'p>(
    policy_of: impl Fn(i32) -> Option<&'p Policy>,
    birth: Date,
    this_year: i32,
) -> Vec<i32> {
    (birth.year()..this_year)
        .filter(|&year| policy_of(year).is_some_and(|p| in_contribution_ages(p, birth, year)))
        .collect()
}

/// A yes: the years (ascending) and the amount, tier × years. No subsidy unless the policy
/// says back payment earns one (Wendeng's does not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackQuote {
    pub years: Vec<i32>,
    pub amount: Money,
    pub earns_subsidy: bool,
}

/// The town center's check. `current` is the policy in force today (its tiers price the slip);
/// `policy_of(year)` is the policy that covered a past year, if any (its ages apply to it).
/// Every reason is returned at once.
pub fn check_back_payment<'p>(
    current: &Policy,
    policy_of: impl Fn(i32) -> Option<&'p Policy>,
    facts: &PersonFacts,
    years: &[i32],
    tier: TierAmount,
    this_year: i32,
) -> Result<BackQuote, Vec<BackRefusal>> {
    let mut refusals = Vec::new();
    if facts.status != RosterStatus::Enrolled {
        refusals.push(BackRefusal::NotEnrolled);
    }
    let set: BTreeSet<i32> = years.iter().copied().collect();
    if set.is_empty() {
        refusals.push(BackRefusal::NoYears);
    } else if set.len() > MAX_BACK_YEARS {
        refusals.push(BackRefusal::TooManyYears {
            max: MAX_BACK_YEARS,
        });
    }
    for &year in set.iter().take(MAX_BACK_YEARS + 1) {
        if year >= this_year {
            refusals.push(BackRefusal::NotPastYear { year });
            continue;
        }
        let Some(policy) = policy_of(year) else {
            refusals.push(BackRefusal::YearNotCovered { year });
            continue;
        };
        if !in_contribution_ages(policy, facts.birth_date, year) {
            let age = year - facts.birth_date.year();
            refusals.push(BackRefusal::AgeOutside { year, age });
        }
        if facts.paid_years.contains(&year) {
            refusals.push(BackRefusal::AlreadyPaid { year });
        }
    }
    match current.tier(tier) {
        None => refusals.push(BackRefusal::NotATier {
            amount: tier.money(),
        }),
        Some(rule) if !rule.allows(facts.severely_disabled) => {
            refusals.push(BackRefusal::TierRestricted {
                amount: tier.money(),
            })
        }
        Some(_) => {}
    }
    if !refusals.is_empty() {
        return Err(refusals);
    }
    let years: Vec<i32> = set.into_iter().collect();
    let amount = tier.money().checked_mul(years.len() as u32).map_err(|_| {
        vec![BackRefusal::TooManyYears {
            max: MAX_BACK_YEARS,
        }]
    })?;
    Ok(BackQuote {
        years,
        amount,
        earns_subsidy: current.back_payment_subsidy,
    })
}

mod refusals;
mod transitions;
pub use transitions::{BackPaymentEvent, EnrolmentEvent, NotAtThisStep};
#[cfg(test)]
mod tests;

pub use refusals::BackRefusal;
