//! What the periodic checks decide (SPEC R5.4, R6.2, R6.3): whether a subscription is
//! expired or due for its expiry warning, whether it is overused, what its overuse policy
//! does about that, and when a soft threshold is crossed. Pure: the caller measures and
//! stores; these functions only compare.

use chrono::{Days, NaiveDate};

use crate::property::Properties;
use crate::value::{Threshold, Value};
use crate::{Error, Result};

/// A subscription is expired on and after its expiration date (R5.4); `None` never expires.
pub fn is_expired(expiration: Option<NaiveDate>, today: NaiveDate) -> bool {
    expiration.is_some_and(|date| date <= today)
}

/// Whether the warning `days` before expiry is due today: from `expiration - days` until
/// the day before it expires. `days == 0` turns the warning off.
pub fn expiry_warning_due(expiration: Option<NaiveDate>, today: NaiveDate, days: u32) -> bool {
    let Some(date) = expiration else {
        return false;
    };
    let start = date
        .checked_sub_days(Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MIN);
    days > 0 && start <= today && today < date
}

/// The overuse policy of a subscription (R6.3, Plesk's five values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Not allowed: suspend with reason `overuse` while over a limit.
    Block,
    /// Not allowed, but only mark it overused.
    NotSuspend,
    /// Not allowed: mark it overused and notify.
    NotSuspendNotify,
    /// Allowed: it keeps working.
    Normal,
    /// Allowed, and notify.
    Notify,
}

impl Policy {
    /// Parses a policy name (`block`, `not_suspend`, `not_suspend_notify`, `normal`,
    /// `notify`); `field` names the input.
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        match raw.trim() {
            "block" => Ok(Policy::Block),
            "not_suspend" => Ok(Policy::NotSuspend),
            "not_suspend_notify" => Ok(Policy::NotSuspendNotify),
            "normal" => Ok(Policy::Normal),
            "notify" => Ok(Policy::Notify),
            other => Err(Error::invalid(
                field,
                format!(
                    "{field} must be block, not_suspend, not_suspend_notify, normal or notify (got {other:?})"
                ),
            )),
        }
    }

    /// Whether overuse suspends (reason `overuse`).
    pub fn suspends(self) -> bool {
        self == Policy::Block
    }

    /// Whether overuse is notified.
    pub fn notifies(self) -> bool {
        matches!(self, Policy::NotSuspendNotify | Policy::Notify)
    }
}

/// A measured resource with a limit (R6.1). Mailbox sizes are not among them: the policy
/// never applies to them (R6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Resource {
    /// Disk space (`disk_space`, `disk_space_soft`).
    Disk,
    /// Traffic this month (`max_traffic`, `max_traffic_soft`).
    Traffic,
}

impl Resource {
    /// Both resources.
    pub const ALL: [Resource; 2] = [Resource::Disk, Resource::Traffic];

    /// The name shown in notifications and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Disk => "disk_space",
            Resource::Traffic => "traffic",
        }
    }
}

/// Bytes used of each resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    /// Disk space, bytes.
    pub disk: u64,
    /// Traffic of the current month, bytes.
    pub traffic: u64,
}

impl Usage {
    /// The usage of one resource.
    pub fn of(&self, resource: Resource) -> u64 {
        match resource {
            Resource::Disk => self.disk,
            Resource::Traffic => self.traffic,
        }
    }
}

/// The limits a subscription's properties set on its usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The overuse policy.
    pub policy: Policy,
    /// `disk_space` in bytes; `None` for unlimited.
    pub disk: Option<u64>,
    /// `max_traffic` in bytes per month; `None` for unlimited.
    pub traffic: Option<u64>,
    /// `disk_space_soft`.
    pub disk_soft: Threshold,
    /// `max_traffic_soft`.
    pub traffic_soft: Threshold,
}

fn limit(props: &Properties, name: &str) -> Option<u64> {
    match props.get(name) {
        Some(Value::Limit(n)) if *n >= 0 => Some(*n as u64),
        _ => None,
    }
}

fn threshold(props: &Properties, name: &str) -> Threshold {
    match props.get(name) {
        Some(Value::Threshold(t)) => *t,
        _ => Threshold::Off,
    }
}

impl Limits {
    /// The limits in a subscription's effective properties. A missing or unknown policy is
    /// `normal`, the property's default.
    pub fn of(props: &Properties) -> Self {
        let policy = match props.get("overuse") {
            Some(Value::Choice(c)) => Policy::parse("overuse", c).unwrap_or(Policy::Normal),
            _ => Policy::Normal,
        };
        Limits {
            policy,
            disk: limit(props, "disk_space"),
            traffic: limit(props, "max_traffic"),
            disk_soft: threshold(props, "disk_space_soft"),
            traffic_soft: threshold(props, "max_traffic_soft"),
        }
    }

    /// The hard limit of a resource; `None` for unlimited.
    pub fn hard(&self, resource: Resource) -> Option<u64> {
        match resource {
            Resource::Disk => self.disk,
            Resource::Traffic => self.traffic,
        }
    }

    /// The soft threshold of a resource in bytes; `None` when off, or a percentage of an
    /// unlimited resource.
    pub fn soft(&self, resource: Resource) -> Option<u64> {
        let threshold = match resource {
            Resource::Disk => self.disk_soft,
            Resource::Traffic => self.traffic_soft,
        };
        match threshold {
            Threshold::Off => None,
            Threshold::Bytes(b) => Some(b),
            Threshold::Percent(p) => self
                .hard(resource)
                .map(|hard| (u128::from(hard) * u128::from(p) / 100) as u64),
        }
    }

    /// Whether usage exceeds the hard limit of a resource (R6.2).
    pub fn exceeds(&self, resource: Resource, usage: &Usage) -> bool {
        self.hard(resource)
            .is_some_and(|hard| usage.of(resource) > hard)
    }

    /// Whether usage reached the soft threshold of a resource (R6.3).
    pub fn reaches_soft(&self, resource: Resource, usage: &Usage) -> bool {
        self.soft(resource)
            .is_some_and(|soft| usage.of(resource) >= soft)
    }
}

/// Which resources were over their limit and past their soft threshold at the last check,
/// kept so that each crossing is notified once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Marks {
    /// Disk over its limit.
    pub disk_over: bool,
    /// Traffic over its limit.
    pub traffic_over: bool,
    /// Disk past its soft threshold.
    pub disk_soft: bool,
    /// Traffic past its soft threshold.
    pub traffic_soft: bool,
}

impl Marks {
    /// Whether a resource is marked over its limit.
    pub fn over(&self, resource: Resource) -> bool {
        match resource {
            Resource::Disk => self.disk_over,
            Resource::Traffic => self.traffic_over,
        }
    }

    /// Whether a resource is marked past its soft threshold.
    pub fn soft(&self, resource: Resource) -> bool {
        match resource {
            Resource::Disk => self.disk_soft,
            Resource::Traffic => self.traffic_soft,
        }
    }
}

/// What a usage check does to one subscription (R6.2, R6.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Whether it is overused afterwards (shown in lists, whatever the policy).
    pub overused: bool,
    /// Whether it carries the `overuse` reason afterwards (`block` only).
    pub suspended: bool,
    /// Resources that went over their limit since the last check, when the policy
    /// notifies.
    pub notify_over: Vec<Resource>,
    /// Resources that reached their soft threshold since the last check (any policy).
    pub notify_soft: Vec<Resource>,
    /// The marks to keep for the next check.
    pub marks: Marks,
}

/// Decides what a check does, from the limits, the usage just measured and the marks of
/// the previous check. A crossing notifies once; falling back under clears the mark so
/// that the next crossing notifies again.
pub fn decide(limits: &Limits, usage: &Usage, before: &Marks) -> Decision {
    let over = |r| limits.exceeds(r, usage);
    let soft = |r| limits.reaches_soft(r, usage);
    let marks = Marks {
        disk_over: over(Resource::Disk),
        traffic_over: over(Resource::Traffic),
        disk_soft: soft(Resource::Disk),
        traffic_soft: soft(Resource::Traffic),
    };
    let overused = marks.disk_over || marks.traffic_over;
    let notify_over = Resource::ALL
        .into_iter()
        .filter(|r| limits.policy.notifies() && marks.over(*r) && !before.over(*r))
        .collect();
    let notify_soft = Resource::ALL
        .into_iter()
        .filter(|r| marks.soft(*r) && !before.soft(*r))
        .collect();
    Decision {
        overused,
        suspended: overused && limits.policy.suspends(),
        notify_over,
        notify_soft,
        marks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn limits(policy: Policy) -> Limits {
        Limits {
            policy,
            disk: Some(1000),
            traffic: Some(5000),
            disk_soft: Threshold::Percent(80),
            traffic_soft: Threshold::Bytes(4000),
        }
    }

    #[test]
    fn r5_4_expired_on_and_after_the_date() {
        let exp = Some(date("2026-03-10"));
        assert!(!is_expired(exp, date("2026-03-09")));
        assert!(is_expired(exp, date("2026-03-10")));
        assert!(is_expired(exp, date("2026-04-01")));
        assert!(!is_expired(None, date("2099-01-01")));
    }

    #[test]
    fn r5_4_warning_window_before_expiry() {
        let exp = Some(date("2026-03-10"));
        assert!(!expiry_warning_due(exp, date("2026-03-02"), 7));
        assert!(expiry_warning_due(exp, date("2026-03-03"), 7));
        assert!(expiry_warning_due(exp, date("2026-03-09"), 7));
        assert!(!expiry_warning_due(exp, date("2026-03-10"), 7));
        assert!(!expiry_warning_due(exp, date("2026-03-09"), 0));
        assert!(!expiry_warning_due(None, date("2026-03-09"), 7));
    }

    #[test]
    fn r6_3_policy_names_parse_and_others_are_invalid() {
        for name in crate::property::OVERUSE_POLICIES {
            assert!(Policy::parse("overuse", name).is_ok(), "{name}");
        }
        let err = Policy::parse("overuse", "suspend").unwrap_err();
        assert_eq!(err.field.as_deref(), Some("overuse"));
    }

    #[test]
    fn r6_2_overused_when_usage_exceeds_a_limit_whatever_the_policy() {
        for policy in [
            Policy::Block,
            Policy::NotSuspend,
            Policy::NotSuspendNotify,
            Policy::Normal,
            Policy::Notify,
        ] {
            let under = decide(
                &limits(policy),
                &Usage {
                    disk: 1000,
                    traffic: 0,
                },
                &Marks::default(),
            );
            assert!(!under.overused, "{policy:?}: at the limit is not over it");
            let over = decide(
                &limits(policy),
                &Usage {
                    disk: 1001,
                    traffic: 0,
                },
                &Marks::default(),
            );
            assert!(over.overused, "{policy:?}");
        }
    }

    #[test]
    fn r6_3_only_block_suspends() {
        let usage = Usage {
            disk: 0,
            traffic: 6000,
        };
        let none = Marks::default();
        assert!(decide(&limits(Policy::Block), &usage, &none).suspended);
        for policy in [
            Policy::NotSuspend,
            Policy::NotSuspendNotify,
            Policy::Normal,
            Policy::Notify,
        ] {
            assert!(
                !decide(&limits(policy), &usage, &none).suspended,
                "{policy:?}"
            );
        }
        let back = decide(&limits(Policy::Block), &Usage::default(), &none);
        assert!(!back.suspended && !back.overused, "lifted when back under");
    }

    #[test]
    fn r6_3_notify_policies_notify_each_crossing_once() {
        let usage = Usage {
            disk: 2000,
            traffic: 0,
        };
        for (policy, notifies) in [
            (Policy::Block, false),
            (Policy::NotSuspend, false),
            (Policy::NotSuspendNotify, true),
            (Policy::Normal, false),
            (Policy::Notify, true),
        ] {
            let first = decide(&limits(policy), &usage, &Marks::default());
            assert_eq!(
                first.notify_over == [Resource::Disk],
                notifies,
                "{policy:?}"
            );
            let again = decide(&limits(policy), &usage, &first.marks);
            assert!(again.notify_over.is_empty(), "{policy:?}: not every run");
        }
    }

    #[test]
    fn r6_3_soft_thresholds_notify_once_per_crossing_whatever_the_policy() {
        let l = limits(Policy::Normal);
        let reached = Usage {
            disk: 800,
            traffic: 4000,
        };
        let first = decide(&l, &reached, &Marks::default());
        assert_eq!(first.notify_soft, [Resource::Disk, Resource::Traffic]);
        let again = decide(&l, &reached, &first.marks);
        assert!(again.notify_soft.is_empty());
        let below = decide(&l, &Usage::default(), &again.marks);
        assert!(below.notify_soft.is_empty() && !below.marks.disk_soft);
        let recrossed = decide(&l, &reached, &below.marks);
        assert_eq!(recrossed.notify_soft, [Resource::Disk, Resource::Traffic]);
    }

    #[test]
    fn r6_3_percent_threshold_of_an_unlimited_resource_never_fires() {
        let l = Limits {
            disk: None,
            ..limits(Policy::Notify)
        };
        assert_eq!(l.soft(Resource::Disk), None);
        assert!(!l.exceeds(
            Resource::Disk,
            &Usage {
                disk: u64::MAX,
                traffic: 0
            }
        ));
    }

    #[test]
    fn limits_are_read_from_the_property_table() {
        let mut props = crate::property::defaults_for(crate::property::PlanType::Service);
        assert_eq!(Limits::of(&props).policy, Policy::Normal);
        props.insert("overuse", Value::Choice("block".into()));
        props.insert("disk_space", Value::Limit(1 << 20));
        props.insert("max_traffic_soft", Value::Threshold(Threshold::Percent(50)));
        let l = Limits::of(&props);
        assert_eq!(l.policy, Policy::Block);
        assert_eq!(l.disk, Some(1 << 20));
        assert_eq!(
            l.soft(Resource::Traffic),
            None,
            "traffic is unlimited by default"
        );
    }
}
