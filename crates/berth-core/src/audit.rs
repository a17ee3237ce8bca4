//! The audit log (R10.9, R11.4): one entry per change made through an interface, with who
//! made it (account and API key), from where, the request id, the operation and its object.
//! Entries never hold secrets: request bodies are not recorded.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::account::AccountId;

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Stable id (UUIDv7, so ids sort by time).
    pub id: Uuid,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The acting account.
    pub actor: AccountId,
    /// Its login at the time.
    pub actor_login: String,
    /// The API key used, if any.
    pub api_key: Option<Uuid>,
    /// The client's address, when known.
    pub source: Option<String>,
    /// The request id (`X-Request-Id`).
    pub request_id: String,
    /// `api` or `cli`.
    pub interface: String,
    /// The operation, e.g. `POST /api/v1/customers/suspend`.
    pub action: String,
    /// The object named by the operation (path parameters), or empty.
    pub object: String,
    /// The outcome, e.g. the HTTP status.
    pub status: u16,
}

/// Longest text kept in one field of an entry (longer input is cut).
pub const MAX_FIELD: usize = 512;

/// `text` cut to [`MAX_FIELD`] characters.
pub fn clip(text: &str) -> String {
    text.chars().take(MAX_FIELD).collect()
}
