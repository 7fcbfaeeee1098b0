//! What the server refuses: other accounts' data, bad input, guessing passwords; and the
//! OpenAPI document against the router. On SQLite and PostgreSQL.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;
use yanglao_server::gateway::sandbox::test_cards;
use yanglao_server::http::openapi::ROUTES;

on_both_stores!(
    one_account_never_sees_or_changes_another,
    bad_input_gets_a_code_and_writes_nothing,
    openapi_document_matches_the_router,
    claiming_ones_own_record_shows_the_full_history,
    login_attempts_are_limited_and_logout_ends_the_session,
);

async fn one_account_never_sees_or_changes_another(app: TestApp) {
    let a = app.register("13700000001").await;
    let b = app.register("13700000002").await;
    let a_mum = app.add_payee(&a, &mother()).await;
    let a_card = app.bind_card(&a, &test_cards::pays()).await;
    let paid = app
        .sync(&a, None, vec![intent(a_mum, "500", Some(a_card))])
        .await;
    let a_intent = paid.body["intents"][0].clone();

    // B sees none of A's people, cards or intents.
    assert_eq!(app.get("/payees", &b).await.body, json!([]));
    assert_eq!(app.get("/methods", &b).await.body, json!([]));
    let b_sync = app.sync(&b, None, vec![]).await;
    assert_eq!(b_sync.body["intents"], json!([]));
    assert_eq!(b_sync.body["payees"], json!([]));
    assert_eq!(b_sync.body["methods"], json!([]));

    // B cannot remove A's person or card, nor pay with A's card for A's person.
    let del = app
        .call(Method::DELETE, &format!("/payees/{a_mum}"), Some(&b), None)
        .await;
    assert_eq!(del.status, StatusCode::NOT_FOUND);
    let del = app
        .call(
            Method::DELETE,
            &format!("/methods/{a_card}"),
            Some(&b),
            None,
        )
        .await;
    assert_eq!(del.status, StatusCode::NOT_FOUND);
    let b_mum = app.add_payee(&b, &father()).await;
    let stolen = app
        .sync(
            &b,
            None,
            vec![
                intent(a_mum, "500", Some(a_card)),
                intent(b_mum, "500", Some(a_card)),
            ],
        )
        .await;
    assert_eq!(
        stolen.body["intents"][0]["state"]["reason"]["code"],
        "unknown_payee"
    );
    assert_eq!(
        stolen.body["intents"][1]["state"]["state"], "awaiting_payment",
        "A's card is not B's"
    );

    // Replaying A's intent id from B learns nothing and changes nothing.
    let mut replay = intent(b_mum, "500", None);
    replay["id"] = a_intent["id"].clone();
    let replayed = app.sync(&b, None, vec![replay]).await;
    assert_eq!(
        replayed.body["intents"][0]["state"]["reason"]["code"],
        "id_conflict"
    );
    assert!(!replayed.body.to_string().contains("receipt_no"));
    // Re-using A's payee id in B's list is refused.
    let taken = app
        .call(
            Method::PUT,
            &format!("/payees/{a_mum}"),
            Some(&b),
            Some(json!({"id": a_mum, "name": "王秀英", "id_number": mother().id_number.as_str()})),
        )
        .await;
    assert_eq!(taken.body["code"], "id_conflict");

    // Without a session nothing but the public routes answers.
    for (method, path, _, secured) in ROUTES {
        if *secured {
            let path = path.replace("{id}", &Uuid::new_v4().to_string());
            let reply = app
                .call(
                    method.to_uppercase().parse().unwrap(),
                    &path,
                    None,
                    Some(json!({})),
                )
                .await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{method} {path}");
            assert_eq!(reply.body["code"], "unauthorized");
        }
    }
    let forged = app.get("/payees", "not-a-token").await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
    app.server.stop().await;
}

async fn bad_input_gets_a_code_and_writes_nothing(app: TestApp) {
    let token = app.register("13700000003").await;
    let mum = app.add_payee(&token, &mother()).await;
    let rows_before = app.count("SELECT (SELECT COUNT(*) FROM intents) + (SELECT COUNT(*) FROM payees) + (SELECT COUNT(*) FROM methods)").await;
    let raw = |body: &'static str| {
        app.http
            .post(format!("{}/api/v1/sync", app.url))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let malformed = raw("{\"version\": 1,").await.unwrap();
    assert_eq!(malformed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        malformed.json::<serde_json::Value>().await.unwrap()["code"],
        "malformed_json"
    );
    let wrong_type = raw("{\"version\": \"one\"}").await.unwrap();
    assert_eq!(
        wrong_type.json::<serde_json::Value>().await.unwrap()["code"],
        "invalid_body"
    );

    let mut unknown_tier = intent(mum, "500.5", None);
    let reply = app.sync(&token, None, vec![unknown_tier.clone()]).await;
    assert_eq!(
        (reply.status, reply.body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_body"))
    );
    unknown_tier["tier"] = json!("600");
    let not_a_tier = app.sync(&token, None, vec![unknown_tier]).await;
    assert_eq!(
        not_a_tier.body["intents"][0]["state"]["reason"]["code"],
        "not_a_tier"
    );
    let mut extra = intent(mum, "500", None);
    extra["amount"] = json!("1");
    assert_eq!(
        app.sync(&token, None, vec![extra]).await.body["code"],
        "invalid_body"
    );
    let old_version = app
        .post("/sync", &token, json!({"version": 9, "cursor": null}))
        .await;
    assert_eq!(old_version.body["code"], "unsupported_version");

    let huge = "x".repeat(300 * 1024);
    let too_big = app
        .post(
            "/sync",
            &token,
            json!({"version": 1, "cursor": null, "pad": huge}),
        )
        .await;
    assert_eq!(
        (too_big.status, too_big.body["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );

    let id = Uuid::new_v4();
    let bad_id = app
        .call(
            Method::PUT,
            &format!("/payees/{id}"),
            Some(&token),
            Some(json!({"id": id, "name": "王秀英", "id_number": "371081196805120221"})),
        )
        .await;
    assert_eq!(bad_id.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_id.body["code"].as_str().unwrap().starts_with("id_"));
    assert!(bad_id.body["message"].as_str().unwrap().contains("身份证"));
    let bad_card = app
        .post(
            "/methods",
            &token,
            json!({"id": Uuid::new_v4(), "card_number": "6222020000123456780"}),
        )
        .await;
    assert_eq!(bad_card.body["code"], "card_checksum");
    let bad_mobile = app
        .call(
            Method::POST,
            "/accounts",
            None,
            Some(json!({"mobile": "12345", "password": "mima12345"})),
        )
        .await;
    assert_eq!(bad_mobile.body["code"], "mobile_invalid");
    let short_password = app
        .call(
            Method::POST,
            "/accounts",
            None,
            Some(json!({"mobile": "13700000009", "password": "123"})),
        )
        .await;
    assert_eq!(short_password.body["code"], "password_length");
    let taken = app
        .call(
            Method::POST,
            "/accounts",
            None,
            Some(json!({"mobile": "13700000003", "password": "mima12345"})),
        )
        .await;
    assert_eq!(
        (taken.status, taken.body["code"].as_str()),
        (StatusCode::CONFLICT, Some("mobile_taken"))
    );
    let no_route = app.get("/nothing-here", &token).await;
    assert_eq!(no_route.body["code"], "no_such_route");

    // Only the one accepted intent (not_a_tier, recorded as failed so a replay answers the same).
    let rows_after = app.count("SELECT (SELECT COUNT(*) FROM intents) + (SELECT COUNT(*) FROM payees) + (SELECT COUNT(*) FROM methods)").await;
    assert_eq!(rows_after, rows_before + 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 1);
    app.server.stop().await;
}

async fn openapi_document_matches_the_router(app: TestApp) {
    let doc = app
        .call(Method::GET, "/openapi.json", None, None)
        .await
        .body;
    assert_eq!(doc["openapi"], "3.0.3");
    let paths = doc["paths"].as_object().unwrap();
    let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(documented, ROUTES.len());
    let token = app.register("13700000004").await;
    for (method, path, _, _) in ROUTES {
        assert!(
            paths[*path].get(*method).is_some(),
            "{method} {path} documented"
        );
        let concrete = path
            .replace("{id}", &Uuid::new_v4().to_string())
            .replace("{number}", "WD1");
        let reply = app
            .call(
                method.to_uppercase().parse().unwrap(),
                &concrete,
                Some(&token),
                Some(json!({})),
            )
            .await;
        assert_ne!(
            reply.body["code"], "no_such_route",
            "{method} {path} is routed"
        );
        assert_ne!(
            reply.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
    }
    app.server.stop().await;
}

async fn claiming_ones_own_record_shows_the_full_history(app: TestApp) {
    let token = app.register("13700000005").await;
    let me = app.get("/me", &token).await;
    assert_eq!(me.body["own_record"], serde_json::Value::Null);
    assert_eq!(me.body["mobile_masked"], "137****0005");
    let wrong = app
        .post(
            "/me/claim",
            &token,
            json!({"name": "王秀兰", "id_number": mother().id_number.as_str()}),
        )
        .await;
    assert_eq!(wrong.body["code"], "no_roster_match");
    let claimed = app
        .post(
            "/me/claim",
            &token,
            json!({"name": "王秀英", "id_number": mother().id_number.as_str()}),
        )
        .await;
    assert_eq!(claimed.status, StatusCode::OK, "{:?}", claimed.body);
    let record = &claimed.body["own_record"];
    assert_eq!(record["years_paid_total"], 3);
    assert_eq!(record["min_years_for_pension"], 15);
    assert_eq!(record["contributions"][0]["year"], 2023);
    assert_eq!(record["contributions"][0]["amount"], "500");
    let other = app.register("13700000006").await;
    let again = app
        .post(
            "/me/claim",
            &other,
            json!({"name": "王秀英", "id_number": mother().id_number.as_str()}),
        )
        .await;
    assert_eq!(again.body["code"], "record_claimed");
    app.server.stop().await;
}

async fn login_attempts_are_limited_and_logout_ends_the_session(app: TestApp) {
    app.register("13700000007").await;
    let login = |password: &'static str| {
        app.call(
            Method::POST,
            "/sessions",
            None,
            Some(json!({"mobile": "13700000007", "password": password})),
        )
    };
    let ok = login("mima12345").await;
    assert_eq!(ok.status, StatusCode::OK);
    let token = ok.body["token"].as_str().unwrap().to_owned();
    for _ in 0..5 {
        assert_eq!(
            login("wrong-password").await.body["code"],
            "bad_credentials"
        );
    }
    let blocked = login("mima12345").await;
    assert_eq!(
        (blocked.status, blocked.body["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("too_many_attempts"))
    );
    assert_eq!(app.get("/me", &token).await.status, StatusCode::OK);
    let out = app
        .call(Method::DELETE, "/sessions", Some(&token), None)
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/me", &token).await.status,
        StatusCode::UNAUTHORIZED
    );
    app.server.stop().await;
}
