//! The HTTP API's contract beyond the scenarios: sessions (sign-in,
//! sign-out, expiry), CSRF, bad input answered with `{code, message}` and
//! the database unchanged, refusals, idempotent retries, 409 on a stale
//! preview but not on an unrelated change, notifications, transfers
//! addressed to an account created later, and the OpenAPI document.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Backend, Session, TestApp};
use custody_policy::{Action, Engine, Profile, World};
use serde_json::{Value, json};

fn world(profile: Profile) -> World {
    serde_json::from_value(json!({
        "profile": profile,
        "principals": [
            {"id": "alice", "kind": "user", "email": "alice@lab.example", "name": "Alice"},
            {"id": "bob", "kind": "user", "email": "Bob@Core.example", "name": "Bob"},
            {"id": "carol", "kind": "user", "email": "carol@lab.example"},
            {"id": "erin", "kind": "user", "email": "erin@lab.example"},
            {"id": "genomics", "kind": "group", "members": ["carol", "erin"]}
        ],
        "resources": [
            {"id": "P1", "kind": "project", "owner": "alice", "name": "Tumor WGS"},
            {"id": "P2", "kind": "project", "owner": "alice", "name": "Other"},
            {"id": "R1", "kind": "run", "owner": "alice", "projects": ["P1"], "biosamples": ["B1"]},
            {"id": "B1", "kind": "biosample", "owner": "alice", "projects": ["P1"]},
            {"id": "F1", "kind": "file", "owner": "alice", "parent": "R1", "format": "fastq"},
            {"id": "PB", "kind": "project", "owner": "bob", "name": "Bob's"}
        ],
        "grants": [{"resource": "P1", "principal": "genomics", "access": "read"}],
        "transfers": []
    }))
    .unwrap()
}

fn share(actor: &str, resource: &str, principal: &str, access: &str) -> Action {
    serde_json::from_value(
        json!({"type": "share", "actor": actor, "resource": resource,
        "principal": principal, "access": access}),
    )
    .unwrap()
}

async fn post_action(
    app: &TestApp,
    s: &Session,
    action: &Action,
    version: &str,
    digest: &str,
    key: &str,
) -> common::Answer {
    app.post(
        "/api/actions",
        s,
        &json!({"action": action, "version": version, "digest": digest, "idempotency_key": key}),
    )
    .await
}

async fn sessions_and_csrf(backend: Backend) {
    let app = TestApp::with_world(backend, &world(Profile::Basespace)).await;
    // Emails compare case-insensitively; a wrong password is refused.
    let bob = app.sign_in("bob@core.EXAMPLE", "pw").await;
    assert_eq!(bob.id, "bob");
    let wrong = app
        .request(
            Request::post("/api/session")
                .header("x-csrf-token", "1")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    json!({"login": "bob", "password": "nope"}).to_string(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.body["code"], "invalid_credentials");
    // Sign-in without the CSRF header is refused.
    let no_header = app
        .request(
            Request::post("/api/session")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    json!({"login": "bob", "password": "pw"}).to_string(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(no_header.body["code"], "csrf");
    // The cookie's flags.
    let response = tower::ServiceExt::oneshot(
        app.router.clone(),
        Request::post("/api/session")
            .header("x-csrf-token", "1")
            .header("x-forwarded-proto", "https")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                json!({"login": "alice", "password": "pw"}).to_string(),
            ))
            .unwrap(),
    )
    .await
    .unwrap();
    let cookie = response.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string();
    for flag in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    assert_eq!(app.get("/api/me", &bob).await.body["id"], "bob");

    // A state change without the CSRF header, or with a wrong one: 403,
    // nothing changes.
    let alice = app.sign_in("alice", "pw").await;
    let action = share("alice", "P1", "bob", "read");
    let (version, digest) = app.context_digest(&alice, "P1", &action, "bob").await;
    let before = app.dump().await;
    for csrf in [None, Some("wrong")] {
        let mut request = Request::post("/api/actions")
            .header(header::COOKIE, &alice.cookie)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(c) = csrf {
            request = request.header("x-csrf-token", c);
        }
        let answer = app
            .request(
                request
                    .body(Body::from(
                        json!({"action": action, "version": version, "digest": digest, "idempotency_key": "k"})
                            .to_string(),
                    ))
                    .unwrap(),
            )
            .await;
        assert_eq!(answer.status, 403);
        assert_eq!(answer.body["code"], "csrf");
    }
    assert_eq!(app.dump().await, before);

    // Sign-out ends the session.
    let out = app
        .request(
            Request::delete("/api/session")
                .header(header::COOKIE, &bob.cookie)
                .header("x-csrf-token", &bob.csrf)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(out.status, 204);
    let after = app.get("/api/me", &bob).await;
    assert_eq!(after.status, 401);
    assert_eq!(after.body["code"], "unauthenticated");

    // An expired session answers session_expired.
    sqlx::query("UPDATE sessions SET expires_at = 0")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let expired = app.get("/api/me", &alice).await;
    assert_eq!(expired.status, 401);
    assert_eq!(expired.body["code"], "session_expired");
    let anonymous = app
        .request(Request::get("/api/resources").body(Body::empty()).unwrap())
        .await;
    assert_eq!(anonymous.status, 401);
    app.finish().await;
}
on_both!(sessions_csrf_and_expiry, sessions_and_csrf);

async fn bad_input(backend: Backend) {
    let app = TestApp::with_world(backend, &world(Profile::Basespace)).await;
    let alice = app.sign_in("alice", "pw").await;
    let before = app.dump().await;
    let raw = |body: String, content_type: &'static str| {
        Request::post("/api/actions")
            .header(header::COOKIE, &alice.cookie)
            .header("x-csrf-token", &alice.csrf)
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap()
    };
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let cases: Vec<(String, &'static str, u16)> = vec![
        ("{".into(), "application/json", 400),
        ("not json".into(), "application/json", 400),
        (json!({"action": {"type": "share"}}).to_string(), "application/json", 422),
        (
            json!({"action": {"type": "share", "actor": "alice", "resource": "P1", "principal": "bob", "access": "read"},
                   "version": "v", "digest": "d", "idempotency_key": "k", "admin": true})
            .to_string(),
            "application/json",
            422,
        ),
        (
            json!({"action": {"type": "share", "actor": "alice", "resource": 7, "principal": "bob", "access": "read"},
                   "version": "v", "digest": "d", "idempotency_key": "k"})
            .to_string(),
            "application/json",
            422,
        ),
        (json!({"action": {"type": "fly", "actor": "alice"}, "version": "v", "digest": "d", "idempotency_key": "k"}).to_string(), "application/json", 422),
        (deep, "application/json", 422),
        ("x".repeat(custody_server::BODY_LIMIT + 10), "application/json", 413),
        (json!({}).to_string(), "text/plain", 415),
    ];
    for (body, content_type, status) in cases {
        let answer = app.request(raw(body.clone(), content_type)).await;
        assert_eq!(
            answer.status.as_u16(),
            status,
            "{} -> {}",
            &body[..body.len().min(80)],
            answer.body
        );
        assert!(
            answer.body["code"].is_string() && answer.body["message"].is_string(),
            "{}",
            answer.body
        );
    }
    // Unknown ids and refusals: the policy's codes.
    let refusals = [
        (
            share("alice", "NOPE", "bob", "read"),
            422,
            "unknown_resource",
        ),
        (
            share("alice", "P1", "nobody", "read"),
            422,
            "unknown_principal",
        ),
        (share("alice", "PB", "carol", "read"), 403, "not_permitted"),
        (share("alice", "B1", "bob", "read"), 422, "not_supported"),
        (share("alice", "P1", "bob", "owner"), 422, "invalid_access"),
        (share("bob", "P1", "carol", "read"), 403, "not_permitted"),
    ];
    for (action, status, code) in refusals {
        let answer = post_action(&app, &alice, &action, "v", "d", "k").await;
        assert_eq!(
            answer.status.as_u16(),
            status,
            "{action:?}: {}",
            answer.body
        );
        assert_eq!(answer.body["code"], code);
    }
    // Reading: a resource alice cannot see answers like a missing one.
    let hidden = app.get("/api/resources/PB", &alice).await;
    let missing = app.get("/api/resources/NOPE", &alice).await;
    assert_eq!(hidden.status, 404);
    assert_eq!(hidden.body["code"], missing.body["code"]);
    for path in ["/api/resources/PB/context", "/api/resources/PB/access"] {
        assert_eq!(app.get(path, &alice).await.status, 404);
    }
    let bad_query = app.get("/api/resources?kind=spaceship", &alice).await;
    assert_eq!(bad_query.status, 400);
    let unknown_param = app.get("/api/resources?colour=red", &alice).await;
    assert_eq!(unknown_param.status, 400);
    assert_eq!(app.get("/api/nothing-here", &alice).await.status, 404);
    assert_eq!(app.dump().await, before, "bad input changed the database");
    app.finish().await;
}
on_both!(bad_input_is_refused_and_changes_nothing, bad_input);

/// A context read with the tag of the one the browser holds: `304` and no
/// body while nothing in it changed, for that person; the whole context
/// again once a change reaches it, or for someone else.
async fn unchanged_context_is_not_sent_again(backend: Backend) {
    let app = TestApp::with_world(backend, &world(Profile::Basespace)).await;
    let alice = app.sign_in("alice", "pw").await;
    let carol = app.sign_in("carol", "pw").await;
    let read = |session: &Session, tag: Option<&str>| {
        let mut request = Request::get("/api/resources/P1/context")
            .header(header::COOKIE, &session.cookie)
            .header(header::ACCEPT_ENCODING, "gzip");
        if let Some(tag) = tag {
            request = request.header(header::IF_NONE_MATCH, tag);
        }
        let request = request.body(Body::empty()).unwrap();
        let router = app.router.clone();
        async move {
            let response = tower::ServiceExt::oneshot(router, request).await.unwrap();
            let status = response.status();
            let headers = response.headers().clone();
            let body = http_body_util::BodyExt::collect(response.into_body())
                .await
                .unwrap()
                .to_bytes();
            let tag = headers[header::ETAG].to_str().unwrap().to_string();
            assert_eq!(headers[header::CACHE_CONTROL], "private, no-cache");
            (status, tag, body.len())
        }
    };
    let (status, tag, bytes) = read(&alice, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(bytes > 0 && tag.starts_with("W/\""), "{tag}");
    let (status, again, bytes) = read(&alice, Some(&tag)).await;
    assert_eq!((status, bytes), (StatusCode::NOT_MODIFIED, 0));
    assert_eq!(again, tag);
    let listed = format!("\"other\", {}", tag.trim_start_matches("W/"));
    assert_eq!(
        read(&alice, Some(&listed)).await.0,
        StatusCode::NOT_MODIFIED
    );
    assert_eq!(
        read(&alice, Some("W/\"other\"")).await.0,
        StatusCode::OK,
        "another tag is another context"
    );
    let (status, carols, _) = read(&carol, Some(&tag)).await;
    assert_eq!(status, StatusCode::OK, "carol's context is not alice's");
    assert_ne!(carols, tag);
    // A change to P1 gives it a new tag: the browser's copy is stale.
    let action = share("alice", "P1", "bob", "read");
    let (version, digest) = app.context_digest(&alice, "P1", &action, "bob").await;
    let applied = post_action(&app, &alice, &action, &version, &digest, "etag-1").await;
    assert_eq!(applied.status, 200, "{}", applied.body);
    let (status, changed, bytes) = read(&alice, Some(&tag)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(bytes > 0);
    assert_ne!(changed, tag);
    app.finish().await;
}
on_both!(
    unchanged_context_is_not_sent_again,
    unchanged_context_is_not_sent_again
);

async fn idempotency_and_staleness(backend: Backend) {
    let app = TestApp::with_world(backend, &world(Profile::Basespace)).await;
    let alice = app.sign_in("alice", "pw").await;
    let action = share("alice", "P1", "bob", "read");
    let (version, digest) = app.context_digest(&alice, "P1", &action, "bob").await;
    let first = post_action(&app, &alice, &action, &version, &digest, "key-1").await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.body["changes"], 4); // bob gains read on P1, R1, B1 and F1
    let again = post_action(&app, &alice, &action, &version, &digest, "key-1").await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body, first.body);
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(count, 1, "a retry applied twice");
    // The same key for another request is refused.
    let other = post_action(
        &app,
        &alice,
        &share("alice", "P2", "bob", "read"),
        "v",
        "d",
        "key-1",
    )
    .await;
    assert_eq!(other.status, 422);
    assert_eq!(other.body["code"], "idempotency_key_reused");

    // A stale preview: carol's group share changed after the dialog
    // opened, so the preview alice saw is not what would happen.
    let unshare: Action = serde_json::from_value(
        json!({"type": "unshare", "actor": "alice", "resource": "P1", "principal": "genomics"}),
    )
    .unwrap();
    let (v1, d1) = app.context_digest(&alice, "P1", &unshare, "").await;
    let erin_share = share("alice", "P1", "erin", "write");
    let (v2, d2) = app.context_digest(&alice, "P1", &erin_share, "erin").await;
    assert_eq!(
        post_action(&app, &alice, &erin_share, &v2, &d2, "key-2")
            .await
            .status,
        200
    );
    let before = app.dump().await;
    let stale = post_action(&app, &alice, &unshare, &v1, &d1, "key-3").await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert_eq!(stale.body["code"], "stale_preview");
    let fresh: custody_api::AccessContext =
        serde_json::from_value(stale.body["context"].clone()).unwrap();
    assert_ne!(fresh.version, v1);
    assert_eq!(app.dump().await, before, "a 409 changed the database");
    // Confirming the fresh preview applies.
    let d3 = Engine::new(fresh.world)
        .unwrap()
        .preview(&unshare)
        .unwrap()
        .digest();
    assert_eq!(stale.body["digest"], d3.as_str());
    assert_eq!(
        post_action(&app, &alice, &unshare, &fresh.version, &d3, "key-4")
            .await
            .status,
        200
    );

    // A change in the same slice that does not alter this preview (erin's
    // share of P1 goes down to read) after the dialog opened: the version
    // differs, the digest does not, so it applies (no 409).
    let raise = share("alice", "P1", "bob", "write");
    let (v4, d4) = app.context_digest(&alice, "P1", &raise, "bob").await;
    let erin_read = share("alice", "P1", "erin", "read");
    let (v5, d5) = app.context_digest(&alice, "P1", &erin_read, "erin").await;
    assert_eq!(
        post_action(&app, &alice, &erin_read, &v5, &d5, "key-5")
            .await
            .status,
        200
    );
    let (v6, _) = app.context_digest(&alice, "P1", &raise, "bob").await;
    assert_ne!(v4, v6, "the slice changed");
    let unrelated = post_action(&app, &alice, &raise, &v4, &d4, "key-6").await;
    assert_eq!(unrelated.status, 200, "{}", unrelated.body);
    app.finish().await;
}
on_both!(
    idempotent_retries_and_stale_previews,
    idempotency_and_staleness
);

async fn transfers_and_notifications(backend: Backend) {
    let app = TestApp::with_world(backend, &world(Profile::Basespace)).await;
    let alice = app.sign_in("alice", "pw").await;
    let mut events = app.state.bus.subscribe();
    // A transfer to an address with no account yet.
    let request: Action =
        serde_json::from_value(json!({"type": "request_transfer", "actor": "alice",
        "resource": "P1", "to": "New.Person@Lab.example", "message": "yours now"}))
        .unwrap();
    let answer = app
        .get(
            "/api/resources/P1/context?emails=New.Person@Lab.example",
            &alice,
        )
        .await;
    let context: custody_api::AccessContext = serde_json::from_value(answer.body).unwrap();
    let digest = Engine::new(context.world)
        .unwrap()
        .preview(&request)
        .unwrap()
        .digest();
    let requested = post_action(&app, &alice, &request, &context.version, &digest, "t1").await;
    assert_eq!(requested.status, 200, "{}", requested.body);
    let transfer = requested.body["transfer"].as_str().unwrap().to_string();
    let outgoing = app.get("/api/transfers?box=outgoing", &alice).await;
    assert_eq!(outgoing.body["items"][0]["id"], transfer.as_str());
    assert_eq!(outgoing.body["items"][0]["message"], "yours now");
    // The account is created later; the invitation is in its inbox.
    custody_server::accounts::add_account(
        &app.state.db,
        &custody_server::accounts::NewAccount {
            id: "newbie".into(),
            service_account: false,
            email: Some("new.person@lab.example".into()),
            name: Some("Newbie".into()),
            data_owner: false,
            password: Some("pw".into()),
        },
        custody_server::accounts::PasswordCost::Low,
    )
    .await
    .unwrap();
    let newbie = app.sign_in("new.person@lab.example", "pw").await;
    let incoming = app.get("/api/transfers?box=incoming", &newbie).await;
    assert_eq!(incoming.body["items"][0]["id"], transfer.as_str());
    // The recipient may see the context to preview the invitation.
    let accept: Action = serde_json::from_value(
        json!({"type": "accept_transfer", "actor": "newbie", "transfer": transfer}),
    )
    .unwrap();
    let (v, d) = app.context_digest(&newbie, "P1", &accept, "").await;
    let accepted = post_action(&app, &newbie, &accept, &v, &d, "t2").await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    let history = app.get("/api/transfers?box=history", &alice).await;
    assert_eq!(history.body["items"][0]["status"], "accepted");
    assert_eq!(history.body["items"][0]["decided_by"], "newbie");
    // Alice was told, and the live stream carried it.
    let notes = app.get("/api/notifications", &alice).await;
    assert_eq!(notes.body["items"][0]["kind"], "transfer_accepted");
    assert_eq!(notes.body["unread"], 1);
    let mut seen = Vec::new();
    while let Ok(note) = events.try_recv() {
        seen.push((note.to, note.notification.kind));
    }
    if backend == Backend::Sqlite {
        assert!(
            seen.contains(&(
                "alice".to_string(),
                custody_api::NotificationKind::TransferAccepted
            )),
            "{seen:?}"
        );
    }
    let read = app
        .post("/api/notifications/read", &alice, &json!({}))
        .await;
    assert_eq!(read.status, 204);
    assert_eq!(
        app.get("/api/notifications", &alice).await.body["unread"],
        0
    );
    // The new owner shares with a group: its people are notified.
    let group_share = share("newbie", "P1", "genomics", "write");
    let (v, d) = app
        .context_digest(&newbie, "P1", &group_share, "genomics")
        .await;
    assert_eq!(
        post_action(&app, &newbie, &group_share, &v, &d, "t3")
            .await
            .status,
        200
    );
    let carol = app.sign_in("carol", "pw").await;
    let carol_notes = app.get("/api/notifications", &carol).await;
    assert_eq!(carol_notes.body["items"][0]["kind"], "share_received");
    // Reading: carol sees P1 through the group, with the access from the policy.
    let list = app.get("/api/resources?kind=project", &carol).await;
    assert_eq!(list.body["total"], 1);
    assert_eq!(list.body["items"][0]["access"], "write");
    let search = app.get("/api/resources?q=tumor", &carol).await;
    assert_eq!(search.body["items"][0]["id"], "P1");
    let detail = app.get("/api/resources/P1", &carol).await;
    assert_eq!(detail.body["can_share"], false);
    let holders = app.get("/api/resources/P1/access", &carol).await;
    assert!(
        holders.body["holders"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["principal"] == "newbie" && h["access"] == "owner")
    );
    let hits = app.get("/api/principals?q=geno", &carol).await;
    assert_eq!(hits.body[0]["id"], "genomics");
    assert_eq!(hits.body[0]["members"], 2);
    app.finish().await;
}
on_both!(
    transfers_notifications_and_reading,
    transfers_and_notifications
);

async fn openapi_and_config(backend: Backend) {
    let app = TestApp::new(backend, Profile::Direct).await;
    let config = app
        .request(Request::get("/api/config").body(Body::empty()).unwrap())
        .await;
    assert_eq!(config.body["profile"], "direct");
    let doc = app
        .request(
            Request::get("/api/openapi.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(doc.status, StatusCode::OK);
    let paths = doc.body["paths"].as_object().unwrap();
    for path in [
        "/api/config",
        "/api/session",
        "/api/me",
        "/api/resources",
        "/api/resources/{id}",
        "/api/resources/{id}/access",
        "/api/resources/{id}/context",
        "/api/principals",
        "/api/groups",
        "/api/groups/{id}",
        "/api/groups/{id}/context",
        "/api/actions",
        "/api/transfers",
        "/api/notifications",
        "/api/notifications/read",
        "/api/notifications/stream",
    ] {
        assert!(paths.contains_key(path), "openapi lacks {path}");
    }
    let _: Value = doc.body;
    app.finish().await;
}
on_both!(openapi_lists_every_endpoint, openapi_and_config);

/// The world's generation moves with every change to what the policy
/// reads (each table, each kind of write) and with nothing else: not a
/// password, a session, a notification or the audit log.
async fn generation_follows_the_world(backend: Backend) {
    let app = TestApp::with_world(backend, &world(Profile::Basespace)).await;
    let pool = &app.state.db.pool;
    let generation = || async {
        let mut conn = pool.acquire().await.unwrap();
        custody_server::context_cache::generation(&mut conn)
            .await
            .unwrap()
    };
    let changes = [
        "INSERT INTO principals (id, kind, email, email_norm, created_at) VALUES ('dan', 'user', 'dan@lab.example', 'dan@lab.example', 0)",
        "UPDATE principals SET name = 'Dan' WHERE id = 'dan'",
        "UPDATE principals SET data_owner = 1 WHERE id = 'dan'",
        "INSERT INTO group_members (group_id, member_id) VALUES ('genomics', 'dan')",
        "DELETE FROM group_members WHERE member_id = 'dan'",
        "INSERT INTO group_admins (group_id, admin_id) VALUES ('genomics', 'dan')",
        "DELETE FROM group_admins WHERE admin_id = 'dan'",
        "INSERT INTO resources (id, kind, owner_id, created_at) VALUES ('R9', 'run', 'alice', 0)",
        "UPDATE resources SET owner_id = 'dan' WHERE id = 'R9'",
        "INSERT INTO resource_projects (resource_id, project_id) VALUES ('R9', 'P1')",
        "INSERT INTO run_biosamples (run_id, biosample_id) VALUES ('R9', 'B1')",
        "DELETE FROM run_biosamples WHERE run_id = 'R9'",
        "DELETE FROM resource_projects WHERE resource_id = 'R9'",
        "INSERT INTO grants (resource_id, principal_id, level) VALUES ('R9', 'bob', 'read')",
        "UPDATE grants SET level = 'write' WHERE resource_id = 'R9'",
        "DELETE FROM grants WHERE resource_id = 'R9'",
        "INSERT INTO transfers (id, resource_id, from_id, to_email, to_email_norm, status, created_at) VALUES ('T9', 'R9', 'dan', 'bob@core.example', 'bob@core.example', 'pending', 0)",
        "UPDATE transfers SET status = 'canceled' WHERE id = 'T9'",
        "DELETE FROM transfers WHERE id = 'T9'",
        "DELETE FROM resources WHERE id = 'R9'",
        "DELETE FROM principals WHERE id = 'dan'",
    ];
    for sql in changes {
        let before = generation().await;
        sqlx::query(sql).execute(pool).await.unwrap();
        assert!(generation().await > before, "not moved by: {sql}");
    }
    let before = generation().await;
    custody_server::accounts::set_password(
        &app.state.db,
        "alice",
        "new password",
        custody_server::accounts::PasswordCost::Low,
    )
    .await
    .unwrap();
    let alice = app.sign_in("alice", "new password").await;
    let action = share("alice", "P2", "bob", "read");
    let (version, _) = app.context_digest(&alice, "P2", &action, "bob").await;
    assert_eq!(generation().await, before, "reads and passwords moved it");
    // A refused confirmation (a stale digest) changes nothing.
    let refused = post_action(&app, &alice, &action, &version, "0000", "k1").await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(generation().await, before, "a refusal moved it");
    app.finish().await;
}
on_both!(
    world_generation_moves_with_the_world,
    generation_follows_the_world
);

/// A context kept between reads is served while the world stays as it
/// was, and read again as soon as anything changes: the next dialog sees
/// the share just confirmed.
async fn kept_contexts(backend: Backend) {
    let app = TestApp::with_world(backend, &world(Profile::Basespace)).await;
    let alice = app.sign_in("alice", "pw").await;
    let path = "/api/resources/P1/context?principals=bob";
    let first = app.get(path, &alice).await;
    let again = app.get(path, &alice).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.body, again.body, "the same world, the same answer");

    // Bob reads the same slice through his own scope: his own answer
    // (his name as the actor, no right to share, no context at all
    // before alice shares with him).
    let bob = app.sign_in("bob", "pw").await;
    assert_eq!(app.get(path, &bob).await.status, 404);

    let action = share("alice", "P1", "bob", "read");
    let (version, digest) = app.context_digest(&alice, "P1", &action, "bob").await;
    let shared = post_action(&app, &alice, &action, &version, &digest, "k1").await;
    assert_eq!(shared.status, 200, "{}", shared.body);
    let after = app.get(path, &alice).await;
    assert_ne!(after.body["version"], first.body["version"]);
    let grants = after.body["world"]["grants"].as_array().unwrap();
    assert!(
        grants
            .iter()
            .any(|g| g["principal"] == "bob" && g["resource"] == "P1"),
        "the kept context was served after the share: {grants:?}"
    );
    let for_bob = app.get(path, &bob).await;
    assert_eq!(for_bob.status, 200, "{}", for_bob.body);
    assert_eq!(for_bob.body["actor"], "bob");
    assert_eq!(for_bob.body["can_share"], false);
    assert_eq!(after.body["can_share"], true);

    // A change outside the slice moves the generation but touches nothing
    // the slice depends on: the kept slice is served, version and all.
    let other = share("alice", "P2", "erin", "read");
    let (v2, d2) = app.context_digest(&alice, "P2", &other, "erin").await;
    assert_eq!(
        post_action(&app, &alice, &other, &v2, &d2, "k2")
            .await
            .status,
        200
    );
    assert_eq!(app.get(path, &alice).await.body, after.body);
    app.finish().await;
}
on_both!(kept_contexts_follow_the_world, kept_contexts);
