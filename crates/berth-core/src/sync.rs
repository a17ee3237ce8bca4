//! Effective properties and synchronization (SPEC R2.5, R3.3–R3.5). One pure function,
//! [`resolve`], decides what a subscription's properties become from its service plan, its
//! add-ons, its customized fields, and what its owner and the server can provide; the
//! conflict report comes with it. It never looks at the subscription's current values, so
//! every subscription sharing the same inputs gets the same [`Resolution`] — which is what
//! lets a plan change be applied set-based, one statement per group of alike subscriptions.

use std::collections::BTreeSet;

use crate::property::{Descriptor, PROPERTIES, Properties, descriptor};
use crate::value::Value;
use crate::{Error, Result};

/// A subscription's relation to its plans (R3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyncState {
    /// Its properties are its plans' values.
    Synced,
    /// Customized ("Update & Lock"): plan changes skip it (or skip its customized fields).
    Locked,
    /// Something its plans define cannot be provided; see the conflict report.
    Unsynced,
}

impl SyncState {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            SyncState::Synced => "synced",
            SyncState::Locked => "locked",
            SyncState::Unsynced => "unsynced",
        }
    }

    /// Parses a wire name; `field` names the input.
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "synced" => Ok(SyncState::Synced),
            "locked" => Ok(SyncState::Locked),
            "unsynced" => Ok(SyncState::Unsynced),
            _ => Err(Error::invalid(
                field,
                format!("{field} must be synced, locked or unsynced"),
            )),
        }
    }
}

/// What a lock holds (R3.5, server setting `lock_scope`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LockScope {
    /// A customized subscription is skipped entirely by plan changes (default).
    #[default]
    Subscription,
    /// Only the customized fields are held; plan changes reach every other field.
    Field,
}

impl LockScope {
    /// Parses `subscription` or `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "subscription" => Ok(LockScope::Subscription),
            "field" => Ok(LockScope::Field),
            _ => Err(Error::invalid(
                field,
                format!("{field} must be subscription or field"),
            )),
        }
    }
}

/// One line of the conflict report (R3.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The property.
    pub property: &'static str,
    /// What the plans (or the customization) ask for.
    pub plan_value: Value,
    /// What can be provided, and what the subscription gets.
    pub available_value: Value,
}

/// What can be provided to a subscription (R3.4).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Capabilities {
    /// Permissions its owner lacks (a reseller's permission that is off is off for all its
    /// subscribers, R4.1). Empty for the admin.
    pub owner_lacks: BTreeSet<&'static str>,
    /// Whether the server enforces hard disk quotas.
    pub hard_quota: bool,
    /// Whether the subscription has a dedicated IP address (anonymous FTP needs one).
    pub dedicated_ip: bool,
}

/// What sync decides for a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// Values to write.
    pub set: Properties,
    /// Properties whose control a granted permission hands to the subscriber (R3.3): they
    /// keep the subscription's current value.
    pub kept: BTreeSet<&'static str>,
    /// The conflict report.
    pub conflicts: Vec<Conflict>,
    /// The resulting state.
    pub state: SyncState,
}

/// The service plan ⊕ add-ons (R2.5): limits summed (unlimited absorbs), permissions and
/// services OR-ed, unset add-on properties change nothing. Order does not matter.
pub fn plan_values(service: &Properties, addons: &[&Properties]) -> Properties {
    let mut values = service.clone();
    for addon in addons {
        for (name, value) in addon.iter() {
            if let Some(d) = descriptor(name) {
                let merged = match values.get(name) {
                    Some(current) => d.combine(current, value),
                    None => value.clone(),
                };
                values.insert(d.name, merged);
            }
        }
    }
    values
}

fn subscription_properties() -> impl Iterator<Item = &'static Descriptor> {
    properties_of(crate::property::PlanType::Service)
}

/// The properties an object synced with plans of `plan_type` carries: subscriptions for
/// service plans, resellers for reseller plans.
pub fn properties_of(
    plan_type: crate::property::PlanType,
) -> impl Iterator<Item = &'static Descriptor> {
    PROPERTIES
        .iter()
        .filter(move |d| d.on_subscription && d.types.includes(plan_type))
}

/// What `caps` can provide of `wanted` for property `d`, given the permissions decided so far.
fn available(d: &Descriptor, wanted: &Value, caps: &Capabilities) -> Value {
    let refused = Value::Bool(false);
    match (d.name, wanted) {
        (name, Value::Bool(true)) if caps.owner_lacks.contains(name) => refused,
        ("hard_quota", Value::Bool(true)) if !caps.hard_quota => refused,
        ("manage_anonftp", Value::Bool(true)) if !caps.dedicated_ip => refused,
        _ => wanted.clone(),
    }
}

/// Decides a subscription's properties (R3.3–R3.5).
///
/// - `plans`: the service plan and add-on values; `None` for a custom subscription, which
///   sync leaves alone (returns `None`).
/// - `custom`: the customized fields ("Update & Lock"). With [`LockScope::Subscription`] a
///   customized subscription is left alone (`None`); with [`LockScope::Field`] its
///   customized fields win over the plans and the rest follows them.
/// - Permission-controlled properties (R3.3) are `kept` while their permission is granted.
/// - Whatever cannot be provided gets the available value and a conflict (R3.4).
pub fn resolve(
    plans: Option<(&Properties, &[&Properties])>,
    custom: &Properties,
    scope: LockScope,
    caps: &Capabilities,
) -> Option<Resolution> {
    resolve_as(
        crate::property::PlanType::Service,
        plans,
        custom,
        scope,
        caps,
    )
}

/// [`resolve`] for the properties of objects synced with plans of `plan_type` (resellers
/// with reseller plans follow the same rules as subscriptions with service plans).
pub fn resolve_as(
    plan_type: crate::property::PlanType,
    plans: Option<(&Properties, &[&Properties])>,
    custom: &Properties,
    scope: LockScope,
    caps: &Capabilities,
) -> Option<Resolution> {
    let (service, addons) = plans?;
    if !custom.is_empty() && scope == LockScope::Subscription {
        return None;
    }
    let planned = plan_values(service, addons);
    let wanted = |d: &Descriptor| custom.get(d.name).or_else(|| planned.get(d.name)).cloned();

    let mut set = Properties::new();
    let mut conflicts = vec![];
    // Permissions first: the availability of a permission decides what it controls.
    let (perms, others): (Vec<_>, Vec<_>) =
        properties_of(plan_type).partition(|d| d.group == crate::property::Group::Permissions);
    for d in perms.into_iter().chain(others) {
        let Some(value) = wanted(d) else { continue };
        let granted = |p: &str| set.get(p).and_then(Value::as_bool).unwrap_or(false);
        if d.controlled_by.is_some_and(granted) && !custom.contains_key(d.name) {
            continue;
        }
        let can = available(d, &value, caps);
        if can != value {
            conflicts.push(Conflict {
                property: d.name,
                plan_value: value,
                available_value: can.clone(),
            });
        }
        set.insert(d.name, can);
    }
    let kept = properties_of(plan_type)
        .filter(|d| wanted(d).is_some() && !set.contains_key(d.name))
        .map(|d| d.name)
        .collect();
    let state = if !conflicts.is_empty() {
        SyncState::Unsynced
    } else if !custom.is_empty() {
        SyncState::Locked
    } else {
        SyncState::Synced
    };
    Some(Resolution {
        set,
        kept,
        conflicts,
        state,
    })
}

/// The subscription's values after `resolution`: its current values for kept properties,
/// the resolution's for the rest.
pub fn apply(current: &Properties, resolution: &Resolution) -> Properties {
    let mut values = current.clone();
    for (name, value) in &resolution.set {
        values.insert(name, value.clone());
    }
    values
}

/// Customizing ("Update & Lock", R3.5) takes only resources and permissions.
pub fn check_customizable(d: &Descriptor) -> Result<()> {
    use crate::property::Group;
    match d.group {
        Group::Limits | Group::Permissions
            if d.on_subscription && d.types.includes(crate::property::PlanType::Service) =>
        {
            Ok(())
        }
        _ => Err(Error::invalid(
            d.name,
            format!(
                "{} is a {} setting: subscriptions customize only limits and permissions; the rest follows the plan or the subscriber's own settings",
                d.name,
                d.group.as_str()
            ),
        )),
    }
}

/// A value per property as changed by `changes`, for a customized subscription in
/// [`LockScope::Subscription`]: the current values with the customized ones on top, checked
/// against what can be provided.
pub fn customized_values(
    current: &Properties,
    custom: &Properties,
    caps: &Capabilities,
) -> (Properties, Vec<Conflict>) {
    let mut values = current.clone();
    let mut conflicts = vec![];
    for (name, wanted) in custom {
        let Some(d) = descriptor(name) else { continue };
        let can = available(d, wanted, caps);
        if &can != wanted {
            conflicts.push(Conflict {
                property: d.name,
                plan_value: wanted.clone(),
                available_value: can.clone(),
            });
        }
        values.insert(d.name, can);
    }
    (values, conflicts)
}

/// The fields whose values differ between two property sets: `(name, old, new)`.
pub fn differences<'a>(
    old: &'a Properties,
    new: &'a Properties,
) -> Vec<(&'static str, Option<&'a Value>, Option<&'a Value>)> {
    let names: BTreeSet<&'static str> = old.keys().chain(new.keys()).copied().collect();
    names
        .into_iter()
        .filter_map(|n| {
            let (a, b) = (old.get(n), new.get(n));
            (a != b).then_some((n, a, b))
        })
        .collect()
}

/// Every subscription property at its service-plan default: the values of a custom
/// subscription created without a plan.
pub fn custom_defaults() -> Properties {
    subscription_properties()
        .map(|d| (d.name, d.default_value()))
        .collect()
}

/// The values of a new subscription (R3.2): its plans' values, then sync; customized
/// fields given at creation ("customize now") lock it.
pub fn initial_values(
    service: &Properties,
    addons: &[&Properties],
    custom: &Properties,
    scope: LockScope,
    caps: &Capabilities,
) -> (Properties, Vec<Conflict>, SyncState) {
    let planned: Properties = plan_values(service, addons)
        .into_iter()
        .filter(|(name, _)| descriptor(name).is_some_and(|d| d.on_subscription))
        .collect();
    match resolve(Some((service, addons)), custom, scope, caps) {
        Some(r) => (apply(&planned, &r), r.conflicts, r.state),
        None => {
            let (values, conflicts) = customized_values(&planned, custom, caps);
            let state = if conflicts.is_empty() {
                SyncState::Locked
            } else {
                SyncState::Unsynced
            };
            (values, conflicts, state)
        }
    }
}

/// The conflict report in storage form: `[{property, plan_value, available_value}]`.
pub fn conflicts_to_json(conflicts: &[Conflict]) -> serde_json::Value {
    let items = conflicts
        .iter()
        .filter_map(|c| {
            let d = descriptor(c.property)?;
            Some(serde_json::json!({
                "property": c.property,
                "plan_value": d.to_json(&c.plan_value),
                "available_value": d.to_json(&c.available_value),
            }))
        })
        .collect();
    serde_json::Value::Array(items)
}

/// Reads the storage form of a conflict report back.
pub fn conflicts_from_json(text: &str) -> Result<Vec<Conflict>> {
    let json: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Error::failed(format!("stored conflicts are not JSON: {e}")))?;
    let items = json
        .as_array()
        .ok_or_else(|| Error::failed("stored conflicts are not a list"))?;
    items
        .iter()
        .map(|item| {
            let name = item["property"].as_str().unwrap_or_default();
            let d = descriptor(name)
                .ok_or_else(|| Error::failed(format!("unknown property {name} in conflicts")))?;
            Ok(Conflict {
                property: d.name,
                plan_value: d.from_json(&item["plan_value"])?,
                available_value: d.from_json(&item["available_value"])?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
