//! The sandbox bank reached over HTTP, as its own process would be, behaves as in-process;
//! [`sandbox_bank`]: its orders kept across restarts, its statement and refunds.

mod sandbox_bank;

use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;
use yanglao_server::gateway::remote::{sandbox_router, HttpGateway};
use yanglao_server::gateway::sandbox::{test_cards, SandboxBank};
use yanglao_server::gateway::{ChargeRequest, OrderStatus, PaymentGateway};
use yanglao_shared::CardNumber;

#[tokio::test]
async fn the_sandbox_bank_declines_and_answers_queries_the_same_over_http() {
    let bank = SandboxBank::new("s").with_delay(Duration::from_millis(50));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, sandbox_router(bank)).await.unwrap() });
    let gateway: Arc<dyn PaymentGateway> = Arc::new(HttpGateway::new(&format!("http://{addr}")));
    let card = gateway
        .bind_card(&CardNumber::parse(&test_cards::insufficient_funds()).unwrap())
        .await
        .unwrap();
    assert_eq!(card.last_four, &test_cards::insufficient_funds()[15..]);
    let order = ChargeRequest {
        order_id: Uuid::new_v4(),
        token: card.token,
        amount_fen: 50_000,
        description: "t".into(),
    };
    let declined = gateway.charge(&order).await.unwrap();
    assert!(
        matches!(declined, OrderStatus::Declined { ref code, .. } if code == "insufficient_funds")
    );
    assert_eq!(gateway.query(order.order_id).await.unwrap(), declined);
    assert_eq!(
        gateway.query(Uuid::new_v4()).await.unwrap(),
        OrderStatus::Unknown
    );
}
