//! The town center's check: a paid year is never back-paid. A form whose every year is already
//! paid, this year or before the policy, or with a tier not theirs, is returned with every
//! reason at once; two
//! slips never cover one year; a year paid another way after the slip refuses the receipt.

use reqwest::StatusCode;
use uuid::Uuid;
use yanglao_shared::applications::{BackPaymentState, BackPaymentView};

use super::{apply, back_rows, town_center};
use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    a_form_of_paid_years_only_is_returned_and_no_slip_is_issued,
    every_reason_for_a_return_is_given_at_once,
    two_slips_never_cover_one_year,
    a_year_paid_another_way_after_the_slip_refuses_the_receipt,
    each_decision_of_the_check_is_audited,
);

async fn review(app: &TestApp, town: &str, id: Uuid) -> BackPaymentView {
    app.api.review_back_payment(town, id).await.unwrap()
}

fn codes(view: &BackPaymentView) -> Vec<&str> {
    view.refusals.iter().map(|r| r.code.as_str()).collect()
}

/// Father paid 2025.
async fn a_form_of_paid_years_only_is_returned_and_no_slip_is_issued(app: &TestApp) {
    let token = app.account("13800000051").await;
    let (_, town) = town_center(app).await;
    let paid_year = apply(app, &token, &father(), &[2025], "500").await;
    let reply = review(app, &town, paid_year.id).await;
    assert_eq!(reply.state, BackPaymentState::Returned);
    assert_eq!(codes(&reply)[0], "already_paid");
    assert_eq!(reply.slip_no, None);
}

async fn every_reason_for_a_return_is_given_at_once(app: &TestApp) {
    let token = app.account("13800000051").await;
    let (_, town) = town_center(app).await;
    let odd = apply(app, &token, &father(), &[2026, 2017], "300").await;
    let reply = review(app, &town, odd.id).await;
    assert_eq!(
        codes(&reply),
        ["tier_restricted", "year_not_covered", "not_past_year"],
        "the form's own reasons first, then each year's"
    );
}

async fn two_slips_never_cover_one_year(app: &TestApp) {
    let token = app.account("13800000051").await;
    let (_, town) = town_center(app).await;
    let first = apply(app, &token, &father(), &[2021, 2022], "800").await;
    assert_eq!(
        review(app, &town, first.id).await.state,
        BackPaymentState::SlipIssued
    );
    let overlapping = apply(app, &token, &father(), &[2022], "800").await;
    assert_eq!(
        codes(&review(app, &town, overlapping.id).await)[0],
        "already_paid"
    );
}

async fn a_year_paid_another_way_after_the_slip_refuses_the_receipt(app: &TestApp) {
    let token = app.account("13800000051").await;
    let (_, town) = town_center(app).await;
    let first = apply(app, &token, &father(), &[2021, 2022], "800").await;
    review(app, &town, first.id).await;
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
        .api
        .record_bank_receipt(&town, first.id, "NH2026000777")
        .await
        .unwrap_err();
    assert_eq!(
        (clash.status, clash.code.as_str()),
        (StatusCode::CONFLICT, "year_already_paid")
    );
    assert_eq!(back_rows(app).await, 0, "2021 was not written either");
    let mine = app.api.back_payments(&token).await.unwrap();
    let still = mine.iter().find(|b| b.id == first.id).unwrap();
    assert_eq!(still.state, BackPaymentState::SlipIssued);
    assert_eq!(still.bank_receipt_no, None);
}

async fn each_decision_of_the_check_is_audited(app: &TestApp) {
    let token = app.account("13800000051").await;
    let (town_id, town) = town_center(app).await;
    for (years, amount) in [
        (&[2025][..], "500"),
        (&[2026, 2017][..], "300"),
        (&[2021, 2022][..], "800"),
        (&[2022][..], "800"),
    ] {
        let form = apply(app, &token, &father(), years, amount).await;
        review(app, &town, form.id).await;
    }
    assert_eq!(
        app.audit_actions(&town_id).await,
        [
            "back_payment_check",
            "back_payment_return",
            "back_payment_check",
            "back_payment_return",
            "back_payment_check",
            "back_payment_slip",
            "back_payment_check",
            "back_payment_return"
        ]
    );
}
