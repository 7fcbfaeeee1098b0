//! New enrolment (参保登记) end to end on SQLite and PostgreSQL: the form, the village check,
//! the town entry, the roster, and then a payment through `/sync`; who may see and do what;
//! bad input and duplicates refused without writing.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use time::macros::date;
use uuid::Uuid;
use yanglao_server::gateway::sandbox::test_cards;
use yanglao_server::staff::roles::Role;
use yanglao_shared::synthetic;

on_both_stores!(
    enrolment_from_form_to_roster_to_payment,
    staff_see_and_act_only_in_their_area,
    bad_input_and_duplicates_write_nothing,
    places_are_those_the_roster_and_staff_know,
);

const TOWN: &str = "龙山街道";
const VILLAGE: &str = "岛山村";

fn newcomer() -> Person {
    Person {
        name: "毕春燕",
        id_number: synthetic::id_number("371003", date!(1985 - 04 - 10), 52),
    }
}

fn form(id: Uuid, person: &Person, town: &str, village: &str) -> Value {
    json!({
        "id": id, "name": person.name, "id_number": person.id_number.as_str(),
        "town": town, "village": village, "mobile": "13700000001", "severely_disabled": false,
    })
}

fn all_seen() -> Value {
    json!({ "household_register": true, "id_card": true, "disability_proof": false })
}

async fn enrolments(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM enrolments").await
}

async fn enrolment_from_form_to_roster_to_payment(app: TestApp) {
    let son = app.register("13800000011").await;
    let (village_id, village) =
        staff_token(&app, "13900000011", Role::Village, TOWN, Some(VILLAGE)).await;
    let (town_id, town) = staff_token(&app, "13900000012", Role::Town, TOWN, None).await;
    let id = Uuid::new_v4();
    let path = format!("/enrolments/{id}");
    let body = form(id, &newcomer(), TOWN, VILLAGE);
    let first = app.put(&path, &son, body.clone()).await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    assert_eq!(first.body["state"], "submitted");
    assert!(first.body["id_masked"].as_str().unwrap().contains('*'));
    // The outbox retries: the same answer, one form.
    let again = app.put(&path, &son, body.clone()).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body, first.body);
    assert_eq!(enrolments(&app).await, 1);

    let check_path = format!("/staff/enrolments/{id}/village-check");
    let check = |body: Value| app.post(&check_path, &village, body);
    let missing = check(
        json!({ "checklist": { "household_register": true, "id_card": false,
        "disability_proof": false }, "approve": true, "reason": null }),
    )
    .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(missing.body["code"], "materials_missing");
    let no_reason =
        check(json!({ "checklist": all_seen(), "approve": false, "reason": " " })).await;
    assert_eq!(no_reason.body["code"], "reason_required");
    let returned =
        check(json!({ "checklist": all_seen(), "approve": false, "reason": "手机号无法接通" }))
            .await;
    assert_eq!(returned.status, StatusCode::OK, "{:?}", returned.body);
    assert_eq!(returned.body["state"], "returned");
    let mine = app.get("/enrolments", &son).await;
    assert_eq!(mine.body[0]["state"], "returned");
    assert_eq!(mine.body[0]["return_reason"], "手机号无法接通");

    // The first sending arriving late (its answer was lost) is not taken for a fix: it hears
    // how things stand. A change without a new revision is refused.
    let late = app.put(&path, &son, body.clone()).await;
    assert_eq!(late.status, StatusCode::OK);
    assert_eq!(late.body["state"], "returned");
    let mut unnumbered = body.clone();
    unnumbered["mobile"] = "13700000002".into();
    let stale = app.put(&path, &son, unnumbered).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.body["code"], "stale_revision");
    assert_eq!(
        app.get("/enrolments", &son).await.body[0]["state"],
        "returned"
    );

    // Fixed and resubmitted under the same id, as the next revision: back to the village. The
    // fields may be unchanged (the papers were the problem).
    let mut fixed = body.clone();
    fixed["revision"] = 1.into();
    let resubmitted = app.put(&path, &son, fixed.clone()).await;
    assert_eq!(
        resubmitted.body["state"], "submitted",
        "{:?}",
        resubmitted.body
    );
    assert_eq!(resubmitted.body["revision"], 1);
    let retried = app.put(&path, &son, fixed).await;
    assert_eq!(
        retried.body, resubmitted.body,
        "a retry of the fix: the same answer"
    );
    let approved = check(json!({ "checklist": all_seen(), "approve": true, "reason": null })).await;
    assert_eq!(
        approved.body["state"], "village_approved",
        "{:?}",
        approved.body
    );
    assert_eq!(
        app.get("/enrolments", &son).await.body[0]["state"],
        "village_approved"
    );

    // The son already keeps her in his list: not on the roster yet.
    let payee = app.add_payee(&son, &newcomer()).await;
    assert_eq!(
        app.get("/payees", &son).await.body[0]["check"]["state"],
        "no_match"
    );
    let residents = app.count("SELECT COUNT(*) FROM residents").await;
    let review = format!("/staff/enrolments/{id}/town-review");
    let entered = app
        .post(&review, &town, json!({ "approve": true, "reason": null }))
        .await;
    assert_eq!(entered.status, StatusCode::OK, "{:?}", entered.body);
    assert_eq!(entered.body["state"], "enrolled");
    assert!(entered.body["town_reviewed_at"].is_string());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM residents").await,
        residents + 1
    );
    let twice = app
        .post(&review, &town, json!({ "approve": true, "reason": null }))
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(twice.body["code"], "wrong_state");
    assert_eq!(
        app.audit_actions(&village_id).await,
        ["enrolment_village_return", "enrolment_village_approve"]
    );
    assert_eq!(app.audit_actions(&town_id).await, ["enrolment_town_enter"]);
    let audited: Option<String> = sqlx::query_scalar(
        "SELECT after_json FROM audit_log WHERE action = 'enrolment_town_enter'",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert!(audited.unwrap().contains("\"enrolled\""));

    // Now on the roster: she is verified in his list, and he pays 2026 through the ordinary
    // sync; someone adding her afresh finds her too.
    assert_eq!(
        app.get("/payees", &son).await.body[0]["check"]["state"],
        "verified"
    );
    let neighbour = app.register("13800000012").await;
    app.add_payee(&neighbour, &newcomer()).await;
    let seen = app.get("/payees", &neighbour).await;
    assert_eq!(seen.body[0]["check"]["state"], "verified");
    assert_eq!(seen.body[0]["check"]["paid_this_year"], false);
    let card = app.bind_card(&son, &test_cards::pays()).await;
    let paid = app
        .sync(&son, None, vec![intent(payee, "500", Some(card))])
        .await;
    assert_eq!(paid.status, StatusCode::OK, "{:?}", paid.body);
    assert_eq!(states(&paid), ["paid"]);
    // Entering her again is refused with a clear code.
    let other = Uuid::new_v4();
    let dup = app
        .put(
            &format!("/enrolments/{other}"),
            &son,
            form(other, &newcomer(), TOWN, VILLAGE),
        )
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    assert_eq!(dup.body["code"], "already_enrolled");
}

async fn staff_see_and_act_only_in_their_area(app: TestApp) {
    let resident_a = app.register("13800000021").await;
    let resident_b = app.register("13800000022").await;
    let (a_id, village_a) =
        staff_token(&app, "13900000021", Role::Village, TOWN, Some(VILLAGE)).await;
    let (_, village_b) =
        staff_token(&app, "13900000022", Role::Village, TOWN, Some("西楼村")).await;
    let (_, town_ls) = staff_token(&app, "13900000023", Role::Town, TOWN, None).await;
    let (_, town_zk) = staff_token(&app, "13900000024", Role::Town, "泽库镇", None).await;
    let (here, there) = (Uuid::new_v4(), Uuid::new_v4());
    let far = Person {
        name: "谷立新",
        id_number: synthetic::id_number("371003", date!(1979 - 09 - 09), 61),
    };
    let ok = app
        .put(
            &format!("/enrolments/{here}"),
            &resident_a,
            form(here, &newcomer(), TOWN, VILLAGE),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    let ok = app
        .put(
            &format!("/enrolments/{there}"),
            &resident_b,
            form(there, &far, "泽库镇", "泽库村"),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);

    // An applicant sees only their own.
    let mine = app.get("/enrolments", &resident_a).await;
    assert_eq!(mine.body.as_array().unwrap().len(), 1);
    assert_eq!(mine.body[0]["id"], here.to_string());
    let app = &app;
    let listed = |token: String| async move {
        let reply = app.get("/staff/enrolments", &token).await;
        (
            reply.status,
            reply.body.as_array().map(|a| a.len()).unwrap_or(0),
        )
    };
    assert_eq!(listed(resident_a.clone()).await.0, StatusCode::FORBIDDEN);
    assert_eq!(listed(village_a.clone()).await, (StatusCode::OK, 1));
    assert_eq!(listed(village_b.clone()).await, (StatusCode::OK, 0));
    assert_eq!(listed(town_ls.clone()).await, (StatusCode::OK, 1));
    assert_eq!(listed(town_zk.clone()).await, (StatusCode::OK, 1));

    // Nobody outside the area (or of the wrong role, or a resident) moves a form on.
    let check = json!({ "checklist": all_seen(), "approve": true, "reason": null });
    for token in [&resident_a, &village_b, &town_ls] {
        let reply = app
            .post(
                &format!("/staff/enrolments/{here}/village-check"),
                token,
                check.clone(),
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert_eq!(reply.body["code"], "forbidden");
    }
    let reply = app
        .post(
            &format!("/staff/enrolments/{there}/village-check"),
            &village_a,
            check.clone(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let approve = app
        .post(
            &format!("/staff/enrolments/{here}/village-check"),
            &village_a,
            check,
        )
        .await;
    assert_eq!(approve.status, StatusCode::OK);
    let enter = json!({ "approve": true, "reason": null });
    for token in [&resident_a, &village_a, &town_zk] {
        let reply = app
            .post(
                &format!("/staff/enrolments/{here}/town-review"),
                token,
                enter.clone(),
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM enrolments WHERE state = 'enrolled'")
            .await,
        0
    );

    // A village assistant enters a form for someone of their own village only; town staff
    // review forms, they do not file them.
    let neighbour = Person {
        name: "鞠文华",
        id_number: synthetic::id_number("371081", date!(1972 - 12 - 01), 73),
    };
    let id = Uuid::new_v4();
    let outside = app
        .put(
            &format!("/enrolments/{id}"),
            &village_a,
            form(id, &neighbour, "泽库镇", "泽库村"),
        )
        .await;
    assert_eq!(outside.status, StatusCode::FORBIDDEN);
    let by_town = app
        .put(
            &format!("/enrolments/{id}"),
            &town_ls,
            form(id, &neighbour, TOWN, VILLAGE),
        )
        .await;
    assert_eq!(by_town.status, StatusCode::FORBIDDEN);
    let entered = app
        .put(
            &format!("/enrolments/{id}"),
            &village_a,
            form(id, &neighbour, TOWN, VILLAGE),
        )
        .await;
    assert_eq!(entered.status, StatusCode::OK, "{:?}", entered.body);
    assert_eq!(
        app.audit_actions(&a_id).await,
        [
            "enrolment_list",
            "enrolment_village_approve",
            "enrolment_enter"
        ]
    );
}

async fn bad_input_and_duplicates_write_nothing(app: TestApp) {
    let token = app.register("13800000031").await;
    let id = Uuid::new_v4();
    let path = format!("/enrolments/{id}");
    let good = form(id, &newcomer(), TOWN, VILLAGE);
    let mut cases = Vec::new();
    for (field, value) in [
        ("id_number", json!("371003198504100000")),
        ("name", json!("")),
        ("mobile", json!("12345")),
        ("town", json!(" ")),
        ("severely_disabled", json!("是")),
        ("surprise", json!(1)),
    ] {
        let mut body = good.clone();
        body[field] = value;
        cases.push(body);
    }
    let mut wrong_id = good.clone();
    wrong_id["id"] = json!(Uuid::new_v4());
    cases.push(wrong_id);
    let child = Person {
        name: "毕小雨",
        id_number: synthetic::id_number("371003", date!(2015 - 06 - 01), 12),
    };
    let too_young = form(id, &child, TOWN, VILLAGE);
    cases.push(too_young.clone());
    for body in cases {
        let reply = app.put(&path, &token, body.clone()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(reply.body["code"].is_string());
    }
    let reply = app.put(&path, &token, too_young).await;
    assert_eq!(reply.body["code"], "too_young");
    let on_roster = Uuid::new_v4();
    let reply = app
        .put(
            &format!("/enrolments/{on_roster}"),
            &token,
            form(on_roster, &mother(), TOWN, VILLAGE),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.body["code"], "already_enrolled");
    assert_eq!(enrolments(&app).await, 0);

    assert_eq!(
        app.put(&path, &token, good.clone()).await.status,
        StatusCode::OK
    );
    let second = Uuid::new_v4();
    let reply = app
        .put(
            &format!("/enrolments/{second}"),
            &token,
            form(second, &newcomer(), TOWN, VILLAGE),
        )
        .await;
    assert_eq!(reply.body["code"], "enrolment_pending");
    let mut changed = good.clone();
    changed["mobile"] = "13700000009".into();
    assert_eq!(
        app.put(&path, &token, changed).await.body["code"],
        "idempotency_conflict"
    );
    let stranger = app.register("13800000032").await;
    assert_eq!(
        app.put(&path, &stranger, good).await.body["code"],
        "id_conflict"
    );
    assert_eq!(enrolments(&app).await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'enrolment%'")
            .await,
        0
    );
}

/// The form offers the places the roster and the staff know, and no other is accepted: a
/// village name with a typo would leave the form where no village assistant looks.
async fn places_are_those_the_roster_and_staff_know(app: TestApp) {
    staff_token(&app, "13900000051", Role::Village, TOWN, Some("西楼村")).await;
    let places = app.call(reqwest::Method::GET, "/places", None, None).await;
    assert_eq!(places.status, StatusCode::OK);
    let town = places
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["town"] == TOWN)
        .unwrap();
    let villages: Vec<&str> = town["villages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(villages.contains(&VILLAGE), "{villages:?}");
    assert!(
        villages.contains(&"西楼村"),
        "a staff member's village counts: {villages:?}"
    );

    let token = app.register("13800000061").await;
    let id = Uuid::new_v4();
    let reply = app
        .put(
            &format!("/enrolments/{id}"),
            &token,
            form(id, &newcomer(), TOWN, "岛山"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.body["code"], "unknown_place");
    assert_eq!(enrolments(&app).await, 0);
    let reply = app
        .put(
            &format!("/enrolments/{id}"),
            &token,
            form(id, &newcomer(), TOWN, "西楼村"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
}
