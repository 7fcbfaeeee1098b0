//! The PWA's 404s: only navigations to app routes get the shell. A missing file (`robots.txt`,
//! a stale script, a picture) is a plain 404, and any other page is the shell with status 404,
//! so a browser never runs the shell as a script or shows it as a picture.

use std::time::Duration;

use reqwest::header::CONTENT_TYPE;
use uuid::Uuid;

use crate::support::*;

#[tokio::test]
async fn unknown_files_are_404_and_unknown_pages_get_the_shell_with_404() {
    let dist = std::env::temp_dir().join(format!("yanglao-dist-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), "<html>居民养老缴费</html>").unwrap();
    let app = spawn_app(Store::Sqlite).await.unwrap();
    let server = yanglao_server::Server::start(
        app.server.state.clone(),
        "127.0.0.1:0".parse().unwrap(),
        Some(dist),
        Duration::from_secs(3600),
    )
    .await
    .unwrap();
    let get = |path: &str| reqwest::get(format!("{}{path}", server.url()));

    for file in [
        "/robots.txt",
        "/yanglao-app-0123456789abcdef.js",
        "/missing_bg.wasm",
        "/icons/nope.png",
    ] {
        let answer = get(file).await.unwrap();
        assert_eq!(answer.status(), 404, "{file}");
        assert!(
            answer.headers()[CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/plain"),
            "{file}"
        );
        assert!(
            !answer.text().await.unwrap().contains("<html"),
            "{file}: not the shell"
        );
    }
    for route in [
        "/",
        "/pay",
        "/apply/enrol",
        "/staff/reconciliation",
        "/receipt/x",
    ] {
        let answer = get(route).await.unwrap();
        assert_eq!(answer.status(), 200, "{route}");
        assert!(
            answer.text().await.unwrap().contains("居民养老缴费"),
            "{route}"
        );
    }
    let page = get("/no-such-page").await.unwrap();
    assert_eq!(page.status(), 404);
    assert!(
        page.text().await.unwrap().contains("居民养老缴费"),
        "the app's not-found screen"
    );
    server.stop().await;
    app.server.stop().await;
}
