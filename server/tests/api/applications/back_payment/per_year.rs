//! Per-year decisions: the town center sees each year's result before deciding, issues a slip
//! for the payable years only (the refused ones named with their reasons; amount and ledger
//! for those years alone) or returns the form, which the applicant fixes instead of starting
//! over. The town center of the person's town sees the name and ID number in full; the
//! applicant and a village assistant see them masked.

use reqwest::StatusCode;
use yanglao_server::staff::roles::Role;
use yanglao_shared::applications::{BackPaymentDecision, BackPaymentForm, BackPaymentState};

use super::{apply, back_rows, town_center};
use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    one_paid_year_gets_a_slip_for_the_others,
    a_slip_for_years_the_check_no_longer_gives_is_refused,
    a_returned_form_is_fixed_not_filed_again,
    only_the_town_center_sees_the_person_in_full,
);

/// She paid 2023–2025 herself; her son asks for 2020, 2021 and (by mistake) 2024 at 1000.
async fn one_paid_year_gets_a_slip_for_the_others(app: &TestApp) {
    let son = app.account("13800000061").await;
    let (town_id, town) = town_center(app).await;
    let form = apply(app, &son, &mother(), &[2024, 2021, 2020], "1000").await;

    let check = app.api.check_back_payment(&town, form.id).await.unwrap();
    let years: Vec<(i32, Vec<&str>)> = check
        .years
        .iter()
        .map(|y| (y.year, y.refusals.iter().map(|r| r.code.as_str()).collect()))
        .collect();
    assert_eq!(
        years,
        [(2020, vec![]), (2021, vec![]), (2024, vec!["already_paid"])]
    );
    assert_eq!(check.payable_years, [2020, 2021]);
    assert_eq!(check.amount.map(|m| m.to_string()).as_deref(), Some("2000"));
    assert!(check.general.is_empty() && !check.earns_subsidy);

    let slip = app
        .api
        .decide_back_payment(
            &town,
            form.id,
            &BackPaymentDecision::Slip {
                years: vec![2021, 2020],
            },
        )
        .await
        .unwrap();
    assert_eq!(slip.state, BackPaymentState::SlipIssued);
    assert_eq!(slip.years, [2020, 2021, 2024], "what was asked stays");
    assert_eq!(slip.slip_years, [2020, 2021]);
    assert_eq!(slip.amount.map(|m| m.to_string()).as_deref(), Some("2000"));
    let left_off: Vec<&str> = slip.refusals.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(left_off, ["already_paid"]);
    assert!(
        slip.refusals[0].zh.contains("2024"),
        "{}",
        slip.refusals[0].zh
    );
    // The applicant sees the same slip and why 2024 is not on it.
    let mine = app.api.back_payments(&son).await.unwrap();
    assert_eq!(mine[0].slip_years, [2020, 2021]);
    assert_eq!(mine[0].refusals[0].code, "already_paid");

    app.api
        .record_bank_receipt(&town, form.id, "NH2026000555")
        .await
        .unwrap();
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT c.year, c.amount_fen, c.back_payment FROM contributions c \
         JOIN residents r ON r.id = c.resident_id WHERE r.id_number = $1 AND c.state = 'paid' \
         ORDER BY c.year",
    )
    .bind(mother().id_number.as_str())
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(
        rows,
        [
            (2020, 100_000, 1),
            (2021, 100_000, 1),
            (2023, 50_000, 0),
            (2024, 50_000, 0),
            (2025, 50_000, 0)
        ],
        "the two back-paid years at the tier, her own years untouched"
    );
    assert_eq!(back_rows(app).await, 2);
    assert_eq!(
        app.audit_actions(&town_id).await,
        [
            "back_payment_check",
            "back_payment_slip",
            "back_payment_receipt"
        ]
    );
}

/// The check changed between the look and the decision: no slip for the years shown then.
async fn a_slip_for_years_the_check_no_longer_gives_is_refused(app: &TestApp) {
    let son = app.account("13800000061").await;
    let (_, town) = town_center(app).await;
    let form = apply(app, &son, &mother(), &[2024, 2021], "1000").await;
    let stale = app
        .api
        .decide_back_payment(
            &town,
            form.id,
            &BackPaymentDecision::Slip {
                years: vec![2021, 2024],
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        (stale.status, stale.code.as_str()),
        (StatusCode::CONFLICT, "check_changed")
    );
    let mine = app.api.back_payments(&son).await.unwrap();
    assert_eq!(
        mine[0].state,
        BackPaymentState::Submitted,
        "nothing written"
    );
}

/// Every year asked for is paid: no slip, the form goes back, and the son fixes the years.
async fn a_returned_form_is_fixed_not_filed_again(app: &TestApp) {
    let son = app.account("13800000061").await;
    let (_, town) = town_center(app).await;
    let form = apply(app, &son, &mother(), &[2024], "1000").await;
    let nothing = app
        .api
        .decide_back_payment(&town, form.id, &BackPaymentDecision::Slip { years: vec![] })
        .await
        .unwrap_err();
    assert_eq!(nothing.code, "nothing_payable");
    let back = app
        .api
        .decide_back_payment(
            &town,
            form.id,
            &BackPaymentDecision::Return {
                reason: Some("2024年已缴，请改选未缴的年度".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(back.state, BackPaymentState::Returned);
    assert_eq!(back.refusals[0].code, "already_paid");
    assert_eq!(
        back.return_reason.as_deref(),
        Some("2024年已缴，请改选未缴的年度")
    );

    // The fix form arrives as filed: name and ID in full, to the applicant only.
    let filed = app.api.back_payment_form(&son, form.id).await.unwrap();
    assert_eq!(filed.name, mother().name);
    assert_eq!(filed.id_number, mother().id_number.as_str());
    assert_eq!(filed.years, [2024]);
    let stranger = app.account("13800000062").await;
    let theirs = app.api.back_payment_form(&stranger, form.id).await;
    assert_eq!(theirs.unwrap_err().status, StatusCode::NOT_FOUND);

    // A late retry of the first sending is not a fix.
    let changed = BackPaymentForm {
        years: vec![2021],
        ..filed.clone()
    };
    let late = app.api.file_back_payment(&son, &changed).await.unwrap_err();
    assert_eq!(late.code, "stale_revision");
    let fixed = BackPaymentForm {
        years: vec![2021],
        revision: 1,
        ..filed
    };
    let again = app.api.file_back_payment(&son, &fixed).await.unwrap();
    assert_eq!(
        (again.state, again.years.as_slice(), again.revision),
        (BackPaymentState::Submitted, &[2021][..], 1)
    );
    assert!(again.refusals.is_empty() && again.return_reason.is_none());
    let slip = app.api.review_back_payment(&town, form.id).await.unwrap();
    assert_eq!(slip.slip_years, [2021]);
    assert_eq!(app.count("SELECT COUNT(*) FROM back_payments").await, 1);
    // Once decided, the form is not handed out again.
    let decided = app.api.back_payment_form(&son, form.id).await.unwrap_err();
    assert_eq!(decided.code, "not_returned");
}

async fn only_the_town_center_sees_the_person_in_full(app: &TestApp) {
    let son = app.account("13800000061").await;
    let (_, town) = town_center(app).await;
    let form = apply(app, &son, &mother(), &[2021], "1000").await;
    let listed = app.api.staff_back_payments(&town).await.unwrap();
    let full = listed[0]
        .full
        .as_ref()
        .expect("the town center sees her in full");
    assert_eq!(
        (full.name.as_str(), full.id_number.as_str()),
        (mother().name, mother().id_number.as_str())
    );
    let mine = app.api.back_payments(&son).await.unwrap();
    assert_eq!(mine[0].full, None, "the applicant's list stays masked");
    let (_, village) = app
        .staff("13900000062", Role::Village, TOWN, Some(VILLAGE))
        .await;
    let looking_on = app.api.staff_back_payments(&village).await.unwrap();
    assert!(looking_on.iter().all(|v| v.full.is_none()));
    let (_, other_town) = app.staff("13900000063", Role::Town, BULK_TOWN, None).await;
    let elsewhere = app.api.staff_back_payments(&other_town).await.unwrap();
    assert!(elsewhere.iter().all(|v| v.id != form.id));
    let (_, admin) = app.staff("13900000064", Role::Admin, TOWN, None).await;
    let all = app.api.staff_back_payments(&admin).await.unwrap();
    assert!(all.iter().any(|v| v.id == form.id) && all.iter().all(|v| v.full.is_none()));
}
