//! DNS use cases (SPEC R7.4): the server's zone template (show, set, apply), every domain's
//! zone (built from the template with the subscription's addresses; SOA serials that
//! increase on every change; master or slave per the subscription's `zone_type`), records
//! added and removed by hand (admin, provider, or a customer with `manage_dns`), and alias
//! zones that follow their domain's zone while DNS sync is on (R7.2).

use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use berth_core::dns::{
    self, Owned, RecordData, RecordSource, RecordType, TemplateRecord, Zone, ZoneContext,
    ZoneRecord, display_name, expand_template, next_serial, parse_template, reconcile, render_zone,
    template_to_text, withdrawn_keys,
};
use berth_core::domain::DomainName;
use berth_core::hosting::Subscription;
use berth_core::rights::Actor;
use berth_core::site::{DomainKind, DomainQuery, HostedDomain};
use berth_core::value::Value;
use berth_core::{Error, Result};
use berth_store::Tx;
use serde::Serialize;
use uuid::Uuid;

use crate::domains::{Located, NameView};
use crate::{Berth, Mode, Progress, finish};

/// The host name used when the setting is empty.
const DEFAULT_HOSTNAME: &str = "localhost.localdomain";

/// A record as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordView {
    /// Owner name in Unicode.
    pub name: String,
    /// Owner name in punycode.
    pub ascii_name: String,
    /// `A`, `AAAA`, `CNAME`, `MX`, `TXT`, `NS`, `SRV` or `CAA`.
    #[serde(rename = "type")]
    pub rtype: &'static str,
    /// The value: an address, a host name (no final dot), TXT text, SRV `WEIGHT PORT
    /// TARGET`, CAA `FLAGS TAG "VALUE"`.
    pub value: String,
    /// MX and SRV priority.
    pub priority: Option<u16>,
    /// TTL in seconds.
    pub ttl: u32,
    /// `template`, `subdomain` or `user`.
    pub source: &'static str,
    /// Whether it was added or changed by hand (template apply leaves it alone).
    pub user_edited: bool,
}

impl RecordView {
    fn of(r: &ZoneRecord) -> Self {
        RecordView {
            name: display_name(&r.data.host),
            ascii_name: r.data.host.clone(),
            rtype: r.data.rtype.as_str(),
            value: r.data.value.clone(),
            priority: r.data.priority,
            ttl: r.data.ttl.unwrap_or(dns::DEFAULT_TTL),
            source: r.source.as_str(),
            user_edited: r.user_edited,
        }
    }
}

/// A zone as shown (`berth dns show`).
#[derive(Debug, Clone, Serialize)]
pub struct ZoneView {
    /// The zone's domain in Unicode.
    pub name: String,
    /// The zone's domain in punycode.
    pub ascii_name: String,
    /// `master` or `slave` (the subscription's `zone_type`).
    pub zone_type: &'static str,
    /// SOA serial.
    pub serial: u32,
    /// Primary name server of the SOA (the server's host name).
    pub primary: String,
    /// For an alias, whether the zone follows its domain's zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follows: Option<NameView>,
    /// The served records.
    pub records: Vec<RecordView>,
    /// The zone in standard zone-file text.
    #[serde(skip)]
    pub text: String,
}

/// A record typed by a person (`berth dns record add|remove`).
#[derive(Debug, Clone, Default)]
pub struct RecordInput {
    /// The type.
    pub rtype: String,
    /// `@`, a name relative to the zone, or an absolute name inside it.
    pub host: String,
    /// The value.
    pub value: String,
    /// MX (default 10) and SRV (default 0) priority.
    pub priority: Option<i64>,
    /// TTL in seconds; default the zone's.
    pub ttl: Option<i64>,
}

/// What adding or removing a record did.
#[derive(Debug, Clone, Serialize)]
pub struct RecordChange {
    /// The zone's domain.
    pub zone: NameView,
    /// `added` or `removed`.
    pub action: &'static str,
    /// The record.
    pub record: RecordView,
    /// The zone's serial after the change.
    pub serial: u32,
    /// Whether nothing was written.
    pub dry_run: bool,
}

/// One line of the template as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateLineView {
    /// Owner, with placeholders.
    pub host: String,
    /// Type.
    #[serde(rename = "type")]
    pub rtype: &'static str,
    /// Value, with placeholders.
    pub value: String,
    /// MX and SRV priority.
    pub priority: Option<u16>,
    /// TTL; null for the zone's default.
    pub ttl: Option<u32>,
}

/// The server's DNS template as shown.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateView {
    /// Its lines.
    pub records: Vec<TemplateLineView>,
    /// The same as template-file text.
    #[serde(skip)]
    pub text: String,
    /// Whether nothing was written (for `set`).
    pub dry_run: bool,
}

impl TemplateView {
    fn of(records: &[TemplateRecord], dry_run: bool) -> Self {
        TemplateView {
            records: records
                .iter()
                .map(|r| TemplateLineView {
                    host: r.host.clone(),
                    rtype: r.rtype.as_str(),
                    value: r.value.clone(),
                    priority: r.priority,
                    ttl: r.ttl,
                })
                .collect(),
            text: template_to_text(records),
            dry_run,
        }
    }
}

/// A template record that could not go into a zone.
#[derive(Debug, Clone, Serialize)]
pub struct SkippedRecord {
    /// The zone's domain.
    pub zone: NameView,
    /// The record as it would have been.
    pub record: String,
    /// Why not.
    pub reason: String,
}

/// A zone that could not take the template at all (left unchanged).
#[derive(Debug, Clone, Serialize)]
pub struct FailedZone {
    /// The zone's domain.
    pub zone: NameView,
    /// Why.
    pub error: Error,
}

/// What `dns template apply` did (or would do).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ApplyReport {
    /// Zones looked at (main domains, additional domains, aliases).
    pub zones: usize,
    /// Zones whose records changed (their serial increased).
    pub changed: usize,
    /// Records added.
    pub added: usize,
    /// Records updated.
    pub updated: usize,
    /// Records left alone because someone edited or removed them by hand.
    pub kept_user_edited: usize,
    /// Template records that would break a zone (e.g. a CNAME where a user put an A).
    pub skipped: Vec<SkippedRecord>,
    /// Zones that could not take the template.
    pub failed: Vec<FailedZone>,
    /// Whether nothing was written.
    pub dry_run: bool,
}

/// The addresses a subscription gives `<ip>` and `<ipv6>`: its first of each family.
fn addresses(sub: &Subscription) -> (Option<Ipv4Addr>, Option<Ipv6Addr>) {
    (
        sub.ips.iter().find_map(|i| i.address.parse().ok()),
        sub.ips.iter().find_map(|i| i.address.parse().ok()),
    )
}

/// `master` or `slave`, from the subscription's `zone_type` (R2.4 DNS group).
pub(crate) fn zone_type(sub: &Subscription) -> &'static str {
    match sub.props.get("zone_type") {
        Some(Value::Choice(t)) if t == "slave" => "slave",
        _ => "master",
    }
}

fn record_text(r: &RecordData) -> String {
    format!("{}. {} {}", r.host, r.rtype, r.rdata())
}

/// The records a subdomain puts into its parent's zone (R7.3), keyed by its id: its
/// addresses and `www.<subdomain>`.
fn subdomain_records(
    parent: &DomainName,
    sub: &HostedDomain,
    ips: (Option<Ipv4Addr>, Option<Ipv6Addr>),
) -> Result<Vec<(String, RecordData)>> {
    let host = format!("{}.", sub.name.ascii());
    let mut out = vec![];
    if let Some(v4) = ips.0 {
        out.push((
            format!("{}|A", sub.id),
            RecordData::parse(parent, RecordType::A, &host, &v4.to_string(), None, None)?,
        ));
    }
    if let Some(v6) = ips.1 {
        out.push((
            format!("{}|AAAA", sub.id),
            RecordData::parse(parent, RecordType::Aaaa, &host, &v6.to_string(), None, None)?,
        ));
    }
    out.push((
        format!("{}|www", sub.id),
        RecordData::parse(
            parent,
            RecordType::Cname,
            &format!("www.{host}"),
            &host,
            None,
            None,
        )?,
    ));
    Ok(out)
}

fn admin_only(actor: &Actor) -> Result<()> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(Error::forbidden(
            "only the admin manages the server's DNS template",
        ))
    }
}

impl Berth {
    /// The server's host name (`<hostname>`, SOA primary name server).
    pub(crate) fn server_hostname(&self) -> Result<DomainName> {
        let raw = if self.settings.hostname.trim().is_empty() {
            DEFAULT_HOSTNAME
        } else {
            self.settings.hostname.as_str()
        };
        DomainName::parse("hostname", raw).map_err(|e| {
            Error::failed(format!(
                "the server host name setting is not valid: {}",
                e.message
            ))
        })
    }

    fn fresh_id(&self) -> impl FnMut() -> Uuid + '_ {
        move || self.new_id()
    }

    /// A zone built now for `domain`: the template's records with the subscription's
    /// addresses, and (for main and additional domains) the records of its subdomains.
    async fn build_zone(
        &self,
        tx: &mut dyn Tx,
        domain: &HostedDomain,
        sub: &Subscription,
    ) -> Result<Zone> {
        let template = tx.dns_template().await?;
        let subdomains = if domain.kind.may_be_parent() {
            tx.list_domains(&DomainQuery {
                parent: Some(domain.id),
                kinds: vec![DomainKind::Subdomain],
                ..Default::default()
            })
            .await?
        } else {
            vec![]
        };
        self.template_zone(domain, sub, &template, &subdomains)
    }

    /// A zone for `domain` built from `template` alone (no stored zone yet).
    fn template_zone(
        &self,
        domain: &HostedDomain,
        sub: &Subscription,
        template: &[TemplateRecord],
        subdomains: &[HostedDomain],
    ) -> Result<Zone> {
        let mut zone = Zone {
            domain_id: domain.id,
            serial: 0,
            records: vec![],
            updated_at: self.clock.now(),
        };
        self.reconcile_zone(&mut zone, domain, sub, template, subdomains)?;
        Ok(zone)
    }

    /// Brings the template and subdomain records of `zone` up to date (user-edited records
    /// untouched).
    fn reconcile_zone(
        &self,
        zone: &mut Zone,
        domain: &HostedDomain,
        sub: &Subscription,
        template: &[TemplateRecord],
        subdomains: &[HostedDomain],
    ) -> Result<dns::Reconciled> {
        let hostname = self.server_hostname()?;
        let (ipv4, ipv6) = addresses(sub);
        let ctx = ZoneContext {
            domain: &domain.name,
            ipv4,
            ipv6,
            hostname: &hostname,
        };
        let desired = expand_template(template, &ctx)?;
        let withdrawn = withdrawn_keys(template, &ctx);
        let mut ids = self.fresh_id();
        let mut report = reconcile(
            zone,
            &domain.name,
            &Owned::new(RecordSource::Template, "", false, &withdrawn),
            desired,
            &mut ids,
        )?;
        for s in subdomains {
            let desired = subdomain_records(&domain.name, s, (ipv4, ipv6))?;
            report.absorb(reconcile(
                zone,
                &domain.name,
                &Owned::new(RecordSource::Subdomain, &format!("{}|", s.id), true, &[]),
                desired,
                &mut ids,
            )?);
        }
        Ok(report)
    }

    /// The zone `domain`'s records would have as a copy of its parent's zone (an alias with
    /// DNS sync on).
    fn alias_copy(&self, parent: &DomainName, parent_zone: &Zone, alias: &HostedDomain) -> Zone {
        Zone {
            domain_id: alias.id,
            serial: 0,
            records: parent_zone
                .records
                .iter()
                .map(|r| ZoneRecord {
                    id: self.new_id(),
                    data: r.data.renamed(parent, &alias.name),
                    ..r.clone()
                })
                .collect(),
            updated_at: self.clock.now(),
        }
    }

    /// Writes `zone` when its records differ from `before` (or it is new), with the next
    /// serial; then brings the zones of the domain's DNS-synced aliases along. Returns the
    /// zone as stored.
    async fn commit_zone(
        &self,
        tx: &mut dyn Tx,
        domain: &HostedDomain,
        before: Option<&Zone>,
        mut zone: Zone,
    ) -> Result<Zone> {
        if let Some(b) = before
            && b.same_records(&zone.records)
        {
            return Ok(zone);
        }
        let now = self.clock.now();
        zone.serial = next_serial(before.map_or(0, |b| b.serial), now.date_naive());
        zone.updated_at = now;
        tx.save_zone(&zone).await?;
        self.queue_provision(tx, &[domain.subscription.id]).await?;
        if domain.kind.may_be_parent() {
            self.sync_aliases(tx, domain, &zone).await?;
        }
        Ok(zone)
    }

    /// Makes the zones of `domain`'s aliases with DNS sync on copies of `zone` (R7.2).
    async fn sync_aliases(
        &self,
        tx: &mut dyn Tx,
        domain: &HostedDomain,
        zone: &Zone,
    ) -> Result<()> {
        let aliases = tx
            .list_domains(&DomainQuery {
                parent: Some(domain.id),
                kinds: vec![DomainKind::Alias],
                ..Default::default()
            })
            .await?;
        for alias in aliases
            .iter()
            .filter(|a| a.alias.is_some_and(|o| o.dns_sync))
        {
            let before = tx.zone(alias.id).await?;
            let mut copy = self.alias_copy(&domain.name, zone, alias);
            if before
                .as_ref()
                .is_some_and(|b| b.same_records(&copy.records))
            {
                continue;
            }
            let now = self.clock.now();
            copy.serial = next_serial(before.map_or(0, |b| b.serial), now.date_naive());
            tx.save_zone(&copy).await?;
        }
        Ok(())
    }

    /// The stored zone of `domain` and the zone to work on: the stored one, or one built
    /// now when it has none yet (a domain from before zones existed).
    async fn working_zone(
        &self,
        tx: &mut dyn Tx,
        domain: &HostedDomain,
        sub: &Subscription,
    ) -> Result<(Option<Zone>, Zone)> {
        let stored = tx.zone(domain.id).await?;
        let working = match &stored {
            Some(z) => z.clone(),
            None => match (&domain.parent, domain.alias) {
                (Some(parent), Some(options)) if options.dns_sync => {
                    let parent = tx
                        .domain_by_name(parent.name.ascii())
                        .await?
                        .ok_or_else(|| Error::failed("an alias's domain vanished"))?;
                    let parent_zone = match tx.zone(parent.id).await? {
                        Some(z) => z,
                        None => self.build_zone(tx, &parent, sub).await?,
                    };
                    self.alias_copy(&parent.name, &parent_zone, domain)
                }
                _ => self.build_zone(tx, domain, sub).await?,
            },
        };
        Ok((stored, working))
    }

    /// Creates the zone of a new main domain, additional domain or alias (R7.4).
    pub(crate) async fn create_zone(
        &self,
        tx: &mut dyn Tx,
        domain: &HostedDomain,
        sub: &Subscription,
    ) -> Result<()> {
        let (stored, zone) = self.working_zone(tx, domain, sub).await?;
        self.commit_zone(tx, domain, stored.as_ref(), zone).await?;
        Ok(())
    }

    /// The zone of a new subscription's main domain, from the server's template (R3.2,
    /// R7.4), for the subscription's creation to write with the rest of its rows. A new
    /// domain has no stored zone, no subdomains and no aliases yet, so only the template
    /// is needed (read by the caller); the serial is the first of the day, as for any
    /// zone created.
    pub(crate) fn new_main_zone(
        &self,
        sub: &Subscription,
        template: &[TemplateRecord],
    ) -> Result<Zone> {
        let main = HostedDomain::main_of(sub);
        let mut zone = self.template_zone(&main, sub, template, &[])?;
        zone.serial = next_serial(0, zone.updated_at.date_naive());
        Ok(zone)
    }

    /// Puts a new subdomain's records into its parent's zone (R7.3); a record that would
    /// break the zone (e.g. a CNAME already at that name) refuses the subdomain.
    pub(crate) async fn add_subdomain_records(
        &self,
        tx: &mut dyn Tx,
        parent: &Located,
        sub: &HostedDomain,
    ) -> Result<()> {
        let (stored, mut zone) = self
            .working_zone(tx, &parent.domain, &parent.subscription)
            .await?;
        let desired = subdomain_records(&parent.domain.name, sub, addresses(&parent.subscription))?;
        let report = reconcile(
            &mut zone,
            &parent.domain.name,
            &Owned::new(RecordSource::Subdomain, &format!("{}|", sub.id), true, &[]),
            desired,
            &mut self.fresh_id(),
        )?;
        if let Some((record, err)) = report.skipped.into_iter().next() {
            return Err(Error::conflict(
                Some("name"),
                format!(
                    "the zone {} cannot take the subdomain's record {}: {}",
                    parent.domain.name,
                    record_text(&record),
                    err.message
                ),
            ));
        }
        self.commit_zone(tx, &parent.domain, stored.as_ref(), zone)
            .await?;
        Ok(())
    }

    /// Takes a subdomain's records out of its parent's zone.
    pub(crate) async fn drop_subdomain_records(
        &self,
        tx: &mut dyn Tx,
        found: &Located,
    ) -> Result<()> {
        let Some(parent) = &found.domain.parent else {
            return Ok(());
        };
        let parent = tx
            .domain_by_name(parent.name.ascii())
            .await?
            .ok_or_else(|| Error::failed("a subdomain's domain vanished"))?;
        let Some(stored) = tx.zone(parent.id).await? else {
            return Ok(());
        };
        let mut zone = stored.clone();
        dns::drop_source(
            &mut zone,
            RecordSource::Subdomain,
            &format!("{}|", found.domain.id),
        );
        self.commit_zone(tx, &parent, Some(&stored), zone).await?;
        Ok(())
    }

    /// An alias's DNS sync was switched: on, its zone becomes a copy of its domain's again;
    /// off, the zone stays as it is and its subdomain records become its own.
    pub(crate) async fn alias_sync_changed(
        &self,
        tx: &mut dyn Tx,
        alias: &HostedDomain,
        sub: &Subscription,
    ) -> Result<()> {
        let (stored, mut zone) = self.working_zone(tx, alias, sub).await?;
        let sync = alias.alias.is_some_and(|o| o.dns_sync);
        if sync {
            let parent = alias
                .parent
                .as_ref()
                .ok_or_else(|| Error::failed("an alias has no domain"))?;
            let parent = tx
                .domain_by_name(parent.name.ascii())
                .await?
                .ok_or_else(|| Error::failed("an alias's domain vanished"))?;
            let (_, parent_zone) = self.working_zone(tx, &parent, sub).await?;
            zone = self.alias_copy(&parent.name, &parent_zone, alias);
        } else {
            for r in zone
                .records
                .iter_mut()
                .filter(|r| r.source == RecordSource::Subdomain)
            {
                r.source = RecordSource::User;
                r.source_key.clear();
                r.user_edited = true;
            }
        }
        self.commit_zone(tx, alias, stored.as_ref(), zone).await?;
        Ok(())
    }

    /// Brings every zone of a subscription up to date with the template and its current
    /// addresses (after its IP addresses changed, R3.8).
    pub(crate) async fn refresh_subscription_zones(
        &self,
        tx: &mut dyn Tx,
        sub: &Subscription,
    ) -> Result<ApplyReport> {
        let domains = tx
            .list_domains(&DomainQuery {
                subscription: Some(sub.id),
                ..Default::default()
            })
            .await?;
        let mut subs = HashMap::from([(sub.id, sub.clone())]);
        let mut report = ApplyReport::default();
        self.apply_template_to(tx, &domains, &mut subs, &mut report, &crate::NoProgress)
            .await?;
        if let Some(failed) = report.failed.first() {
            return Err(failed.error.clone());
        }
        Ok(report)
    }

    /// Applies the template to the zones among `domains` (R7.4): adds and updates template
    /// records, never touching user-edited ones; subdomain records follow the addresses;
    /// synced aliases follow their domains. Per-zone problems go into the report.
    async fn apply_template_to(
        &self,
        tx: &mut dyn Tx,
        domains: &[HostedDomain],
        subs: &mut HashMap<Uuid, Subscription>,
        report: &mut ApplyReport,
        progress: &dyn Progress,
    ) -> Result<()> {
        let template = tx.dns_template().await?;
        let mut subdomains: HashMap<Uuid, Vec<HostedDomain>> = HashMap::new();
        for d in domains.iter().filter(|d| d.kind == DomainKind::Subdomain) {
            if let Some(p) = &d.parent {
                subdomains.entry(p.id).or_default().push(d.clone());
            }
        }
        // Domains first, then independent aliases; synced aliases follow their domain.
        let mut zones: Vec<&HostedDomain> =
            domains.iter().filter(|d| d.kind.may_be_parent()).collect();
        zones.extend(
            domains
                .iter()
                .filter(|d| d.kind == DomainKind::Alias && !d.alias.is_some_and(|o| o.dns_sync)),
        );
        let total = zones.len();
        for (i, domain) in zones.into_iter().enumerate() {
            report.zones += 1;
            let sub = match subs.get(&domain.subscription.id) {
                Some(s) => s.clone(),
                None => {
                    let s = tx
                        .subscription_by_name(domain.subscription.name.ascii())
                        .await?
                        .ok_or_else(|| Error::failed("a domain's subscription vanished"))?;
                    subs.insert(s.id, s.clone());
                    s
                }
            };
            let (stored, mut zone) = self.working_zone(tx, domain, &sub).await?;
            let none = vec![];
            let children = subdomains.get(&domain.id).unwrap_or(&none);
            match self.reconcile_zone(&mut zone, domain, &sub, &template, children) {
                Ok(r) => {
                    let new = stored.is_none();
                    if r.changed() || new {
                        report.changed += 1;
                    }
                    report.added += r.added;
                    report.updated += r.updated;
                    report.kept_user_edited += r.kept;
                    for (record, err) in r.skipped {
                        report.skipped.push(SkippedRecord {
                            zone: NameView::of(&domain.name),
                            record: record_text(&record),
                            reason: err.message,
                        });
                    }
                    self.commit_zone(tx, domain, stored.as_ref(), zone).await?;
                }
                Err(error) => report.failed.push(FailedZone {
                    zone: NameView::of(&domain.name),
                    error,
                }),
            }
            progress.advance(i + 1, total);
        }
        Ok(())
    }

    /// The zone of `domain` that the actor may edit, with a check of the rule that a
    /// subdomain has no zone of its own and a synced alias follows its domain.
    async fn zone_owner(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        domain: &str,
        editing: bool,
    ) -> Result<Located> {
        let found = self.visible_domain(tx, actor, "domain", domain).await?;
        let d = &found.domain;
        if d.kind == DomainKind::Subdomain {
            let parent = d
                .parent
                .as_ref()
                .map(|p| p.name.to_string())
                .unwrap_or_default();
            return Err(Error::invalid(
                "domain",
                format!(
                    "{} is a subdomain: its records are in the zone of {parent} (R7.4)",
                    d.name
                ),
            ));
        }
        if editing {
            found.check_manage(actor, "manage_dns")?;
            if let (Some(parent), Some(options)) = (&d.parent, d.alias)
                && options.dns_sync
            {
                return Err(Error::conflict(
                    Some("domain"),
                    format!(
                        "the zone of the alias {} follows the zone of {} (DNS sync is on, R7.2): \
                         edit that zone, or turn sync off with `berth alias update {} --dns-sync false`",
                        d.name, parent.name, d.name
                    ),
                ));
            }
        }
        Ok(found)
    }

    fn zone_view(&self, found: &Located, zone: &Zone) -> Result<ZoneView> {
        let hostname = self.server_hostname()?;
        let live: Vec<&RecordData> = zone.live().collect();
        let kind = zone_type(&found.subscription);
        let serial = if zone.serial == 0 {
            next_serial(0, self.clock.now().date_naive())
        } else {
            zone.serial
        };
        Ok(ZoneView {
            name: found.domain.name.unicode().to_owned(),
            ascii_name: found.domain.name.ascii().to_owned(),
            zone_type: kind,
            serial,
            primary: hostname.ascii().to_owned(),
            follows: match (&found.domain.parent, found.domain.alias) {
                (Some(p), Some(o)) if o.dns_sync => Some(NameView::of(&p.name)),
                _ => None,
            },
            records: zone
                .records
                .iter()
                .filter(|r| !r.removed)
                .map(RecordView::of)
                .collect(),
            text: render_zone(&found.domain.name, serial, &hostname, kind, &live),
        })
    }

    /// The zone of a main domain, additional domain or alias the actor may see, with its
    /// zone-file text (R7.4).
    pub async fn dns_zone(&self, actor: &Actor, domain: &str) -> Result<ZoneView> {
        let mut tx = self.store.read().await?;
        let found = self.zone_owner(&mut *tx, actor, domain, false).await?;
        let (_, zone) = self
            .working_zone(&mut *tx, &found.domain, &found.subscription)
            .await?;
        self.zone_view(&found, &zone)
    }

    async fn edit_zone(
        &self,
        actor: &Actor,
        domain: &str,
        input: RecordInput,
        add: bool,
        mode: Mode,
    ) -> Result<RecordChange> {
        let rtype = RecordType::parse("type", &input.rtype)?;
        let mut tx = self.store.write().await?;
        let found = self.zone_owner(&mut *tx, actor, domain, true).await?;
        let data = RecordData::parse(
            &found.domain.name,
            rtype,
            &input.host,
            &input.value,
            input.priority,
            input.ttl,
        )?;
        let (stored, mut zone) = self
            .working_zone(&mut *tx, &found.domain, &found.subscription)
            .await?;
        let record = if add {
            dns::add_record(
                &mut zone,
                &found.domain.name,
                data.clone(),
                &mut self.fresh_id(),
            )?;
            zone.records
                .iter()
                .find(|r| !r.removed && r.data.same_as(&data))
                .cloned()
        } else {
            let gone = dns::remove_record(
                &mut zone,
                &found.domain.name,
                &data,
                input.priority.is_some(),
            )?;
            Some(ZoneRecord {
                id: Uuid::nil(),
                data: gone,
                source: RecordSource::User,
                source_key: String::new(),
                user_edited: true,
                removed: true,
            })
        };
        let record = record.ok_or_else(|| Error::failed("the record vanished"))?;
        let zone = self
            .commit_zone(&mut *tx, &found.domain, stored.as_ref(), zone)
            .await?;
        let text = Some(record_text(&record.data));
        let (before, after) = if add { (None, text) } else { (text, None) };
        let audit = [berth_core::audit::FieldChange::new(
            format!("zone {}", found.domain.name),
            "record",
            before,
            after,
        )];
        let operation = if add {
            "dns record add"
        } else {
            "dns record remove"
        };
        self.record_changes(&mut *tx, actor, operation, &audit)
            .await?;
        finish(tx, mode).await?;
        if mode == Mode::Apply {
            tracing::info!(actor = %actor.login, zone = %found.domain.name, record = %record_text(&record.data), add, "DNS record changed");
        }
        Ok(RecordChange {
            zone: NameView::of(&found.domain.name),
            action: if add { "added" } else { "removed" },
            record: RecordView::of(&record),
            serial: zone.serial,
            dry_run: mode == Mode::DryRun,
        })
    }

    /// Adds a record by hand (R7.4): admin, provider, or a customer with `manage_dns`.
    /// It is user-edited: applying the template never changes it.
    pub async fn add_dns_record(
        &self,
        actor: &Actor,
        domain: &str,
        input: RecordInput,
        mode: Mode,
    ) -> Result<RecordChange> {
        self.edit_zone(actor, domain, input, true, mode).await
    }

    /// Removes a record by hand (R7.4). A removed template record stays removed when the
    /// template is applied again.
    pub async fn remove_dns_record(
        &self,
        actor: &Actor,
        domain: &str,
        input: RecordInput,
        mode: Mode,
    ) -> Result<RecordChange> {
        self.edit_zone(actor, domain, input, false, mode).await
    }

    /// The server's DNS template (admin only).
    pub async fn dns_template(&self, actor: &Actor) -> Result<TemplateView> {
        admin_only(actor)?;
        let mut tx = self.store.read().await?;
        Ok(TemplateView::of(&tx.dns_template().await?, false))
    }

    /// Replaces the server's DNS template with `text` (admin only). Zones change only when
    /// the template is applied.
    pub async fn set_dns_template(
        &self,
        actor: &Actor,
        text: &str,
        mode: Mode,
    ) -> Result<TemplateView> {
        admin_only(actor)?;
        let records = parse_template(text)?;
        if records.is_empty() {
            return Err(Error::invalid(
                "template",
                "the template has no records: every zone needs at least its NS records",
            ));
        }
        let mut tx = self.store.write().await?;
        let previous = tx.dns_template().await?;
        tx.set_dns_template(&records).await?;
        let audit = berth_core::audit::diff_fields(
            "dns-template",
            vec![berth_core::audit::AuditField::new(
                "template",
                template_to_text(&previous),
            )],
            vec![berth_core::audit::AuditField::new(
                "template",
                template_to_text(&records),
            )],
        );
        self.record_changes(&mut *tx, actor, "dns template set", &audit)
            .await?;
        finish(tx, mode).await?;
        Ok(TemplateView::of(&records, mode == Mode::DryRun))
    }

    /// Applies the template to every zone of the server (admin only; R7.4): adds and
    /// updates template records, never touches records edited by hand, creates zones that
    /// are missing; each changed zone gets a new serial.
    pub async fn apply_dns_template(
        &self,
        actor: &Actor,
        mode: Mode,
        progress: &dyn Progress,
    ) -> Result<ApplyReport> {
        admin_only(actor)?;
        let mut tx = self.store.write().await?;
        let domains = tx.list_domains(&DomainQuery::default()).await?;
        let mut report = ApplyReport {
            dry_run: mode == Mode::DryRun,
            ..Default::default()
        };
        let mut subs = HashMap::new();
        self.apply_template_to(&mut *tx, &domains, &mut subs, &mut report, progress)
            .await?;
        // Zones changed are counted, not listed: an apply over every zone of the server
        // stays a few rows.
        let audit: Vec<_> = [
            ("zones", report.zones),
            ("changed_zones", report.changed),
            ("added_records", report.added),
            ("updated_records", report.updated),
        ]
        .into_iter()
        .map(|(field, n)| berth_core::audit::FieldChange::count("dns-template", field, n as u64))
        .collect();
        self.record_changes(&mut *tx, actor, "dns template apply", &audit)
            .await?;
        finish(tx, mode).await?;
        if mode == Mode::Apply {
            tracing::info!(actor = %actor.login, zones = report.zones, changed = report.changed, "DNS template applied");
        }
        Ok(report)
    }
}

/// `line` normalized for comparison: single spaces, no surrounding blanks.
fn normalized(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Berth {
    /// Adds one line to the server's DNS template (admin only; R7.4), e.g.
    /// `webmail.<domain>. A <ip>`. A line already there is a conflict. Zones change only
    /// when the template is applied.
    pub async fn add_dns_template_record(
        &self,
        actor: &Actor,
        line: &str,
        mode: Mode,
    ) -> Result<TemplateView> {
        admin_only(actor)?;
        if line.trim().is_empty() || line.contains(['\n', '\r']) {
            return Err(Error::invalid(
                "record",
                "give exactly one template line: HOST [TTL] TYPE [PRIORITY] VALUE",
            ));
        }
        let mut tx = self.store.write().await?;
        let current = tx.dns_template().await?;
        if current
            .iter()
            .any(|r| normalized(&r.to_line()) == normalized(line))
        {
            return Err(Error::conflict(
                Some("record"),
                format!("the template already has {}", normalized(line)),
            ));
        }
        // The whole template is parsed and checked with the new line at its end.
        let records = parse_template(&format!("{}{}\n", template_to_text(&current), line.trim()))?;
        if records.len() != current.len() + 1 {
            return Err(Error::invalid("record", "the line holds no record"));
        }
        tx.set_dns_template(&records).await?;
        finish(tx, mode).await?;
        Ok(TemplateView::of(&records, mode == Mode::DryRun))
    }

    /// Removes one line from the server's DNS template (admin only), given as the template
    /// shows it (`HOST [TTL] TYPE [PRIORITY] VALUE`); the template keeps at least one line.
    /// Zones change only when the template is applied.
    pub async fn remove_dns_template_record(
        &self,
        actor: &Actor,
        line: &str,
        mode: Mode,
    ) -> Result<TemplateView> {
        admin_only(actor)?;
        let gone = normalized(line);
        let mut tx = self.store.write().await?;
        let mut records = tx.dns_template().await?;
        let before = records.len();
        records.retain(|r| normalized(&r.to_line()) != gone);
        if records.len() == before {
            return Err(Error::not_found(
                "record",
                format!("the template has no line {gone}"),
            ));
        }
        if records.is_empty() {
            return Err(Error::invalid(
                "record",
                "the template would have no records: every zone needs at least its NS records",
            ));
        }
        tx.set_dns_template(&records).await?;
        finish(tx, mode).await?;
        Ok(TemplateView::of(&records, mode == Mode::DryRun))
    }
}
