//! UnionPay (银联) card numbers: 16 to 19 digits with a Luhn check digit. The full number only
//! ever passes through memory on its way to the payment gateway; everything that is kept holds
//! the gateway's token and [`CardNumber::last_four`].

use std::fmt;

use crate::json::FromJson;
use serde::Deserialize;
use thiserror::Error;

use crate::text::{normalise_ascii, strip_separators};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CardError {
    #[error("银行卡号只能包含数字")]
    BadCharacter,
    #[error("银行卡号应为16到19位")]
    Length,
    #[error("银行卡号有误，请逐位核对")]
    Checksum,
}

impl CardError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadCharacter => "card_character",
            Self::Length => "card_length",
            Self::Checksum => "card_checksum",
        }
    }
}

/// A card number that passed the checks. Deliberately not `Serialize`: it must not be written
/// anywhere by accident. It deserializes, so the server can receive it on the bind request.
#[derive(Clone, PartialEq, Eq, Deserialize, FromJson)]
#[serde(try_from = "String")]
pub struct CardNumber(String);

impl CardNumber {
    pub fn parse(input: &str) -> Result<Self, CardError> {
        let digits = strip_separators(&normalise_ascii(input));
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CardError::BadCharacter);
        }
        if !(16..=19).contains(&digits.len()) {
            return Err(CardError::Length);
        }
        if !luhn_valid(&digits) {
            return Err(CardError::Checksum);
        }
        Ok(Self(digits))
    }

    /// The full number, for handing to the gateway only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn last_four(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }

    /// The first six digits (the issuer identification number), which name the bank.
    pub fn bin(&self) -> &str {
        &self.0[..6]
    }

    /// **** **** **** 1234
    pub fn masked(&self) -> String {
        masked_last_four(self.last_four())
    }
}

/// How every screen shows a card of which only the last four digits are known.
pub fn masked_last_four(last_four: &str) -> String {
    format!("**** **** **** {last_four}")
}

/// Appends the Luhn check digit to `body`: used by the sandbox's test cards and tests.
pub fn with_luhn_digit(body: &str) -> String {
    (0..=9)
        .map(|d| format!("{body}{d}"))
        .find(|candidate| luhn_valid(candidate))
        .expect("one of ten digits always completes a Luhn number")
}

fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardNumber({})", self.masked())
    }
}

impl TryFrom<String> for CardNumber {
    type Error = CardError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_cards_parse_and_mask() {
        let number = with_luhn_digit("622202000012345678");
        let card = CardNumber::parse(&number).unwrap();
        assert_eq!(card.masked(), format!("**** **** **** {}", &number[15..]));
        assert_eq!(card.bin(), "622202");
        let spaced = format!("{} {}", &number[..4], &number[4..]);
        assert_eq!(CardNumber::parse(&spaced).unwrap(), card);
        assert!(!format!("{card:?}").contains("62220200"));
    }

    #[test]
    fn invalid_cards_are_refused() {
        assert_eq!(
            CardNumber::parse("6222abc").unwrap_err(),
            CardError::BadCharacter
        );
        assert_eq!(
            CardNumber::parse("622202000").unwrap_err(),
            CardError::Length
        );
        let good = with_luhn_digit("622202000012345678");
        let last = good.as_bytes()[18] - b'0';
        let bad = format!("{}{}", &good[..18], (last + 1) % 10);
        assert_eq!(CardNumber::parse(&bad).unwrap_err(), CardError::Checksum);
    }
}
