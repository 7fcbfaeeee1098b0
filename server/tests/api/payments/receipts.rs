//! Anyone can verify a receipt by its number; it shows a masked name only.

use reqwest::StatusCode;
use yanglao_server::gateway::sandbox::test_cards;
use yanglao_shared::wire::IntentState;

use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    anyone_can_verify_a_receipt_and_sees_a_masked_name_only,
    an_unknown_receipt_is_not_found,
);

async fn anyone_can_verify_a_receipt_and_sees_a_masked_name_only(app: &TestApp) {
    let token = app.account("13800000001").await;
    let mum = app.add_payee(&token, &mother()).await;
    let card = app.bind_card(&token, &test_cards::pays()).await;
    let paid = app
        .api
        .sync(&token, &push(None, vec![intent(mum, "1500", Some(card))]))
        .await
        .unwrap();
    let IntentState::Paid { receipt_no, .. } = &paid.intents[0].state else {
        panic!("paid: {:?}", paid.intents[0].state);
    };
    let check = app.api.receipt(receipt_no).await.unwrap();
    assert_eq!(check.name_masked, "王**");
    assert_eq!(check.year, 2026);
}

async fn an_unknown_receipt_is_not_found(app: &TestApp) {
    let missing = app.api.receipt("WD20260000000000").await.unwrap_err();
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}
