//! Staff roles and their areas: a village assistant sees one village, a town center one
//! town, an administrator the district; residents and other areas are refused.

use reqwest::StatusCode;
use yanglao_server::http::openapi::routes;
use yanglao_server::staff::roles::Role;
use yanglao_shared::wire::StaffRole;

use super::villages;
use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    a_resident_has_no_staff_role,
    the_app_learns_a_staff_members_role_and_area_from_me,
    a_resident_is_refused_every_staff_read_and_nothing_is_audited,
    a_village_assistant_sees_the_unpaid_of_their_own_village,
    a_village_assistant_is_refused_other_villages_and_towns_on_every_route,
    a_village_assistant_may_name_their_own_village,
    a_town_center_sees_every_village_of_its_town,
    a_town_center_is_refused_another_town,
    an_administrator_sees_the_whole_district,
    staff_reads_without_a_session_are_unauthorized,
);

async fn village_assistant(app: &TestApp) -> String {
    app.seed(&second_village()).await;
    app.staff("13900000002", Role::Village, TOWN, Some(VILLAGE))
        .await
        .1
}

async fn town_center(app: &TestApp) -> String {
    app.seed(&second_village()).await;
    app.staff("13900000003", Role::Town, TOWN, None).await.1
}

async fn a_resident_has_no_staff_role(app: &TestApp) {
    let resident = app.account("13800000091").await;
    assert_eq!(app.api.me(&resident).await.unwrap().staff, None);
}

async fn the_app_learns_a_staff_members_role_and_area_from_me(app: &TestApp) {
    for (mobile, role, wire, town, village) in [
        (
            "13900000002",
            Role::Village,
            StaffRole::Village,
            TOWN,
            Some(VILLAGE),
        ),
        ("13900000003", Role::Town, StaffRole::Town, TOWN, None),
        ("13900000004", Role::Admin, StaffRole::Admin, "文登区", None),
    ] {
        let (_, token) = app.staff(mobile, role, town, village).await;
        let staff = app.api.me(&token).await.unwrap().staff.expect("staff");
        assert_eq!(staff.role, wire);
        assert_eq!(staff.role.as_str(), role.as_str());
        assert_eq!(staff.town.as_deref(), Some(town));
    }
}

async fn a_resident_is_refused_every_staff_read_and_nothing_is_audited(app: &TestApp) {
    let resident = app.account("13800000091").await;
    let staff_routes: Vec<_> = routes()
        .into_iter()
        .filter(|r| r.method == "get" && r.path.starts_with("/staff/"))
        .map(|r| r.path)
        .collect();
    assert_eq!(staff_routes.len(), 9);
    for path in &staff_routes {
        let reply = app
            .api
            .raw(
                reqwest::Method::GET,
                &format!("{path}?year=2026"),
                Some(&resident),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path}");
        let body: yanglao_shared::wire::ErrorBody = serde_json::from_slice(&reply.bytes).unwrap();
        assert_eq!(body.code, "forbidden");
        assert_eq!(body.message, "没有权限");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action <> 'create_staff'")
            .await,
        0
    );
}

async fn a_village_assistant_sees_the_unpaid_of_their_own_village(app: &TestApp) {
    let village_a = village_assistant(app).await;
    let own = app.api.staff_unpaid(&village_a, "year=2026").await.unwrap();
    assert_eq!(villages(&own), ["龙山街道/岛山村"]);
    assert_eq!(own.total, 3);
}

/// Village B, another town, or the whole town: nothing, whichever route.
async fn a_village_assistant_is_refused_other_villages_and_towns_on_every_route(app: &TestApp) {
    let village_a = village_assistant(app).await;
    for path in ["/staff/unpaid", "/staff/stats", "/staff/unpaid.csv"] {
        for query in [
            "village=西楼村",
            "town=泽库镇",
            "town=泽库镇&village=岛山村",
        ] {
            let reply = app
                .api
                .raw(
                    reqwest::Method::GET,
                    &format!("{path}?year=2026&{query}"),
                    Some(&village_a),
                    None,
                )
                .await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path}?{query}");
            assert_eq!(reply.code().as_deref(), Some("forbidden"));
        }
    }
}

async fn a_village_assistant_may_name_their_own_village(app: &TestApp) {
    let village_a = village_assistant(app).await;
    let named = app
        .api
        .staff_stats(&village_a, "village=岛山村&town=龙山街道")
        .await
        .unwrap();
    assert_eq!(named.enrolled, 3, "{named:?}");
}

async fn a_town_center_sees_every_village_of_its_town(app: &TestApp) {
    let town = town_center(app).await;
    let whole = app.api.staff_unpaid(&town, "year=2026").await.unwrap();
    assert_eq!(villages(&whole), ["龙山街道/岛山村", "龙山街道/西楼村"]);
    assert_eq!(whole.total, 4);
    let one = app
        .api
        .staff_unpaid(&town, "year=2026&village=西楼村")
        .await
        .unwrap();
    assert_eq!(villages(&one), ["龙山街道/西楼村"]);
}

async fn a_town_center_is_refused_another_town(app: &TestApp) {
    let town = town_center(app).await;
    let other = app.api.staff_stats(&town, "town=泽库镇").await.unwrap_err();
    assert_eq!(other.status, StatusCode::FORBIDDEN);
}

/// The paging test: 400 residents in 泽库村.
async fn an_administrator_sees_the_whole_district(app: &TestApp) {
    app.seed(&second_village()).await;
    app.seed(&bulk(400)).await;
    let (_, admin) = app.staff("13900000004", Role::Admin, "文登区", None).await;
    let all = app.api.staff_stats(&admin, "year=2026").await.unwrap();
    assert_eq!(all.enrolled, 3 + 2 + 400);
    let zeku = app
        .api
        .staff_unpaid(&admin, "town=泽库镇&limit=10&offset=5")
        .await
        .unwrap();
    assert_eq!(zeku.total, 400);
    assert_eq!(zeku.people.len(), 10);
    assert_eq!(villages(&zeku), ["泽库镇/泽库村"]);
}

/// 401, not 403.
async fn staff_reads_without_a_session_are_unauthorized(app: &TestApp) {
    let anonymous = app
        .api
        .raw(reqwest::Method::GET, "/staff/stats", None, None)
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}
