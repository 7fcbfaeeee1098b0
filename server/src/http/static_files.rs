//! Serves the built PWA from the same origin as the API: precompressed files (brotli, gzip),
//! a year's cache for the build's hashed files, no-cache for what must update at once
//! (index.html, the service worker, the manifest, the precache list), and index.html for every
//! app route. A path that is neither a file nor an app route is a 404: a missing file gets a
//! plain one (a browser must not take the shell for a script or a picture), any other page the
//! shell with status 404, so the app shows its 找不到页面 screen.

use std::path::PathBuf;

use axum::extract::Request;
use axum::handler::HandlerWithoutStateExt;
use axum::http::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// The first path segments of the app's routes (`app/src/app.rs`): these get the shell.
const APP_SECTIONS: &[&str] = &[
    "login", "register", "payees", "pay", "payments", "cards", "record", "receipt", "guide",
    "verify", "apply", "staff",
];

/// What a path that is not a file of the build gets.
#[derive(Debug, PartialEq, Eq)]
enum Missing {
    /// An app route: the shell, 200.
    AppRoute,
    /// Looks like a file (`robots.txt`, a stale `.js`): a plain 404.
    File,
    /// Any other page: the shell with 404, which shows the app's not-found screen.
    Page,
}

fn classify(path: &str) -> Missing {
    let first = path
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default();
    let last = path.rsplit('/').next().unwrap_or_default();
    if last.contains('.') {
        Missing::File
    } else if first.is_empty() || APP_SECTIONS.contains(&first) {
        Missing::AppRoute
    } else {
        Missing::Page
    }
}

pub fn router(dist: PathBuf) -> Router {
    let index = ServeFile::new(dist.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let not_found = move |request: Request| {
        let index = index.clone();
        async move {
            let kind = classify(request.uri().path());
            if kind == Missing::File {
                return (
                    StatusCode::NOT_FOUND,
                    [(CONTENT_TYPE, "text/plain; charset=utf-8")],
                    "404 Not Found",
                )
                    .into_response();
            }
            let mut shell = match index.oneshot(request).await {
                Ok(shell) => shell.into_response(),
                Err(never) => match never {},
            };
            if kind == Missing::Page && shell.status().is_success() {
                *shell.status_mut() = StatusCode::NOT_FOUND;
            }
            shell
        }
    };
    let files = ServeDir::new(&dist)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(not_found.into_service());
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(cache_headers))
}

async fn cache_headers(request: Request, next: Next) -> Response {
    let policy = cache_policy(request.uri().path());
    let mut response = next.run(request).await;
    if response.status().is_success() {
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

fn cache_policy(path: &str) -> &'static str {
    let file = path.rsplit('/').next().unwrap_or_default();
    if file.is_empty() || !file.contains('.') || file.ends_with(".html") {
        return "no-cache";
    }
    if matches!(file, "sw.js" | "manifest.webmanifest" | "precache.json") {
        return "no-cache";
    }
    if is_hashed(file) {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=3600"
    }
}

/// The build names its outputs `name-<16 hex digits>.ext` (or `..._bg.wasm`).
fn is_hashed(file: &str) -> bool {
    file.split(['-', '.', '_'])
        .any(|part| part.len() >= 16 && part.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_app_routes_get_the_shell() {
        for route in [
            "/",
            "/pay",
            "/payees/new",
            "/receipt/abc",
            "/staff/reconciliation",
        ] {
            assert_eq!(classify(route), Missing::AppRoute, "{route}");
        }
        for file in [
            "/robots.txt",
            "/yanglao-app-0123456789abcdef.js",
            "/icons/x.png",
            "/a.wasm",
        ] {
            assert_eq!(classify(file), Missing::File, "{file}");
        }
        for page in ["/nothing", "/admin", "/wp-login"] {
            assert_eq!(classify(page), Missing::Page, "{page}");
        }
    }

    #[test]
    fn hashed_files_are_immutable_and_the_shell_is_not_cached() {
        assert_eq!(
            cache_policy("/yanglao-app-1a2b3c4d5e6f7a8b_bg.wasm"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(
            cache_policy("/main-1a2b3c4d5e6f7a8b.css"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(cache_policy("/"), "no-cache");
        assert_eq!(cache_policy("/index.html"), "no-cache");
        assert_eq!(cache_policy("/sw.js"), "no-cache");
        assert_eq!(cache_policy("/pay/confirm"), "no-cache");
        assert_eq!(cache_policy("/icons/icon-192.png"), "public, max-age=3600");
    }
}
