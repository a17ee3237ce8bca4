//! API key SQL: writes, lookups, row decoding. The allowed source addresses are one text
//! column of canonical addresses separated by spaces (`''` for any address).

use berth_core::account::AccountId;
use berth_core::api_key::ApiKey;
use berth_core::ip::IpAddress;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::Value;
use crate::{StoreError, StoreResult};

/// The columns every API key read selects, in this order.
pub const API_KEY_COLUMNS: &str = "id, account_id, key_hash, ips, created_at, revoked";

/// One key by hash: `$1` the hash.
pub fn api_key_by_hash() -> String {
    format!("SELECT {API_KEY_COLUMNS} FROM api_keys WHERE key_hash = $1")
}

/// One key by id: `$1` the id.
pub fn api_key_by_id() -> String {
    format!("SELECT {API_KEY_COLUMNS} FROM api_keys WHERE id = $1")
}

/// The keys of one account, oldest first: `$1` the account id.
pub fn api_keys_of() -> String {
    format!("SELECT {API_KEY_COLUMNS} FROM api_keys WHERE account_id = $1 ORDER BY id")
}

/// Revokes one key that is not revoked yet: `$1` the id, `$2` true, `$3` false.
pub const REVOKE_API_KEY: &str = "UPDATE api_keys SET revoked = $2 WHERE id = $1 AND revoked = $3";

/// `INSERT` of a new key, and its values.
pub fn insert_api_key(key: &ApiKey) -> (String, Vec<Value>) {
    let sql = "INSERT INTO api_keys (id, account_id, key_hash, ips, created_at, revoked) \
               VALUES ($1, $2, $3, $4, $5, $6)"
        .to_owned();
    let ips: Vec<String> = key.ips.iter().map(ToString::to_string).collect();
    let values = vec![
        Value::Id(key.id),
        Value::Id(key.account.0),
        Value::Text(key.hash.clone()),
        Value::Text(ips.join(" ")),
        Value::Time(key.created_at),
        Value::Bool(key.revoked),
    ];
    (sql, values)
}

/// An API key row as decoded from [`API_KEY_COLUMNS`], in plain types.
#[derive(Debug, Clone)]
pub struct ApiKeyRow {
    /// `id`
    pub id: Uuid,
    /// `account_id`
    pub account_id: Uuid,
    /// `key_hash`
    pub key_hash: String,
    /// `ips`
    pub ips: String,
    /// `created_at`
    pub created_at: DateTime<Utc>,
    /// `revoked`
    pub revoked: bool,
}

impl ApiKeyRow {
    /// Rebuilds the key; an address that no longer parses is a storage failure.
    pub fn into_key(self) -> StoreResult<ApiKey> {
        let ips = self
            .ips
            .split_whitespace()
            .map(|ip| {
                IpAddress::parse("ip", ip).map_err(|_| {
                    StoreError::Backend(format!("stored API key address {ip:?} is not valid"))
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(ApiKey {
            id: self.id,
            account: AccountId(self.account_id),
            hash: self.key_hash,
            ips,
            created_at: self.created_at,
            revoked: self.revoked,
        })
    }
}
