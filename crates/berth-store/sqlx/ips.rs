//! IP address operations on this engine.

use async_trait::async_trait;
use berth_core::ip::{IpAddress, IpId, IpRecord};
use berth_store::sql::{self, IpRow, Value};
use berth_store::{IpTx, StoreResult};
use sqlx::{AssertSqlSafe, Row};

use crate::engine::{DIALECT, EngineRow, EngineTx, bind_all, map_err, time};

fn ip_row(row: &EngineRow) -> Result<IpRow, sqlx::Error> {
    Ok(IpRow {
        id: row.try_get(0)?,
        address: row.try_get(1)?,
        kind: row.try_get(2)?,
        interface: row.try_get(3)?,
        created_at: time(row, 4)?,
    })
}

impl EngineTx {
    pub(crate) async fn fetch_ips(
        &mut self,
        sql: String,
        values: Vec<Value>,
    ) -> StoreResult<Vec<IpRecord>> {
        bind_all(sqlx::query(AssertSqlSafe(sql)), values)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(map_err)?
            .iter()
            .map(|row| ip_row(row).map_err(map_err)?.into_record())
            .collect()
    }
}

#[async_trait]
impl IpTx for EngineTx {
    async fn insert_ip(&mut self, ip: &IpRecord) -> StoreResult<()> {
        let (sql, values) = sql::insert_ip(ip);
        self.execute(sql, values).await.map(drop)
    }

    async fn ip_by_address(&mut self, address: &IpAddress) -> StoreResult<Option<IpRecord>> {
        let found = self
            .fetch_ips(sql::ip_by_address(), vec![Value::Text(address.to_string())])
            .await?;
        Ok(found.into_iter().next())
    }

    async fn list_ips(&mut self) -> StoreResult<Vec<IpRecord>> {
        self.fetch_ips(sql::ip_list(DIALECT), vec![]).await
    }

    async fn update_ip(&mut self, ip: &IpRecord) -> StoreResult<()> {
        let (sql, values) = sql::update_ip(ip);
        self.execute(sql, values).await.map(drop)
    }

    async fn delete_ip(&mut self, id: IpId) -> StoreResult<bool> {
        let gone = self
            .execute(sql::DELETE_IP.into(), vec![Value::Id(id.0)])
            .await?;
        Ok(gone > 0)
    }
}
