//! Staff roles, window statistics and the audit log, on SQLite and PostgreSQL: who may see
//! which area, the numbers against a known roster, the CSV export, and an audit log that
//! records every staff read and refuses to be changed.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use time::macros::date;
use yanglao_server::gateway::sandbox::test_cards;
use yanglao_server::http::openapi::ROUTES;
use yanglao_server::roster::seed::{self, NewResident};
use yanglao_server::staff::roles::{self, NewStaff, Role};
use yanglao_shared::money::Money;
use yanglao_shared::{synthetic, PersonName, PolicyTable, RosterStatus};

on_both_stores!(
    residents_and_other_areas_are_refused,
    stats_count_the_roster_and_the_ledger,
    csv_export_has_bom_and_chinese_headers,
    every_staff_action_is_audited_and_the_log_cannot_change,
);

const PASSWORD: &str = "staff-password-1";

/// Two residents in a second village of the same town (西楼村, 龙山街道): one paid 800 for
/// 2026 at the counter, one not. The common roster has 岛山村 (3 enrolled, 1 pensioner) in
/// 龙山街道 and 400 enrolled in 泽库村, 泽库镇.
async fn seed_second_village(app: &TestApp) {
    let person = |day: u8, paid: Vec<(i32, Money)>| NewResident {
        id_number: synthetic::id_number(
            "371003",
            date!(1990 - 06 - 01).replace_day(day).unwrap(),
            31,
        ),
        name: PersonName::parse(if day == 1 { "刘桂兰" } else { "孙志强" }).unwrap(),
        town: "龙山街道".into(),
        village: "西楼村".into(),
        severely_disabled: false,
        status: RosterStatus::Enrolled,
        paid,
    };
    let rows = vec![
        person(1, vec![(2026, Money::from_yuan(800).unwrap())]),
        person(2, vec![]),
    ];
    seed::insert_all(&app.db, "371003", &rows, app.clock.now_ms())
        .await
        .unwrap();
}

/// Creates a staff account as the command line does and logs in; returns (account id, token).
async fn staff_login(
    app: &TestApp,
    mobile: &str,
    role: Role,
    town: &str,
    village: Option<&str>,
) -> (String, String) {
    let new = NewStaff {
        mobile: mobile.into(),
        password: PASSWORD.into(),
        role,
        town: town.into(),
        village: village.map(Into::into),
    };
    let id = roles::create(&app.db, &new, "cli:test", app.clock.now_ms())
        .await
        .unwrap();
    let reply = app
        .call(
            Method::POST,
            "/sessions",
            None,
            Some(json!({ "mobile": mobile, "password": PASSWORD })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let token = reply.body["token"].as_str().unwrap().to_owned();
    // The app learns the role (and area) from /me.
    let me = app.get("/me", &token).await;
    assert_eq!(me.body["staff"]["role"], role.as_str());
    assert_eq!(me.body["staff"]["town"], town);
    (id, token)
}

fn villages(reply: &Value) -> Vec<String> {
    let mut v: Vec<String> = reply["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}/{}",
                p["town"].as_str().unwrap(),
                p["village"].as_str().unwrap()
            )
        })
        .collect();
    v.dedup();
    v
}

async fn audit_actions(app: &TestApp, actor: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_log WHERE actor = $1 ORDER BY id")
        .bind(actor)
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
}

async fn residents_and_other_areas_are_refused(app: TestApp) {
    seed_second_village(&app).await;
    let resident = app.register("13900000001").await;
    let staff_routes: Vec<_> = ROUTES
        .iter()
        .filter(|r| r.0 == "get" && r.1.starts_with("/staff/"))
        .collect();
    assert_eq!(staff_routes.len(), 5);
    assert_eq!(app.get("/me", &resident).await.body["staff"], Value::Null);
    for (_, path, _, _) in &staff_routes {
        let reply = app.get(&format!("{path}?year=2026"), &resident).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(reply.body["code"], "forbidden");
        assert_eq!(reply.body["message"], "没有权限");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action <> 'create_staff'")
            .await,
        0
    );

    let (_, village_a) = staff_login(
        &app,
        "13900000002",
        Role::Village,
        "龙山街道",
        Some("岛山村"),
    )
    .await;
    let own = app.get("/staff/unpaid?year=2026", &village_a).await;
    assert_eq!(own.status, StatusCode::OK, "{:?}", own.body);
    assert_eq!(villages(&own.body), ["龙山街道/岛山村"]);
    assert_eq!(own.body["total"], 3);
    // Village B, another town, or the whole town: nothing, whichever route.
    for path in ["/staff/unpaid", "/staff/stats", "/staff/unpaid.csv"] {
        for query in [
            "village=西楼村",
            "town=泽库镇",
            "town=泽库镇&village=岛山村",
        ] {
            let reply = app
                .get(&format!("{path}?year=2026&{query}"), &village_a)
                .await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path}?{query}");
            assert_eq!(reply.body["code"], "forbidden");
        }
    }
    // Asking for one's own village by name is fine.
    let named = app
        .get("/staff/stats?village=岛山村&town=龙山街道", &village_a)
        .await;
    assert_eq!(named.body["enrolled"], 3, "{:?}", named.body);

    let (_, town) = staff_login(&app, "13900000003", Role::Town, "龙山街道", None).await;
    let whole = app.get("/staff/unpaid?year=2026", &town).await;
    assert_eq!(
        villages(&whole.body),
        ["龙山街道/岛山村", "龙山街道/西楼村"]
    );
    assert_eq!(whole.body["total"], 4);
    let one = app
        .get("/staff/unpaid?year=2026&village=西楼村", &town)
        .await;
    assert_eq!(villages(&one.body), ["龙山街道/西楼村"]);
    let other = app.get("/staff/stats?town=泽库镇", &town).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);

    let (_, admin) = staff_login(&app, "13900000004", Role::Admin, "文登区", None).await;
    let all = app.get("/staff/stats?year=2026", &admin).await;
    assert_eq!(all.body["enrolled"], 3 + 2 + 400);
    let zeku = app
        .get("/staff/unpaid?town=泽库镇&limit=10&offset=5", &admin)
        .await;
    assert_eq!(zeku.body["total"], 400);
    assert_eq!(zeku.body["people"].as_array().unwrap().len(), 10);
    assert_eq!(villages(&zeku.body), ["泽库镇/泽库村"]);

    // Without a session: 401, not 403.
    let anonymous = app.call(Method::GET, "/staff/stats", None, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    app.server.stop().await;
}

async fn stats_count_the_roster_and_the_ledger(app: TestApp) {
    seed_second_village(&app).await;
    let payer = app.register("13900000011").await;
    let mum = app.add_payee(&payer, &mother()).await;
    let dad = app.add_payee(&payer, &father()).await;
    let card = app.bind_card(&payer, &test_cards::pays()).await;
    let paid = app
        .sync(
            &payer,
            None,
            vec![
                intent(mum, "1500", Some(card)),
                intent(dad, "500", Some(card)),
            ],
        )
        .await;
    assert_eq!(states(&paid), ["paid", "paid"]);

    let (_, village) = staff_login(
        &app,
        "13900000012",
        Role::Village,
        "龙山街道",
        Some("岛山村"),
    )
    .await;
    let stats = app.get("/staff/stats?year=2026", &village).await;
    assert_eq!(stats.status, StatusCode::OK, "{:?}", stats.body);
    let b = &stats.body;
    // The pensioner (drawing_pension) is not counted.
    assert_eq!(
        (
            b["enrolled"].clone(),
            b["paid"].clone(),
            b["unpaid"].clone()
        ),
        (json!(3), json!(2), json!(1))
    );
    assert_eq!(b["charging"], 0);
    assert_eq!(b["paid_fen"], 200_000);
    assert_eq!(
        b["tiers"],
        json!([
            { "amount_fen": 50_000, "amount": "500", "count": 1, "sum_fen": 50_000 },
            { "amount_fen": 150_000, "amount": "1500", "count": 1, "sum_fen": 150_000 },
        ])
    );
    let policy = PolicyTable::builtin();
    let expected_days = match policy
        .lookup("371003", 2026)
        .unwrap()
        .window
        .state_at(IN_WINDOW)
    {
        yanglao_shared::window::WindowState::Open { days_left, .. } => days_left,
        other => panic!("{other:?}"),
    };
    assert_eq!(b["days_left"], expected_days);
    assert_eq!(b["window"]["state"], "open");

    let unpaid = app.get("/staff/unpaid", &village).await;
    assert_eq!(unpaid.body["year"], 2026, "this year by default");
    let people = unpaid.body["people"].as_array().unwrap();
    assert_eq!(people.len(), 1);
    assert_eq!(people[0]["name"], disabled_neighbour().name);
    let masked = people[0]["id_masked"].as_str().unwrap();
    assert!(masked.contains('*') && masked != disabled_neighbour().id_number.as_str());
    assert!(!unpaid
        .body
        .to_string()
        .contains(disabled_neighbour().id_number.as_str()));

    let (_, town) = staff_login(&app, "13900000013", Role::Town, "龙山街道", None).await;
    let t = app.get("/staff/stats?year=2026", &town).await.body;
    assert_eq!(
        (
            t["enrolled"].clone(),
            t["paid"].clone(),
            t["unpaid"].clone()
        ),
        (json!(5), json!(3), json!(2))
    );
    let tiers: Vec<_> = t["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["amount"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(tiers, ["500", "800", "1500"]);
    assert_eq!(t["paid_fen"], 280_000);

    // Last year: mother and father paid 500 each (roster history); the window is closed.
    let last = app.get("/staff/stats?year=2025", &village).await.body;
    assert_eq!(
        (
            last["paid"].clone(),
            last["unpaid"].clone(),
            last["days_left"].clone()
        ),
        (json!(2), json!(1), json!(0))
    );
    assert_eq!(
        last["tiers"],
        json!([{ "amount_fen": 50_000, "amount": "500", "count": 2, "sum_fen": 100_000 }])
    );
    let bad = app.get("/staff/stats?year=1900", &village).await;
    assert_eq!(bad.body["code"], "bad_year");
    let junk = app.get("/staff/stats?year=abc", &village).await;
    assert_eq!(junk.body["code"], "invalid_query");
    app.server.stop().await;
}

async fn csv_export_has_bom_and_chinese_headers(app: TestApp) {
    seed_second_village(&app).await;
    let (_, town) = staff_login(&app, "13900000021", Role::Town, "龙山街道", None).await;
    let response = app
        .http
        .get(format!("{}/api/v1/staff/unpaid.csv?year=2026", app.url))
        .bearer_auth(&town)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    let bytes = response.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 BOM for Excel");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let lines: Vec<_> = text.lines().collect();
    assert_eq!(lines[0], "姓名,身份证号码（部分隐藏）,镇街,村居,缴费年度");
    assert_eq!(lines.len(), 1 + 4, "{text}");
    assert!(lines
        .iter()
        .any(|l| l.starts_with("丛玉梅,371") && l.ends_with(",龙山街道,岛山村,2026")));
    assert!(!text.contains(disabled_neighbour().id_number.as_str()));
    app.server.stop().await;
}

async fn every_staff_action_is_audited_and_the_log_cannot_change(app: TestApp) {
    let (id, token) = staff_login(
        &app,
        "13900000031",
        Role::Village,
        "龙山街道",
        Some("岛山村"),
    )
    .await;
    for path in ["/staff/stats", "/staff/unpaid", "/staff/unpaid.csv"] {
        assert_eq!(app.get(path, &token).await.status, StatusCode::OK, "{path}");
    }
    // Refused reads write nothing (there was nothing to see).
    let refused = app.get("/staff/unpaid?village=西楼村", &token).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        audit_actions(&app, &id).await,
        ["view_stats", "view_unpaid", "export_unpaid"]
    );
    let row = sqlx::query_as::<_, (String, String, i64, Option<String>, Option<String>)>(
        "SELECT action, target, at, before_json, after_json FROM audit_log WHERE actor = $1 AND action = 'view_unpaid'",
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

    // Append-only, whoever asks: the database itself refuses.
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
    app.server.stop().await;
}
