//! Axum's extractors with our error answers: a malformed body, query or
//! path answers `{code, message}` like every other error.

use axum::body::Bytes;
use axum::extract::FromRequestParts;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// A JSON body (`Content-Type: application/json`, at most `BODY_LIMIT`).
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct Body<T>(pub T);

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
        let raw = serde_json::from_slice(&bytes)
            .map_err(|e| AppError::bad_request("invalid_request", e.to_string()))?;
        Ok(RawBody(typed, raw))
    }
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

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct Query<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct Path<T>(pub T);
