//! Sessions under attack, on SQLite and PostgreSQL: sign-in throttled per
//! login and per address (429 with Retry-After, lifted when it says), a
//! new session id at every sign-in (the old one ends), sign-out and expiry
//! ending a session on every server instance, sign-out everywhere, the
//! cookie's flags, the CSRF check on every state-changing operation of the
//! OpenAPI document, and the security headers on every answer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, header};
use common::{Backend, Session, TestApp};
use custody_policy::World;
use custody_server::accounts::PasswordCost;
use custody_server::auth::Throttle;
use custody_server::{AppState, Settings, app};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

fn world() -> World {
    serde_json::from_value(json!({
        "profile": "basespace",
        "principals": [
            {"id": "alice", "kind": "user", "email": "alice@lab.example"},
            {"id": "bob", "kind": "user", "email": "bob@core.example"},
            {"id": "carol", "kind": "user", "email": "carol@lab.example"}
        ],
        "resources": [{"id": "P1", "kind": "project", "owner": "alice"}],
        "grants": [], "transfers": []
    }))
    .unwrap()
}

/// A test app with a short throttle window (and `secure` cookies if asked).
async fn app_with(backend: Backend, secure: bool) -> TestApp {
    let app = TestApp::with_settings(
        backend,
        Settings {
            password_cost: PasswordCost::Low,
            secure_cookies: secure,
            throttle: Throttle {
                per_login: 3,
                per_address: 5,
                window: Duration::from_secs(2),
            },
            ..Settings::default()
        },
    )
    .await;
    custody_server::import::import_world(&app.state.db, &world())
        .await
        .unwrap();
    for p in ["alice", "bob", "carol"] {
        custody_server::accounts::set_password(&app.state.db, p, "pw", PasswordCost::Low)
            .await
            .unwrap();
    }
    app
}

struct Raw {
    status: u16,
    headers: axum::http::HeaderMap,
    body: Value,
}

async fn send(router: &axum::Router, request: Request<Body>) -> Raw {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Raw {
        status,
        headers,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

/// A sign-in from `address`, optionally carrying an existing cookie.
fn sign_in_request(
    login: &str,
    password: &str,
    address: &str,
    cookie: Option<&str>,
) -> Request<Body> {
    let mut request = Request::post("/api/session")
        .header("x-csrf-token", "1")
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(c) = cookie {
        request = request.header(header::COOKIE, c);
    }
    let mut request = request
        .body(Body::from(
            json!({"login": login, "password": password}).to_string(),
        ))
        .unwrap();
    let address: SocketAddr = format!("{address}:4000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(address));
    request
}

fn session_of(raw: &Raw) -> Session {
    assert_eq!(raw.status, 200, "{}", raw.body);
    Session {
        id: raw.body["id"].as_str().unwrap().to_string(),
        cookie: raw.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string(),
        csrf: raw.body["csrf_token"].as_str().unwrap().to_string(),
    }
}

async fn throttling(backend: Backend) {
    let app = app_with(backend, false).await;
    let r = &app.router;
    // Per login: three failures, then 429 even with the right password,
    // from any address; a login that does not exist counts the same.
    for login in ["bob", "nobody@else.example"] {
        for n in 0..3 {
            let answer = send(
                r,
                sign_in_request(login, "wrong", &format!("10.0.0.{n}"), None),
            )
            .await;
            assert_eq!(
                (answer.status, answer.body["code"].as_str()),
                (401, Some("invalid_credentials"))
            );
        }
        let blocked = send(r, sign_in_request(login, "pw", "10.0.1.1", None)).await;
        assert_eq!(
            (blocked.status, blocked.body["code"].as_str()),
            (429, Some("too_many_attempts")),
            "{login}"
        );
        let wait: u64 = blocked.headers[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=2).contains(&wait), "Retry-After {wait}");
    }
    // Others sign in meanwhile.
    session_of(&send(r, sign_in_request("alice", "pw", "10.0.2.1", None)).await);
    // After Retry-After, bob may try again; success forgives his failures.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let bob = send(r, sign_in_request("bob", "pw", "10.0.1.1", None)).await;
    assert_eq!(bob.status, 200, "{}", bob.body);
    // Per address: five failures over different logins, then that address
    // is refused for everyone, and other addresses are not.
    for login in ["a1", "a2", "a3", "a4", "a5"] {
        assert_eq!(
            send(r, sign_in_request(login, "x", "10.9.9.9", None))
                .await
                .status,
            401
        );
    }
    let blocked = send(r, sign_in_request("carol", "pw", "10.9.9.9", None)).await;
    assert_eq!(blocked.status, 429);
    assert!(blocked.headers.contains_key(header::RETRY_AFTER));
    assert_eq!(
        send(r, sign_in_request("carol", "pw", "10.9.9.10", None))
            .await
            .status,
        200
    );
    // The counts live in the database: another instance sees them.
    let other = app_router_on_same_db(&app);
    assert_eq!(
        send(&other, sign_in_request("carol", "pw", "10.9.9.9", None))
            .await
            .status,
        429
    );
    app.finish().await;
}
on_both!(sign_in_is_throttled_per_login_and_address, throttling);

/// A second server instance on the same database.
fn app_router_on_same_db(test_app: &TestApp) -> axum::Router {
    app(AppState::new(
        test_app.state.db.clone(),
        test_app.state.settings.clone(),
    ))
}

async fn rotation_and_ending(backend: Backend) {
    let app = app_with(backend, true).await;
    let one = &app.router;
    let two = app_router_on_same_db(&app);
    // The cookie's flags (Secure when configured).
    let first = send(one, sign_in_request("alice", "pw", "10.1.1.1", None)).await;
    let cookie = first.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string();
    for flag in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    let first = session_of(&first);
    let me = |s: &Session| {
        Request::get("/api/me")
            .header(header::COOKIE, &s.cookie)
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(
        send(&two, me(&first)).await.status,
        200,
        "a session works on every instance"
    );
    // Signing in again with that cookie: a new id, the old one ends.
    let second = session_of(
        &send(
            one,
            sign_in_request("alice", "pw", "10.1.1.1", Some(&first.cookie)),
        )
        .await,
    );
    assert_ne!(second.cookie, first.cookie);
    assert_ne!(second.csrf, first.csrf);
    assert_eq!(send(&two, me(&first)).await.status, 401);
    assert_eq!(send(&two, me(&second)).await.status, 200);
    // Sign-out on one instance ends the session on the other.
    let out = send(
        one,
        Request::delete("/api/session")
            .header(header::COOKIE, &second.cookie)
            .header("x-csrf-token", &second.csrf)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(out.status, 204);
    let cleared = out.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        cleared.contains("Max-Age=0") && cleared.contains("Secure"),
        "{cleared}"
    );
    assert_eq!(send(&two, me(&second)).await.status, 401);
    // Sign-out everywhere ends every session of the account only.
    let a = session_of(&send(one, sign_in_request("alice", "pw", "10.1.1.1", None)).await);
    let b = session_of(&send(&two, sign_in_request("alice", "pw", "10.1.1.2", None)).await);
    let carol = session_of(&send(one, sign_in_request("carol", "pw", "10.1.1.3", None)).await);
    let everywhere = send(
        &two,
        Request::delete("/api/session?everywhere=true")
            .header(header::COOKIE, &a.cookie)
            .header("x-csrf-token", &a.csrf)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(everywhere.status, 204);
    assert_eq!(send(one, me(&a)).await.status, 401);
    assert_eq!(send(one, me(&b)).await.status, 401);
    assert_eq!(send(one, me(&carol)).await.status, 200);
    // Expiry ends a session on every instance.
    sqlx::query("UPDATE sessions SET expires_at = 1 WHERE principal_id = 'carol'")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    for router in [one, &two] {
        let expired = send(router, me(&carol)).await;
        assert_eq!(
            (expired.status, expired.body["code"].as_str()),
            (401, Some("session_expired"))
        );
    }
    app.finish().await;
}
on_both!(session_ids_rotate_and_end_everywhere, rotation_and_ending);

async fn csrf_and_headers(backend: Backend) {
    let app = app_with(backend, false).await;
    let r = &app.router;
    let alice = session_of(&send(r, sign_in_request("alice", "pw", "10.2.2.2", None)).await);
    let doc = send(
        r,
        Request::get("/api/openapi.json")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let before = app.dump().await;
    let mut state_changing = Vec::new();
    for (path, item) in doc.body["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if method != "get" {
                state_changing.push((method.to_uppercase(), path.replace("{id}", "P1")));
            }
        }
    }
    assert!(state_changing.len() >= 4, "{state_changing:?}");
    let bodies = [
        json!({"action": {"type": "share", "actor": "alice", "resource": "P1", "principal": "bob", "access": "read"},
               "version": "v", "digest": "d", "idempotency_key": "k"}),
        json!({"login": "alice", "password": "pw"}),
        json!({}),
    ];
    for (method, path) in &state_changing {
        for csrf in [None, Some("wrong"), Some("")] {
            for body in &bodies {
                let signing_in = path == "/api/session" && method == "POST";
                let mut request = Request::builder()
                    .method(method.as_str())
                    .uri(path.as_str())
                    .header(header::CONTENT_TYPE, "application/json");
                if !signing_in {
                    request = request.header(header::COOKIE, &alice.cookie);
                }
                if let Some(c) = csrf {
                    request = request.header("x-csrf-token", c);
                }
                let answer = send(r, request.body(Body::from(body.to_string())).unwrap()).await;
                if signing_in {
                    // Sign-in has no session yet: only the header's presence counts.
                    if csrf.is_none() {
                        assert_eq!(
                            (answer.status, answer.body["code"].as_str()),
                            (403, Some("csrf"))
                        );
                    }
                    continue;
                }
                assert_eq!(
                    (answer.status, answer.body["code"].as_str()),
                    (403, Some("csrf")),
                    "{method} {path} with {csrf:?}"
                );
            }
        }
    }
    // The session still works, and nothing changed but sign-ins.
    assert_eq!(
        send(
            r,
            Request::get("/api/me")
                .header(header::COOKIE, &alice.cookie)
                .body(Body::empty())
                .unwrap()
        )
        .await
        .status,
        200
    );
    assert_eq!(app.dump().await, before);

    // Security headers on API answers, errors included.
    for request in [
        Request::get("/api/config").body(Body::empty()).unwrap(),
        Request::get("/api/me").body(Body::empty()).unwrap(),
        Request::get("/api/nothing").body(Body::empty()).unwrap(),
    ] {
        let answer = send(r, request).await;
        let csp = answer.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        let script = csp
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap();
        assert!(
            script.contains("'self'") && script.contains("'wasm-unsafe-eval'"),
            "{csp}"
        );
        assert!(
            !script.contains("'unsafe-inline'") && !script.contains("'unsafe-eval'"),
            "{csp}"
        );
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"),
            "{csp}"
        );
        assert_eq!(answer.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(answer.headers[header::REFERRER_POLICY], "no-referrer");
        assert_eq!(answer.headers[header::X_FRAME_OPTIONS], "DENY");
    }
    app.finish().await;
}
on_both!(
    csrf_on_every_state_change_and_security_headers,
    csrf_and_headers
);

/// The web app's own inline loader is allowed by its hash, and pages
/// carry the same headers.
#[tokio::test]
async fn the_apps_inline_loader_is_allowed_by_hash() {
    let dist = std::env::temp_dir().join(format!("custody-dist-{}", std::process::id()));
    std::fs::create_dir_all(&dist).unwrap();
    let loader = "import init from '/app-0123456789abcdef.js';\nawait init();";
    std::fs::write(
        dist.join("index.html"),
        format!("<!doctype html><html><head><script type=\"module\">{loader}</script></head><body></body></html>"),
    )
    .unwrap();
    let test_db = common::TestDb::new(Backend::Sqlite).await;
    let router = app(AppState::new(
        test_db.db.clone(),
        Settings {
            dist: Some(dist.clone()),
            ..Settings::default()
        },
    ));
    let page = send(
        &router,
        Request::get("/projects/P1").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(page.status, 200);
    let csp = page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    // `printf %s "$loader" | openssl dgst -sha256 -binary | base64`
    assert!(
        csp.contains("'sha256-F0RZ2vDvm4B0nkCJfsnrJvhsVwd0+fXXDKqPVcIT2wk='"),
        "{csp}"
    );
    assert!(
        !csp.contains("'unsafe-inline' 'sha") && csp.matches("'sha256-").count() == 1,
        "{csp}"
    );
    assert_eq!(page.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    std::fs::remove_dir_all(&dist).unwrap();
    test_db.drop_db().await;
}
