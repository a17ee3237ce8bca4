//! Provisioning jobs and provisioned files.

use async_trait::async_trait;
use berth_core::account::AccountId;
use berth_core::job::{JobState, ProvisionJob};
use berth_store::sql::{self, JobRow, Value};
use berth_store::{ProvisionTx, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use sqlx::{AssertSqlSafe, Row};
use uuid::Uuid;

use crate::engine::{DIALECT, EngineRow, EngineTx, bind_all, map_err, time};

fn job_row(row: &EngineRow) -> StoreResult<ProvisionJob> {
    let at = |i: usize| time(row, i).map_err(map_err);
    JobRow {
        id: row.try_get(0).map_err(map_err)?,
        subscription_id: row.try_get(1).map_err(map_err)?,
        state: row.try_get(2).map_err(map_err)?,
        attempts: row.try_get(3).map_err(map_err)?,
        run_after: at(4)?,
        last_error: row.try_get(5).map_err(map_err)?,
        created_at: at(6)?,
        updated_at: at(7)?,
    }
    .into_job()
}

fn ids(ids: &[Uuid]) -> impl Iterator<Item = Value> + '_ {
    ids.iter().map(|id| Value::Id(*id))
}

impl EngineTx {
    async fn jobs(&mut self, sql: String, values: Vec<Value>) -> StoreResult<Vec<ProvisionJob>> {
        bind_all(sqlx::query(AssertSqlSafe(sql)), values)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(map_err)?
            .iter()
            .map(job_row)
            .collect()
    }
}

#[async_trait]
impl ProvisionTx for EngineTx {
    async fn enqueue_provision(
        &mut self,
        jobs: &[(Uuid, Uuid)],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<(Uuid, Uuid)>> {
        let mut pending = vec![];
        for chunk in jobs.chunks(sql::JOB_CHUNK) {
            let (statement, values) = sql::enqueue_jobs(chunk, now);
            self.execute(statement, values).await?;
            let subscriptions: Vec<Uuid> = chunk.iter().map(|(_, s)| *s).collect();
            let rows = self
                .rows(
                    sql::pending_jobs_of(subscriptions.len()),
                    ids(&subscriptions).collect(),
                )
                .await?;
            for row in rows {
                pending.push((
                    row.try_get(0).map_err(map_err)?,
                    row.try_get(1).map_err(map_err)?,
                ));
            }
        }
        Ok(pending)
    }

    async fn enqueue_provision_under(
        &mut self,
        root: AccountId,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        self.execute(
            sql::enqueue_jobs_under(DIALECT),
            vec![Value::Time(now), Value::Id(root.0)],
        )
        .await
    }

    async fn enqueue_provision_all(&mut self, now: DateTime<Utc>) -> StoreResult<u64> {
        self.execute(sql::enqueue_jobs_all(DIALECT), vec![Value::Time(now)])
            .await
    }

    async fn claim_provision_jobs(
        &mut self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<ProvisionJob>> {
        let values = vec![
            Value::Time(now),
            Value::Time(lease_until),
            Value::Int(i64::from(limit)),
        ];
        self.jobs(sql::claim_jobs(DIALECT), values).await
    }

    async fn complete_provision_jobs(
        &mut self,
        jobs: &[Uuid],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        for chunk in jobs.chunks(sql::JOB_CHUNK) {
            let values = std::iter::once(Value::Time(now))
                .chain(ids(chunk))
                .collect();
            self.execute(sql::complete_jobs(chunk.len()), values)
                .await?;
        }
        Ok(())
    }

    async fn fail_provision_jobs(
        &mut self,
        jobs: &[Uuid],
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        for chunk in jobs.chunks(sql::JOB_CHUNK) {
            let head = [Value::Time(now), Value::Text(error.to_owned())];
            let values: Vec<Value> = head.iter().cloned().chain(ids(chunk)).collect();
            self.execute(sql::fail_jobs(chunk.len(), retry_at.is_some()), values)
                .await?;
            if let Some(at) = retry_at {
                let values = head
                    .into_iter()
                    .chain([Value::Time(at)])
                    .chain(ids(chunk))
                    .collect();
                self.execute(sql::retry_jobs(chunk.len()), values).await?;
            }
        }
        Ok(())
    }

    async fn provision_job(&mut self, id: Uuid) -> StoreResult<Option<ProvisionJob>> {
        Ok(self
            .jobs(sql::job_by_id(), vec![Value::Id(id)])
            .await?
            .pop())
    }

    async fn latest_provision_job(
        &mut self,
        subscription: Uuid,
    ) -> StoreResult<Option<ProvisionJob>> {
        Ok(self
            .jobs(sql::latest_job_of(), vec![Value::Id(subscription)])
            .await?
            .pop())
    }

    async fn provision_jobs_in(
        &mut self,
        state: JobState,
        limit: u32,
    ) -> StoreResult<Vec<ProvisionJob>> {
        self.jobs(
            sql::jobs_in_state(state),
            vec![Value::Int(i64::from(limit))],
        )
        .await
    }

    async fn provision_job_counts(&mut self) -> StoreResult<Vec<(JobState, u64)>> {
        let rows = self.rows(sql::JOB_COUNTS.into(), vec![]).await?;
        rows.iter()
            .map(|row| {
                let state: String = row.try_get(0).map_err(map_err)?;
                let count: i64 = row.try_get(1).map_err(map_err)?;
                let state = JobState::from_wire(&state)
                    .ok_or_else(|| StoreError::Backend(format!("job state {state:?}")))?;
                Ok((state, u64::try_from(count).unwrap_or(0)))
            })
            .collect()
    }

    async fn prune_provision_jobs(&mut self, before: DateTime<Utc>) -> StoreResult<u64> {
        self.execute(sql::PRUNE_DONE.into(), vec![Value::Time(before)])
            .await
    }

    async fn provisioned_files(
        &mut self,
        subscriptions: &[Uuid],
    ) -> StoreResult<Vec<(Uuid, Vec<String>)>> {
        let mut found = vec![];
        for chunk in subscriptions.chunks(sql::JOB_CHUNK) {
            let rows = self
                .rows(sql::provisioned_of(chunk.len()), ids(chunk).collect())
                .await?;
            for row in rows {
                let files: String = row.try_get(1).map_err(map_err)?;
                found.push((
                    row.try_get(0).map_err(map_err)?,
                    sql::files_from_text(&files),
                ));
            }
        }
        Ok(found)
    }

    async fn set_provisioned_files(
        &mut self,
        files: &[(Uuid, Vec<String>)],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let (gone, kept): (Vec<_>, Vec<_>) = files.iter().partition(|(_, names)| names.is_empty());
        let gone: Vec<Uuid> = gone.iter().map(|(id, _)| *id).collect();
        for chunk in gone.chunks(sql::JOB_CHUNK) {
            self.execute(sql::delete_provisioned(chunk.len()), ids(chunk).collect())
                .await?;
        }
        for chunk in kept.chunks(sql::JOB_CHUNK) {
            let mut values = vec![Value::Time(now)];
            for (id, names) in chunk {
                values.push(Value::Id(*id));
                values.push(Value::Text(sql::files_to_text(names)));
            }
            self.execute(sql::upsert_provisioned(chunk.len()), values)
                .await?;
        }
        Ok(())
    }
}
