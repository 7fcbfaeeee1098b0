//! What the server serves besides the API's JSON: the PWA's files (compressed, cached, with
//! an SPA fallback), and the OpenAPI document, held to the router both ways: every route the
//! source mounts is documented (method and path), and every documented operation is routed.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use reqwest::header::{CACHE_CONTROL, CONTENT_ENCODING};
use reqwest::{Method, StatusCode};
use uuid::Uuid;
use yanglao_server::http::openapi::routes;

use crate::on_both_stores;
use crate::support::*;

on_both_stores!(
    the_openapi_document_lists_every_route_the_router_mounts,
    every_documented_route_is_routed_and_no_other_method,
    every_body_and_every_error_answer_has_a_schema,
);

/// Every `.route("/path", get(a).post(b))` of the server's source that mounts under `/api/v1`,
/// as (method, path): axum cannot list a router's routes, so the source is read. The sandbox
/// bank's own server (`gateway/`) and the PWA's files are not the API.
fn routed_in_source() -> BTreeSet<(String, String)> {
    fn walk(dir: &Path, found: &mut BTreeSet<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if !path.ends_with("gateway") {
                    walk(&path, found);
                }
            } else if path.extension().is_some_and(|e| e == "rs")
                && !path.ends_with("http/static_files.rs")
            {
                let text = std::fs::read_to_string(&path).unwrap();
                for call in text.split(".route(").skip(1) {
                    let route = &call[..closing_paren(call)];
                    let path_literal = route.split('"').nth(1);
                    let methods: Vec<&str> = ["get", "put", "post", "delete", "patch"]
                        .into_iter()
                        .filter(|m| {
                            route.match_indices(&format!("{m}(")).any(|(at, _)| {
                                at == 0
                                    || !route.as_bytes()[at - 1].is_ascii_alphanumeric()
                                        && route.as_bytes()[at - 1] != b'_'
                            })
                        })
                        .collect();
                    let where_ = path.display();
                    let path_literal = path_literal
                        .unwrap_or_else(|| panic!("{where_}: a .route( without a literal path"));
                    assert!(
                        !methods.is_empty(),
                        "{where_}: {path_literal} has no method"
                    );
                    for method in methods {
                        found.insert((method.to_owned(), path_literal.to_owned()));
                    }
                }
            }
        }
    }
    /// Where the call's argument list ends (its parentheses balanced).
    fn closing_paren(call: &str) -> usize {
        let mut depth = 1;
        for (at, c) in call.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                return at;
            }
        }
        panic!("an unclosed .route(")
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = BTreeSet::new();
    walk(&src, &mut found);
    found
}

async fn the_openapi_document_lists_every_route_the_router_mounts(app: &TestApp) {
    let doc = app.api.openapi().await;
    assert!(doc.openapi.starts_with("3.1"), "{}", doc.openapi);
    let documented: BTreeSet<(String, String)> = doc
        .paths
        .iter()
        .flat_map(|(path, ops)| ops.keys().map(move |m| (m.clone(), path.clone())))
        .collect();
    let routed = routed_in_source();
    assert!(
        routed.len() > 30,
        "the source scan found the routes: {routed:?}"
    );
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        undocumented.is_empty(),
        "routes without #[utoipa::path] in http::openapi::ApiDoc: {undocumented:?}"
    );
    assert!(
        unrouted.is_empty(),
        "documented, never routed: {unrouted:?}"
    );
    let listed: BTreeSet<_> = routes()
        .into_iter()
        .map(|r| (r.method.to_owned(), r.path))
        .collect();
    assert_eq!(listed, documented, "routes() reads the served document");
}

fn concrete(path: &str) -> String {
    path.replace("{id}", &Uuid::new_v4().to_string())
        .replace("{number}", "WD1")
}

async fn every_documented_route_is_routed_and_no_other_method(app: &TestApp) {
    let token = app.account("13700000004").await;
    let all = routes();
    for route in &all {
        let method: Method = route.method.to_uppercase().parse().unwrap();
        let reply = app
            .api
            .raw(
                method,
                &concrete(&route.path),
                Some(&token),
                Some(b"{}".to_vec()),
            )
            .await;
        assert_ne!(reply.code().as_deref(), Some("no_such_route"), "{route:?}");
        assert_ne!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{route:?}");
    }
    // A method the document does not list for a path is not routed either.
    let paths: BTreeSet<_> = all.iter().map(|r| r.path.clone()).collect();
    for path in paths {
        for method in ["get", "put", "post", "delete", "patch"] {
            if all.iter().any(|r| r.path == path && r.method == method) {
                continue;
            }
            let reply = app
                .api
                .raw(
                    method.to_uppercase().parse().unwrap(),
                    &concrete(&path),
                    Some(&token),
                    Some(b"{}".to_vec()),
                )
                .await;
            assert_eq!(
                reply.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path}"
            );
            assert_eq!(reply.code().as_deref(), Some("method_not_allowed"));
        }
    }
}

/// Each request body and each JSON answer names a schema, and every error answer is the one
/// `{code, message}`; secured operations ask for the bearer session.
async fn every_body_and_every_error_answer_has_a_schema(app: &TestApp) {
    let answer = app.api.raw(Method::GET, "/openapi.json", None, None).await;
    let doc: serde_json::Value = serde_json::from_slice(&answer.bytes).unwrap();
    let scheme = &doc["components"]["securitySchemes"]["session"];
    assert_eq!(
        (&scheme["type"], &scheme["scheme"]),
        (&"http".into(), &"bearer".into())
    );
    let error = &doc["components"]["schemas"]["ErrorBody"];
    assert_eq!(error["required"], serde_json::json!(["code", "message"]));
    let mut ids = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let at = format!("{method} {path}");
            let id = op["operationId"].as_str().unwrap_or_default();
            assert!(
                ids.insert(id.to_owned()),
                "{at}: operationId {id:?} is not unique"
            );
            if let Some(body) = op.get("requestBody") {
                let schema = &body["content"]["application/json"]["schema"];
                assert!(
                    schema.is_object() && schema != &serde_json::json!({}),
                    "{at}: {body}"
                );
            }
            let answers = op["responses"].as_object().unwrap();
            assert!(answers.keys().any(|s| s.starts_with('2')), "{at}");
            for (status, answer) in answers {
                let content = answer.get("content");
                if status.starts_with('4') || status.starts_with('5') {
                    assert_eq!(
                        content.unwrap()["application/json"]["schema"]["$ref"],
                        "#/components/schemas/ErrorBody",
                        "{at} {status}"
                    );
                } else if status != "204" {
                    let content = content.unwrap_or_else(|| panic!("{at} {status}: no body"));
                    let (_, media) = content.as_object().unwrap().iter().next().unwrap();
                    assert!(media["schema"].is_object(), "{at} {status}");
                }
            }
            if op.get("security").is_some() {
                assert!(
                    answers.contains_key("401"),
                    "{at}: no 401 for a missing session"
                );
            }
        }
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
