//! The enrolment form offers the places the roster and the staff know, and no other is
//! accepted: a village name with a typo would leave the form where no village assistant looks.

use reqwest::StatusCode;
use yanglao_server::staff::roles::Role;

use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    the_places_are_the_rosters_villages_and_the_staffs,
    a_form_naming_an_unknown_village_is_refused,
    a_form_naming_a_staff_members_village_is_accepted,
);

async fn with_second_village_staff(app: &TestApp) {
    app.staff("13900000051", Role::Village, TOWN, Some(SECOND_VILLAGE))
        .await;
}

async fn the_places_are_the_rosters_villages_and_the_staffs(app: &TestApp) {
    with_second_village_staff(app).await;
    let places = app.api.places().await.unwrap();
    let town = places.iter().find(|p| p.town == TOWN).unwrap();
    assert!(town.villages.iter().any(|v| v == VILLAGE), "{places:?}");
    assert!(
        town.villages.iter().any(|v| v == SECOND_VILLAGE),
        "a staff member's village counts: {places:?}"
    );
}

async fn a_form_naming_an_unknown_village_is_refused(app: &TestApp) {
    with_second_village_staff(app).await;
    let token = app.account("13800000061").await;
    let typo = enrolment(&newcomer(), TOWN, "岛山");
    let refused = app.api.file_enrolment(&token, &typo).await.unwrap_err();
    assert_eq!(
        (refused.status, refused.code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "unknown_place")
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM enrolments").await, 0);
}

async fn a_form_naming_a_staff_members_village_is_accepted(app: &TestApp) {
    with_second_village_staff(app).await;
    let token = app.account("13800000061").await;
    // Under the id of a form refused for its place: a refusal left nothing behind.
    let typo = enrolment(&newcomer(), TOWN, "岛山");
    assert!(app.api.file_enrolment(&token, &typo).await.is_err());
    let form = yanglao_shared::applications::EnrolmentForm {
        village: SECOND_VILLAGE.into(),
        ..typo
    };
    assert!(app.api.file_enrolment(&token, &form).await.is_ok());
}
