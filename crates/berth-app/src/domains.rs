//! Domains of subscriptions (SPEC R3.9, R7.1–R7.3): additional domains (sites), aliases and
//! subdomains. Every name goes through the one registry, so names are unique across the
//! server whatever their kind; each kind is counted by its limit (R4.2) and, for
//! customers, gated by its permission; other owners' domains are not found (R11.2).
//! Every mutating use case has a dry run through the same code.

use berth_core::account::OwnerRef;
use berth_core::domain::DomainName;
use berth_core::hosting::Subscription;
use berth_core::rights::Actor;
use berth_core::site::{
    AliasOptions, AliasWeb, DocumentRoot, DomainKind, DomainQuery, DomainRef, HostedDomain,
    ONE_DOMAIN_PER_SUBSCRIPTION, check_count_limit, check_manage_domains, subdomain_name,
};
use berth_core::{Error, Result};
use berth_store::Tx;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::views::BulkItem;
use crate::{Berth, Mode, Progress, finish};

/// A domain name as shown: Unicode and punycode (CLI.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NameView {
    /// In Unicode, as people write it.
    pub name: String,
    /// In punycode.
    pub ascii_name: String,
}

impl NameView {
    /// The view of a name.
    pub fn of(name: &DomainName) -> Self {
        NameView {
            name: name.unicode().to_owned(),
            ascii_name: name.ascii().to_owned(),
        }
    }
}

/// A registered name as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DomainView {
    /// Stable id (a main domain's is its subscription's).
    pub id: Uuid,
    /// In Unicode.
    pub name: String,
    /// In punycode.
    pub ascii_name: String,
    /// `main`, `site`, `alias` or `subdomain`.
    pub kind: &'static str,
    /// The subscription it belongs to.
    pub subscription: NameView,
    /// For an alias, the domain it is an alias of; for a subdomain, its parent domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<NameView>,
    /// For websites, where the files live inside the webspace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_root: Option<String>,
    /// For aliases: `redirect`, `same` or `off`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web: Option<&'static str>,
    /// For aliases: whether mail to the alias goes to the domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mail: Option<bool>,
    /// For aliases: whether the alias's zone follows the domain's zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_sync: Option<bool>,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Last change.
    pub updated: DateTime<Utc>,
}

impl DomainView {
    /// The view of a registered name.
    pub fn of(d: &HostedDomain) -> Self {
        DomainView {
            id: d.id,
            name: d.name.unicode().to_owned(),
            ascii_name: d.name.ascii().to_owned(),
            kind: d.kind.as_str(),
            subscription: NameView::of(&d.subscription.name),
            domain: d.parent.as_ref().map(|p| NameView::of(&p.name)),
            document_root: d.document_root.as_ref().map(|r| r.as_str().to_owned()),
            web: d.alias.map(|a| a.web.as_str()),
            mail: d.alias.map(|a| a.mail),
            dns_sync: d.alias.map(|a| a.dns_sync),
            created: d.created_at,
            updated: d.updated_at,
        }
    }
}

/// What creating (or changing) a name returned.
#[derive(Debug, Clone, Serialize)]
pub struct DomainOutcome {
    /// The name as it is now (or would be).
    #[serde(flatten)]
    pub domain: DomainView,
    /// Advice for people, e.g. the one-domain-per-subscription recommendation (R3.9).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<&'static str>,
    /// Whether nothing was written.
    pub dry_run: bool,
}

/// A new additional domain (R3.9).
#[derive(Debug, Clone, Default)]
pub struct NewSite {
    /// Its name.
    pub domain: String,
    /// The subscription (by its main domain).
    pub subscription: String,
    /// Where its files live; default: its ASCII name.
    pub document_root: Option<String>,
}

/// A new alias (R7.2); unset options take their defaults (redirect, mail on, DNS sync on).
#[derive(Debug, Clone, Default)]
pub struct NewAlias {
    /// Its name.
    pub alias: String,
    /// The domain (main or additional) it is an alias of.
    pub domain: String,
    /// `redirect`, `same` or `off`.
    pub web: Option<String>,
    /// Mail to the alias goes to the domain.
    pub mail: Option<bool>,
    /// The alias's zone follows the domain's zone.
    pub dns_sync: Option<bool>,
}

/// Changes to an alias; unset options keep their value.
#[derive(Debug, Clone, Default)]
pub struct AliasChange {
    /// `redirect`, `same` or `off`.
    pub web: Option<String>,
    /// Mail to the alias goes to the domain.
    pub mail: Option<bool>,
    /// The alias's zone follows the domain's zone.
    pub dns_sync: Option<bool>,
}

/// A new subdomain (R7.3).
#[derive(Debug, Clone, Default)]
pub struct NewSubdomain {
    /// The part before the domain (`blog`), or the full name.
    pub name: String,
    /// The domain (main or additional) it belongs to.
    pub domain: String,
    /// Where its files live; default: its full ASCII name.
    pub document_root: Option<String>,
}

/// A name the actor may see, with its subscription and that subscription's provider.
pub(crate) struct Located {
    /// The registry entry.
    pub(crate) domain: HostedDomain,
    /// Its subscription.
    pub(crate) subscription: Subscription,
    /// Who provides the subscription.
    pub(crate) provider: OwnerRef,
}

impl Located {
    /// Checks that `actor` may change it: admin, provider, or the subscriber with
    /// `permission`.
    pub(crate) fn check_manage(&self, actor: &Actor, permission: &str) -> Result<()> {
        check_manage_domains(
            actor,
            self.subscription.owner.id,
            self.provider.id,
            &self.subscription.props,
            permission,
        )
    }
}

fn a_kind(kind: DomainKind) -> &'static str {
    match kind {
        DomainKind::Main => "a main domain",
        DomainKind::Site => "an additional domain",
        DomainKind::Alias => "an alias",
        DomainKind::Subdomain => "a subdomain",
    }
}

impl Berth {
    /// The registered name `raw` (typed in `field`) if the actor can see its subscription
    /// (R11.2: otherwise not found, like a name that does not exist).
    pub(crate) async fn visible_domain(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        field: &str,
        raw: &str,
    ) -> Result<Located> {
        let name = DomainName::parse(field, raw)?;
        let not_found = || Error::not_found(field, format!("no domain {name}"));
        let domain = tx
            .domain_by_name(name.ascii())
            .await?
            .ok_or_else(not_found)?;
        let (subscription, provider) = self
            .visible_subscription(tx, actor, domain.subscription.name.ascii())
            .await
            .map_err(|e| {
                if e.code == berth_core::ErrorCode::NotFound {
                    not_found()
                } else {
                    e
                }
            })?;
        Ok(Located {
            domain,
            subscription,
            provider,
        })
    }

    /// Like [`Berth::visible_domain`], for a name that must be of `kind`.
    async fn visible_of_kind(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        field: &str,
        raw: &str,
        kind: DomainKind,
    ) -> Result<Located> {
        let found = self.visible_domain(tx, actor, field, raw).await?;
        if found.domain.kind != kind {
            return Err(Error::not_found(
                field,
                format!(
                    "{} is not {}: it is {}",
                    found.domain.name,
                    a_kind(kind),
                    a_kind(found.domain.kind)
                ),
            ));
        }
        Ok(found)
    }

    /// The domain `raw` may hold aliases and subdomains: a main or additional domain.
    async fn visible_parent(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        raw: &str,
        what: &str,
    ) -> Result<Located> {
        let found = self.visible_domain(tx, actor, "domain", raw).await?;
        if !found.domain.kind.may_be_parent() {
            return Err(Error::invalid(
                "domain",
                format!(
                    "{} is {}: {what} belong to a main or additional domain",
                    found.domain.name,
                    a_kind(found.domain.kind)
                ),
            ));
        }
        Ok(found)
    }

    /// Refuses a name that is already registered (R7.1).
    async fn check_free(&self, tx: &mut dyn Tx, field: &str, name: &DomainName) -> Result<()> {
        match tx.domain_by_name(name.ascii()).await? {
            None => Ok(()),
            Some(taken) => Err(Error::conflict(
                Some(field),
                format!(
                    "{name} already exists (as {}): domain names are unique on the server",
                    a_kind(taken.kind)
                ),
            )),
        }
    }

    /// Refuses a document root that another website of the subscription uses (R7.3: each
    /// site and subdomain has its own).
    async fn check_own_root(
        &self,
        tx: &mut dyn Tx,
        subscription: Uuid,
        root: &DocumentRoot,
    ) -> Result<()> {
        let siblings = tx
            .list_domains(&DomainQuery {
                subscription: Some(subscription),
                ..Default::default()
            })
            .await?;
        match siblings
            .iter()
            .find(|d| d.document_root.as_ref() == Some(root))
        {
            None => Ok(()),
            Some(other) => Err(Error::conflict(
                Some("document_root"),
                format!(
                    "the document root {} is already used by {}: each site and subdomain has \
                     its own (R7.3)",
                    root.as_str(),
                    other.name
                ),
            )),
        }
    }

    /// Checks a count limit against what the subscription already has (R4.2).
    async fn check_room(
        &self,
        tx: &mut dyn Tx,
        sub: &Subscription,
        kind: DomainKind,
        limit: &str,
    ) -> Result<()> {
        tx.lock_subscription(sub.id).await?;
        let mut used = tx.count_domains(sub.id, kind).await?;
        if kind == DomainKind::Site {
            used += 1; // max_site counts the main domain too (R2.4).
        }
        check_count_limit(&sub.props, limit, used, 1)
    }

    fn new_entry(
        &self,
        name: DomainName,
        kind: DomainKind,
        sub: &Subscription,
        parent: Option<&HostedDomain>,
    ) -> HostedDomain {
        let now = self.clock.now();
        HostedDomain {
            id: self.new_id(),
            name,
            kind,
            subscription: DomainRef {
                id: sub.id,
                name: sub.name.clone(),
            },
            parent: parent.map(|p| DomainRef {
                id: p.id,
                name: p.name.clone(),
            }),
            document_root: None,
            alias: None,
            created_at: now,
            updated_at: now,
        }
    }

    fn scope(actor: &Actor) -> Option<berth_core::account::AccountId> {
        if actor.is_admin() {
            None
        } else {
            Some(actor.id)
        }
    }

    async fn list_kinds(
        &self,
        actor: &Actor,
        kinds: Vec<DomainKind>,
        subscription: Option<&str>,
        parent: Option<(&str, &str)>,
    ) -> Result<Vec<DomainView>> {
        let mut tx = self.store.read().await?;
        let mut query = DomainQuery {
            scope: Self::scope(actor),
            kinds,
            ..Default::default()
        };
        if let Some(raw) = subscription {
            let (sub, _) = self
                .visible_subscription(&mut *tx, actor, raw)
                .await
                .map_err(|e| e.with_field("subscription"))?;
            query.subscription = Some(sub.id);
        }
        if let Some((raw, what)) = parent {
            let found = self.visible_parent(&mut *tx, actor, raw, what).await?;
            query.parent = Some(found.domain.id);
        }
        Ok(tx
            .list_domains(&query)
            .await?
            .iter()
            .map(DomainView::of)
            .collect())
    }

    async fn remove_each(
        &self,
        actor: &Actor,
        names: &[String],
        kind: DomainKind,
        permission: &'static str,
        mode: Mode,
        progress: &dyn Progress,
    ) -> Vec<BulkItem<DomainView>> {
        let mut out = Vec::with_capacity(names.len());
        for (i, name) in names.iter().enumerate() {
            let result = self.remove_one(actor, name, kind, permission, mode).await;
            out.push(BulkItem::from_result(name, result));
            progress.advance(i + 1, names.len());
        }
        out
    }

    async fn remove_one(
        &self,
        actor: &Actor,
        name: &str,
        kind: DomainKind,
        permission: &str,
        mode: Mode,
    ) -> Result<DomainView> {
        let field = match kind {
            DomainKind::Alias => "alias",
            DomainKind::Subdomain => "name",
            _ => "domain",
        };
        let mut tx = self.store.write().await?;
        let found = self.visible_domain(&mut *tx, actor, field, name).await?;
        if found.domain.kind == DomainKind::Main {
            return Err(Error::conflict(
                Some(field),
                format!(
                    "{} is the main domain of its subscription: remove the subscription instead \
                     (`berth subscription remove {}`)",
                    found.domain.name, found.domain.name
                ),
            ));
        }
        if found.domain.kind != kind {
            return Err(Error::not_found(
                field,
                format!(
                    "{} is not {}: it is {}",
                    found.domain.name,
                    a_kind(kind),
                    a_kind(found.domain.kind)
                ),
            ));
        }
        found.check_manage(actor, permission)?;
        if kind == DomainKind::Subdomain {
            self.drop_subdomain_records(&mut *tx, &found).await?;
        }
        tx.delete_domain(found.domain.id).await?;
        let audit = berth_core::audit::diff(Some(&found.domain), None);
        self.record_changes(&mut *tx, actor, "domain remove", &audit)
            .await?;
        self.queue_provision(&mut *tx, &[found.domain.subscription.id])
            .await?;
        finish(tx, mode).await?;
        if mode == Mode::Apply {
            tracing::info!(actor = %actor.login, domain = %found.domain.name, kind = %kind, "domain removed");
        }
        Ok(DomainView::of(&found.domain))
    }

    // ------------------------------------------------------------ sites

    /// Adds an additional domain to a subscription (R3.9), counted by `max_site` with the
    /// main domain; customers need `create_domains`. The outcome carries the
    /// one-domain-per-subscription recommendation.
    pub async fn create_site(
        &self,
        actor: &Actor,
        input: NewSite,
        mode: Mode,
    ) -> Result<DomainOutcome> {
        let name = DomainName::parse("domain", &input.domain)?;
        let root = input
            .document_root
            .as_deref()
            .map(|r| DocumentRoot::parse("document_root", r))
            .transpose()?
            .unwrap_or_else(|| DocumentRoot::default_for(DomainKind::Site, &name));
        let mut tx = self.store.write().await?;
        let (sub, provider) = self
            .visible_subscription(&mut *tx, actor, &input.subscription)
            .await
            .map_err(|e| e.with_field("subscription"))?;
        check_manage_domains(
            actor,
            sub.owner.id,
            provider.id,
            &sub.props,
            "create_domains",
        )?;
        self.check_free(&mut *tx, "domain", &name).await?;
        self.check_room(&mut *tx, &sub, DomainKind::Site, "max_site")
            .await?;
        self.check_own_root(&mut *tx, sub.id, &root).await?;
        let mut site = self.new_entry(name, DomainKind::Site, &sub, None);
        site.document_root = Some(root);
        tx.insert_domain(&site).await?;
        let audit = berth_core::audit::diff(None, Some(&site));
        self.record_changes(&mut *tx, actor, "site create", &audit)
            .await?;
        self.queue_provision(&mut *tx, &[sub.id]).await?;
        self.create_zone(&mut *tx, &site, &sub).await?;
        finish(tx, mode).await?;
        if mode == Mode::Apply {
            tracing::info!(actor = %actor.login, domain = %site.name, subscription = %sub.name, "site created");
        }
        Ok(DomainOutcome {
            domain: DomainView::of(&site),
            recommendation: Some(ONE_DOMAIN_PER_SUBSCRIPTION),
            dry_run: mode == Mode::DryRun,
        })
    }

    /// The websites (main and additional domains) the actor may see, optionally of one
    /// subscription.
    pub async fn list_sites(
        &self,
        actor: &Actor,
        subscription: Option<&str>,
    ) -> Result<Vec<DomainView>> {
        self.list_kinds(
            actor,
            vec![DomainKind::Main, DomainKind::Site],
            subscription,
            None,
        )
        .await
    }

    /// Removes additional domains with their aliases, subdomains and zones, each in its own
    /// transaction. A main domain goes only with its subscription.
    pub async fn remove_sites(
        &self,
        actor: &Actor,
        names: &[String],
        mode: Mode,
        progress: &dyn Progress,
    ) -> Vec<BulkItem<DomainView>> {
        self.remove_each(
            actor,
            names,
            DomainKind::Site,
            "create_domains",
            mode,
            progress,
        )
        .await
    }

    // ------------------------------------------------------------ aliases

    /// Adds an alias to a main or additional domain (R7.2), counted by `max_dom_aliases`;
    /// customers need `manage_domain_aliases`. Its zone copies the domain's while DNS sync
    /// is on, else it is built from the template.
    pub async fn create_alias(
        &self,
        actor: &Actor,
        input: NewAlias,
        mode: Mode,
    ) -> Result<DomainOutcome> {
        let name = DomainName::parse("alias", &input.alias)?;
        let defaults = AliasOptions::default();
        let options = AliasOptions {
            web: match input.web.as_deref() {
                Some(w) => AliasWeb::parse("web", w)?,
                None => defaults.web,
            },
            mail: input.mail.unwrap_or(defaults.mail),
            dns_sync: input.dns_sync.unwrap_or(defaults.dns_sync),
        };
        let mut tx = self.store.write().await?;
        let target = self
            .visible_parent(&mut *tx, actor, &input.domain, "aliases")
            .await?;
        target.check_manage(actor, "manage_domain_aliases")?;
        self.check_free(&mut *tx, "alias", &name).await?;
        self.check_room(
            &mut *tx,
            &target.subscription,
            DomainKind::Alias,
            "max_dom_aliases",
        )
        .await?;
        let mut alias = self.new_entry(
            name,
            DomainKind::Alias,
            &target.subscription,
            Some(&target.domain),
        );
        alias.alias = Some(options);
        tx.insert_domain(&alias).await?;
        let audit = berth_core::audit::diff(None, Some(&alias));
        self.record_changes(&mut *tx, actor, "alias create", &audit)
            .await?;
        self.queue_provision(&mut *tx, &[alias.subscription.id])
            .await?;
        self.create_zone(&mut *tx, &alias, &target.subscription)
            .await?;
        finish(tx, mode).await?;
        if mode == Mode::Apply {
            tracing::info!(actor = %actor.login, alias = %alias.name, domain = %target.domain.name, "alias created");
        }
        Ok(DomainOutcome {
            domain: DomainView::of(&alias),
            recommendation: None,
            dry_run: mode == Mode::DryRun,
        })
    }

    /// Changes an alias's options (R7.2). Turning DNS sync on makes its zone a copy of the
    /// domain's again; turning it off leaves the zone as it is, independent from then on.
    pub async fn update_alias(
        &self,
        actor: &Actor,
        alias: &str,
        change: AliasChange,
        mode: Mode,
    ) -> Result<DomainOutcome> {
        let web = change
            .web
            .as_deref()
            .map(|w| AliasWeb::parse("web", w))
            .transpose()?;
        if web.is_none() && change.mail.is_none() && change.dns_sync.is_none() {
            return Err(Error::invalid(
                "web",
                "give --web, --mail or --dns-sync to change an alias",
            ));
        }
        let mut tx = self.store.write().await?;
        let found = self
            .visible_of_kind(&mut *tx, actor, "alias", alias, DomainKind::Alias)
            .await?;
        found.check_manage(actor, "manage_domain_aliases")?;
        let mut entry = found.domain.clone();
        let before = entry.alias.unwrap_or_default();
        let after = AliasOptions {
            web: web.unwrap_or(before.web),
            mail: change.mail.unwrap_or(before.mail),
            dns_sync: change.dns_sync.unwrap_or(before.dns_sync),
        };
        entry.alias = Some(after);
        entry.updated_at = self.clock.now();
        tx.update_domain(&entry).await?;
        let audit = berth_core::audit::diff(Some(&found.domain), Some(&entry));
        self.record_changes(&mut *tx, actor, "alias update", &audit)
            .await?;
        self.queue_provision(&mut *tx, &[entry.subscription.id])
            .await?;
        if before.dns_sync != after.dns_sync {
            self.alias_sync_changed(&mut *tx, &entry, &found.subscription)
                .await?;
        }
        finish(tx, mode).await?;
        Ok(DomainOutcome {
            domain: DomainView::of(&entry),
            recommendation: None,
            dry_run: mode == Mode::DryRun,
        })
    }

    /// The aliases the actor may see, optionally of one domain.
    pub async fn list_aliases(
        &self,
        actor: &Actor,
        domain: Option<&str>,
    ) -> Result<Vec<DomainView>> {
        self.list_kinds(
            actor,
            vec![DomainKind::Alias],
            None,
            domain.map(|d| (d, "aliases")),
        )
        .await
    }

    /// Removes aliases with their zones, each in its own transaction.
    pub async fn remove_aliases(
        &self,
        actor: &Actor,
        names: &[String],
        mode: Mode,
        progress: &dyn Progress,
    ) -> Vec<BulkItem<DomainView>> {
        self.remove_each(
            actor,
            names,
            DomainKind::Alias,
            "manage_domain_aliases",
            mode,
            progress,
        )
        .await
    }

    // ------------------------------------------------------------ subdomains

    /// Adds a subdomain `<name>.<domain>` (R7.3) with its own document root, counted by
    /// `max_subdom`; customers need `manage_subdomains`. Its records go into the domain's
    /// zone (and the zones of aliases that follow it).
    pub async fn create_subdomain(
        &self,
        actor: &Actor,
        input: NewSubdomain,
        mode: Mode,
    ) -> Result<DomainOutcome> {
        let root = input
            .document_root
            .as_deref()
            .map(|r| DocumentRoot::parse("document_root", r))
            .transpose()?;
        let mut tx = self.store.write().await?;
        let parent = self
            .visible_parent(&mut *tx, actor, &input.domain, "subdomains")
            .await?;
        let name = subdomain_name("name", &input.name, &parent.domain.name)?;
        parent.check_manage(actor, "manage_subdomains")?;
        self.check_free(&mut *tx, "name", &name).await?;
        self.check_room(
            &mut *tx,
            &parent.subscription,
            DomainKind::Subdomain,
            "max_subdom",
        )
        .await?;
        let root = root.unwrap_or_else(|| DocumentRoot::default_for(DomainKind::Subdomain, &name));
        self.check_own_root(&mut *tx, parent.subscription.id, &root)
            .await?;
        let mut sub = self.new_entry(
            name,
            DomainKind::Subdomain,
            &parent.subscription,
            Some(&parent.domain),
        );
        sub.document_root = Some(root);
        tx.insert_domain(&sub).await?;
        let audit = berth_core::audit::diff(None, Some(&sub));
        self.record_changes(&mut *tx, actor, "subdomain create", &audit)
            .await?;
        self.queue_provision(&mut *tx, &[sub.subscription.id])
            .await?;
        self.add_subdomain_records(&mut *tx, &parent, &sub).await?;
        finish(tx, mode).await?;
        if mode == Mode::Apply {
            tracing::info!(actor = %actor.login, subdomain = %sub.name, "subdomain created");
        }
        Ok(DomainOutcome {
            domain: DomainView::of(&sub),
            recommendation: None,
            dry_run: mode == Mode::DryRun,
        })
    }

    /// The subdomains the actor may see, optionally of one domain.
    pub async fn list_subdomains(
        &self,
        actor: &Actor,
        domain: Option<&str>,
    ) -> Result<Vec<DomainView>> {
        self.list_kinds(
            actor,
            vec![DomainKind::Subdomain],
            None,
            domain.map(|d| (d, "subdomains")),
        )
        .await
    }

    /// Removes subdomains and their records, each in its own transaction.
    pub async fn remove_subdomains(
        &self,
        actor: &Actor,
        names: &[String],
        mode: Mode,
        progress: &dyn Progress,
    ) -> Vec<BulkItem<DomainView>> {
        self.remove_each(
            actor,
            names,
            DomainKind::Subdomain,
            "manage_subdomains",
            mode,
            progress,
        )
        .await
    }
}

impl Berth {
    /// Moves the files of an additional domain or a subdomain to another document root
    /// inside the webspace (R7.3: each site and subdomain keeps its own); the same rights
    /// as creating it (`create_domains` for sites, `manage_subdomains` for subdomains).
    pub async fn set_document_root(
        &self,
        actor: &Actor,
        name: &str,
        document_root: &str,
        mode: Mode,
    ) -> Result<DomainOutcome> {
        let root = DocumentRoot::parse("document_root", document_root)?;
        let mut tx = self.store.write().await?;
        let found = self.visible_domain(&mut *tx, actor, "name", name).await?;
        let permission = match found.domain.kind {
            DomainKind::Site => "create_domains",
            DomainKind::Subdomain => "manage_subdomains",
            other => {
                return Err(Error::invalid(
                    "name",
                    format!(
                        "{} is {}: only additional domains and subdomains have a document \
                         root of their own",
                        found.domain.name,
                        a_kind(other)
                    ),
                ));
            }
        };
        found.check_manage(actor, permission)?;
        let siblings = tx
            .list_domains(&DomainQuery {
                subscription: Some(found.subscription.id),
                ..Default::default()
            })
            .await?;
        if let Some(other) = siblings
            .iter()
            .find(|d| d.id != found.domain.id && d.document_root.as_ref() == Some(&root))
        {
            return Err(Error::conflict(
                Some("document_root"),
                format!(
                    "the document root {} is already used by {}: each site and subdomain has \
                     its own (R7.3)",
                    root.as_str(),
                    other.name
                ),
            ));
        }
        let mut entry = found.domain.clone();
        entry.document_root = Some(root);
        entry.updated_at = self.clock.now();
        tx.update_domain(&entry).await?;
        self.queue_provision(&mut *tx, &[entry.subscription.id])
            .await?;
        finish(tx, mode).await?;
        if mode == Mode::Apply {
            tracing::info!(actor = %actor.login, domain = %entry.name, "document root changed");
        }
        Ok(DomainOutcome {
            domain: DomainView::of(&entry),
            recommendation: None,
            dry_run: mode == Mode::DryRun,
        })
    }

    /// Renames a subdomain inside its domain (`blog.example.com` to `news.example.com`):
    /// the new name must be free on the server (R7.1); the subdomain keeps its id, its
    /// document root and its files, and its DNS records follow the new name.
    pub async fn rename_subdomain(
        &self,
        actor: &Actor,
        name: &str,
        new_name: &str,
        mode: Mode,
    ) -> Result<DomainOutcome> {
        let mut tx = self.store.write().await?;
        let found = self
            .visible_of_kind(&mut *tx, actor, "name", name, DomainKind::Subdomain)
            .await?;
        found.check_manage(actor, "manage_subdomains")?;
        let parent_ref = found
            .domain
            .parent
            .clone()
            .ok_or_else(|| Error::failed("a subdomain without its domain"))?;
        let renamed = subdomain_name("new_name", new_name, &parent_ref.name)?;
        if renamed == found.domain.name {
            return Err(Error::invalid(
                "new_name",
                format!("{renamed} is already the subdomain's name"),
            ));
        }
        self.check_free(&mut *tx, "new_name", &renamed).await?;
        let parent = self
            .visible_domain(&mut *tx, actor, "domain", parent_ref.name.ascii())
            .await?;
        self.drop_subdomain_records(&mut *tx, &found).await?;
        // The registry keys names by their id: the entry is written again under its new
        // name with the same id, so its number (legacy id) stays.
        tx.delete_domain(found.domain.id).await?;
        let mut entry = found.domain.clone();
        entry.name = renamed;
        entry.updated_at = self.clock.now();
        tx.insert_domain(&entry).await?;
        self.add_subdomain_records(&mut *tx, &parent, &entry)
            .await?;
        self.queue_provision(&mut *tx, &[entry.subscription.id])
            .await?;
        finish(tx, mode).await?;
        if mode == Mode::Apply {
            tracing::info!(actor = %actor.login, from = %found.domain.name, to = %entry.name, "subdomain renamed");
        }
        Ok(DomainOutcome {
            domain: DomainView::of(&entry),
            recommendation: None,
            dry_run: mode == Mode::DryRun,
        })
    }
}
