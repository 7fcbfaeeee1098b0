//! The PWA's files as the server serves them, the roster import's all-or-nothing rule, and
//! the sandbox bank reached over HTTP as its own process would be.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use reqwest::header::{CACHE_CONTROL, CONTENT_ENCODING};
use uuid::Uuid;
use yanglao_server::gateway::remote::{sandbox_router, HttpGateway};
use yanglao_server::gateway::sandbox::{test_cards, SandboxBank};
use yanglao_server::gateway::{ChargeRequest, OrderStatus, PaymentGateway};
use yanglao_server::roster::seed::{self, ImportError};
use yanglao_shared::CardNumber;

on_both_stores!(roster_import_is_all_or_nothing);

async fn roster_import_is_all_or_nothing(app: TestApp) {
    let before = app.count("SELECT COUNT(*) FROM residents").await;
    let contributions = app.count("SELECT COUNT(*) FROM contributions").await;
    let fresh =
        yanglao_shared::synthetic::id_number("371003", time::macros::date!(1990 - 06 - 01), 5);
    let csv = format!(
        "id_number,name,town,village,severely_disabled,status,paid\n\
         {},新居民,龙山街道,岛山村,否,enrolled,2025:500\n\
         {},王秀英,龙山街道,岛山村,否,enrolled,\n",
        fresh.as_str(),
        mother().id_number.as_str()
    );
    let today = time::macros::date!(2026 - 03 - 01);
    let rows = seed::parse_csv(csv.as_bytes(), today).unwrap();
    let err = seed::insert_all(&app.db, "371003", &rows, 0)
        .await
        .unwrap_err();
    match err {
        ImportError::Rows(rows) => assert_eq!(rows[0].line, 3, "the second data row is line 3"),
        other => panic!("{other}"),
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM residents").await,
        before,
        "nothing half-imported"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM contributions").await,
        contributions
    );
    app.server.stop().await;
}

#[tokio::test]
async fn the_pwa_is_served_compressed_cached_and_with_an_spa_fallback() {
    let dist = std::env::temp_dir().join(format!("yanglao-dist-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), "<html>居民养老缴费</html>").unwrap();
    std::fs::write(dist.join("yanglao-app-0123456789abcdef_bg.wasm"), b"wasm").unwrap();
    std::fs::write(
        dist.join("yanglao-app-0123456789abcdef_bg.wasm.br"),
        b"brotli",
    )
    .unwrap();
    std::fs::write(dist.join("sw.js"), "self").unwrap();
    let app = spawn_app(Store::Sqlite).await.unwrap();
    let state = app.server.state.clone();
    let server = yanglao_server::Server::start(
        state,
        "127.0.0.1:0".parse().unwrap(),
        Some(dist),
        Duration::from_secs(3600),
    )
    .await
    .unwrap();
    let http = reqwest::Client::builder().no_brotli().build().unwrap();
    let get = |path: &str, encoding: &str| {
        http.get(format!("{}{path}", server.url()))
            .header("accept-encoding", encoding)
            .send()
    };

    let wasm = get("/yanglao-app-0123456789abcdef_bg.wasm", "br")
        .await
        .unwrap();
    assert_eq!(wasm.headers()[CONTENT_ENCODING], "br");
    assert_eq!(
        wasm.headers()[CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(wasm.bytes().await.unwrap().as_ref(), b"brotli");
    let plain = get("/yanglao-app-0123456789abcdef_bg.wasm", "identity")
        .await
        .unwrap();
    assert_eq!(plain.bytes().await.unwrap().as_ref(), b"wasm");
    let sw = get("/sw.js", "identity").await.unwrap();
    assert_eq!(sw.headers()[CACHE_CONTROL], "no-cache");
    // Any app route gets the shell, uncached, so a deploy shows at once.
    let route = get("/payees/new", "identity").await.unwrap();
    assert_eq!(route.status(), 200);
    assert_eq!(route.headers()[CACHE_CONTROL], "no-cache");
    assert!(route.text().await.unwrap().contains("居民养老缴费"));
    // The API keeps its own 404s.
    let api = get("/api/v1/nope", "identity").await.unwrap();
    assert_eq!(api.status(), 404);
    server.stop().await;
    app.server.stop().await;
}

#[tokio::test]
async fn the_sandbox_bank_works_the_same_over_http() {
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
