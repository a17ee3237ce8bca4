//! API key operations on this engine.

use async_trait::async_trait;
use berth_core::account::AccountId;
use berth_core::api_key::ApiKey;
use berth_store::sql::{self, ApiKeyRow, Value};
use berth_store::{ApiKeyTx, StoreResult};
use sqlx::{AssertSqlSafe, Row};
use uuid::Uuid;

use crate::engine::{EngineRow, EngineTx, bind_all, map_err, time};

fn api_key_row(row: &EngineRow) -> Result<ApiKeyRow, sqlx::Error> {
    Ok(ApiKeyRow {
        id: row.try_get(0)?,
        account_id: row.try_get(1)?,
        key_hash: row.try_get(2)?,
        ips: row.try_get(3)?,
        created_at: time(row, 4)?,
        revoked: row.try_get(5)?,
    })
}

impl EngineTx {
    async fn fetch_api_keys(
        &mut self,
        sql: String,
        values: Vec<Value>,
    ) -> StoreResult<Vec<ApiKey>> {
        bind_all(sqlx::query(AssertSqlSafe(sql)), values)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(map_err)?
            .iter()
            .map(|row| api_key_row(row).map_err(map_err)?.into_key())
            .collect()
    }
}

#[async_trait]
impl ApiKeyTx for EngineTx {
    async fn insert_api_key(&mut self, key: &ApiKey) -> StoreResult<()> {
        let (sql, values) = sql::insert_api_key(key);
        self.execute(sql, values).await.map(drop)
    }

    async fn api_key_by_hash(&mut self, hash: &str) -> StoreResult<Option<ApiKey>> {
        let found = self
            .fetch_api_keys(sql::api_key_by_hash(), vec![Value::Text(hash.to_owned())])
            .await?;
        Ok(found.into_iter().next())
    }

    async fn api_key_by_id(&mut self, id: Uuid) -> StoreResult<Option<ApiKey>> {
        let found = self
            .fetch_api_keys(sql::api_key_by_id(), vec![Value::Id(id)])
            .await?;
        Ok(found.into_iter().next())
    }

    async fn api_keys_of(&mut self, account: AccountId) -> StoreResult<Vec<ApiKey>> {
        self.fetch_api_keys(sql::api_keys_of(), vec![Value::Id(account.0)])
            .await
    }

    async fn revoke_api_key(&mut self, id: Uuid) -> StoreResult<bool> {
        let values = vec![Value::Id(id), Value::Bool(true), Value::Bool(false)];
        let done = self.execute(sql::REVOKE_API_KEY.into(), values).await?;
        Ok(done > 0)
    }
}
