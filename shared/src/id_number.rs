//! Resident ID numbers (居民身份证号码, GB 11643-1999).
//!
//! 18 characters: 6-digit area code, birth date YYYYMMDD, 3-digit sequence (odd = male), and an
//! ISO 7064 MOD 11-2 check character. The legacy 15-digit form (YYMMDD, no check character) is
//! upgraded on parse. The area code is deliberately *not* checked against a list: an ID keeps the
//! code it was issued with, and Wendeng residents carry 371081 and older codes.

use std::fmt;

use crate::json::FromJson;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::{Date, Month};

use crate::text::normalise_ascii;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [u8; 11] = *b"10X98765432";

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdNumberError {
    #[error("身份证号码不能为空")]
    Empty,
    #[error("身份证号码应为18位（旧证15位），现在是{0}位")]
    WrongLength(usize),
    #[error("身份证号码只能包含数字，最后一位可以是X")]
    BadCharacter,
    #[error("身份证号码中的出生日期不正确")]
    BadBirthDate,
    #[error("身份证号码中的出生日期晚于今天")]
    BirthDateInFuture,
    #[error("身份证号码校验位不对，请逐位核对")]
    BadCheckDigit,
}

impl IdNumberError {
    /// Stable code for programs; the `Display` text is for people.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "id_empty",
            Self::WrongLength(_) => "id_length",
            Self::BadCharacter => "id_character",
            Self::BadBirthDate => "id_birth_date",
            Self::BirthDateInFuture => "id_birth_date_future",
            Self::BadCheckDigit => "id_check_digit",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

/// A valid 18-character ID number, upper-case `X`. Only [`IdNumber::parse`] makes one.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, FromJson)]
#[serde(try_from = "String", into = "String")]
pub struct IdNumber(String);

impl IdNumber {
    /// Parses what a person typed, with `today` (China Standard Time) bounding the birth date.
    pub fn parse(input: &str, today: Date) -> Result<Self, IdNumberError> {
        let id = Self::parse_any_date(input)?;
        if id.birth_date() > today {
            return Err(IdNumberError::BirthDateInFuture);
        }
        Ok(id)
    }

    /// Structure, calendar and check character only; used where no clock is at hand (decoding
    /// values that were validated when they were first stored).
    pub fn parse_any_date(input: &str) -> Result<Self, IdNumberError> {
        let cleaned = normalise_ascii(input).to_ascii_uppercase();
        if !cleaned.is_ascii() {
            return Err(IdNumberError::BadCharacter);
        }
        let bytes = cleaned.as_bytes();
        match bytes.len() {
            0 => Err(IdNumberError::Empty),
            15 => Self::parse_legacy(bytes),
            18 => Self::parse_18(bytes),
            n => Err(IdNumberError::WrongLength(n)),
        }
    }

    fn parse_18(bytes: &[u8]) -> Result<Self, IdNumberError> {
        if !bytes[..17].iter().all(u8::is_ascii_digit)
            || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
        {
            return Err(IdNumberError::BadCharacter);
        }
        birth_date_of(&bytes[6..14])?;
        if check_char(&bytes[..17]) != bytes[17] {
            return Err(IdNumberError::BadCheckDigit);
        }
        Ok(Self(String::from_utf8_lossy(bytes).into_owned()))
    }

    /// 15-digit IDs (issued before 1999) carry a two-digit year, always 19xx.
    fn parse_legacy(bytes: &[u8]) -> Result<Self, IdNumberError> {
        if !bytes.iter().all(u8::is_ascii_digit) {
            return Err(IdNumberError::BadCharacter);
        }
        let mut body = Vec::with_capacity(18);
        body.extend_from_slice(&bytes[..6]);
        body.extend_from_slice(b"19");
        body.extend_from_slice(&bytes[6..15]);
        birth_date_of(&body[6..14])?;
        body.push(check_char(&body));
        Ok(Self(String::from_utf8_lossy(&body).into_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The six-digit administrative area code the ID was issued with.
    pub fn area_code(&self) -> &str {
        &self.0[..6]
    }

    pub fn birth_date(&self) -> Date {
        birth_date_of(&self.0.as_bytes()[6..14]).expect("validated on parse")
    }

    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// Age in whole years on `date`. Someone born on 29 February has their birthday on
    /// 1 March in years without one (they are still the younger age on 28 February).
    pub fn age_on(&self, date: Date) -> i32 {
        age_on(self.birth_date(), date)
    }

    /// Display form that keeps the area code's first three digits and the last four:
    /// `371***********123X`. Enough for a person to recognise their own relative, not enough
    /// for anyone to learn a birth date.
    pub fn masked(&self) -> String {
        format!("{}***********{}", &self.0[..3], &self.0[14..])
    }
}

/// Whole years between `birth` and `on`.
pub fn age_on(birth: Date, on: Date) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month() as u8, on.day()) < (birth.month() as u8, birth.day()) {
        age -= 1;
    }
    age
}

/// The check character for the first 17 digits (ISO 7064 MOD 11-2).
pub fn check_char(first17: &[u8]) -> u8 {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(digit, weight)| u32::from(digit - b'0') * weight)
        .sum();
    CHECK_CHARS[(sum % 11) as usize]
}

fn birth_date_of(yyyymmdd: &[u8]) -> Result<Date, IdNumberError> {
    let number = |range: std::ops::Range<usize>| -> u32 {
        yyyymmdd[range]
            .iter()
            .fold(0, |acc, d| acc * 10 + u32::from(d - b'0'))
    };
    let year = number(0..4) as i32;
    if year < 1900 {
        return Err(IdNumberError::BadBirthDate);
    }
    let month = Month::try_from(number(4..6) as u8).map_err(|_| IdNumberError::BadBirthDate)?;
    Date::from_calendar_date(year, month, number(6..8) as u8)
        .map_err(|_| IdNumberError::BadBirthDate)
}

impl fmt::Display for IdNumber {
    /// Masked on purpose: an ID printed into a log or a page by accident stays private.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl TryFrom<String> for IdNumber {
    type Error = IdNumberError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse_any_date(&value)
    }
}

impl From<IdNumber> for String {
    fn from(id: IdNumber) -> Self {
        id.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthetic;
    use proptest::prelude::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 26);

    // A published sample number with a correct check character (GB 11643 annex).
    const SAMPLE: &str = "11010519491231002X";

    #[test]
    fn accepts_a_valid_number_and_reads_its_parts() {
        let id = IdNumber::parse(SAMPLE, TODAY).unwrap();
        assert_eq!(id.birth_date(), date!(1949 - 12 - 31));
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.area_code(), "110105");
        assert_eq!(id.masked(), "110***********002X");
    }

    #[test]
    fn lower_case_x_spaces_and_full_width_are_normalised() {
        let id = IdNumber::parse(" 11010519491231002x ", TODAY).unwrap();
        assert_eq!(id.as_str(), SAMPLE);
        let full_width = "１１０１０５１９４９１２３１００２Ｘ";
        assert_eq!(IdNumber::parse(full_width, TODAY).unwrap().as_str(), SAMPLE);
    }

    #[test]
    fn legacy_fifteen_digits_are_upgraded() {
        let id = IdNumber::parse("110105491231002", TODAY).unwrap();
        assert_eq!(id.as_str(), SAMPLE);
    }

    #[test]
    fn old_area_codes_are_accepted() {
        // 371081 was 文登市 until 2014; such IDs stay valid for life.
        let id = synthetic::id_number("371081", date!(1970 - 05 - 01), 7);
        assert!(IdNumber::parse(id.as_str(), TODAY).is_ok());
    }

    #[test]
    fn rejections_say_why() {
        let err = |s| IdNumber::parse(s, TODAY).unwrap_err();
        assert_eq!(err(""), IdNumberError::Empty);
        assert_eq!(err("1234"), IdNumberError::WrongLength(4));
        assert_eq!(err("11010519491231002Y"), IdNumberError::BadCharacter);
        assert_eq!(err("110105194912310021"), IdNumberError::BadCheckDigit);
        // 1949-02-30 does not exist; 1899 is before the first valid year.
        assert_eq!(err("110105194902300021"), IdNumberError::BadBirthDate);
        assert_eq!(err("110105189912310021"), IdNumberError::BadBirthDate);
        let unborn = synthetic::id_number("371003", date!(2027 - 01 - 01), 1);
        assert_eq!(err(unborn.as_str()), IdNumberError::BirthDateInFuture);
    }

    #[test]
    fn ages_turn_on_the_birthday_and_leap_day_births_on_1_march() {
        let leap = date!(2000 - 02 - 29);
        assert_eq!(age_on(leap, date!(2016 - 02 - 28)), 15);
        assert_eq!(age_on(leap, date!(2016 - 02 - 29)), 16);
        assert_eq!(age_on(leap, date!(2017 - 02 - 28)), 16);
        assert_eq!(age_on(leap, date!(2018 - 02 - 28)), 17);
        assert_eq!(age_on(leap, date!(2019 - 03 - 01)), 19);
        let birth = date!(1966 - 04 - 30);
        assert_eq!(age_on(birth, date!(2026 - 04 - 29)), 59);
        assert_eq!(age_on(birth, date!(2026 - 04 - 30)), 60);
    }

    #[test]
    fn debug_and_display_never_show_the_full_number() {
        let id = IdNumber::parse(SAMPLE, TODAY).unwrap();
        assert!(!format!("{id} {id:?}").contains("19491231"));
    }

    fn any_valid_id() -> impl Strategy<Value = IdNumber> {
        (100_000u32..=999_999, 0i32..45_000, 0u16..1000).prop_map(|(area, days, seq)| {
            let birth = date!(1900 - 01 - 01) + time::Duration::days(days as i64);
            synthetic::id_number(&area.to_string(), birth, seq)
        })
    }

    proptest! {
        #[test]
        fn every_generated_id_parses(id in any_valid_id()) {
            let parsed = IdNumber::parse_any_date(id.as_str()).unwrap();
            prop_assert_eq!(parsed, id);
        }

        #[test]
        fn any_single_character_change_is_detected(
            id in any_valid_id(), position in 0usize..18, replacement in 0u8..11,
        ) {
            let mut bytes = id.as_str().as_bytes().to_vec();
            let new = if replacement == 10 { b'X' } else { b'0' + replacement };
            prop_assume!(bytes[position] != new);
            bytes[position] = new;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(IdNumber::parse_any_date(&changed).is_err(), "{} accepted", changed);
        }
    }
}
