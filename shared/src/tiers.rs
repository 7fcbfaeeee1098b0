//! Contribution tiers (缴费档次): a fixed list of whole-yuan amounts per year, some of them
//! restricted to certain people (Wendeng 2018: 300 yuan for the severely disabled only).

use crate::json::FromJson;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::money::{Money, MoneyError};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TierError {
    #[error("缴费档次应为整数元，例如 500 或 1000")]
    NotWholeYuan,
    #[error("缴费档次必须大于零")]
    Zero,
    #[error("{0}")]
    Money(#[from] MoneyError),
}

impl TierError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotWholeYuan => "tier_not_whole_yuan",
            Self::Zero => "tier_zero",
            Self::Money(e) => e.code(),
        }
    }
}

/// A yearly amount that *could* be a tier: positive and whole yuan. Whether it is one of this
/// year's tiers, and whether this person may choose it, is the policy's and the decision's call.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, FromJson,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, pattern = r"^[0-9]+(\.[0-9]{1,2})?$", example = "500"))]
#[serde(try_from = "Money", into = "Money")]
pub struct TierAmount(Money);

impl TierAmount {
    pub fn parse(input: &str) -> Result<Self, TierError> {
        Self::try_from(Money::parse(input)?)
    }

    pub fn money(self) -> Money {
        self.0
    }
}

impl TryFrom<Money> for TierAmount {
    type Error = TierError;
    fn try_from(money: Money) -> Result<Self, Self::Error> {
        if money == Money::ZERO {
            return Err(TierError::Zero);
        }
        if !money.is_whole_yuan() {
            return Err(TierError::NotWholeYuan);
        }
        Ok(Self(money))
    }
}

impl From<TierAmount> for Money {
    fn from(t: TierAmount) -> Self {
        t.0
    }
}

impl std::fmt::Display for TierAmount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Who may choose a tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TierRestriction {
    /// 仅限重度残疾居民: disability grade 1 or 2, as recorded on the roster at enrolment.
    SeverelyDisabledOnly,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TierRule {
    pub amount: TierAmount,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restriction: Option<TierRestriction>,
}

impl TierRule {
    pub fn allows(&self, severely_disabled: bool) -> bool {
        match self.restriction {
            None => true,
            Some(TierRestriction::SeverelyDisabledOnly) => severely_disabled,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tier_amounts_parse_from_decimal_strings() {
        assert_eq!(TierAmount::parse("5000").unwrap().to_string(), "5000");
        assert_eq!(TierAmount::parse("5000.00").unwrap().to_string(), "5000");
        assert_eq!(
            TierAmount::parse("500.5").unwrap_err(),
            TierError::NotWholeYuan
        );
        assert_eq!(
            TierAmount::parse("-500").unwrap_err(),
            TierError::Money(MoneyError::Negative)
        );
        assert_eq!(TierAmount::parse("0").unwrap_err(), TierError::Zero);
        assert!(TierAmount::parse("五百").is_err());
    }

    #[test]
    fn restricted_tier_allows_only_the_severely_disabled() {
        let rule = TierRule {
            amount: TierAmount::parse("300").unwrap(),
            restriction: Some(TierRestriction::SeverelyDisabledOnly),
        };
        assert!(rule.allows(true));
        assert!(!rule.allows(false));
    }
}
