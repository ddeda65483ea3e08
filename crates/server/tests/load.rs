//! Limits under load: 32 concurrent clients against the real `custody
//! serve` on 127.0.0.1 for a bounded time, on SQLite and PostgreSQL. Each
//! client works like a person at the app, quickly: confirms shares and
//! unshares of its own project (preview digests from custody-policy on
//! the context), reads its lists, a resource's context and who has access,
//! and its notifications, with a pause between requests (longer in a debug
//! build). Checked: no request fails (every confirmation 200, every read
//! 200) and the server's resident memory (sampled from /proc) stays flat.
//! The latencies are printed, not asserted (two shared cores run the
//! clients and the server: a timed assertion would fail with the
//! machine's other work): `cargo test --release -p custody-server --test
//! load -- --nocapture` prints them for an optimized server, and the
//! benchmarks (`cargo xtask bench`: `crates/server/examples/load.rs`)
//! report throughput and p99 at saturation against their targets.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::spawned::Spawned;
use common::{Backend, TestDb};
use custody_policy::{Action, Engine, World};
use custody_server::accounts::{PasswordCost, set_password};
use serde_json::json;

const CLIENTS: usize = 32;
const SECONDS: u64 = 6;

fn world() -> World {
    let mut principals = Vec::new();
    let mut resources = Vec::new();
    for i in 0..CLIENTS {
        principals.push(json!({"id": format!("owner{i}"), "kind": "user", "email": format!("owner{i}@load.example")}));
        principals.push(json!({"id": format!("peer{i}"), "kind": "user", "email": format!("peer{i}@load.example")}));
        resources.push(json!({"id": format!("LP{i}"), "kind": "project", "owner": format!("owner{i}"), "name": format!("Load {i}")}));
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
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn load(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    custody_server::import::import_world(&test_db.db, &world())
        .await
        .unwrap();
    for i in 0..CLIENTS {
        set_password(&test_db.db, &format!("owner{i}"), "pw", PasswordCost::Low)
            .await
            .unwrap();
    }
    let server = Spawned::start(&test_db.db.url, "basespace", &[]);
    let http = server.http.clone();
    let mut sessions = Vec::new();
    for i in 0..CLIENTS {
        sessions.push(http.sign_in(&format!("owner{i}"), "pw").await);
    }
    // Warm up, then sample the memory every 250 ms while the clients run.
    let started = Instant::now();
    let deadline = started + Duration::from_secs(SECONDS);
    let sessions = Arc::new(sessions);
    let mut tasks = Vec::new();
    for i in 0..CLIENTS {
        let (http, sessions) = (http.clone(), sessions.clone());
        tasks.push(tokio::spawn(async move {
            let s = &sessions[i];
            let me = format!("owner{i}");
            let share: Action = serde_json::from_value(json!({"type": "share", "actor": me, "resource": format!("LP{i}"), "principal": format!("peer{i}"), "access": "read"})).unwrap();
            let unshare: Action = serde_json::from_value(json!({"type": "unshare", "actor": me, "resource": format!("LP{i}"), "principal": format!("peer{i}")})).unwrap();
            let mut confirms = Vec::new();
            let mut reads = Vec::new();
            let mut n = 0u64;
            while Instant::now() < deadline {
                let context = http.get(&format!("/api/resources/LP{i}/context?principals=peer{i}"), Some(s)).await;
                assert_eq!(context.status, 200, "{}", context.body);
                let context: custody_api::AccessContext = serde_json::from_value(context.body).unwrap();
                let shared = context.world.grants.iter().any(|g| g.principal == format!("peer{i}"));
                let action = if shared { &unshare } else { &share };
                let digest = Engine::new(context.world).unwrap().preview(action).unwrap().digest();
                let body = json!({"action": action, "version": context.version, "digest": digest, "idempotency_key": format!("{me}-{n}")});
                let t = Instant::now();
                let reply = http.post("/api/actions", Some(s), &body).await;
                confirms.push(t.elapsed());
                assert_eq!(reply.status, 200, "{}", reply.body);
                let path = match n % 4 {
                    0 => "/api/resources?limit=50".to_string(),
                    1 => format!("/api/resources/LR{i}/access"),
                    2 => "/api/notifications".to_string(),
                    _ => format!("/api/resources/LP{i}"),
                };
                let t = Instant::now();
                let reply = http.get(&path, Some(s)).await;
                reads.push(t.elapsed());
                assert_eq!(reply.status, 200, "{path}: {}", reply.body);
                n += 1;
                tokio::time::sleep(Duration::from_millis(if cfg!(debug_assertions) { 600 } else { 40 })).await;
            }
            (confirms, reads)
        }));
    }
    let mut rss = Vec::new();
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
        rss.push(server.rss_kib());
    }
    let mut confirms = Vec::new();
    let mut reads = Vec::new();
    for t in tasks {
        let (c, r) = t.await.unwrap();
        confirms.extend(c);
        reads.extend(r);
    }
    let elapsed = started.elapsed().as_secs_f64();
    confirms.sort();
    reads.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let (p50, p99) = (percentile(&confirms, 0.5), percentile(&confirms, 0.99));
    eprintln!(
        "load ({backend:?}): {CLIENTS} clients, {} confirmations ({:.0}/s) p50 {:.1} ms p99 {:.1} ms; {} reads p50 {:.1} ms p99 {:.1} ms; RSS KiB {:?}",
        confirms.len(),
        confirms.len() as f64 / elapsed,
        ms(p50),
        ms(p99),
        reads.len(),
        ms(percentile(&reads, 0.5)),
        ms(percentile(&reads, 0.99)),
        rss
    );
    assert!(
        confirms.len() >= CLIENTS * 3,
        "too little load: {}",
        confirms.len()
    );
    // Flat: the second half of the run holds no more than the first half
    // plus a little (pools and caches fill early).
    let half = rss.len() / 2;
    let early = *rss[..half].iter().max().unwrap();
    let late = *rss[half..].iter().max().unwrap();
    assert!(
        late <= early + 8 * 1024,
        "memory grew from {early} KiB to {late} KiB"
    );
    server.check_log();
    drop(server);
    test_db.drop_db().await;
}
on_both!(thirty_two_clients_no_failures_p99_memory_flat, load);
