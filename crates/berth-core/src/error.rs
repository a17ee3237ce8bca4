//! The one error model of Berth. Every interface maps it: the CLI to exit codes and its
//! `--json` error object, the HTTP API to statuses.

use std::fmt;

/// What kind of failure happened; the stable `error.code` of the CLI and API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The input breaks a rule; `field` names the input.
    Invalid,
    /// The object does not exist, or belongs to someone the actor may not see.
    NotFound,
    /// The actor may not perform this operation at all.
    Forbidden,
    /// A limit would be exceeded.
    LimitExceeded,
    /// Already exists, still in use, or in the wrong state.
    Conflict,
    /// Something outside the caller's control failed (storage, system).
    Failed,
}

impl ErrorCode {
    /// The wire name (`invalid`, `not_found`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Invalid => "invalid",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::LimitExceeded => "limit_exceeded",
            ErrorCode::Conflict => "conflict",
            ErrorCode::Failed => "failed",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed operation: a code, a sentence for people, and the input field at fault.
///
/// Messages never contain secrets (passwords, keys, hashes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("{message}")]
pub struct Error {
    /// The category, stable for scripts.
    pub code: ErrorCode,
    /// A complete sentence naming the rule that was broken.
    pub message: String,
    /// The input field concerned, with the CLI/API name (`email`, `login`, ...).
    pub field: Option<String>,
}

impl Error {
    fn new(code: ErrorCode, field: Option<&str>, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            field: field.map(str::to_owned),
        }
    }

    /// Bad input in `field`.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Invalid, Some(field), message)
    }

    /// No such object visible to the actor; `field` is the input that named it.
    pub fn not_found(field: &str, message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, Some(field), message)
    }

    /// The actor may not do this.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, None, message)
    }

    /// A limit would be exceeded.
    pub fn limit_exceeded(field: &str, message: impl Into<String>) -> Self {
        Self::new(ErrorCode::LimitExceeded, Some(field), message)
    }

    /// Already exists, in use, or wrong state; `field` when an input caused it.
    pub fn conflict(field: Option<&str>, message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, field, message)
    }

    /// A failure the caller cannot fix by changing the input.
    pub fn failed(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Failed, None, message)
    }

    /// The same error with its field renamed (e.g. `login` → `new_login`).
    pub fn with_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }
}

/// Result with Berth's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
