//! One error type for every handler. Each becomes `{code, message}` with a
//! fitting status; internal errors are logged with their details and
//! answered 500 with none.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use custody_api::{ErrorBody, StaleGroupPreview, StalePreview};
use custody_policy::{ErrorCode, PolicyError};

#[derive(Debug)]
pub enum AppError {
    /// An error of the HTTP layer: a status, a stable code and a sentence.
    Api {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
    /// The policy refused the action.
    Policy(PolicyError),
    /// Too many failed sign-ins: try again after this many seconds.
    TooManyAttempts { retry_after: u64 },
    /// The preview changed since the person saw it.
    Stale(Box<StalePreview>),
    /// The preview of a membership change changed since the person saw it.
    StaleGroup(Box<StaleGroupPreview>),
    /// A database error: logged, never shown; kept whole so that a
    /// transaction can tell a serialization failure and retry.
    Db(sqlx::Error),
    /// A bug or an outage: logged, never shown.
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> AppError {
        AppError::Api {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unauthenticated() -> AppError {
        AppError::new(StatusCode::UNAUTHORIZED, "unauthenticated", "sign in first")
    }

    /// The answer for a resource that does not exist and for one the
    /// viewer may not see: the same, so ids cannot be probed.
    pub fn not_found(what: &str, id: &str) -> AppError {
        AppError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("there is no {what} `{id}`"),
        )
    }

    pub fn internal(e: impl std::fmt::Display) -> AppError {
        AppError::Internal(e.to_string())
    }

    /// The HTTP status of a policy refusal: 403 for who may act, 422 for
    /// the rest (the request was understood, the world does not allow it).
    pub fn policy_status(code: ErrorCode) -> StatusCode {
        match code {
            ErrorCode::NotPermitted | ErrorCode::NotRecipient | ErrorCode::Escalation => {
                StatusCode::FORBIDDEN
            }
            ErrorCode::InvalidAction => StatusCode::BAD_REQUEST,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    /// The status and JSON body of this error.
    pub fn parts(&self) -> (StatusCode, serde_json::Value) {
        let body = |code: &str, message: &str| {
            serde_json::to_value(ErrorBody {
                code: code.to_string(),
                message: message.to_string(),
            })
            .unwrap_or_default()
        };
        match self {
            AppError::Api {
                status,
                code,
                message,
            } => (*status, body(code, message)),
            AppError::Policy(e) if e.code == ErrorCode::InvalidWorld => (
                StatusCode::INTERNAL_SERVER_ERROR,
                body("internal", "something went wrong on our side"),
            ),
            AppError::Policy(e) => (
                AppError::policy_status(e.code),
                body(e.code.as_str(), &e.message),
            ),
            AppError::TooManyAttempts { retry_after } => (
                StatusCode::TOO_MANY_REQUESTS,
                body(
                    "too_many_attempts",
                    &format!("too many failed sign-ins; try again in {retry_after} s"),
                ),
            ),
            AppError::Stale(stale) => (
                StatusCode::CONFLICT,
                serde_json::to_value(stale).unwrap_or_default(),
            ),
            AppError::StaleGroup(stale) => (
                StatusCode::CONFLICT,
                serde_json::to_value(stale).unwrap_or_default(),
            ),
            AppError::Internal(_) | AppError::Db(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                body("internal", "something went wrong on our side"),
            ),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            AppError::Internal(details) => tracing::error!(%details, "internal error"),
            AppError::Db(e) => tracing::error!(error = %e, "database error"),
            AppError::Policy(e) if e.code == ErrorCode::InvalidWorld => {
                tracing::error!(error = %e, "stored data is not a valid world")
            }
            _ => {}
        }
        let (status, body) = self.parts();
        let mut response = (status, Json(body)).into_response();
        if let AppError::TooManyAttempts { retry_after } = self {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(retry_after),
            );
        }
        response
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Db(e)
    }
}

impl From<PolicyError> for AppError {
    fn from(e: PolicyError) -> Self {
        AppError::Policy(e)
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        let status = rejection.status();
        let code = match status {
            StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
            _ => "invalid_request",
        };
        AppError::new(
            if status.is_client_error() {
                status
            } else {
                StatusCode::BAD_REQUEST
            },
            code,
            rejection.body_text(),
        )
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        AppError::bad_request("invalid_request", rejection.body_text())
    }
}

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> Self {
        AppError::bad_request("invalid_request", rejection.body_text())
    }
}
