//! A claim's one-time code: five minutes, once, five wrong tries; and the claim limits per
//! account and per person, kept in the database so that they hold across server processes;
//! an account's day-old starts are deleted when it starts again.

use reqwest::StatusCode;
use yanglao_server::Server;

use crate::on_both_stores;
use crate::support::claims::{claim_as, claim_of};
use crate::support::*;

on_both_stores!(
    five_wrong_codes_kill_the_code,
    an_expired_code_is_refused,
    a_code_is_used_once,
    only_the_newest_code_counts,
    an_account_may_start_five_claims_an_hour,
    a_person_gets_three_codes_an_hour_whoever_asks,
    the_limits_hold_across_two_servers_on_one_database,
    only_a_hash_of_the_code_is_kept,
    a_start_deletes_the_accounts_starts_older_than_a_day_but_not_its_proof,
);

const HER_MOBILE: &str = "13912340001";

/// A code that is not `code` (one digit changed).
fn other_than(code: &str) -> String {
    let last = code.as_bytes()[5] - b'0';
    format!("{}{}", &code[..5], (last + 1) % 10)
}

async fn started(app: &TestApp, mobile_of_account: &str) -> (String, String) {
    app.give_roster_mobile(&mother(), HER_MOBILE).await;
    let token = app.account(mobile_of_account).await;
    app.api.claim(&token, &claim_of(&mother())).await.unwrap();
    (token, app.sms_code(HER_MOBILE).await)
}

async fn five_wrong_codes_kill_the_code(app: &TestApp) {
    let (token, code) = started(app, "13700000005").await;
    let wrong = other_than(&code);
    for left in (1..=4).rev() {
        let refused = app.api.confirm_claim(&token, &wrong).await.unwrap_err();
        assert_eq!(refused.code, "wrong_code");
        assert!(
            refused.message.contains(&format!("{left}次")),
            "{}",
            refused.message
        );
    }
    let fifth = app.api.confirm_claim(&token, &wrong).await.unwrap_err();
    assert_eq!(fifth.code, "code_dead");
    let right = app.api.confirm_claim(&token, &code).await.unwrap_err();
    assert_eq!(right.code, "code_dead", "the right code is dead too");
    assert_eq!(app.api.me(&token).await.unwrap().own_record, None);
}

async fn an_expired_code_is_refused(app: &TestApp) {
    let (token, code) = started(app, "13700000005").await;
    app.clock
        .set(IN_WINDOW + time::Duration::minutes(5) + time::Duration::seconds(1));
    let late = app.api.confirm_claim(&token, &code).await.unwrap_err();
    assert_eq!(late.code, "code_expired");
    assert_eq!(app.api.me(&token).await.unwrap().own_record, None);
}

async fn a_code_is_used_once(app: &TestApp) {
    let (token, code) = started(app, "13700000005").await;
    app.api.confirm_claim(&token, &code).await.unwrap();
    let again = app.api.confirm_claim(&token, &code).await.unwrap_err();
    assert_eq!(again.code, "code_used");
    // Nor by another account that learned it.
    let other = app.account("13700000006").await;
    let theirs = app.api.confirm_claim(&other, &code).await.unwrap_err();
    assert_eq!(theirs.code, "no_pending_claim");
}

async fn only_the_newest_code_counts(app: &TestApp) {
    let (token, first) = started(app, "13700000005").await;
    app.api.claim(&token, &claim_of(&mother())).await.unwrap();
    let second = app.sms_code(HER_MOBILE).await;
    if first != second {
        let old = app.api.confirm_claim(&token, &first).await.unwrap_err();
        assert_eq!(old.code, "wrong_code");
    }
    app.api.confirm_claim(&token, &second).await.unwrap();
}

async fn an_account_may_start_five_claims_an_hour(app: &TestApp) {
    app.give_roster_mobile(&mother(), HER_MOBILE).await;
    let token = app.account("13700000005").await;
    // Guesses that match nothing count too: the limit is on trying, not on finding.
    for name in ["王秀兰", "王秀梅", "王秀珍", "王秀芳"] {
        let miss = app.api.claim(&token, &claim_as(name, &mother())).await;
        assert_eq!(miss.unwrap_err().code, "no_roster_match");
    }
    app.api.claim(&token, &claim_of(&mother())).await.unwrap();
    let sixth = app
        .api
        .claim(&token, &claim_of(&mother()))
        .await
        .unwrap_err();
    assert_eq!(sixth.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(sixth.code, "too_many_attempts");
    assert_eq!(app.sms_to(HER_MOBILE).await.len(), 1);
    // Another account is not held up by this one.
    let other = app.account("13700000006").await;
    app.api.claim(&other, &claim_of(&mother())).await.unwrap();
    // An hour after the first start, one start is free again.
    app.clock.set(IN_WINDOW + time::Duration::minutes(61));
    app.api.claim(&token, &claim_of(&mother())).await.unwrap();
}

async fn a_person_gets_three_codes_an_hour_whoever_asks(app: &TestApp) {
    app.give_roster_mobile(&mother(), HER_MOBILE).await;
    app.give_roster_mobile(&father(), "13912340002").await;
    for mobile in ["13700000001", "13700000002", "13700000003"] {
        let token = app.account(mobile).await;
        app.api.claim(&token, &claim_of(&mother())).await.unwrap();
    }
    let fourth = app.account("13700000004").await;
    let refused = app
        .api
        .claim(&fourth, &claim_of(&mother()))
        .await
        .unwrap_err();
    assert_eq!(refused.code, "too_many_attempts");
    assert_eq!(app.sms_to(HER_MOBILE).await.len(), 3);
    // Someone else's codes are not held up by hers.
    app.api.claim(&fourth, &claim_of(&father())).await.unwrap();
}

/// Two servers (two `AppState`s, as two processes would have) on one database share the
/// limits: nothing of them lives in one process's memory.
async fn the_limits_hold_across_two_servers_on_one_database(app: &TestApp) {
    app.give_roster_mobile(&mother(), HER_MOBILE).await;
    let (second, _clock, _bank): (Server, _, _) = start_server(app.db.clone()).await;
    let there = Client::new(&second.url());
    let token = app.account("13700000005").await;
    for name in ["王秀兰", "王秀梅"] {
        let miss = there.claim(&token, &claim_as(name, &mother())).await;
        assert_eq!(miss.unwrap_err().code, "no_roster_match");
    }
    for api in [&app.api, &there, &app.api] {
        api.claim(&token, &claim_of(&mother())).await.unwrap();
    }
    let sixth = there.claim(&token, &claim_of(&mother())).await.unwrap_err();
    assert_eq!(sixth.code, "too_many_attempts");
    // Her three codes of the hour are spent, on either server.
    let other = app.account("13700000006").await;
    let refused = there.claim(&other, &claim_of(&mother())).await.unwrap_err();
    assert_eq!(refused.code, "too_many_attempts");
    // A code sent through one server is proven through the other.
    let code = app.sms_code(HER_MOBILE).await;
    there.confirm_claim(&token, &code).await.unwrap();
    second.stop().await;
}

async fn only_a_hash_of_the_code_is_kept(app: &TestApp) {
    let (_, code) = started(app, "13700000005").await;
    let hashes: Vec<String> = sqlx::query_scalar("SELECT code_hash FROM claims")
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(hashes.len(), 1);
    assert_eq!(hashes[0].len(), 64);
    assert!(!hashes[0].contains(&code));
}

/// The claims `mobile`'s account started, oldest first: state and hours after [`IN_WINDOW`].
async fn claim_states(app: &TestApp, mobile: &str) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT c.state, (c.created_at - $2) / 3600000 FROM claims c \
         JOIN accounts a ON a.id = c.account_id WHERE a.mobile = $1 \
         ORDER BY c.created_at, c.state",
    )
    .bind(mobile)
    .bind(yanglao_server::clock::to_ms(IN_WINDOW))
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
}

async fn a_start_deletes_the_accounts_starts_older_than_a_day_but_not_its_proof(app: &TestApp) {
    let token = app.account("13700000005").await;
    app.claim_proven(&token, &mother(), HER_MOBILE).await;
    let miss = app.api.claim(&token, &claim_as("王秀兰", &mother())).await;
    assert_eq!(miss.unwrap_err().code, "no_roster_match");
    let other = app.account("13700000006").await;
    let theirs = app.api.claim(&other, &claim_as("王秀兰", &mother())).await;
    assert_eq!(theirs.unwrap_err().code, "no_roster_match");
    let states = claim_states(app, "13700000005").await;
    assert_eq!(states, [("confirmed".into(), 0), ("no_match".into(), 0)]);

    app.clock.set(IN_WINDOW + time::Duration::hours(24));
    let again = app.api.claim(&token, &claim_as("王秀梅", &mother())).await;
    assert_eq!(again.unwrap_err().code, "no_roster_match");
    // The old miss is gone; the confirmed start (the proof) and today's stay.
    let states = claim_states(app, "13700000005").await;
    assert_eq!(states, [("confirmed".into(), 0), ("no_match".into(), 24)]);
    // Another account's starts are its own to prune.
    let theirs = claim_states(app, "13700000006").await;
    assert_eq!(theirs, [("no_match".into(), 0)]);
}
