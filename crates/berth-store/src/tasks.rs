//! Storage of periodic tasks (SPEC R5.4, R6.1): each task's schedule state and the lease
//! that keeps it from running twice at once, also across processes sharing a database.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::StoreResult;

/// A task's stored state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskState {
    /// The task's name.
    pub name: String,
    /// When it is due next.
    pub next_run: DateTime<Utc>,
    /// When its last run started; `None` if it never ran.
    pub last_started: Option<DateTime<Utc>>,
    /// When its last run finished.
    pub last_finished: Option<DateTime<Utc>>,
    /// `ok`, `failed`, or `''` before the first run.
    pub last_outcome: String,
    /// What the last run did, or why it failed.
    pub last_message: String,
    /// Who holds the lease (`''` when free).
    pub lease_owner: String,
    /// Until when the lease holds.
    pub lease_until: Option<DateTime<Utc>>,
}

/// How a run ended.
#[derive(Debug, Clone)]
pub struct TaskEnd<'a> {
    /// When it finished.
    pub finished: DateTime<Utc>,
    /// `ok` or `failed`.
    pub outcome: &'a str,
    /// What it did, or why it failed.
    pub message: &'a str,
    /// When it is due next.
    pub next_run: DateTime<Utc>,
}

/// SQL shared by the SQL stores.
pub mod sql {
    /// Columns of [`super::TaskState`], in order.
    pub const COLUMNS: &str = "name, next_run, last_started, last_finished, last_outcome, \
                               last_message, lease_owner, lease_until";
    /// `$1` name, `$2` first due time: adds a task unless it exists.
    pub const ENSURE: &str =
        "INSERT INTO tasks (name, next_run) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING";
    /// `$1` owner, `$2` lease end, `$3` now, `$4` name: takes the lease when it is free or
    /// lapsed. Under PostgreSQL a concurrent claim waits for the row lock, then re-checks
    /// the condition and updates nothing.
    pub const CLAIM: &str = "UPDATE tasks SET lease_owner = $1, lease_until = $2, last_started = $3 \
                             WHERE name = $4 AND (lease_owner = '' OR lease_until IS NULL OR lease_until <= $3)";
    /// [`CLAIM`], only when the task is due at `$3`: of several schedulers that found it
    /// due, the first runs it and the others find it rescheduled.
    pub const CLAIM_DUE: &str = "UPDATE tasks SET lease_owner = $1, lease_until = $2, last_started = $3 \
                                 WHERE name = $4 AND next_run <= $3 \
                                 AND (lease_owner = '' OR lease_until IS NULL OR lease_until <= $3)";
    /// `$1` finished, `$2` outcome, `$3` message, `$4` next run, `$5` name, `$6` owner:
    /// records the end of a run and frees the lease, if still held by `$6`.
    pub const FINISH: &str = "UPDATE tasks SET last_finished = $1, last_outcome = $2, last_message = $3, \
                              next_run = $4, lease_owner = '', lease_until = NULL \
                              WHERE name = $5 AND lease_owner = $6";
    /// `$1` next run, `$2` name: moves a task's next run.
    pub const RESCHEDULE: &str = "UPDATE tasks SET next_run = $1 WHERE name = $2";
}

/// Task operations inside a transaction.
#[async_trait]
pub trait TaskTx: Send {
    /// Adds the task `name`, first due at `next_run`, unless it exists.
    async fn ensure_task(&mut self, name: &str, next_run: DateTime<Utc>) -> StoreResult<()>;
    /// Every task, by name.
    async fn list_tasks(&mut self) -> StoreResult<Vec<TaskState>>;
    /// Takes the lease of `name` for `owner` until `until` when it is free or lapsed at
    /// `now` (and, with `due_only`, when the task is due); whether it was taken.
    async fn claim_task(
        &mut self,
        name: &str,
        owner: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        due_only: bool,
    ) -> StoreResult<bool>;
    /// Records the end of `owner`'s run of `name` and frees the lease.
    async fn finish_task(&mut self, name: &str, owner: &str, end: &TaskEnd<'_>) -> StoreResult<()>;
    /// Moves the next run of `name`.
    async fn reschedule_task(&mut self, name: &str, next_run: DateTime<Utc>) -> StoreResult<()>;
}
