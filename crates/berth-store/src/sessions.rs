//! Storage of the web UI's state: login sessions (hashes of their tokens only, never the
//! tokens) and the panel's interface preferences (R8.2), so that several `berth serve`
//! processes on one database share them.

use async_trait::async_trait;
use berth_core::account::AccountId;
use chrono::{DateTime, Utc};

use crate::StoreResult;

/// One browser session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// SHA-256 (hex) of the session token the browser holds in its cookie.
    pub token_hash: String,
    /// The account logged in.
    pub account: AccountId,
    /// The synchronizer token every form of this session must post back.
    pub csrf: String,
    /// When it was opened.
    pub created_at: DateTime<Utc>,
    /// When it stops being accepted.
    pub expires_at: DateTime<Utc>,
}

/// One session by hash: `$1` the hash.
pub const SESSION_BY_HASH: &str = "SELECT token_hash, account_id, csrf, created_at, expires_at FROM ui_sessions \
     WHERE token_hash = $1";

/// `INSERT` of a session: `$1`..`$5` in column order.
pub const INSERT_SESSION: &str = "INSERT INTO ui_sessions \
     (token_hash, account_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";

/// Deletes one session: `$1` the hash.
pub const DELETE_SESSION: &str = "DELETE FROM ui_sessions WHERE token_hash = $1";

/// Deletes every session of an account: `$1` the account id.
pub const DELETE_SESSIONS_OF: &str = "DELETE FROM ui_sessions WHERE account_id = $1";

/// Deletes the sessions expired at `$1`.
pub const DELETE_EXPIRED_SESSIONS: &str = "DELETE FROM ui_sessions WHERE expires_at <= $1";

/// One interface preference: `$1` the key.
pub const UI_SETTING: &str = "SELECT value FROM ui_settings WHERE key = $1";

/// Sets one interface preference: `$1` the key, `$2` the value.
pub const SET_UI_SETTING: &str = "INSERT INTO ui_settings (key, value) VALUES ($1, $2) \
     ON CONFLICT (key) DO UPDATE SET value = excluded.value";

/// Web UI operations inside a transaction.
#[async_trait]
pub trait SessionTx: Send {
    /// Stores a new session (its hash is unique).
    async fn insert_session(&mut self, session: &SessionRecord) -> StoreResult<()>;

    /// The session whose token hashes to `hash`, expired or not.
    async fn session_by_hash(&mut self, hash: &str) -> StoreResult<Option<SessionRecord>>;

    /// Deletes one session; whether it existed.
    async fn delete_session(&mut self, hash: &str) -> StoreResult<bool>;

    /// Deletes every session of `account`; how many there were.
    async fn delete_sessions_of(&mut self, account: AccountId) -> StoreResult<u64>;

    /// Deletes the sessions expired at `now`; how many there were.
    async fn delete_expired_sessions(&mut self, now: DateTime<Utc>) -> StoreResult<u64>;

    /// The interface preference `key`, if set.
    async fn ui_setting(&mut self, key: &str) -> StoreResult<Option<String>>;

    /// Sets the interface preference `key`.
    async fn set_ui_setting(&mut self, key: &str, value: &str) -> StoreResult<()>;
}
