//! The limit on failed logins (5 per mobile number, 30 per client address, in 15 minutes) is
//! kept in the database: it holds across two servers on one database and across a restart,
//! a success clears the number's count, and old failures are forgotten.

use reqwest::StatusCode;
use yanglao_server::storage::Db;

use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    the_mobile_limit_holds_across_two_servers_on_one_database,
    the_address_limit_holds_across_two_servers_on_one_database,
    a_success_clears_the_count_of_its_number,
    failures_leave_the_window_after_fifteen_minutes_and_are_pruned,
);

const MOBILE: &str = "13700000007";

async fn wrong_login(api: &Client, mobile: &str) {
    let wrong = api
        .login(&credentials(mobile, "wrong-password"))
        .await
        .unwrap_err();
    assert_eq!(wrong.code, "bad_credentials");
}

fn assert_blocked(refused: ApiFailure) {
    assert_eq!(
        (refused.status, refused.code.as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts")
    );
    assert!(refused.message.contains("分钟"), "{}", refused.message);
}

async fn the_mobile_limit_holds_across_two_servers_on_one_database(app: &TestApp) {
    app.account(MOBILE).await;
    let (second, _clock, _bank) = start_server(app.db.clone()).await;
    let there = Client::new(&second.url());
    for api in [&app.api, &there, &app.api, &there, &app.api] {
        wrong_login(api, MOBILE).await;
    }
    for api in [&app.api, &there] {
        assert_blocked(api.login(&credentials(MOBILE, PASSWORD)).await.unwrap_err());
    }
    second.stop().await;
}

async fn the_address_limit_holds_across_two_servers_on_one_database(app: &TestApp) {
    app.account(MOBILE).await;
    let (second, _clock, _bank) = start_server(app.db.clone()).await;
    let there = Client::new(&second.url());
    // Thirty unknown numbers, from one address, spread over both servers.
    for i in 0..30 {
        let api = if i % 2 == 0 { &app.api } else { &there };
        wrong_login(api, &format!("1390000{i:04}")).await;
    }
    for api in [&app.api, &there] {
        assert_blocked(api.login(&credentials(MOBILE, PASSWORD)).await.unwrap_err());
    }
    second.stop().await;
}

async fn a_success_clears_the_count_of_its_number(app: &TestApp) {
    app.account(MOBILE).await;
    let (second, _clock, _bank) = start_server(app.db.clone()).await;
    let there = Client::new(&second.url());
    for _ in 0..4 {
        wrong_login(&app.api, MOBILE).await;
    }
    // The success on the other server clears what this one counted.
    there.login(&credentials(MOBILE, PASSWORD)).await.unwrap();
    for _ in 0..4 {
        wrong_login(&app.api, MOBILE).await;
    }
    app.api.login(&credentials(MOBILE, PASSWORD)).await.unwrap();
    let rows = app
        .count("SELECT COUNT(*) FROM login_failures WHERE kind = 'mobile'")
        .await;
    assert_eq!(rows, 0, "a success leaves no failure of its number");
    // The address keeps its count: it is not the number's to clear.
    let address_rows = app
        .count("SELECT COUNT(*) FROM login_failures WHERE kind = 'address'")
        .await;
    assert_eq!(address_rows, 8);
    second.stop().await;
}

async fn failures_leave_the_window_after_fifteen_minutes_and_are_pruned(app: &TestApp) {
    app.account(MOBILE).await;
    for _ in 0..5 {
        wrong_login(&app.api, MOBILE).await;
    }
    app.clock.set(IN_WINDOW + time::Duration::minutes(14));
    let refused = app
        .api
        .login(&credentials(MOBILE, PASSWORD))
        .await
        .unwrap_err();
    assert!(refused.message.contains("1分钟"), "{}", refused.message);
    assert_blocked(refused);
    app.clock.set(IN_WINDOW + time::Duration::minutes(15));
    wrong_login(&app.api, "13900000001").await;
    // The new failure's two rows are all that is left: the old ones were pruned.
    assert_eq!(app.count("SELECT COUNT(*) FROM login_failures").await, 2);
    app.api.login(&credentials(MOBILE, PASSWORD)).await.unwrap();
}

/// A restart is a new pool and a new state over the same database.
mod restart {
    use super::*;
    use crate::on_both_databases;

    on_both_databases!(the_limit_survives_a_restart);

    async fn the_limit_survives_a_restart(_store: Store, url: &str) {
        let db = Db::connect(url).await.unwrap();
        let (server, _clock, _bank) = start_server(db.clone()).await;
        let api = Client::new(&server.url());
        api.register(&credentials(MOBILE, PASSWORD)).await.unwrap();
        for _ in 0..5 {
            wrong_login(&api, MOBILE).await;
        }
        server.stop().await;
        db.pool.close().await;

        // A new process: a new pool, a new state, nothing kept in memory.
        let db = Db::connect(url).await.unwrap();
        let (server, _clock, _bank) = start_server(db).await;
        let api = Client::new(&server.url());
        assert_blocked(api.login(&credentials(MOBILE, PASSWORD)).await.unwrap_err());
        server.stop().await;
    }
}
