//! From form to ledger: the form, the slip (tier × years, no subsidy), the bank receipt that
//! puts the years in the ledger as back payment, and what the applicant then sees.

use reqwest::StatusCode;
use yanglao_shared::applications::BackPaymentState;

use super::{applied, back_rows};
use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    a_form_lists_its_years_in_order_with_a_masked_name,
    a_retried_form_is_the_same_form,
    the_slip_is_tier_times_years_without_subsidy,
    a_slip_is_not_a_payment,
    a_malformed_bank_receipt_number_is_refused,
    the_bank_receipt_puts_the_years_in_the_ledger_as_back_payment,
    a_second_receipt_is_refused_as_wrong_state,
    a_back_paid_year_has_a_receipt_anyone_can_verify,
    her_own_record_shows_the_back_paid_years_as_such,
    the_slip_and_the_receipt_are_audited,
);

async fn a_form_lists_its_years_in_order_with_a_masked_name(app: &TestApp) {
    let son = app.account("13800000041").await;
    let form = back_payment(&mother(), &[2021, 2020], "1000");
    let first = app.api.file_back_payment(&son, &form).await.unwrap();
    assert_eq!(first.years, [2020, 2021]);
    assert_eq!(first.name_masked, "王**");
}

async fn a_retried_form_is_the_same_form(app: &TestApp) {
    let son = app.account("13800000041").await;
    let form = back_payment(&mother(), &[2021, 2020], "1000");
    let first = app.api.file_back_payment(&son, &form).await.unwrap();
    let again = app.api.file_back_payment(&son, &form).await.unwrap();
    assert_eq!(again, first, "a retried form is the same form");
    assert_eq!(app.count("SELECT COUNT(*) FROM back_payments").await, 1);
}

async fn the_slip_is_tier_times_years_without_subsidy(app: &TestApp) {
    let a = applied(app).await;
    let slip = app.api.review_back_payment(&a.town, a.id).await.unwrap();
    assert_eq!(slip.state, BackPaymentState::SlipIssued);
    assert_eq!(
        slip.amount.map(|m| m.to_string()).as_deref(),
        Some("2000"),
        "tier × years"
    );
    assert!(!slip.earns_subsidy);
    let slip_no = slip.slip_no.unwrap();
    assert!(slip_no.starts_with("BJ2026"), "{slip_no}");
}

async fn a_slip_is_not_a_payment(app: &TestApp) {
    let a = applied(app).await;
    a.slip(app).await;
    let mine = app.api.back_payments(&a.son).await.unwrap();
    assert_eq!(mine[0].state, BackPaymentState::SlipIssued);
    assert_eq!(back_rows(app).await, 0, "a slip is not a payment");
}

async fn a_malformed_bank_receipt_number_is_refused(app: &TestApp) {
    let a = applied(app).await;
    a.slip(app).await;
    let bad = app
        .api
        .record_bank_receipt(&a.town, a.id, "农行-1")
        .await
        .unwrap_err();
    assert_eq!(
        (bad.status, bad.code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_bank_receipt")
    );
    assert_eq!(back_rows(app).await, 0);
}

async fn the_bank_receipt_puts_the_years_in_the_ledger_as_back_payment(app: &TestApp) {
    let a = applied(app).await;
    let slip_no = a.slip(app).await;
    let paid = app
        .api
        .record_bank_receipt(&a.town, a.id, "nh2026000123")
        .await
        .unwrap();
    assert_eq!(paid.state, BackPaymentState::Paid);
    assert_eq!(paid.bank_receipt_no.as_deref(), Some("NH2026000123"));
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
    let mine = app.api.back_payments(&a.son).await.unwrap();
    assert_eq!(mine[0].state, BackPaymentState::Paid);
}

async fn a_second_receipt_is_refused_as_wrong_state(app: &TestApp) {
    let a = applied(app).await;
    a.paid(app).await;
    let twice = app
        .api
        .record_bank_receipt(&a.town, a.id, "NH2026000124")
        .await
        .unwrap_err();
    assert_eq!(twice.code, "wrong_state");
}

async fn a_back_paid_year_has_a_receipt_anyone_can_verify(app: &TestApp) {
    let a = applied(app).await;
    let slip_no = a.paid(app).await;
    let check = app.api.receipt(&format!("{slip_no}Y2020")).await.unwrap();
    assert_eq!(check.year, 2020);
}

/// No subsidy for those years.
async fn her_own_record_shows_the_back_paid_years_as_such(app: &TestApp) {
    let a = applied(app).await;
    a.paid(app).await;
    app.claim_proven(&a.son, &mother(), "13912340001").await;
    let me = app.api.me(&a.son).await.unwrap();
    let record = me.own_record.expect("her record");
    let back = record
        .contributions
        .iter()
        .filter(|c| c.back_payment)
        .count();
    assert_eq!(back, 2);
    // He applied and paid them: the receipts are his to see.
    for c in record.contributions.iter().filter(|c| c.back_payment) {
        assert!(c.receipt_no.is_some() && !c.paid_by_other, "{c:?}");
    }
}

async fn the_slip_and_the_receipt_are_audited(app: &TestApp) {
    let a = applied(app).await;
    a.paid(app).await;
    assert_eq!(
        app.audit_actions(&a.town_id).await,
        [
            "back_payment_check",
            "back_payment_slip",
            "back_payment_receipt"
        ]
    );
}
