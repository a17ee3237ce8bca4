//! Periodic tasks on this engine: the write lock of `BEGIN IMMEDIATE` serialises claims.

use async_trait::async_trait;
use berth_store::sql::Value;
use berth_store::tasks::{TaskEnd, TaskState, sql};
use berth_store::{StoreResult, TaskTx};
use chrono::{DateTime, Utc};
use sqlx::{AssertSqlSafe, Row};

use crate::engine::{EngineRow, EngineTx, map_err, opt_time, time};

fn task_row(row: &EngineRow) -> Result<TaskState, sqlx::Error> {
    Ok(TaskState {
        name: row.try_get(0)?,
        next_run: time(row, 1)?,
        last_started: opt_time(row, 2)?,
        last_finished: opt_time(row, 3)?,
        last_outcome: row.try_get(4)?,
        last_message: row.try_get(5)?,
        lease_owner: row.try_get(6)?,
        lease_until: opt_time(row, 7)?,
    })
}

#[async_trait]
impl TaskTx for EngineTx {
    async fn ensure_task(&mut self, name: &str, next_run: DateTime<Utc>) -> StoreResult<()> {
        let values = vec![Value::Text(name.to_owned()), Value::Time(next_run)];
        self.execute(sql::ENSURE.into(), values).await.map(drop)
    }

    async fn list_tasks(&mut self) -> StoreResult<Vec<TaskState>> {
        let query = format!("SELECT {} FROM tasks ORDER BY name", sql::COLUMNS);
        sqlx::query(AssertSqlSafe(query))
            .fetch_all(&mut *self.tx)
            .await
            .map_err(map_err)?
            .iter()
            .map(|r| task_row(r).map_err(map_err))
            .collect()
    }

    async fn claim_task(
        &mut self,
        name: &str,
        owner: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        due_only: bool,
    ) -> StoreResult<bool> {
        let values = vec![
            Value::Text(owner.to_owned()),
            Value::Time(until),
            Value::Time(now),
            Value::Text(name.to_owned()),
        ];
        let claim = if due_only { sql::CLAIM_DUE } else { sql::CLAIM };
        Ok(self.execute(claim.into(), values).await? == 1)
    }

    async fn finish_task(&mut self, name: &str, owner: &str, end: &TaskEnd<'_>) -> StoreResult<()> {
        let values = vec![
            Value::Time(end.finished),
            Value::Text(end.outcome.to_owned()),
            Value::Text(end.message.to_owned()),
            Value::Time(end.next_run),
            Value::Text(name.to_owned()),
            Value::Text(owner.to_owned()),
        ];
        self.execute(sql::FINISH.into(), values).await.map(drop)
    }

    async fn reschedule_task(&mut self, name: &str, next_run: DateTime<Utc>) -> StoreResult<()> {
        let values = vec![Value::Time(next_run), Value::Text(name.to_owned())];
        self.execute(sql::RESCHEDULE.into(), values).await.map(drop)
    }
}
