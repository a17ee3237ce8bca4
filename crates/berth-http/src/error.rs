//! The one error shape of the API, `{"error": {"code", "message", "field"}}`, and the
//! mapping of Berth's error codes and of bad requests (malformed JSON, wrong content
//! type, oversized bodies, bad query strings) to HTTP statuses. Bad input is never a 500.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use berth_core::{Error, ErrorCode};
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// One error: a stable code, a sentence, and the input field at fault.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// `invalid`, `unauthenticated`, `forbidden`, `not_found`, `conflict`,
    /// `limit_exceeded`, `rate_limited` or `failed`.
    pub code: String,
    /// A complete sentence naming the rule that was broken.
    pub message: String,
    /// The input field concerned (the CLI/API name), when there is one.
    pub field: Option<String>,
}

/// An error answer: a status and the error body.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The body.
    pub body: ErrorBody,
    /// Seconds for `Retry-After` (429).
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error with this status, code, message and field.
    pub fn new(
        status: StatusCode,
        code: &str,
        message: impl Into<String>,
        field: Option<&str>,
    ) -> Self {
        ApiError {
            status,
            body: ErrorBody {
                error: ErrorDetail {
                    code: code.to_owned(),
                    message: message.into(),
                    field: field.map(str::to_owned),
                },
            },
            retry_after: None,
        }
    }

    /// 401: the request proves nobody.
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", message, None)
    }

    /// 429 `rate_limited`: too many failed logins; retry after `wait` seconds.
    pub fn too_many_attempts(wait: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("too many failed logins: try again in {wait} seconds"),
            None,
        );
        e.retry_after = Some(wait);
        e
    }

    /// 400 `invalid` about `field`.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid", message, Some(field))
    }
}

/// The status of each of Berth's error codes.
pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::Invalid => StatusCode::BAD_REQUEST,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::LimitExceeded => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::Conflict => StatusCode::CONFLICT,
        ErrorCode::Failed => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError::new(
            status_of(e.code),
            e.code.as_str(),
            e.message,
            e.field.as_deref(),
        )
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        let status = if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::BAD_REQUEST
        };
        let message = match &r {
            JsonRejection::MissingJsonContentType(_) => {
                "the body must be JSON, sent with Content-Type: application/json".to_owned()
            }
            _ if status == StatusCode::PAYLOAD_TOO_LARGE => {
                format!("the body is larger than {} bytes", crate::BODY_LIMIT)
            }
            other => format!("the body is not valid: {}", other.body_text()),
        };
        ApiError::new(status, "invalid", message, Some("body"))
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::invalid(
            "query",
            format!("the query string is not valid: {}", r.body_text()),
        )
    }
}

impl From<PathRejection> for ApiError {
    fn from(_: PathRejection) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such resource", None)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let unauthenticated = self.status == StatusCode::UNAUTHORIZED;
        let retry_after = self.retry_after;
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(wait) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(wait));
        }
        if unauthenticated {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"berth\""),
            );
        }
        response
    }
}

/// The result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;

/// The error answers every API operation may give, for the OpenAPI document.
#[derive(utoipa::IntoResponses)]
pub enum Errors {
    /// Invalid input, malformed JSON, wrong content type (`invalid`).
    #[response(status = 400)]
    Invalid(ErrorBody),
    /// No or wrong credentials (`unauthenticated`).
    #[response(status = 401)]
    Unauthenticated(ErrorBody),
    /// Not allowed (`forbidden`).
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// No such object visible to the caller (`not_found`).
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// Already exists, in use, or wrong state (`conflict`).
    #[response(status = 409)]
    Conflict(ErrorBody),
    /// The body is larger than the limit (`invalid`).
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// A limit would be exceeded (`limit_exceeded`).
    #[response(status = 422)]
    LimitExceeded(ErrorBody),
    /// Too many failed logins from this account or address (`rate_limited`).
    #[response(status = 429)]
    RateLimited(ErrorBody),
}
