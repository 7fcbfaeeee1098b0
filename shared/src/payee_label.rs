//! A payer's own label for a person they pay for (妈妈, 二叔): shown beside the masked name
//! wherever that payer sees the person, and to nobody else. It is the payer's word, not the
//! roster's, so the rule is loose on content and strict on size: trimmed, 1 to 10 characters
//! (counted as people count them, one per 汉字), no control characters (a label is one line
//! on a small screen), and no run of digits that could put an ID number back beside the
//! masked one.

use std::fmt;

use crate::json::FromJson;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The longest label, in characters: 二叔家的大表哥 fits, a sentence does not.
pub const MAX_CHARS: usize = 10;
/// The most digits a label may hold in a row: 三舅2 is a label, 6 digits start to be a number.
const MAX_DIGIT_RUN: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LabelError {
    #[error("请填写称呼，例如“妈妈”")]
    Empty,
    #[error("称呼最多10个字")]
    TooLong,
    #[error("称呼不能包含换行等控制字符")]
    Control,
    #[error("称呼里不要写身份证号等长串数字")]
    Digits,
}

impl LabelError {
    /// The stable code programs see (in a refusal's `code`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "label_empty",
            Self::TooLong => "label_too_long",
            Self::Control => "label_control",
            Self::Digits => "label_digits",
        }
    }

    pub fn en(&self) -> &'static str {
        match self {
            Self::Empty => "Enter a label, e.g. “Mum”",
            Self::TooLong => "A label has at most 10 characters",
            Self::Control => "A label cannot hold line breaks or control characters",
            Self::Digits => "Do not put an ID number or other long numbers in a label",
        }
    }
}

/// A label that passed [`PayeeLabel::parse`].
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize, FromJson)]
#[serde(try_from = "String", into = "String")]
pub struct PayeeLabel(String);

impl PayeeLabel {
    /// Trims surrounding whitespace (the ideographic space too) and checks the rule.
    pub fn parse(input: &str) -> Result<Self, LabelError> {
        let label = input.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
        if label.is_empty() {
            return Err(LabelError::Empty);
        }
        if label.chars().count() > MAX_CHARS {
            return Err(LabelError::TooLong);
        }
        if label.chars().any(char::is_control) {
            return Err(LabelError::Control);
        }
        let mut run = 0;
        for c in label.chars() {
            run = if c.is_ascii_digit() || ('０'..='９').contains(&c) {
                run + 1
            } else {
                0
            };
            if run > MAX_DIGIT_RUN {
                return Err(LabelError::Digits);
            }
        }
        Ok(Self(label.to_owned()))
    }

    /// What the phone's field holds: empty (after trimming) means "no label", anything else
    /// must be a valid label.
    pub fn parse_optional(input: &str) -> Result<Option<Self>, LabelError> {
        match Self::parse(input) {
            Err(LabelError::Empty) => Ok(None),
            other => other.map(Some),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PayeeLabel {
    type Error = LabelError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PayeeLabel> for String {
    fn from(label: PayeeLabel) -> Self {
        label.0
    }
}

impl fmt::Display for PayeeLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for PayeeLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PayeeLabel({:?})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_is_trimmed_and_kept_as_typed() {
        assert_eq!(PayeeLabel::parse("  妈妈 ").unwrap().as_str(), "妈妈");
        assert_eq!(
            PayeeLabel::parse("\u{3000}二叔\u{3000}").unwrap().as_str(),
            "二叔"
        );
        assert_eq!(PayeeLabel::parse("Mum").unwrap().as_str(), "Mum");
        assert_eq!(PayeeLabel::parse("三舅2").unwrap().as_str(), "三舅2");
    }

    #[test]
    fn one_to_ten_characters_counted_as_characters_not_bytes() {
        assert_eq!(PayeeLabel::parse("   "), Err(LabelError::Empty));
        assert_eq!(PayeeLabel::parse(""), Err(LabelError::Empty));
        assert!(
            PayeeLabel::parse("一二三四五六七八九十").is_ok(),
            "10 汉字 = 30 bytes"
        );
        assert_eq!(
            PayeeLabel::parse("一二三四五六七八九十一"),
            Err(LabelError::TooLong)
        );
    }

    #[test]
    fn no_line_breaks_and_no_id_numbers() {
        assert_eq!(PayeeLabel::parse("妈\n妈"), Err(LabelError::Control));
        assert_eq!(PayeeLabel::parse("妈妈12345"), Err(LabelError::Digits));
        assert_eq!(PayeeLabel::parse("妈妈１２３４５"), Err(LabelError::Digits));
        assert!(PayeeLabel::parse("1号2号3号").is_ok());
    }

    #[test]
    fn every_refusal_has_a_code_and_chinese_text() {
        for e in [
            LabelError::Empty,
            LabelError::TooLong,
            LabelError::Control,
            LabelError::Digits,
        ] {
            assert!(e.code().starts_with("label_"));
            assert!(e.to_string().contains("称呼"));
            assert!(!e.en().is_empty());
        }
    }

    #[test]
    fn an_empty_field_means_no_label() {
        assert_eq!(PayeeLabel::parse_optional("  "), Ok(None));
        assert_eq!(
            PayeeLabel::parse_optional(" 妈妈"),
            Ok(Some(PayeeLabel::parse("妈妈").unwrap()))
        );
        assert_eq!(
            PayeeLabel::parse_optional("一二三四五六七八九十一"),
            Err(LabelError::TooLong)
        );
    }

    #[test]
    fn it_round_trips_as_a_json_string_and_refuses_a_bad_one() {
        let label = PayeeLabel::parse("妈妈").unwrap();
        assert_eq!(serde_json::to_string(&label).unwrap(), "\"妈妈\"");
        assert!(serde_json::from_str::<PayeeLabel>("\"一二三四五六七八九十一\"").is_err());
    }
}
