//! Plan use cases (SPEC §2): create, update ("Update & Sync", R2.3, with dry run R3.10),
//! info, list, remove (R2.2). The sync of a plan change is set-based: one statement per
//! group of subscriptions that sync alike, all in the plan change's transaction.

use std::collections::HashMap;

use berth_core::account::{AccountId, AccountKind, Login, OwnerRef};
use berth_core::hosting::{Plan, PlanName, check_manage_plans};
use berth_core::property::{
    Group, PlanType, Properties, defaults_for, descriptor, from_flat_json, parse_assignment,
    to_grouped_json,
};
use berth_core::reseller::ResellerProfile;
use berth_core::rights::{self, Actor};
use berth_core::sync::{self, SyncState, conflicts_to_json};
use berth_core::{Error, Result};
use berth_store::Tx;
use berth_store::hosting::{GroupUpdate, SyncGroup};
use serde::Serialize;
use uuid::Uuid;

use crate::{Berth, Mode, finish};

/// A plan as shown: the CLI.md shape (`id, name, owner, type, limits, permissions, hosting,
/// php, mail, dns, performance, logs, subscriptions`).
#[derive(Debug, Clone, Serialize)]
pub struct PlanView {
    /// Stable id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Owner's login.
    pub owner: String,
    /// `service`, `addon` or `reseller`.
    #[serde(rename = "type")]
    pub plan_type: &'static str,
    /// Property groups (`limits`, `permissions`, ...).
    #[serde(flatten)]
    pub properties: serde_json::Map<String, serde_json::Value>,
    /// Number of subscriptions using it.
    pub subscriptions: u64,
}

impl PlanView {
    fn of(plan: &Plan, subscriptions: u64) -> Self {
        PlanView {
            id: plan.id,
            name: plan.name.as_str().to_owned(),
            owner: plan.owner.login.to_string(),
            plan_type: plan.plan_type.as_str(),
            properties: with_every_group(to_grouped_json(&plan.props)),
            subscriptions,
        }
    }
}

/// The CLI.md plan shape has every group, even those a plan type does not carry.
fn with_every_group(
    mut groups: serde_json::Map<String, serde_json::Value>,
) -> serde_json::Map<String, serde_json::Value> {
    for group in Group::ALL {
        groups
            .entry(group.as_str())
            .or_insert_with(|| serde_json::Value::Object(Default::default()));
    }
    groups
}

/// A property assignment as typed: the group of its flag and `NAME=VALUE`.
pub type Assignment = (Group, String);

/// One field's change in a preview: `old → new`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// Property name.
    pub field: &'static str,
    /// Value before.
    pub old: serde_json::Value,
    /// Value after.
    pub new: serde_json::Value,
}

/// What a sync does (or would do) to one subscription.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubscriptionImpact {
    /// Subscription (domain) name.
    pub name: String,
    /// `synced`, `locked` (skipped) or `unsynced`.
    pub outcome: &'static str,
    /// Fields that change.
    pub changes: Vec<FieldChange>,
    /// The conflict report, when unsynced.
    pub conflicts: serde_json::Value,
}

/// What "Update & Sync" did (R2.3), or would do (R3.10).
#[derive(Debug, Clone, Serialize)]
pub struct SyncReport {
    /// Subscriptions synced to the new values.
    pub synced: u64,
    /// Subscriptions skipped because they are locked.
    pub locked: u64,
    /// Subscriptions left unsynced, with a conflict report.
    pub unsynced: u64,
    /// Per subscription (dry runs only; applying reports counts).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub impact: Vec<SubscriptionImpact>,
}

/// What a plan update did.
#[derive(Debug, Clone, Serialize)]
pub struct PlanUpdateOutcome {
    /// The plan after the change.
    pub plan: PlanView,
    /// Plan fields that changed.
    pub changed: Vec<FieldChange>,
    /// The sync of its subscriptions.
    pub sync: SyncReport,
    /// Whether nothing was written.
    pub dry_run: bool,
}

fn apply_assignments(
    props: &mut Properties,
    plan_type: PlanType,
    assignments: &[Assignment],
) -> Result<()> {
    for (group, raw) in assignments {
        let (d, value) = parse_assignment(*group, plan_type, raw)?;
        props.insert(d.name, value);
    }
    check_plan_consistency(props, plan_type)
}

/// Rules a plan must keep on its own (never about its owner, R2.7).
fn check_plan_consistency(props: &Properties, plan_type: PlanType) -> Result<()> {
    use berth_core::value::Value;
    if plan_type == PlanType::Service {
        let granted = |p: &str| props.get(p) == Some(&Value::Bool(true));
        for dependent in ["manage_performance", "manage_php_settings"] {
            if granted(dependent) && !granted("manage_phosting") {
                return Err(Error::invalid(
                    dependent,
                    format!("{dependent} needs manage_phosting (R2.6): grant both or neither"),
                ));
            }
        }
    }
    if props.get("nonexistent_user") == Some(&Value::Choice("forward".into())) {
        let address = match props.get("forward_address") {
            Some(Value::Text(t)) => t.clone(),
            _ => String::new(),
        };
        berth_core::account::Email::parse("forward_address", &address).map_err(|_| {
            Error::invalid("forward_address", "forward_address must be an email address when mail to non-existent users is forwarded")
        })?;
    }
    Ok(())
}

fn json_of(name: &'static str, value: Option<&berth_core::value::Value>) -> serde_json::Value {
    match (descriptor(name), value) {
        (Some(d), Some(v)) => d.to_json(v),
        _ => serde_json::Value::Null,
    }
}

/// Field changes between two property sets.
pub(crate) fn field_changes(old: &Properties, new: &Properties) -> Vec<FieldChange> {
    sync::differences(old, new)
        .into_iter()
        .map(|(field, a, b)| FieldChange {
            field,
            old: json_of(field, a),
            new: json_of(field, b),
        })
        .collect()
}

impl Berth {
    /// The account named `raw` as a plan owner the actor can see (admin or reseller), or
    /// the actor's provider account when `None`.
    pub(crate) async fn plan_owner(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        raw: Option<&str>,
    ) -> Result<OwnerRef> {
        let login = match raw {
            Some(raw) => Login::parse("owner", raw)?,
            None => actor.login.clone(),
        };
        let not_found = || Error::not_found("owner", format!("no reseller or admin {login}"));
        let account = tx.account_by_login(&login).await?.ok_or_else(not_found)?;
        if !rights::can_view(actor, &account) || account.kind == AccountKind::Customer {
            if raw.is_none() {
                return Err(Error::forbidden(format!("a {} has no plans", actor.kind)));
            }
            return Err(not_found());
        }
        Ok(OwnerRef {
            id: account.id,
            login: account.login,
            kind: account.kind,
        })
    }

    /// The plan of `owner` named `name`, of `plan_type` when given, or the only plan of
    /// that name otherwise.
    pub(crate) async fn find_plan(
        &self,
        tx: &mut dyn Tx,
        owner: &OwnerRef,
        plan_type: Option<PlanType>,
        field: &str,
        name: &str,
    ) -> Result<Plan> {
        let types = match plan_type {
            Some(t) => vec![t],
            None => vec![PlanType::Service, PlanType::Addon, PlanType::Reseller],
        };
        let mut found = vec![];
        for t in types {
            if let Some(plan) = tx.plan_by_name(owner.id, t, name).await? {
                found.push(plan);
            }
        }
        match found.len() {
            0 => Err(Error::not_found(
                field,
                format!("{} has no plan named {name:?}", owner.login),
            )),
            1 => Ok(found.remove(0)),
            _ => Err(Error::invalid(
                "type",
                format!(
                    "{} has several plans named {name:?}: give --type",
                    owner.login
                ),
            )),
        }
    }

    /// Creates a plan (R2.1). Plans define potential services: nothing about the owner's
    /// own permissions or resources is checked here (R2.7).
    pub async fn create_plan(
        &self,
        actor: &Actor,
        name: &str,
        plan_type: PlanType,
        owner: Option<&str>,
        assignments: &[Assignment],
        mode: Mode,
    ) -> Result<PlanView> {
        let name = PlanName::parse("name", name)?;
        let mut props = match plan_type {
            PlanType::Addon => Properties::new(),
            other => defaults_for(other),
        };
        apply_assignments(&mut props, plan_type, assignments)?;
        let mut tx = self.store.write().await?;
        let owner = self.plan_owner(&mut *tx, actor, owner).await?;
        check_manage_plans(actor, &owner, plan_type)?;
        let now = self.clock.now();
        let plan = Plan {
            id: self.new_id(),
            owner,
            plan_type,
            name,
            props,
            created_at: now,
            updated_at: now,
        };
        tx.insert_plan(&plan)
            .await
            .map_err(|e| plan_name_taken(e, &plan))?;
        let changes = berth_core::audit::diff(None, Some(&plan));
        self.record_changes(&mut *tx, actor, "plan create", &changes)
            .await?;
        finish(tx, mode).await?;
        Ok(PlanView::of(&plan, 0))
    }

    /// One plan.
    pub async fn plan_info(
        &self,
        actor: &Actor,
        name: &str,
        plan_type: Option<PlanType>,
        owner: Option<&str>,
    ) -> Result<PlanView> {
        let mut tx = self.store.read().await?;
        let owner = self.plan_owner(&mut *tx, actor, owner).await?;
        let plan = self
            .find_plan(&mut *tx, &owner, plan_type, "name", name)
            .await?;
        let usage = tx.plan_usage(plan.id).await?;
        Ok(PlanView::of(&plan, usage))
    }

    /// Plans the actor may see: the admin's and every reseller's for the admin (or one
    /// owner's with `owner`), a reseller its own.
    pub async fn list_plans(
        &self,
        actor: &Actor,
        plan_type: Option<PlanType>,
        owner: Option<&str>,
    ) -> Result<Vec<PlanView>> {
        let mut tx = self.store.read().await?;
        let owner_id = match (owner, actor.kind) {
            (Some(raw), _) => Some(self.plan_owner(&mut *tx, actor, Some(raw)).await?.id),
            (None, AccountKind::Admin) => None,
            (None, AccountKind::Reseller) => Some(actor.id),
            (None, AccountKind::Customer) => {
                return Err(Error::forbidden("a customer has no plans"));
            }
        };
        let plans = tx.list_plans(owner_id, plan_type).await?;
        Ok(plans
            .iter()
            .map(|(p, usage)| PlanView::of(p, *usage))
            .collect())
    }

    /// Removes a plan unless something uses it (R2.2).
    pub async fn remove_plan(
        &self,
        actor: &Actor,
        name: &str,
        plan_type: Option<PlanType>,
        owner: Option<&str>,
        mode: Mode,
    ) -> Result<PlanView> {
        let mut tx = self.store.write().await?;
        let owner = self.plan_owner(&mut *tx, actor, owner).await?;
        let plan = self
            .find_plan(&mut *tx, &owner, plan_type, "name", name)
            .await?;
        check_manage_plans(actor, &plan.owner, plan.plan_type)?;
        let usage = tx.plan_usage(plan.id).await?;
        if usage > 0 {
            return Err(Error::conflict(
                Some("name"),
                format!(
                    "plan {:?} is used by {usage} subscription(s): change their plan first",
                    plan.name.as_str()
                ),
            ));
        }
        tx.delete_plan(plan.id).await?;
        let changes = berth_core::audit::diff(Some(&plan), None);
        self.record_changes(&mut *tx, actor, "plan remove", &changes)
            .await?;
        finish(tx, mode).await?;
        Ok(PlanView::of(&plan, 0))
    }

    /// "Update & Sync" (R2.3): changes a plan and syncs every subscription using it in the
    /// same transaction; a dry run reports per subscription what would change (R3.10).
    #[allow(clippy::too_many_arguments)]
    pub async fn update_plan(
        &self,
        actor: &Actor,
        name: &str,
        plan_type: Option<PlanType>,
        owner: Option<&str>,
        new_name: Option<&str>,
        assignments: &[Assignment],
        mode: Mode,
    ) -> Result<PlanUpdateOutcome> {
        let new_name = new_name
            .map(|n| PlanName::parse("new_name", n))
            .transpose()?;
        let mut tx = self.store.write().await?;
        let owner = self.plan_owner(&mut *tx, actor, owner).await?;
        let current = self
            .find_plan(&mut *tx, &owner, plan_type, "name", name)
            .await?;
        check_manage_plans(actor, &current.owner, current.plan_type)?;
        let mut plan = current.clone();
        apply_assignments(&mut plan.props, plan.plan_type, assignments)?;
        if let Some(n) = new_name {
            plan.name = n;
        }
        plan.updated_at = self.clock.now();
        tx.update_plan(&plan)
            .await
            .map_err(|e| plan_name_taken(e, &plan))?;
        let report = if plan.plan_type == PlanType::Reseller {
            self.sync_resellers_on_plan(&mut *tx, plan.id).await?
        } else {
            self.sync_plan(&mut *tx, plan.id, Some(&current.props), mode)
                .await?
        };
        let usage = tx.plan_usage(plan.id).await?;
        let mut changes = berth_core::audit::diff(Some(&current), Some(&plan));
        let object = berth_core::audit::Auditable::audit_object(&plan);
        for (field, count) in [
            ("synced_subscriptions", report.synced),
            ("locked_subscriptions", report.locked),
            ("unsynced_subscriptions", report.unsynced),
        ] {
            if count > 0 {
                changes.push(berth_core::audit::FieldChange::count(&object, field, count));
            }
        }
        self.record_changes(&mut *tx, actor, "plan update", &changes)
            .await?;
        finish(tx, mode).await?;
        Ok(PlanUpdateOutcome {
            changed: field_changes(&current.props, &plan.props),
            plan: PlanView::of(&plan, usage),
            sync: report,
            dry_run: mode == Mode::DryRun,
        })
    }

    /// Syncs every subscription using plan `plan_id` (as service plan or add-on), one
    /// statement per group of alike subscriptions.
    ///
    /// `previous` is the plan's properties before the change: a group of synced
    /// subscriptions holds exactly what the previous plan resolved to, so only the values
    /// that resolve differently now are written to it (the rest would be rewritten with
    /// what they already hold). Other groups get every resolved value.
    pub(crate) async fn sync_plan(
        &self,
        tx: &mut dyn Tx,
        plan_id: Uuid,
        previous: Option<&Properties>,
        mode: Mode,
    ) -> Result<SyncReport> {
        let groups = tx.sync_groups(plan_id).await?;
        let mut ids: Vec<Uuid> = groups
            .iter()
            .flat_map(|g| std::iter::once(g.plan_id).chain(g.addon_ids()))
            .collect();
        ids.sort();
        ids.dedup();
        let plans: HashMap<Uuid, Plan> = tx
            .plans_by_ids(&ids)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let mut providers: Vec<AccountId> = groups.iter().map(|g| g.provider_id).collect();
        providers.sort();
        providers.dedup();
        let profiles: HashMap<AccountId, ResellerProfile> = tx
            .reseller_profiles(&providers)
            .await?
            .into_iter()
            .collect();
        let before: Option<HashMap<Uuid, Plan>> = previous.map(|props| {
            let mut old = plans.clone();
            if let Some(p) = old.get_mut(&plan_id) {
                p.props = props.clone();
            }
            old
        });
        let mut report = SyncReport {
            synced: 0,
            locked: 0,
            unsynced: 0,
            impact: vec![],
        };
        let now = self.clock.now();
        for group in &groups {
            let resolution = self.resolve_group_with(group, &plans, &profiles)?;
            let Some(r) = resolution else {
                report.locked += group.count;
                if mode == Mode::DryRun {
                    for (name, _) in tx.group_members(group).await? {
                        let name = unicode_name(&name);
                        report.impact.push(SubscriptionImpact {
                            name,
                            outcome: "locked",
                            changes: vec![],
                            conflicts: serde_json::json!([]),
                        });
                    }
                }
                continue;
            };
            let conflicts = conflicts_to_json(&r.conflicts);
            if mode == Mode::DryRun {
                for (name, props) in tx.group_members(group).await? {
                    let name = unicode_name(&name);
                    let after = sync::apply(&props, &r);
                    report.impact.push(SubscriptionImpact {
                        name,
                        outcome: r.state.as_str(),
                        changes: field_changes(&props, &after),
                        conflicts: conflicts.clone(),
                    });
                }
            }
            let patch = match (&before, group.sync_state.as_str()) {
                (Some(old_plans), "synced") => {
                    match self.resolve_group_with(group, old_plans, &profiles)? {
                        Some(old) if old.state == SyncState::Synced => changed_values(&old, &r),
                        _ => r.set.clone(),
                    }
                }
                _ => r.set.clone(),
            };
            let update = GroupUpdate {
                set: &patch,
                sync_state: r.state.as_str(),
                conflicts: &conflicts.to_string(),
                at: now,
            };
            let n = tx.apply_sync_group(group, &update).await?;
            match r.state {
                SyncState::Unsynced => report.unsynced += n,
                _ => report.synced += n,
            }
        }
        report.impact.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(report)
    }

    fn resolve_group_with(
        &self,
        group: &SyncGroup,
        plans: &HashMap<Uuid, Plan>,
        profiles: &HashMap<AccountId, ResellerProfile>,
    ) -> Result<Option<sync::Resolution>> {
        let missing = || Error::failed("a plan of a subscription group vanished during sync");
        let service = plans.get(&group.plan_id).ok_or_else(missing)?;
        let addons: Vec<&Properties> = group
            .addon_ids()
            .iter()
            .map(|id| plans.get(id).map(|p| &p.props).ok_or_else(missing))
            .collect::<Result<_>>()?;
        let custom = from_flat_json(&group.custom)?;
        let caps = self.capabilities_for(profiles.get(&group.provider_id), group.dedicated_ip);
        Ok(sync::resolve(
            Some((&service.props, &addons)),
            &custom,
            self.settings.lock_scope,
            &caps,
        ))
    }
}

/// The Unicode form of a stored (ASCII) domain name.
fn unicode_name(ascii: &str) -> String {
    berth_core::domain::DomainName::from_stored("name", ascii)
        .map(|d| d.unicode().to_owned())
        .unwrap_or_else(|_| ascii.to_owned())
}

/// The values `new` sets differently from `old` (a property `old` kept for the subscriber
/// and `new` sets counts as different).
fn changed_values(old: &sync::Resolution, new: &sync::Resolution) -> Properties {
    new.set
        .iter()
        .filter(|(name, value)| old.set.get(*name) != Some(value))
        .map(|(name, value)| (*name, value.clone()))
        .collect()
}

fn plan_name_taken(err: berth_store::StoreError, plan: &Plan) -> Error {
    match err {
        berth_store::StoreError::Duplicate { .. } => Error::conflict(
            Some("name"),
            format!(
                "{} already has a {} plan named {:?}",
                plan.owner.login,
                plan.plan_type.as_str(),
                plan.name.as_str()
            ),
        ),
        other => other.into(),
    }
}
