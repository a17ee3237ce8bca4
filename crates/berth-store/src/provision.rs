//! Storage of provisioning (R9.3): the durable job queue and the files each subscription
//! has on disk. The queue coalesces: a subscription has at most one pending job, which
//! stands for every change made since the last run.

use async_trait::async_trait;
use berth_core::account::AccountId;
use berth_core::job::{JobState, ProvisionJob};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::StoreResult;

/// Provisioning operations inside a transaction.
#[async_trait]
pub trait ProvisionTx: Send {
    /// Queues a job for each subscription that has none pending (`jobs` pairs a fresh job
    /// id with each subscription), then returns the pending job of each: `(subscription,
    /// job)` — new or the one its change coalesced into.
    async fn enqueue_provision(
        &mut self,
        jobs: &[(Uuid, Uuid)],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<(Uuid, Uuid)>>;

    /// Queues, set-based, a job for every subscription held by `root` or by an account it
    /// owns; returns how many were queued or made due again (a pending job that is due and
    /// untried already is left alone and not counted).
    async fn enqueue_provision_under(
        &mut self,
        root: AccountId,
        now: DateTime<Utc>,
    ) -> StoreResult<u64>;

    /// Queues, set-based, a job for every subscription and every gone subscription that
    /// still has files; returns how many were queued or made due again (as
    /// [`ProvisionTx::enqueue_provision_under`] counts).
    async fn enqueue_provision_all(&mut self, now: DateTime<Utc>) -> StoreResult<u64>;

    /// Takes up to `limit` runnable jobs (pending and due, or running with an expired
    /// lease), oldest first, leasing them until `lease_until`; concurrent callers never
    /// take the same job.
    async fn claim_provision_jobs(
        &mut self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<ProvisionJob>>;

    /// Marks jobs done.
    async fn complete_provision_jobs(
        &mut self,
        ids: &[Uuid],
        now: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Records a failure on running jobs: each goes back to pending until `retry_at`, or
    /// fails for good when `retry_at` is `None` or its subscription already has a newer
    /// pending job (which will carry the retry).
    async fn fail_provision_jobs(
        &mut self,
        ids: &[Uuid],
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// One job.
    async fn provision_job(&mut self, id: Uuid) -> StoreResult<Option<ProvisionJob>>;

    /// The newest job of a subscription, if any.
    async fn latest_provision_job(
        &mut self,
        subscription: Uuid,
    ) -> StoreResult<Option<ProvisionJob>>;

    /// The newest jobs in `state`, at most `limit`.
    async fn provision_jobs_in(
        &mut self,
        state: JobState,
        limit: u32,
    ) -> StoreResult<Vec<ProvisionJob>>;

    /// How many jobs are in each state.
    async fn provision_job_counts(&mut self) -> StoreResult<Vec<(JobState, u64)>>;

    /// Forgets done jobs last changed before `before`; returns how many.
    async fn prune_provision_jobs(&mut self, before: DateTime<Utc>) -> StoreResult<u64>;

    /// The files each of these subscriptions has on disk (subscriptions without files are
    /// left out).
    async fn provisioned_files(
        &mut self,
        subscriptions: &[Uuid],
    ) -> StoreResult<Vec<(Uuid, Vec<String>)>>;

    /// Records the files of subscriptions after a run; an empty list forgets the row.
    async fn set_provisioned_files(
        &mut self,
        files: &[(Uuid, Vec<String>)],
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
}
