//! Storage of password recovery (R1.4): reset links, of which only the SHA-256 of the
//! token is kept, with their expiry and the moment they were used (once).

use async_trait::async_trait;
use berth_core::account::AccountId;
use chrono::{DateTime, Utc};

use crate::StoreResult;

/// One password reset link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetRecord {
    /// SHA-256 (hex) of the token the link carries.
    pub token_hash: String,
    /// The account whose password it resets.
    pub account: AccountId,
    /// When it was requested.
    pub created_at: DateTime<Utc>,
    /// When it stops being accepted.
    pub expires_at: DateTime<Utc>,
    /// When it set a new password; `None` while unused.
    pub used_at: Option<DateTime<Utc>>,
}

/// One link by hash: `$1` the hash.
pub const RESET_BY_HASH: &str = "SELECT token_hash, account_id, created_at, expires_at, used_at \
     FROM password_resets WHERE token_hash = $1";

/// `INSERT` of an unused link: `$1`..`$4` the hash, account, creation and expiry.
pub const INSERT_RESET: &str = "INSERT INTO password_resets \
     (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)";

/// Marks a link used at `$2` if it was not yet: `$1` the hash.
pub const MARK_RESET_USED: &str =
    "UPDATE password_resets SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL";

/// Deletes the unused links of an account: `$1` the account id.
pub const DELETE_UNUSED_RESETS_OF: &str =
    "DELETE FROM password_resets WHERE account_id = $1 AND used_at IS NULL";

/// Deletes the links expired at `$1`.
pub const DELETE_EXPIRED_RESETS: &str = "DELETE FROM password_resets WHERE expires_at <= $1";

/// Password recovery operations inside a transaction.
#[async_trait]
pub trait RecoveryTx: Send {
    /// Stores a new, unused link (its hash is unique).
    async fn insert_reset(&mut self, reset: &ResetRecord) -> StoreResult<()>;

    /// The link whose token hashes to `hash`, expired or used or not.
    async fn reset_by_hash(&mut self, hash: &str) -> StoreResult<Option<ResetRecord>>;

    /// Marks the link used at `at`; `false` when it was already used (or is unknown), so
    /// two concurrent uses cannot both succeed.
    async fn mark_reset_used(&mut self, hash: &str, at: DateTime<Utc>) -> StoreResult<bool>;

    /// Deletes the unused links of `account`; how many there were.
    async fn delete_unused_resets_of(&mut self, account: AccountId) -> StoreResult<u64>;

    /// Deletes the links expired at `now`, used or not; how many there were.
    async fn delete_expired_resets(&mut self, now: DateTime<Utc>) -> StoreResult<u64>;
}
