//! The domain registry.

use async_trait::async_trait;
use berth_core::site::{DomainKind, DomainQuery, HostedDomain};
use berth_store::sql::{self, DomainRow, Value};
use berth_store::{DomainTx, StoreResult};
use sqlx::{AssertSqlSafe, Row};
use uuid::Uuid;

use crate::engine::{DIALECT, EngineRow, EngineTx, bind_all, map_err, time};

fn domain_row(row: &EngineRow) -> Result<DomainRow, sqlx::Error> {
    Ok(DomainRow {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        kind: row.try_get(2)?,
        subscription_id: row.try_get(3)?,
        subscription_name: row.try_get(4)?,
        parent_id: row.try_get(5)?,
        parent_name: row.try_get(6)?,
        document_root: row.try_get(7)?,
        alias_web: row.try_get(8)?,
        alias_mail: row.try_get(9)?,
        alias_dns_sync: row.try_get(10)?,
        created_at: time(row, 11)?,
        updated_at: time(row, 12)?,
    })
}

impl EngineTx {
    async fn fetch_domains(
        &mut self,
        sql: String,
        values: Vec<Value>,
    ) -> StoreResult<Vec<HostedDomain>> {
        bind_all(sqlx::query(AssertSqlSafe(sql)), values)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(map_err)?
            .iter()
            .map(|r| domain_row(r).map_err(map_err)?.into_domain())
            .collect()
    }
}

#[async_trait]
impl DomainTx for EngineTx {
    async fn insert_domain(&mut self, domain: &HostedDomain) -> StoreResult<()> {
        let (statement, values) = sql::insert_domain(domain);
        self.execute(statement, values).await.map(drop)
    }

    async fn domain_by_name(&mut self, ascii_name: &str) -> StoreResult<Option<HostedDomain>> {
        let found = self
            .fetch_domains(
                sql::domain_by_name(),
                vec![Value::Text(ascii_name.to_owned())],
            )
            .await?;
        Ok(found.into_iter().next())
    }

    async fn list_domains(&mut self, query: &DomainQuery) -> StoreResult<Vec<HostedDomain>> {
        let (statement, values) = sql::domain_list(query, DIALECT);
        self.fetch_domains(statement, values).await
    }

    async fn domains_of_subscriptions(&mut self, ids: &[Uuid]) -> StoreResult<Vec<HostedDomain>> {
        let mut found = vec![];
        for chunk in ids.chunks(sql::JOB_CHUNK) {
            let statement = sql::domains_of_subscriptions(chunk.len(), DIALECT);
            let values = chunk.iter().map(|id| Value::Id(*id)).collect();
            found.extend(self.fetch_domains(statement, values).await?);
        }
        Ok(found)
    }

    async fn count_domains(&mut self, subscription: Uuid, kind: DomainKind) -> StoreResult<u64> {
        let n: i64 = bind_all(
            sqlx::query(sql::COUNT_DOMAINS),
            vec![
                Value::Id(subscription),
                Value::Text(kind.as_str().to_owned()),
            ],
        )
        .fetch_one(&mut *self.tx)
        .await
        .and_then(|r| r.try_get(0))
        .map_err(map_err)?;
        Ok(n as u64)
    }

    async fn update_domain(&mut self, domain: &HostedDomain) -> StoreResult<()> {
        let (statement, values) = sql::update_domain(domain);
        self.execute(statement, values).await.map(drop)
    }

    async fn delete_domain(&mut self, id: Uuid) -> StoreResult<bool> {
        let gone = self
            .execute(sql::DELETE_DOMAIN.into(), vec![Value::Id(id)])
            .await?;
        Ok(gone > 0)
    }

    async fn lock_subscription(&mut self, id: Uuid) -> StoreResult<()> {
        let sql = format!(
            "SELECT 1 FROM subscriptions WHERE id = $1{}",
            DIALECT.lock_rows
        );
        self.execute(sql, vec![Value::Id(id)]).await.map(drop)
    }
}
