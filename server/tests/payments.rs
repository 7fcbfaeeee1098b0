//! The payment story and the ledger's guarantees, on SQLite and on PostgreSQL.

mod common;

use std::time::Duration;

use common::*;
use reqwest::StatusCode;
use serde_json::json;
use time::macros::datetime;
use yanglao_server::gateway::sandbox::test_cards;
use yanglao_server::payments::reconcile::reconcile_once;

on_both_stores!(
    story_register_add_bind_sync_notify_receipt,
    same_batch_three_times_charges_once,
    twenty_payers_at_once_charge_one_person_year_once,
    lost_notification_is_settled_by_reconciliation,
    a_decline_frees_the_year_for_the_next_payer,
    intent_arriving_after_the_window_is_refused_and_not_charged,
    intent_without_a_card_waits_and_can_be_completed,
    rules_refuse_with_reasons,
);

async fn story_register_add_bind_sync_notify_receipt(app: TestApp) {
    let token = app.register("13800000001").await;
    let mum = app.add_payee(&token, &mother()).await;
    let dad = app.add_payee(&token, &father()).await;
    let payees = app.get("/payees", &token).await;
    assert_eq!(payees.body.as_array().unwrap().len(), 2);
    let find = |id: uuid::Uuid| {
        payees
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id.to_string())
            .unwrap()
            .clone()
    };
    let first = &find(mum);
    assert_eq!(find(dad)["check"]["state"], "verified");
    assert_eq!(first["name_masked"], "王**");
    assert!(first["id_masked"].as_str().unwrap().contains('*'));
    assert_eq!(first["check"]["state"], "verified");
    assert_eq!(first["check"]["paid_this_year"], false);
    assert_eq!(
        first["check"]["tiers"].as_array().unwrap().len(),
        9,
        "no 300 tier"
    );
    // A payer sees nothing of the history or amounts.
    let keys: Vec<_> = first.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["check", "id", "id_masked", "name_masked", "removed"]);
    let check_keys: Vec<_> = first["check"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(
        check_keys,
        [
            "blocked",
            "paid_this_year",
            "state",
            "status",
            "tiers",
            "year"
        ]
    );

    let card = app.bind_card(&token, &test_cards::pays()).await;
    let slow_card = app.bind_card(&token, &test_cards::delayed()).await;
    let first_sync = app
        .sync(
            &token,
            None,
            vec![
                intent(mum, "1500", Some(card)),
                intent(dad, "500", Some(slow_card)),
            ],
        )
        .await;
    assert_eq!(first_sync.status, StatusCode::OK, "{:?}", first_sync.body);
    assert_eq!(states(&first_sync), ["paid", "submitted"]);
    let paid = &first_sync.body["intents"][0]["state"];
    assert_eq!(paid["amount"], "1500");
    let receipt = paid["receipt_no"].as_str().unwrap().to_owned();
    let cursor = first_sync.body["cursor"].as_i64().unwrap();

    // The delayed card settles by the bank's signed notification.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let later = app.sync(&token, Some(cursor), vec![]).await;
    let dad_result = later.body["intents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["payee_id"] == dad.to_string())
        .cloned();
    assert_eq!(
        dad_result.expect("dad's intent changed")["state"]["state"],
        "paid"
    );
    let views = later.body["payees"].as_array().unwrap();
    assert!(
        views.iter().all(|p| p["check"]["paid_this_year"] == true),
        "{views:?}"
    );
    assert_eq!(app.paid_contributions().await, 2);
    let summary = yanglao_server::payments::ledger::year_summary(&app.db, 2026)
        .await
        .unwrap();
    assert_eq!(
        (summary.paid_in_app, summary.paid_fen, summary.charging),
        (2, 200_000, 0)
    );

    // Anyone can verify the receipt; it shows a masked name only.
    let check = app
        .call(
            reqwest::Method::GET,
            &format!("/receipts/{receipt}"),
            None,
            None,
        )
        .await;
    assert_eq!(check.status, StatusCode::OK);
    assert_eq!(check.body["name_masked"], "王**");
    assert_eq!(check.body["year"], 2026);
    let missing = app
        .call(
            reqwest::Method::GET,
            "/receipts/WD20260000000000",
            None,
            None,
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    app.server.stop().await;
}

async fn same_batch_three_times_charges_once(app: TestApp) {
    let token = app.register("13800000002").await;
    let mum = app.add_payee(&token, &mother()).await;
    let card = app.bind_card(&token, &test_cards::pays()).await;
    let batch = vec![intent(mum, "800", Some(card))];
    let mut answers = Vec::new();
    for _ in 0..3 {
        answers.push(app.sync(&token, None, batch.clone()).await);
    }
    let first = &answers[0].body["intents"][0];
    for answer in &answers {
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(&answer.body["intents"][0], first);
    }
    assert_eq!(first["state"]["state"], "paid");
    // The same batch sent by three tabs at once: still one charge.
    let other = vec![intent(
        app.add_payee(&token, &father()).await,
        "800",
        Some(card),
    )];
    let racing =
        futures::future::join_all((0..3).map(|_| app.sync(&token, None, other.clone()))).await;
    assert!(racing.iter().all(|r| r.status == StatusCode::OK));
    assert_eq!(app.paid_contributions().await, 2);
    assert_eq!(
        app.sandbox.order_count(),
        2,
        "the bank saw one order per intent"
    );

    // Same key, different content: refused with its own code, nothing changes.
    let mut changed = batch[0].clone();
    changed["tier"] = json!("5000");
    let conflict = app.sync(&token, None, vec![changed]).await;
    assert_eq!(
        conflict.body["intents"][0]["state"]["reason"]["code"],
        "idempotency_conflict"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM intents WHERE tier_fen = 500000")
            .await,
        0
    );
    app.server.stop().await;
}

async fn twenty_payers_at_once_charge_one_person_year_once(app: TestApp) {
    let mut payers = Vec::new();
    for i in 0..20 {
        let token = app.register(&format!("1390000{:04}", i)).await;
        let payee = app.add_payee(&token, &mother()).await;
        let card = app.bind_card(&token, &test_cards::pays()).await;
        payers.push((token, payee, card));
    }
    let answers = futures::future::join_all(payers.iter().map(|(token, payee, card)| {
        app.sync(token, None, vec![intent(*payee, "1000", Some(*card))])
    }))
    .await;
    for answer in &answers {
        assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
        // Paid, not needed, or (while the first payer's bank answers) submitted: never failed.
        assert!(["paid", "not_needed", "submitted"].contains(&states(answer)[0].as_str()));
    }
    // Once the dust settles every payer sees the truth.
    let mut counts = std::collections::HashMap::new();
    for (token, _, _) in &payers {
        let now = app.sync(token, None, vec![]).await;
        *counts.entry(states(&now)[0].clone()).or_insert(0) += 1;
    }
    assert_eq!(counts.get("paid"), Some(&1), "{counts:?}");
    assert_eq!(
        counts.get("not_needed").copied().unwrap_or(0),
        19,
        "{counts:?}"
    );
    assert_eq!(app.paid_contributions().await, 1);
    assert_eq!(app.sandbox.order_count(), 1);
    app.server.stop().await;
}

async fn lost_notification_is_settled_by_reconciliation(app: TestApp) {
    let token = app.register("13800000003").await;
    let dad = app.add_payee(&token, &father()).await;
    let card = app
        .bind_card(&token, &test_cards::lost_notification())
        .await;
    let first = app
        .sync(&token, None, vec![intent(dad, "2000", Some(card))])
        .await;
    assert_eq!(states(&first), ["submitted"]);
    tokio::time::sleep(Duration::from_millis(600)).await;
    // No notification came: still submitted.
    let still = app.sync(&token, None, vec![]).await;
    assert_eq!(states(&still), ["submitted"]);
    app.clock.set(IN_WINDOW + time::Duration::seconds(60));
    let settled = reconcile_once(&app.server.state).await.unwrap();
    assert_eq!(settled, 1);
    let after = app.sync(&token, None, vec![]).await;
    assert_eq!(states(&after), ["paid"]);
    assert_eq!(app.paid_contributions().await, 1);
    app.server.stop().await;
}

async fn a_decline_frees_the_year_for_the_next_payer(app: TestApp) {
    let daughter = app.register("13800000004").await;
    let son = app.register("13800000005").await;
    let d_mum = app.add_payee(&daughter, &mother()).await;
    let s_mum = app.add_payee(&son, &mother()).await;
    let poor_card = app
        .bind_card(&daughter, &test_cards::insufficient_funds())
        .await;
    let good_card = app.bind_card(&son, &test_cards::pays()).await;
    let declined = app
        .sync(
            &daughter,
            None,
            vec![intent(d_mum, "1000", Some(poor_card))],
        )
        .await;
    let state = &declined.body["intents"][0]["state"];
    assert_eq!(state["state"], "failed");
    assert_eq!(state["reason"]["code"], "declined_insufficient_funds");
    assert!(state["reason"]["zh"].as_str().unwrap().contains("余额不足"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM contributions WHERE intent_id IS NOT NULL")
            .await,
        0
    );
    let paid = app
        .sync(&son, None, vec![intent(s_mum, "1000", Some(good_card))])
        .await;
    assert_eq!(states(&paid), ["paid"]);
    app.server.stop().await;
}

async fn intent_arriving_after_the_window_is_refused_and_not_charged(app: TestApp) {
    // Prepared on the evening of 30 April, arrives at 01:00 on 1 May in Wendeng (17:00 UTC).
    app.clock.set(datetime!(2026-04-30 17:00 UTC));
    let token = app.register("13800000006").await;
    let mum = app.add_payee(&token, &mother()).await;
    let card = app.bind_card(&token, &test_cards::pays()).await;
    let mut late = intent(mum, "500", Some(card));
    late["prepared_at"] = json!("2026-04-30T22:00:00+08:00");
    let reply = app.sync(&token, None, vec![late]).await;
    let state = &reply.body["intents"][0]["state"];
    assert_eq!(state["state"], "failed");
    assert_eq!(state["reason"]["code"], "window_closed");
    assert!(state["reason"]["zh"].as_str().unwrap().contains("4月30日"));
    assert_eq!(reply.body["window"]["state"], "closed");
    assert_eq!(app.sandbox.order_count(), 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM contributions WHERE intent_id IS NOT NULL")
            .await,
        0
    );
    app.server.stop().await;
}

async fn intent_without_a_card_waits_and_can_be_completed(app: TestApp) {
    let token = app.register("13800000007").await;
    let mum = app.add_payee(&token, &mother()).await;
    let waiting = intent(mum, "500", None);
    let first = app.sync(&token, None, vec![waiting.clone()]).await;
    assert_eq!(states(&first), ["awaiting_payment"]);
    let card = app.bind_card(&token, &test_cards::pays()).await;
    let mut completed = waiting.clone();
    completed["method_id"] = json!(card);
    let second = app.sync(&token, None, vec![completed]).await;
    assert_eq!(states(&second), ["paid"]);
    app.server.stop().await;
}

async fn rules_refuse_with_reasons(app: TestApp) {
    let token = app.register("13800000008").await;
    let card = app.bind_card(&token, &test_cards::pays()).await;
    let neighbour = app.add_payee(&token, &disabled_neighbour()).await;
    let pensioner = app.add_payee(&token, &pensioner()).await;
    let mum = app.add_payee(&token, &mother()).await;
    let mut past = intent(mum, "500", Some(card));
    past["year"] = json!(2024);
    let reply = app
        .sync(
            &token,
            None,
            vec![
                intent(neighbour, "300", Some(card)),
                intent(pensioner, "500", Some(card)),
                intent(mum, "300", Some(card)),
                past,
            ],
        )
        .await;
    let codes: Vec<_> = reply.body["intents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["state"]["state"].as_str().unwrap().to_owned(),
                i["state"]["reason"]["code"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(
        codes[0],
        ("paid".into(), "".into()),
        "300 is allowed for the severely disabled"
    );
    assert_eq!(codes[1], ("failed".into(), "drawing_pension".into()));
    assert_eq!(codes[2], ("failed".into(), "tier_restricted".into()));
    assert_eq!(
        codes[3],
        ("not_needed".into(), "paid_by_someone_else".into()),
        "2024 was paid"
    );
    let views = app.get("/payees", &token).await;
    let pensioner_view = views
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == pensioner.to_string())
        .unwrap()
        .clone();
    assert_eq!(
        pensioner_view["check"]["blocked"]["code"],
        "drawing_pension"
    );
    app.server.stop().await;
}
