//! The audit log: every staff read is recorded (a refused one is not, there was nothing to
//! see), creating staff is recorded with the mobile masked, and the database itself refuses
//! any change to the log, whoever asks.

use reqwest::StatusCode;
use serde_json::Value;
use yanglao_server::staff::roles::Role;

use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    every_staff_read_is_audited_and_a_refused_one_is_not,
    a_read_is_audited_with_its_area_year_time_and_what_was_seen,
    creating_staff_is_audited_with_the_mobile_masked,
    the_audit_log_is_append_only_in_the_database,
);

/// A village assistant of 岛山村 who read stats, the unpaid list and the export.
async fn three_reads(app: &TestApp) -> String {
    let (id, token) = app
        .staff("13900000031", Role::Village, TOWN, Some(VILLAGE))
        .await;
    app.api.staff_stats(&token, "").await.unwrap();
    app.api.staff_unpaid(&token, "").await.unwrap();
    app.api.unpaid_csv(&token, "").await.unwrap();
    let refused = app
        .api
        .staff_unpaid(&token, "village=西楼村")
        .await
        .unwrap_err();
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    id
}

async fn every_staff_read_is_audited_and_a_refused_one_is_not(app: &TestApp) {
    let id = three_reads(app).await;
    assert_eq!(
        app.audit_actions(&id).await,
        ["view_stats", "view_unpaid", "export_unpaid"]
    );
}

async fn a_read_is_audited_with_its_area_year_time_and_what_was_seen(app: &TestApp) {
    let id = three_reads(app).await;
    let row = sqlx::query_as::<_, (String, String, i64, Option<String>, Option<String>)>(
        "SELECT action, target, at, before_json, after_json FROM audit_log \
         WHERE actor = $1 AND action = 'view_unpaid'",
    )
    .bind(&id)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(row.1, "area:龙山街道/岛山村 year:2026");
    assert_eq!(row.2, app.clock.now_ms());
    assert_eq!(row.3, None);
    let after: Value = serde_json::from_str(row.4.as_deref().unwrap()).unwrap();
    assert_eq!(after["total"], 3);
}

async fn creating_staff_is_audited_with_the_mobile_masked(app: &TestApp) {
    let (id, _) = app
        .staff("13900000031", Role::Village, TOWN, Some(VILLAGE))
        .await;
    let created: (String, String, Option<String>) = sqlx::query_as(
        "SELECT actor, target, after_json FROM audit_log WHERE action = 'create_staff'",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(created.0, "cli:test");
    assert_eq!(created.1, format!("account:{id}"));
    let after: Value = serde_json::from_str(created.2.as_deref().unwrap()).unwrap();
    assert_eq!(
        (after["role"].as_str(), after["village"].as_str()),
        (Some("village"), Some("岛山村"))
    );
    assert!(!after.to_string().contains("13900000031"), "mobile masked");
}

async fn the_audit_log_is_append_only_in_the_database(app: &TestApp) {
    three_reads(app).await;
    let before = app.count("SELECT COUNT(*) FROM audit_log").await;
    assert_eq!(before, 4);
    for sql in [
        "UPDATE audit_log SET action = 'nothing'",
        "UPDATE audit_log SET after_json = NULL WHERE action = 'export_unpaid'",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE action = 'view_stats'",
    ] {
        let result = sqlx::query(sql).execute(&app.db.pool).await;
        let err = result.expect_err(sql).to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, before);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'nothing'")
            .await,
        0
    );
}
