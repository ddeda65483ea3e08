//! Sign-in, sign-out and the session behind every request.
//!
//! The session cookie holds 32 random bytes; the database holds only their
//! SHA-256, so a copy of the database opens no session. The cookie is
//! `HttpOnly` and `SameSite=Strict`, and `Secure` when the request came
//! over https. Every state-changing request must also carry the session's
//! CSRF token in the `x-csrf-token` header ([`Writer`]); sign-in, which has
//! no session yet, needs the header present (a cross-site form cannot set
//! it).
//!
//! Sign-in makes a new session every time and ends the one the request
//! came with, so an id planted before sign-in is worth nothing after it.
//! Failed sign-ins are counted in the database per login and per client
//! address (the TCP peer; forwarded-for headers are not trusted): past
//! [`Throttle`]'s limits the answer is `429 too_many_attempts` with
//! `Retry-After`, before any password is checked, whatever the password.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use custody_api::{CSRF_HEADER, Me, SESSION_COOKIE, SignIn};
use custody_policy::{PrincipalKind, normalize_email};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::accounts::{random_token, verify_password};
use crate::db::now_ms;
use crate::error::{AppError, AppResult};
use crate::extract::{Body, Query};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/session", post(sign_in).delete(sign_out))
        .route("/me", get(me))
}

/// Limits on failed sign-ins within a sliding window.
#[derive(Debug, Clone, Copy)]
pub struct Throttle {
    /// Failures of one login (email or account id, whether it exists or
    /// not) before its sign-ins are refused.
    pub per_login: usize,
    /// Failures from one client address, over every login.
    pub per_address: usize,
    /// How far back failures count.
    pub window: Duration,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle {
            per_login: 10,
            per_address: 50,
            window: Duration::from_secs(15 * 60),
        }
    }
}

/// The client's address: the TCP peer, when the server was started with
/// connection info (`custody serve` is).
#[derive(Debug, Clone, Copy)]
pub struct PeerAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for PeerAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<PeerAddr, Self::Rejection> {
        Ok(PeerAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}

/// The signed-in person of a request.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub id: String,
    pub csrf: String,
    pub expires_at: i64,
    token_hash: String,
}

/// The signed-in person of a state-changing request whose CSRF header
/// matches the session.
#[derive(Debug, Clone)]
pub struct Writer(pub Viewer);

fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The session id from the request's cookies.
fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Viewer> {
        let token = session_cookie(&parts.headers).ok_or_else(AppError::unauthenticated)?;
        let token_hash = hash_token(&token);
        let row: Option<(String, String, i64)> = sqlx::query_as(
            "SELECT principal_id, csrf_token, expires_at FROM sessions WHERE token_hash = $1",
        )
        .bind(&token_hash)
        .fetch_optional(&state.db.pool)
        .await?;
        let (id, csrf, expires_at) = row.ok_or_else(AppError::unauthenticated)?;
        if expires_at <= now_ms() {
            return Err(AppError::new(
                StatusCode::UNAUTHORIZED,
                "session_expired",
                "your session has expired; sign in again",
            ));
        }
        Ok(Viewer {
            id,
            csrf,
            expires_at,
            token_hash,
        })
    }
}

impl FromRequestParts<AppState> for Writer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Writer> {
        let viewer = Viewer::from_request_parts(parts, state).await?;
        let sent = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !constant_time_eq(sent.as_bytes(), viewer.csrf.as_bytes()) {
            return Err(csrf_error());
        }
        Ok(Writer(viewer))
    }
}

fn csrf_error() -> AppError {
    AppError::new(
        StatusCode::FORBIDDEN,
        "csrf",
        format!("a state-changing request needs the session's `{CSRF_HEADER}` header"),
    )
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The account behind a session, as `Me`.
pub async fn me_of(state: &AppState, viewer: &Viewer) -> AppResult<Me> {
    let row: Option<(String, Option<String>, Option<String>, i64)> =
        sqlx::query_as("SELECT kind, name, email, data_owner FROM principals WHERE id = $1")
            .bind(&viewer.id)
            .fetch_optional(&state.db.pool)
            .await?;
    let (kind, name, email, data_owner) = row.ok_or_else(AppError::unauthenticated)?;
    Ok(Me {
        id: viewer.id.clone(),
        kind: if kind == "service_account" {
            PrincipalKind::ServiceAccount
        } else {
            PrincipalKind::User
        },
        name,
        email,
        data_owner: data_owner == 1,
        csrf_token: viewer.csrf.clone(),
        expires_at: viewer.expires_at,
    })
}

/// `POST /api/session`: sign in; sets the session cookie.
#[utoipa::path(post, path = "/api/session", tag = "session", request_body = SignIn,
    params(("x-csrf-token" = String, Header, description = "any value")),
    responses((status = 200, body = Me), (status = 401, body = custody_api::ErrorBody),
              (status = 429, body = custody_api::ErrorBody, description = "too many failed sign-ins; see Retry-After")))]
pub async fn sign_in(
    State(state): State<AppState>,
    PeerAddr(peer): PeerAddr,
    headers: HeaderMap,
    body: Result<Body<SignIn>, AppError>,
) -> AppResult<Response> {
    // The header first, whatever the body holds.
    if headers.get(CSRF_HEADER).is_none() {
        return Err(csrf_error());
    }
    let Body(form) = body?;
    let login = form.login.trim();
    if login.len() > 320 || form.password.len() > 1024 {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            "the login or password is too long",
        ));
    }
    let mut scopes = vec![(
        format!("login:{}", normalize_email(login)),
        state.settings.throttle.per_login,
    )];
    if let Some(ip) = peer {
        scopes.push((format!("address:{ip}"), state.settings.throttle.per_address));
    }
    let now = now_ms();
    let window = i64::try_from(state.settings.throttle.window.as_millis()).unwrap_or(i64::MAX / 2);
    for (scope, limit) in &scopes {
        let recent: Vec<(i64,)> = sqlx::query_as(
            "SELECT at FROM sign_in_failures WHERE scope = $1 AND at > $2 ORDER BY at DESC LIMIT $3",
        )
        .bind(scope)
        .bind(now - window)
        .bind(i64::try_from(*limit).unwrap_or(i64::MAX))
        .fetch_all(&state.db.pool)
        .await?;
        if recent.len() >= *limit
            && let Some((oldest,)) = recent.last()
        {
            let wait_ms = (oldest + window - now).max(1);
            return Err(AppError::TooManyAttempts {
                retry_after: u64::try_from((wait_ms + 999) / 1000).unwrap_or(1),
            });
        }
    }
    let row: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT id, password_hash FROM principals
         WHERE kind <> 'group' AND (email_norm = $1 OR id = $2)",
    )
    .bind(normalize_email(login))
    .bind(login)
    .fetch_optional(&state.db.pool)
    .await?;
    let password = form.password;
    let (id, ok) = match row {
        Some((id, Some(hash))) => {
            let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
                .await
                .map_err(AppError::internal)?;
            (id, ok)
        }
        _ => (String::new(), false),
    };
    if !ok {
        sqlx::query("DELETE FROM sign_in_failures WHERE at <= $1")
            .bind(now - window)
            .execute(&state.db.pool)
            .await?;
        for (scope, _) in &scopes {
            sqlx::query("INSERT INTO sign_in_failures (scope, at) VALUES ($1, $2)")
                .bind(scope)
                .bind(now)
                .execute(&state.db.pool)
                .await?;
        }
        return Err(AppError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "the email or password is wrong",
        ));
    }
    // The login's failures are forgiven; the address's still count.
    sqlx::query("DELETE FROM sign_in_failures WHERE scope = $1")
        .bind(&scopes[0].0)
        .execute(&state.db.pool)
        .await?;
    // A new id every time; the session the request came with ends.
    if let Some(old) = session_cookie(&headers) {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(hash_token(&old))
            .execute(&state.db.pool)
            .await?;
    }
    let token = random_token(32);
    let csrf = random_token(16);
    let ttl = i64::try_from(state.settings.session_ttl.as_millis()).unwrap_or(i64::MAX / 2);
    let expires_at = now.saturating_add(ttl);
    sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
        .bind(now)
        .execute(&state.db.pool)
        .await?;
    let token_hash = hash_token(&token);
    sqlx::query(
        "INSERT INTO sessions (token_hash, principal_id, csrf_token, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&token_hash)
    .bind(&id)
    .bind(&csrf)
    .bind(now)
    .bind(expires_at)
    .execute(&state.db.pool)
    .await?;
    let secure = is_secure(&state, &headers);
    let cookie = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        ttl / 1000,
        if secure { "; Secure" } else { "" }
    );
    let viewer = Viewer {
        id,
        csrf,
        expires_at,
        token_hash,
    };
    let me = me_of(&state, &viewer).await?;
    let mut response = Json(me).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(AppError::internal)?,
    );
    Ok(response)
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SignOutQuery {
    /// `true`: end every session of the account, on every device.
    pub everywhere: Option<bool>,
}

/// `DELETE /api/session`: sign out. The session is gone from the
/// database, so it ends on every server instance at once; with
/// `?everywhere=true` every session of the account ends.
#[utoipa::path(delete, path = "/api/session", tag = "session",
    params(("x-csrf-token" = String, Header), SignOutQuery),
    responses((status = 204), (status = 401, body = custody_api::ErrorBody)))]
pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    Writer(viewer): Writer,
    Query(query): Query<SignOutQuery>,
) -> AppResult<Response> {
    if query.everywhere == Some(true) {
        sqlx::query("DELETE FROM sessions WHERE principal_id = $1")
            .bind(&viewer.id)
            .execute(&state.db.pool)
            .await?;
    } else {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(&viewer.token_hash)
            .execute(&state.db.pool)
            .await?;
    }
    let cookie = format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
        if is_secure(&state, &headers) {
            "; Secure"
        } else {
            ""
        }
    );
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(AppError::internal)?,
    );
    Ok(response)
}

/// Whether the cookie gets `Secure`: configured, or the request came
/// over https through a proxy that says so.
fn is_secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.settings.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// `GET /api/me`: who is signed in, with the CSRF token for this session.
#[utoipa::path(get, path = "/api/me", tag = "session",
    responses((status = 200, body = Me), (status = 401, body = custody_api::ErrorBody)))]
pub async fn me(State(state): State<AppState>, viewer: Viewer) -> AppResult<Json<Me>> {
    Ok(Json(me_of(&state, &viewer).await?))
}
