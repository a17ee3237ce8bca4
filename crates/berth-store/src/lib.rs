//! Berth's storage traits. A [`Store`] hands out transactions ([`Tx`]); every business
//! operation runs in exactly one of them, so it is all-or-nothing. Stores persist and
//! read; they never decide — rules and rights live in `berth-core` and `berth-app`.
//!
//! The SQL text that both engines share (list filters, sort keys, keyset pagination) is
//! built once in [`sql`]; each store crate binds the parameters and decodes rows in its
//! own types. The [`conformance`] suite (feature `conformance`) runs against every store.

use async_trait::async_trait;

mod accounts;
pub use accounts::AccountTx;
pub mod api_keys;
pub use api_keys::ApiKeyTx;
pub mod audit;
pub use audit::AuditTx;
pub mod dns;
pub use dns::DnsTx;
pub mod domains;
pub use domains::DomainTx;
pub mod hosting;
pub use hosting::{PlanTx, SubscriptionTx};
pub mod legacy_ids;
pub use legacy_ids::LegacyIdTx;
mod ips;
pub use ips::IpTx;
pub mod provision;
pub use provision::ProvisionTx;
pub mod resellers;
pub use resellers::ResellerTx;
pub mod status;
pub use status::StatusTx;
pub mod notifications;
pub use notifications::NotificationTx;
pub mod tasks;
pub use tasks::TaskTx;
pub mod usage;
pub use usage::UsageTx;
pub mod sessions;
pub use sessions::SessionTx;
pub mod recovery;
pub use recovery::RecoveryTx;

#[cfg(feature = "conformance")]
pub mod conformance;
pub mod sql;

/// A storage failure, as the service layer sees it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique value is already taken; `field` is the input name (`login`, `external_id`).
    #[error("{field} is already taken")]
    Duplicate {
        /// The field whose value is taken.
        field: &'static str,
    },
    /// The database failed (connection, I/O, constraint outside the model). The text is
    /// for logs; it never holds secrets because the store never binds any in clear.
    #[error("storage failure: {0}")]
    Backend(String),
}

/// Result of storage calls.
pub type StoreResult<T> = Result<T, StoreError>;

impl From<StoreError> for berth_core::Error {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Duplicate { field } => {
                berth_core::Error::conflict(Some(field), format!("this {field} is already taken"))
            }
            StoreError::Backend(detail) => {
                tracing::error!(%detail, "storage failure");
                berth_core::Error::failed(format!("the database failed: {detail}"))
            }
        }
    }
}

/// A database holding Berth's state.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Opens a read-only transaction (a consistent snapshot).
    async fn read(&self) -> StoreResult<Box<dyn Tx>>;

    /// Opens a write transaction. On SQLite this takes the write lock at once
    /// (`BEGIN IMMEDIATE`) so a read-then-write cannot fail half-way with SQLITE_BUSY.
    async fn write(&self) -> StoreResult<Box<dyn Tx>>;

    /// The engine's name, for diagnostics (`sqlite`, `postgres`).
    fn engine(&self) -> &'static str;

    /// Reclaims, outside any transaction, what a bulk run of the provisioning queue left
    /// behind (R9.3). Each job passes pending → running → done: on PostgreSQL every step
    /// leaves a dead row version with its index entries, and until autovacuum comes by
    /// (up to a minute later) each claim walks past the dead entries of the last run's
    /// thousands of jobs — with statistics taken before the run, through a bitmap scan
    /// that never marks them dead. PostgreSQL runs `VACUUM (ANALYZE, SKIP_LOCKED)` on the
    /// queue (it does not block the queue's writers; a vacuum already running elsewhere
    /// is not waited for); SQLite keeps no dead versions and does nothing.
    async fn tidy_provision_queue(&self) -> StoreResult<()>;
}

/// One transaction: every capability's operations. Dropping it without [`Tx::commit`] rolls
/// everything back, which is how dry runs write nothing.
#[async_trait]
pub trait Tx:
    AccountTx
    + ApiKeyTx
    + AuditTx
    + IpTx
    + PlanTx
    + SubscriptionTx
    + StatusTx
    + ResellerTx
    + DomainTx
    + DnsTx
    + ProvisionTx
    + TaskTx
    + UsageTx
    + NotificationTx
    + LegacyIdTx
    + SessionTx
    + RecoveryTx
    + Send
{
    /// Whether the schema holds the built-in admin (i.e. `berth init` ran).
    async fn is_initialized(&mut self) -> StoreResult<bool>;

    /// Makes every change of this transaction durable.
    async fn commit(self: Box<Self>) -> StoreResult<()>;
}
