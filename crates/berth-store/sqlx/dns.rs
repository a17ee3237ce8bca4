//! DNS template and zones.

use async_trait::async_trait;
use berth_core::dns::{TemplateRecord, Zone};
use berth_store::sql::{self, TemplateRow, Value, ZoneRecordRow};
use berth_store::{DnsTx, StoreResult};
use sqlx::{AssertSqlSafe, Row};
use uuid::Uuid;

use crate::engine::{DIALECT, EngineRow, EngineTx, bind_all, map_err, time};

impl EngineTx {
    async fn dns_rows(&mut self, sql: String, values: Vec<Value>) -> StoreResult<Vec<EngineRow>> {
        bind_all(sqlx::query(AssertSqlSafe(sql)), values)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(map_err)
    }
}

fn template_row(row: &EngineRow) -> Result<TemplateRow, sqlx::Error> {
    Ok(TemplateRow {
        host: row.try_get(0)?,
        rtype: row.try_get(1)?,
        value: row.try_get(2)?,
        priority: row.try_get(3)?,
        ttl: row.try_get(4)?,
    })
}

fn record_row(row: &EngineRow) -> Result<ZoneRecordRow, sqlx::Error> {
    Ok(ZoneRecordRow {
        id: row.try_get(0)?,
        host: row.try_get(1)?,
        rtype: row.try_get(2)?,
        value: row.try_get(3)?,
        priority: row.try_get(4)?,
        ttl: row.try_get(5)?,
        source: row.try_get(6)?,
        source_key: row.try_get(7)?,
        user_edited: row.try_get(8)?,
        removed: row.try_get(9)?,
    })
}

#[async_trait]
impl DnsTx for EngineTx {
    async fn dns_template(&mut self) -> StoreResult<Vec<TemplateRecord>> {
        self.dns_rows(sql::TEMPLATE_SELECT.into(), vec![])
            .await?
            .iter()
            .map(|r| template_row(r).map_err(map_err)?.into_record())
            .collect()
    }

    async fn set_dns_template(&mut self, records: &[TemplateRecord]) -> StoreResult<()> {
        self.execute(sql::DELETE_TEMPLATE.into(), vec![]).await?;
        for (statement, values) in sql::insert_template(records) {
            self.execute(statement, values).await?;
        }
        Ok(())
    }

    async fn zone(&mut self, domain_id: Uuid) -> StoreResult<Option<Zone>> {
        let head = self
            .dns_rows(
                sql::zone_select(DIALECT.lock_rows),
                vec![Value::Id(domain_id)],
            )
            .await?;
        let Some(head) = head.first() else {
            return Ok(None);
        };
        let serial: i64 = head.try_get(0).map_err(map_err)?;
        let updated_at = time(head, 1).map_err(map_err)?;
        let records = self
            .dns_rows(sql::ZONE_RECORDS.into(), vec![Value::Id(domain_id)])
            .await?
            .iter()
            .map(record_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(map_err)?;
        sql::assemble_zone(domain_id, serial, updated_at, records).map(Some)
    }

    async fn zones_of(&mut self, domain_ids: &[Uuid]) -> StoreResult<Vec<Zone>> {
        let mut zones = vec![];
        for chunk in domain_ids.chunks(sql::JOB_CHUNK) {
            let values: Vec<Value> = chunk.iter().map(|id| Value::Id(*id)).collect();
            let heads = self
                .dns_rows(sql::zones_of(chunk.len()), values.clone())
                .await?;
            let mut records: std::collections::HashMap<Uuid, Vec<ZoneRecordRow>> =
                std::collections::HashMap::new();
            for row in self.dns_rows(sql::records_of(chunk.len()), values).await? {
                let domain: Uuid = row.try_get(10).map_err(map_err)?;
                records
                    .entry(domain)
                    .or_default()
                    .push(record_row(&row).map_err(map_err)?);
            }
            for head in heads {
                let domain_id: Uuid = head.try_get(0).map_err(map_err)?;
                let serial: i64 = head.try_get(1).map_err(map_err)?;
                let updated_at = time(&head, 2).map_err(map_err)?;
                let rows = records.remove(&domain_id).unwrap_or_default();
                zones.push(sql::assemble_zone(domain_id, serial, updated_at, rows)?);
            }
        }
        Ok(zones)
    }

    async fn save_zone(&mut self, zone: &Zone) -> StoreResult<()> {
        for (statement, values) in sql::save_zone(zone) {
            self.execute(statement, values).await?;
        }
        Ok(())
    }
}
