//! Storage of DNS (R7.4): the server's zone template and every domain's zone.

use async_trait::async_trait;
use berth_core::dns::{TemplateRecord, Zone};
use uuid::Uuid;

use crate::StoreResult;

/// DNS operations inside a transaction.
#[async_trait]
pub trait DnsTx: Send {
    /// The server's DNS template, in order. A fresh database holds the default of R7.4.
    async fn dns_template(&mut self) -> StoreResult<Vec<TemplateRecord>>;

    /// Replaces the server's DNS template.
    async fn set_dns_template(&mut self, records: &[TemplateRecord]) -> StoreResult<()>;

    /// The zone of a domain with every record (removal markers included), held until the
    /// transaction ends so that serials of concurrent changes cannot collide.
    async fn zone(&mut self, domain_id: Uuid) -> StoreResult<Option<Zone>>;

    /// The zones of these domains (domains without a zone are left out), read without
    /// locking: provisioning renders them.
    async fn zones_of(&mut self, domain_ids: &[Uuid]) -> StoreResult<Vec<Zone>>;

    /// Writes a zone: its serial, and its records replacing the stored ones.
    async fn save_zone(&mut self, zone: &Zone) -> StoreResult<()>;
}
