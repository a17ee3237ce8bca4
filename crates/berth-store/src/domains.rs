//! Storage of the domain registry (R7.1–R7.3): every name on the server — main domains,
//! additional domains, aliases, subdomains — in one table with one unique name column.

use async_trait::async_trait;
use berth_core::site::{DomainKind, DomainQuery, HostedDomain};
use uuid::Uuid;

use crate::StoreResult;

/// Domain registry operations inside a transaction.
///
/// A subscription's main domain enters the registry with the subscription
/// ([`SubscriptionTx::insert_subscription`](crate::SubscriptionTx::insert_subscription))
/// and leaves with it; its registry id is the subscription's id. Removing a name removes
/// the names below it (aliases, subdomains) and its DNS zone.
#[async_trait]
pub trait DomainTx: Send {
    /// Registers a name. A name already registered, whatever its kind, is
    /// [`StoreError::Duplicate`](crate::StoreError) with the field `domain`.
    async fn insert_domain(&mut self, domain: &HostedDomain) -> StoreResult<()>;

    /// The registered name with this ASCII form, if any.
    async fn domain_by_name(&mut self, ascii_name: &str) -> StoreResult<Option<HostedDomain>>;

    /// Registered names: by subscription name, the main domain first, then by name (byte
    /// order on every engine).
    async fn list_domains(&mut self, query: &DomainQuery) -> StoreResult<Vec<HostedDomain>>;

    /// Every name of these subscriptions, in the order of [`DomainTx::list_domains`] (one
    /// query: provisioning batches).
    async fn domains_of_subscriptions(&mut self, ids: &[Uuid]) -> StoreResult<Vec<HostedDomain>>;

    /// How many names of `kind` a subscription has.
    async fn count_domains(&mut self, subscription: Uuid, kind: DomainKind) -> StoreResult<u64>;

    /// Writes the changeable parts of a name: document root, alias options, update time.
    async fn update_domain(&mut self, domain: &HostedDomain) -> StoreResult<()>;

    /// Deletes a name with what hangs below it; whether it existed.
    async fn delete_domain(&mut self, id: Uuid) -> StoreResult<bool>;

    /// Holds the subscription until the transaction ends, so that two transactions
    /// counting its names against a limit cannot both pass (a row lock on PostgreSQL; the
    /// SQLite write transaction already holds the database).
    async fn lock_subscription(&mut self, id: Uuid) -> StoreResult<()>;
}
