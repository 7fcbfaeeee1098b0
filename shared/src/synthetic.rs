//! Valid, made-up ID numbers for tests and the demo roster. They pass every check (calendar date,
//! check character) but belong to nobody: the sequence numbers are chosen by the caller.

use time::Date;

use crate::id_number::{check_char, IdNumber};

/// Builds the ID for `area` (six digits), `birth` and sequence `seq` (0..=999; odd = male).
///
/// # Panics
/// If `area` is not six ASCII digits or `birth` is outside 1900..=9999: a programming error in a
/// test or seed, never user input.
pub fn id_number(area: &str, birth: Date, seq: u16) -> IdNumber {
    assert!(
        area.len() == 6 && area.bytes().all(|b| b.is_ascii_digit()),
        "area code must be six digits"
    );
    let body = format!(
        "{area}{:04}{:02}{:02}{:03}",
        birth.year(),
        birth.month() as u8,
        birth.day(),
        seq % 1000
    );
    let check = check_char(body.as_bytes()) as char;
    IdNumber::parse_any_date(&format!("{body}{check}")).expect("synthetic IDs are valid")
}
