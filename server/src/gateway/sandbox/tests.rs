//! The sandbox bank in-process: its statement of a day, its refunds, and its delayed orders
//! falling due by its own clock. A restart (the same file opened twice) and the same calls over
//! HTTP are in the API tests (`tests/api/gateway/`).

use std::time::Duration;

use time::macros::{date, datetime};
use time::OffsetDateTime;
use uuid::Uuid;
use yanglao_shared::CardNumber;

use super::{test_cards, SandboxBank};
use crate::clock::Clock;
use crate::gateway::{
    refusal, ChargeRequest, GatewayError, LineStatus, OrderStatus, PaymentGateway,
};

fn bank_at(at: OffsetDateTime) -> (SandboxBank, Clock) {
    let clock = Clock::manual(at);
    let bank = SandboxBank::new("s")
        .with_delay(Duration::from_secs(3600))
        .with_clock(clock.clone());
    (bank, clock)
}

async fn charge(bank: &SandboxBank, card: &str, amount_fen: i64) -> (Uuid, OrderStatus) {
    let card = bank
        .bind_card(&CardNumber::parse(card).unwrap())
        .await
        .unwrap();
    let order_id = Uuid::new_v4();
    let request = ChargeRequest {
        order_id,
        token: card.token,
        amount_fen,
        description: "2026年度城乡居民基本养老保险费".into(),
    };
    (order_id, bank.charge(&request).await.unwrap())
}

fn refusal_code(e: GatewayError) -> String {
    match e {
        GatewayError::Refused { code, .. } => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn the_statement_of_a_day_lists_exactly_the_orders_created_that_day_in_china_time() {
    let (bank, clock) = bank_at(datetime!(2026-03-01 23:59:59 +8));
    let (before, _) = charge(&bank, &test_cards::pays(), 10_000).await;
    // Midnight in Beijing is 16:00 UTC of the day before: the day is China's, not UTC's.
    clock.set(datetime!(2026-03-01 16:00 UTC));
    let (declined, _) = charge(&bank, &test_cards::insufficient_funds(), 30_000).await;
    clock.set(datetime!(2026-03-02 15:00 +8));
    let (paid, _) = charge(&bank, &test_cards::pays(), 50_000).await;
    clock.set(datetime!(2026-03-02 23:59:59.999 +8));
    let (pending, status) = charge(&bank, &test_cards::lost_notification(), 80_000).await;
    assert_eq!(status, OrderStatus::Pending);
    clock.set(datetime!(2026-03-03 00:00 +8));
    let (after, _) = charge(&bank, &test_cards::pays(), 20_000).await;

    let lines = bank.statement(date!(2026 - 03 - 02)).await.unwrap();
    let seen: Vec<_> = lines
        .iter()
        .map(|l| (l.order_id, l.amount_fen, l.status))
        .collect();
    assert_eq!(
        seen,
        vec![
            (declined, 30_000, LineStatus::Declined),
            (paid, 50_000, LineStatus::Paid),
            (pending, 80_000, LineStatus::Pending),
        ]
    );
    assert_eq!(lines[0].decline_code.as_deref(), Some("insufficient_funds"));
    assert_eq!(lines[0].bank_ref, None);
    assert!(lines[1].bank_ref.as_deref().unwrap().starts_with("SBX"));
    assert_eq!(lines[1].created_at, datetime!(2026-03-02 15:00 +8));
    assert_eq!(lines[1].settled_at, Some(datetime!(2026-03-02 15:00 +8)));
    assert_eq!(
        (lines[2].bank_ref.as_ref(), lines[2].settled_at),
        (None, None)
    );

    let day_before = bank.statement(date!(2026 - 03 - 01)).await.unwrap();
    assert_eq!(day_before.len(), 1);
    assert_eq!(day_before[0].order_id, before);
    let day_after = bank.statement(date!(2026 - 03 - 03)).await.unwrap();
    assert_eq!(day_after.len(), 1);
    assert_eq!(day_after[0].order_id, after);
    assert!(bank
        .statement(date!(2026 - 03 - 04))
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_delayed_order_is_paid_once_its_due_time_passes_by_the_banks_clock() {
    let (bank, clock) = bank_at(datetime!(2026-03-02 10:00 +8));
    let (id, status) = charge(&bank, &test_cards::lost_notification(), 50_000).await;
    assert_eq!(status, OrderStatus::Pending);
    clock.set(datetime!(2026-03-02 10:59 +8));
    assert_eq!(bank.query(id).await.unwrap(), OrderStatus::Pending);
    clock.set(datetime!(2026-03-02 11:00 +8));
    assert!(matches!(
        bank.query(id).await.unwrap(),
        OrderStatus::Paid {
            amount_fen: 50_000,
            ..
        }
    ));
    // Created on the 2nd, settled at its due time (not when someone looked).
    clock.set(datetime!(2026-03-03 09:00 +8));
    let line = &bank.statement(date!(2026 - 03 - 02)).await.unwrap()[0];
    assert_eq!(line.status, LineStatus::Paid);
    assert_eq!(line.settled_at, Some(datetime!(2026-03-02 11:00 +8)));
}

#[tokio::test]
async fn charging_an_order_id_again_answers_the_same_order() {
    let (bank, _) = bank_at(datetime!(2026-03-02 10:00 +8));
    let (id, first) = charge(&bank, &test_cards::pays(), 50_000).await;
    let again = ChargeRequest {
        order_id: id,
        token: super::token_for(&test_cards::insufficient_funds()),
        amount_fen: 90_000,
        description: "again".into(),
    };
    assert_eq!(bank.charge(&again).await.unwrap(), first);
    assert_eq!(bank.order_count(), 1);
}

#[tokio::test]
async fn a_charge_answers_what_a_query_of_its_order_reads_back_for_every_card() {
    let (bank, clock) = bank_at(datetime!(2026-03-02 10:00 +8));
    for card in [
        test_cards::pays(),
        test_cards::insufficient_funds(),
        test_cards::expired(),
        test_cards::delayed(),
        test_cards::lost_notification(),
    ] {
        let (id, answered) = charge(&bank, &card, 50_000).await;
        assert_eq!(bank.query(id).await.unwrap(), answered, "card {card}");
    }
    // A pending order charged again once it fell due answers paid; so does a retry whose
    // card the bank no longer knows: the order id is the order.
    let (id, _) = charge(&bank, &test_cards::lost_notification(), 50_000).await;
    clock.set(datetime!(2026-03-02 11:00 +8));
    for token in [super::token_for(&test_cards::pays()), "sbx_gone".to_owned()] {
        let again = ChargeRequest {
            order_id: id,
            token,
            amount_fen: 50_000,
            description: "again".into(),
        };
        assert!(matches!(
            bank.charge(&again).await.unwrap(),
            OrderStatus::Paid {
                amount_fen: 50_000,
                ..
            }
        ));
    }
    assert_eq!(bank.order_count(), 6);
}

#[tokio::test]
async fn a_paid_order_is_refunded_once_in_full_and_shows_as_refunded() {
    let (bank, clock) = bank_at(datetime!(2026-03-02 10:00 +8));
    let (id, paid) = charge(&bank, &test_cards::pays(), 50_000).await;
    clock.set(datetime!(2026-03-02 16:30 +8));
    let refund = bank.refund(id, 50_000).await.unwrap();
    assert_eq!(refund.order_id, id);
    assert_eq!(refund.amount_fen, 50_000);
    assert!(refund.refund_ref.starts_with("SBR"));
    assert_eq!(refund.refunded_at, datetime!(2026-03-02 16:30 +8));
    // Asked again (a retry): the same refund, not a second one.
    clock.set(datetime!(2026-03-02 17:00 +8));
    assert_eq!(bank.refund(id, 50_000).await.unwrap(), refund);
    // The payment did happen: query still says paid; the statement says refunded.
    assert_eq!(bank.query(id).await.unwrap(), paid);
    let line = &bank.statement(date!(2026 - 03 - 02)).await.unwrap()[0];
    assert_eq!(line.status, LineStatus::Refunded);
    assert_eq!(line.refunded_at, Some(datetime!(2026-03-02 16:30 +8)));
    assert!(line.bank_ref.is_some());
    // Another amount after the full refund: refused, nothing changes.
    let twice = bank.refund(id, 10_000).await.unwrap_err();
    assert_eq!(refusal_code(twice), refusal::ALREADY_REFUNDED);
    assert_eq!(bank.refund(id, 50_000).await.unwrap(), refund);
}

#[tokio::test]
async fn refunds_of_part_of_an_order_unpaid_orders_and_unknown_orders_are_refused() {
    let (bank, _) = bank_at(datetime!(2026-03-02 10:00 +8));
    let (paid, _) = charge(&bank, &test_cards::pays(), 50_000).await;
    let (declined, _) = charge(&bank, &test_cards::expired(), 50_000).await;
    let (pending, _) = charge(&bank, &test_cards::delayed(), 50_000).await;
    for amount in [10_000, 60_000, 0, -50_000] {
        let partial = bank.refund(paid, amount).await.unwrap_err();
        assert_eq!(refusal_code(partial), refusal::AMOUNT_MISMATCH, "{amount}");
    }
    for unpaid in [declined, pending] {
        let refused = bank.refund(unpaid, 50_000).await.unwrap_err();
        assert_eq!(refusal_code(refused), refusal::NOT_PAID);
    }
    let unknown = bank.refund(Uuid::new_v4(), 50_000).await.unwrap_err();
    assert_eq!(refusal_code(unknown), refusal::ORDER_UNKNOWN);
    let statuses: Vec<_> = bank
        .statement(date!(2026 - 03 - 02))
        .await
        .unwrap()
        .iter()
        .map(|l| l.status)
        .collect();
    assert!(!statuses.contains(&LineStatus::Refunded), "{statuses:?}");
    // Still refundable in full after the refusals.
    assert!(bank.refund(paid, 50_000).await.is_ok());
}
