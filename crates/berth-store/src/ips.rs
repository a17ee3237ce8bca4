//! Storage of registered IP addresses (R7.5).

use async_trait::async_trait;
use berth_core::ip::{IpAddress, IpId, IpRecord};

use crate::StoreResult;

/// IP address operations inside a transaction.
#[async_trait]
pub trait IpTx: Send {
    /// Registers a new address. An address already registered (in any spelling: addresses
    /// are stored in canonical form) is [`StoreError::Duplicate`](crate::StoreError) with
    /// the field `ip`.
    async fn insert_ip(&mut self, ip: &IpRecord) -> StoreResult<()>;

    /// The registered address equal to `address`, if any.
    async fn ip_by_address(&mut self, address: &IpAddress) -> StoreResult<Option<IpRecord>>;

    /// Every registered address: IPv4 before IPv6, then by address bytes — the same order
    /// on every engine.
    async fn list_ips(&mut self) -> StoreResult<Vec<IpRecord>>;

    /// Writes the type and interface of an existing address (its id and address never
    /// change).
    async fn update_ip(&mut self, ip: &IpRecord) -> StoreResult<()>;

    /// Deletes a registered address; whether it existed.
    async fn delete_ip(&mut self, id: IpId) -> StoreResult<bool>;
}
