//! Provisioning SQL (R9.3): the job queue (`provision_jobs`) and the files each
//! subscription has on disk (`provisioned`). Claiming takes `Dialect::skip_locked` so that
//! concurrent workers on PostgreSQL never take the same job; SQLite's write transaction
//! already serializes them.

use berth_core::job::{JobState, ProvisionJob};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Dialect, Value, placeholder_list as placeholders};
use crate::{StoreError, StoreResult};

/// The columns every job read selects, in this order.
pub const JOB_COLUMNS: &str =
    "id, subscription_id, state, attempts, run_after, last_error, created_at, updated_at";

/// What queueing does to a subscription that already has a pending job: the job stays and
/// becomes due now with a fresh count of attempts (a new change deserves a prompt try,
/// whatever backoff an earlier failure set).
///
/// A pending job that is already due and was never tried is left as it is: it will run with
/// whatever the subscription holds when it runs, so rewriting it would change nothing but
/// its `updated_at` — and cost a new row version with an entry in each of the queue's
/// indexes. That is what a second cascade over 30,000 subscriptions with their jobs still
/// queued paid (issue 10: 0.9 s of PostgreSQL's reseller activation, 0.2 s without it).
const UPSERT_PENDING: &str = "ON CONFLICT (subscription_id) WHERE state = 'pending' \
     DO UPDATE SET run_after = excluded.run_after, attempts = 0, updated_at = excluded.updated_at \
     WHERE provision_jobs.attempts <> 0 OR provision_jobs.run_after > excluded.run_after";

/// Queues jobs for these subscriptions, coalescing into pending ones (see
/// [`UPSERT_PENDING`]): `$1` now, then one `(id, subscription)` pair per subscription.
pub fn enqueue_jobs(jobs: &[(Uuid, Uuid)], now: DateTime<Utc>) -> (String, Vec<Value>) {
    let mut values = vec![Value::Time(now)];
    let mut tuples = vec![];
    for (job, subscription) in jobs {
        let n = values.len();
        tuples.push(format!(
            "(${}, ${}, 'pending', 0, $1, $1, $1)",
            n + 1,
            n + 2
        ));
        values.push(Value::Id(*job));
        values.push(Value::Id(*subscription));
    }
    let sql = format!(
        "INSERT INTO provision_jobs (id, subscription_id, state, attempts, run_after, created_at, \
         updated_at) VALUES {} {UPSERT_PENDING}",
        tuples.join(", ")
    );
    (sql, values)
}

/// The pending job of each of `count` subscriptions from `$1`: `subscription_id, id`.
pub fn pending_jobs_of(count: usize) -> String {
    format!(
        "SELECT subscription_id, id FROM provision_jobs WHERE state = 'pending' \
         AND subscription_id IN ({})",
        placeholders(1, count)
    )
}

/// Queues, set-based, a job for every subscription held by `$2` or by an account it owns
/// (`$1` now): one statement whatever the number of subscriptions (coalescing as
/// [`UPSERT_PENDING`] says).
pub fn enqueue_jobs_under(d: Dialect) -> String {
    format!(
        "INSERT INTO provision_jobs (id, subscription_id, state, attempts, run_after, created_at, \
         updated_at) SELECT {}, s.id, 'pending', 0, $1, $1, $1 FROM subscriptions s \
         WHERE s.owner_id IN (SELECT a.id FROM accounts a WHERE a.id = $2 OR a.owner_id = $2) \
         {UPSERT_PENDING}",
        d.time_ordered_id
    )
}

/// Queues, set-based, a job for every subscription and for every subscription that has
/// files but is gone (`$1` now).
pub fn enqueue_jobs_all(d: Dialect) -> String {
    format!(
        "INSERT INTO provision_jobs (id, subscription_id, state, attempts, run_after, created_at, \
         updated_at) SELECT {}, t.id, 'pending', 0, $1, $1, $1 FROM \
         (SELECT id FROM subscriptions UNION SELECT subscription_id FROM provisioned) t \
         WHERE true {UPSERT_PENDING}",
        d.time_ordered_id
    )
}

/// Claims up to `$3` runnable jobs — pending and due at `$1`, or running with an expired
/// lease — oldest first, leasing them until `$2`; returns them.
///
/// The `state IN ('pending', 'running')` term repeats the predicate of the partial index
/// `provision_jobs_due (created_at, id)` (migration 0019) word for word: SQLite uses a
/// partial index only when the query states its condition, and with it both engines walk
/// the jobs still to do in the claim's order and stop at the limit, whatever the number of
/// done jobs kept.
pub fn claim_jobs(d: Dialect) -> String {
    format!(
        "UPDATE provision_jobs SET state = 'running', attempts = attempts + 1, locked_until = $2, \
         updated_at = $1 WHERE id IN (SELECT id FROM provision_jobs \
         WHERE state IN ('pending', 'running') \
         AND ((state = 'pending' AND run_after <= $1) OR (state = 'running' AND locked_until < $1)) \
         ORDER BY created_at, id LIMIT $3{}) RETURNING {JOB_COLUMNS}",
        d.skip_locked
    )
}

/// Marks `count` jobs from `$2` done (`$1` now).
pub fn complete_jobs(count: usize) -> String {
    format!(
        "UPDATE provision_jobs SET state = 'done', last_error = '', updated_at = $1 \
         WHERE id IN ({})",
        placeholders(2, count)
    )
}

/// Fails for good `count` jobs from `$3` (`$1` now, `$2` the error); with `superseded`,
/// only those whose subscription has a newer pending job.
pub fn fail_jobs(count: usize, superseded: bool) -> String {
    let only = if superseded {
        " AND EXISTS (SELECT 1 FROM provision_jobs p WHERE p.state = 'pending' \
         AND p.subscription_id = provision_jobs.subscription_id)"
    } else {
        ""
    };
    format!(
        "UPDATE provision_jobs SET state = 'failed', last_error = $2, updated_at = $1 \
         WHERE state = 'running' AND id IN ({}){only}",
        placeholders(3, count)
    )
}

/// Puts back `count` running jobs from `$4` for a retry at `$3` (`$1` now, `$2` the error).
pub fn retry_jobs(count: usize) -> String {
    format!(
        "UPDATE provision_jobs SET state = 'pending', last_error = $2, run_after = $3, \
         updated_at = $1 WHERE state = 'running' AND id IN ({})",
        placeholders(4, count)
    )
}

/// One job by id: `$1`.
pub fn job_by_id() -> String {
    format!("SELECT {JOB_COLUMNS} FROM provision_jobs WHERE id = $1")
}

/// The newest job of subscription `$1`.
pub fn latest_job_of() -> String {
    format!(
        "SELECT {JOB_COLUMNS} FROM provision_jobs WHERE subscription_id = $1 \
         ORDER BY created_at DESC, updated_at DESC LIMIT 1"
    )
}

/// Jobs in `state`, newest first, at most `$1`. The state is written into the statement
/// (one of four fixed words, never user text) so that each engine can use that state's
/// partial index (`provision_jobs_done`, `provision_jobs_failed`: migration 0019).
pub fn jobs_in_state(state: JobState) -> String {
    format!(
        "SELECT {JOB_COLUMNS} FROM provision_jobs WHERE state = '{}' \
         ORDER BY updated_at DESC, id DESC LIMIT $1",
        state.as_str()
    )
}

/// How many jobs are in each state: `state, count`.
pub const JOB_COUNTS: &str = "SELECT state, COUNT(*) FROM provision_jobs GROUP BY state";

/// Forgets jobs done before `$1`.
pub const PRUNE_DONE: &str = "DELETE FROM provision_jobs WHERE state = 'done' AND updated_at < $1";

/// The files of `count` subscriptions from `$1`: `subscription_id, files`.
pub fn provisioned_of(count: usize) -> String {
    format!(
        "SELECT subscription_id, files FROM provisioned WHERE subscription_id IN ({})",
        placeholders(1, count)
    )
}

/// Records the files of `count` subscriptions: `$1` now, then `(id, files)` pairs from `$2`.
pub fn upsert_provisioned(count: usize) -> String {
    let tuples: Vec<String> = (0..count)
        .map(|i| format!("(${}, ${}, $1)", 2 * i + 2, 2 * i + 3))
        .collect();
    format!(
        "INSERT INTO provisioned (subscription_id, files, updated_at) VALUES {} \
         ON CONFLICT (subscription_id) \
         DO UPDATE SET files = excluded.files, updated_at = excluded.updated_at",
        tuples.join(", ")
    )
}

/// Forgets the files of `count` subscriptions from `$1`.
pub fn delete_provisioned(count: usize) -> String {
    format!(
        "DELETE FROM provisioned WHERE subscription_id IN ({})",
        placeholders(1, count)
    )
}

/// Ids per statement in the queue's batch statements (well under both engines' bound
/// parameter limits).
pub const JOB_CHUNK: usize = 500;

/// A job row in plain types, as selected by [`JOB_COLUMNS`].
#[derive(Debug, Clone)]
pub struct JobRow {
    /// `id`
    pub id: Uuid,
    /// `subscription_id`
    pub subscription_id: Uuid,
    /// `state`
    pub state: String,
    /// `attempts`
    pub attempts: i64,
    /// `run_after`
    pub run_after: DateTime<Utc>,
    /// `last_error` (`''` for none)
    pub last_error: String,
    /// `created_at`
    pub created_at: DateTime<Utc>,
    /// `updated_at`
    pub updated_at: DateTime<Utc>,
}

impl JobRow {
    /// Rebuilds the job.
    pub fn into_job(self) -> StoreResult<ProvisionJob> {
        let state = JobState::from_wire(&self.state).ok_or_else(|| {
            StoreError::Backend(format!("stored job state {:?} is not valid", self.state))
        })?;
        Ok(ProvisionJob {
            id: self.id,
            subscription_id: self.subscription_id,
            state,
            attempts: u32::try_from(self.attempts).unwrap_or(u32::MAX),
            run_after: self.run_after,
            last_error: Some(self.last_error).filter(|e| !e.is_empty()),
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// The stored form of a file list: one name per line.
pub fn files_to_text(files: &[String]) -> String {
    files.join("\n")
}

/// The file list a stored text holds.
pub fn files_from_text(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQLITE_0019: &str =
        include_str!("../../../berth-store-sqlite/migrations/0019_provision_queue_indexes.sql");
    const POSTGRES_0019: &str =
        include_str!("../../../berth-store-postgres/migrations/0019_provision_queue_indexes.sql");

    fn dialect(skip_locked: &'static str) -> Dialect {
        Dialect {
            skip_locked,
            ..crate::sql::TEST_DIALECT
        }
    }

    /// SQLite uses a partial index only when the query states the index's condition
    /// itself: the claim must repeat `provision_jobs_due`'s predicate word for word, or it
    /// falls back to reading the whole queue (issue 10).
    #[test]
    fn r9_3_the_claim_states_the_predicate_of_the_due_jobs_index() {
        let predicate = "state IN ('pending', 'running')";
        for migration in [SQLITE_0019, POSTGRES_0019] {
            assert!(
                migration.contains(&format!("WHERE {predicate};")),
                "{migration}"
            );
        }
        for skip in ["", " FOR UPDATE SKIP LOCKED"] {
            let sql = claim_jobs(dialect(skip));
            assert!(sql.contains(&format!("WHERE {predicate} AND (")), "{sql}");
            assert!(sql.contains("ORDER BY created_at, id LIMIT $3"), "{sql}");
        }
    }

    /// The prune and the list of done or failed jobs name their state as a literal, so
    /// that the engines can use that state's partial index (`provision_jobs_done`,
    /// `provision_jobs_failed`).
    #[test]
    fn r9_3_done_and_failed_jobs_are_read_through_their_own_indexes() {
        assert!(PRUNE_DONE.contains("state = 'done' AND updated_at < $1"));
        for migration in [SQLITE_0019, POSTGRES_0019] {
            assert!(migration.contains("(updated_at, id) WHERE state = 'done'"));
            assert!(migration.contains("(updated_at, id) WHERE state = 'failed'"));
        }
        assert!(jobs_in_state(JobState::Failed).contains("WHERE state = 'failed' "));
        assert!(jobs_in_state(JobState::Done).contains("WHERE state = 'done' "));
    }
}
