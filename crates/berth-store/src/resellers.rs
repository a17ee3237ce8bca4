//! Storage of reseller profiles (limits, permissions, plan) and IP pools (SPEC §4).

use async_trait::async_trait;
use berth_core::account::AccountId;
use berth_core::ip::IpRecord;
use berth_core::reseller::{ResellerProfile, ResellerUsage};
use uuid::Uuid;

use crate::StoreResult;

/// Reseller operations inside a transaction.
#[async_trait]
pub trait ResellerTx: Send {
    /// The profile of reseller `id`, if one was written.
    async fn reseller_profile(&mut self, id: AccountId) -> StoreResult<Option<ResellerProfile>>;
    /// Profiles of several resellers (one query).
    async fn reseller_profiles(
        &mut self,
        ids: &[AccountId],
    ) -> StoreResult<Vec<(AccountId, ResellerProfile)>>;
    /// Writes (inserts or replaces) a reseller's profile.
    async fn set_reseller_profile(
        &mut self,
        id: AccountId,
        profile: &ResellerProfile,
    ) -> StoreResult<()>;
    /// Deletes a reseller's profile (conversion to customer).
    async fn delete_reseller_profile(&mut self, id: AccountId) -> StoreResult<()>;
    /// Resellers on reseller plan `plan_id`.
    async fn resellers_on_plan(&mut self, plan_id: Uuid) -> StoreResult<Vec<AccountId>>;
    /// What a provider (reseller, or the admin) uses and has allocated (R4.2).
    async fn provider_usage(&mut self, provider: AccountId) -> StoreResult<ResellerUsage>;
    /// The addresses of a reseller's IP pool (R4.5), in address order.
    async fn pool_ips(&mut self, reseller: AccountId) -> StoreResult<Vec<IpRecord>>;
    /// Adds an address to a reseller's pool; false when it was already there.
    async fn add_pool_ip(&mut self, reseller: AccountId, ip: Uuid) -> StoreResult<bool>;
    /// Removes an address from a reseller's pool; false when it was not there.
    async fn remove_pool_ip(&mut self, reseller: AccountId, ip: Uuid) -> StoreResult<bool>;
    /// Resellers whose pool holds an address.
    async fn pool_holders(&mut self, ip: Uuid) -> StoreResult<Vec<AccountId>>;
    /// Serializes admission decisions about one provider until the transaction ends, so
    /// that two concurrent creations cannot both take the last unit of a limit (a row lock
    /// on PostgreSQL; SQLite write transactions are exclusive already).
    async fn lock_provider(&mut self, id: AccountId) -> StoreResult<()>;
}
