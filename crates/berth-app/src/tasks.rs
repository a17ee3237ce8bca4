//! Periodic tasks (SPEC R5.4, §6): the expiry check, usage measurement with the overuse
//! policy, and the delivery of notifications not sent yet. Each task's schedule and last
//! outcome live in the database, so they survive restarts; a lease row keeps a task from
//! running twice at once, also across several `berth serve` processes on one PostgreSQL.
//! Every task reads the time from the Berth clock (`BERTH_NOW`).
//!
//! The [`Scheduler`] runs due tasks inside `berth serve`; `berth tasks run` runs them by
//! hand (admin only).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use berth_core::clock::Clock;
use berth_core::notification::Event;
use berth_core::overuse::{expiry_warning_due, is_expired};
use berth_core::rights::Actor;
use berth_core::status::{Suspension, SuspensionReason};
use berth_core::{Error, Result};
use berth_store::tasks::{TaskEnd, TaskState};
use chrono::{DateTime, Days, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::Berth;
use crate::notifications::{Draft, SmtpSettings};

/// A periodic task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Task {
    /// Suspends expired subscriptions, lifts `expired` from renewed ones, warns before
    /// expiry (R5.4). Daily.
    Expiry,
    /// Measures disk and traffic and applies the overuse policies (R6.1–R6.3). Hourly.
    Usage,
    /// Sends the messages whose sending failed, up to five attempts (R6.4). Every 10
    /// minutes.
    Notifications,
}

impl Task {
    /// Every task, in the order a full run takes them.
    pub const ALL: [Task; 3] = [Task::Expiry, Task::Usage, Task::Notifications];

    /// The name (`berth tasks run NAME`).
    pub fn as_str(self) -> &'static str {
        match self {
            Task::Expiry => "expiry",
            Task::Usage => "usage",
            Task::Notifications => "notifications",
        }
    }

    /// Parses a task name; `field` names the input.
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == raw.trim())
            .ok_or_else(|| {
                Error::invalid(
                    field,
                    format!(
                        "{field} must be expiry, usage or notifications (got {:?})",
                        raw.trim()
                    ),
                )
            })
    }

    /// How often it runs.
    pub fn interval(self) -> chrono::Duration {
        match self {
            Task::Expiry => chrono::Duration::days(1),
            Task::Usage => chrono::Duration::hours(1),
            Task::Notifications => chrono::Duration::minutes(10),
        }
    }

    /// The schedule as shown.
    pub fn schedule(self) -> &'static str {
        match self {
            Task::Expiry => "daily",
            Task::Usage => "hourly",
            Task::Notifications => "every 10 minutes",
        }
    }
}

/// How long a lease holds: a run that takes longer (or a process that died) lets another
/// process take over after this.
const LEASE: chrono::Duration = chrono::Duration::hours(1);

/// What the tasks need to know about the machine (`[provision]`, `[smtp]`, `[tasks]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskSettings {
    /// Webspaces: `<webspace_root>/<domain>/`.
    pub webspace_root: PathBuf,
    /// Days before expiry the warning goes out; 0: no warning.
    pub expiry_warning_days: u32,
    /// The SMTP server; `None`: messages are recorded and fail to send until one is set.
    pub smtp: Option<SmtpSettings>,
}

/// A task as listed.
#[derive(Debug, Clone, Serialize)]
pub struct TaskView {
    /// Its name.
    pub name: &'static str,
    /// How often it runs.
    pub schedule: &'static str,
    /// When its last run started; null if it never ran.
    pub last_run: Option<DateTime<Utc>>,
    /// When its last run finished.
    pub last_finished: Option<DateTime<Utc>>,
    /// `ok`, `failed`, or null before the first run.
    pub outcome: Option<String>,
    /// What the last run did, or why it failed.
    pub message: Option<String>,
    /// When it runs next.
    pub next_run: DateTime<Utc>,
    /// Whether a run holds the lease now.
    pub running: bool,
}

/// What one run did.
#[derive(Debug, Clone, Serialize)]
pub struct TaskRun {
    /// The task.
    pub name: &'static str,
    /// `ok` or `failed`.
    pub outcome: &'static str,
    /// What it did, or why it failed.
    pub message: String,
    /// When it runs next.
    pub next_run: DateTime<Utc>,
}

/// What the expiry check did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExpiryReport {
    /// `expired` reasons added.
    pub expired: usize,
    /// `expired` reasons lifted from renewed subscriptions.
    pub renewed: usize,
    /// Warnings recorded.
    pub warned: usize,
}

fn check_admin(actor: &Actor) -> Result<()> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(Error::forbidden("only the admin runs periodic tasks"))
    }
}

fn view(task: Task, state: Option<&TaskState>, now: DateTime<Utc>) -> TaskView {
    let running = state.is_some_and(|s| {
        !s.lease_owner.is_empty() && s.lease_until.is_some_and(|until| until > now)
    });
    TaskView {
        name: task.as_str(),
        schedule: task.schedule(),
        last_run: state.and_then(|s| s.last_started),
        last_finished: state.and_then(|s| s.last_finished),
        outcome: state
            .map(|s| s.last_outcome.clone())
            .filter(|o| !o.is_empty()),
        message: state
            .map(|s| s.last_message.clone())
            .filter(|m| !m.is_empty()),
        next_run: state.map_or(now, |s| s.next_run),
        running,
    }
}

impl Berth {
    /// The same application reading the time from another clock (tests move it; the
    /// scheduler of a process uses the process's clock).
    pub fn with_clock(&self, clock: Arc<dyn Clock>) -> Berth {
        let mut app = self.clone();
        app.clock = clock;
        app
    }

    /// Every task with its schedule, last run, outcome and next run (admin only).
    pub async fn list_tasks(&self, actor: &Actor) -> Result<Vec<TaskView>> {
        check_admin(actor)?;
        let mut tx = self.store.read().await?;
        let states = tx.list_tasks().await?;
        let now = self.clock.now();
        Ok(Task::ALL
            .into_iter()
            .map(|t| view(t, states.iter().find(|s| s.name == t.as_str()), now))
            .collect())
    }

    /// Runs tasks by hand now, due or not (admin only): each in turn, each reporting its
    /// outcome. A task running elsewhere is a conflict.
    pub async fn run_tasks(
        &self,
        actor: &Actor,
        tasks: &[Task],
        settings: &TaskSettings,
    ) -> Result<Vec<TaskRun>> {
        check_admin(actor)?;
        let owner = format!("cli:{}:{}", std::process::id(), self.new_id());
        let mut out = Vec::with_capacity(tasks.len());
        for task in tasks {
            let run = self
                .run_task(*task, &owner, settings, false)
                .await?
                .ok_or_else(|| {
                    Error::conflict(
                        None,
                        format!("task {} is running in another process", task.as_str()),
                    )
                })?;
            out.push(run);
        }
        Ok(out)
    }

    /// Runs the tasks that are due now; the scheduler calls this on every tick.
    pub async fn run_due_tasks(
        &self,
        owner: &str,
        settings: &TaskSettings,
    ) -> Result<Vec<TaskRun>> {
        let now = self.clock.now();
        let states = {
            let mut tx = self.store.write().await?;
            for task in Task::ALL {
                tx.ensure_task(task.as_str(), now).await?;
            }
            let states = tx.list_tasks().await?;
            tx.commit().await?;
            states
        };
        let mut out = vec![];
        for task in Task::ALL {
            let due = states
                .iter()
                .any(|s| s.name == task.as_str() && s.next_run <= now);
            if due && let Some(run) = self.run_task(task, owner, settings, true).await? {
                out.push(run);
            }
        }
        Ok(out)
    }

    /// Takes the task's lease, runs it and records the outcome; `None` when another run
    /// holds the lease (or, with `due_only`, when another scheduler ran it already).
    async fn run_task(
        &self,
        task: Task,
        owner: &str,
        settings: &TaskSettings,
        due_only: bool,
    ) -> Result<Option<TaskRun>> {
        let start = self.clock.now();
        let mut tx = self.store.write().await?;
        tx.ensure_task(task.as_str(), start).await?;
        let claimed = tx
            .claim_task(task.as_str(), owner, start, start + LEASE, due_only)
            .await?;
        tx.commit().await?;
        if !claimed {
            return Ok(None);
        }
        let result = self.execute(task, settings).await;
        let (outcome, message) = match &result {
            Ok(message) => ("ok", message.clone()),
            Err(e) => ("failed", e.message.clone()),
        };
        if let Err(e) = &result {
            tracing::error!(task = task.as_str(), error = %e, "task failed");
        } else {
            tracing::info!(task = task.as_str(), %message, "task ran");
        }
        let finished = self.clock.now();
        let next_run = start + task.interval();
        let end = TaskEnd {
            finished,
            outcome,
            message: &message,
            next_run,
        };
        let mut tx = self.store.write().await?;
        tx.finish_task(task.as_str(), owner, &end).await?;
        tx.commit().await?;
        Ok(Some(TaskRun {
            name: task.as_str(),
            outcome,
            message,
            next_run,
        }))
    }

    async fn execute(&self, task: Task, settings: &TaskSettings) -> Result<String> {
        let smtp = settings.smtp.as_ref();
        match task {
            Task::Expiry => {
                let (report, ids) = self.check_expiry(settings.expiry_warning_days).await?;
                let sent = self.deliver_ids(smtp, &ids).await?;
                Ok(format!(
                    "{} expired, {} renewed, {} warned; {sent} of {} messages sent",
                    report.expired,
                    report.renewed,
                    report.warned,
                    ids.len()
                ))
            }
            Task::Usage => {
                let (report, ids) = self.check_usage(&settings.webspace_root).await?;
                let sent = self.deliver_ids(smtp, &ids).await?;
                Ok(format!(
                    "{} measured, {} overused, {} suspended, {} lifted; {sent} of {} messages sent",
                    report.measured,
                    report.overused,
                    report.suspended,
                    report.lifted,
                    ids.len()
                ))
            }
            Task::Notifications => {
                let sent = self.deliver_unsent(smtp).await?;
                Ok(format!("{sent} messages sent"))
            }
        }
    }

    /// The expiry check (R5.4): on and after its expiration date a subscription gets the
    /// `expired` reason — again after a manual activation, until it is renewed; a renewed
    /// one loses it; `warning_days` before the date the warning is recorded once per
    /// expiration date. One transaction; returns the ids of the messages to send.
    pub(crate) async fn check_expiry(
        &self,
        warning_days: u32,
    ) -> Result<(ExpiryReport, Vec<Uuid>)> {
        let now = self.clock.now();
        let today = now.date_naive();
        let until = today
            .checked_add_days(Days::new(u64::from(warning_days)))
            .unwrap_or(today);
        let mut tx = self.store.write().await?;
        let mut report = ExpiryReport::default();
        let mut drafts = Vec::new();
        for target in tx.expiry_targets(until).await? {
            let draft = |event, days: i64| Draft {
                event,
                subscription: target.name.clone(),
                owner: target.owner_id,
                vars: [
                    (
                        "expiration",
                        target.expiration.map(|d| d.to_string()).unwrap_or_default(),
                    ),
                    ("days", days.to_string()),
                ]
                .into_iter()
                .collect(),
            };
            let expired = is_expired(target.expiration, today);
            if expired && !target.expired_reason {
                let reason = Suspension {
                    reason: SuspensionReason::Expired,
                    by: None,
                    at: now,
                };
                tx.add_subscription_reason(target.id, &reason, None).await?;
                report.expired += 1;
                drafts.push(draft(Event::Expired, 0));
            } else if !expired && target.expired_reason {
                tx.remove_subscription_reasons(target.id, &[SuspensionReason::Expired])
                    .await?;
                report.renewed += 1;
            }
            if let Some(date) = target.expiration
                && !target.warned
                && expiry_warning_due(target.expiration, today, warning_days)
            {
                tx.mark_expiry_warned(target.id, date).await?;
                report.warned += 1;
                drafts.push(draft(Event::ExpiryWarning, (date - today).num_days()));
            }
        }
        let ids = self.record_notifications(&mut *tx, &drafts).await?;
        tx.commit().await?;
        Ok((report, ids))
    }
}

/// Runs due tasks in the background of `berth serve`: every `tick` it runs what is due.
#[derive(Debug, Clone)]
pub struct Scheduler {
    app: Berth,
    settings: TaskSettings,
    tick: Duration,
    owner: String,
}

impl Scheduler {
    /// A scheduler over the application, checking every `tick` which tasks are due.
    pub fn new(app: Berth, settings: TaskSettings, tick: Duration) -> Self {
        let owner = format!("serve:{}:{}", std::process::id(), app.new_id());
        Scheduler {
            app,
            settings,
            tick,
            owner,
        }
    }

    /// One tick: runs the due tasks.
    pub async fn tick(&self) -> Result<Vec<TaskRun>> {
        self.app.run_due_tasks(&self.owner, &self.settings).await
    }

    /// Ticks until `shutdown` completes; a failing tick is logged and the next one tried.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut interval = tokio::time::interval(self.tick);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                _ = interval.tick() => {
                    if let Err(e) = self.tick().await {
                        tracing::error!(error = %e, "scheduler tick failed");
                    }
                }
            }
        }
    }
}
