//! Who sees and moves a back-payment application: the applicant their own; staff of its area
//! see it; only the town center of its town reviews it and records the receipt.

use reqwest::StatusCode;
use uuid::Uuid;
use yanglao_server::staff::roles::Role;

use super::{apply, back_rows};
use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    an_applicant_sees_only_their_own_applications,
    a_resident_may_not_list_the_staff_queue,
    staff_list_the_applications_of_their_area,
    only_the_town_center_of_the_area_reviews,
    only_the_town_center_of_the_area_records_the_receipt,
);

/// Mother's 2020 at 500, filed by the applicant.
async fn filed(app: &TestApp) -> (String, Uuid) {
    let applicant = app.account("13800000061").await;
    let id = apply(app, &applicant, &mother(), &[2020], "500").await.id;
    (applicant, id)
}

async fn village(app: &TestApp) -> String {
    app.staff("13900000061", Role::Village, TOWN, Some(VILLAGE))
        .await
        .1
}

async fn other_village(app: &TestApp) -> String {
    app.staff("13900000062", Role::Village, TOWN, Some(SECOND_VILLAGE))
        .await
        .1
}

async fn other_town(app: &TestApp) -> String {
    app.staff("13900000063", Role::Town, BULK_TOWN, None)
        .await
        .1
}

async fn town(app: &TestApp) -> String {
    app.staff("13900000064", Role::Town, TOWN, None).await.1
}

async fn an_applicant_sees_only_their_own_applications(app: &TestApp) {
    let (applicant, id) = filed(app).await;
    let stranger = app.account("13800000062").await;
    assert_eq!(app.api.back_payments(&stranger).await.unwrap(), []);
    assert_eq!(app.api.back_payments(&applicant).await.unwrap()[0].id, id);
}

async fn a_resident_may_not_list_the_staff_queue(app: &TestApp) {
    let (applicant, _) = filed(app).await;
    let refused = app.api.staff_back_payments(&applicant).await.unwrap_err();
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

async fn staff_list_the_applications_of_their_area(app: &TestApp) {
    filed(app).await;
    let listed = |token: String| async move { app.api.staff_back_payments(&token).await.unwrap() };
    assert_eq!(listed(village(app).await).await.len(), 1);
    assert_eq!(listed(other_village(app).await).await, []);
    assert_eq!(listed(other_town(app).await).await, []);
    assert_eq!(listed(town(app).await).await.len(), 1);
}

async fn only_the_town_center_of_the_area_reviews(app: &TestApp) {
    let (applicant, id) = filed(app).await;
    let others = [
        applicant,
        village(app).await,
        other_village(app).await,
        other_town(app).await,
    ];
    for token in &others {
        let refused = app.api.review_back_payment(token, id).await.unwrap_err();
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert_eq!(refused.code, "forbidden");
    }
    assert!(app
        .api
        .review_back_payment(&town(app).await, id)
        .await
        .is_ok());
}

async fn only_the_town_center_of_the_area_records_the_receipt(app: &TestApp) {
    let (applicant, id) = filed(app).await;
    app.api
        .review_back_payment(&town(app).await, id)
        .await
        .unwrap();
    for token in [applicant, village(app).await, other_town(app).await] {
        let refused = app
            .api
            .record_bank_receipt(&token, id, "NH1234567")
            .await
            .unwrap_err();
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(back_rows(app).await, 0);
}
