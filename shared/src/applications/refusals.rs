//! Why a back payment (or one of its years) is refused: a stable code for programs, and a
//! sentence in Chinese and in English for the applicant and the town center.

use crate::json::FromJson;
use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::refusal::Reason;

/// Why a back payment (or one of its years) is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum BackRefusal {
    NotEnrolled,
    NoYears,
    TooManyYears { max: usize },
    NotPastYear { year: i32 },
    YearNotCovered { year: i32 },
    AgeOutside { year: i32, age: i32 },
    AlreadyPaid { year: i32 },
    NotATier { amount: Money },
    TierRestricted { amount: Money },
}

impl BackRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotEnrolled => "not_enrolled",
            Self::NoYears => "no_years",
            Self::TooManyYears { .. } => "too_many_years",
            Self::NotPastYear { .. } => "not_past_year",
            Self::YearNotCovered { .. } => "year_not_covered",
            Self::AgeOutside { .. } => "age_outside",
            Self::AlreadyPaid { .. } => "already_paid",
            Self::NotATier { .. } => "not_a_tier",
            Self::TierRestricted { .. } => "tier_restricted",
        }
    }

    pub fn zh(&self) -> String {
        match self {
            Self::NotEnrolled => "此人不是在缴费期的参保人员，不能补缴。".into(),
            Self::NoYears => "请至少填写一个补缴年度。".into(),
            Self::TooManyYears { max } => format!("一次最多补缴{max}个年度。"),
            Self::NotPastYear { year } => {
                format!("{year}年不是往年：只有往年可以补缴，当年请在缴费期内正常缴费。")
            }
            Self::YearNotCovered { year } => format!("{year}年不在本地缴费政策覆盖的年度内。"),
            Self::AgeOutside { year, age } => {
                format!("{year}年此人{age}周岁，不在16至59周岁的缴费年龄内。")
            }
            Self::AlreadyPaid { year } => format!("{year}年已经缴过费，不能重复缴费。"),
            Self::NotATier { amount } => format!("{amount}元不是可选的缴费档次。"),
            Self::TierRestricted { amount } => format!("{amount}元档次仅限重度残疾居民。"),
        }
    }

    pub fn en(&self) -> String {
        match self {
            Self::NotEnrolled => {
                "Not an enrolled contributor: back payment is not possible.".into()
            }
            Self::NoYears => "Name at least one year to back-pay.".into(),
            Self::TooManyYears { max } => format!("At most {max} years on one form."),
            Self::NotPastYear { year } => {
                format!("{year} is not a past year: pay it in the window as usual.")
            }
            Self::YearNotCovered { year } => format!("{year} is not covered by the local policy."),
            Self::AgeOutside { year, age } => {
                format!("Aged {age} in {year}: outside the contribution ages 16 to 59.")
            }
            Self::AlreadyPaid { year } => format!("{year} is already paid."),
            Self::NotATier { amount } => format!("{amount} yuan is not a tier."),
            Self::TierRestricted { amount } => {
                format!("The {amount} yuan tier is for the severely disabled only.")
            }
        }
    }

    /// The year a refusal is about; `None` for one about the whole form.
    pub fn year(&self) -> Option<i32> {
        match self {
            Self::NotPastYear { year }
            | Self::YearNotCovered { year }
            | Self::AgeOutside { year, .. }
            | Self::AlreadyPaid { year } => Some(*year),
            _ => None,
        }
    }

    pub fn reason(&self) -> Reason {
        Reason::new(self.code(), self.zh(), self.en())
    }
}
