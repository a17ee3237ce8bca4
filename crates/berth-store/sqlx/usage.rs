//! Usage and expiry state on this engine.

use async_trait::async_trait;
use berth_core::account::AccountId;
use berth_core::overuse::{Marks, Usage};
use berth_core::property::from_flat_json;
use berth_store::sql::Value;
use berth_store::usage::{ExpiryTarget, UsageRecord, UsageTarget, sql};
use berth_store::{StoreError, StoreResult, UsageTx};
use chrono::NaiveDate;
use sqlx::{AssertSqlSafe, Row};
use uuid::Uuid;

use crate::engine::time;
use crate::engine::{DIALECT, EngineRow, EngineTx, bind_all, map_err};

fn bytes(row: &EngineRow, i: usize) -> Result<u64, sqlx::Error> {
    Ok(row.try_get::<i64, _>(i)?.max(0) as u64)
}

fn target_row(row: &EngineRow) -> Result<(UsageTarget, String), sqlx::Error> {
    let props: String = row.try_get(3)?;
    let target = UsageTarget {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        owner_id: AccountId(row.try_get(2)?),
        props: Default::default(),
        overused: row.try_get(4)?,
        overuse_reason: row.try_get(5)?,
        marks: Marks {
            disk_over: row.try_get(6)?,
            traffic_over: row.try_get(7)?,
            disk_soft: row.try_get(8)?,
            traffic_soft: row.try_get(9)?,
        },
    };
    Ok((target, props))
}

fn record_row(row: &EngineRow) -> Result<UsageRecord, sqlx::Error> {
    Ok(UsageRecord {
        subscription_id: row.try_get(0)?,
        measured_at: time(row, 1)?,
        month: row.try_get(2)?,
        usage: Usage {
            disk: bytes(row, 3)?,
            traffic: bytes(row, 4)?,
        },
        marks: Marks {
            disk_over: row.try_get(5)?,
            traffic_over: row.try_get(6)?,
            disk_soft: row.try_get(7)?,
            traffic_soft: row.try_get(8)?,
        },
    })
}

fn expiry_row(row: &EngineRow) -> Result<ExpiryTarget, sqlx::Error> {
    Ok(ExpiryTarget {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        owner_id: AccountId(row.try_get(2)?),
        expiration: row.try_get(3)?,
        expired_reason: row.try_get(4)?,
        warned: row.try_get(5)?,
    })
}

impl EngineTx {
    async fn fetch_records(
        &mut self,
        query: String,
        values: Vec<Value>,
    ) -> StoreResult<Vec<UsageRecord>> {
        bind_all(sqlx::query(AssertSqlSafe(query)), values)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(map_err)?
            .iter()
            .map(|r| record_row(r).map_err(map_err))
            .collect()
    }
}

#[async_trait]
impl UsageTx for EngineTx {
    async fn usage_targets(
        &mut self,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<UsageTarget>> {
        let query = sql::targets(&DIALECT, after.is_some(), limit);
        let values = after.map(Value::Id).into_iter().collect();
        bind_all(sqlx::query(AssertSqlSafe(query)), values)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(map_err)?
            .iter()
            .map(|r| {
                let (mut target, props) = target_row(r).map_err(map_err)?;
                target.props =
                    from_flat_json(&props).map_err(|e| StoreError::Backend(e.message))?;
                Ok(target)
            })
            .collect()
    }

    async fn record_usage(&mut self, records: &[UsageRecord]) -> StoreResult<()> {
        for chunk in records.chunks(sql::CHUNK) {
            let (history, values) = sql::insert_history(chunk);
            self.execute(history, values).await?;
            let (current, values) = sql::upsert_current(chunk);
            self.execute(current, values).await?;
        }
        Ok(())
    }

    async fn set_overused(&mut self, id: Uuid, overused: bool) -> StoreResult<()> {
        let values = vec![Value::Bool(overused), Value::Id(id)];
        self.execute(sql::SET_OVERUSED.into(), values)
            .await
            .map(drop)
    }

    async fn current_usage(&mut self, ids: &[Uuid]) -> StoreResult<Vec<UsageRecord>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let values = ids.iter().copied().map(Value::Id).collect();
        self.fetch_records(sql::current_of(ids.len()), values).await
    }

    async fn usage_history(&mut self, id: Uuid, limit: u32) -> StoreResult<Vec<UsageRecord>> {
        self.fetch_records(sql::history(limit.max(1)), vec![Value::Id(id)])
            .await
    }

    async fn expiry_targets(&mut self, until: NaiveDate) -> StoreResult<Vec<ExpiryTarget>> {
        bind_all(
            sqlx::query(sql::EXPIRY_TARGETS),
            vec![Value::OptDate(Some(until))],
        )
        .fetch_all(&mut *self.tx)
        .await
        .map_err(map_err)?
        .iter()
        .map(|r| expiry_row(r).map_err(map_err))
        .collect()
    }

    async fn mark_expiry_warned(&mut self, id: Uuid, expiration: NaiveDate) -> StoreResult<()> {
        let values = vec![Value::Id(id), Value::OptDate(Some(expiration))];
        self.execute(sql::MARK_WARNED.into(), values)
            .await
            .map(drop)
    }
}
