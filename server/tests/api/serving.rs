//! What the server serves besides the API's JSON: the PWA's files (compressed, cached, with
//! an SPA fallback), and the OpenAPI document, checked against the router.

use std::time::Duration;

use reqwest::header::{CACHE_CONTROL, CONTENT_ENCODING};
use reqwest::{Method, StatusCode};
use uuid::Uuid;
use yanglao_server::http::openapi::ROUTES;

use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    the_openapi_document_lists_every_route,
    every_documented_route_is_routed,
);

async fn the_openapi_document_lists_every_route(app: &TestApp) {
    let doc = app.api.openapi().await;
    assert_eq!(doc.openapi, "3.0.3");
    let documented: usize = doc.paths.values().map(|p| p.len()).sum();
    assert_eq!(documented, ROUTES.len());
    for (method, path, _, _) in ROUTES {
        assert!(
            doc.paths[*path].contains_key(*method),
            "{method} {path} documented"
        );
    }
}

async fn every_documented_route_is_routed(app: &TestApp) {
    let token = app.account("13700000004").await;
    for (method, path, _, _) in ROUTES {
        let concrete = path
            .replace("{id}", &Uuid::new_v4().to_string())
            .replace("{number}", "WD1");
        let reply = app
            .api
            .raw(
                method.to_uppercase().parse().unwrap(),
                &concrete,
                Some(&token),
                Some(b"{}".to_vec()),
            )
            .await;
        assert_ne!(
            reply.code().as_deref(),
            Some("no_such_route"),
            "{method} {path} is routed"
        );
        assert_ne!(
            reply.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
    }
}

/// The files of a built PWA, as Trunk and scripts/build-app.sh leave them.
fn dist() -> std::path::PathBuf {
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
    dist
}

#[tokio::test]
async fn the_pwa_is_served_compressed_cached_and_with_an_spa_fallback() {
    let app = spawn_app(Store::Sqlite).await.unwrap();
    let server = yanglao_server::Server::start(
        app.server.state.clone(),
        "127.0.0.1:0".parse().unwrap(),
        Some(dist()),
        Duration::from_secs(3600),
    )
    .await
    .unwrap();
    let http = reqwest::Client::builder().no_brotli().build().unwrap();
    let get = |path: &str, encoding: &str| {
        http.request(Method::GET, format!("{}{path}", server.url()))
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
