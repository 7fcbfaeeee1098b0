//! What each side sees of the person: the village assistant of the form's village and the
//! town center of its town compare the name and ID number with the papers, so they get them
//! in full (and the read is audited naming the forms); the applicant, another village's
//! assistant, another town and an administrator get masked values or nothing. The applicant
//! gets the filed form back in full only to fix it or to add the enrolled person.

use reqwest::StatusCode;
use yanglao_server::staff::roles::Role;

use super::filed;
use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    the_villages_assistant_and_the_towns_center_see_the_person_in_full,
    everyone_else_sees_masked_values_or_nothing,
    the_applicant_gets_the_filed_form_back_to_fix_or_to_add,
);

async fn the_villages_assistant_and_the_towns_center_see_the_person_in_full(app: &TestApp) {
    let f = filed(app).await;
    let person = newcomer();
    let seen = app.api.staff_enrolments(&f.village).await.unwrap();
    let full = seen[0]
        .full
        .as_ref()
        .expect("the village assistant sees it in full");
    assert_eq!(
        (full.name.as_str(), full.id_number.as_str()),
        (person.name, person.id_number.as_str())
    );
    f.village_approved(app).await;
    let at_town = app.api.staff_enrolments(&f.town).await.unwrap();
    let full = at_town[0].full.as_ref().expect("the town center too");
    assert_eq!(full.id_number, person.id_number.as_str());
    // The read names the forms shown in full; the log itself keeps masked values only.
    let logged: Vec<String> = sqlx::query_scalar(
        "SELECT after_json FROM audit_log WHERE action = 'enrolment_list' ORDER BY id",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(logged.len(), 2);
    assert!(
        logged.iter().all(|j| j.contains(&f.id().to_string())),
        "{logged:?}"
    );
    let everything: Vec<String> = sqlx::query_scalar(
        "SELECT COALESCE(before_json, '') || COALESCE(after_json, '') FROM audit_log",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert!(everything
        .iter()
        .all(|j| !j.contains(person.id_number.as_str())));
}

async fn everyone_else_sees_masked_values_or_nothing(app: &TestApp) {
    let f = filed(app).await;
    let person = newcomer();
    let mine = app.api.enrolments(&f.son).await.unwrap();
    assert_eq!(mine[0].full, None, "the applicant's list is masked");
    assert_ne!(mine[0].name_masked, person.name);
    assert!(!mine[0].id_masked.contains(person.id_number.as_str()));
    let (_, other_village) = app
        .staff("13900000013", Role::Village, TOWN, Some(SECOND_VILLAGE))
        .await;
    let there = app.api.staff_enrolments(&other_village).await.unwrap();
    assert!(
        there.iter().all(|v| v.id != f.id()),
        "another village's list"
    );
    let (_, other_town) = app.staff("13900000014", Role::Town, BULK_TOWN, None).await;
    let elsewhere = app.api.staff_enrolments(&other_town).await.unwrap();
    assert!(elsewhere.iter().all(|v| v.id != f.id()));
    let (_, admin) = app.staff("13900000015", Role::Admin, TOWN, None).await;
    let all = app.api.staff_enrolments(&admin).await.unwrap();
    let it = all
        .iter()
        .find(|v| v.id == f.id())
        .expect("the admin sees it");
    assert_eq!(it.full, None, "masked for an administrator");
    assert_ne!(it.name_masked, person.name);
}

async fn the_applicant_gets_the_filed_form_back_to_fix_or_to_add(app: &TestApp) {
    let f = filed(app).await;
    let waiting = app.api.enrolment_form(&f.son, f.id()).await.unwrap_err();
    assert_eq!(
        (waiting.status, waiting.code.as_str()),
        (StatusCode::CONFLICT, "under_review")
    );
    f.returned(app).await;
    let to_fix = app.api.enrolment_form(&f.son, f.id()).await.unwrap();
    assert_eq!(to_fix, f.form, "name, ID, mobile and place as filed");
    let stranger = app.account("13800000019").await;
    let theirs = app.api.enrolment_form(&stranger, f.id()).await.unwrap_err();
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    // Fixed unchanged, approved and entered: the form comes back to add her as a payee.
    let fixed = yanglao_shared::applications::EnrolmentForm {
        revision: 1,
        ..f.form.clone()
    };
    app.api.file_enrolment(&f.son, &fixed).await.unwrap();
    f.entered(app).await;
    let to_add = app.api.enrolment_form(&f.son, f.id()).await.unwrap();
    assert_eq!(to_add.id_number, newcomer().id_number.as_str());
}
