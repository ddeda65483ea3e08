//! A bounded load generator, in its own process, against a real `custody
//! serve` on 127.0.0.1: confirmed shares, unshares, transfer requests and
//! cancellations from concurrent clients, each on a project of its own (so
//! none of them answer 409), then the access context of a generated
//! project of the chosen size and of the demo's large project: each read
//! first after one of the project's biosamples was taken out of it or put
//! back (read whole from the database), then naming a new recipient's
//! email (patched from the slice kept for the dialog without it), then
//! first right after a share or unshare of that project (kept, patched
//! from the rows the change touched), then first after a file of it moved
//! to another of its runs (patched), then first after a change elsewhere
//! in the world (kept, checked against what the change touched), then
//! again with nothing changed (kept).
//!
//! ```sh
//! cargo build --release -p custody-server --bin custody --example load
//! target/release/examples/load [--clients 32] [--seconds 10] [--size L] \
//!     [--database-url URL | --postgres ADMIN_URL] [--custody PATH] [--out FILE]
//! ```
//!
//! It fills the database first (the demo, one project per client, and the
//! tidy generated world of `--size`, whose project `P0` is the context
//! read), then starts the `custody` binary beside this one (or `--custody`)
//! serving that database on an ephemeral port, and talks HTTP to it. The
//! default database is a fresh SQLite file in the temp folder. Prints
//! confirmed actions per second with the latency median and p99, one
//! client alone, and the context timings; `--out` appends the same figures
//! as JSON lines for `cargo xtask bench`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use clap::Parser;
use custody_policy::generate::{Size, ids, sized};
use custody_policy::{Action, Engine, Profile, World};
use custody_server::accounts::{PasswordCost, set_password};
use custody_server::db::Db;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

#[derive(Parser)]
struct Args {
    /// Concurrent clients, each signed in as the owner of its own project.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..=256))]
    clients: u16,
    /// How long the concurrent phase lasts.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=120))]
    seconds: u64,
    /// The generated world whose project's context is read: S, M, L or XL.
    #[arg(long, default_value = "L")]
    size: String,
    /// `sqlite://PATH` or `postgres://...` (an empty database); default a
    /// fresh SQLite file in the temp folder, removed after the run (a
    /// database named here is kept).
    #[arg(long)]
    database_url: Option<String>,
    /// A PostgreSQL server's admin URL (`postgres://postgres@127.0.0.1/postgres`):
    /// the run creates a database of its own there and drops it after.
    #[arg(long, conflicts_with = "database_url")]
    postgres: Option<String>,
    /// The server binary; default `custody` beside this program's folder.
    #[arg(long)]
    custody: Option<PathBuf>,
    /// Append the figures as JSON lines to this file.
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Clone)]
struct Session {
    cookie: String,
    csrf: String,
}

/// The server process, stopped when dropped (also when a phase panics).
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
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

async fn context(
    client: &HttpClient,
    base: &str,
    s: &Session,
    path: &str,
) -> custody_api::AccessContext {
    let (status, body, _) = call(client, "GET", &format!("{base}{path}"), Some(s), None).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).unwrap()
}

/// Posts a confirmed action and returns how long it took and, for a
/// transfer request, the transfer it created.
async fn confirm(
    client: &HttpClient,
    base: &str,
    s: &Session,
    action: &Action,
    version: &str,
    digest: &str,
    key: String,
) -> (Duration, Option<String>) {
    let body =
        json!({"action": action, "version": version, "digest": digest, "idempotency_key": key});
    let start = Instant::now();
    let (status, answer, _) = call(
        client,
        "POST",
        &format!("{base}/api/actions"),
        Some(s),
        Some(body),
    )
    .await;
    let took = start.elapsed();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
    let applied: custody_api::ActionApplied = serde_json::from_slice(&answer).unwrap();
    (took, applied.transfer)
}

fn action(value: Value) -> Action {
    serde_json::from_value(value).unwrap()
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

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Runs one statement on a PostgreSQL server's admin database.
async fn postgres_admin(admin: &str, statement: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(admin).await.unwrap();
    sqlx::query(statement).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
}

/// Fills an empty database: the demo, one project per client, the
/// generated world; passwords at the low cost (sign-in is not measured).
async fn prepare(url: &str, clients: usize, size: Size) {
    let db = Db::open(url).await.unwrap();
    custody_server::seed::seed_demo(&db, Profile::Basespace, PasswordCost::Low)
        .await
        .unwrap();
    custody_server::import::import_world(&db, &load_world(clients))
        .await
        .unwrap();
    custody_server::import::import_world(&db, &sized(size, Profile::Basespace, 1))
        .await
        .unwrap();
    for i in 0..clients {
        set_password(&db, &format!("owner{i}"), "pw", PasswordCost::Low)
            .await
            .unwrap();
    }
    set_password(&db, ids::OWNER, "pw", PasswordCost::Low)
        .await
        .unwrap();
    db.pool.close().await;
}

/// Starts `custody serve` on a free port and waits until it answers.
async fn start(custody: &PathBuf, url: &str, client: &HttpClient) -> (Server, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let child = Command::new(custody)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", url)
        .env(
            "RUST_LOG",
            std::env::var("CUSTODY_LOAD_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .stdin(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", custody.display()));
    let server = Server(child);
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let request = hyper::Request::get(format!("{base}/api/config"))
            .body(Full::new(Bytes::new()))
            .unwrap();
        if let Ok(r) = client.request(request).await
            && r.status().is_success()
        {
            return (server, base);
        }
        assert!(
            Instant::now() < deadline,
            "the server did not answer in 60 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// One client for `seconds`: share its project, unshare it, request a
/// transfer of it and cancel that, over and over. Returns the latency of
/// every confirmed action. `phase` keeps the idempotency keys of separate
/// runs apart (the context read before a cancellation, as the
/// app makes it, is not counted).
async fn client_loop(
    client: HttpClient,
    base: String,
    i: usize,
    deadline: Instant,
    phase: &str,
) -> Vec<Duration> {
    let me = format!("owner{i}");
    let s = sign_in(&client, &base, &me, "pw").await;
    let project = format!("LP{i}");
    let peer = format!("peer{i}");
    let share = action(
        json!({"type": "share", "actor": me, "resource": project, "principal": peer, "access": "read"}),
    );
    let unshare =
        action(json!({"type": "unshare", "actor": me, "resource": project, "principal": peer}));
    let request = action(
        json!({"type": "request_transfer", "actor": me, "resource": project, "to": format!("{peer}@load.example")}),
    );
    let path = format!("/api/resources/{project}/context?principals={peer}");
    let base_context = context(&client, &base, &s, &path).await;
    let engine = Engine::new(base_context.world.clone()).unwrap();
    let share_digest = engine.preview(&share).unwrap().digest();
    let request_digest = engine.preview(&request).unwrap().digest();
    let shared = Engine::new(engine.applied(&share).unwrap()).unwrap();
    let unshare_digest = shared.preview(&unshare).unwrap().digest();
    let version = base_context.version.as_str();
    let mut latencies = Vec::new();
    let mut n = 0u64;
    while Instant::now() < deadline {
        let key = |step: &str| format!("{phase}-{me}-{n}-{step}");
        let (t, _) = confirm(
            &client,
            &base,
            &s,
            &share,
            version,
            &share_digest,
            key("share"),
        )
        .await;
        latencies.push(t);
        let (t, _) = confirm(
            &client,
            &base,
            &s,
            &unshare,
            version,
            &unshare_digest,
            key("unshare"),
        )
        .await;
        latencies.push(t);
        let (t, transfer) = confirm(
            &client,
            &base,
            &s,
            &request,
            version,
            &request_digest,
            key("request"),
        )
        .await;
        latencies.push(t);
        let transfer = transfer.expect("a transfer request answers with its transfer");
        let pending = context(&client, &base, &s, &path).await;
        let cancel = action(json!({"type": "cancel_transfer", "actor": me, "transfer": transfer}));
        let digest = Engine::new(pending.world)
            .unwrap()
            .preview(&cancel)
            .unwrap()
            .digest();
        let (t, _) = confirm(
            &client,
            &base,
            &s,
            &cancel,
            &pending.version,
            &digest,
            key("cancel"),
        )
        .await;
        latencies.push(t);
        n += 1;
    }
    latencies
}

/// A real change to the world: a resource shared with a person, then
/// unshared, in turn, by its owner, as the share dialog does it (its
/// context read, then the action confirmed). Before a context read it
/// makes that read the first one after a change: to the context itself
/// (the kept slice patched from the rows the change touched), or
/// elsewhere (the kept slice checked against the ids the change touched:
/// `context_cache.rs`).
struct Toggle {
    /// The dialog's context: the resource's, with the person named.
    path: String,
    session: Session,
    actions: [(Action, String); 2],
    version: String,
    n: u64,
    /// How long each confirmation took.
    times: Vec<Duration>,
}

impl Toggle {
    async fn new(
        client: &HttpClient,
        base: &str,
        (owner, password): (&str, &str),
        resource: &str,
        principal: &str,
    ) -> Toggle {
        let session = sign_in(client, base, owner, password).await;
        let share = action(
            json!({"type": "share", "actor": owner, "resource": resource, "principal": principal, "access": "read"}),
        );
        let unshare = action(
            json!({"type": "unshare", "actor": owner, "resource": resource, "principal": principal}),
        );
        let path = format!("/api/resources/{resource}/context?principals={principal}");
        let start = context(client, base, &session, &path).await;
        let engine = Engine::new(start.world).unwrap();
        let share_digest = engine.preview(&share).unwrap().digest();
        let shared = Engine::new(engine.applied(&share).unwrap()).unwrap();
        let unshare_digest = shared.preview(&unshare).unwrap().digest();
        Toggle {
            path,
            session,
            actions: [(share, share_digest), (unshare, unshare_digest)],
            version: start.version,
            n: 0,
            times: Vec::new(),
        }
    }

    async fn change(&mut self, client: &HttpClient, base: &str) {
        let (action, digest) = &self.actions[(self.n % 2) as usize];
        let key = format!("toggle-{}-{}", self.version, self.n);
        // The dialog opens on the current context (its version is the one
        // the first confirmation names; the digest is what matters).
        let (status, _, _) = call(
            client,
            "GET",
            &format!("{base}{}", self.path),
            Some(&self.session),
            None,
        )
        .await;
        assert_eq!(status, 200);
        // `confirm` asserts that the change was applied.
        let (took, _) = confirm(
            client,
            base,
            &self.session,
            action,
            &self.version,
            digest,
            key,
        )
        .await;
        self.times.push(took);
        self.n += 1;
    }
}

/// Changes written to the database directly, beside the server, as a
/// pipeline or an import does (the API has neither): a file of a project
/// moved to another of its runs and back, or one of the project's
/// biosamples taken out of it and put back, in turn.
struct Direct {
    db: Db,
    project: String,
    file: String,
    parents: [String; 2],
    biosample: String,
    moves: usize,
    toggles: usize,
}

impl Direct {
    async fn new(url: &str, project: &str) -> Direct {
        let db = Db::open(url).await.unwrap();
        let (file, parent, other): (String, String, String) = sqlx::query_as(
            "SELECT f.id, f.parent_id, o.resource_id
             FROM resource_projects rp
             JOIN resources f ON f.parent_id = rp.resource_id AND f.kind = 'file'
             JOIN resources run ON run.id = rp.resource_id AND run.kind = 'run'
             JOIN resource_projects o ON o.project_id = rp.project_id AND o.resource_id <> rp.resource_id
             JOIN resources other ON other.id = o.resource_id AND other.kind = 'run'
             WHERE rp.project_id = $1
             ORDER BY f.id, o.resource_id LIMIT 1",
        )
        .bind(project)
        .fetch_one(&db.pool)
        .await
        .unwrap_or_else(|e| panic!("no file of {project} to move: {e}"));
        let (biosample,): (String,) = sqlx::query_as(
            "SELECT rp.resource_id FROM resource_projects rp
             JOIN resources b ON b.id = rp.resource_id AND b.kind = 'biosample'
             WHERE rp.project_id = $1 ORDER BY rp.resource_id LIMIT 1",
        )
        .bind(project)
        .fetch_one(&db.pool)
        .await
        .unwrap_or_else(|e| panic!("no biosample of {project}: {e}"));
        Direct {
            db,
            project: project.to_string(),
            file,
            parents: [other, parent],
            biosample,
            moves: 0,
            toggles: 0,
        }
    }

    /// The file moved: its context is patched (`f:` keys).
    async fn move_file(&mut self) {
        let parent = &self.parents[self.moves % 2];
        sqlx::query("UPDATE resources SET parent_id = $1 WHERE id = $2")
            .bind(parent)
            .bind(&self.file)
            .execute(&self.db.pool)
            .await
            .unwrap();
        self.moves += 1;
    }

    /// The biosample's association with the project taken away or given
    /// back: the edges of the region move, so its context is read whole.
    async fn toggle_association(&mut self) {
        let sql = if self.toggles.is_multiple_of(2) {
            "DELETE FROM resource_projects WHERE resource_id = $1 AND project_id = $2"
        } else {
            "INSERT INTO resource_projects (resource_id, project_id) VALUES ($1, $2)"
        };
        sqlx::query(sql)
            .bind(&self.biosample)
            .bind(&self.project)
            .execute(&self.db.pool)
            .await
            .unwrap();
        self.toggles += 1;
    }
}

/// What comes before each timed read of a context.
enum Before<'a> {
    Nothing,
    /// A share or an unshare confirmed.
    Change(&'a mut Toggle),
    /// A file of the project moved.
    Move(&'a mut Direct),
    /// A biosample taken out of the project or put back.
    Associate(&'a mut Direct),
    /// Nothing, but the read names a recipient's email no read named
    /// before, as a dialog adding someone does.
    NewEmail,
}

/// Reads a context `runs` times, one after another, each after `before`.
async fn time_context(
    client: &HttpClient,
    base: &str,
    s: &Session,
    path: &str,
    runs: usize,
    mut before: Before<'_>,
) -> (Vec<Duration>, usize, usize) {
    static FRESH: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut times = Vec::new();
    let mut bytes = 0;
    let mut resources = 0;
    for _ in 0..runs {
        let url = match &mut before {
            Before::Nothing => format!("{base}{path}"),
            Before::Change(toggle) => {
                toggle.change(client, base).await;
                format!("{base}{path}")
            }
            Before::Move(direct) => {
                direct.move_file().await;
                format!("{base}{path}")
            }
            Before::Associate(direct) => {
                direct.toggle_association().await;
                format!("{base}{path}")
            }
            Before::NewEmail => {
                let n = FRESH.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                format!("{base}{path}?emails=reader{n}@elsewhere.example")
            }
        };
        let start = Instant::now();
        let (status, body, _) = call(client, "GET", &url, Some(s), None).await;
        times.push(start.elapsed());
        assert_eq!(status, 200);
        bytes = body.len();
        if resources == 0 {
            let c: custody_api::AccessContext = serde_json::from_slice(&body).unwrap();
            resources = c.world.resources.len();
        }
    }
    times.sort();
    (times, bytes, resources)
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let clients = usize::from(args.clients);
    let size = Size::parse(&args.size).unwrap_or_else(|| panic!("unknown size {}", args.size));
    let scratch = format!("custody_load_{}", std::process::id());
    let url = match (&args.database_url, &args.postgres) {
        (Some(url), _) => url.clone(),
        (None, Some(admin)) => {
            postgres_admin(admin, &format!("CREATE DATABASE {scratch}")).await;
            let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
            format!("{base}/{scratch}")
        }
        (None, None) => {
            let path = std::env::temp_dir().join(format!("{scratch}.db"));
            format!("sqlite://{}", path.display())
        }
    };
    let database = if url.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    let custody = args.custody.clone().unwrap_or_else(|| {
        let exe = std::env::current_exe().unwrap();
        let folder = exe.parent().and_then(|p| p.parent()).unwrap();
        folder.join(format!("custody{}", std::env::consts::EXE_SUFFIX))
    });
    let started = Instant::now();
    prepare(&url, clients, size).await;
    println!(
        "{database}: filled in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    let client: HttpClient = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(clients)
        .build_http();
    let (server, base) = start(&custody, &url, &client).await;
    println!(
        "{database}: {clients} clients for {}s against {base} (pid {})",
        args.seconds,
        server.0.id()
    );

    let mut figures = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let tasks: Vec<_> = (0..clients)
        .map(|i| {
            tokio::spawn(client_loop(
                client.clone(),
                base.clone(),
                i,
                deadline,
                "concurrent",
            ))
        })
        .collect();
    let started = Instant::now();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    let per_second = all.len() as f64 / elapsed;
    println!(
        "confirmed actions: {} in {elapsed:.1}s = {per_second:.0}/s; latency median {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        all.len(),
        ms(percentile(&all, 0.5)),
        ms(percentile(&all, 0.99)),
        ms(all.last().copied().unwrap_or_default()),
    );
    figures.push(json!({"suite": "server", "world": database, "size": "-", "case": format!("confirmed_actions_{clients}_clients"),
        "per_second": per_second, "ms": ms(percentile(&all, 0.5)), "p99_ms": ms(percentile(&all, 0.99)), "runs": all.len()}));

    // One client alone: the latency of a confirmed action without contention.
    let single = client_loop(
        client.clone(),
        base.clone(),
        0,
        Instant::now() + Duration::from_secs(2),
        "alone",
    )
    .await;
    let mut single = single;
    single.sort();
    println!(
        "one client, confirmed actions: median {:.2} ms, p99 {:.2} ms",
        ms(percentile(&single, 0.5)),
        ms(percentile(&single, 0.99))
    );
    figures.push(json!({"suite": "server", "world": database, "size": "-", "case": "confirmed_action_one_client",
        "ms": ms(percentile(&single, 0.5)), "p99_ms": ms(percentile(&single, 0.99)), "runs": single.len()}));

    // The access context of the generated project and of the demo's large
    // one: each read first after a biosample left or rejoined it (`_read`:
    // read whole), then naming someone new (`_added`: patched from the
    // slice kept without them), then first after a change to the context
    // itself (`_changed`: the kept slice patched), then after a file of it
    // moved (`_moved`: patched), then each first after a change
    // elsewhere (the kept slice checked and served), then again and again
    // with nothing changed between (`_kept`).
    let owner = (ids::OWNER, "pw");
    let alice = ("alice", custody_server::seed::DEMO_PASSWORD);
    let reads = [
        (
            owner,
            ids::PROJECT,
            format!("context_{}_project", size.name()),
        ),
        (alice, "P-ATLAS", "context_demo_large_project".to_string()),
    ];
    let mut elsewhere = Toggle::new(&client, &base, ("owner0", "pw"), "LP0", "peer0").await;
    for ((login, password), resource, case) in reads {
        let s = sign_in(&client, &base, login, password).await;
        let path = format!("/api/resources/{resource}/context");
        let mut itself = Toggle::new(&client, &base, (login, password), resource, "peer0").await;
        let mut direct = Direct::new(&url, resource).await;
        let mut moved = Direct::new(&url, resource).await;
        for (case, runs, before) in [
            (format!("{case}_read"), 10, Before::Associate(&mut direct)),
            (format!("{case}_added"), 10, Before::NewEmail),
            (format!("{case}_changed"), 10, Before::Change(&mut itself)),
            (format!("{case}_moved"), 10, Before::Move(&mut moved)),
            (case.clone(), 10, Before::Change(&mut elsewhere)),
            (format!("{case}_kept"), 20, Before::Nothing),
        ] {
            let added = matches!(before, Before::NewEmail);
            let (times, bytes, resources) =
                time_context(&client, &base, &s, &path, runs, before).await;
            println!(
                "{case} ({resources} resources, {bytes} bytes): median {:.1} ms, p99 {:.1} ms",
                ms(percentile(&times, 0.5)),
                ms(percentile(&times, 0.99))
            );
            figures.push(json!({"suite": "server", "world": database, "size": size.name(), "case": case,
                "ms": ms(percentile(&times, 0.5)), "p99_ms": ms(percentile(&times, 0.99)), "runs": times.len(), "bytes": bytes}));
            if added {
                // The share dialog has read the context before the change.
                time_context(&client, &base, &s, &path, 1, Before::Nothing).await;
            }
        }
        // The changes to the project itself: a share and an unshare in
        // turn, each confirmed on the slice the dialog read (kept, patched).
        let mut times = std::mem::take(&mut itself.times);
        times.sort();
        let case = format!("{case}_confirmed");
        println!(
            "{case} (share or unshare): median {:.1} ms, p99 {:.1} ms",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.99))
        );
        figures.push(json!({"suite": "server", "world": database, "size": size.name(), "case": case,
            "ms": ms(percentile(&times, 0.5)), "p99_ms": ms(percentile(&times, 0.99)), "runs": times.len()}));
    }
    drop(server);
    match &args.postgres {
        Some(admin) if args.database_url.is_none() => {
            postgres_admin(
                admin,
                &format!("DROP DATABASE IF EXISTS {scratch} WITH (FORCE)"),
            )
            .await;
        }
        // A database named with `--database-url` is the caller's: kept.
        _ if args.database_url.is_some() => {}
        _ => {
            if let Some(path) = url.strip_prefix("sqlite://") {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{path}{suffix}"));
                }
            }
        }
    }
    if let Some(out) = &args.out {
        if let Some(dir) = out.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(out)
            .unwrap();
        for f in figures {
            writeln!(file, "{f}").unwrap();
        }
    }
}
