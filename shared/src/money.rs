//! Money: exact decimal yuan in code, integer fen (分) in storage. No floats anywhere.

use std::fmt;

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
/// Read from JSON as a plain decimal string or an integer only: never a float, never an
/// exponent (`"1e3"` is not a way to write 1,000 yuan).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, pattern = r"^[0-9]+(\.[0-9]{1,2})?$", example = "500"))]
#[serde(into = "String")]
pub struct Money(Decimal);

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Plain;
        impl serde::de::Visitor<'_> for Plain {
            type Value = Money;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an amount of yuan as a decimal string such as \"500\" or an integer")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Money, E> {
                Money::parse(v).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Money, E> {
                let v = i64::try_from(v).map_err(|_| E::custom(MoneyError::TooLarge))?;
                Money::from_yuan(v).map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Money, E> {
                Money::from_yuan(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(Plain)
    }
}

/// The phone's reader (crate::json) of the same form: a decimal string or an integer.
impl crate::json::FromJson for Money {
    fn from_json(value: crate::json::Json) -> Result<Self, crate::json::JsonError> {
        use crate::json::{Json, JsonError};
        match value {
            Json::Str(text) => Money::parse(&text).map_err(JsonError::custom),
            value => {
                let text = value.into_integer_text()?;
                let yuan = text
                    .parse::<i64>()
                    .map_err(|_| JsonError::custom(MoneyError::TooLarge))?;
                Money::from_yuan(yuan).map_err(JsonError::custom)
            }
        }
    }
}

/// A hundred billion yuan: far above any contribution, far below where i64 fen overflows.
const MAX_YUAN: i64 = 100_000_000_000;

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    pub fn parse(input: &str) -> Result<Self, MoneyError> {
        let cleaned = normalise_ascii(input);
        let cleaned = cleaned.trim_end_matches('元').trim();
        // Digits with at most one point (and a sign, refused below as negative): no exponent,
        // no separators, nothing a reader could take for another number.
        let value = plain_decimal(cleaned).ok_or(MoneyError::Malformed)?;
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

/// A decimal as amounts and rates are written: digits with at most one point, digits on both
/// sides of it, an optional leading minus; no exponent, `+`, separator or space. Built from its
/// digits: rust_decimal's own parser, with its exponents and rounding, would be code on every
/// phone for forms nobody writes. `None` when malformed, or when it has more than the 28
/// significant digits a `Decimal` holds (refused, not rounded).
pub fn plain_decimal(text: &str) -> Option<Decimal> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((_, "")) => return None,
        Some(parts) => parts,
        None => (unsigned, ""),
    };
    let significant = whole.trim_start_matches('0').len() + fraction.len();
    // Counting the fraction's digits, so the scale is at most 28 too.
    if whole.is_empty() || significant > 28 {
        return None;
    }
    let mut mantissa: i128 = 0;
    for b in whole.bytes().chain(fraction.bytes()) {
        if !b.is_ascii_digit() {
            return None;
        }
        mantissa = mantissa * 10 + i128::from(b - b'0');
    }
    if negative {
        mantissa = -mantissa;
    }
    // At most 28 digits: below 2^96, so this never fails.
    Decimal::try_from_i128_with_scale(mantissa, fraction.len() as u32).ok()
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
    use std::str::FromStr;

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn exponents_floats_and_stray_characters_are_not_amounts() {
        for text in [
            "1e3", "5E2", "1_000", "0x1F4", "500.", ".5", "+500", "5 00", "NaN",
        ] {
            assert_eq!(Money::parse(text), Err(MoneyError::Malformed), "{text}");
        }
        assert!(serde_json::from_str::<Money>("\"1e3\"").is_err());
        assert!(serde_json::from_str::<Money>("1e3").is_err());
        assert!(serde_json::from_str::<Money>("500.0").is_err());
        assert_eq!(
            serde_json::from_str::<Money>("500").unwrap(),
            Money::from_yuan(500).unwrap()
        );
        assert_eq!(
            serde_json::from_str::<Money>("\"12.50\"").unwrap(),
            Money::parse("12.5").unwrap()
        );
        assert_eq!(Money::parse("-500"), Err(MoneyError::Negative));
    }

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

    #[test]
    fn a_plain_decimal_is_digits_and_one_point_and_nothing_else() {
        for text in [
            "", "-", ".", "5.", ".5", "+5", "1e3", "1E3", "1_0", " 1", "1 ", "1.2.3", "--1", "0x1",
            "١", "NaN", "inf",
        ] {
            assert_eq!(plain_decimal(text), None, "{text:?}");
        }
        assert_eq!(plain_decimal("0.08"), Some(Decimal::new(8, 2)));
        assert_eq!(plain_decimal("-12.50"), Some(Decimal::new(-1250, 2)));
        assert_eq!(plain_decimal("0007"), Some(Decimal::from(7)));
        // 28 significant digits fit; a 29th is refused, never rounded away.
        assert!(plain_decimal(&"9".repeat(28)).is_some());
        assert_eq!(plain_decimal(&"9".repeat(29)), None);
        assert_eq!(plain_decimal(&format!("1.{}1", "0".repeat(28))), None);
        assert_eq!(
            Money::parse(&format!("1.{}1", "0".repeat(28))),
            Err(MoneyError::Malformed)
        );
    }

    proptest! {
        /// The same value rust_decimal's parser gives, scale included, for every plain form.
        #[test]
        fn a_plain_decimal_reads_as_rust_decimal_reads_it(
            negative in any::<bool>(),
            whole in "[0-9]{1,14}",
            fraction in proptest::option::of("[0-9]{1,14}"),
        ) {
            let text = format!(
                "{}{whole}{}",
                if negative { "-" } else { "" },
                fraction.map(|f| format!(".{f}")).unwrap_or_default()
            );
            let ours = plain_decimal(&text).unwrap();
            let theirs = Decimal::from_str(&text).unwrap();
            prop_assert_eq!(ours, theirs);
            prop_assert_eq!(ours.scale(), theirs.scale());
        }

        #[test]
        fn fen_round_trips_exactly(fen in 0i64..=MAX_YUAN * 100) {
            prop_assert_eq!(Money::from_fen(fen).unwrap().to_fen(), fen);
        }
    }
}
