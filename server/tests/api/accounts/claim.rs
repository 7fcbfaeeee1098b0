//! Claiming one's own roster record: name and ID number send a code to the roster's mobile,
//! the code proves it, and only then is the record shown — without the receipt numbers of
//! payments other accounts made.

use reqwest::{Method, StatusCode};
use yanglao_server::gateway::sandbox::test_cards;
use yanglao_shared::wire::IntentState;

use crate::on_both_stores;
use crate::support::claims::{claim_as, claim_of};
use crate::support::*;

on_both_stores!(
    a_new_account_has_no_own_record_and_a_masked_mobile,
    a_claim_whose_name_does_not_match_is_refused,
    name_and_id_number_alone_reveal_nothing_of_the_record,
    the_code_goes_to_the_roster_mobile_and_opens_the_full_history,
    a_record_claimed_by_one_account_cannot_be_claimed_by_another,
    a_record_without_a_mobile_is_claimed_through_the_village_assistant,
    another_payers_receipt_number_never_reaches_the_claimant,
    the_claimants_own_payments_show_their_receipts,
);

/// The mother's roster mobile in these tests.
const HER_MOBILE: &str = "13912340001";

async fn a_new_account_has_no_own_record_and_a_masked_mobile(app: &TestApp) {
    let token = app.account("13700000005").await;
    let me = app.api.me(&token).await.unwrap();
    assert_eq!(me.own_record, None);
    assert_eq!(me.mobile_masked, "137****0005");
}

async fn a_claim_whose_name_does_not_match_is_refused(app: &TestApp) {
    app.give_roster_mobile(&mother(), HER_MOBILE).await;
    let token = app.account("13700000005").await;
    let wrong = app
        .api
        .claim(&token, &claim_as("王秀兰", &mother()))
        .await
        .unwrap_err();
    assert_eq!(wrong.code, "no_roster_match");
    assert!(app.sms_to(HER_MOBILE).await.is_empty(), "no code sent");
    assert_eq!(app.api.me(&token).await.unwrap().own_record, None);
}

/// Before the code, the old one-step claim answered her whole history, receipts and all, to
/// anyone who knew her name and ID number: now the answer is a masked number and an expiry.
async fn name_and_id_number_alone_reveal_nothing_of_the_record(app: &TestApp) {
    app.give_roster_mobile(&mother(), HER_MOBILE).await;
    let stranger = app.account("13700000005").await;
    let body = serde_json::to_vec(&claim_of(&mother())).unwrap();
    let answer = app
        .api
        .raw(Method::POST, "/me/claim", Some(&stranger), Some(body))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let started: serde_json::Value = serde_json::from_slice(&answer.bytes).unwrap();
    let fields: Vec<&String> = started.as_object().unwrap().keys().collect();
    assert_eq!(fields, ["expires_at", "mobile_masked"], "{started}");
    assert_eq!(started["mobile_masked"], "139****0001");
    for leak in [
        "2023",
        "2024",
        "2025",
        "500",
        "own_record",
        "王",
        "contributions",
    ] {
        assert!(!answer.text().contains(leak), "{leak} in {}", answer.text());
    }
    assert_eq!(app.api.me(&stranger).await.unwrap().own_record, None);
    // The code went to her number, and nowhere else.
    assert_eq!(app.sms_to(HER_MOBILE).await.len(), 1);
    assert!(app.sms_to("13700000005").await.is_empty());
}

async fn the_code_goes_to_the_roster_mobile_and_opens_the_full_history(app: &TestApp) {
    let token = app.account("13700000005").await;
    app.give_roster_mobile(&mother(), HER_MOBILE).await;
    let started = app.api.claim(&token, &claim_of(&mother())).await.unwrap();
    let expected = app.clock.now() + time::Duration::minutes(5);
    assert_eq!(
        started.expires_at.unix_timestamp(),
        expected.unix_timestamp()
    );
    let code = app.sms_code(HER_MOBILE).await;
    let claimed = app.api.confirm_claim(&token, &code).await.unwrap();
    let record = claimed.own_record.expect("her record");
    assert_eq!(record.years_paid_total, 3);
    assert_eq!(record.min_years_for_pension, 15);
    assert_eq!(record.contributions[0].year, 2023);
    assert_eq!(record.contributions[0].amount.to_string(), "500");
    // Years the roster brought in were paid at the counter: no receipt, no other account.
    assert!(record
        .contributions
        .iter()
        .all(|c| c.receipt_no.is_none() && !c.paid_by_other));
    assert_eq!(app.api.me(&token).await.unwrap().own_record, Some(record));
}

async fn a_record_claimed_by_one_account_cannot_be_claimed_by_another(app: &TestApp) {
    let first = app.account("13700000005").await;
    app.claim_proven(&first, &mother(), HER_MOBILE).await;
    let other = app.account("13700000006").await;
    app.api.claim(&other, &claim_of(&mother())).await.unwrap();
    let code = app.sms_code(HER_MOBILE).await;
    let again = app.api.confirm_claim(&other, &code).await.unwrap_err();
    assert_eq!(again.code, "record_claimed");
    assert_eq!(app.api.me(&other).await.unwrap().own_record, None);
    assert!(app.api.me(&first).await.unwrap().own_record.is_some());
}

async fn a_record_without_a_mobile_is_claimed_through_the_village_assistant(app: &TestApp) {
    let token = app.account("13700000005").await;
    let refused = app
        .api
        .claim(&token, &claim_of(&disabled_neighbour()))
        .await
        .unwrap_err();
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(refused.code, "no_roster_mobile");
    assert!(refused.message.contains("村协办员"), "{}", refused.message);
    assert_eq!(app.count("SELECT COUNT(*) FROM sms_outbox").await, 0);
}

/// Her son pays 2026 for her through his account; she claims her record from her own.
async fn another_payers_receipt_number_never_reaches_the_claimant(app: &TestApp) {
    let son = app.account("13800000001").await;
    let receipt = pay_2026_for_mother(app, &son).await;
    let her = app.account("13700000005").await;
    app.give_roster_mobile(&mother(), HER_MOBILE).await;
    let body = serde_json::to_vec(&claim_of(&mother())).unwrap();
    let started = app
        .api
        .raw(Method::POST, "/me/claim", Some(&her), Some(body))
        .await;
    let code = app.sms_code(HER_MOBILE).await;
    let body = serde_json::to_vec(&serde_json::json!({ "code": code })).unwrap();
    let confirmed = app
        .api
        .raw(Method::POST, "/me/claim/confirm", Some(&her), Some(body))
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.text());
    let me = app.api.raw(Method::GET, "/me", Some(&her), None).await;
    for answer in [&started, &confirmed, &me] {
        assert!(
            !answer.text().contains(&receipt),
            "{receipt} in {}",
            answer.text()
        );
    }
    let record = app.api.me(&her).await.unwrap().own_record.unwrap();
    let paid_2026 = record.contributions.iter().find(|c| c.year == 2026);
    let paid_2026 = paid_2026.expect("2026 is shown as paid");
    assert!(paid_2026.paid_by_other);
    assert_eq!(paid_2026.receipt_no, None);
    assert_eq!(paid_2026.amount.to_string(), "1500");
    assert_eq!(record.years_paid_total, 4);
}

async fn the_claimants_own_payments_show_their_receipts(app: &TestApp) {
    let her = app.account("13700000005").await;
    app.claim_proven(&her, &mother(), HER_MOBILE).await;
    let receipt = pay_2026_for_mother(app, &her).await;
    let record = app.api.me(&her).await.unwrap().own_record.unwrap();
    let paid_2026 = record
        .contributions
        .iter()
        .find(|c| c.year == 2026)
        .unwrap();
    assert_eq!(paid_2026.receipt_no.as_deref(), Some(receipt.as_str()));
    assert!(!paid_2026.paid_by_other);
}

/// Pays 1500 for the mother's 2026 from `token`'s account; answers the receipt number.
async fn pay_2026_for_mother(app: &TestApp, token: &str) -> String {
    let mum = app.add_payee(token, &mother()).await;
    let card = app.bind_card(token, &test_cards::pays()).await;
    let paid = app
        .api
        .sync(token, &push(None, vec![intent(mum, "1500", Some(card))]))
        .await
        .unwrap();
    let IntentState::Paid { receipt_no, .. } = &paid.intents[0].state else {
        panic!("paid: {:?}", paid.intents[0].state);
    };
    receipt_no.clone()
}
