//! Person names as written on the ID card: Chinese characters, 2 to 20 of them, with the middle
//! dot that separates the parts of many minority names (阿依古丽·买买提).

use std::fmt;

use crate::json::FromJson;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::text::normalise_ascii;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NameError {
    #[error("请填写姓名")]
    Empty,
    #[error("姓名应为2到20个汉字")]
    Length,
    #[error("姓名只能包含汉字和间隔号“·”")]
    BadCharacter,
}

impl NameError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "name_empty",
            Self::Length => "name_length",
            Self::BadCharacter => "name_character",
        }
    }
}

#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize, FromJson)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

const MIDDLE_DOT: char = '·';

impl PersonName {
    pub fn parse(input: &str) -> Result<Self, NameError> {
        // Phone keyboards offer several look-alike dots; store the one on ID cards.
        let name: String = normalise_ascii(input)
            .chars()
            .map(|c| match c {
                '.' | '•' | '‧' | '・' | '∙' | '．' => MIDDLE_DOT,
                other => other,
            })
            .collect();
        if name.is_empty() {
            return Err(NameError::Empty);
        }
        let ok_char = |c: char| is_han(c) || c == MIDDLE_DOT;
        if !name.chars().all(ok_char)
            || name.starts_with(MIDDLE_DOT)
            || name.ends_with(MIDDLE_DOT)
            || name.contains("··")
        {
            return Err(NameError::BadCharacter);
        }
        let han_count = name.chars().filter(|c| is_han(*c)).count();
        if !(2..=20).contains(&han_count) {
            return Err(NameError::Length);
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Family name kept, the rest starred: 张** — what a payer sees of someone on the roster.
    pub fn masked(&self) -> String {
        let mut chars = self.0.chars();
        let first = chars.next().unwrap_or_default();
        let rest = chars.count();
        format!("{first}{}", "*".repeat(rest))
    }
}

/// CJK Unified Ideographs and their extensions, where Chinese names live.
fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PersonName({})", self.masked())
    }
}

impl TryFrom<String> for PersonName {
    type Error = NameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PersonName> for String {
    fn from(name: PersonName) -> Self {
        name.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_names_and_minority_names_are_accepted() {
        assert_eq!(PersonName::parse(" 王秀英 ").unwrap().as_str(), "王秀英");
        let minority = PersonName::parse("阿依古丽.买买提").unwrap();
        assert_eq!(minority.as_str(), "阿依古丽·买买提");
        assert_eq!(PersonName::parse("王秀英").unwrap().masked(), "王**");
    }

    #[test]
    fn bad_names_are_refused_with_a_reason() {
        assert_eq!(PersonName::parse("  ").unwrap_err(), NameError::Empty);
        assert_eq!(PersonName::parse("王").unwrap_err(), NameError::Length);
        assert_eq!(
            PersonName::parse(&"王".repeat(21)).unwrap_err(),
            NameError::Length
        );
        assert_eq!(
            PersonName::parse("Wang").unwrap_err(),
            NameError::BadCharacter
        );
        assert_eq!(
            PersonName::parse("·王秀").unwrap_err(),
            NameError::BadCharacter
        );
        assert_eq!(
            PersonName::parse("王1").unwrap_err(),
            NameError::BadCharacter
        );
    }
}
