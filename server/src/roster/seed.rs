//! Filling the roster: a resident as the import writes one ([`NewResident`]), and made-up
//! Wendeng rosters: the small demo one ([`demo`]) and one of any size for benchmarks
//! ([`big`]). Reading and importing the pension system's CSV export is in `roster::rows` and
//! `roster::import` (re-exported here, where callers have always found them).

use time::macros::date;
use time::Duration;
use yanglao_shared::money::Money;
use yanglao_shared::{synthetic, IdNumber, MobileNumber, PersonName, RosterStatus};

#[derive(Debug, Clone)]
pub struct NewResident {
    pub id_number: IdNumber,
    pub name: PersonName,
    pub town: String,
    pub village: String,
    pub severely_disabled: bool,
    pub status: RosterStatus,
    /// Years already paid, with the yearly amount.
    pub paid: Vec<(i32, Money)>,
    /// The mobile number the pension system has for them (`roster_mobiles`), if any.
    pub mobile: Option<MobileNumber>,
}

pub use crate::roster::import::{insert_all, ImportError};
pub use crate::roster::rows::{parse_csv, RowError, CSV_HEADER};

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "于", "孙", "丛", "毕", "宋", "林", "谷", "邹", "姜", "鞠", "于",
    "梁", "慕",
];
const GIVEN: &[&str] = &[
    "秀英", "桂兰", "玉梅", "淑珍", "建国", "志强", "海波", "丽娜", "春燕", "明", "伟", "芳", "磊",
    "静", "德福", "文华", "晓东", "红梅", "立新", "翠花",
];
const PLACES: &[(&str, &[&str])] = &[
    ("龙山街道", &["岛山村", "东山村", "西楼村"]),
    ("天福街道", &["东关村", "北门村"]),
    ("文登营镇", &["营南村", "营北村"]),
    ("大水泊镇", &["大水泊村", "北岛村"]),
    ("泽库镇", &["泽库村", "南泊村"]),
    ("葛家镇", &["葛家村", "崮头村"]),
];
const TIERS: &[i64] = &[500, 800, 1000, 1500, 2000, 3000];

/// A made-up roster of `size` Wendeng residents for `year` (deterministic, so reruns match).
/// The first five are the ones the README and the demo output suggest trying.
pub fn demo(size: usize, year: i32) -> Vec<NewResident> {
    let mut seed: u64 = 0x5EED_2018;
    let mut next = move |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n
    };
    let jan1 = time::Date::from_calendar_date(year, time::Month::January, 1).expect("valid year");
    (0..size)
        .map(|i| {
            let age = match i {
                0 => 58,
                1 => 55,
                2 => 47,
                3 => 63,
                4 => 40,
                _ if i % 17 == 0 => 61 + next(10) as i64,
                _ => 18 + next(41) as i64,
            };
            let birth = jan1 - Duration::days(age * 365 + 30 + next(300) as i64);
            let birth = birth.max(date!(1930 - 01 - 01));
            let area = if i % 3 == 0 { "371081" } else { "371003" };
            let id_number = synthetic::id_number(area, birth, (i * 2 + 1 + next(2)) as u16);
            let name = format!(
                "{}{}",
                SURNAMES[next(SURNAMES.len())],
                GIVEN[next(GIVEN.len())]
            );
            let (town, villages) = PLACES[i % PLACES.len()];
            let status = match (age, i) {
                (60.., _) => RosterStatus::DrawingPension,
                (_, i) if i % 23 == 22 => RosterStatus::Stopped,
                _ => RosterStatus::Enrolled,
            };
            let severely_disabled = i == 1 || i % 19 == 7;
            let first_year = (birth.year() + 16).max(2014);
            let mut paid = Vec::new();
            for y in first_year..year {
                let tier = if severely_disabled {
                    300
                } else {
                    TIERS[next(TIERS.len())]
                };
                if next(5) != 0 {
                    paid.push((y, Money::from_yuan(tier).expect("small amount")));
                }
            }
            NewResident {
                id_number,
                name: PersonName::parse(&name).expect("demo names are valid"),
                town: town.to_owned(),
                // Spread each town's people over its villages (i % PLACES picked the town).
                village: villages[(i / PLACES.len()) % villages.len()].to_owned(),
                severely_disabled,
                status,
                paid,
                mobile: None,
            }
        })
        .collect()
}

/// A made-up roster of `size` residents for benchmarks, made one at a time (nothing but a
/// number per person is kept, to keep the ID numbers unique): ages and places spread like
/// [`demo`]'s, valid GB 11643 ID numbers, and the years paid of the three before `year`.
pub fn big(size: usize, year: i32) -> impl Iterator<Item = NewResident> {
    let mut seed: u64 = 0xB16_2018;
    let mut next = move |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n
    };
    let jan1 = time::Date::from_calendar_date(year, time::Month::January, 1).expect("valid year");
    let mut seen = std::collections::HashSet::with_capacity(size);
    (0..size).map(move |i| {
        let age = if i % 17 == 0 {
            61 + next(30) as i64
        } else {
            18 + next(41) as i64
        };
        let area = if i % 3 == 0 { "371081" } else { "371003" };
        let id_number = loop {
            let birth = jan1 - Duration::days(age * 365 + next(365) as i64);
            let id =
                synthetic::id_number(area, birth.max(date!(1930 - 01 - 01)), next(1000) as u16);
            if seen.insert(id.as_str()[..17].parse::<u64>().expect("17 digits")) {
                break id;
            }
        };
        let name = format!(
            "{}{}",
            SURNAMES[next(SURNAMES.len())],
            GIVEN[next(GIVEN.len())]
        );
        let (town, villages) = PLACES[i % PLACES.len()];
        let status = match age {
            60.. => RosterStatus::DrawingPension,
            _ if i % 23 == 22 => RosterStatus::Stopped,
            _ => RosterStatus::Enrolled,
        };
        let severely_disabled = i % 19 == 7;
        let first_year = (id_number.birth_date().year() + 16).max(year - 3);
        let mut paid = Vec::new();
        for y in first_year..year {
            let tier = match severely_disabled {
                true => 300,
                false => TIERS[next(TIERS.len())],
            };
            if next(5) != 0 {
                paid.push((y, Money::from_yuan(tier).expect("small amount")));
            }
        }
        NewResident {
            id_number,
            name: PersonName::parse(&name).expect("demo names are valid"),
            town: town.to_owned(),
            village: villages[(i / PLACES.len()) % villages.len()].to_owned(),
            severely_disabled,
            status,
            paid,
            mobile: None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: time::Date = date!(2026 - 11 - 26);

    #[test]
    fn csv_rows_parse_and_errors_carry_line_numbers() {
        let good = synthetic::id_number("371003", date!(1970 - 01 - 01), 11);
        let good = good.as_str();
        let text = format!(
            "id_number,name,town,village,severely_disabled,status,paid\n\
             {good},王秀英,龙山街道,岛山村,否,enrolled,2024:500 2025:800\n\
             12345,李明,龙山街道,岛山村,否,enrolled,\n\
             {good},王秀英,龙山街道,岛山村,是,enrolled,\n\
             {good}x,Wang,龙山街道,岛山村,maybe,retired,2024\n"
        );
        let errors = parse_csv(text.as_bytes(), TODAY).unwrap_err();
        let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4, 5]);
        assert!(errors[1].message.contains("重复"));
        let ok = format!(
            "\u{feff}id_number,name,town,village,severely_disabled,status,paid\n\
             {good},王秀英,龙山街道,岛山村,否,enrolled,2024:500 2025:800\n"
        );
        let rows = parse_csv(ok.as_bytes(), TODAY).unwrap();
        assert_eq!(rows[0].paid.len(), 2);
        assert_eq!(
            rows[0].mobile, None,
            "a file may leave the mobile column out"
        );
        let with_mobile = format!(
            "id_number,name,town,village,severely_disabled,status,paid,mobile\n\
             {good},王秀英,龙山街道,岛山村,否,enrolled,,+86 139-1234-0001\n"
        );
        let rows = parse_csv(with_mobile.as_bytes(), TODAY).unwrap();
        assert_eq!(rows[0].mobile.as_ref().unwrap().as_str(), "13912340001");
        let mut written = Vec::new();
        crate::roster::rows::write_rows(&mut written, rows.into_iter()).unwrap();
        let again = parse_csv(written.as_slice(), TODAY).unwrap();
        assert_eq!(again[0].mobile.as_ref().unwrap().as_str(), "13912340001");
        // A row may stop before the optional mobile; one column too many is its line's error.
        let ragged = format!(
            "id_number,name,town,village,severely_disabled,status,paid,mobile\n\
             {good},王秀英,龙山街道,岛山村,否,enrolled,\n\
             {good},王秀英,龙山街道,岛山村,否,enrolled,,13912340001,x\n"
        );
        let errors = parse_csv(ragged.as_bytes(), TODAY).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 3);
        assert!(
            errors[0].message.contains("应有8列"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn demo_roster_is_valid_and_varied() {
        let rows = demo(60, 2027);
        assert_eq!(rows.len(), 60);
        let ids: std::collections::HashSet<_> = rows.iter().map(|r| r.id_number.clone()).collect();
        assert_eq!(ids.len(), 60, "IDs are unique");
        assert!(rows.iter().any(|r| r.severely_disabled));
        assert!(rows
            .iter()
            .any(|r| r.status == RosterStatus::DrawingPension));
        assert!(rows.iter().any(|r| r.id_number.area_code() == "371081"));
        let villages: std::collections::HashSet<_> = rows.iter().map(|r| &r.village).collect();
        assert_eq!(villages.len(), 13, "every village of every town has people");
        assert!(rows.iter().all(|r| r.paid.iter().all(|(y, _)| *y < 2027)));
    }

    #[test]
    fn a_big_roster_reads_back_through_the_import_with_unique_ids() {
        let mut csv = Vec::new();
        let n = crate::roster::rows::write_rows(&mut csv, big(5000, 2027)).unwrap();
        assert_eq!(n, 5000);
        let rows = parse_csv(csv.as_slice(), date!(2027 - 01 - 01)).expect("valid and unique");
        assert_eq!(rows.len(), 5000);
        assert!(rows.iter().any(|r| !r.paid.is_empty()));
        assert!(rows
            .iter()
            .any(|r| r.status == RosterStatus::DrawingPension));
    }
}
