//! Provisioning runs (SPEC §9): the database is the desired state; a run renders every
//! subscription's web configuration and applies it as one generation — validated, swapped
//! atomically, reloaded once, the previous generation kept live on failure (R9.2). An
//! unchanged desired state writes nothing. Admin only.
//!
//! This is a full run (`berth provision`); incremental, queued runs come with the job queue.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use berth_core::hosting::{Subscription, SubscriptionQuery, SubscriptionSort};
use berth_core::rights::Actor;
use berth_core::site::{AliasWeb, DomainKind, DomainQuery, HostedDomain};
use berth_core::status::Status;
use berth_core::{Error, Result};
use berth_provision::apply::{Applied, Generations};
use berth_provision::spec::{Host, HostRole, Settings, SiteSpec};
use berth_provision::{nginx, webspace};
use berth_store::Tx;
use serde::Serialize;
use uuid::Uuid;

use crate::{Berth, Mode};

/// Where and how provisioning writes (`[provision]` in berth.toml).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisionSettings {
    /// Webspaces: `<webspace_root>/<domain>/...`.
    pub webspace_root: PathBuf,
    /// Managed nginx directory: `generations/<n>/` and `current` (include `current/*.conf`
    /// from nginx's `http { }`).
    pub nginx_dir: PathBuf,
    /// Port the server blocks listen on.
    pub http_port: u16,
    /// Validates a configuration: `{config}` is replaced by a wrapper including the staged
    /// files, e.g. `nginx -t -q -c {config}`. Empty: no validation.
    pub nginx_test_cmd: String,
    /// Reloads the web server, e.g. `nginx -s reload`. Empty: no reload.
    pub nginx_reload_cmd: String,
}

/// What a run did (or would do).
#[derive(Debug, Clone, Serialize)]
pub struct ProvisionReport {
    /// Subscriptions rendered.
    pub subscriptions: usize,
    /// Configuration files that would change (added, changed or removed).
    pub changed_files: Vec<String>,
    /// The live generation afterwards; null when nothing changed or in a dry run.
    pub generation: Option<u64>,
    /// Whether nothing was written.
    pub dry_run: bool,
}

fn run_command(template: &str, config: Option<&Path>) -> std::result::Result<(), String> {
    let words: Vec<String> = template
        .split_whitespace()
        .map(|w| match config {
            Some(c) => w.replace("{config}", &c.to_string_lossy()),
            None => w.to_owned(),
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
        Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
    }
}

/// A minimal nginx configuration around `include`, to validate staged files.
fn wrapper(settings: &ProvisionSettings, include: &Path) -> std::io::Result<PathBuf> {
    let dir = settings.nginx_dir.join("check");
    std::fs::create_dir_all(dir.join("tmp"))?;
    let conf = dir.join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "pid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{ worker_connections 16; }}\n\
             http {{\n    access_log off;\n    client_body_temp_path {d}/tmp;\n    include {inc}/*.conf;\n}}\n",
            d = dir.display(),
            inc = include.display()
        ),
    )?;
    Ok(conf)
}

fn hosts_of(sub: &Subscription, domains: &[&HostedDomain]) -> Vec<Host> {
    let root_of = |d: &HostedDomain| {
        d.document_root
            .as_ref()
            .map_or("httpdocs".to_owned(), |r| r.as_str().to_owned())
    };
    let by_id: HashMap<Uuid, &HostedDomain> = domains.iter().map(|d| (d.id, *d)).collect();
    let mut hosts = vec![];
    let main_root = by_id
        .get(&sub.id)
        .map_or("httpdocs".to_owned(), |d| root_of(d));
    if !domains.iter().any(|d| d.kind == DomainKind::Main) {
        hosts.push(Host {
            name: sub.name.ascii().to_owned(),
            www: true,
            role: HostRole::Site { root: main_root },
        });
    }
    for d in domains {
        let name = d.name.ascii().to_owned();
        let parent = d.parent.as_ref().and_then(|p| by_id.get(&p.id).copied());
        let role = match d.kind {
            DomainKind::Main | DomainKind::Site => HostRole::Site { root: root_of(d) },
            DomainKind::Subdomain => HostRole::Site { root: root_of(d) },
            DomainKind::Alias => match (d.alias.map(|a| a.web), parent) {
                (Some(AliasWeb::Off), _) | (_, None) => continue,
                (Some(AliasWeb::Same), Some(p)) => HostRole::Same { root: root_of(p) },
                (_, Some(p)) => HostRole::Redirect {
                    to: p.name.ascii().to_owned(),
                },
            },
        };
        hosts.push(Host {
            name,
            www: d.kind != DomainKind::Subdomain,
            role,
        });
    }
    hosts
}

impl Berth {
    async fn every_subscription(&self, tx: &mut dyn Tx) -> Result<Vec<Subscription>> {
        let mut all = vec![];
        let mut after = None;
        loop {
            let query = SubscriptionQuery {
                scope: None,
                owner: None,
                plan: None,
                status: None,
                sync_state: None,
                overused: false,
                expired_on: None,
                search: None,
                sort: SubscriptionSort::Name,
                descending: false,
                after,
                limit: 1000,
            };
            let page = tx.list_subscriptions(&query).await?;
            let done = page.len() < 1000;
            after = page.last().map(|s| s.id);
            all.extend(page);
            if done {
                return Ok(all);
            }
        }
    }

    /// The desired web state of every subscription (admin only).
    pub async fn desired_sites(&self, actor: &Actor) -> Result<Vec<SiteSpec>> {
        if !actor.is_admin() {
            return Err(Error::forbidden("only the admin provisions the server"));
        }
        let mut tx = self.store.read().await?;
        let subs = self.every_subscription(&mut *tx).await?;
        let query = DomainQuery {
            scope: None,
            subscription: None,
            parent: None,
            kinds: vec![],
        };
        let domains = tx.list_domains(&query).await?;
        let mut by_sub: HashMap<Uuid, Vec<&HostedDomain>> = HashMap::new();
        for d in &domains {
            by_sub.entry(d.subscription.id).or_default().push(d);
        }
        Ok(subs
            .iter()
            .map(|s| SiteSpec {
                subscription: s.name.ascii().to_owned(),
                suspended: s.status() == Status::Suspended,
                addresses: s
                    .ips
                    .iter()
                    .filter_map(|ip| ip.address.parse().ok())
                    .collect(),
                hosts: hosts_of(s, by_sub.get(&s.id).map(Vec::as_slice).unwrap_or(&[])),
            })
            .collect())
    }

    /// Makes the machine match the database now (`berth provision`).
    pub async fn provision(
        &self,
        actor: &Actor,
        settings: &ProvisionSettings,
        mode: Mode,
    ) -> Result<ProvisionReport> {
        let sites = self.desired_sites(actor).await?;
        let render_settings = Settings {
            webspace_root: settings.webspace_root.clone(),
            http_port: settings.http_port,
        };
        let mut files = BTreeMap::new();
        for site in &sites {
            let conf =
                nginx::render(site, &render_settings).map_err(|e| Error::failed(e.to_string()))?;
            files.insert(format!("{}.conf", site.subscription), conf);
        }
        let io = |e: std::io::Error| Error::failed(format!("provisioning: {e}"));
        let generations = Generations::new(&settings.nginx_dir).map_err(io)?;
        let live = generations.live_files().map_err(io)?;
        let mut changed: Vec<String> = files
            .iter()
            .filter(|(n, c)| live.get(*n) != Some(c))
            .map(|(n, _)| n.clone())
            .collect();
        changed.extend(live.keys().filter(|n| !files.contains_key(*n)).cloned());
        changed.sort();
        let mut report = ProvisionReport {
            subscriptions: sites.len(),
            changed_files: changed,
            generation: None,
            dry_run: mode == Mode::DryRun,
        };
        if mode == Mode::DryRun || (report.changed_files.is_empty() && generations.live().is_some())
        {
            return Ok(report);
        }
        for site in &sites {
            for dir in webspace::layout(site, &render_settings) {
                std::fs::create_dir_all(&dir).map_err(io)?;
            }
        }
        let validate = |staged: &Path| {
            if settings.nginx_test_cmd.trim().is_empty() {
                return Ok(());
            }
            let conf = wrapper(settings, staged).map_err(|e| e.to_string())?;
            run_command(&settings.nginx_test_cmd, Some(&conf))
        };
        let reload = || run_command(&settings.nginx_reload_cmd, None);
        match generations.apply(&files, validate, reload) {
            Ok(Applied::Live(n)) => report.generation = Some(n),
            Ok(Applied::Unchanged) => {}
            Err(e) => return Err(Error::failed(e.to_string())),
        }
        tracing::info!(actor = %actor.login, generation = ?report.generation, files = report.changed_files.len(), "provisioned");
        Ok(report)
    }
}
