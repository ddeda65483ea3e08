//! # custody-server
//!
//! Custody's server: stores the data (SQLite by default, PostgreSQL for
//! deployments with several instances), answers the web app's HTTP API,
//! and enforces every confirmed change with custody-policy, the crate the
//! browser previews with, so that what a person previews is what happens.
//!
//! ## Design
//!
//! - `db`: one `sqlx::Any` pool and portable SQL for both databases; write
//!   transactions that take the write lock up front (SQLite) or run
//!   behind one advisory lock (PostgreSQL), retried on failure.
//! - `slice`: the part of the world a preview needs, read with one SQL
//!   query that grows with the slice, not with the database. Everything
//!   the server decides about access goes through this slice and
//!   custody-policy: no access rule is written here.
//! - `actions`: `POST /api/actions`: reload the slice, preview again,
//!   compare digests (409 when the preview changed), apply, audit,
//!   notify, commit, in one transaction; idempotent by key.
//! - `commit_queue`: confirmations applied by one task, a batch per
//!   transaction, so that the write lock is held for as few statements
//!   as possible.
//! - `store`: the rows an applied action writes, found by comparing the
//!   slice before and after (`Engine::applied`).
//! - `auth`: argon2 passwords, sessions (cookie id stored hashed, expiry),
//!   the CSRF header on every state change.
//! - `groups`: the groups a person administers or belongs to, and the
//!   group context that membership changes preview on (the slice seeded
//!   with a group).
//! - `resources`, `principals`, `transfers`, `notifications`: reading,
//!   and the live push of notifications (server-sent events; PostgreSQL's
//!   LISTEN/NOTIFY reaches every instance).
//! - `import`, `seed`, `accounts`: loading worlds, the demo organisation,
//!   the admin subcommands.
//! - `web`: the built web app (`dist/`), compressed, cached, with the SPA
//!   fallback; `openapi`: `/api/openapi.json`; `headers`: the
//!   Content-Security-Policy and the other security headers on every answer.

pub mod accounts;
pub mod actions;
pub mod auth;
pub mod cli;
pub mod commit_queue;
pub mod context_cache;
pub mod db;
pub mod error;
pub mod extract;
pub mod groups;
pub mod headers;
pub mod import;
pub mod notifications;
pub mod openapi;
pub mod principals;
pub mod resources;
pub mod seed;
pub mod slice;
pub mod store;
pub mod transfers;
pub mod web;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use custody_policy::Profile;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

pub use db::Db;
pub use error::{AppError, AppResult};

/// The largest request body accepted (a batch of a few thousand edits).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// Deployment settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `basespace` or `direct`: which flows the deployment offers.
    pub profile: Profile,
    /// How long a session lasts.
    pub session_ttl: Duration,
    /// Set `Secure` on the session cookie even when the request does not
    /// say it came over https (`X-Forwarded-Proto`).
    pub secure_cookies: bool,
    /// The Trunk-built web app to serve, if any.
    pub dist: Option<PathBuf>,
    /// argon2 cost for new password hashes.
    pub password_cost: accounts::PasswordCost,
    /// How many failed sign-ins are allowed before `429`.
    pub throttle: auth::Throttle,
    /// Which access contexts are kept between reads.
    pub context_cache: context_cache::CacheLimits,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            profile: Profile::Basespace,
            session_ttl: Duration::from_secs(12 * 3600),
            secure_cookies: false,
            dist: None,
            password_cost: accounts::PasswordCost::Default,
            throttle: auth::Throttle::default(),
            context_cache: context_cache::CacheLimits::default(),
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub db: Db,
    pub settings: Settings,
    pub bus: notifications::Bus,
    /// Kept access contexts, shared with the commit queue's writer.
    pub contexts: Arc<context_cache::ContextCache>,
    /// Where confirmed actions wait to be applied, a batch at a time.
    pub commits: commit_queue::CommitQueue,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(db: Db, settings: Settings) -> AppState {
        let bus = notifications::Bus::new();
        let contexts = Arc::new(context_cache::ContextCache::new(settings.context_cache));
        AppState(Arc::new(Inner {
            commits: commit_queue::CommitQueue::new(
                db.clone(),
                settings.profile,
                bus.clone(),
                contexts.clone(),
            ),
            db,
            bus,
            contexts,
            settings,
        }))
    }
}

/// How hard API answers are compressed (the web app's files come
/// compressed by Trunk). The libraries' defaults are for files compressed
/// once: on the L project's access context (5.5 MB of JSON) gzip took 82
/// ms for 372 KB and brotli 70 ms for 219 KB, a kept context's read
/// twelve times over. At level 2, gzip takes 19 to 30 ms for 393 KB and
/// brotli 20 to 30 ms for 208 KB (curl against `custody serve`, three
/// reads each; at level 1, 515 and 282 KB).
const COMPRESSION: tower_http::CompressionLevel = tower_http::CompressionLevel::Precise(2);

/// The whole application: the API under `/api`, the web app elsewhere.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/config", get(config))
        .route("/openapi.json", get(openapi::document))
        .merge(auth::router())
        .merge(resources::router())
        .merge(principals::router())
        .merge(groups::router())
        .merge(actions::router())
        .merge(transfers::router())
        .merge(notifications::router())
        .fallback(|| async {
            AppError::new(
                axum::http::StatusCode::NOT_FOUND,
                "not_found",
                "there is no such endpoint",
            )
        });
    let mut router = Router::new().nest("/api", api);
    if let Some(dist) = &state.settings.dist {
        router = router.merge(web::router(dist));
    }
    for layer in headers::layers(&headers::policy_for(state.settings.dist.as_deref())) {
        router = router.layer(layer);
    }
    router
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CompressionLayer::new().quality(COMPRESSION))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// `GET /api/config`: which flows the app shows.
#[utoipa::path(get, path = "/api/config", tag = "config",
    responses((status = 200, body = custody_api::Config)))]
pub async fn config(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::Json<custody_api::Config> {
    axum::Json(custody_api::Config {
        profile: state.settings.profile,
        version: env!("CARGO_PKG_VERSION").to_string(),
    })
}
