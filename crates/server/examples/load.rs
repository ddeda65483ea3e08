//! A bounded load generator against a real `custody` server on 127.0.0.1:
//! confirmed shares and unshares from concurrent clients, each on a
//! project of its own (so none of them answer 409), then the access context
//! of the demo's large project.
//!
//! ```sh
//! cargo run --release -p custody-server --example load -- [CLIENTS] [SECONDS] [DATABASE_URL]
//! ```
//!
//! Defaults: 32 clients, 10 seconds, a fresh SQLite file in the temp
//! folder. The server runs in this process (same binary code as `custody
//! serve`), bound to 127.0.0.1 on an ephemeral port; the clients talk HTTP
//! to it. Prints confirmed actions per second and the latency median and
//! p99, then the context timings.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use custody_policy::{Action, Engine, Profile, World};
use custody_server::accounts::{PasswordCost, set_password};
use custody_server::db::Db;
use custody_server::{AppState, Settings, app};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

#[derive(Clone)]
struct Session {
    cookie: String,
    csrf: String,
}

async fn call(
    client: &HttpClient,
    method: &str,
    url: &str,
    s: Option<&Session>,
    body: Option<Value>,
) -> (u16, Vec<u8>, Option<String>) {
    let mut request = hyper::Request::builder()
        .method(method)
        .uri(url)
        .header("x-csrf-token", s.map_or("1", |s| s.csrf.as_str()));
    if let Some(s) = s {
        request = request.header("cookie", &s.cookie);
    }
    let body = match body {
        Some(b) => {
            request = request.header("content-type", "application/json");
            Full::new(Bytes::from(b.to_string()))
        }
        None => Full::new(Bytes::new()),
    };
    let response = client.request(request.body(body).unwrap()).await.unwrap();
    let status = response.status().as_u16();
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").to_string());
    let bytes = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, bytes, cookie)
}

async fn sign_in(client: &HttpClient, base: &str, login: &str, password: &str) -> Session {
    let (status, body, cookie) = call(
        client,
        "POST",
        &format!("{base}/api/session"),
        None,
        Some(json!({"login": login, "password": password})),
    )
    .await;
    assert_eq!(status, 200, "sign-in of {login}");
    let me: Value = serde_json::from_slice(&body).unwrap();
    Session {
        cookie: cookie.unwrap(),
        csrf: me["csrf_token"].as_str().unwrap().to_string(),
    }
}

fn load_world(clients: usize) -> World {
    let mut principals = Vec::new();
    let mut resources = Vec::new();
    for i in 0..clients {
        principals.push(json!({"id": format!("owner{i}"), "kind": "user", "email": format!("owner{i}@load.example")}));
        principals.push(json!({"id": format!("peer{i}"), "kind": "user", "email": format!("peer{i}@load.example")}));
        resources.push(json!({"id": format!("LP{i}"), "kind": "project", "owner": format!("owner{i}"), "name": format!("Load project {i}")}));
        resources.push(json!({"id": format!("LR{i}"), "kind": "run", "owner": format!("owner{i}"), "projects": [format!("LP{i}")], "biosamples": [format!("LB{i}")]}));
        resources.push(json!({"id": format!("LB{i}"), "kind": "biosample", "owner": format!("owner{i}"), "projects": [format!("LP{i}")]}));
        resources.push(json!({"id": format!("LF{i}"), "kind": "file", "owner": format!("owner{i}"), "parent": format!("LR{i}"), "format": "fastq"}));
    }
    serde_json::from_value(
        json!({"profile": "basespace", "principals": principals, "resources": resources}),
    )
    .unwrap()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let clients: usize = args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(32)
        .clamp(1, 256);
    let seconds: u64 = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10)
        .clamp(1, 120);
    let url = args.get(2).cloned().unwrap_or_else(|| {
        let path = std::env::temp_dir().join(format!("custody-load-{}.db", std::process::id()));
        format!("sqlite://{}", path.display())
    });
    let db = Db::open(&url).await.unwrap();
    custody_server::seed::seed_demo(&db, Profile::Basespace, PasswordCost::Low)
        .await
        .unwrap();
    custody_server::import::import_world(&db, &load_world(clients))
        .await
        .unwrap();
    for i in 0..clients {
        set_password(&db, &format!("owner{i}"), "pw", PasswordCost::Low)
            .await
            .unwrap();
    }
    let state = AppState::new(
        db.clone(),
        Settings {
            password_cost: PasswordCost::Low,
            ..Settings::default()
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app(state)).await.unwrap() });
    let client: HttpClient = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(clients)
        .build_http();
    println!("{url}: {clients} clients for {seconds}s against {base}");

    // Each client: its own project; share with its peer, unshare, repeat.
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for i in 0..clients {
        let client = client.clone();
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let me = format!("owner{i}");
            let s = sign_in(&client, &base, &me, "pw").await;
            let share: Action = serde_json::from_value(json!({"type": "share", "actor": me, "resource": format!("LP{i}"), "principal": format!("peer{i}"), "access": "read"})).unwrap();
            let unshare: Action = serde_json::from_value(json!({"type": "unshare", "actor": me, "resource": format!("LP{i}"), "principal": format!("peer{i}")})).unwrap();
            let (status, body, _) = call(&client, "GET", &format!("{base}/api/resources/LP{i}/context?principals=peer{i}"), Some(&s), None).await;
            assert_eq!(status, 200);
            let context: custody_api::AccessContext = serde_json::from_slice(&body).unwrap();
            let engine = Engine::new(context.world.clone()).unwrap();
            let share_digest = engine.preview(&share).unwrap().digest();
            let shared = Engine::new(engine.applied(&share).unwrap()).unwrap();
            let unshare_digest = shared.preview(&unshare).unwrap().digest();
            let mut latencies = Vec::new();
            let mut n = 0u64;
            while Instant::now() < deadline {
                let (action, digest) = if n.is_multiple_of(2) { (&share, &share_digest) } else { (&unshare, &unshare_digest) };
                let body = json!({"action": action, "version": context.version, "digest": digest, "idempotency_key": format!("{me}-{n}")});
                let start = Instant::now();
                let (status, answer, _) = call(&client, "POST", &format!("{base}/api/actions"), Some(&s), Some(body)).await;
                latencies.push(start.elapsed());
                assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
                n += 1;
            }
            latencies
        }));
    }
    let started = Instant::now();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    println!(
        "confirmed actions: {} in {elapsed:.1}s = {:.0}/s; latency median {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        all.len(),
        all.len() as f64 / elapsed,
        percentile(&all, 0.5).as_secs_f64() * 1e3,
        percentile(&all, 0.99).as_secs_f64() * 1e3,
        all.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );

    // One client alone: the latency of a confirmed share without contention.
    let s = sign_in(&client, &base, "owner0", "pw").await;
    let mut single = Vec::new();
    for n in 0..200 {
        let i = 0;
        let (kind, extra) = if n % 2 == 0 {
            ("share", json!({"access": "read"}))
        } else {
            ("unshare", json!({}))
        };
        let mut action = json!({"type": kind, "actor": "owner0", "resource": format!("LP{i}"), "principal": format!("peer{i}")});
        if let (Some(a), Some(e)) = (action.as_object_mut(), extra.as_object()) {
            a.extend(e.clone());
        }
        let action: Action = serde_json::from_value(action).unwrap();
        let (_, body, _) = call(
            &client,
            "GET",
            &format!("{base}/api/resources/LP0/context?principals=peer0"),
            Some(&s),
            None,
        )
        .await;
        let context: custody_api::AccessContext = serde_json::from_slice(&body).unwrap();
        let digest = Engine::new(context.world)
            .unwrap()
            .preview(&action)
            .unwrap()
            .digest();
        let body = json!({"action": action, "version": context.version, "digest": digest, "idempotency_key": format!("single-{n}")});
        let start = Instant::now();
        let (status, _, _) = call(
            &client,
            "POST",
            &format!("{base}/api/actions"),
            Some(&s),
            Some(body),
        )
        .await;
        single.push(start.elapsed());
        assert_eq!(status, 200);
    }
    single.sort();
    println!(
        "one client, confirmed share/unshare: median {:.2} ms, p99 {:.2} ms",
        percentile(&single, 0.5).as_secs_f64() * 1e3,
        percentile(&single, 0.99).as_secs_f64() * 1e3
    );

    // The access context of the demo's large project.
    let alice = sign_in(&client, &base, "alice", "custody-demo").await;
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..20 {
        let start = Instant::now();
        let (status, body, _) = call(
            &client,
            "GET",
            &format!("{base}/api/resources/P-ATLAS/context"),
            Some(&alice),
            None,
        )
        .await;
        times.push(start.elapsed());
        assert_eq!(status, 200);
        size = body.len();
    }
    times.sort();
    println!(
        "context of P-ATLAS ({size} bytes): median {:.1} ms, p99 {:.1} ms",
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3
    );
    db.pool.close().await;
}
