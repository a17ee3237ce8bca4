//! Provisioning (SPEC §9): the database is the desired state; the machine is made to match
//! it, incrementally and safely.
//!
//! Every use case that changes what a subscription serves (its names, addresses, status,
//! DNS records) queues a provisioning job for it in the same transaction (R9.3). A worker
//! claims a batch of jobs, reads the batch's desired state in one query per kind, renders
//! the subscriptions' nginx files and zone files, and applies only the files that differ
//! from the live ones through [`Tree`]: staged, validated with the real tools (`nginx -t`
//! on the prospective set, `named-checkzone` per changed zone), swapped in, reloaded once
//! per batch; on failure the live files stay as they were (R9.2). When a batch fails
//! validation, its subscriptions are retried one by one so that the error is recorded on
//! the subscription that caused it; failed jobs retry with backoff.
//!
//! `berth provision` queues every subscription and drains the queue; `berth serve` runs
//! [`Berth::run_provision_worker`] continuously.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use berth_core::account::AccountId;
use berth_core::dns::{RecordData, render_zone};
use berth_core::domain::DomainName;
use berth_core::hosting::{Subscription, SubscriptionQuery, can_view_subscription};
use berth_core::job::{JobState, LEASE, ProvisionJob, retry_at};
use berth_core::rights::Actor;
use berth_core::site::{AliasWeb, DomainKind, HostedDomain};
use berth_core::status::Status;
use berth_core::{Error, Result};
use berth_provision::apply::{Applied, ApplyError, Changes, Staged, Tree};
use berth_provision::spec::{Host, HostRole, Settings, SiteSpec};
use berth_provision::system_user::{self, SystemUserSettings};
use berth_provision::{bind, nginx, template, webspace};
use berth_store::Tx;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::{Berth, Mode};

/// Where and how provisioning writes (`[provision]` in berth.toml).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisionSettings {
    /// Webspaces: `<webspace_root>/<domain>/...`.
    pub webspace_root: PathBuf,
    /// Managed nginx directory; include `<nginx_dir>/current/*.conf` from nginx's
    /// `http { }`.
    pub nginx_dir: PathBuf,
    /// Managed zone directory; include `<zone_dir>/current/zones.conf` from `named.conf`.
    pub zone_dir: PathBuf,
    /// Port the server blocks listen on.
    pub http_port: u16,
    /// Validates a web configuration: `{config}` is replaced by a wrapper including the
    /// prospective files, e.g. `nginx -t -q -c {config}`. Empty: no validation.
    pub nginx_test_cmd: String,
    /// Reloads the web server, e.g. `nginx -s reload`. Empty: no reload.
    pub nginx_reload_cmd: String,
    /// Checks one zone file: `{zone}` and `{file}` are replaced, e.g.
    /// `named-checkzone -q {zone} {file}`. Empty: no check. A batch with more changed zones
    /// than `bind::BATCH_CHECK_THRESHOLD` is checked by one `named-checkconf -z` when this
    /// is `named-checkzone` (see `bind::batch_check_cmd`); other commands run per zone.
    pub zone_check_cmd: String,
    /// Reloads the name server, e.g. `rndc reload`. Empty: no reload.
    pub dns_reload_cmd: String,
    /// The virtual host template a new webspace is seeded from (R8.3).
    pub template_dir: PathBuf,
    /// Whether and how webspaces get their own system user (R9.1).
    pub system_users: SystemUserSettings,
}

/// Jobs a worker takes at once: one validation and one reload per batch.
pub const BATCH: u32 = 200;

/// Jobs a full run (`berth provision`) takes at once. `nginx -t` reads every site on each
/// validation, so a full run over many subscriptions validates as few times as it can.
pub const FULL_BATCH: u32 = 5000;

/// Jobs applied since the queue was last tidied after which an idle queue is tidied
/// ([`berth_store::Store::tidy_provision_queue`]): a full run or a reseller's cascade, not
/// the day's single changes, which autovacuum keeps up with.
pub const TIDY_AFTER_JOBS: usize = 1000;

/// A subscription whose files could not be applied.
#[derive(Debug, Clone, Serialize)]
pub struct ProvisionFailure {
    /// The subscription (ASCII name), or its id when it is gone.
    pub subscription: String,
    /// Why.
    pub error: String,
}

/// What a run did (or would do).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ProvisionReport {
    /// Subscriptions rendered.
    pub subscriptions: usize,
    /// Jobs finished (done or failed) by this run.
    pub jobs: usize,
    /// Files that changed (or would change): `web/<domain>.conf`, `dns/<zone>.zone`,
    /// `dns/zones.conf`.
    pub changed_files: Vec<String>,
    /// The web configuration's generation afterwards, when this run changed it.
    pub generation: Option<u64>,
    /// The zone configuration's generation afterwards, when this run changed it.
    pub dns_generation: Option<u64>,
    /// Subscriptions whose files could not be applied (their jobs retry later).
    pub failed: Vec<ProvisionFailure>,
    /// Whether nothing was written.
    pub dry_run: bool,
}

impl ProvisionReport {
    fn absorb(&mut self, other: ProvisionReport) {
        self.subscriptions += other.subscriptions;
        self.jobs += other.jobs;
        self.changed_files.extend(other.changed_files);
        self.generation = other.generation.or(self.generation);
        self.dns_generation = other.dns_generation.or(self.dns_generation);
        self.failed.extend(other.failed);
    }
}

/// A provisioning job as shown (`GET /api/v1/jobs/{id}`, `berth provision status`).
#[derive(Debug, Clone, Serialize)]
pub struct JobView {
    /// The job's id.
    pub id: Uuid,
    /// `pending`, `running`, `done` or `failed`.
    pub state: JobState,
    /// The subscription's name (ASCII), or null when it is gone.
    pub subscription: Option<String>,
    /// How many times a worker took it.
    pub attempts: u32,
    /// The last failure.
    pub error: Option<String>,
    /// Not before (retries).
    pub run_after: DateTime<Utc>,
    /// Queued at.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// The queue at a glance (`berth provision status`).
#[derive(Debug, Clone, Serialize)]
pub struct QueueView {
    /// Jobs waiting.
    pub pending: u64,
    /// Jobs being applied.
    pub running: u64,
    /// Jobs done (kept a week).
    pub done: u64,
    /// Jobs that gave up.
    pub failed: u64,
    /// The newest failed jobs, with their errors.
    pub failures: Vec<JobView>,
}

// ---------------------------------------------------------------- rendering

/// One subscription's desired files, keyed `web/<file>` or `dns/<file>`.
#[derive(Debug, Clone, Default)]
struct Desired {
    files: BTreeMap<String, String>,
    site: Option<SiteSpec>,
}

const WEB: &str = "web/";
const DNS: &str = "dns/";

fn hosts_of(sub: &Subscription, domains: &[&HostedDomain]) -> Vec<Host> {
    let root_of = |d: &HostedDomain| {
        d.document_root
            .as_ref()
            .map_or("httpdocs".to_owned(), |r| r.as_str().to_owned())
    };
    let by_id: HashMap<Uuid, &HostedDomain> = domains.iter().map(|d| (d.id, *d)).collect();
    let mut hosts = vec![];
    if !domains.iter().any(|d| d.kind == DomainKind::Main) {
        hosts.push(Host {
            name: sub.name.ascii().to_owned(),
            www: true,
            role: HostRole::Site {
                root: "httpdocs".to_owned(),
            },
        });
    }
    for d in domains {
        let parent = d.parent.as_ref().and_then(|p| by_id.get(&p.id).copied());
        let role = match d.kind {
            DomainKind::Main | DomainKind::Site | DomainKind::Subdomain => {
                HostRole::Site { root: root_of(d) }
            }
            DomainKind::Alias => match (d.alias.map(|a| a.web), parent) {
                (Some(AliasWeb::Off), _) | (_, None) => continue,
                (Some(AliasWeb::Same), Some(p)) => HostRole::Same { root: root_of(p) },
                (_, Some(p)) => HostRole::Redirect {
                    to: p.name.ascii().to_owned(),
                },
            },
        };
        hosts.push(Host {
            name: d.name.ascii().to_owned(),
            www: d.kind != DomainKind::Subdomain,
            role,
        });
    }
    hosts
}

/// The batch's desired state, read in one query per kind.
struct BatchState {
    subscriptions: Vec<Subscription>,
    domains: HashMap<Uuid, Vec<HostedDomain>>,
    zones: HashMap<Uuid, berth_core::dns::Zone>,
    previous: HashMap<Uuid, Vec<String>>,
}

async fn read_batch(tx: &mut dyn Tx, ids: &[Uuid]) -> Result<BatchState> {
    let subscriptions = tx.subscriptions_by_ids(ids).await?;
    let mut domains: HashMap<Uuid, Vec<HostedDomain>> = HashMap::new();
    let mut zone_ids = vec![];
    for d in tx.domains_of_subscriptions(ids).await? {
        if d.kind.has_zone() {
            zone_ids.push(d.id);
        }
        domains.entry(d.subscription.id).or_default().push(d);
    }
    let zones = tx
        .zones_of(&zone_ids)
        .await?
        .into_iter()
        .map(|z| (z.domain_id, z))
        .collect();
    let previous = tx.provisioned_files(ids).await?.into_iter().collect();
    Ok(BatchState {
        subscriptions,
        domains,
        zones,
        previous,
    })
}

fn render_one(
    sub: &Subscription,
    state: &BatchState,
    settings: &Settings,
    hostname: &DomainName,
) -> Result<Desired> {
    let domains: Vec<&HostedDomain> = state
        .domains
        .get(&sub.id)
        .map(|d| d.iter().collect())
        .unwrap_or_default();
    let site = SiteSpec {
        subscription: sub.name.ascii().to_owned(),
        suspended: sub.status() == Status::Suspended,
        addresses: sub
            .ips
            .iter()
            .filter_map(|ip| ip.address.parse().ok())
            .collect(),
        hosts: hosts_of(sub, &domains),
    };
    let mut files = BTreeMap::new();
    let conf = nginx::render(&site, settings).map_err(|e| Error::failed(e.to_string()))?;
    files.insert(format!("{WEB}{}.conf", site.subscription), conf);
    if crate::dns::zone_type(sub) == "master" {
        for d in domains.iter().filter(|d| d.kind.has_zone()) {
            if let Some(zone) = state.zones.get(&d.id) {
                let live: Vec<&RecordData> = zone.live().collect();
                let text = render_zone(&d.name, zone.serial, hostname, "master", &live);
                files.insert(
                    format!("{DNS}{}", bind::zone_file_name(d.name.ascii())),
                    text,
                );
            }
        }
    }
    Ok(Desired {
        files,
        site: Some(site),
    })
}

// ---------------------------------------------------------------- commands

fn run_command(template: &str, vars: &[(&str, &Path)]) -> std::result::Result<(), String> {
    let words: Vec<String> = template
        .split_whitespace()
        .map(|w| {
            vars.iter()
                .fold(w.to_owned(), |w, (k, v)| w.replace(k, &v.to_string_lossy()))
        })
        .collect();
    let Some((program, args)) = words.split_first() else {
        return Ok(());
    };
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("{program}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        let mut text = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        if text.is_empty() {
            text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        }
        Err(format!("{program}: {text}"))
    }
}

/// Writes the `named-checkconf -z` configuration of a large batch's changed zones under
/// `<zone_dir>/check/` and returns its path.
fn zone_check_config(
    zone_dir: &Path,
    zones: Vec<(&str, &Path)>,
) -> std::result::Result<PathBuf, String> {
    let conf = bind::check_config(zones).map_err(|e| e.to_string())?;
    let dir = zone_dir.join("check");
    std::fs::create_dir_all(&dir).map_err(|e| format!("file system: {e}"))?;
    let path = dir.join("zones-check.conf");
    std::fs::write(&path, conf).map_err(|e| format!("file system: {e}"))?;
    Ok(path)
}

/// A minimal nginx configuration including exactly the prospective files, to validate a
/// staged batch.
fn nginx_wrapper(nginx_dir: &Path, staged: &Staged<'_>) -> std::io::Result<PathBuf> {
    let dir = nginx_dir.join("check");
    std::fs::create_dir_all(dir.join("tmp"))?;
    let mut includes = String::new();
    for path in staged.files()?.values() {
        includes.push_str(&format!("    include \"{}\";\n", path.display()));
    }
    let conf = dir.join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "pid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{ worker_connections 16; }}\n\
             http {{\n    access_log off;\n    client_body_temp_path {d}/tmp;\n\
             server_names_hash_max_size 262144;\n    server_names_hash_bucket_size 128;\n{includes}}}\n",
            d = dir.display(),
        ),
    )?;
    Ok(conf)
}

// ---------------------------------------------------------------- applying

/// The file work of one batch, run on a blocking thread.
struct Applier<'a> {
    settings: &'a ProvisionSettings,
    web: Tree,
    dns: Tree,
}

/// What applying a set of changes did.
#[derive(Debug, Default)]
struct Outcome {
    changed: Vec<String>,
    web_generation: Option<u64>,
    dns_generation: Option<u64>,
}

fn split(changes: &Changes, prefix: &str) -> Changes {
    changes
        .iter()
        .filter_map(|(k, v)| k.strip_prefix(prefix).map(|n| (n.to_owned(), v.clone())))
        .collect()
}

impl<'a> Applier<'a> {
    fn open(settings: &'a ProvisionSettings) -> std::io::Result<Self> {
        Ok(Applier {
            settings,
            web: Tree::open(&settings.nginx_dir)?,
            dns: Tree::open(&settings.zone_dir)?,
        })
    }

    /// An applier that only looks (previews): it creates nothing.
    fn inspect(settings: &'a ProvisionSettings) -> Self {
        Applier {
            settings,
            web: Tree::inspect(&settings.nginx_dir),
            dns: Tree::inspect(&settings.zone_dir),
        }
    }

    /// The changes that make the live files match `desired` (`None` removes a file).
    fn diff(&self, desired: &BTreeMap<String, Option<String>>) -> std::io::Result<Changes> {
        let web = self.web.diff(&split(desired, WEB))?;
        let mut dns = self.dns.diff(&split(desired, DNS))?;
        let membership = dns.iter().any(|(name, content)| {
            bind::zone_of_file(name).is_some()
                && (content.is_none() || !self.dns.live_dir().join(name).exists())
        });
        if membership {
            let mut zones: BTreeSet<String> = self
                .dns
                .names()?
                .into_iter()
                .filter(|n| bind::zone_of_file(n).is_some())
                .collect();
            for (name, content) in &dns {
                if content.is_some() {
                    zones.insert(name.clone());
                } else {
                    zones.remove(name);
                }
            }
            let list = bind::include_list(
                &self.dns.live_dir(),
                zones.iter().filter_map(|n| bind::zone_of_file(n)),
            )
            .map_err(|e| std::io::Error::other(e.to_string()))?;
            if self.dns.read(bind::INCLUDE_FILE)?.as_deref() != Some(list.as_str()) {
                dns.insert(bind::INCLUDE_FILE.to_owned(), Some(list));
            }
        }
        let mut all: Changes = web
            .into_iter()
            .map(|(k, v)| (format!("{WEB}{k}"), v))
            .collect();
        all.extend(dns.into_iter().map(|(k, v)| (format!("{DNS}{k}"), v)));
        Ok(all)
    }

    fn apply(&self, changes: &Changes) -> std::result::Result<Outcome, String> {
        let settings = self.settings;
        let mut outcome = Outcome {
            changed: changes.keys().cloned().collect(),
            ..Outcome::default()
        };
        let dns_changes = split(changes, DNS);
        let check_zones = |staged: &Staged<'_>| {
            if settings.zone_check_cmd.trim().is_empty() {
                return Ok(());
            }
            let changed = staged.changed();
            let zones: Vec<(&str, &Path)> = changed
                .iter()
                .filter_map(|(name, path)| Some((bind::zone_of_file(name)?, path.as_path())))
                .collect();
            if zones.len() > bind::BATCH_CHECK_THRESHOLD
                && let Some(batch) = bind::batch_check_cmd(&settings.zone_check_cmd)
            {
                let conf = zone_check_config(&settings.zone_dir, zones)?;
                return run_command(&batch, &[("{config}", &conf)]);
            }
            for (zone, path) in zones {
                run_command(
                    &settings.zone_check_cmd,
                    &[("{zone}", Path::new(zone)), ("{file}", path)],
                )?;
            }
            Ok(())
        };
        let reload_dns = || run_command(&settings.dns_reload_cmd, &[]);
        match self.dns.apply(&dns_changes, check_zones, reload_dns) {
            Ok(Applied::Live(n)) => outcome.dns_generation = Some(n),
            Ok(Applied::Unchanged) => {}
            Err(e) => return Err(e.to_string()),
        }
        let web_changes = split(changes, WEB);
        let check_web = |staged: &Staged<'_>| {
            if settings.nginx_test_cmd.trim().is_empty() {
                return Ok(());
            }
            let conf = nginx_wrapper(&settings.nginx_dir, staged).map_err(|e| e.to_string())?;
            run_command(&settings.nginx_test_cmd, &[("{config}", &conf)])
        };
        let reload_web = || run_command(&settings.nginx_reload_cmd, &[]);
        match self.web.apply(&web_changes, check_web, reload_web) {
            Ok(Applied::Live(n)) => outcome.web_generation = Some(n),
            Ok(Applied::Unchanged) => {}
            Err(ApplyError::Io(e)) => return Err(format!("file system: {e}")),
            Err(e) => return Err(e.to_string()),
        }
        Ok(outcome)
    }
}

/// One subscription's part of a batch.
struct Item {
    subscription: Uuid,
    label: String,
    jobs: Vec<ProvisionJob>,
    /// Desired files: `Some` content, `None` to remove.
    files: BTreeMap<String, Option<String>>,
    /// What it has afterwards, for `provisioned`.
    keeps: Vec<String>,
    site: Option<SiteSpec>,
    /// The subscription's system user, when it exists.
    system_user: Option<String>,
}

/// Makes an item's webspace exist: a new one is seeded from the virtual host template
/// (R8.3) — an existing one is never touched but for missing document roots — and is
/// given to the subscription's system user when that is enabled (R9.1).
fn prepare_webspace(settings: &ProvisionSettings, item: &Item) -> std::result::Result<(), String> {
    let Some(site) = &item.site else {
        return Ok(());
    };
    let base = settings.webspace_root.join(&site.subscription);
    template::seed_new_webspace(&settings.template_dir, &base)
        .map_err(|e| format!("webspace {}: {e}", base.display()))?;
    let render = Settings {
        webspace_root: settings.webspace_root.clone(),
        http_port: settings.http_port,
    };
    for dir in webspace::layout(site, &render) {
        std::fs::create_dir_all(&dir).map_err(|e| format!("webspace {}: {e}", dir.display()))?;
    }
    if let Some(user) = &item.system_user {
        system_user::ensure(&settings.system_users, user, &base)
            .map_err(|e| format!("system user {user}: {e}"))?;
    }
    Ok(())
}

/// Applies the batch; when the whole batch is refused, each subscription alone, so the
/// error lands on the one that caused it. Returns the outcome and the failures by item.
fn apply_items(
    settings: &ProvisionSettings,
    items: &[Item],
) -> std::result::Result<(Outcome, Vec<(usize, String)>), String> {
    static RAISED: std::sync::Once = std::sync::Once::new();
    RAISED.call_once(|| match berth_provision::raise_open_file_limit() {
        Ok(n) => tracing::debug!(open_files = n, "open file limit"),
        Err(e) => tracing::warn!(error = %e, "could not raise the open file limit"),
    });
    let lock_path = settings.nginx_dir.join(".lock");
    std::fs::create_dir_all(&settings.nginx_dir).map_err(|e| e.to_string())?;
    let lock = std::fs::File::create(&lock_path).map_err(|e| e.to_string())?;
    lock.lock()
        .map_err(|e| format!("locking {}: {e}", lock_path.display()))?;
    let applier = Applier::open(settings).map_err(|e| format!("file system: {e}"))?;
    let mut failures = vec![];
    let mut ready = vec![];
    for (i, item) in items.iter().enumerate() {
        match prepare_webspace(settings, item) {
            Ok(()) => ready.push((i, item)),
            Err(e) => failures.push((i, e)),
        }
    }
    let all: BTreeMap<String, Option<String>> = ready
        .iter()
        .flat_map(|(_, item)| item.files.clone())
        .collect();
    let changes = applier
        .diff(&all)
        .map_err(|e| format!("file system: {e}"))?;
    match applier.apply(&changes) {
        Ok(outcome) => Ok((outcome, failures)),
        Err(_) if ready.len() > 1 => {
            let mut outcome = Outcome::default();
            for (i, item) in ready {
                let changes = applier
                    .diff(&item.files)
                    .map_err(|e| format!("file system: {e}"))?;
                match applier.apply(&changes) {
                    Ok(one) => {
                        outcome.changed.extend(one.changed);
                        outcome.web_generation = one.web_generation.or(outcome.web_generation);
                        outcome.dns_generation = one.dns_generation.or(outcome.dns_generation);
                    }
                    Err(e) => failures.push((i, e)),
                }
            }
            Ok((outcome, failures))
        }
        Err(e) => {
            failures.extend(ready.iter().map(|(i, _)| (*i, e.clone())));
            Ok((Outcome::default(), failures))
        }
    }
}

impl Berth {
    /// Queues provisioning for these subscriptions inside `tx` (the use case's own
    /// transaction); returns each one's pending job.
    pub(crate) async fn queue_provision(
        &self,
        tx: &mut dyn Tx,
        subscriptions: &[Uuid],
    ) -> Result<Vec<(Uuid, Uuid)>> {
        if subscriptions.is_empty() {
            return Ok(vec![]);
        }
        let jobs: Vec<(Uuid, Uuid)> = subscriptions.iter().map(|s| (self.new_id(), *s)).collect();
        Ok(tx.enqueue_provision(&jobs, self.clock.now()).await?)
    }

    /// Queues provisioning for every subscription held by `root` or by an account it owns
    /// (a status cascade, a removal), set-based.
    pub(crate) async fn queue_provision_under(
        &self,
        tx: &mut dyn Tx,
        root: AccountId,
    ) -> Result<()> {
        tx.enqueue_provision_under(root, self.clock.now()).await?;
        Ok(())
    }

    fn items_of(
        &self,
        jobs: Vec<ProvisionJob>,
        state: &BatchState,
        render: &Settings,
    ) -> Result<Vec<Item>> {
        let hostname = self.server_hostname()?;
        let mut by_sub: BTreeMap<Uuid, Vec<ProvisionJob>> = BTreeMap::new();
        for job in jobs {
            by_sub.entry(job.subscription_id).or_default().push(job);
        }
        let subs: HashMap<Uuid, &Subscription> =
            state.subscriptions.iter().map(|s| (s.id, s)).collect();
        let mut items = vec![];
        for (id, jobs) in by_sub {
            let desired = match subs.get(&id) {
                Some(sub) => render_one(sub, state, render, &hostname)?,
                None => Desired::default(),
            };
            let mut files: BTreeMap<String, Option<String>> = desired
                .files
                .iter()
                .map(|(k, v)| (k.clone(), Some(v.clone())))
                .collect();
            for old in state.previous.get(&id).into_iter().flatten() {
                files.entry(old.clone()).or_insert(None);
            }
            items.push(Item {
                subscription: id,
                label: subs
                    .get(&id)
                    .map_or_else(|| id.to_string(), |s| s.name.ascii().to_owned()),
                jobs,
                keeps: desired.files.keys().cloned().collect(),
                files,
                site: desired.site,
                system_user: subs.get(&id).map(|s| s.system_user.as_str().to_owned()),
            });
        }
        Ok(items)
    }

    /// Claims one batch of due jobs and applies it; `None` when no job was due.
    pub async fn run_provision_batch(
        &self,
        settings: &ProvisionSettings,
    ) -> Result<Option<ProvisionReport>> {
        self.run_provision_batch_of(settings, BATCH).await
    }

    /// [`Berth::run_provision_batch`] taking up to `limit` jobs.
    async fn run_provision_batch_of(
        &self,
        settings: &ProvisionSettings,
        limit: u32,
    ) -> Result<Option<ProvisionReport>> {
        let now = self.clock.now();
        let mut tx = self.store.write().await?;
        let jobs = tx.claim_provision_jobs(now, now + LEASE, limit).await?;
        tx.commit().await?;
        if jobs.is_empty() {
            return Ok(None);
        }
        let ids: Vec<Uuid> = jobs
            .iter()
            .map(|j| j.subscription_id)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut tx = self.store.read().await?;
        let state = read_batch(&mut *tx, &ids).await?;
        drop(tx);
        let render = Settings {
            webspace_root: settings.webspace_root.clone(),
            http_port: settings.http_port,
        };
        let items = self.items_of(jobs, &state, &render)?;
        let owned = settings.clone();
        let (items, applied) = tokio::task::spawn_blocking(move || {
            let applied = apply_items(&owned, &items);
            (items, applied)
        })
        .await
        .map_err(|e| Error::failed(format!("the provisioning worker failed: {e}")))?;
        let (outcome, failures) = match applied {
            Ok(done) => done,
            Err(e) => (
                (Outcome::default()),
                (0..items.len()).map(|i| (i, e.clone())).collect(),
            ),
        };
        self.record_batch(&items, &outcome, &failures, state.subscriptions.len())
            .await
            .map(Some)
    }

    async fn record_batch(
        &self,
        items: &[Item],
        outcome: &Outcome,
        failures: &[(usize, String)],
        rendered: usize,
    ) -> Result<ProvisionReport> {
        let now = self.clock.now();
        let failed: BTreeMap<usize, &String> = failures.iter().map(|(i, e)| (*i, e)).collect();
        let mut tx = self.store.write().await?;
        let mut done = vec![];
        let mut kept = vec![];
        let mut report = ProvisionReport {
            subscriptions: rendered,
            jobs: 0,
            changed_files: outcome.changed.clone(),
            generation: outcome.web_generation,
            dns_generation: outcome.dns_generation,
            failed: vec![],
            dry_run: false,
        };
        for (i, item) in items.iter().enumerate() {
            report.jobs += item.jobs.len();
            match failed.get(&i) {
                None => {
                    done.extend(item.jobs.iter().map(|j| j.id));
                    kept.push((item.subscription, item.keeps.clone()));
                }
                Some(error) => {
                    tracing::warn!(subscription = %item.label, %error, "provisioning failed");
                    for job in &item.jobs {
                        let at = retry_at(now, job.attempts);
                        tx.fail_provision_jobs(&[job.id], error, at, now).await?;
                    }
                    report.failed.push(ProvisionFailure {
                        subscription: item.label.clone(),
                        error: (*error).clone(),
                    });
                }
            }
        }
        tx.complete_provision_jobs(&done, now).await?;
        tx.set_provisioned_files(&kept, now).await?;
        tx.prune_provision_jobs(now - chrono::Duration::days(7))
            .await?;
        tx.commit().await?;
        if !report.changed_files.is_empty() || !report.failed.is_empty() {
            tracing::info!(
                jobs = report.jobs,
                changed = report.changed_files.len(),
                failed = report.failed.len(),
                generation = ?report.generation,
                "provisioned a batch"
            );
        }
        Ok(report)
    }

    /// Applies every due job, in batches of [`FULL_BATCH`], until none is due.
    pub async fn drain_provision_queue(
        &self,
        settings: &ProvisionSettings,
    ) -> Result<ProvisionReport> {
        let mut report = ProvisionReport::default();
        while let Some(batch) = self.run_provision_batch_of(settings, FULL_BATCH).await? {
            report.absorb(batch);
        }
        if report.jobs >= TIDY_AFTER_JOBS {
            self.tidy_provision_queue().await;
        }
        Ok(report)
    }

    /// Tidies the queue after many jobs ([`TIDY_AFTER_JOBS`]). The jobs are applied
    /// already, so a failure here fails nothing: it is logged, and autovacuum does the
    /// same a little later.
    async fn tidy_provision_queue(&self) {
        if let Err(e) = self.store.tidy_provision_queue().await {
            tracing::warn!(error = %e, "tidying the provisioning queue");
        }
    }

    /// Runs the queue until `stop` resolves: applies due jobs, then waits `idle` before
    /// looking again. A batch in progress is always finished before stopping, so no
    /// change is left half-applied (`berth serve`).
    pub async fn run_provision_worker(
        &self,
        settings: ProvisionSettings,
        idle: Duration,
        stop: impl std::future::Future<Output = ()>,
    ) {
        tokio::pin!(stop);
        let mut since_tidy = 0;
        loop {
            match self.run_provision_batch(&settings).await {
                Ok(Some(batch)) => {
                    since_tidy += batch.jobs;
                    continue;
                }
                Ok(None) if since_tidy >= TIDY_AFTER_JOBS => {
                    self.tidy_provision_queue().await;
                    since_tidy = 0;
                }
                Ok(None) => {}
                Err(e) => tracing::error!(error = %e.message, "provisioning worker"),
            }
            tokio::select! {
                () = &mut stop => return,
                () = tokio::time::sleep(idle) => {}
            }
        }
    }

    /// Makes the machine match the database now (`berth provision`, admin only): queues
    /// every subscription (and every gone one that still has files) and drains the queue.
    /// A dry run renders everything and reports the files that would change.
    pub async fn provision(
        &self,
        actor: &Actor,
        settings: &ProvisionSettings,
        mode: Mode,
    ) -> Result<ProvisionReport> {
        if !actor.is_admin() {
            return Err(Error::forbidden("only the admin provisions the server"));
        }
        if mode == Mode::DryRun {
            return self.provision_preview(settings).await;
        }
        let mut tx = self.store.write().await?;
        tx.enqueue_provision_all(self.clock.now()).await?;
        tx.commit().await?;
        let report = self.drain_provision_queue(settings).await?;
        tracing::info!(actor = %actor.login, jobs = report.jobs, changed = report.changed_files.len(), "provisioned");
        Ok(report)
    }

    async fn provision_preview(&self, settings: &ProvisionSettings) -> Result<ProvisionReport> {
        let render = Settings {
            webspace_root: settings.webspace_root.clone(),
            http_port: settings.http_port,
        };
        let hostname = self.server_hostname()?;
        let mut desired: BTreeMap<String, Option<String>> = BTreeMap::new();
        let mut rendered = 0;
        let mut tx = self.store.read().await?;
        let mut after = None;
        loop {
            let page = tx.list_subscriptions(&every_subscription(after)).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.id);
            let ids: Vec<Uuid> = page.iter().map(|s| s.id).collect();
            let state = read_batch(&mut *tx, &ids).await?;
            for sub in &state.subscriptions {
                let one = render_one(sub, &state, &render, &hostname)?;
                desired.extend(one.files.into_iter().map(|(k, v)| (k, Some(v))));
                rendered += 1;
            }
        }
        drop(tx);
        let owned = settings.clone();
        let changes = tokio::task::spawn_blocking(move || -> std::io::Result<Changes> {
            let applier = Applier::inspect(&owned);
            for (prefix, tree) in [(WEB, &applier.web), (DNS, &applier.dns)] {
                for name in tree.names()? {
                    desired.entry(format!("{prefix}{name}")).or_insert(None);
                }
            }
            applier.diff(&desired)
        })
        .await
        .map_err(|e| Error::failed(format!("the provisioning preview failed: {e}")))?
        .map_err(|e| Error::failed(format!("provisioning: {e}")))?;
        Ok(ProvisionReport {
            subscriptions: rendered,
            changed_files: changes.into_keys().collect(),
            dry_run: true,
            ..ProvisionReport::default()
        })
    }

    /// One provisioning job, for whoever may see its subscription (the admin sees every
    /// job, including those of removed subscriptions). Anything else is not found.
    pub async fn provision_job(&self, actor: &Actor, id: &str) -> Result<JobView> {
        let id = Uuid::parse_str(id.trim())
            .map_err(|_| Error::invalid("id", format!("{id:?} is not a job id (a UUID)")))?;
        let missing = || Error::not_found("job", format!("no job {id}"));
        let mut tx = self.store.read().await?;
        let job = tx.provision_job(id).await?.ok_or_else(missing)?;
        let sub = tx.subscription_by_id(job.subscription_id).await?;
        let visible = match &sub {
            _ if actor.is_admin() => true,
            Some(s) => {
                let provider = self.provider(&mut *tx, &s.owner).await?;
                can_view_subscription(actor, &s.owner, &provider)
            }
            None => false,
        };
        if !visible {
            return Err(missing());
        }
        Ok(job_view(job, sub.map(|s| s.name.ascii().to_owned())))
    }

    /// The newest provisioning job of a subscription the actor can see: whether its
    /// files match the database, or the error that keeps them from it.
    pub async fn subscription_provisioning(
        &self,
        actor: &Actor,
        name: &str,
    ) -> Result<Option<JobView>> {
        let mut tx = self.store.read().await?;
        let (sub, _) = self.visible_subscription(&mut *tx, actor, name).await?;
        let job = tx.latest_provision_job(sub.id).await?;
        Ok(job.map(|j| job_view(j, Some(sub.name.ascii().to_owned()))))
    }

    /// The queue's counts and newest failures (admin only).
    pub async fn provision_queue(&self, actor: &Actor) -> Result<QueueView> {
        if !actor.is_admin() {
            return Err(Error::forbidden(
                "only the admin sees the provisioning queue",
            ));
        }
        let mut tx = self.store.read().await?;
        let counts: HashMap<JobState, u64> = tx.provision_job_counts().await?.into_iter().collect();
        let failed = tx.provision_jobs_in(JobState::Failed, 20).await?;
        let ids: Vec<Uuid> = failed.iter().map(|j| j.subscription_id).collect();
        let names: HashMap<Uuid, String> = tx
            .subscriptions_by_ids(&ids)
            .await?
            .into_iter()
            .map(|s| (s.id, s.name.ascii().to_owned()))
            .collect();
        let count = |s| counts.get(&s).copied().unwrap_or(0);
        Ok(QueueView {
            pending: count(JobState::Pending),
            running: count(JobState::Running),
            done: count(JobState::Done),
            failed: count(JobState::Failed),
            failures: failed
                .into_iter()
                .map(|j| {
                    let name = names.get(&j.subscription_id).cloned();
                    job_view(j, name)
                })
                .collect(),
        })
    }
}

/// One page of every subscription, by id.
fn every_subscription(after: Option<Uuid>) -> SubscriptionQuery {
    SubscriptionQuery {
        after,
        ..SubscriptionQuery::every(1000)
    }
}

fn job_view(job: ProvisionJob, subscription: Option<String>) -> JobView {
    JobView {
        id: job.id,
        state: job.state,
        subscription,
        attempts: job.attempts,
        error: job.last_error,
        run_after: job.run_after,
        created_at: job.created_at,
        updated_at: job.updated_at,
    }
}
