//! What the server's integration tests share: a fresh database per test
//! (a SQLite file, or a PostgreSQL database created and dropped), the app
//! driven through `oneshot`, sign-in helpers, and a dump of the stored
//! data to compare before and after.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

pub mod http;
pub mod spawned;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use custody_policy::{Profile, World};
use custody_server::accounts::{PasswordCost, set_password};
use custody_server::context_cache::CacheLimits;
use custody_server::db::Db;
use custody_server::{AppState, Settings, app};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server the tests create their databases on.
pub fn pg_admin_url() -> String {
    std::env::var("CUSTODY_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "custody_test_{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000,
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

/// A fresh, migrated, empty database, dropped by `TestDb::drop_db`.
pub struct TestDb {
    pub db: Db,
    pub backend: Backend,
    name: String,
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        let t0 = std::time::Instant::now();
        let name = unique_name();
        let url = match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join("custody-tests");
                std::fs::create_dir_all(&dir).unwrap();
                format!("sqlite://{}", dir.join(format!("{name}.db")).display())
            }
            Backend::Postgres => {
                sqlx::any::install_default_drivers();
                let admin = pg_admin_url();
                let mut conn = connect_admin(&admin).await;
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap().to_string();
                format!("{base}/{name}")
            }
        };
        let t1 = t0.elapsed();
        let db = Db::open(&url).await.unwrap();
        if std::env::var("CUSTODY_TIMING").is_ok() {
            eprintln!("create {t1:?} open {:?}", t0.elapsed());
        }
        TestDb { db, backend, name }
    }

    /// Closes the pool and removes the database.
    pub async fn drop_db(self) {
        let t0 = std::time::Instant::now();
        self.db.pool.close().await;
        if std::env::var("CUSTODY_TIMING").is_ok() {
            eprintln!("close {:?}", t0.elapsed());
        }
        match self.backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join("custody-tests");
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(dir.join(format!("{}.db{suffix}", self.name)));
                }
            }
            Backend::Postgres => {
                let mut conn = connect_admin(&pg_admin_url()).await;
                let t0 = std::time::Instant::now();
                sqlx::query(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                ))
                .execute(&mut conn)
                .await
                .unwrap();
                if std::env::var("CUSTODY_TIMING").is_ok() {
                    eprintln!("drop {:?}", t0.elapsed());
                }
            }
        }
    }
}

async fn connect_admin(url: &str) -> sqlx::AnyConnection {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut last = None;
    for _ in 0..20 {
        match sqlx::AnyConnection::connect(url).await {
            Ok(c) => return c,
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("PostgreSQL at {url} is not reachable: {last:?}");
}

/// The app on a test database.
pub struct TestApp {
    pub test_db: TestDb,
    pub state: AppState,
    pub router: Router,
}

/// A signed-in client: its cookie and CSRF token.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub cookie: String,
    pub csrf: String,
}

pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

impl TestApp {
    pub async fn new(backend: Backend, profile: Profile) -> TestApp {
        TestApp::with_settings(
            backend,
            Settings {
                profile,
                password_cost: PasswordCost::Low,
                // Every access context is kept, however small, so that
                // every test reads contexts through the cache and sees it
                // let go of them when the world changes.
                context_cache: CacheLimits {
                    min_bytes: 0,
                    ..CacheLimits::default()
                },
                ..Settings::default()
            },
        )
        .await
    }

    pub async fn with_settings(backend: Backend, settings: Settings) -> TestApp {
        // RUST_LOG=custody_server=debug shows the server's logs in tests.
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
        let test_db = TestDb::new(backend).await;
        let state = AppState::new(test_db.db.clone(), settings);
        let router = app(state.clone());
        TestApp {
            test_db,
            state,
            router,
        }
    }

    /// A test app holding `world`, with password `pw` for every person.
    pub async fn with_world(backend: Backend, world: &World) -> TestApp {
        let app = TestApp::new(backend, world.profile).await;
        custody_server::import::import_world(&app.state.db, world)
            .await
            .unwrap();
        for p in world.principals.iter().filter(|p| p.kind.is_person()) {
            set_password(&app.state.db, &p.id, "pw", PasswordCost::Low)
                .await
                .unwrap();
        }
        app
    }

    pub async fn finish(self) {
        self.test_db.drop_db().await;
    }

    pub async fn request(&self, request: Request<Body>) -> Answer {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).to_string()))
        };
        Answer { status, body }
    }

    pub async fn sign_in(&self, login: &str, password: &str) -> Session {
        let response = self
            .router
            .clone()
            .oneshot(
                Request::post("/api/session")
                    .header(header::CONTENT_TYPE, "application/json")
                    .header("x-csrf-token", "1")
                    .body(Body::from(
                        serde_json::json!({"login": login, "password": password}).to_string(),
                    ))
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "sign-in of {login}");
        let cookie = response
            .headers()
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let me: Value = serde_json::from_slice(&bytes).unwrap();
        Session {
            id: me["id"].as_str().unwrap().to_string(),
            cookie,
            csrf: me["csrf_token"].as_str().unwrap().to_string(),
        }
    }

    /// The version and preview digest of `action` on the context the
    /// dialog loads for `resource` (with `extra` principals added), as the
    /// web app computes them before confirming.
    pub async fn context_digest(
        &self,
        session: &Session,
        resource: &str,
        action: &custody_policy::Action,
        extra: &str,
    ) -> (String, String) {
        let answer = self
            .get(
                &format!("/api/resources/{resource}/context?principals={extra}"),
                session,
            )
            .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        let context: custody_api::AccessContext =
            serde_json::from_value(answer.body).expect("a context");
        let digest = custody_policy::Engine::new(context.world)
            .expect("a valid slice")
            .preview(action)
            .expect("an allowed action")
            .digest();
        (context.version, digest)
    }

    pub async fn get(&self, path: &str, session: &Session) -> Answer {
        self.request(
            Request::get(path)
                .header(header::COOKIE, &session.cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    pub async fn post(&self, path: &str, session: &Session, body: &Value) -> Answer {
        self.request(
            Request::post(path)
                .header(header::COOKIE, &session.cookie)
                .header("x-csrf-token", &session.csrf)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }

    /// Every stored row but sessions, as sorted text: equal dumps, equal data.
    pub async fn dump(&self) -> Vec<String> {
        dump(&self.state.db).await
    }
}

pub async fn dump(db: &Db) -> Vec<String> {
    let tables = [
        (
            "principals",
            "id, kind, COALESCE(email, ''), COALESCE(name, ''), data_owner",
        ),
        ("group_members", "group_id, member_id, '', '', 0"),
        ("group_admins", "group_id, admin_id, '', '', 0"),
        (
            "resources",
            "id, kind, owner_id, COALESCE(parent_id, ''), 0",
        ),
        ("resource_projects", "resource_id, project_id, '', '', 0"),
        ("run_biosamples", "run_id, biosample_id, '', '', 0"),
        ("grants", "resource_id, principal_id, level, permissions, 0"),
        (
            "transfers",
            "id, resource_id, status, COALESCE(decided_by, ''), created_at",
        ),
        (
            "audit_log",
            "CAST(id AS TEXT), actor_id, action, outcome, at",
        ),
        (
            "notifications",
            "CAST(id AS TEXT), principal_id, kind, text, created_at",
        ),
        (
            "idempotency_keys",
            "principal_id, key, request_hash, response, status",
        ),
        // A refusal must not move it either: a kept context would be
        // read again for nothing.
        ("world_generation", "'', '', '', '', n"),
    ];
    let mut out = Vec::new();
    for (table, columns) in tables {
        let rows: Vec<(String, String, String, String, i64)> =
            sqlx::query_as(&format!("SELECT {columns} FROM {table}"))
                .fetch_all(&db.pool)
                .await
                .unwrap();
        for r in rows {
            out.push(format!("{table}|{}|{}|{}|{}|{}", r.0, r.1, r.2, r.3, r.4));
        }
    }
    out.sort();
    out
}

/// The whole stored world (every resource as a seed of one slice).
pub async fn whole_world(db: &Db, profile: Profile) -> World {
    let resources: Vec<(String,)> = sqlx::query_as("SELECT id FROM resources")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    let principals: Vec<(String,)> = sqlx::query_as("SELECT id FROM principals")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    // Every group as a group of the scope, so that admins come too.
    let groups: Vec<(String,)> = sqlx::query_as("SELECT id FROM principals WHERE kind = 'group'")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    let transfers: Vec<(String,)> = sqlx::query_as("SELECT id FROM transfers")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    let scope = custody_server::slice::Scope {
        resources: resources.into_iter().map(|r| r.0).collect(),
        principals: principals.into_iter().map(|r| r.0).collect(),
        transfers: transfers.into_iter().map(|r| r.0).collect(),
        emails: Vec::new(),
        groups: groups.into_iter().map(|r| r.0).collect(),
        down: true,
        ..Default::default()
    };
    let mut conn = db.pool.acquire().await.unwrap();
    custody_server::slice::load(&mut conn, profile, &scope)
        .await
        .unwrap()
}

/// Runs an async test body on both databases.
#[macro_export]
macro_rules! on_both {
    ($name:ident, $body:path) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $body($crate::common::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $body($crate::common::Backend::Postgres).await;
            }
        }
    };
}
