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
