//! Storage of the audit log.

use async_trait::async_trait;
use berth_core::account::AccountId;
use berth_core::audit::AuditEntry;
use uuid::Uuid;

use crate::StoreResult;

/// Which entries to list: newest first, keyset-paged by id.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Only entries made by this account.
    pub actor: Option<AccountId>,
    /// Only entries older than this id (the last one of the previous page).
    pub before: Option<Uuid>,
    /// Page size.
    pub limit: u32,
}

/// Audit log operations inside a transaction.
#[async_trait]
pub trait AuditTx: Send {
    /// Appends an entry.
    async fn insert_audit(&mut self, entry: &AuditEntry) -> StoreResult<()>;

    /// Entries, newest first.
    async fn list_audit(&mut self, query: &AuditQuery) -> StoreResult<Vec<AuditEntry>>;
}
