//! Who sees and moves an enrolment form: the applicant their own; the village assistant of
//! its village checks it; the town center of its town enters it; nobody else.

use reqwest::StatusCode;
use time::macros::date;
use uuid::Uuid;
use yanglao_server::staff::roles::Role;
use yanglao_shared::synthetic;

use super::{enrolments, enter};
use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    an_applicant_sees_only_their_own_forms,
    a_resident_may_not_list_the_staff_queue,
    staff_list_only_the_forms_of_their_area,
    nobody_but_the_villages_assistant_checks_its_forms,
    nobody_but_the_towns_center_enters_its_forms,
    a_village_assistant_files_forms_for_their_own_village_only,
    a_village_assistants_list_approval_and_filing_are_audited,
);

fn far() -> Person {
    Person {
        name: "谷立新",
        id_number: synthetic::id_number("371003", date!(1979 - 09 - 09), 61),
    }
}

fn neighbour() -> Person {
    Person {
        name: "鞠文华",
        id_number: synthetic::id_number("371081", date!(1972 - 12 - 01), 73),
    }
}

/// Resident A's form in 岛山村 (龙山街道) and resident B's in 泽库村 (泽库镇).
struct Two {
    resident_a: String,
    here: Uuid,
    there: Uuid,
}

async fn two_forms(app: &TestApp) -> Two {
    app.seed(&bulk(1)).await;
    let resident_a = app.account("13800000021").await;
    let resident_b = app.account("13800000022").await;
    let here = enrolment(&newcomer(), TOWN, VILLAGE);
    app.api.file_enrolment(&resident_a, &here).await.unwrap();
    let there = enrolment(&far(), BULK_TOWN, BULK_VILLAGE);
    app.api.file_enrolment(&resident_b, &there).await.unwrap();
    Two {
        resident_a,
        here: here.id,
        there: there.id,
    }
}

async fn village_a(app: &TestApp) -> (String, String) {
    app.staff("13900000021", Role::Village, TOWN, Some(VILLAGE))
        .await
}

async fn an_applicant_sees_only_their_own_forms(app: &TestApp) {
    let two = two_forms(app).await;
    let mine = app.api.enrolments(&two.resident_a).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].id, two.here);
}

async fn a_resident_may_not_list_the_staff_queue(app: &TestApp) {
    let two = two_forms(app).await;
    let refused = app.api.staff_enrolments(&two.resident_a).await.unwrap_err();
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

async fn staff_list_only_the_forms_of_their_area(app: &TestApp) {
    two_forms(app).await;
    let (_, village_a) = village_a(app).await;
    let (_, village_b) = app
        .staff("13900000022", Role::Village, TOWN, Some(SECOND_VILLAGE))
        .await;
    let (_, town_ls) = app.staff("13900000023", Role::Town, TOWN, None).await;
    let (_, town_zk) = app.staff("13900000024", Role::Town, BULK_TOWN, None).await;
    for (token, count) in [(village_a, 1), (village_b, 0), (town_ls, 1), (town_zk, 1)] {
        assert_eq!(app.api.staff_enrolments(&token).await.unwrap().len(), count);
    }
}

async fn nobody_but_the_villages_assistant_checks_its_forms(app: &TestApp) {
    let two = two_forms(app).await;
    let (_, village_a) = village_a(app).await;
    let (_, village_b) = app
        .staff("13900000022", Role::Village, TOWN, Some(SECOND_VILLAGE))
        .await;
    let (_, town_ls) = app.staff("13900000023", Role::Town, TOWN, None).await;
    for token in [&two.resident_a, &village_b, &town_ls] {
        let refused = app
            .api
            .village_check(token, two.here, &approve_materials())
            .await
            .unwrap_err();
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert_eq!(refused.code, "forbidden");
    }
    let elsewhere = app
        .api
        .village_check(&village_a, two.there, &approve_materials())
        .await
        .unwrap_err();
    assert_eq!(elsewhere.status, StatusCode::FORBIDDEN);
    assert!(app
        .api
        .village_check(&village_a, two.here, &approve_materials())
        .await
        .is_ok());
}

async fn nobody_but_the_towns_center_enters_its_forms(app: &TestApp) {
    let two = two_forms(app).await;
    let (_, village_a) = village_a(app).await;
    let (_, town_zk) = app.staff("13900000024", Role::Town, BULK_TOWN, None).await;
    app.api
        .village_check(&village_a, two.here, &approve_materials())
        .await
        .unwrap();
    for token in [&two.resident_a, &village_a, &town_zk] {
        let refused = app
            .api
            .town_review(token, two.here, &enter())
            .await
            .unwrap_err();
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM enrolments WHERE state = 'enrolled'")
            .await,
        0
    );
}

/// Town staff review forms, they do not file them.
async fn a_village_assistant_files_forms_for_their_own_village_only(app: &TestApp) {
    app.seed(&bulk(1)).await;
    let (_, village_a) = village_a(app).await;
    let (_, town_ls) = app.staff("13900000023", Role::Town, TOWN, None).await;
    let outside = enrolment(&neighbour(), BULK_TOWN, BULK_VILLAGE);
    let refused = app
        .api
        .file_enrolment(&village_a, &outside)
        .await
        .unwrap_err();
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let inside = enrolment(&neighbour(), TOWN, VILLAGE);
    let by_town = app.api.file_enrolment(&town_ls, &inside).await.unwrap_err();
    assert_eq!(by_town.status, StatusCode::FORBIDDEN);
    assert_eq!(enrolments(app).await, 0);
    assert!(app.api.file_enrolment(&village_a, &inside).await.is_ok());
}

async fn a_village_assistants_list_approval_and_filing_are_audited(app: &TestApp) {
    let two = two_forms(app).await;
    let (a_id, village_a) = village_a(app).await;
    app.api.staff_enrolments(&village_a).await.unwrap();
    app.api
        .village_check(&village_a, two.here, &approve_materials())
        .await
        .unwrap();
    let outside = enrolment(&neighbour(), BULK_TOWN, BULK_VILLAGE);
    assert!(app.api.file_enrolment(&village_a, &outside).await.is_err());
    let inside = enrolment(&neighbour(), TOWN, VILLAGE);
    app.api.file_enrolment(&village_a, &inside).await.unwrap();
    assert_eq!(
        app.audit_actions(&a_id).await,
        [
            "enrolment_list",
            "enrolment_village_approve",
            "enrolment_enter"
        ]
    );
}
