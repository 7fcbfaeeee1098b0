//! The unpaid list as a CSV file for a spreadsheet: an attachment, UTF-8 with a BOM for
//! Excel, Chinese headers, the town's four unpaid people with masked ID numbers.

use reqwest::StatusCode;
use yanglao_server::staff::roles::Role;

use crate::on_both_stores;
use crate::support::client::RawAnswer;
use crate::support::*;

on_both_stores!(
    the_unpaid_export_is_a_csv_attachment,
    the_unpaid_export_opens_in_excel_with_chinese_headers,
    the_unpaid_export_lists_the_area_with_masked_id_numbers,
    a_villages_and_a_towns_exports_are_named_by_area_and_day,
);

async fn exported(app: &TestApp) -> RawAnswer {
    app.seed(&second_village()).await;
    let (_, town) = app.staff("13900000021", Role::Town, TOWN, None).await;
    app.api.unpaid_csv(&town, "year=2026").await.unwrap()
}

async fn the_unpaid_export_is_a_csv_attachment(app: &TestApp) {
    let csv = exported(app).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let disposition = csv.headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
}

async fn the_unpaid_export_opens_in_excel_with_chinese_headers(app: &TestApp) {
    let csv = exported(app).await;
    assert_eq!(&csv.bytes[..3], b"\xEF\xBB\xBF", "UTF-8 BOM for Excel");
    let text = std::str::from_utf8(&csv.bytes[3..]).unwrap();
    assert_eq!(
        text.lines().next(),
        Some("姓名,身份证号码（部分隐藏）,镇街,村居,缴费年度")
    );
}

async fn the_unpaid_export_lists_the_area_with_masked_id_numbers(app: &TestApp) {
    let csv = exported(app).await;
    let text = std::str::from_utf8(&csv.bytes[3..]).unwrap();
    let lines: Vec<_> = text.lines().collect();
    assert_eq!(lines.len(), 1 + 4, "{text}");
    assert!(lines
        .iter()
        .any(|l| l.starts_with("丛玉梅,371") && l.ends_with(",龙山街道,岛山村,2026")));
    assert!(!text.contains(disabled_neighbour().id_number.as_str()));
}

/// The UTF-8 name in `filename*=UTF-8''…`, percent-decoded.
fn file_name(answer: &RawAnswer) -> String {
    let disposition = answer.headers["content-disposition"].to_str().unwrap();
    let encoded = disposition.split("filename*=UTF-8''").nth(1).unwrap();
    let bytes = encoded.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

async fn a_villages_and_a_towns_exports_are_named_by_area_and_day(app: &TestApp) {
    app.seed(&second_village()).await;
    let (_, town) = app.staff("13900000021", Role::Town, TOWN, None).await;
    let (_, village) = app
        .staff("13900000022", Role::Village, TOWN, Some(VILLAGE))
        .await;
    let today = yanglao_shared::window::cst_date(app.clock.now());
    let day = format!(
        "{:04}-{:02}-{:02}",
        today.year(),
        u8::from(today.month()),
        today.day()
    );
    let this_year = format!("year={}", today.year());
    let town_csv = app.api.unpaid_csv(&town, &this_year).await.unwrap();
    let village_csv = app.api.unpaid_csv(&village, &this_year).await.unwrap();
    assert_eq!(file_name(&town_csv), format!("未缴费名单-{TOWN}-{day}.csv"));
    assert_eq!(
        file_name(&village_csv),
        format!("未缴费名单-{VILLAGE}-{day}.csv")
    );
    let earlier = app
        .api
        .unpaid_csv(&village, &format!("year={}", today.year() - 1))
        .await
        .unwrap();
    assert_eq!(
        file_name(&earlier),
        format!("未缴费名单-{VILLAGE}-{}年度-{day}.csv", today.year() - 1)
    );
}
