//! Security headers on every answer, the API's and the web app's:
//!
//! - `Content-Security-Policy`: scripts only from this origin, plus the
//!   inline module loader that Trunk writes into `index.html` (allowed by
//!   its SHA-256, computed from the built file at start), and
//!   `'wasm-unsafe-eval'` so the app's WebAssembly can be compiled; no
//!   plugins, no `<base>` elsewhere, forms and fetches to this origin only,
//!   and no framing (`frame-ancestors 'none'`). Styles allow inline
//!   `style` attributes (the app's components set some); styles run no
//!   script.
//! - `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`,
//!   `X-Frame-Options: DENY` (for browsers without `frame-ancestors`), and
//!   `Cross-Origin-Opener-Policy: same-origin`.

use std::path::Path;

use axum::http::{HeaderName, HeaderValue, header};
use sha2::{Digest, Sha256};
use tower_http::set_header::SetResponseHeaderLayer;

/// The Content-Security-Policy for an app whose inline scripts hash to
/// `hashes` (base64 SHA-256 digests).
pub fn content_security_policy(hashes: &[String]) -> String {
    let mut script = String::from("'self' 'wasm-unsafe-eval'");
    for h in hashes {
        script.push_str(&format!(" 'sha256-{h}'"));
    }
    format!(
        "default-src 'self'; script-src {script}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The base64 SHA-256 of every inline `<script>` (one without `src`) of
/// an HTML page, as a CSP source expects them.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<script").map(|i| i + at) {
        let Some(open_end) = lower[start..].find('>').map(|i| i + start + 1) else {
            break;
        };
        let Some(close) = lower[open_end..].find("</script").map(|i| i + open_end) else {
            break;
        };
        let tag = &lower[start..open_end];
        let has_src = tag
            .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .any(|attr| attr == "src" || attr.starts_with("src="));
        if !has_src {
            out.push(base64(&Sha256::digest(&html.as_bytes()[open_end..close])));
        }
        at = close;
    }
    out
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(TABLE[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The policy for the app in `dist` (its `index.html`'s inline scripts),
/// or for the API alone.
pub fn policy_for(dist: Option<&Path>) -> String {
    let hashes = dist
        .and_then(|d| std::fs::read_to_string(d.join("index.html")).ok())
        .map(|html| inline_script_hashes(&html))
        .unwrap_or_default();
    content_security_policy(&hashes)
}

/// The layers that set the headers (unless a handler set them already).
pub fn layers(csp: &str) -> Vec<SetResponseHeaderLayer<HeaderValue>> {
    let fixed = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    let mut out: Vec<SetResponseHeaderLayer<HeaderValue>> = fixed
        .into_iter()
        .map(|(name, value)| {
            SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
        })
        .collect();
    if let Ok(value) = HeaderValue::from_str(csp) {
        out.push(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            value,
        ));
    }
    out
}

/// `Cache-Control` of answers the browser may keep and must check again
/// each time (with `If-None-Match`): only for this person (`private`),
/// never used unchecked (`no-cache`).
pub const REVALIDATE: &str = "private, no-cache";

/// The entity tag of an access context: it names every part of the answer
/// (the world by its version, the resource, the person, whether they may
/// share), hashed, so an id never has to be written into a header. Weak
/// (`W/`), since the same context goes out gzipped, in brotli or plain.
///
/// A large project's context is megabytes of JSON that the share dialog
/// asks for each time it opens: when it has not changed, the browser's
/// copy is checked with the tag and the answer is an empty `304` (the L
/// project's context, kept on the server: no 393 KB gzipped sent, and
/// none of the 20 to 30 ms of compressing them).
pub fn context_tag(version: &str, resource: &str, actor: &str, can_share: bool) -> String {
    let mut parts = Vec::new();
    for part in [version, resource, actor, if can_share { "1" } else { "0" }] {
        parts.extend_from_slice(&part.len().to_le_bytes());
        parts.extend_from_slice(part.as_bytes());
    }
    format!("W/\"{}\"", crate::slice::version_of_json(&parts))
}

/// True when the request's `If-None-Match` names `tag` (or is `*`),
/// compared weakly as RFC 9110 asks: the `W/` prefixes do not count.
pub fn none_match(request: &axum::http::HeaderMap, tag: &str) -> bool {
    fn opaque(t: &str) -> &str {
        let t = t.trim();
        t.strip_prefix("W/").unwrap_or(t)
    }
    let wanted = opaque(tag);
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || opaque(t) == wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn only_inline_scripts_are_hashed() {
        // The shape Trunk writes: a module loader inline, files by src.
        let html = r#"<html><head><script type="module" src="/app-1234abcd.js"></script>
<SCRIPT type="module">import init from '/app.js';
await init();</SCRIPT><script>alert(1)</script></head></html>"#;
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 2);
        let loader = "import init from '/app.js';\nawait init();";
        assert_eq!(hashes[0], base64(&Sha256::digest(loader.as_bytes())));
        let csp = content_security_policy(&hashes);
        assert!(csp.contains(&format!("'sha256-{}'", hashes[0])));
        assert!(csp.contains("frame-ancestors 'none'"));
        let script = csp
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap_or("");
        assert!(script.contains("'wasm-unsafe-eval'"));
        assert!(!script.contains("'unsafe-eval'") && !script.contains("'unsafe-inline'"));
    }
}
