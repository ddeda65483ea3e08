//! The Trunk-built web app (`dist/`): precompressed files when Trunk or
//! the build made them (`.br`, `.gz`), compression on the fly otherwise
//! (the app's layer), a year's immutable cache for hashed asset names
//! (`app-3f2a9c1b.js`), `no-cache` for the rest, and `index.html` for any
//! other path so the app's router handles deep links.

use std::path::Path;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::services::{ServeDir, ServeFile};

use crate::AppState;

pub fn router(dist: &Path) -> Router<AppState> {
    let files = ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(ServeFile::new(dist.join("index.html")));
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(cache_headers))
}

async fn cache_headers(request: Request, next: Next) -> Response {
    let hashed = is_hashed(request.uri().path());
    let mut response = next.run(request).await;
    let value = if hashed && response.status().is_success() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}

/// True for names that carry a content hash, as Trunk writes them
/// (`custody-web-1a2b3c4d5e6f7a8b_bg.wasm`, `styles-0123abcd.css`): a run
/// of at least 8 hex digits after a dash.
pub fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    name.split(['-', '.', '_']).any(|part| {
        part.len() >= 8 && part.len() <= 64 && part.chars().all(|c| c.is_ascii_hexdigit())
    }) && name.contains('-')
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn hashed_names() {
        assert!(is_hashed("/custody-web-1a2b3c4d5e6f7a8b_bg.wasm"));
        assert!(is_hashed("/styles-0123abcd.css"));
        assert!(!is_hashed("/index.html"));
        assert!(!is_hashed("/projects/P1"));
    }
}
