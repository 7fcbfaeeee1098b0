//! Money: exact decimal yuan in code, integer fen (分) in storage. No floats anywhere.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::text::normalise_ascii;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MoneyError {
    #[error("金额格式不正确")]
    Malformed,
    #[error("金额不能为负数")]
    Negative,
    #[error("金额最多精确到分（两位小数）")]
    TooPrecise,
    #[error("金额过大")]
    TooLarge,
}

impl MoneyError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed => "money_malformed",
            Self::Negative => "money_negative",
            Self::TooPrecise => "money_precision",
            Self::TooLarge => "money_too_large",
        }
    }
}

/// A non-negative amount of yuan with at most two decimal places, so that it is always a whole
/// number of fen. Serialized as a decimal string ("5000", "12.5") so no JSON reader turns it into
/// a float.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "Decimal", into = "String")]
pub struct Money(Decimal);

/// A hundred billion yuan: far above any contribution, far below where i64 fen overflows.
const MAX_YUAN: i64 = 100_000_000_000;

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    pub fn parse(input: &str) -> Result<Self, MoneyError> {
        let cleaned = normalise_ascii(input);
        let cleaned = cleaned.trim_end_matches('元').trim();
        let value = Decimal::from_str(cleaned).map_err(|_| MoneyError::Malformed)?;
        Self::try_from(value)
    }

    pub fn from_yuan(yuan: i64) -> Result<Self, MoneyError> {
        Self::try_from(Decimal::from(yuan))
    }

    pub fn from_fen(fen: i64) -> Result<Self, MoneyError> {
        Self::try_from(Decimal::new(fen, 2))
    }

    /// Exact, because construction guarantees at most two decimal places and a bounded size.
    pub fn to_fen(self) -> i64 {
        let fen = (self.0 * Decimal::ONE_HUNDRED).trunc();
        i64::try_from(fen).expect("bounded on construction")
    }

    pub fn yuan(self) -> Decimal {
        self.0
    }

    pub fn is_whole_yuan(self) -> bool {
        self.0.fract().is_zero()
    }

    pub fn checked_mul(self, times: u32) -> Result<Self, MoneyError> {
        let product = self
            .0
            .checked_mul(Decimal::from(times))
            .ok_or(MoneyError::TooLarge)?;
        Self::try_from(product)
    }

    pub fn checked_add(self, other: Money) -> Result<Self, MoneyError> {
        let sum = self.0.checked_add(other.0).ok_or(MoneyError::TooLarge)?;
        Self::try_from(sum)
    }
}

impl TryFrom<Decimal> for Money {
    type Error = MoneyError;
    fn try_from(value: Decimal) -> Result<Self, Self::Error> {
        if value.is_sign_negative() && !value.is_zero() {
            return Err(MoneyError::Negative);
        }
        let normalised = value.normalize();
        if normalised.scale() > 2 {
            return Err(MoneyError::TooPrecise);
        }
        if normalised > Decimal::from(MAX_YUAN) {
            return Err(MoneyError::TooLarge);
        }
        Ok(Self(normalised))
    }
}

impl fmt::Display for Money {
    /// Plain yuan without trailing zeros: "5000", "12.5". Screens add 元 or ¥ themselves.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.normalize())
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}元", self.0.normalize())
    }
}

impl From<Money> for String {
    fn from(m: Money) -> Self {
        m.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_exact_amounts() {
        assert_eq!(Money::parse("5000").unwrap().to_fen(), 500_000);
        assert_eq!(Money::parse("5000.00元").unwrap().to_fen(), 500_000);
        assert_eq!(Money::parse("0.1").unwrap().to_fen(), 10);
        assert_eq!(Money::parse("１２.５").unwrap().to_string(), "12.5");
    }

    #[test]
    fn refuses_what_is_not_an_amount_of_fen() {
        assert_eq!(Money::parse("abc").unwrap_err(), MoneyError::Malformed);
        assert_eq!(Money::parse("-1").unwrap_err(), MoneyError::Negative);
        assert_eq!(Money::parse("0.001").unwrap_err(), MoneyError::TooPrecise);
        assert_eq!(Money::parse("1e30").unwrap_err(), MoneyError::Malformed);
        assert_eq!(
            Money::parse("100000000001").unwrap_err(),
            MoneyError::TooLarge
        );
    }

    #[test]
    fn json_is_a_string_and_reads_numbers_too() {
        let m = Money::parse("1500").unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"1500\"");
        assert_eq!(serde_json::from_str::<Money>("1500").unwrap(), m);
        assert_eq!(serde_json::from_str::<Money>("\"1500.00\"").unwrap(), m);
        assert!(serde_json::from_str::<Money>("\"-5\"").is_err());
    }

    proptest! {
        #[test]
        fn fen_round_trips_exactly(fen in 0i64..=MAX_YUAN * 100) {
            prop_assert_eq!(Money::from_fen(fen).unwrap().to_fen(), fen);
        }
    }
}
