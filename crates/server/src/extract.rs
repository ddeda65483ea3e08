//! Axum's extractors with our error answers: a malformed body, query or
//! path answers `{code, message}` like every other error. Text holding a
//! NUL character is refused here, at the edge: PostgreSQL cannot store it
//! (and no id, email or name needs it).

use axum::body::Bytes;
use axum::extract::FromRequestParts;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// A JSON body (`Content-Type: application/json`, at most `BODY_LIMIT`).
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        let RawBody(typed, _) = RawBody::from_request(request, state).await?;
        Ok(Body(typed))
    }
}

/// A JSON body read like [`Body`], with the JSON as sent too (to find
/// fields that the typed body ignores).
pub struct RawBody<T>(pub T, pub serde_json::Value);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for RawBody<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        if !is_json(request.headers()) {
            return Err(AppError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "expected a request with `Content-Type: application/json`",
            ));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(bytes_error)?;
        let axum::Json(typed) = axum::Json::<T>::from_bytes(&bytes)?;
        let raw: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| AppError::bad_request("invalid_request", e.to_string()))?;
        if holds_nul(&raw) {
            return Err(nul_error());
        }
        Ok(RawBody(typed, raw))
    }
}

/// True when a string or key of `v` holds a NUL character.
fn holds_nul(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(a) => a.iter().any(holds_nul),
        serde_json::Value::Object(m) => m.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

fn nul_error() -> AppError {
    AppError::bad_request("invalid_request", "text may not hold a NUL character")
}

/// True when the request's path or query holds an encoded NUL.
fn uri_holds_nul(parts: &Parts) -> bool {
    let uri = parts.uri.to_string();
    uri.contains("%00") || uri.contains('\0')
}

/// `application/json`, or `application/*+json`, as axum's `Json` accepts.
fn is_json(headers: &axum::http::HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mime = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

fn bytes_error(rejection: BytesRejection) -> AppError {
    let status = rejection.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::new(status, "payload_too_large", rejection.body_text())
    } else {
        AppError::bad_request("invalid_request", rejection.body_text())
    }
}

/// A query string (`?a=b&c=d`).
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        if uri_holds_nul(parts) {
            return Err(nul_error());
        }
        let axum::extract::Query(value) =
            axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(Query(value))
    }
}

/// Path parameters (`/resources/{id}`).
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        if uri_holds_nul(parts) {
            return Err(nul_error());
        }
        let axum::extract::Path(value) =
            axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        Ok(Path(value))
    }
}
