//! Numeric ids of the XML API on this engine (see `berth_store::legacy_ids`).

use async_trait::async_trait;
use berth_store::legacy_ids::{
    LEGACY_OBJECT_SQL, LegacyObject, LegacyRecord, legacy_ids_sql, legacy_object_by_guid_sql,
    legacy_record_sql, legacy_records_sql,
};
use berth_store::sql::Value;
use berth_store::{LegacyIdTx, StoreResult};
use sqlx::{AssertSqlSafe, Row};
use uuid::Uuid;

use crate::engine::{EngineRow, EngineTx, bind_all, map_err};

fn legacy_object(row: &EngineRow) -> Result<LegacyObject, sqlx::Error> {
    Ok(LegacyObject {
        object: row.try_get(0)?,
        kind: row.try_get(1)?,
        name: row.try_get(2)?,
        detail: row.try_get(3)?,
    })
}

fn legacy_record_row(row: &EngineRow) -> Result<LegacyRecord, sqlx::Error> {
    Ok(LegacyRecord {
        id: row.try_get(0)?,
        zone: row.try_get(1)?,
        host: row.try_get(2)?,
        rtype: row.try_get(3)?,
        value: row.try_get(4)?,
        priority: row.try_get(5)?,
    })
}

#[async_trait]
impl LegacyIdTx for EngineTx {
    async fn legacy_ids(&mut self, objects: &[Uuid]) -> StoreResult<Vec<(Uuid, i64)>> {
        if objects.is_empty() {
            return Ok(vec![]);
        }
        let values = objects.iter().copied().map(Value::Id).collect();
        bind_all(
            sqlx::query(AssertSqlSafe(legacy_ids_sql(objects.len()))),
            values,
        )
        .fetch_all(&mut *self.tx)
        .await
        .map_err(map_err)?
        .iter()
        .map(|row| {
            Ok((
                row.try_get(0).map_err(map_err)?,
                row.try_get(1).map_err(map_err)?,
            ))
        })
        .collect()
    }

    async fn legacy_object(&mut self, id: i64) -> StoreResult<Option<LegacyObject>> {
        let row = bind_all(
            sqlx::query(AssertSqlSafe(LEGACY_OBJECT_SQL.to_owned())),
            vec![Value::Int(id)],
        )
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(map_err)?;
        row.as_ref().map(legacy_object).transpose().map_err(map_err)
    }

    async fn legacy_object_by_guid(
        &mut self,
        guid: Uuid,
    ) -> StoreResult<Option<(i64, LegacyObject)>> {
        let row = bind_all(
            sqlx::query(AssertSqlSafe(legacy_object_by_guid_sql())),
            vec![Value::Id(guid)],
        )
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(map_err)?;
        row.as_ref()
            .map(|r| Ok((r.try_get(4)?, legacy_object(r)?)))
            .transpose()
            .map_err(map_err)
    }

    async fn legacy_records(&mut self, zone: &str) -> StoreResult<Vec<LegacyRecord>> {
        bind_all(
            sqlx::query(AssertSqlSafe(legacy_records_sql())),
            vec![Value::Text(zone.to_owned()), Value::Bool(false)],
        )
        .fetch_all(&mut *self.tx)
        .await
        .map_err(map_err)?
        .iter()
        .map(|row| legacy_record_row(row).map_err(map_err))
        .collect()
    }

    async fn legacy_record(&mut self, id: i64) -> StoreResult<Option<LegacyRecord>> {
        let row = bind_all(
            sqlx::query(AssertSqlSafe(legacy_record_sql())),
            vec![Value::Int(id), Value::Bool(false)],
        )
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(map_err)?;
        row.as_ref()
            .map(legacy_record_row)
            .transpose()
            .map_err(map_err)
    }
}
