//! Storage of the audit log: request-level entries, and the per-field changes that use
//! cases write inside their own transactions.

use async_trait::async_trait;
use berth_core::account::AccountId;
use berth_core::audit::{AuditEntry, FieldChange};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::StoreResult;

/// Which entries to list: newest first, keyset-paged by id.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Only entries made by this account.
    pub actor: Option<AccountId>,
    /// Only entries older than this id (the last one of the previous page).
    pub before: Option<Uuid>,
    /// Only entries whose object, or the object of one of their changes, contains this
    /// text (case-insensitive).
    pub object: Option<String>,
    /// Only entries whose action contains this text (case-insensitive).
    pub action: Option<String>,
    /// Only entries at or after this instant.
    pub since: Option<DateTime<Utc>>,
    /// Only entries before this instant.
    pub until: Option<DateTime<Utc>>,
    /// Page size.
    pub limit: u32,
}

/// Audit log operations inside a transaction.
#[async_trait]
pub trait AuditTx: Send {
    /// Writes an entry: appends it, or, when an entry with its id exists (opened by a use
    /// case with [`AuditTx::open_audit`]), replaces its request fields and status.
    async fn insert_audit(&mut self, entry: &AuditEntry) -> StoreResult<()>;

    /// Appends an entry unless one with its id exists (the first change of a request
    /// opens it; later ones of the same request find it).
    async fn open_audit(&mut self, entry: &AuditEntry) -> StoreResult<()>;

    /// Sets the status of an existing entry; nothing when there is none.
    async fn settle_audit(&mut self, id: Uuid, status: u16) -> StoreResult<()>;

    /// Appends the changes of one operation to entry `entry`, numbered from `first_seq`,
    /// in one statement per operation (not one per field).
    async fn insert_audit_changes(
        &mut self,
        entry: Uuid,
        first_seq: u32,
        changes: &[FieldChange],
    ) -> StoreResult<()>;

    /// Entries, newest first.
    async fn list_audit(&mut self, query: &AuditQuery) -> StoreResult<Vec<AuditEntry>>;

    /// The changes of these entries, as (entry id, change), in the order they were made.
    async fn audit_changes_of(&mut self, entries: &[Uuid])
    -> StoreResult<Vec<(Uuid, FieldChange)>>;
}
