//! The yearly payment window (集中缴费期), in China Standard Time.
//!
//! The window is a pair of calendar days in CST (Wendeng: 1 January to 30 April, both included).
//! Every instant is converted to CST before it is compared: 2026-04-30T17:00Z is already 1 May in
//! Wendeng, and the window is closed.

use std::fmt;
use std::str::FromStr;

use crate::json::FromJson;
use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// China Standard Time, UTC+8, no daylight saving.
pub const CST: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(offset) => offset,
    Err(_) => panic!("UTC+8 is a valid offset"),
};

/// The calendar day of `instant` in China.
pub fn cst_date(instant: OffsetDateTime) -> Date {
    instant.to_offset(CST).date()
}

/// A calendar day written `YYYY-MM-DD` (surrounding spaces forgiven), as staff, the command
/// line and the policy files write days.
pub fn parse_day(text: &str) -> Option<Date> {
    crate::timetext::parse_date(text.trim())
}

/// The first instant of `date` in China.
pub fn cst_midnight(date: Date) -> OffsetDateTime {
    PrimitiveDateTime::new(date, Time::MIDNIGHT).assume_offset(CST)
}

/// A day of the year, written "MM-DD" in policy files.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, FromJson,
)]
#[serde(try_from = "String", into = "String")]
pub struct MonthDay {
    pub month: u8,
    pub day: u8,
}

impl MonthDay {
    /// This day in `year`. Policies refuse 29 February on load, so this always exists.
    pub fn in_year(self, year: i32) -> Date {
        let month = Month::try_from(self.month).unwrap_or(Month::January);
        Date::from_calendar_date(year, month, self.day)
            .unwrap_or_else(|_| Date::from_calendar_date(year, month, 28).expect("28th exists"))
    }
}

impl FromStr for MonthDay {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("“{s}”不是有效的月-日（MM-DD），2月29日不可用");
        let (m, d) = s.split_once('-').ok_or_else(bad)?;
        let month: u8 = m.parse().map_err(|_| bad())?;
        let day: u8 = d.parse().map_err(|_| bad())?;
        // 2023 has no 29 February, so only days that exist every year pass.
        let month_enum = Month::try_from(month).map_err(|_| bad())?;
        Date::from_calendar_date(2023, month_enum, day).map_err(|_| bad())?;
        Ok(Self { month, day })
    }
}

impl TryFrom<String> for MonthDay {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<MonthDay> for String {
    fn from(md: MonthDay) -> Self {
        md.to_string()
    }
}

impl fmt::Display for MonthDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}-{:02}", self.month, self.day)
    }
}

/// The days of a year on which payment is accepted, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PaymentWindow {
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = r"^[0-9]{2}-[0-9]{2}$", example = "01-01"))]
    pub opens: MonthDay,
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = r"^[0-9]{2}-[0-9]{2}$", example = "04-30"))]
    pub closes: MonthDay,
}

/// Where an instant falls relative to its year's window.
// Read by a flat reader (crate::tagged) with serde, by the FromJson derive on the phone;
// written by the derive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum WindowState {
    NotYetOpen {
        year: i32,
        #[serde(with = "crate::timetext::day")]
        opens: Date,
        #[serde(with = "crate::timetext::day")]
        closes: Date,
    },
    Open {
        year: i32,
        #[serde(with = "crate::timetext::day")]
        opens: Date,
        #[serde(with = "crate::timetext::day")]
        closes: Date,
        days_left: u32,
    },
    Closed {
        year: i32,
        #[serde(with = "crate::timetext::day")]
        opens: Date,
        #[serde(with = "crate::timetext::day")]
        closes: Date,
    },
}

impl PaymentWindow {
    pub fn opens_on(&self, year: i32) -> Date {
        self.opens.in_year(year)
    }

    pub fn closes_on(&self, year: i32) -> Date {
        self.closes.in_year(year)
    }

    /// The first instant at which paying for `year` is no longer accepted.
    pub fn closes_at(&self, year: i32) -> OffsetDateTime {
        cst_midnight(self.closes_on(year)) + Duration::days(1)
    }

    pub fn opens_at(&self, year: i32) -> OffsetDateTime {
        cst_midnight(self.opens_on(year))
    }

    /// The window of `now`'s CST year and where `now` stands in it.
    pub fn state_at(&self, now: OffsetDateTime) -> WindowState {
        let today = cst_date(now);
        let year = today.year();
        let (opens, closes) = (self.opens_on(year), self.closes_on(year));
        if today < opens {
            WindowState::NotYetOpen {
                year,
                opens,
                closes,
            }
        } else if today > closes {
            WindowState::Closed {
                year,
                opens,
                closes,
            }
        } else {
            // Today counts: on the last day one day is left.
            let days_left = (closes - today).whole_days() as u32 + 1;
            WindowState::Open {
                year,
                opens,
                closes,
                days_left,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn days_are_written_year_month_day() {
        let day = Date::from_calendar_date(2027, Month::March, 1).unwrap();
        assert_eq!(parse_day("2027-03-01"), Some(day));
        assert_eq!(parse_day(" 2027-03-01 "), Some(day));
        for bad in ["2027-3-1", "2027/03/01", "2027-02-30", "", "01-03-2027"] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
    }

    fn wendeng() -> PaymentWindow {
        PaymentWindow {
            opens: "01-01".parse().unwrap(),
            closes: "04-30".parse().unwrap(),
        }
    }

    #[test]
    fn boundaries_to_the_second_in_cst() {
        let w = wendeng();
        let open = |t| matches!(w.state_at(t), WindowState::Open { .. });
        // Opening: 2026-01-01 00:00:00 CST is 2025-12-31 16:00:00 UTC.
        assert!(!open(datetime!(2025-12-31 15:59:59 UTC)));
        assert!(open(datetime!(2025-12-31 16:00:00 UTC)));
        // Closing: the last accepted second is 2026-04-30 23:59:59 CST = 15:59:59 UTC.
        assert!(open(datetime!(2026-04-30 15:59:59 UTC)));
        assert!(!open(datetime!(2026-04-30 16:00:00 UTC)));
        // 30 April in UTC but already 1 May in China.
        assert!(matches!(
            w.state_at(datetime!(2026-04-30 17:00:00 UTC)),
            WindowState::Closed { year: 2026, .. }
        ));
        assert_eq!(w.closes_at(2026), datetime!(2026-04-30 16:00:00 UTC));
        assert_eq!(w.opens_at(2026), datetime!(2025-12-31 16:00:00 UTC));
    }

    #[test]
    fn days_left_counts_today() {
        let w = wendeng();
        let left = |t| match w.state_at(t) {
            WindowState::Open { days_left, .. } => days_left,
            other => panic!("{other:?}"),
        };
        assert_eq!(left(datetime!(2026-04-30 23:59:59 +8)), 1);
        assert_eq!(left(datetime!(2026-04-29 00:00:00 +8)), 2);
        assert_eq!(left(datetime!(2026-01-01 00:00:00 +8)), 120);
        assert_eq!(left(datetime!(2028-01-01 00:00:00 +8)), 121, "leap year");
    }

    #[test]
    fn month_days_are_validated() {
        assert!("02-29".parse::<MonthDay>().is_err());
        assert!("13-01".parse::<MonthDay>().is_err());
        assert!("04-31".parse::<MonthDay>().is_err());
        assert_eq!("4-30".parse::<MonthDay>().unwrap().to_string(), "04-30");
    }
}
