//! Bad input gets a 4xx and writes nothing; a form is taken only during the window, though a
//! retry of one filed in time still hears its answer.

use reqwest::StatusCode;
use time::macros::datetime;
use yanglao_shared::applications::BackPaymentForm;

use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    a_form_without_years_is_refused,
    a_form_matching_no_roster_record_is_refused,
    a_form_whose_id_differs_from_its_address_is_refused,
    a_form_sent_again_with_other_years_is_an_idempotency_conflict,
    another_account_cannot_use_a_forms_id,
    outside_the_window_a_new_form_is_refused,
    outside_the_window_a_retry_of_a_form_filed_in_time_hears_its_answer,
);

async fn forms(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM back_payments").await
}

/// The applicant's form for mother's 2020 at 500.
async fn filed(app: &TestApp) -> (String, BackPaymentForm) {
    let applicant = app.account("13800000061").await;
    let form = back_payment(&mother(), &[2020], "500");
    app.api.file_back_payment(&applicant, &form).await.unwrap();
    (applicant, form)
}

async fn refused(app: &TestApp, form: &BackPaymentForm) -> ApiFailure {
    let applicant = app.account("13800000061").await;
    app.api
        .file_back_payment(&applicant, form)
        .await
        .unwrap_err()
}

async fn a_form_without_years_is_refused(app: &TestApp) {
    let failure = refused(app, &back_payment(&mother(), &[], "500")).await;
    assert_eq!(
        (failure.status, failure.code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "no_years")
    );
    assert_eq!(forms(app).await, 0);
}

async fn a_form_matching_no_roster_record_is_refused(app: &TestApp) {
    let nobody = Person {
        name: "查无此人",
        id_number: mother().id_number,
    };
    let failure = refused(app, &back_payment(&nobody, &[2020], "500")).await;
    assert_eq!(
        (failure.status, failure.code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "no_roster_match")
    );
    assert_eq!(forms(app).await, 0);
}

async fn a_form_whose_id_differs_from_its_address_is_refused(app: &TestApp) {
    let (applicant, form) = filed(app).await;
    let other = back_payment(&mother(), &[2020], "500");
    let failure = app
        .api
        .file_back_payment_at(&applicant, form.id, &other)
        .await
        .unwrap_err();
    assert_eq!(failure.code, "id_mismatch");
    assert_eq!(forms(app).await, 1);
}

async fn a_form_sent_again_with_other_years_is_an_idempotency_conflict(app: &TestApp) {
    let (applicant, form) = filed(app).await;
    let changed = BackPaymentForm {
        years: vec![2019],
        ..form
    };
    let failure = app
        .api
        .file_back_payment(&applicant, &changed)
        .await
        .unwrap_err();
    assert_eq!(failure.code, "idempotency_conflict");
    assert_eq!(forms(app).await, 1);
}

async fn another_account_cannot_use_a_forms_id(app: &TestApp) {
    let (_, form) = filed(app).await;
    let stranger = app.account("13800000062").await;
    let failure = app
        .api
        .file_back_payment(&stranger, &form)
        .await
        .unwrap_err();
    assert_eq!(failure.code, "id_conflict");
    assert_eq!(forms(app).await, 1);
}

/// The notice: during the payment window.
async fn outside_the_window_a_new_form_is_refused(app: &TestApp) {
    app.clock.set(datetime!(2026-06-01 10:00 +8));
    let applicant = app.register("13800000063").await;
    let form = back_payment(&mother(), &[2020], "500");
    let failure = app
        .api
        .file_back_payment(&applicant, &form)
        .await
        .unwrap_err();
    assert_eq!(failure.code, "window_closed");
    assert_eq!(forms(app).await, 0);
}

/// Its reply was lost; the phone has logged in again since.
async fn outside_the_window_a_retry_of_a_form_filed_in_time_hears_its_answer(app: &TestApp) {
    let (_, form) = filed(app).await;
    app.clock.set(datetime!(2026-06-01 10:00 +8));
    let applicant = app.login("13800000061", PASSWORD).await;
    let retry = app.api.file_back_payment(&applicant, &form).await;
    assert!(retry.is_ok(), "{retry:?}");
    assert_eq!(forms(app).await, 1);
}
