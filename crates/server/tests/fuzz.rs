//! Bad input, generated (proptest), against the real `custody serve` on
//! SQLite and PostgreSQL: arbitrary JSON of every shape (wrong types, huge
//! numbers, deep nesting, long strings, control characters), valid action
//! requests (shares, transfers, membership changes) mutated (a field of
//! the wrong type, an unknown field at any depth, a field dropped, ids of
//! other kinds, duplicate keys, invalid UTF-8, truncation), path and query
//! garbage (resources, groups, ...), bodies over the limit, and headers
//! that lie (content type, content length, both length and chunked).
//! Every answer the app gives is a 4xx with `{code, message}`, the server
//! never panics, the stored data never changes, and the server's memory
//! stays bounded.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::http::{Csrf, Http, Reply};
use common::spawned::Spawned;
use common::{Backend, Session, TestDb, dump};
use custody_policy::World;
use custody_server::accounts::{PasswordCost, set_password};
use hyper::body::Bytes;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn world() -> World {
    serde_json::from_value(json!({
        "profile": "basespace",
        "principals": [
            {"id": "alice", "kind": "user", "email": "alice@lab.example"},
            {"id": "bob", "kind": "user", "email": "bob@core.example"},
            {"id": "pipeline", "kind": "service_account"},
            {"id": "genomics", "kind": "group", "members": ["bob"], "admins": ["alice"]}
        ],
        "resources": [
            {"id": "P1", "kind": "project", "owner": "alice", "name": "Tumor WGS"},
            {"id": "R1", "kind": "run", "owner": "alice", "projects": ["P1"], "biosamples": ["B1"]},
            {"id": "B1", "kind": "biosample", "owner": "alice", "projects": ["P1"]},
            {"id": "F1", "kind": "file", "owner": "alice", "parent": "R1", "format": "fastq"}
        ],
        "grants": [{"resource": "P1", "principal": "genomics", "access": "read"}],
        "transfers": [{"id": "T1", "resource": "R1", "from": "alice", "to": "bob@core.example", "status": "pending"}]
    }))
    .unwrap()
}

/// Ids of every kind, and strings that are no id at all.
const IDS: [&str; 14] = [
    "P1",
    "R1",
    "B1",
    "F1",
    "alice",
    "bob",
    "pipeline",
    "genomics",
    "T1",
    "",
    "P1' OR '1'='1",
    "%_\\",
    "../../etc/passwd",
    "\u{0}\u{202e}",
];

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
        (0usize..IDS.len()).prop_map(|i| Value::from(IDS[i])),
        (1usize..200_000).prop_map(|n| Value::from("x".repeat(n))),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    "[a-z_]{1,12}",
                    Just("type".to_string()),
                    Just("action".to_string())
                ],
                inner,
                0..8
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A valid request for alice, as the mutations' starting point.
fn valid(kind: usize) -> Value {
    let action = match kind % 8 {
        0 => {
            json!({"type": "share", "actor": "alice", "resource": "P1", "principal": "bob", "access": "read"})
        }
        1 => {
            json!({"type": "unshare", "actor": "alice", "resource": "P1", "principal": "genomics"})
        }
        2 => {
            json!({"type": "request_transfer", "actor": "alice", "resource": "P1", "to": "bob@core.example", "message": "hi"})
        }
        3 => json!({"type": "cancel_transfer", "actor": "alice", "transfer": "T1"}),
        4 => json!({"type": "leave", "actor": "alice", "resource": "R1"}),
        5 => {
            json!({"type": "add_member", "actor": "alice", "group": "genomics", "principal": "pipeline"})
        }
        6 => {
            json!({"type": "remove_member", "actor": "alice", "group": "genomics", "principal": "bob"})
        }
        _ => json!({"type": "batch", "actor": "alice", "actions": [
            {"type": "share", "actor": "alice", "resource": "P1", "principal": "bob", "access": {"level": "write", "permissions": []}},
            {"type": "unshare", "actor": "alice", "resource": "P1", "principal": "genomics"}]}),
    };
    json!({"action": action, "version": "v", "digest": "not-the-digest", "idempotency_key": "k"})
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the value at (object index, key index) with another value.
    Replace(usize, usize, Value),
    /// Add a field to an object.
    Add(usize, String, Value),
    /// Drop a field.
    Drop(usize, usize),
}

/// Every object of `v` as a path of keys and indices.
fn object_paths(v: &Value, at: Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match v {
        Value::Object(m) => {
            out.push(at.clone());
            for (k, c) in m {
                let mut p = at.clone();
                p.push(Step::Key(k.clone()));
                object_paths(c, p, out);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                let mut p = at.clone();
                p.push(Step::Index(i));
                object_paths(c, p, out);
            }
        }
        _ => {}
    }
}

#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn at_path<'a>(v: &'a mut Value, path: &[Step]) -> &'a mut Value {
    let mut v = v;
    for s in path {
        v = match s {
            Step::Key(k) => &mut v[k.as_str()],
            Step::Index(i) => &mut v[*i],
        };
    }
    v
}

fn mutate(mut v: Value, mutations: &[Mutation]) -> Value {
    for m in mutations {
        let mut paths = Vec::new();
        object_paths(&v, Vec::new(), &mut paths);
        let pick = |i: usize| paths[i % paths.len()].clone();
        match m {
            Mutation::Replace(o, k, value) => {
                let Value::Object(map) = at_path(&mut v, &pick(*o)) else {
                    continue;
                };
                if map.is_empty() {
                    continue;
                }
                let key = map.keys().nth(k % map.len()).unwrap().clone();
                map.insert(key, value.clone());
            }
            Mutation::Add(o, key, value) => {
                if let Value::Object(map) = at_path(&mut v, &pick(*o)) {
                    map.insert(key.clone(), value.clone());
                }
            }
            Mutation::Drop(o, k) => {
                let Value::Object(map) = at_path(&mut v, &pick(*o)) else {
                    continue;
                };
                if map.is_empty() {
                    continue;
                }
                let key = map.keys().nth(k % map.len()).unwrap().clone();
                map.remove(&key);
            }
        }
    }
    v
}

fn arb_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<usize>(), arb_json())
            .prop_map(|(o, k, v)| Mutation::Replace(o, k, v)),
        (
            any::<usize>(),
            any::<usize>(),
            (0usize..IDS.len()).prop_map(|i| Value::from(IDS[i]))
        )
            .prop_map(|(o, k, v)| Mutation::Replace(o, k, v)),
        (any::<usize>(), "[a-z_]{1,10}", arb_json()).prop_map(|(o, k, v)| Mutation::Add(o, k, v)),
        (any::<usize>(), any::<usize>()).prop_map(|(o, k)| Mutation::Drop(o, k)),
    ]
}

/// How a body is spoiled at the byte level.
#[derive(Debug, Clone)]
enum Spoil {
    AsIs,
    /// Invalid UTF-8 inside the first string.
    BadUtf8(u8),
    /// A key given twice.
    DuplicateKey,
    /// Cut after n bytes.
    Truncate(usize),
    /// Nested n deep inside the action.
    Deep(usize),
}

fn spoil(v: &Value, how: &Spoil) -> Vec<u8> {
    let text = v.to_string();
    match how {
        Spoil::AsIs => text.into_bytes(),
        Spoil::BadUtf8(b) => {
            let mut bytes = text.into_bytes();
            if let Some(q) = bytes.iter().position(|c| *c == b'"') {
                bytes.insert(q + 1, 0x80 | (b & 0x3f));
                bytes.insert(q + 1, 0xff);
            }
            bytes
        }
        Spoil::DuplicateKey => {
            let inner = text.trim_start_matches('{');
            format!("{{\"action\":{{\"type\":\"share\"}},{inner}").into_bytes()
        }
        Spoil::Truncate(n) => text.as_bytes()[..(*n).min(text.len())].to_vec(),
        Spoil::Deep(n) => format!(
            "{{\"action\":{}{},\"version\":\"v\",\"digest\":\"d\",\"idempotency_key\":\"k\"}}",
            "{\"a\":[".repeat(*n),
            "]}".repeat(*n)
        )
        .into_bytes(),
    }
}

fn arb_bytes() -> impl Strategy<Value = Spoil> {
    prop_oneof![
        4 => Just(Spoil::AsIs),
        1 => any::<u8>().prop_map(Spoil::BadUtf8),
        1 => Just(Spoil::DuplicateKey),
        1 => (0usize..300).prop_map(Spoil::Truncate),
        1 => (1usize..5000).prop_map(Spoil::Deep),
    ]
}

/// Checks one answer of the app: 4xx with `{code, message}`.
fn refused(reply: &Reply, what: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        (400..500).contains(&reply.status),
        "{what}: answered {} {}",
        reply.status,
        String::from_utf8_lossy(&reply.bytes)
    );
    prop_assert!(
        reply.is_error_body(),
        "{what}: body {}",
        String::from_utf8_lossy(&reply.bytes)
    );
    Ok(())
}

struct Fuzz {
    http: Http,
    alice: Session,
    runtime: tokio::runtime::Handle,
    count: AtomicUsize,
    /// How many answers of each (status, code).
    codes: std::sync::Mutex<std::collections::BTreeMap<(u16, String), usize>>,
}

impl Fuzz {
    fn block<T>(&self, f: impl std::future::Future<Output = T>) -> T {
        tokio::task::block_in_place(|| self.runtime.block_on(f))
    }

    fn post(&self, path: &str, body: Vec<u8>, content_type: &str) -> Reply {
        self.count.fetch_add(1, Ordering::Relaxed);
        let reply = self.block(self.http.send(
            "POST",
            path,
            Some(&self.alice),
            Csrf::Session,
            Some((content_type, Bytes::from(body))),
        ));
        *self
            .codes
            .lock()
            .unwrap()
            .entry((reply.status, reply.code().to_string()))
            .or_default() += 1;
        reply
    }
}

fn run<S: Strategy>(cases: u32, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>) {
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{e}");
    }
}

async fn fuzz(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let w = world();
    custody_server::import::import_world(&test_db.db, &w)
        .await
        .unwrap();
    for p in ["alice", "bob"] {
        set_password(&test_db.db, p, "pw", PasswordCost::Low)
            .await
            .unwrap();
    }
    let server = Spawned::start(&test_db.db.url, "basespace", &[]);
    let alice = server.http.sign_in("alice", "pw").await;
    let before = dump(&test_db.db).await;
    let fuzz = Fuzz {
        http: server.http.clone(),
        alice,
        runtime: tokio::runtime::Handle::current(),
        count: AtomicUsize::new(0),
        codes: Default::default(),
    };
    // Warm up, then take the memory the server settles at.
    for _ in 0..50 {
        fuzz.post(
            "/api/actions",
            valid(0).to_string().into_bytes(),
            "application/json",
        );
    }
    let rss_before = server.rss_kib();

    // Every kind of bad input, twice. The first pass takes the server to
    // the memory its allocator keeps for such requests (an arena per
    // thread, each at its high-water mark: up to 80 MB here, and how much
    // varies from run to run with which threads served what); the second
    // must not add to it. Memory is bounded when the same bad inputs again
    // cost nothing more.
    barrage(&fuzz).await;
    let rss_settled = server.rss_kib();
    barrage(&fuzz).await;

    // Nothing changed, nothing panicked, memory bounded.
    assert_eq!(
        dump(&test_db.db).await,
        before,
        "bad input changed the stored data"
    );
    let rss_after = server.rss_kib();
    server.check_log();
    let sent = fuzz.count.load(Ordering::Relaxed);
    let codes = fuzz.codes.lock().unwrap().clone();
    eprintln!(
        "fuzz ({backend:?}): {sent} bad inputs; server memory {rss_before} KiB, {rss_settled} KiB after the first pass, {rss_after} KiB after the second; answers {codes:?}"
    );
    // The generators reach every kind of refusal.
    for (status, code) in [
        (400, "invalid_request"),
        (422, "invalid_request"),
        (422, "unknown_field"),
        (409, "stale_preview"),
        (413, "payload_too_large"),
        (415, "unsupported_media_type"),
    ] {
        assert!(
            codes.contains_key(&(status, code.to_string())),
            "no {status} {code} among {codes:?}"
        );
    }
    assert!(
        codes
            .keys()
            .any(|(s, c)| *s == 422 && c.starts_with("unknown_")),
        "no unknown id among {codes:?}"
    );
    assert!(
        rss_after < rss_settled + 32 * 1024,
        "memory grew from {rss_settled} KiB to {rss_after} KiB on the same bad inputs again (from {rss_before} KiB at the start)"
    );
    drop(server);
    test_db.drop_db().await;
}
on_both!(generated_bad_input_is_refused, fuzz);

/// Every kind of bad input the test sends, each answered with a refusal.
async fn barrage(fuzz: &Fuzz) {
    // 1. Any JSON at all, to every endpoint that reads a body.
    run(200, (arb_json(), 0usize..3), |(v, endpoint)| {
        let path = ["/api/actions", "/api/session", "/api/notifications/read"][endpoint];
        let reply = fuzz.post(path, v.to_string().into_bytes(), "application/json");
        if path == "/api/notifications/read" && reply.status == 204 {
            // `{"ids": [...]}` of numbers is a valid request (of nothing).
            return Ok(());
        }
        refused(
            &reply,
            &format!(
                "{path} {}",
                v.to_string().chars().take(200).collect::<String>()
            ),
        )
    });

    // 2. Valid requests, mutated and spoiled.
    run(
        400,
        (
            0usize..8,
            prop::collection::vec(arb_mutation(), 1..4),
            arb_bytes(),
        ),
        |(kind, mutations, how)| {
            let v = mutate(valid(kind), &mutations);
            let body = spoil(&v, &how);
            let reply = fuzz.post("/api/actions", body.clone(), "application/json");
            refused(
                &reply,
                &format!(
                    "{mutations:?} {how:?}: {}",
                    String::from_utf8_lossy(&body)
                        .chars()
                        .take(300)
                        .collect::<String>()
                ),
            )?;
            // An unknown field anywhere in the action is named.
            let added_inside = mutations.iter().all(|m| matches!(m, Mutation::Add(..)));
            if added_inside && matches!(how, Spoil::AsIs) && reply.code() == "unknown_field" {
                prop_assert_eq!(reply.status, 422);
            }
            Ok(())
        },
    );

    // 3. Paths and queries.
    run(150, (".{0,60}", 0usize..8), |(text, which)| {
        let encoded: String = text.bytes().map(|b| format!("%{b:02X}")).collect();
        let path = match which {
            0 => format!("/api/resources/{encoded}"),
            1 => format!("/api/resources/{encoded}/context?principals={encoded}"),
            2 => format!("/api/resources?kind={encoded}&q={encoded}&within={encoded}"),
            3 => format!("/api/resources?offset={encoded}&limit={encoded}"),
            4 => format!("/api/transfers?box={encoded}"),
            5 => format!("/api/groups/{encoded}"),
            6 => format!("/api/groups/{encoded}/context?principals={encoded}"),
            _ => format!("/api/principals?q={encoded}&limit={encoded}"),
        };
        fuzz.count.fetch_add(1, Ordering::Relaxed);
        let reply = fuzz.block(fuzz.http.get(&path, Some(&fuzz.alice)));
        if reply.status == 200 {
            return Ok(());
        }
        refused(&reply, &path)
    });

    // Bodies over the limit, and content types that lie.
    let big = json!({"action": valid(0)["action"], "version": "x".repeat(custody_server::BODY_LIMIT), "digest": "d", "idempotency_key": "k"});
    let reply = fuzz.post(
        "/api/actions",
        big.to_string().into_bytes(),
        "application/json",
    );
    assert_eq!((reply.status, reply.code()), (413, "payload_too_large"));
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/jsonx",
        "",
    ] {
        let reply = fuzz.post(
            "/api/actions",
            valid(0).to_string().into_bytes(),
            content_type,
        );
        assert_eq!(
            (reply.status, reply.code()),
            (415, "unsupported_media_type"),
            "{content_type}"
        );
    }
    let reply = fuzz.post(
        "/api/actions",
        b"action=share&actor=alice".to_vec(),
        "application/json",
    );
    assert_eq!(reply.status, 400);

    // Lengths that lie, over raw TCP: the server answers 4xx or closes,
    // and keeps serving.
    let address = fuzz.http.base.trim_start_matches("http://").to_string();
    let body = valid(0).to_string();
    let head = |extra: &str| {
        format!(
            "POST /api/actions HTTP/1.1\r\nHost: x\r\nCookie: {}\r\nx-csrf-token: {}\r\nContent-Type: application/json\r\n{extra}\r\n",
            fuzz.alice.cookie, fuzz.alice.csrf
        )
    };
    let raw_cases = [
        format!(
            "{}{}",
            head(&format!("Content-Length: {}\r\n", body.len() + 500)),
            body
        ),
        format!(
            "{}{}",
            head(&format!("Content-Length: {}\r\n", body.len() / 2)),
            body
        ),
        format!("{}{}", head("Content-Length: 99999999999999\r\n"), body),
        format!("{}{}", head("Content-Length: -5\r\n"), body),
        format!(
            "{}{}",
            head(&format!(
                "Content-Length: {}\r\nContent-Length: 3\r\n",
                body.len()
            )),
            body
        ),
        format!(
            "{}{:x}\r\n{}\r\n0\r\n\r\n",
            head(&format!(
                "Transfer-Encoding: chunked\r\nContent-Length: {}\r\n",
                body.len()
            )),
            body.len(),
            body
        ),
        format!(
            "{}ffffffffffffffffff\r\n{}\r\n0\r\n\r\n",
            head("Transfer-Encoding: chunked\r\n"),
            body
        ),
        format!(
            "{}{}",
            head(&format!(
                "X-Big: {}\r\nContent-Length: {}\r\n",
                "a".repeat(200_000),
                body.len()
            )),
            body
        ),
    ];
    for (n, raw) in raw_cases.iter().enumerate() {
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        let _ = stream.write_all(raw.as_bytes()).await;
        let _ = stream.shutdown().await;
        let mut answer = Vec::new();
        let _ =
            tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
        let text = String::from_utf8_lossy(&answer);
        if let Some(status) = text.split(' ').nth(1) {
            let status: u16 = status.parse().unwrap_or(0);
            assert!(
                (400..500).contains(&status),
                "raw case {n}: {}",
                text.lines().next().unwrap_or("")
            );
        }
        fuzz.count.fetch_add(1, Ordering::Relaxed);
        let alive = fuzz.http.get("/api/config", None).await;
        assert_eq!(
            alive.status, 200,
            "the server stopped answering after raw case {n}"
        );
    }
}
