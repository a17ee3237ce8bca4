//! Provisioning jobs (R9.3): the durable queue's states and its retry rule. A job asks for
//! one subscription's files to be made to match the database; jobs for the same
//! subscription coalesce while pending, so one job stands for every change made since the
//! last run.

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use uuid::Uuid;

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    /// Waiting for a worker (possibly until a retry time).
    Pending,
    /// Claimed by a worker whose lease has not expired.
    Running,
    /// The machine matches the database as of the job.
    Done,
    /// Gave up after [`MAX_ATTEMPTS`], or superseded by a newer pending job while failing;
    /// the error is kept on the job.
    Failed,
}

impl JobState {
    /// The stored and shown name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }

    /// The state a stored name stands for.
    pub fn from_wire(text: &str) -> Option<Self> {
        [
            JobState::Pending,
            JobState::Running,
            JobState::Done,
            JobState::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One provisioning job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProvisionJob {
    /// The job's id (what the API returns for a change that enqueues it).
    pub id: Uuid,
    /// The subscription whose files it makes match (it may be gone: its files go).
    pub subscription_id: Uuid,
    /// Where it is.
    pub state: JobState,
    /// How many times a worker took it.
    pub attempts: u32,
    /// Not before this instant (retry backoff).
    pub run_after: DateTime<Utc>,
    /// The last failure, if any.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// Its last change.
    pub updated_at: DateTime<Utc>,
}

/// After this many failed attempts a job is `failed` for good (a later change of the
/// subscription, or `berth provision`, queues a fresh one).
pub const MAX_ATTEMPTS: u32 = 8;

/// How long a claimed job stays with its worker; past it, another worker may take it over
/// (the first one crashed).
pub const LEASE: Duration = Duration::minutes(5);

/// When a job that failed its `attempts`-th attempt runs again: exponential backoff from
/// 10 s, capped at one hour; `None` once [`MAX_ATTEMPTS`] is reached.
pub fn retry_at(now: DateTime<Utc>, attempts: u32) -> Option<DateTime<Utc>> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let exponent = attempts.saturating_sub(1).min(16);
    let seconds = (10_i64 << exponent).min(3600);
    Some(now + Duration::seconds(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn r9_3_failed_jobs_back_off_then_give_up() {
        let now = DateTime::<Utc>::UNIX_EPOCH;
        assert_eq!(retry_at(now, 1), Some(now + Duration::seconds(10)));
        assert_eq!(retry_at(now, 2), Some(now + Duration::seconds(20)));
        assert_eq!(retry_at(now, 7), Some(now + Duration::seconds(640)));
        assert_eq!(retry_at(now, MAX_ATTEMPTS), None);
    }

    #[test]
    fn job_states_round_trip_their_names() {
        for s in [
            JobState::Pending,
            JobState::Running,
            JobState::Done,
            JobState::Failed,
        ] {
            assert_eq!(JobState::from_wire(s.as_str()), Some(s));
        }
        assert_eq!(JobState::from_wire("nope"), None);
    }

    proptest! {
        #[test]
        fn r9_3_backoff_never_shrinks_and_stays_within_an_hour(a in 1u32..MAX_ATTEMPTS) {
            let now = DateTime::<Utc>::UNIX_EPOCH;
            let this = retry_at(now, a).unwrap();
            prop_assert!(this > now);
            prop_assert!(this <= now + Duration::hours(1));
            if let Some(next) = retry_at(now, a + 1) {
                prop_assert!(next >= this);
            }
        }
    }
}
