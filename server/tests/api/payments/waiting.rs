//! Payers who wait for a person-year someone else holds are never left waiting forever: a
//! freed year goes to the next waiting payer who can still pay (one who can no longer pay is
//! passed over, not a wall), and reconciliation's sweep finds anyone waiting for a year that
//! nobody charges any more, handing a free year on and telling the rest when it was paid.

use uuid::Uuid;
use yanglao_server::gateway::sandbox::test_cards;
use yanglao_server::payments::reconcile::reconcile_once;
use yanglao_server::payments::states::ContributionStatus;

use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    a_free_year_passes_over_a_waiting_payer_without_a_card,
    a_payer_waiting_for_a_year_paid_meanwhile_is_told_not_needed,
);

/// Someone holds mother's 2026 (a contribution being charged, as another payer's sync
/// leaves it), and the daughter, then the neighbour, ask to pay it: both wait. Answers the
/// two (token, intent id, card), daughter first. The holder is written straight into the
/// ledger so that no bank answer can race what the tests do to it.
async fn two_waiting(app: &TestApp) -> (Uuid, Vec<(String, Uuid, Uuid)>) {
    let holder = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO contributions (resident_id, year, amount_fen, state, intent_id, \
         back_payment, created_at) SELECT id, 2026, 100000, $1, $2, 0, 0 FROM residents \
         WHERE id_number = $3",
    )
    .bind(ContributionStatus::Charging.as_str())
    .bind(holder.to_string())
    .bind(mother().id_number.as_str())
    .execute(&app.db.pool)
    .await
    .unwrap();
    let mut payers = Vec::new();
    for mobile in ["13800000004", "13800000006"] {
        let token = app.account(mobile).await;
        let mum = app.add_payee(&token, &mother()).await;
        let card = app.bind_card(&token, &test_cards::pays()).await;
        let pay = intent(mum, "1000", Some(card));
        let answer = app.api.sync(&token, &push(None, vec![pay.clone()])).await;
        assert_eq!(states(&answer.unwrap()), ["submitted"]);
        payers.push((token, pay.id, card));
    }
    (holder, payers)
}

async fn state_of(app: &TestApp, token: &str) -> &'static str {
    states(&app.api.sync(token, &pull(None)).await.unwrap())[0]
}

/// The holder's charge ended without the year being handed on (as a crash between the two
/// would leave it): the year is free and two payers still wait. The daughter has meanwhile
/// removed her card, so the year goes past her to the neighbour.
async fn a_free_year_passes_over_a_waiting_payer_without_a_card(app: &TestApp) {
    let (holder, payers) = two_waiting(app).await;
    let (daughter, neighbour) = (&payers[0], &payers[1]);
    sqlx::query("DELETE FROM contributions WHERE intent_id = $1")
        .bind(holder.to_string())
        .execute(&app.db.pool)
        .await
        .unwrap();
    app.api.remove_card(&daughter.0, daughter.2).await.unwrap();

    app.clock.set(IN_WINDOW + time::Duration::seconds(60));
    reconcile_once(&app.server.state).await.unwrap();
    app.until_charges_settle().await;
    assert_eq!(state_of(app, &neighbour.0).await, "paid");
    // Passed over for want of a card, then told the year is paid: nothing left to do.
    assert_eq!(state_of(app, &daughter.0).await, "not_needed");
    assert_eq!(app.paid_contributions().await, 1);
    assert_eq!(app.sandbox.order_count(), 1);
}

/// The holder's payment went through, but the two were never told (as a crash between the
/// two steps would leave them): the sweep tells them it is not needed, and charges nobody.
async fn a_payer_waiting_for_a_year_paid_meanwhile_is_told_not_needed(app: &TestApp) {
    let (holder, payers) = two_waiting(app).await;
    sqlx::query(
        "UPDATE contributions SET state = $1, receipt_no = 'WD20260000000001', paid_at = 0 \
         WHERE intent_id = $2",
    )
    .bind(ContributionStatus::Paid.as_str())
    .bind(holder.to_string())
    .execute(&app.db.pool)
    .await
    .unwrap();
    // Not yet: a waiting payer is left alone for a grace period (its year may be in flight).
    reconcile_once(&app.server.state).await.unwrap();
    assert_eq!(state_of(app, &payers[0].0).await, "submitted");

    app.clock.set(IN_WINDOW + time::Duration::seconds(60));
    reconcile_once(&app.server.state).await.unwrap();
    for (token, ..) in &payers {
        assert_eq!(state_of(app, token).await, "not_needed");
    }
    assert_eq!(app.sandbox.order_count(), 0);
}
