//! Back payment (补缴) end to end on SQLite and PostgreSQL: the application, the town center's
//! eligibility check and slip, the bank receipt and the ledger; never a subsidy, never over a
//! paid year; who may act; bad input refused without writing.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use time::macros::datetime;
use uuid::Uuid;
use yanglao_server::staff::roles::Role;

on_both_stores!(
    back_payment_from_form_to_ledger,
    a_paid_year_is_never_back_paid,
    only_the_town_center_acts_and_bad_input_writes_nothing,
);

const TOWN: &str = "龙山街道";

fn form(id: Uuid, person: &Person, years: &[i32], tier: &str) -> Value {
    json!({ "id": id, "name": person.name, "id_number": person.id_number.as_str(),
            "years": years, "tier": tier })
}

async fn apply(app: &TestApp, token: &str, person: &Person, years: &[i32], tier: &str) -> Uuid {
    let id = Uuid::new_v4();
    let reply = app
        .put(
            &format!("/back-payments/{id}"),
            token,
            form(id, person, years, tier),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["state"], "submitted");
    id
}

async fn back_rows(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM contributions WHERE back_payment = 1")
        .await
}

async fn back_payment_from_form_to_ledger(app: TestApp) {
    let son = app.register("13800000041").await;
    let (town_id, town) = staff_token(&app, "13900000041", Role::Town, TOWN, None).await;
    // Mother (born 1968) paid 2023–2025; she asks for 2021 and 2020.
    let id = Uuid::new_v4();
    let path = format!("/back-payments/{id}");
    let body = form(id, &mother(), &[2021, 2020], "1000");
    let first = app.put(&path, &son, body.clone()).await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    assert_eq!(first.body["years"], json!([2020, 2021]));
    assert_eq!(first.body["name_masked"], "王**");
    let again = app.put(&path, &son, body).await;
    assert_eq!(again.body, first.body, "a retried form is the same form");
    assert_eq!(app.count("SELECT COUNT(*) FROM back_payments").await, 1);

    let slip = app
        .post(
            &format!("/staff/back-payments/{id}/review"),
            &town,
            json!({}),
        )
        .await;
    assert_eq!(slip.status, StatusCode::OK, "{:?}", slip.body);
    assert_eq!(slip.body["state"], "slip_issued");
    assert_eq!(slip.body["amount"], "2000", "tier × years");
    assert_eq!(slip.body["earns_subsidy"], false);
    let slip_no = slip.body["slip_no"].as_str().unwrap().to_owned();
    assert!(slip_no.starts_with("BJ2026"), "{slip_no}");
    assert_eq!(
        app.get("/back-payments", &son).await.body[0]["state"],
        "slip_issued"
    );
    assert_eq!(back_rows(&app).await, 0, "a slip is not a payment");

    let receipt = format!("/staff/back-payments/{id}/receipt");
    let bad = app
        .post(&receipt, &town, json!({ "bank_receipt_no": "农行-1" }))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.body["code"], "invalid_bank_receipt");
    let paid = app
        .post(
            &receipt,
            &town,
            json!({ "bank_receipt_no": "nh2026000123" }),
        )
        .await;
    assert_eq!(paid.status, StatusCode::OK, "{:?}", paid.body);
    assert_eq!(paid.body["state"], "paid");
    assert_eq!(paid.body["bank_receipt_no"], "NH2026000123");
    let twice = app
        .post(
            &receipt,
            &town,
            json!({ "bank_receipt_no": "NH2026000124" }),
        )
        .await;
    assert_eq!(twice.body["code"], "wrong_state");

    let rows: Vec<(i64, i64, Option<String>, i64)> = sqlx::query_as(
        "SELECT c.year, c.amount_fen, c.receipt_no, c.back_payment FROM contributions c \
         JOIN residents r ON r.id = c.resident_id WHERE r.id_number = $1 AND c.state = 'paid' \
         ORDER BY c.year",
    )
    .bind(mother().id_number.as_str())
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 5);
    assert_eq!((rows[0].0, rows[0].1, rows[0].3), (2020, 100_000, 1));
    assert_eq!(rows[1].2, Some(format!("{slip_no}Y2021")));
    assert!(
        rows[2..].iter().all(|r| r.3 == 0),
        "the years she paid herself stay"
    );
    let check = app
        .call(
            reqwest::Method::GET,
            &format!("/receipts/{slip_no}Y2020"),
            None,
            None,
        )
        .await;
    assert_eq!(check.status, StatusCode::OK, "{:?}", check.body);
    assert_eq!(check.body["year"], 2020);

    // Her own record shows the back-paid years as such: no subsidy.
    let claim = app
        .post(
            "/me/claim",
            &son,
            json!({ "name": mother().name,
        "id_number": mother().id_number.as_str() }),
        )
        .await;
    assert!(claim.status.is_success(), "{:?}", claim.body);
    let me = app.get("/me", &son).await;
    let contributions = me.body["own_record"]["contributions"]
        .as_array()
        .unwrap()
        .clone();
    let back: Vec<_> = contributions
        .iter()
        .filter(|c| c["back_payment"] == true)
        .collect();
    assert_eq!(back.len(), 2);
    assert_eq!(
        app.get("/back-payments", &son).await.body[0]["state"],
        "paid"
    );
    assert_eq!(
        app.audit_actions(&town_id).await,
        ["back_payment_slip", "back_payment_receipt"]
    );
}

async fn a_paid_year_is_never_back_paid(app: TestApp) {
    let token = app.register("13800000051").await;
    let (town_id, town) = staff_token(&app, "13900000051", Role::Town, TOWN, None).await;
    let review = |id: Uuid| {
        let town = town.clone();
        let app = &app;
        async move {
            app.post(
                &format!("/staff/back-payments/{id}/review"),
                &town,
                json!({}),
            )
            .await
        }
    };
    // Years already paid, this year, before the policy, or outside 16–59 are rejected with
    // every reason; the applicant sees them.
    let paid_year = apply(&app, &token, &father(), &[2025], "500").await;
    let reply = review(paid_year).await;
    assert_eq!(reply.body["state"], "rejected", "{:?}", reply.body);
    assert_eq!(reply.body["refusals"][0]["code"], "already_paid");
    assert!(reply.body["slip_no"].is_null());
    let odd = apply(&app, &token, &father(), &[2026, 2017], "300").await;
    let codes: Vec<Value> = review(odd).await.body["refusals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].clone())
        .collect();
    assert_eq!(
        codes,
        ["year_not_covered", "not_past_year", "tier_restricted"]
    );

    // Two slips never cover one year.
    let first = apply(&app, &token, &father(), &[2021, 2022], "800").await;
    assert_eq!(review(first).await.body["state"], "slip_issued");
    let overlapping = apply(&app, &token, &father(), &[2022], "800").await;
    assert_eq!(
        review(overlapping).await.body["refusals"][0]["code"],
        "already_paid"
    );

    // A year paid some other way after the slip: the receipt is refused and writes nothing.
    sqlx::query(
        "INSERT INTO contributions (resident_id, year, amount_fen, state, back_payment, \
         created_at, paid_at) SELECT id, 2022, 50000, 'paid', 0, 1, 1 FROM residents \
         WHERE id_number = $1",
    )
    .bind(father().id_number.as_str())
    .execute(&app.db.pool)
    .await
    .unwrap();
    let clash = app
        .post(
            &format!("/staff/back-payments/{first}/receipt"),
            &town,
            json!({ "bank_receipt_no": "NH2026000777" }),
        )
        .await;
    assert_eq!(clash.status, StatusCode::CONFLICT, "{:?}", clash.body);
    assert_eq!(clash.body["code"], "year_already_paid");
    assert_eq!(back_rows(&app).await, 0, "2021 was not written either");
    let mine = app.get("/back-payments", &token).await;
    let still = mine
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == first.to_string())
        .unwrap();
    assert_eq!(still["state"], "slip_issued");
    assert!(still["bank_receipt_no"].is_null());
    assert_eq!(
        app.audit_actions(&town_id).await,
        [
            "back_payment_reject",
            "back_payment_reject",
            "back_payment_slip",
            "back_payment_reject"
        ]
    );
}

async fn only_the_town_center_acts_and_bad_input_writes_nothing(app: TestApp) {
    let applicant = app.register("13800000061").await;
    let stranger = app.register("13800000062").await;
    let (_, village) = staff_token(&app, "13900000061", Role::Village, TOWN, Some("岛山村")).await;
    let (_, other_village) =
        staff_token(&app, "13900000062", Role::Village, TOWN, Some("西楼村")).await;
    let (_, other_town) = staff_token(&app, "13900000063", Role::Town, "泽库镇", None).await;
    let (_, town) = staff_token(&app, "13900000064", Role::Town, TOWN, None).await;
    let id = apply(&app, &applicant, &mother(), &[2020], "500").await;

    assert_eq!(app.get("/back-payments", &stranger).await.body, json!([]));
    let listed = |token: String| {
        let app = &app;
        async move { app.get("/staff/back-payments", &token).await }
    };
    assert_eq!(
        listed(applicant.clone()).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        listed(village.clone()).await.body.as_array().unwrap().len(),
        1
    );
    assert_eq!(listed(other_village.clone()).await.body, json!([]));
    assert_eq!(listed(other_town.clone()).await.body, json!([]));
    assert_eq!(listed(town.clone()).await.body.as_array().unwrap().len(), 1);
    for token in [&applicant, &village, &other_village, &other_town] {
        let reply = app
            .post(
                &format!("/staff/back-payments/{id}/review"),
                token,
                json!({}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert_eq!(reply.body["code"], "forbidden");
    }
    assert_eq!(
        app.post(
            &format!("/staff/back-payments/{id}/review"),
            &town,
            json!({})
        )
        .await
        .status,
        StatusCode::OK
    );
    for token in [&applicant, &village, &other_town] {
        let reply = app
            .post(
                &format!("/staff/back-payments/{id}/receipt"),
                token,
                json!({ "bank_receipt_no": "NH1234567" }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(back_rows(&app).await, 0);

    // Bad input: 4xx, nothing written.
    let before = app.count("SELECT COUNT(*) FROM back_payments").await;
    let nobody = Person {
        name: "查无此人",
        id_number: mother().id_number,
    };
    for (person, years, tier, code) in [
        (&mother(), &[][..], "500", "no_years"),
        (&nobody, &[2020][..], "500", "no_roster_match"),
    ] {
        let id = Uuid::new_v4();
        let reply = app
            .put(
                &format!("/back-payments/{id}"),
                &applicant,
                form(id, person, years, tier),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reply.body["code"], code);
    }
    let other = Uuid::new_v4();
    let mismatch = app
        .put(
            &format!("/back-payments/{id}"),
            &applicant,
            form(other, &mother(), &[2020], "500"),
        )
        .await;
    assert_eq!(mismatch.body["code"], "id_mismatch");
    let changed = app
        .put(
            &format!("/back-payments/{id}"),
            &applicant,
            form(id, &mother(), &[2019], "500"),
        )
        .await;
    assert_eq!(changed.body["code"], "idempotency_conflict");
    let taken = app
        .put(
            &format!("/back-payments/{id}"),
            &stranger,
            form(id, &mother(), &[2020], "500"),
        )
        .await;
    assert_eq!(taken.body["code"], "id_conflict");
    // Outside the window the form is not taken (the notice: during the payment window).
    app.clock.set(datetime!(2026-06-01 10:00 +8));
    // ...but a retry of a form filed in time still hears its answer (its reply was lost;
    // the phone has logged in again since).
    let login = app
        .call(
            reqwest::Method::POST,
            "/sessions",
            None,
            Some(json!({ "mobile": "13800000061", "password": "mima12345" })),
        )
        .await;
    let applicant = login.body["token"].as_str().unwrap().to_owned();
    let retry = app
        .put(
            &format!("/back-payments/{id}"),
            &applicant,
            form(id, &mother(), &[2020], "500"),
        )
        .await;
    assert_eq!(retry.status, StatusCode::OK, "{:?}", retry.body);
    let applicant = app.register("13800000063").await;
    let late = Uuid::new_v4();
    let reply = app
        .put(
            &format!("/back-payments/{late}"),
            &applicant,
            form(late, &mother(), &[2020], "500"),
        )
        .await;
    assert_eq!(reply.body["code"], "window_closed");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM back_payments").await,
        before
    );
}
