//! The roster CSV (the pension system's export): its header, one row's checks, and
//! [`RowReader`], which reads a file one row at a time so that a million-person roster is
//! never held in memory whole. Every bad row is reported with its line number, all at once,
//! so a file is fixed in one pass; [`write_row`] writes the same format (the big demo roster).
//! The last column, `mobile` (the number a claim's code goes to), may be left out of a file
//! altogether or left empty in a row.

use std::collections::HashMap;
use std::io::{Read, Write};

use yanglao_shared::money::Money;
use yanglao_shared::{IdNumber, MobileNumber, PersonName, RosterStatus};

use crate::roster::seed::NewResident;

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

/// The columns a roster CSV must have: all of [`CSV_HEADER`] but `mobile`.
const REQUIRED: usize = 7;

/// The columns of a roster CSV, as [`write_rows`] writes them. A file may end its header at
/// `paid`, without `mobile` (rosters exported before the column).
pub const CSV_HEADER: [&str; 8] = [
    "id_number",
    "name",
    "town",
    "village",
    "severely_disabled",
    "status",
    "paid",
    "mobile",
];

/// The rows of a roster CSV, one at a time, each checked on its own and against the rows
/// before it (an ID number twice in one file). Remembers only a number per row seen (the 17
/// digits before the check character), about 25 MB for a million people.
pub struct RowReader<R: Read> {
    records: csv::StringRecordsIntoIter<R>,
    /// The header's columns: [`CSV_HEADER`]'s, or all but `mobile`.
    columns: usize,
    today: time::Date,
    seen: HashMap<u64, u64>,
}

impl<R: Read> RowReader<R> {
    /// Checks the header (line 1); a wrong one is the file's only error.
    pub fn open(reader: R, today: time::Date) -> Result<Self, RowError> {
        // Flexible: a row may end before the optional last column; the count is checked per
        // row (`next`), with its line, instead of failing the reader.
        let mut csv = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(reader);
        let columns = csv
            .headers()
            .ok()
            .filter(|h| {
                let names = h.iter().map(|c| c.trim_start_matches('\u{feff}'));
                names.clone().eq(CSV_HEADER) || names.eq(CSV_HEADER[..REQUIRED].iter().copied())
            })
            .map(csv::StringRecord::len);
        let Some(columns) = columns else {
            return Err(RowError {
                line: 1,
                message: format!(
                    "表头应为 {}（最后一列 mobile 可以没有）",
                    CSV_HEADER.join(",")
                ),
            });
        };
        Ok(Self {
            records: csv.into_records(),
            columns,
            today,
            seen: HashMap::new(),
        })
    }
}

impl<R: Read> Iterator for RowReader<R> {
    /// A good row with its line number, or what is wrong with one.
    type Item = Result<(u64, NewResident), RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        let record = match self.records.next()? {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                let message = format!("无法读取：{e}");
                return Some(Err(RowError { line, message }));
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if !(REQUIRED..=self.columns).contains(&record.len()) {
            let message = format!("应有{}列，这一行有{}列", self.columns, record.len());
            return Some(Err(RowError { line, message }));
        }
        Some(match parse_row(&record, self.today) {
            Ok(row) => match self.seen.insert(key(&row.id_number), line) {
                Some(first) => Err(RowError {
                    line,
                    message: format!("身份证号与第{first}行重复"),
                }),
                None => Ok((line, row)),
            },
            Err(message) => Err(RowError { line, message }),
        })
    }
}

/// An 18-character ID number is its first 17 digits: the last character is their checksum.
fn key(id: &IdNumber) -> u64 {
    id.as_str()[..17]
        .parse()
        .expect("parsed ID numbers start with 17 digits")
}

/// Parses every row; returns all problems at once so a file is fixed in one pass.
pub fn parse_csv(reader: impl Read, today: time::Date) -> Result<Vec<NewResident>, Vec<RowError>> {
    let rows = RowReader::open(reader, today).map_err(|e| vec![e])?;
    let (mut good, mut errors) = (Vec::new(), Vec::new());
    for row in rows {
        match row {
            Ok((_, row)) => good.push(row),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(good)
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
        // A year written twice counts once, the first amount (as the ledger's key did before
        // the import wrote in batches).
        if paid.iter().all(|(y, _)| *y != year) {
            paid.push((year, amount));
        }
    }
    let mobile = match field(7) {
        "" => None,
        text => Some(MobileNumber::parse(text).map_err(|e| format!("手机号：{e}"))?),
    };
    Ok(NewResident {
        id_number,
        name,
        town,
        village,
        severely_disabled,
        status,
        paid,
        mobile,
    })
}

/// Writes `rows` as a roster CSV that [`RowReader`] reads back, header first.
pub fn write_rows(
    out: impl Write,
    rows: impl Iterator<Item = NewResident>,
) -> Result<u64, csv::Error> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(CSV_HEADER)?;
    let mut n = 0;
    for row in rows {
        write_row(&mut csv, &row)?;
        n += 1;
    }
    csv.flush()?;
    Ok(n)
}

fn write_row(csv: &mut csv::Writer<impl Write>, row: &NewResident) -> Result<(), csv::Error> {
    let paid: Vec<String> = row.paid.iter().map(|(y, m)| format!("{y}:{m}")).collect();
    csv.write_record([
        row.id_number.as_str(),
        row.name.as_str(),
        &row.town,
        &row.village,
        if row.severely_disabled { "是" } else { "否" },
        row.status.as_str(),
        &paid.join(" "),
        row.mobile.as_ref().map_or("", MobileNumber::as_str),
    ])
}
