//! Usage (SPEC R6.1–R6.3): disk space and monthly traffic measured per subscription from
//! its webspace, kept with history, and the overuse policy applied: the `overused` flag,
//! the `overuse` reason under `block` (lifted when usage is back under), notifications
//! once per crossing of a limit or soft threshold.
//!
//! Disk usage is what the files occupy on disk (allocated blocks, like `du`) under
//! `<webspace_root>/<domain>/`, walking the tree without following symbolic links (a link
//! counts as itself) and counting hard-linked files once. Traffic is the sum of
//! `$body_bytes_sent` of this month's lines in the plain-text access logs
//! `<webspace>/logs/access_log*` (rotated copies included, compressed ones skipped); see
//! `berth_core::usage` for the format.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use berth_core::notification::Event;
use berth_core::overuse::{Decision, Limits, Resource, Usage, decide};
use berth_core::rights::Actor;
use berth_core::status::{Suspension, SuspensionReason};
use berth_core::usage::{LogEntry, Month};
use berth_core::{Error, Result};
use berth_store::usage::{UsageRecord, UsageTarget};
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::Berth;
use crate::notifications::Draft;

/// Subscriptions read per query while measuring.
const PAGE: u32 = 1000;

/// Allocated bytes of a file or directory (what it occupies on disk).
#[cfg(unix)]
fn allocated(meta: &fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    meta.blocks().saturating_mul(512)
}

#[cfg(not(unix))]
fn allocated(meta: &fs::Metadata) -> u64 {
    meta.len()
}

#[cfg(unix)]
fn inode(meta: &fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    (meta.nlink() > 1 && !meta.is_dir()).then(|| (meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn inode(_: &fs::Metadata) -> Option<(u64, u64)> {
    None
}

/// Bytes occupied under `root`, never following symbolic links; a missing tree is 0.
pub fn disk_usage(root: &Path) -> u64 {
    let mut total = 0u64;
    let mut seen: HashSet<(u64, u64)> = HashSet::new();
    let mut stack: Vec<PathBuf> = vec![root.to_path_buf()];
    while let Some(path) = stack.pop() {
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        if let Some(key) = inode(&meta)
            && !seen.insert(key)
        {
            continue;
        }
        total = total.saturating_add(allocated(&meta));
        if meta.is_dir()
            && let Ok(entries) = fs::read_dir(&path)
        {
            stack.extend(entries.flatten().map(|e| e.path()));
        }
    }
    total
}

/// Whether a file in `logs/` is a plain-text access log (`access_log`, `access_log.1`,
/// `access_log.processed`, not `access_log.2.gz`).
fn is_access_log(name: &str) -> bool {
    const COMPRESSED: [&str; 5] = [".gz", ".bz2", ".xz", ".zst", ".zip"];
    name.starts_with("access_log") && !COMPRESSED.iter().any(|ext| name.ends_with(ext))
}

/// Bytes sent in `month` according to the access logs in `logs`.
pub fn traffic(logs: &Path, month: Month) -> u64 {
    let Ok(entries) = fs::read_dir(logs) else {
        return 0;
    };
    let mut total = 0u64;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if !is_file || !is_access_log(&name.to_string_lossy()) {
            continue;
        }
        let Ok(file) = fs::File::open(entry.path()) else {
            continue;
        };
        total = total.saturating_add(traffic_of(BufReader::new(file), month));
    }
    total
}

fn traffic_of(mut reader: impl BufRead, month: Month) -> u64 {
    let mut total = 0u64;
    let mut line = Vec::new();
    while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
        if let Some(e) = LogEntry::parse(&String::from_utf8_lossy(&line))
            && e.month() == month
        {
            total = total.saturating_add(e.bytes);
        }
        line.clear();
    }
    total
}

/// Measures one webspace.
pub fn measure(webspace: &Path, month: Month) -> Usage {
    Usage {
        disk: disk_usage(webspace),
        traffic: traffic(&webspace.join("logs"), month),
    }
}

/// Measures many webspaces on every core (the walk is I/O and system calls).
pub fn measure_all(root: &Path, names: &[String], month: Month) -> Vec<Usage> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let chunk = names.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = names
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|n| measure(&root.join(n), month))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// A subscription's usage as shown.
#[derive(Debug, Clone, Serialize)]
pub struct UsageView {
    /// The subscription.
    pub subscription: String,
    /// When it was measured; null when never.
    pub measured: Option<DateTime<Utc>>,
    /// The traffic month, `YYYY-MM`.
    pub month: Option<String>,
    /// Disk space used, bytes.
    pub disk_bytes: u64,
    /// Traffic this month, bytes.
    pub traffic_bytes: u64,
    /// Whether usage exceeds a limit.
    pub overused: bool,
    /// Earlier measurements, newest first.
    pub history: Vec<UsageSample>,
}

/// The last measurement, as shown in a subscription's view.
#[derive(Debug, Clone, Serialize)]
pub struct UsageSummary {
    /// Disk space used, bytes.
    pub disk_bytes: u64,
    /// Traffic this month, bytes.
    pub traffic_bytes: u64,
    /// The traffic month, `YYYY-MM`.
    pub month: String,
    /// When it was measured.
    pub measured: DateTime<Utc>,
}

/// The last measurements of these subscriptions, by id (one query).
pub(crate) async fn summaries(
    tx: &mut dyn berth_store::Tx,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, UsageSummary>> {
    Ok(tx
        .current_usage(ids)
        .await?
        .into_iter()
        .map(|r| {
            let summary = UsageSummary {
                disk_bytes: r.usage.disk,
                traffic_bytes: r.usage.traffic,
                month: r.month,
                measured: r.measured_at,
            };
            (r.subscription_id, summary)
        })
        .collect())
}

/// One measurement in the history.
#[derive(Debug, Clone, Serialize)]
pub struct UsageSample {
    /// When.
    pub measured: DateTime<Utc>,
    /// The traffic month.
    pub month: String,
    /// Disk space, bytes.
    pub disk_bytes: u64,
    /// Traffic of the month so far, bytes.
    pub traffic_bytes: u64,
}

/// What a usage check did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UsageReport {
    /// Subscriptions measured.
    pub measured: usize,
    /// Subscriptions overused afterwards.
    pub overused: usize,
    /// `overuse` reasons added.
    pub suspended: usize,
    /// `overuse` reasons lifted.
    pub lifted: usize,
    /// Messages recorded.
    pub notifications: usize,
}

fn draft(
    target: &UsageTarget,
    event: Event,
    resource: Resource,
    usage: &Usage,
    limit: u64,
) -> Draft {
    Draft {
        event,
        subscription: target.name.clone(),
        owner: target.owner_id,
        vars: [
            ("resource", resource.as_str().to_owned()),
            ("usage", usage.of(resource).to_string()),
            ("limit", limit.to_string()),
        ]
        .into_iter()
        .collect(),
    }
}

fn drafts_of(target: &UsageTarget, usage: &Usage, decision: &Decision) -> Vec<Draft> {
    let limits = Limits::of(&target.props);
    let over = decision.notify_over.iter().filter_map(|r| {
        limits
            .hard(*r)
            .map(|l| draft(target, Event::Overuse, *r, usage, l))
    });
    let soft = decision.notify_soft.iter().filter_map(|r| {
        limits
            .soft(*r)
            .map(|l| draft(target, Event::SoftThreshold, *r, usage, l))
    });
    over.chain(soft).collect()
}

impl Berth {
    /// Measures every subscription's webspace under `root`, keeps the measurements and
    /// applies the overuse policies (the `usage` task). Returns the report and the ids of
    /// the messages recorded, to send.
    pub(crate) async fn check_usage(&self, root: &Path) -> Result<(UsageReport, Vec<Uuid>)> {
        let now = self.clock.now();
        let month = Month::of(now);
        let mut report = UsageReport::default();
        let mut ids = Vec::new();
        let mut after = None;
        loop {
            let targets = {
                let mut tx = self.store.read().await?;
                tx.usage_targets(after, PAGE).await?
            };
            let Some(last) = targets.last() else { break };
            after = Some(last.id);
            let names: Vec<String> = targets.iter().map(|t| t.name.clone()).collect();
            let root = root.to_path_buf();
            let usages = tokio::task::spawn_blocking(move || measure_all(&root, &names, month))
                .await
                .map_err(|e| Error::failed(format!("measuring usage failed: {e}")))?;
            ids.extend(
                self.apply_usage(&targets, &usages, now, month, &mut report)
                    .await?,
            );
        }
        Ok((report, ids))
    }

    async fn apply_usage(
        &self,
        targets: &[UsageTarget],
        usages: &[Usage],
        now: DateTime<Utc>,
        month: Month,
        report: &mut UsageReport,
    ) -> Result<Vec<Uuid>> {
        let mut tx = self.store.write().await?;
        let mut records = Vec::with_capacity(targets.len());
        let mut drafts = Vec::new();
        for (target, usage) in targets.iter().zip(usages) {
            let decision = decide(&Limits::of(&target.props), usage, &target.marks);
            if decision.overused != target.overused {
                tx.set_overused(target.id, decision.overused).await?;
            }
            if decision.suspended && !target.overuse_reason {
                let reason = Suspension {
                    reason: SuspensionReason::Overuse,
                    by: None,
                    at: now,
                };
                tx.add_subscription_reason(target.id, &reason, None).await?;
                report.suspended += 1;
            } else if !decision.suspended && target.overuse_reason {
                tx.remove_subscription_reasons(target.id, &[SuspensionReason::Overuse])
                    .await?;
                report.lifted += 1;
            }
            drafts.extend(drafts_of(target, usage, &decision));
            report.overused += usize::from(decision.overused);
            records.push(UsageRecord {
                subscription_id: target.id,
                measured_at: now,
                month: month.key(),
                usage: *usage,
                marks: decision.marks,
            });
        }
        tx.record_usage(&records).await?;
        let ids = self.record_notifications(&mut *tx, &drafts).await?;
        tx.commit().await?;
        report.measured += records.len();
        report.notifications += ids.len();
        Ok(ids)
    }

    /// A subscription's last measurement and its history (`limit` samples), for whoever
    /// may see the subscription.
    pub async fn subscription_usage(
        &self,
        actor: &Actor,
        name: &str,
        limit: u32,
    ) -> Result<UsageView> {
        let mut tx = self.store.read().await?;
        let (sub, _) = self.visible_subscription(&mut *tx, actor, name).await?;
        let current = tx.current_usage(&[sub.id]).await?.pop();
        let history = tx.usage_history(sub.id, limit.clamp(1, 1000)).await?;
        Ok(UsageView {
            subscription: sub.name.unicode().to_owned(),
            measured: current.as_ref().map(|c| c.measured_at),
            month: current.as_ref().map(|c| c.month.clone()),
            disk_bytes: current.as_ref().map_or(0, |c| c.usage.disk),
            traffic_bytes: current.as_ref().map_or(0, |c| c.usage.traffic),
            overused: sub.overused,
            history: history
                .into_iter()
                .map(|h| UsageSample {
                    measured: h.measured_at,
                    month: h.month,
                    disk_bytes: h.usage.disk,
                    traffic_bytes: h.usage.traffic,
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r6_1_only_plain_access_logs_count() {
        assert!(is_access_log("access_log"));
        assert!(is_access_log("access_log.1"));
        assert!(!is_access_log("access_log.2.gz"));
        assert!(!is_access_log("error_log"));
    }

    #[test]
    fn r6_1_disk_usage_does_not_follow_links_out_of_the_tree() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        fs::create_dir(&outside).unwrap();
        fs::write(outside.join("big"), vec![7u8; 1 << 20]).unwrap();
        let web = dir.path().join("web");
        fs::create_dir_all(web.join("httpdocs")).unwrap();
        fs::write(web.join("httpdocs/index.html"), vec![1u8; 64 << 10]).unwrap();
        let before = disk_usage(&web);
        assert!(before >= 64 << 10, "{before}");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&outside, web.join("httpdocs/escape")).unwrap();
            std::os::unix::fs::symlink(outside.join("big"), web.join("big-link")).unwrap();
            fs::hard_link(web.join("httpdocs/index.html"), web.join("again.html")).unwrap();
            let after = disk_usage(&web);
            assert!(
                after < before + (16 << 10),
                "links add only themselves: {before} -> {after}"
            );
        }
        assert_eq!(disk_usage(&dir.path().join("missing")), 0);
    }

    #[test]
    fn r6_1_traffic_reads_this_months_lines_of_every_access_log() {
        let dir = tempfile::tempdir().unwrap();
        let line = |day: &str, bytes: u32| {
            format!(
                "1.2.3.4 - - [{day}/Mar/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 {bytes} \"-\" \"t\"\n"
            )
        };
        fs::write(
            dir.path().join("access_log"),
            line("02", 100) + &line("03", 50),
        )
        .unwrap();
        fs::write(dir.path().join("access_log.1"), line("01", 25)).unwrap();
        fs::write(dir.path().join("access_log.2.gz"), line("01", 1000)).unwrap();
        fs::write(dir.path().join("error_log"), line("01", 1000)).unwrap();
        let march = Month {
            year: 2026,
            month: 3,
        };
        assert_eq!(traffic(dir.path(), march), 175);
        assert_eq!(
            traffic(
                dir.path(),
                Month {
                    year: 2026,
                    month: 4
                }
            ),
            0
        );
    }
}
