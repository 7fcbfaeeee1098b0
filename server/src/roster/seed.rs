//! Filling the roster: importing the pension system's CSV export (all rows or none, every bad
//! row reported with its line number), and a made-up Wendeng roster for the demo.

use std::io::Read;

use time::macros::date;
use time::Duration;
use uuid::Uuid;
use yanglao_shared::money::Money;
use yanglao_shared::{synthetic, IdNumber, PersonName, RosterStatus};

use crate::storage::Db;
use crate::storage::{contributions, residents};

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
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "第{}行：{}", self.line, self.message)
    }
}

pub const CSV_HEADER: [&str; 7] = [
    "id_number",
    "name",
    "town",
    "village",
    "severely_disabled",
    "status",
    "paid",
];

/// Parses every row; returns all problems at once so a file is fixed in one pass.
pub fn parse_csv(reader: impl Read, today: time::Date) -> Result<Vec<NewResident>, Vec<RowError>> {
    let mut csv = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(reader);
    let header_ok = csv
        .headers()
        .map(|h| {
            h.iter()
                .map(|c| c.trim_start_matches('\u{feff}'))
                .eq(CSV_HEADER)
        })
        .unwrap_or(false);
    if !header_ok {
        return Err(vec![RowError {
            line: 1,
            message: format!("表头应为 {}", CSV_HEADER.join(",")),
        }]);
    }
    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    let mut seen = std::collections::HashMap::new();
    for record in csv.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                errors.push(RowError {
                    line,
                    message: format!("无法读取：{e}"),
                });
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        match parse_row(&record, today) {
            Ok(row) => {
                if let Some(first) = seen.insert(row.id_number.clone(), line) {
                    errors.push(RowError {
                        line,
                        message: format!("身份证号与第{first}行重复"),
                    });
                } else {
                    rows.push(row);
                }
            }
            Err(message) => errors.push(RowError { line, message }),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

fn parse_row(record: &csv::StringRecord, today: time::Date) -> Result<NewResident, String> {
    let field = |i: usize| record.get(i).unwrap_or_default();
    let id_number = IdNumber::parse(field(0), today).map_err(|e| format!("身份证号：{e}"))?;
    let name = PersonName::parse(field(1)).map_err(|e| format!("姓名：{e}"))?;
    let (town, village) = (field(2).to_owned(), field(3).to_owned());
    if town.is_empty() || village.is_empty() {
        return Err("镇街和村居不能为空".into());
    }
    let severely_disabled = match field(4) {
        "1" | "是" | "true" | "yes" => true,
        "0" | "否" | "false" | "no" | "" => false,
        other => return Err(format!("重度残疾应填 是/否，而不是“{other}”")),
    };
    let status = RosterStatus::parse_recorded(field(5)).ok_or_else(|| {
        format!(
            "参保状态应为 enrolled/drawing_pension/stopped，而不是“{}”",
            field(5)
        )
    })?;
    let mut paid = Vec::new();
    for item in field(6).split([' ', ';']).filter(|s| !s.is_empty()) {
        let (year, amount) = item
            .split_once(':')
            .ok_or_else(|| format!("缴费记录“{item}”应写成 年份:金额"))?;
        let year: i32 = year
            .parse()
            .map_err(|_| format!("缴费记录“{item}”的年份不对"))?;
        let amount = Money::parse(amount).map_err(|e| format!("缴费记录“{item}”：{e}"))?;
        if amount == Money::ZERO || year < 1990 || year > today.year() {
            return Err(format!("缴费记录“{item}”不合理"));
        }
        paid.push((year, amount));
    }
    Ok(NewResident {
        id_number,
        name,
        town,
        village,
        severely_disabled,
        status,
        paid,
    })
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{} 行有误，未导入任何数据：\n{}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Rows(Vec<RowError>),
    #[error("数据库错误：{0}")]
    Db(#[from] sqlx::Error),
    #[error("数据库错误：{0}")]
    Storage(#[from] crate::storage::StorageError),
}

/// Inserts all rows in one transaction: an ID already on the roster fails the whole import.
pub async fn insert_all(
    db: &Db,
    region: &str,
    rows: &[NewResident],
    now_ms: i64,
) -> Result<usize, ImportError> {
    let mut tx = db.begin_write().await?;
    let mut conflicts = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let id = Uuid::new_v4().to_string();
        if !residents::insert(&mut tx, &id, row, region, now_ms).await? {
            // Line numbers count the header as line 1.
            conflicts.push(RowError {
                line: i as u64 + 2,
                message: "此身份证号已在名册中".into(),
            });
            continue;
        }
        for (year, amount) in &row.paid {
            contributions::book_paid(&mut tx, &id, *year, amount.to_fen(), false, None, now_ms)
                .await?;
        }
    }
    if !conflicts.is_empty() {
        return Err(ImportError::Rows(conflicts));
    }
    tx.commit().await?;
    Ok(rows.len())
}

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
            }
        })
        .collect()
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
}
