//! The names of the files staff export, one rule for the server (its `Content-Disposition`)
//! and the app (the name a download is saved under): by area and the day it was taken (China
//! time), so a village's and a town's lists, or two days' lists, never overwrite each other in
//! a Downloads folder.

use time::Date;

pub use crate::timetext::day_text;

/// `未缴费名单-西楼村-2027-03-01.csv` for the area's own village or town (`None`: the whole
/// district, 全区), with the year when it is not the day's own.
pub fn unpaid_list_name(place: Option<&str>, year: i32, day: Date) -> String {
    let place = place.unwrap_or("全区");
    let text = day_text(day);
    if year == day.year() {
        format!("未缴费名单-{place}-{text}.csv")
    } else {
        format!("未缴费名单-{place}-{year}年度-{text}.csv")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_list_is_named_by_its_area_and_day() {
        let day = date!(2027 - 03 - 01);
        assert_eq!(
            unpaid_list_name(Some("西楼村"), 2027, day),
            "未缴费名单-西楼村-2027-03-01.csv"
        );
        assert_eq!(
            unpaid_list_name(Some("文登营镇"), 2026, day),
            "未缴费名单-文登营镇-2026年度-2027-03-01.csv"
        );
        assert_eq!(
            unpaid_list_name(None, 2027, day),
            "未缴费名单-全区-2027-03-01.csv"
        );
    }
}
