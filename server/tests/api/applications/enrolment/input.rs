//! Bad input and duplicates: refused with a code, and no form is written.

use reqwest::{Method, StatusCode};
use serde_json::json;
use time::macros::date;
use uuid::Uuid;
use yanglao_shared::applications::EnrolmentForm;
use yanglao_shared::synthetic;

use super::enrolments;
use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    each_invalid_field_is_refused_with_a_code,
    a_body_the_form_cannot_hold_is_refused,
    a_form_whose_id_differs_from_its_address_is_refused,
    someone_under_sixteen_cannot_enrol,
    a_person_already_on_the_roster_cannot_enrol,
    a_second_form_for_a_pending_person_is_refused,
    a_form_sent_again_with_other_content_is_an_idempotency_conflict,
    another_account_cannot_use_a_forms_id,
);

async fn each_invalid_field_is_refused_with_a_code(app: &TestApp) {
    let token = app.account("13800000031").await;
    let good = enrolment(&newcomer(), TOWN, VILLAGE);
    let bad = [
        EnrolmentForm {
            id_number: "371003198504100000".into(),
            ..good.clone()
        },
        EnrolmentForm {
            name: String::new(),
            ..good.clone()
        },
        EnrolmentForm {
            mobile: "12345".into(),
            ..good.clone()
        },
        EnrolmentForm {
            town: " ".into(),
            ..good.clone()
        },
    ];
    for form in bad {
        let refused = app.api.file_enrolment(&token, &form).await.unwrap_err();
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{form:?}");
        assert!(!refused.code.is_empty());
    }
    assert_eq!(enrolments(app).await, 0);
}

/// A flag that is not a boolean, a field the form does not have.
async fn a_body_the_form_cannot_hold_is_refused(app: &TestApp) {
    let token = app.account("13800000031").await;
    let good = enrolment(&newcomer(), TOWN, VILLAGE);
    for (field, value) in [("severely_disabled", json!("是")), ("surprise", json!(1))] {
        let mut body = serde_json::to_value(&good).unwrap();
        body[field] = value;
        let reply = app
            .api
            .raw(
                Method::PUT,
                &format!("/enrolments/{}", good.id),
                Some(&token),
                Some(serde_json::to_vec(&body).unwrap()),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(reply.code().is_some());
    }
    assert_eq!(enrolments(app).await, 0);
}

async fn a_form_whose_id_differs_from_its_address_is_refused(app: &TestApp) {
    let token = app.account("13800000031").await;
    let form = enrolment(&newcomer(), TOWN, VILLAGE);
    let refused = app
        .api
        .file_enrolment_at(&token, Uuid::new_v4(), &form)
        .await
        .unwrap_err();
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(enrolments(app).await, 0);
}

async fn someone_under_sixteen_cannot_enrol(app: &TestApp) {
    let token = app.account("13800000031").await;
    let child = Person {
        name: "毕小雨",
        id_number: synthetic::id_number("371003", date!(2015 - 06 - 01), 12),
    };
    let too_young = enrolment(&child, TOWN, VILLAGE);
    let refused = app
        .api
        .file_enrolment(&token, &too_young)
        .await
        .unwrap_err();
    assert_eq!(
        (refused.status, refused.code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "too_young")
    );
    assert_eq!(enrolments(app).await, 0);
}

async fn a_person_already_on_the_roster_cannot_enrol(app: &TestApp) {
    let token = app.account("13800000031").await;
    let on_roster = enrolment(&mother(), TOWN, VILLAGE);
    let refused = app
        .api
        .file_enrolment(&token, &on_roster)
        .await
        .unwrap_err();
    assert_eq!(
        (refused.status, refused.code.as_str()),
        (StatusCode::CONFLICT, "already_enrolled")
    );
    assert_eq!(enrolments(app).await, 0);
}

/// One form filed; what follows changes nothing and is not audited.
async fn one_form(app: &TestApp) -> (String, EnrolmentForm) {
    let token = app.account("13800000031").await;
    let good = enrolment(&newcomer(), TOWN, VILLAGE);
    app.api.file_enrolment(&token, &good).await.unwrap();
    (token, good)
}

async fn nothing_more_was_written(app: &TestApp) {
    assert_eq!(enrolments(app).await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'enrolment%'")
            .await,
        0
    );
}

async fn a_second_form_for_a_pending_person_is_refused(app: &TestApp) {
    let (token, _) = one_form(app).await;
    let second = enrolment(&newcomer(), TOWN, VILLAGE);
    let refused = app.api.file_enrolment(&token, &second).await.unwrap_err();
    assert_eq!(refused.code, "enrolment_pending");
    nothing_more_was_written(app).await;
}

async fn a_form_sent_again_with_other_content_is_an_idempotency_conflict(app: &TestApp) {
    let (token, good) = one_form(app).await;
    let changed = EnrolmentForm {
        mobile: "13700000009".into(),
        ..good
    };
    let refused = app.api.file_enrolment(&token, &changed).await.unwrap_err();
    assert_eq!(refused.code, "idempotency_conflict");
    nothing_more_was_written(app).await;
}

async fn another_account_cannot_use_a_forms_id(app: &TestApp) {
    let (_, good) = one_form(app).await;
    let stranger = app.account("13800000032").await;
    let refused = app.api.file_enrolment(&stranger, &good).await.unwrap_err();
    assert_eq!(refused.code, "id_conflict");
    nothing_more_was_written(app).await;
}
