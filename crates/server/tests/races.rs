//! Concurrency: 50 concurrent accept and cancel requests on one transfer,
//! exactly one winning and the audit log saying which; two people
//! confirming conflicting shares at once, one applied and one 409. Both
//! on SQLite and PostgreSQL, through a real server bound to 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Backend, Session, TestApp};
use custody_policy::{Action, Profile, World};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

/// Serves the app on 127.0.0.1 (an ephemeral port) for the test's life.
async fn bind(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    format!("http://{address}")
}

async fn post(client: &HttpClient, base: &str, s: &Session, body: Value) -> (u16, Value) {
    let request = hyper::Request::post(format!("{base}/api/actions"))
        .header("cookie", &s.cookie)
        .header("x-csrf-token", &s.csrf)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap();
    let response = client.request(request).await.unwrap();
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn world(profile: Profile, with_transfer: bool) -> World {
    let mut w: World = serde_json::from_value(json!({
        "profile": profile,
        "principals": [
            {"id": "alice", "kind": "user", "email": "alice@lab.example"},
            {"id": "bob", "kind": "user", "email": "bob@core.example"},
            {"id": "sam", "kind": "user", "email": "sam@lab.example"},
            {"id": "erin", "kind": "user", "email": "erin@lab.example"}
        ],
        "resources": [
            {"id": "P1", "kind": "project", "owner": "alice", "name": "Tumor WGS"},
            {"id": "R1", "kind": "run", "owner": "alice", "projects": ["P1"]}
        ],
        "grants": [],
        "transfers": [{"id": "T1", "resource": "P1", "from": "alice", "to": "bob@core.example", "status": "pending"}]
    }))
    .unwrap();
    if !with_transfer {
        w.transfers.clear();
    }
    if profile == Profile::Direct {
        w.grants.push(custody_policy::Grant {
            resource: "P1".into(),
            principal: "sam".into(),
            access: serde_json::from_value(json!({"level": "write", "permissions": ["share"]}))
                .unwrap(),
        });
    }
    w
}

async fn accept_cancel_race(backend: Backend) {
    let app = TestApp::with_world(backend, &world(Profile::Basespace, true)).await;
    let base = bind(&app).await;
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let alice = app.sign_in("alice", "pw").await;
    let bob = app.sign_in("bob", "pw").await;
    let accept: Action = serde_json::from_value(
        json!({"type": "accept_transfer", "actor": "bob", "transfer": "T1"}),
    )
    .unwrap();
    let cancel: Action = serde_json::from_value(
        json!({"type": "cancel_transfer", "actor": "alice", "transfer": "T1"}),
    )
    .unwrap();
    let (va, da) = app.context_digest(&bob, "P1", &accept, "").await;
    let (vc, dc) = app.context_digest(&alice, "P1", &cancel, "").await;
    let mut tasks = Vec::new();
    for i in 0..50 {
        let (s, body) = if i % 2 == 0 {
            (
                bob.clone(),
                json!({"action": accept, "version": va, "digest": da, "idempotency_key": format!("a{i}")}),
            )
        } else {
            (
                alice.clone(),
                json!({"action": cancel, "version": vc, "digest": dc, "idempotency_key": format!("c{i}")}),
            )
        };
        let client = client.clone();
        let base = base.clone();
        tasks.push(tokio::spawn(
            async move { post(&client, &base, &s, body).await },
        ));
    }
    let mut won = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            200 => won += 1,
            409 | 422 => {}
            other => panic!("unexpected answer {other}: {body}"),
        }
    }
    assert_eq!(won, 1, "exactly one request wins");
    let audit: Vec<(String, String)> = sqlx::query_as("SELECT actor_id, action FROM audit_log")
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    let (status,): (String,) = sqlx::query_as("SELECT status FROM transfers WHERE id = 'T1'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let (owner,): (String,) = sqlx::query_as("SELECT owner_id FROM resources WHERE id = 'P1'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let logged: Value = serde_json::from_str(&audit[0].1).unwrap();
    match logged["type"].as_str() {
        Some("accept_transfer") => {
            assert_eq!(
                (audit[0].0.as_str(), status.as_str(), owner.as_str()),
                ("bob", "accepted", "bob")
            );
        }
        Some("cancel_transfer") => {
            assert_eq!(
                (audit[0].0.as_str(), status.as_str(), owner.as_str()),
                ("alice", "canceled", "alice")
            );
        }
        other => panic!("audit says {other:?}"),
    }
    app.finish().await;
}
on_both!(fifty_accepts_and_cancels_one_winner, accept_cancel_race);

async fn conflicting_shares(backend: Backend) {
    // Direct profile: alice owns P1, sam may share it. Both open the
    // dialog, then give erin different access at the same moment.
    let app = TestApp::with_world(backend, &world(Profile::Direct, false)).await;
    let base = bind(&app).await;
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let alice = app.sign_in("alice", "pw").await;
    let sam = app.sign_in("sam", "pw").await;
    let by_alice: Action = serde_json::from_value(json!({"type": "share", "actor": "alice", "resource": "P1", "principal": "erin", "access": "read"})).unwrap();
    let by_sam: Action = serde_json::from_value(json!({"type": "share", "actor": "sam", "resource": "P1", "principal": "erin", "access": "write"})).unwrap();
    let (va, da) = app.context_digest(&alice, "P1", &by_alice, "erin").await;
    let (vs, ds) = app.context_digest(&sam, "P1", &by_sam, "erin").await;
    let a = {
        let (client, base, s) = (client.clone(), base.clone(), alice.clone());
        let body =
            json!({"action": by_alice, "version": va, "digest": da, "idempotency_key": "x1"});
        tokio::spawn(async move { post(&client, &base, &s, body).await })
    };
    let b = {
        let (client, base, s) = (client.clone(), base.clone(), sam.clone());
        let body = json!({"action": by_sam, "version": vs, "digest": ds, "idempotency_key": "x2"});
        tokio::spawn(async move { post(&client, &base, &s, body).await })
    };
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    let mut statuses = [a.0, b.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{a:?} {b:?}");
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
    app.finish().await;
}
on_both!(conflicting_shares_one_applied_one_409, conflicting_shares);
