//! Logging in and out: guessing passwords is limited per account; logging out ends the
//! session.

use reqwest::StatusCode;

use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    five_wrong_passwords_block_even_the_right_one,
    a_login_block_leaves_open_sessions_working,
    logging_out_ends_the_session,
    a_token_that_was_never_issued_is_unauthorized,
);

const MOBILE: &str = "13700000007";

/// Logs in once (the session this returns), then guesses wrong five times.
async fn guessed_five_times(app: &TestApp) -> String {
    app.account(MOBILE).await;
    let token = app.login(MOBILE, PASSWORD).await;
    for _ in 0..5 {
        let wrong = app
            .api
            .login(&credentials(MOBILE, "wrong-password"))
            .await
            .unwrap_err();
        assert_eq!(wrong.code, "bad_credentials");
    }
    token
}

async fn five_wrong_passwords_block_even_the_right_one(app: &TestApp) {
    guessed_five_times(app).await;
    let blocked = app
        .api
        .login(&credentials(MOBILE, PASSWORD))
        .await
        .unwrap_err();
    assert_eq!(
        (blocked.status, blocked.code.as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts")
    );
}

async fn a_login_block_leaves_open_sessions_working(app: &TestApp) {
    let token = guessed_five_times(app).await;
    assert!(app.api.login(&credentials(MOBILE, PASSWORD)).await.is_err());
    assert!(app.api.me(&token).await.is_ok());
}

async fn logging_out_ends_the_session(app: &TestApp) {
    let token = app.account(MOBILE).await;
    assert!(app.api.me(&token).await.is_ok());
    assert_eq!(
        app.api.logout(&token).await.unwrap(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.api.me(&token).await.unwrap_err().status,
        StatusCode::UNAUTHORIZED
    );
}

async fn a_token_that_was_never_issued_is_unauthorized(app: &TestApp) {
    let forged = app.api.payees("not-a-token").await.unwrap_err();
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
}
