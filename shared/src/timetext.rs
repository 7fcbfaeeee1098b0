//! Instants and days as the wire writes them: RFC 3339 (`2027-03-01T09:30:00+08:00`) and
//! `YYYY-MM-DD`, written and read here by hand, as serde `with` modules ([`rfc3339`],
//! [`day`], each with an `option`).
//!
//! Why not `time`'s own: its parsing and formatting work through format descriptions, and that
//! machinery was about 40 KB of every phone's first download for two fixed formats. The app
//! builds `time` without it; the server still has it, and the tests below hold these to
//! exactly what `time` writes and reads.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// `2027-03-01T09:30:00.25+08:00`: the fraction only when there is one, without trailing
/// zeros; `Z` for UTC. `None` for a year outside 0–9999 or an offset with seconds, which RFC
/// 3339 cannot write.
pub fn format(at: OffsetDateTime) -> Option<String> {
    let offset = at.offset();
    let (year, ns) = (at.year(), at.nanosecond());
    if !(0..=9999).contains(&year) || offset.seconds_past_minute() != 0 {
        return None;
    }
    let mut text = format!(
        "{}T{:02}:{:02}:{:02}",
        day_text(at.date()),
        at.hour(),
        at.minute(),
        at.second()
    );
    if ns != 0 {
        let digits = format!("{ns:09}");
        text.push('.');
        text.push_str(digits.trim_end_matches('0'));
    }
    if offset.is_utc() {
        text.push('Z');
    } else {
        let (h, m) = (offset.whole_hours(), offset.minutes_past_hour());
        let sign = if offset.is_negative() { '-' } else { '+' };
        text.push_str(&format!("{sign}{:02}:{:02}", h.abs(), m.abs()));
    }
    Some(text)
}

/// Reads what [`format`] writes, and every other RFC 3339 date-time: `T` or `t`, any number
/// of fraction digits (beyond nine cut off), `Z`, `z` or an offset.
pub fn parse(text: &str) -> Option<OffsetDateTime> {
    let b = text.as_bytes();
    if b.len() < 20 || !matches!(b[10], b'T' | b't') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let date = parse_date(&text[..10])?;
    let (hour, minute, second) = (num(&b[11..13])?, num(&b[14..16])?, num(&b[17..19])?);
    let mut rest = &b[19..];
    let mut nanos = 0u32;
    if rest.first() == Some(&b'.') {
        let digits = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        for (i, c) in rest[1..=digits].iter().enumerate() {
            if i < 9 {
                nanos += u32::from(c - b'0') * 10u32.pow(8 - i as u32);
            }
        }
        rest = &rest[1 + digits..];
    }
    let offset = match rest {
        [b'Z' | b'z'] => UtcOffset::UTC,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (h, m) = (num(&[*h1, *h2])?, num(&[*m1, *m2])?);
            if h > 23 || m > 59 {
                return None;
            }
            let (h, m) = if *sign == b'-' {
                (-(h as i8), -(m as i8))
            } else {
                (h as i8, m as i8)
            };
            UtcOffset::from_hms(h, m, 0).ok()?
        }
        _ => return None,
    };
    let time = Time::from_hms_nano(hour, minute, second, nanos).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

/// `2027-03-01`.
pub fn day_text(day: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

/// A calendar day written `YYYY-MM-DD`, exactly.
pub fn parse_date(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i32::from(num(&b[0..2])?) * 100 + i32::from(num(&b[2..4])?);
    let month = Month::try_from(num(&b[5..7])?).ok()?;
    Date::from_calendar_date(year, month, num(&b[8..10])?).ok()
}

/// Two ASCII digits.
fn num(b: &[u8]) -> Option<u8> {
    match b {
        [a @ b'0'..=b'9', c @ b'0'..=b'9'] => Some((a - b'0') * 10 + (c - b'0')),
        _ => None,
    }
}

macro_rules! serde_text {
    ($name:ident, $ty:ty, $write:expr, $read:expr, $what:literal) => {
        pub mod $name {
            use serde::{de::Error as _, ser::Error as _, Deserialize, Deserializer, Serializer};

            pub fn serialize<S: Serializer>(value: &$ty, s: S) -> Result<S::Ok, S::Error> {
                let text: Option<String> = $write(*value);
                s.serialize_str(&text.ok_or_else(|| S::Error::custom(concat!("no ", $what)))?)
            }

            pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<$ty, D::Error> {
                let text = String::deserialize(d)?;
                $read(&text).ok_or_else(|| D::Error::custom(concat!("not ", $what)))
            }

            /// The phone's reader (crate::json) of the same form.
            pub fn from_json(value: crate::json::Json) -> Result<$ty, crate::json::JsonError> {
                let text = value.into_string()?;
                $read(&text).ok_or_else(|| crate::json::JsonError::custom(concat!("not ", $what)))
            }

            /// The same for an optional value (`null` when absent).
            pub mod option {
                use serde::{de::Error as _, Deserialize, Deserializer, Serializer};

                pub fn serialize<S: Serializer>(
                    value: &Option<$ty>,
                    s: S,
                ) -> Result<S::Ok, S::Error> {
                    match value {
                        Some(value) => super::serialize(value, s),
                        None => s.serialize_none(),
                    }
                }

                pub fn deserialize<'de, D: Deserializer<'de>>(
                    d: D,
                ) -> Result<Option<$ty>, D::Error> {
                    match Option::<String>::deserialize(d)? {
                        Some(text) => $read(&text)
                            .map(Some)
                            .ok_or_else(|| D::Error::custom(concat!("not ", $what))),
                        None => Ok(None),
                    }
                }

                pub fn from_json(
                    value: crate::json::Json,
                ) -> Result<Option<$ty>, crate::json::JsonError> {
                    match value {
                        crate::json::Json::Null => Ok(None),
                        value => super::from_json(value).map(Some),
                    }
                }
            }
        }
    };
}

serde_text!(
    rfc3339,
    time::OffsetDateTime,
    crate::timetext::format,
    crate::timetext::parse,
    "an RFC 3339 date-time"
);
serde_text!(
    day,
    time::Date,
    |d| Some(crate::timetext::day_text(d)),
    crate::timetext::parse_date,
    "a YYYY-MM-DD day"
);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::format_description::well_known::Rfc3339;
    use time::macros::{date, datetime};

    #[test]
    fn writes_as_time_does() {
        for at in [
            datetime!(2027-03-01 09:30:00 +8),
            datetime!(2027-03-01 09:30:00.25 +8),
            datetime!(2027-03-01 09:30:00.000000001 UTC),
            datetime!(1999-12-31 23:59:59.123456789 -05:30),
            datetime!(0001-01-01 00:00 UTC),
        ] {
            assert_eq!(format(at), at.format(&Rfc3339).ok(), "{at}");
            assert_eq!(parse(&format(at).unwrap()), Some(at));
        }
        assert_eq!(
            format(datetime!(2027-03-01 09:30 +8)).unwrap(),
            "2027-03-01T09:30:00+08:00"
        );
        assert_eq!(day_text(date!(2027 - 03 - 01)), "2027-03-01");
    }

    #[test]
    fn reads_what_rfc3339_allows_and_nothing_else() {
        let at = datetime!(2027-03-01 09:30:00 +8);
        for text in ["2027-03-01T09:30:00+08:00", "2027-03-01t09:30:00+08:00"] {
            assert_eq!(parse(text), Some(at), "{text}");
        }
        assert_eq!(
            parse("2027-03-01T01:30:00.1234567891Z"),
            Some(datetime!(2027-03-01 01:30:00.123456789 UTC))
        );
        for bad in [
            "",
            "2027-03-01",
            "2027-03-01T09:30:00",
            "2027-03-01 09:30:00+08:00",
            "2027-02-30T09:30:00Z",
            "2027-03-01T24:00:00Z",
            "2027-03-01T09:30:00.Z",
            "2027-03-01T09:30:00+24:00",
            "2027-03-01T09:30:00+0800",
            "2027-03-01T09:30:00Z ",
            "２０２７-03-01T09:30:00Z",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        assert_eq!(parse_date("2027-03-01"), Some(date!(2027 - 03 - 01)));
        for bad in [
            "2027-3-1",
            "2027-13-01",
            "2027-02-29",
            " 2027-03-01",
            "2027/03/01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn agrees_with_time_on_any_instant(
            secs in 0i64..253_402_300_799,
            nanos in 0u32..1_000_000_000,
            offset_minutes in -(23 * 60 + 59)..(23 * 60 + 59i32),
        ) {
            let offset = UtcOffset::from_whole_seconds(offset_minutes * 60).unwrap();
            let at = OffsetDateTime::from_unix_timestamp(secs).unwrap()
                .replace_nanosecond(nanos).unwrap()
                .to_offset(offset);
            prop_assume!((0..=9999).contains(&at.year()));
            let ours = format(at);
            prop_assert_eq!(&ours, &at.format(&Rfc3339).ok());
            let text = ours.unwrap();
            prop_assert_eq!(parse(&text), OffsetDateTime::parse(&text, &Rfc3339).ok());
            let day = at.date();
            prop_assert_eq!(parse_date(&day_text(day)), Some(day));
        }
    }
}
