//! Axum's extractors with our error answers: a malformed body, query or
//! path answers `{code, message}` like every other error.

use axum::extract::FromRequest;
use axum::extract::FromRequestParts;

use crate::error::AppError;

/// A JSON body (`Content-Type: application/json`, at most `BODY_LIMIT`).
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct Body<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct Query<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct Path<T>(pub T);
