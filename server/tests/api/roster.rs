//! The roster import is all or nothing: one ID already on the roster fails the whole file,
//! with its line number, and nothing is half-imported.

use time::macros::date;
use yanglao_server::roster::seed::{self, ImportError};

use crate::on_both_stores;
use crate::support::*;

on_both_stores!(an_import_with_one_bad_row_imports_nothing_and_names_its_line);

async fn an_import_with_one_bad_row_imports_nothing_and_names_its_line(app: &TestApp) {
    let before = app.count("SELECT COUNT(*) FROM residents").await;
    let contributions = app.count("SELECT COUNT(*) FROM contributions").await;
    let fresh = yanglao_shared::synthetic::id_number("371003", date!(1990 - 06 - 01), 5);
    let csv = format!(
        "id_number,name,town,village,severely_disabled,status,paid\n\
         {},新居民,龙山街道,岛山村,否,enrolled,2025:500\n\
         {},王秀英,龙山街道,岛山村,否,enrolled,\n",
        fresh.as_str(),
        mother().id_number.as_str()
    );
    let rows = seed::parse_csv(csv.as_bytes(), date!(2026 - 03 - 01)).unwrap();
    let err = seed::insert_all(&app.db, "371003", &rows, 0)
        .await
        .unwrap_err();
    match err {
        ImportError::Rows(rows) => assert_eq!(rows[0].line, 3, "the second data row is line 3"),
        other => panic!("{other}"),
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM residents").await,
        before,
        "nothing half-imported"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM contributions").await,
        contributions
    );
}
