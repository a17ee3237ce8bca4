//! Resellers (SPEC §4): their limits, permissions and oversell policy, the admission
//! control that refuses what would exceed them (R4.2, R4.3), and the figures of the
//! "Resources and permissions" overview (R4.4).

use std::collections::BTreeSet;

use crate::hosting::PlanRef;
use crate::property::{Group, PlanType, Properties, defaults_for, descriptor};
use crate::sync::{Conflict, SyncState, properties_of};
use crate::value::{Apps, Value};
use crate::{Error, Result};

/// What a reseller may sell: its reseller plan (or none: custom), its effective properties,
/// its customized fields, its sync state with the plan and the conflict report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResellerProfile {
    /// The reseller plan; `None` for a custom reseller.
    pub plan: Option<PlanRef>,
    /// Effective limits and permissions.
    pub props: Properties,
    /// Customized fields ("Update & Lock").
    pub custom: Properties,
    /// Synced, locked or unsynced with its plan.
    pub sync_state: SyncState,
    /// The last conflict report.
    pub conflicts: Vec<Conflict>,
}

impl ResellerProfile {
    /// A custom profile: the reseller-plan defaults with `values` on top.
    pub fn custom(values: Properties) -> Self {
        let mut props = defaults_for(PlanType::Reseller);
        props.extend(values);
        ResellerProfile {
            plan: None,
            props,
            custom: Properties::new(),
            sync_state: SyncState::Synced,
            conflicts: vec![],
        }
    }

    /// Whether allocations may exceed its limits (R4.3).
    pub fn oversell(&self) -> bool {
        self.props.get("allow_oversell") == Some(&Value::Bool(true))
    }

    /// Whether it holds permission `name`.
    pub fn has(&self, name: &str) -> bool {
        self.props.get(name) == Some(&Value::Bool(true))
    }

    /// The subscription permissions it lacks: off for it, off for all its subscribers (R4.1).
    pub fn lacks(&self) -> BTreeSet<&'static str> {
        properties_of(PlanType::Service)
            .filter(|d| d.group == Group::Permissions && d.types.includes(PlanType::Reseller))
            .filter(|d| !self.has(d.name))
            .map(|d| d.name)
            .collect()
    }

    /// A limit's value; `-1` (or absent) means unlimited.
    pub fn limit(&self, name: &str) -> i64 {
        match self.props.get(name) {
            Some(Value::Limit(n)) => *n,
            _ => -1,
        }
    }
}

/// What a reseller uses and has allocated (its own subscriptions included, R4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ResellerUsage {
    /// Customers it owns.
    pub customers: u64,
    /// Subscriptions it provides (its customers' and its own).
    pub subscriptions: u64,
    /// Disk space allocated to them.
    pub disk_space: Allocation,
    /// Monthly traffic allocated to them.
    pub max_traffic: Allocation,
}

/// The sum of an allocated resource: finite amounts and how many are unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Allocation {
    /// Sum of the finite allocations, in bytes.
    pub finite: i64,
    /// How many allocations are unlimited.
    pub unlimited: u64,
}

impl Allocation {
    fn of(value: Option<&Value>) -> Allocation {
        match value {
            Some(Value::Limit(n)) if *n >= 0 => Allocation {
                finite: *n,
                unlimited: 0,
            },
            _ => Allocation {
                finite: 0,
                unlimited: 1,
            },
        }
    }
}

fn exceeded(
    limit: &str,
    value: i64,
    used: impl std::fmt::Display,
    asked: impl std::fmt::Display,
) -> Error {
    Error::limit_exceeded(
        limit,
        format!("{limit} is {value}, {used} in use, {asked} asked"),
    )
}

/// Admits one more customer (R4.2: `max_cl` is a hard limit).
pub fn admit_customer(profile: &ResellerProfile, usage: &ResellerUsage) -> Result<()> {
    let max = profile.limit("max_cl");
    if max >= 0 && usage.customers + 1 > max as u64 {
        return Err(exceeded("max_cl", max, usage.customers, 1));
    }
    Ok(())
}

/// Admits a subscription with properties `asked`, new or replacing the allocation
/// `replacing` of an existing one (R4.2 `max_dom`; R4.3: with oversell forbidden, disk
/// space and traffic must fit, and a finite limit forbids unlimited allocations).
pub fn admit_subscription(
    profile: &ResellerProfile,
    usage: &ResellerUsage,
    asked: &Properties,
    replacing: Option<&Properties>,
) -> Result<()> {
    let max_dom = profile.limit("max_dom");
    if replacing.is_none() && max_dom >= 0 && usage.subscriptions + 1 > max_dom as u64 {
        return Err(exceeded("max_dom", max_dom, usage.subscriptions, 1));
    }
    if profile.oversell() {
        return Ok(());
    }
    for (name, allocated) in [
        ("disk_space", usage.disk_space),
        ("max_traffic", usage.max_traffic),
    ] {
        let limit = profile.limit(name);
        if limit < 0 {
            continue;
        }
        let ask = Allocation::of(asked.get(name));
        let freed = replacing
            .map(|r| Allocation::of(r.get(name)))
            .unwrap_or_default();
        let unlimited_after =
            allocated.unlimited + ask.unlimited - freed.unlimited.min(allocated.unlimited);
        if ask.unlimited > 0 || unlimited_after > 0 {
            return Err(Error::limit_exceeded(
                name,
                format!(
                    "{name} is {limit} with overselling forbidden: an unlimited {name} cannot be allocated"
                ),
            ));
        }
        let after = allocated.finite - freed.finite + ask.finite;
        if after > limit {
            return Err(exceeded(
                name,
                limit,
                allocated.finite - freed.finite,
                ask.finite,
            ));
        }
    }
    Ok(())
}

/// Whether [`admit_subscription`] can depend on what the reseller already uses: only when
/// one of the limits it checks is finite — `max_dom` for a new subscription (R4.2), or
/// `disk_space` / `max_traffic` with overselling forbidden (R4.3). When it cannot, the
/// admission is decided without summing the reseller's estate (every answer is the same
/// for any usage), so creating a subscription need not read it.
pub fn admission_needs_usage(profile: &ResellerProfile, replacing: Option<&Properties>) -> bool {
    if replacing.is_none() && profile.limit("max_dom") >= 0 {
        return true;
    }
    !profile.oversell()
        && ["disk_space", "max_traffic"]
            .iter()
            .any(|name| profile.limit(name) >= 0)
}

/// Checks that what a reseller uses fits its limits (after a move, R1.7): counts within
/// `max_cl` and `max_dom`; with oversell forbidden, disk space and traffic within their
/// finite limits and never unlimited.
pub fn check_usage(profile: &ResellerProfile, usage: &ResellerUsage) -> Result<()> {
    for (limit, used) in [
        ("max_cl", usage.customers),
        ("max_dom", usage.subscriptions),
    ] {
        let max = profile.limit(limit);
        if max >= 0 && used > max as u64 {
            return Err(exceeded(limit, max, used, 0));
        }
    }
    if profile.oversell() {
        return Ok(());
    }
    for (name, allocated) in [
        ("disk_space", usage.disk_space),
        ("max_traffic", usage.max_traffic),
    ] {
        let limit = profile.limit(name);
        if limit >= 0 && (allocated.unlimited > 0 || allocated.finite > limit) {
            let used = if allocated.unlimited > 0 {
                "unlimited".to_owned()
            } else {
                allocated.finite.to_string()
            };
            return Err(Error::limit_exceeded(
                name,
                format!("{name} is {limit} with overselling forbidden, {used} would be allocated"),
            ));
        }
    }
    Ok(())
}

/// The "Custom" limits of a customer converted to a reseller (R1.6): the sum of its
/// subscriptions' allotments (unlimited if any is), the union of their permissions and
/// applications.
pub fn custom_from_subscriptions(subscriptions: &[&Properties]) -> Properties {
    let mut out = Properties::new();
    for d in properties_of(PlanType::Reseller) {
        if !d.types.includes(PlanType::Service) {
            continue;
        }
        let values: Vec<&Value> = subscriptions.iter().filter_map(|p| p.get(d.name)).collect();
        let Some(first) = values.first() else {
            continue;
        };
        let combined = match d.group {
            Group::Limits
                if d.kind == crate::property::Kind::Count
                    || d.kind == crate::property::Kind::Size =>
            {
                values
                    .iter()
                    .skip(1)
                    .fold((*first).clone(), |acc, v| match (&acc, v) {
                        (Value::Limit(a), Value::Limit(b)) if *a >= 0 && *b >= 0 => {
                            Value::Limit(a + b)
                        }
                        (Value::Limit(_), Value::Limit(_)) => Value::UNLIMITED,
                        _ => acc,
                    })
            }
            Group::Permissions => Value::Bool(values.iter().any(|v| v.as_bool() == Some(true))),
            Group::Applications => {
                values
                    .iter()
                    .skip(1)
                    .fold((*first).clone(), |acc, v| match (&acc, v) {
                        (Value::Apps(a), Value::Apps(b)) => Value::Apps(a.union(b)),
                        _ => acc,
                    })
            }
            _ => continue,
        };
        out.insert(d.name, combined);
    }
    if subscriptions.is_empty() {
        out.insert("applications", Value::Apps(Apps::All));
    }
    out
}

/// One line of the overview (R4.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverviewLine {
    /// The limit.
    pub limit: &'static str,
    /// Its value (`-1` unlimited).
    pub value: i64,
    /// Allocated to subscriptions (for resources), or created (for counts).
    pub allocated: i64,
    /// Whether some allocation is unlimited.
    pub allocated_unlimited: bool,
    /// Remaining: value − allocated, or `None` when unlimited.
    pub remaining: Option<i64>,
}

/// The overview lines of the limits a reseller has (R4.4).
pub fn overview(profile: &ResellerProfile, usage: &ResellerUsage) -> Vec<OverviewLine> {
    let line = |limit: &'static str, allocated: i64, unlimited: bool| {
        let value = profile.limit(limit);
        let remaining = (value >= 0 && !unlimited).then(|| value - allocated);
        OverviewLine {
            limit,
            value,
            allocated,
            allocated_unlimited: unlimited,
            remaining,
        }
    };
    vec![
        line("max_cl", usage.customers as i64, false),
        line("max_dom", usage.subscriptions as i64, false),
        line(
            "disk_space",
            usage.disk_space.finite,
            usage.disk_space.unlimited > 0,
        ),
        line(
            "max_traffic",
            usage.max_traffic.finite,
            usage.max_traffic.unlimited > 0,
        ),
    ]
}

/// Checks that every name in `values` is a reseller property (for `--limit`/`--perm` on
/// resellers).
pub fn check_reseller_properties(values: &Properties) -> Result<()> {
    for name in values.keys() {
        let d = descriptor(name)
            .ok_or_else(|| Error::invalid(name, format!("{name} is not a property")))?;
        if !d.types.includes(PlanType::Reseller) {
            return Err(Error::invalid(
                name,
                format!("{name} does not apply to resellers"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use proptest::prelude::*;

    fn profile(pairs: &[(&'static str, Value)]) -> ResellerProfile {
        ResellerProfile::custom(pairs.iter().cloned().collect())
    }

    fn sub(disk: i64, traffic: i64) -> Properties {
        [
            ("disk_space", Value::Limit(disk)),
            ("max_traffic", Value::Limit(traffic)),
        ]
        .into_iter()
        .collect()
    }

    #[test]
    fn r4_2_customer_and_subscription_counts_are_hard_limits() {
        let p = profile(&[
            ("max_cl", Value::Limit(2)),
            ("max_dom", Value::Limit(3)),
            ("allow_oversell", Value::Bool(true)),
        ]);
        assert!(
            admit_customer(
                &p,
                &ResellerUsage {
                    customers: 1,
                    ..Default::default()
                }
            )
            .is_ok()
        );
        let err = admit_customer(
            &p,
            &ResellerUsage {
                customers: 2,
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            (ErrorCode::LimitExceeded, Some("max_cl"))
        );
        assert!(
            err.message.contains("max_cl is 2, 2 in use, 1 asked"),
            "{}",
            err.message
        );
        let full = ResellerUsage {
            subscriptions: 3,
            ..Default::default()
        };
        assert_eq!(
            admit_subscription(&p, &full, &sub(1, 1), None)
                .unwrap_err()
                .field
                .as_deref(),
            Some("max_dom")
        );
        assert!(
            admit_subscription(&p, &full, &sub(1, 1), Some(&sub(1, 1))).is_ok(),
            "a change is not a new one"
        );
    }

    #[test]
    fn r4_3_without_oversell_allocations_must_fit_and_never_be_unlimited() {
        let p = profile(&[
            ("disk_space", Value::Limit(100)),
            ("max_traffic", Value::Limit(1000)),
        ]);
        let usage = ResellerUsage {
            disk_space: Allocation {
                finite: 60,
                unlimited: 0,
            },
            max_traffic: Allocation {
                finite: 0,
                unlimited: 0,
            },
            ..Default::default()
        };
        assert!(admit_subscription(&p, &usage, &sub(40, 10), None).is_ok());
        let err = admit_subscription(&p, &usage, &sub(41, 10), None).unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            (ErrorCode::LimitExceeded, Some("disk_space"))
        );
        assert!(
            admit_subscription(&p, &usage, &sub(-1, 10), None).is_err(),
            "finite limit forbids unlimited"
        );
        assert!(
            admit_subscription(&p, &usage, &sub(80, 10), Some(&sub(50, 0))).is_ok(),
            "replacing frees the old amount"
        );
        let oversell = profile(&[
            ("disk_space", Value::Limit(100)),
            ("allow_oversell", Value::Bool(true)),
        ]);
        assert!(admit_subscription(&oversell, &usage, &sub(-1, -1), None).is_ok());
    }

    #[test]
    fn r4_1_permissions_off_for_the_reseller_are_lacking_for_its_subscribers() {
        let p = profile(&[
            ("manage_dns", Value::Bool(false)),
            ("manage_crontab", Value::Bool(true)),
        ]);
        let lacks = p.lacks();
        assert!(lacks.contains("manage_dns") && !lacks.contains("manage_crontab"));
        assert!(
            !lacks.contains("create_clients"),
            "reseller-only permissions are not subscription permissions"
        );
    }

    #[test]
    fn r1_6_custom_reseller_limits_sum_and_union_the_subscriptions() {
        let mut a = sub(10, 20);
        a.insert("manage_dns", Value::Bool(true));
        a.insert("max_site", Value::Limit(1));
        let mut b = sub(5, -1);
        b.insert("manage_dns", Value::Bool(false));
        b.insert("manage_crontab", Value::Bool(true));
        b.insert("max_site", Value::Limit(2));
        let c = custom_from_subscriptions(&[&a, &b]);
        assert_eq!(c["disk_space"], Value::Limit(15));
        assert_eq!(c["max_traffic"], Value::UNLIMITED);
        assert_eq!(c["max_site"], Value::Limit(3));
        assert_eq!(
            (c["manage_dns"].clone(), c["manage_crontab"].clone()),
            (Value::Bool(true), Value::Bool(true))
        );
    }

    #[test]
    fn r4_4_overview_shows_allocated_and_remaining() {
        let p = profile(&[
            ("max_cl", Value::Limit(10)),
            ("disk_space", Value::Limit(100)),
        ]);
        let usage = ResellerUsage {
            customers: 3,
            subscriptions: 4,
            disk_space: Allocation {
                finite: 30,
                unlimited: 0,
            },
            max_traffic: Allocation {
                finite: 0,
                unlimited: 2,
            },
        };
        let lines = overview(&p, &usage);
        assert_eq!((lines[0].allocated, lines[0].remaining), (3, Some(7)));
        assert_eq!((lines[2].allocated, lines[2].remaining), (30, Some(70)));
        assert_eq!(lines[3].remaining, None);
    }

    #[test]
    fn r4_2_r4_3_admission_needs_usage_only_with_a_finite_checked_limit() {
        assert!(
            !admission_needs_usage(&profile(&[]), None),
            "defaults: unlimited"
        );
        assert!(admission_needs_usage(
            &profile(&[("max_dom", Value::Limit(3))]),
            None
        ));
        assert!(
            !admission_needs_usage(&profile(&[("max_dom", Value::Limit(3))]), Some(&sub(1, 1))),
            "a change does not count subscriptions"
        );
        assert!(admission_needs_usage(
            &profile(&[("disk_space", Value::Limit(100))]),
            Some(&sub(1, 1))
        ));
        assert!(!admission_needs_usage(
            &profile(&[
                ("max_traffic", Value::Limit(100)),
                ("allow_oversell", Value::Bool(true))
            ]),
            None
        ));
        assert!(
            !admission_needs_usage(&profile(&[("max_cl", Value::Limit(1))]), None),
            "customers are not counted for a subscription"
        );
    }

    fn limit() -> impl Strategy<Value = i64> {
        prop_oneof![Just(-1i64), 0i64..1_000]
    }

    fn allocation() -> impl Strategy<Value = Allocation> {
        (0i64..10_000, 0u64..5).prop_map(|(finite, unlimited)| Allocation { finite, unlimited })
    }

    proptest! {
        #[test]
        fn r4_2_r4_3_admission_without_needed_usage_is_the_same_for_any_usage(
            max_dom in limit(),
            disk in limit(),
            traffic in limit(),
            oversell in any::<bool>(),
            subscriptions in 0u64..5_000,
            disk_used in allocation(),
            traffic_used in allocation(),
            asked in (limit(), limit()),
            replacing in proptest::option::of((limit(), limit())),
        ) {
            let p = profile(&[
                ("max_dom", Value::Limit(max_dom)),
                ("disk_space", Value::Limit(disk)),
                ("max_traffic", Value::Limit(traffic)),
                ("allow_oversell", Value::Bool(oversell)),
            ]);
            let asked = sub(asked.0, asked.1);
            let replacing = replacing.map(|(d, t)| sub(d, t));
            let usage = ResellerUsage {
                customers: 0,
                subscriptions,
                disk_space: disk_used,
                max_traffic: traffic_used,
            };
            if !admission_needs_usage(&p, replacing.as_ref()) {
                let with = admit_subscription(&p, &usage, &asked, replacing.as_ref());
                let without =
                    admit_subscription(&p, &ResellerUsage::default(), &asked, replacing.as_ref());
                prop_assert!(with.is_ok(), "{with:?}");
                prop_assert!(without.is_ok(), "{without:?}");
            }
        }
    }
}
