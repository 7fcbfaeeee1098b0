//! Registering with a mainland mobile number and a password: refusals are coded and make no
//! account. (Every database starts with the template's accounts, so counts are relative, and
//! the mobiles here are not among them.)

use reqwest::StatusCode;

use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    registering_answers_created_with_a_session,
    a_mobile_that_is_not_a_mainland_number_is_refused,
    a_short_password_is_refused,
    a_mobile_already_registered_is_refused_as_a_conflict,
);

async fn accounts(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM accounts").await
}

async fn registering_answers_created_with_a_session(app: &TestApp) {
    let before = accounts(app).await;
    let (status, session) = app
        .api
        .register(&credentials("13700000093", PASSWORD))
        .await
        .unwrap();
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(session.mobile_masked, "137****0093");
    assert_eq!(accounts(app).await, before + 1);
    assert!(app.api.me(&session.token).await.is_ok());
}

async fn a_mobile_that_is_not_a_mainland_number_is_refused(app: &TestApp) {
    let before = accounts(app).await;
    let refused = app
        .api
        .register(&credentials("12345", PASSWORD))
        .await
        .unwrap_err();
    assert_eq!(refused.code, "mobile_invalid");
    assert_eq!(accounts(app).await, before);
}

async fn a_short_password_is_refused(app: &TestApp) {
    let before = accounts(app).await;
    let refused = app
        .api
        .register(&credentials("13700000009", "123"))
        .await
        .unwrap_err();
    assert_eq!(refused.code, "password_length");
    assert_eq!(accounts(app).await, before);
}

async fn a_mobile_already_registered_is_refused_as_a_conflict(app: &TestApp) {
    app.register("13700000093").await;
    let before = accounts(app).await;
    let taken = app
        .api
        .register(&credentials("13700000093", PASSWORD))
        .await
        .unwrap_err();
    assert_eq!(
        (taken.status, taken.code.as_str()),
        (StatusCode::CONFLICT, "mobile_taken")
    );
    assert_eq!(accounts(app).await, before);
}
