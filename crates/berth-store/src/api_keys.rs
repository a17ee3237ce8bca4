//! Storage of API keys: hashes only, never the keys.

use async_trait::async_trait;
use berth_core::account::AccountId;
use berth_core::api_key::ApiKey;
use uuid::Uuid;

use crate::StoreResult;

/// API key operations inside a transaction.
#[async_trait]
pub trait ApiKeyTx: Send {
    /// Stores a new key (its hash is unique).
    async fn insert_api_key(&mut self, key: &ApiKey) -> StoreResult<()>;

    /// The key whose hash is `hash`, revoked or not.
    async fn api_key_by_hash(&mut self, hash: &str) -> StoreResult<Option<ApiKey>>;

    /// The key with this id.
    async fn api_key_by_id(&mut self, id: Uuid) -> StoreResult<Option<ApiKey>>;

    /// Every key of `account`, oldest first.
    async fn api_keys_of(&mut self, account: AccountId) -> StoreResult<Vec<ApiKey>>;

    /// Marks a key revoked; whether it existed and was not revoked yet.
    async fn revoke_api_key(&mut self, id: Uuid) -> StoreResult<bool>;
}
