//! Reseller use cases (SPEC §4): limits, permissions and oversell policy from a reseller
//! plan or custom, kept in sync with the plan; admission control (R4.2, R4.3); IP pools
//! (R4.5); the resources and permissions overview (R4.4).

use berth_core::account::{AccountId, AccountKind, Login, OwnerRef};
use berth_core::hosting::PlanRef;
use berth_core::ip::IpAddress;
use berth_core::property::{Group, PlanType, Properties, parse_assignment, to_grouped_json};
use berth_core::reseller::{self, ResellerProfile, overview};
use berth_core::rights::{self, Actor};
use berth_core::sync::{self, Capabilities, SyncState, conflicts_to_json};
use berth_core::{Error, Result};
use berth_store::Tx;
use serde::Serialize;

use crate::plans::{Assignment, SyncReport};
use crate::views::{AccountView, BulkItem};
use crate::{Berth, Mode, Progress, finish};

/// A reseller's terms as typed: a reseller plan (or none: custom) and `--limit`/`--perm`
/// values (customizations on top of a plan, or the custom values themselves).
#[derive(Debug, Clone, Default)]
pub struct ResellerTerms {
    /// Reseller plan name; `Some("")` detaches to custom.
    pub plan: Option<String>,
    /// Limit and permission assignments (`allow_oversell` is the oversell policy).
    pub assignments: Vec<Assignment>,
}

impl ResellerTerms {
    /// Whether nothing is given.
    pub fn is_empty(&self) -> bool {
        self.plan.is_none() && self.assignments.is_empty()
    }
}

/// A reseller's part of the account JSON (CLI.md: `limits, permissions, oversell`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResellerView {
    /// Reseller plan name, null when custom.
    pub plan: Option<String>,
    /// Limits (`max_cl`, `max_dom`, `disk_space`, ...; `-1` unlimited).
    pub limits: serde_json::Value,
    /// Permissions, reseller-only ones included.
    pub permissions: serde_json::Value,
    /// Whether allocations may exceed its limits (R4.3).
    pub oversell: bool,
    /// Synced, locked or unsynced with its plan.
    pub sync_state: &'static str,
    /// Customized fields.
    pub customized: Vec<&'static str>,
    /// Conflict report.
    pub conflicts: serde_json::Value,
}

impl ResellerView {
    /// The view of a profile.
    pub fn of(p: &ResellerProfile) -> Self {
        let groups = to_grouped_json(&p.props);
        ResellerView {
            plan: p.plan.as_ref().map(|r| r.name.clone()),
            limits: groups.get("limits").cloned().unwrap_or_default(),
            permissions: groups.get("permissions").cloned().unwrap_or_default(),
            oversell: p.oversell(),
            sync_state: p.sync_state.as_str(),
            customized: p.custom.keys().copied().collect(),
            conflicts: conflicts_to_json(&p.conflicts),
        }
    }
}

/// One line of the overview (R4.4).
#[derive(Debug, Clone, Serialize)]
pub struct OverviewLine {
    /// The limit.
    pub limit: &'static str,
    /// Its value; `-1` unlimited.
    pub value: i64,
    /// Allocated (resources) or in use (counts).
    pub allocated: i64,
    /// Whether some allocation is unlimited.
    pub allocated_unlimited: bool,
    /// What remains; null when unlimited.
    pub remaining: Option<i64>,
}

/// "Resources and permissions" (R4.4).
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    /// The reseller.
    pub login: String,
    /// Each limit with allocated and remaining.
    pub limits: Vec<OverviewLine>,
    /// Permissions.
    pub permissions: serde_json::Value,
    /// Oversell policy.
    pub oversell: bool,
}

/// What a pool change did to one address.
#[derive(Debug, Clone, Serialize)]
pub struct PoolChange {
    /// The address.
    pub ip: String,
    /// Whether nothing was written.
    pub dry_run: bool,
}

fn parse_terms(assignments: &[Assignment]) -> Result<Properties> {
    let mut values = Properties::new();
    for (group, raw) in assignments {
        if !matches!(
            group,
            Group::Limits | Group::Permissions | Group::Applications
        ) {
            return Err(Error::invalid(
                group.as_str(),
                "resellers take only --limit, --perm and --oversell",
            ));
        }
        let (d, value) = parse_assignment(*group, PlanType::Reseller, raw)?;
        if d.name == "expiration" {
            return Err(Error::invalid(
                "expiration",
                "resellers have no validity period",
            ));
        }
        values.insert(d.name, value);
    }
    reseller::check_reseller_properties(&values)?;
    Ok(values)
}

impl Berth {
    /// A reseller's profile; one never written is a custom reseller with the defaults.
    pub(crate) async fn profile(&self, tx: &mut dyn Tx, id: AccountId) -> Result<ResellerProfile> {
        Ok(tx
            .reseller_profile(id)
            .await?
            .unwrap_or_else(|| ResellerProfile::custom(Properties::new())))
    }

    /// The profile of a subscription provider, `None` for the admin (no limits).
    pub(crate) async fn provider_profile(
        &self,
        tx: &mut dyn Tx,
        provider: &OwnerRef,
    ) -> Result<Option<ResellerProfile>> {
        match provider.kind {
            AccountKind::Reseller => Ok(Some(self.profile(tx, provider.id).await?)),
            _ => Ok(None),
        }
    }

    /// What can be provided to a provider's subscriptions (R3.4): the permissions its
    /// reseller lacks, the server's hard quota, the subscription's dedicated IP.
    pub(crate) fn capabilities_for(
        &self,
        profile: Option<&ResellerProfile>,
        dedicated_ip: bool,
    ) -> Capabilities {
        Capabilities {
            owner_lacks: profile.map(ResellerProfile::lacks).unwrap_or_default(),
            hard_quota: self.settings.hard_quota,
            dedicated_ip,
        }
    }

    /// Applies terms to a reseller's profile: a plan (synced, customized fields locked) or
    /// custom values.
    pub(crate) async fn apply_terms(
        &self,
        tx: &mut dyn Tx,
        current: ResellerProfile,
        terms: &ResellerTerms,
    ) -> Result<ResellerProfile> {
        let values = parse_terms(&terms.assignments)?;
        let mut next = current;
        match terms.plan.as_deref().map(str::trim) {
            Some("") => {
                next.plan = None;
                next.custom.clear();
            }
            Some(name) => {
                let admin = OwnerRef {
                    id: self.admin_id(tx).await?,
                    login: Login::admin(),
                    kind: AccountKind::Admin,
                };
                let plan = self
                    .find_plan(tx, &admin, Some(PlanType::Reseller), "plan", name)
                    .await?;
                next.plan = Some(PlanRef {
                    id: plan.id,
                    name: plan.name.as_str().to_owned(),
                });
                next.custom.clear();
            }
            None => {}
        }
        if next.plan.is_some() {
            next.custom.extend(values);
        } else {
            next.props.extend(values);
        }
        self.resync_profile(tx, &mut next).await?;
        Ok(next)
    }

    /// Recomputes a reseller's values from its plan and customized fields.
    pub(crate) async fn resync_profile(
        &self,
        tx: &mut dyn Tx,
        profile: &mut ResellerProfile,
    ) -> Result<()> {
        let Some(plan) = &profile.plan else {
            profile.sync_state = SyncState::Synced;
            profile.conflicts.clear();
            return Ok(());
        };
        let plans = tx.plans_by_ids(&[plan.id]).await?;
        let props = &plans
            .first()
            .ok_or_else(|| Error::failed("the reseller plan vanished"))?
            .props;
        let caps = self.capabilities_for(None, true);
        let planned: Properties = sync::plan_values(props, &[])
            .into_iter()
            .filter(|(n, _)| sync::properties_of(PlanType::Reseller).any(|d| d.name == *n))
            .collect();
        match sync::resolve_as(
            PlanType::Reseller,
            Some((props, &[])),
            &profile.custom,
            self.settings.lock_scope,
            &caps,
        ) {
            Some(r) => {
                profile.props = sync::apply(&planned, &r);
                profile.sync_state = r.state;
                profile.conflicts = r.conflicts;
            }
            None => {
                let (values, conflicts) =
                    sync::customized_values(&profile.props, &profile.custom, &caps);
                profile.props = values;
                profile.sync_state = if conflicts.is_empty() {
                    SyncState::Locked
                } else {
                    SyncState::Unsynced
                };
                profile.conflicts = conflicts;
            }
        }
        Ok(())
    }

    async fn admin_id(&self, tx: &mut dyn Tx) -> Result<AccountId> {
        Ok(tx
            .account_by_login(&Login::admin())
            .await?
            .ok_or_else(|| Error::failed("the admin account is missing"))?
            .id)
    }

    /// Syncs the resellers on reseller plan `plan_id` (R4.1: like subscriptions).
    pub(crate) async fn sync_resellers_on_plan(
        &self,
        tx: &mut dyn Tx,
        plan_id: uuid::Uuid,
    ) -> Result<SyncReport> {
        let mut report = SyncReport {
            synced: 0,
            locked: 0,
            unsynced: 0,
            impact: vec![],
        };
        let ids = tx.resellers_on_plan(plan_id).await?;
        for (id, mut profile) in tx.reseller_profiles(&ids).await? {
            if !profile.custom.is_empty()
                && self.settings.lock_scope == sync::LockScope::Subscription
            {
                report.locked += 1;
                continue;
            }
            self.resync_profile(tx, &mut profile).await?;
            match profile.sync_state {
                SyncState::Unsynced => report.unsynced += 1,
                _ => report.synced += 1,
            }
            tx.set_reseller_profile(id, &profile).await?;
        }
        Ok(report)
    }

    /// Refuses a new customer of `owner` beyond its limits or permissions (R4.1, R4.2).
    pub(crate) async fn admit_customer(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        owner: &OwnerRef,
    ) -> Result<()> {
        let Some(profile) = self.provider_profile(tx, owner).await? else {
            return Ok(());
        };
        if actor.id == owner.id && !profile.has("create_clients") {
            return Err(Error::forbidden(format!(
                "{} lacks the create_clients permission",
                owner.login
            )));
        }
        tx.lock_provider(owner.id).await?;
        let usage = tx.provider_usage(owner.id).await?;
        reseller::admit_customer(&profile, &usage)
    }

    /// Refuses a subscription of `provider` beyond its limits or permissions (R4.2, R4.3):
    /// `after` its allocation, `before` the one it replaces (`None` for a new one).
    pub(crate) async fn admit_allocation(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        provider: &OwnerRef,
        after: &Properties,
        before: Option<&Properties>,
    ) -> Result<()> {
        let profile = self.provider_profile(tx, provider).await?;
        self.admit_allocation_with(tx, actor, provider, profile.as_ref(), after, before)
            .await
    }

    /// [`Self::admit_allocation`] with the provider's profile already read (`None` for the
    /// admin). The reseller's usage is summed (under its lock) only when a finite limit
    /// makes the answer depend on it (`reseller::admission_needs_usage`).
    pub(crate) async fn admit_allocation_with(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        provider: &OwnerRef,
        profile: Option<&ResellerProfile>,
        after: &Properties,
        before: Option<&Properties>,
    ) -> Result<()> {
        let Some(profile) = profile else {
            return Ok(());
        };
        if before.is_none() && actor.id == provider.id && !profile.has("create_domains") {
            return Err(Error::forbidden(format!(
                "{} lacks the create_domains permission",
                provider.login
            )));
        }
        if !reseller::admission_needs_usage(profile, before) {
            return Ok(());
        }
        // The usage counts the allocation being replaced; admit_subscription frees it.
        tx.lock_provider(provider.id).await?;
        let usage = tx.provider_usage(provider.id).await?;
        reseller::admit_subscription(profile, &usage, after, before)
    }

    /// `reseller update ... --plan/--limit/--perm/--oversell`: new terms for a reseller
    /// (admin only).
    pub async fn set_reseller_terms(
        &self,
        actor: &Actor,
        login: &str,
        terms: &ResellerTerms,
        mode: Mode,
    ) -> Result<AccountView> {
        if !actor.is_admin() {
            return Err(Error::forbidden(
                "only the admin sets a reseller's limits and permissions",
            ));
        }
        let mut tx = self.store.write().await?;
        let account = self
            .visible_account(&mut *tx, actor, AccountKind::Reseller, "login", login)
            .await?;
        let current = self.profile(&mut *tx, account.id).await?;
        let next = self.apply_terms(&mut *tx, current.clone(), terms).await?;
        tx.set_reseller_profile(account.id, &next).await?;
        let audit = berth_core::audit::diff_fields(
            &format!("reseller {}", account.login),
            berth_core::audit::reseller_profile_fields(&current),
            berth_core::audit::reseller_profile_fields(&next),
        );
        self.record_changes(&mut *tx, actor, "reseller terms", &audit)
            .await?;
        finish(tx, mode).await?;
        let mut view = AccountView::of(&account, rights::can_see_description(actor, &account));
        view.reseller = Some(ResellerView::of(&next));
        Ok(view)
    }

    /// The resources and permissions overview (R4.4): the admin for any reseller, a
    /// reseller for itself.
    pub async fn reseller_overview(&self, actor: &Actor, login: &str) -> Result<Overview> {
        let mut tx = self.store.read().await?;
        let account = self
            .visible_account(&mut *tx, actor, AccountKind::Reseller, "login", login)
            .await?;
        let profile = self.profile(&mut *tx, account.id).await?;
        let usage = tx.provider_usage(account.id).await?;
        let limits = overview(&profile, &usage)
            .into_iter()
            .map(|l| OverviewLine {
                limit: l.limit,
                value: l.value,
                allocated: l.allocated,
                allocated_unlimited: l.allocated_unlimited,
                remaining: l.remaining,
            })
            .collect();
        Ok(Overview {
            login: account.login.to_string(),
            limits,
            permissions: to_grouped_json(&profile.props)
                .get("permissions")
                .cloned()
                .unwrap_or_default(),
            oversell: profile.oversell(),
        })
    }

    /// Adds addresses to a reseller's IP pool (admin only, R4.5). A dedicated address
    /// belongs to one pool at most.
    pub async fn pool_add(
        &self,
        actor: &Actor,
        login: &str,
        ips: &[String],
        mode: Mode,
        progress: &dyn Progress,
    ) -> Vec<BulkItem<PoolChange>> {
        self.pool_change(actor, login, ips, true, mode, progress)
            .await
    }

    /// Removes addresses from a reseller's IP pool (admin only); refused while the
    /// reseller's subscriptions use them.
    pub async fn pool_remove(
        &self,
        actor: &Actor,
        login: &str,
        ips: &[String],
        mode: Mode,
        progress: &dyn Progress,
    ) -> Vec<BulkItem<PoolChange>> {
        self.pool_change(actor, login, ips, false, mode, progress)
            .await
    }

    async fn pool_change(
        &self,
        actor: &Actor,
        login: &str,
        ips: &[String],
        add: bool,
        mode: Mode,
        progress: &dyn Progress,
    ) -> Vec<BulkItem<PoolChange>> {
        let mut out = vec![];
        for (i, ip) in ips.iter().enumerate() {
            let result = self.one_pool_change(actor, login, ip, add, mode).await;
            out.push(BulkItem::from_result(ip, result));
            progress.advance(i + 1, ips.len());
        }
        out
    }

    async fn one_pool_change(
        &self,
        actor: &Actor,
        login: &str,
        ip: &str,
        add: bool,
        mode: Mode,
    ) -> Result<PoolChange> {
        if !actor.is_admin() {
            return Err(Error::forbidden("only the admin manages IP pools"));
        }
        let address = IpAddress::parse("ip", ip)?;
        let mut tx = self.store.write().await?;
        let reseller = self
            .visible_account(&mut *tx, actor, AccountKind::Reseller, "login", login)
            .await?;
        let record = tx.ip_by_address(&address).await?.ok_or_else(|| {
            Error::not_found("ip", format!("IP address {address} is not registered"))
        })?;
        if add {
            let holders = tx.pool_holders(record.id.0).await?;
            if record.kind == berth_core::ip::IpKind::Dedicated
                && holders.iter().any(|h| *h != reseller.id)
            {
                return Err(Error::conflict(
                    Some("ip"),
                    format!("dedicated address {address} is in another reseller's pool"),
                ));
            }
            if !tx.add_pool_ip(reseller.id, record.id.0).await? {
                return Err(Error::conflict(
                    Some("ip"),
                    format!("{address} is already in {}'s pool", reseller.login),
                ));
            }
        } else {
            let users = tx.ip_subscribers(record.id.0).await?;
            let mut used = false;
            for user in users {
                if user == reseller.id {
                    used = true;
                } else if let Some(a) = tx.account_by_id(user).await? {
                    used |= a.owner.as_ref().is_some_and(|o| o.id == reseller.id);
                }
            }
            if used {
                return Err(Error::conflict(
                    Some("ip"),
                    format!("{address} is used by {}'s subscriptions", reseller.login),
                ));
            }
            if !tx.remove_pool_ip(reseller.id, record.id.0).await? {
                return Err(Error::not_found(
                    "ip",
                    format!("{address} is not in {}'s pool", reseller.login),
                ));
            }
        }
        let (before, after) = if add {
            (None, Some(address.to_string()))
        } else {
            (Some(address.to_string()), None)
        };
        let audit = [berth_core::audit::FieldChange::new(
            format!("reseller {}", reseller.login),
            "ip_pool",
            before,
            after,
        )];
        self.record_changes(&mut *tx, actor, "reseller ip-pool", &audit)
            .await?;
        finish(tx, mode).await?;
        Ok(PoolChange {
            ip: address.to_string(),
            dry_run: mode == Mode::DryRun,
        })
    }
}

impl Berth {
    /// The addresses of a reseller's IP pool (R4.5): the admin for any reseller, a
    /// reseller for itself; IPv4 before IPv6, then by address.
    pub async fn reseller_pool(
        &self,
        actor: &Actor,
        login: &str,
    ) -> Result<Vec<crate::ips::IpView>> {
        let mut tx = self.store.read().await?;
        let account = self
            .visible_account(&mut *tx, actor, AccountKind::Reseller, "login", login)
            .await?;
        if !actor.is_admin() && actor.id != account.id {
            return Err(Error::not_found("login", format!("no reseller {login}")));
        }
        let ips = tx.pool_ips(account.id).await?;
        Ok(ips.iter().map(crate::ips::IpView::of).collect())
    }
}
