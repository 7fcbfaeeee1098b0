//! Serves the built PWA from the same origin as the API: precompressed files (brotli, gzip),
//! a year's cache for Trunk's hashed files, no-cache for what must update at once (index.html,
//! the service worker, the manifest, the precache list), and index.html for every app route.

use std::path::PathBuf;

use axum::extract::Request;
use axum::http::header::{HeaderValue, CACHE_CONTROL};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

pub fn router(dist: PathBuf) -> Router {
    let index = ServeFile::new(dist.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let files = ServeDir::new(&dist)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(index);
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

/// Trunk names build outputs `name-<16 hex digits>.ext` (or `..._bg.wasm`).
fn is_hashed(file: &str) -> bool {
    file.split(['-', '.', '_'])
        .any(|part| part.len() >= 16 && part.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

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
