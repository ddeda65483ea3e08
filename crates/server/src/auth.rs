//! Sign-in, sign-out and the session behind every request.
//!
//! The session cookie holds 32 random bytes; the database holds only their
//! SHA-256, so a copy of the database opens no session. The cookie is
//! `HttpOnly` and `SameSite=Strict`, and `Secure` when the request came
//! over https. Every state-changing request must also carry the session's
//! CSRF token in the `x-csrf-token` header ([`Writer`]); sign-in, which has
//! no session yet, needs the header present (a cross-site form cannot set
//! it).

use axum::extract::{FromRequestParts, State};
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
use crate::extract::Body;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/session", post(sign_in).delete(sign_out))
        .route("/me", get(me))
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
    responses((status = 200, body = Me), (status = 401, body = custody_api::ErrorBody)))]
pub async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    Body(form): Body<SignIn>,
) -> AppResult<Response> {
    if headers.get(CSRF_HEADER).is_none() {
        return Err(csrf_error());
    }
    let login = form.login.trim();
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
        return Err(AppError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "the email or password is wrong",
        ));
    }
    let token = random_token(32);
    let csrf = random_token(16);
    let now = now_ms();
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
    let secure = state.settings.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"));
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

/// `DELETE /api/session`: sign out; the session ends everywhere.
#[utoipa::path(delete, path = "/api/session", tag = "session",
    params(("x-csrf-token" = String, Header)),
    responses((status = 204), (status = 401, body = custody_api::ErrorBody)))]
pub async fn sign_out(
    State(state): State<AppState>,
    Writer(viewer): Writer,
) -> AppResult<Response> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(&viewer.token_hash)
        .execute(&state.db.pool)
        .await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("custody_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    Ok(response)
}

/// `GET /api/me`: who is signed in, with the CSRF token for this session.
#[utoipa::path(get, path = "/api/me", tag = "session",
    responses((status = 200, body = Me), (status = 401, body = custody_api::ErrorBody)))]
pub async fn me(State(state): State<AppState>, viewer: Viewer) -> AppResult<Json<Me>> {
    Ok(Json(me_of(&state, &viewer).await?))
}
