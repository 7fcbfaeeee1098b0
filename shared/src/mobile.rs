//! Mainland China mobile numbers: 11 digits starting with 1 and a second digit 3–9, optionally
//! written with the +86 / 0086 country prefix and spaces or dashes.

use std::fmt;

use crate::json::FromJson;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::text::{normalise_ascii, strip_separators};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MobileError {
    #[error("请填写11位手机号码，以1开头")]
    Invalid,
}

impl MobileError {
    pub fn code(&self) -> &'static str {
        "mobile_invalid"
    }
}

#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize, FromJson)]
#[serde(try_from = "String", into = "String")]
pub struct MobileNumber(String);

impl MobileNumber {
    pub fn parse(input: &str) -> Result<Self, MobileError> {
        let digits = strip_separators(&normalise_ascii(input));
        let digits = digits
            .strip_prefix("+86")
            .or_else(|| digits.strip_prefix("0086"))
            .unwrap_or(&digits);
        let b = digits.as_bytes();
        let valid = b.len() == 11
            && b.iter().all(u8::is_ascii_digit)
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1]);
        if valid {
            Ok(Self(digits.to_owned()))
        } else {
            Err(MobileError::Invalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// 138****5678
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl fmt::Display for MobileNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for MobileNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MobileNumber({})", self.masked())
    }
}

impl TryFrom<String> for MobileNumber {
    type Error = MobileError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<MobileNumber> for String {
    fn from(m: MobileNumber) -> Self {
        m.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_ways_of_writing_a_number() {
        for input in [
            "13812345678",
            "+86 138-1234-5678",
            "0086 13812345678",
            "１３８１２３４５６７８",
        ] {
            assert_eq!(
                MobileNumber::parse(input).unwrap().as_str(),
                "13812345678",
                "{input}"
            );
        }
        assert_eq!(
            MobileNumber::parse("13812345678").unwrap().masked(),
            "138****5678"
        );
    }

    #[test]
    fn rejects_what_is_not_a_mainland_mobile() {
        for input in [
            "",
            "1381234567",
            "23812345678",
            "12812345678",
            "1381234567a",
            "010-12345678",
        ] {
            assert!(MobileNumber::parse(input).is_err(), "{input}");
        }
    }
}
