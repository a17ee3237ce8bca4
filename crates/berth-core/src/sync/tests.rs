use super::*;
use crate::property::{PlanType, defaults_for};
use proptest::prelude::*;

fn lim(n: i64) -> Value {
    Value::Limit(n)
}

fn service() -> Properties {
    defaults_for(PlanType::Service)
}

fn props(pairs: &[(&'static str, Value)]) -> Properties {
    pairs.iter().cloned().collect()
}

fn caps() -> Capabilities {
    Capabilities {
        owner_lacks: BTreeSet::new(),
        hard_quota: true,
        dedicated_ip: true,
    }
}

#[test]
fn r3_3_synced_subscription_equals_plan_plus_addons() {
    let mut plan = service();
    plan.insert("disk_space", lim(1 << 30));
    plan.insert("manage_dns", Value::Bool(false));
    let addon = props(&[
        ("disk_space", lim(512 << 20)),
        ("manage_crontab", Value::Bool(true)),
    ]);
    let r = resolve(
        Some((&plan, &[&addon])),
        &Properties::new(),
        LockScope::Subscription,
        &caps(),
    )
    .unwrap();
    assert_eq!(r.state, SyncState::Synced);
    assert_eq!(r.set["disk_space"], lim((1 << 30) + (512 << 20)));
    assert_eq!(r.set["manage_crontab"], Value::Bool(true));
    assert_eq!(
        r.set["zone_type"],
        Value::Choice("master".into()),
        "not kept: manage_dns is off"
    );
    assert!(
        !r.set.contains_key("expiration"),
        "validity is not a subscription property"
    );
}

#[test]
fn r3_3_permission_hands_the_setting_to_the_subscriber() {
    let mut plan = service();
    plan.insert("manage_dns", Value::Bool(true));
    plan.insert("zone_type", Value::Choice("slave".into()));
    let r = resolve(
        Some((&plan, &[])),
        &Properties::new(),
        LockScope::Subscription,
        &caps(),
    )
    .unwrap();
    assert!(r.kept.contains("zone_type"));
    let mut current = custom_defaults();
    current.insert("zone_type", Value::Choice("master".into()));
    assert_eq!(
        apply(&current, &r)["zone_type"],
        Value::Choice("master".into())
    );
}

#[test]
fn r3_4_what_cannot_be_provided_gets_the_available_value_and_a_conflict() {
    let mut plan = service();
    plan.insert("hard_quota", Value::Bool(true));
    plan.insert("manage_anonftp", Value::Bool(true));
    plan.insert("manage_crontab", Value::Bool(true));
    let lacking = Capabilities {
        owner_lacks: ["manage_crontab"].into_iter().collect(),
        hard_quota: false,
        dedicated_ip: false,
    };
    let r = resolve(
        Some((&plan, &[])),
        &Properties::new(),
        LockScope::Subscription,
        &lacking,
    )
    .unwrap();
    assert_eq!(r.state, SyncState::Unsynced);
    let report: Vec<(&str, Value, Value)> = r
        .conflicts
        .iter()
        .map(|c| (c.property, c.plan_value.clone(), c.available_value.clone()))
        .collect();
    assert_eq!(
        report,
        vec![
            ("manage_anonftp", Value::Bool(true), Value::Bool(false)),
            ("manage_crontab", Value::Bool(true), Value::Bool(false)),
            ("hard_quota", Value::Bool(true), Value::Bool(false)),
        ]
    );
    assert_eq!(r.set["hard_quota"], Value::Bool(false));
}

#[test]
fn r3_5_locked_subscription_is_left_alone_in_subscription_scope() {
    let custom = props(&[("disk_space", lim(5))]);
    assert_eq!(
        resolve(
            Some((&service(), &[])),
            &custom,
            LockScope::Subscription,
            &caps()
        ),
        None
    );
    assert_eq!(
        resolve(None, &Properties::new(), LockScope::Subscription, &caps()),
        None,
        "custom subscriptions too"
    );
}

#[test]
fn r3_5_field_scope_holds_only_customized_fields() {
    let mut plan = service();
    plan.insert("disk_space", lim(100));
    plan.insert("max_site", lim(3));
    let custom = props(&[("disk_space", lim(7))]);
    let r = resolve(Some((&plan, &[])), &custom, LockScope::Field, &caps()).unwrap();
    assert_eq!(r.set["disk_space"], lim(7));
    assert_eq!(r.set["max_site"], lim(3));
    assert_eq!(r.state, SyncState::Locked);
}

#[test]
fn r3_2_initial_values_come_from_the_plans_and_customize_now_locks() {
    let mut plan = service();
    plan.insert("max_site", lim(2));
    let (values, conflicts, state) = initial_values(
        &plan,
        &[],
        &Properties::new(),
        LockScope::Subscription,
        &caps(),
    );
    assert_eq!(
        (values["max_site"].clone(), conflicts.len(), state),
        (lim(2), 0, SyncState::Synced)
    );
    assert_eq!(values.len(), custom_defaults().len());
    let custom = props(&[("max_site", lim(9))]);
    let (values, _, state) = initial_values(&plan, &[], &custom, LockScope::Subscription, &caps());
    assert_eq!(
        (values["max_site"].clone(), state),
        (lim(9), SyncState::Locked)
    );
}

#[test]
fn customizing_refuses_hosting_mail_and_dns_settings() {
    assert!(check_customizable(descriptor("disk_space").unwrap()).is_ok());
    assert!(check_customizable(descriptor("manage_dns").unwrap()).is_ok());
    for name in [
        "ssl",
        "zone_type",
        "webmail",
        "memory_limit",
        "expiration",
        "max_cl",
    ] {
        let err = check_customizable(descriptor(name).unwrap()).unwrap_err();
        assert_eq!(err.field.as_deref(), Some(name));
    }
}

const TOUCHED: &[&str] = &[
    "disk_space",
    "max_site",
    "max_traffic",
    "manage_dns",
    "manage_phosting",
    "manage_crontab",
    "manage_anonftp",
    "ssl",
    "zone_type",
    "hard_quota",
    "shell",
    "memory_limit",
];

fn value_for(name: &'static str) -> BoxedStrategy<Value> {
    let d = descriptor(name).unwrap();
    match d.kind {
        crate::property::Kind::Count
        | crate::property::Kind::Size
        | crate::property::Kind::PhpSize => prop_oneof![
            Just(Value::UNLIMITED),
            (0i64..10_000).prop_map(Value::Limit)
        ]
        .boxed(),
        crate::property::Kind::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        crate::property::Kind::Choice(c) => proptest::sample::select(c)
            .prop_map(|s| Value::Choice(s.to_owned()))
            .boxed(),
        _ => Just(d.default_value()).boxed(),
    }
}

fn partial() -> impl Strategy<Value = Properties> {
    proptest::sample::subsequence(TOUCHED.to_vec(), 0..TOUCHED.len()).prop_flat_map(|names| {
        let strategies: Vec<_> = names
            .into_iter()
            .map(|n| value_for(n).prop_map(move |v| (n, v)))
            .collect();
        strategies.prop_map(|pairs| pairs.into_iter().collect::<Properties>())
    })
}

fn full_plan() -> impl Strategy<Value = Properties> {
    partial().prop_map(|changes| {
        let mut plan = service();
        plan.extend(changes);
        plan
    })
}

fn any_caps() -> impl Strategy<Value = Capabilities> {
    (
        any::<bool>(),
        any::<bool>(),
        proptest::sample::subsequence(
            vec!["manage_dns", "manage_crontab", "manage_phosting"],
            0..3,
        ),
    )
        .prop_map(|(hard_quota, dedicated_ip, lacks)| Capabilities {
            owner_lacks: lacks.into_iter().collect(),
            hard_quota,
            dedicated_ip,
        })
}

proptest! {
    #[test]
    fn r2_5_add_on_order_does_not_matter(plan in full_plan(), addons in proptest::collection::vec(partial(), 0..4), caps in any_caps()) {
        let refs: Vec<&Properties> = addons.iter().collect();
        let mut reversed = refs.clone();
        reversed.reverse();
        let a = resolve(Some((&plan, &refs)), &Properties::new(), LockScope::Subscription, &caps);
        let b = resolve(Some((&plan, &reversed)), &Properties::new(), LockScope::Subscription, &caps);
        prop_assert_eq!(a, b);
    }

    #[test]
    fn r2_5_unlimited_absorbs(plan in full_plan(), addon in partial()) {
        let mut addon = addon;
        addon.insert("disk_space", Value::UNLIMITED);
        let r = resolve(Some((&plan, &[&addon])), &Properties::new(), LockScope::Subscription, &caps()).unwrap();
        prop_assert_eq!(&r.set["disk_space"], &Value::UNLIMITED);
    }

    #[test]
    fn r2_5_an_add_on_never_revokes(plan in full_plan(), addons in proptest::collection::vec(partial(), 0..4)) {
        let refs: Vec<&Properties> = addons.iter().collect();
        let alone = plan_values(&plan, &[]);
        let with = plan_values(&plan, &refs);
        for (name, value) in &alone {
            if value == &Value::Bool(true) {
                prop_assert_eq!(&with[name], &Value::Bool(true), "{}", name);
            }
            if let (Value::Limit(a), Value::Limit(b)) = (value, &with[name]) {
                let widened = *b < 0 || (*a >= 0 && b >= a);
                prop_assert!(widened, "{} shrank from {} to {}", name, a, b);
            }
        }
    }

    #[test]
    fn r3_3_syncing_twice_changes_nothing(plan in full_plan(), addons in proptest::collection::vec(partial(), 0..3), custom in partial(), caps in any_caps(), field_scope in any::<bool>()) {
        let scope = if field_scope { LockScope::Field } else { LockScope::Subscription };
        let custom: Properties = custom.into_iter().filter(|(n, _)| check_customizable(descriptor(n).unwrap()).is_ok()).collect();
        let refs: Vec<&Properties> = addons.iter().collect();
        let (once, _, _) = initial_values(&plan, &refs, &custom, scope, &caps);
        if let Some(r) = resolve(Some((&plan, &refs)), &custom, scope, &caps) {
            let twice = apply(&once, &r);
            prop_assert_eq!(&twice, &once);
            prop_assert_eq!(apply(&twice, &r), twice);
        }
    }

    #[test]
    fn r3_5_locked_subscriptions_are_untouched(plan in full_plan(), custom in partial()) {
        prop_assume!(!custom.is_empty());
        prop_assert_eq!(resolve(Some((&plan, &[])), &custom, LockScope::Subscription, &caps()), None);
    }

    #[test]
    fn r3_3_controlled_settings_keep_the_subscribers_value(plan in full_plan(), current_zone in proptest::sample::select(vec!["master", "slave"]), current_shell in proptest::sample::select(vec!["none", "chroot", "bash"])) {
        let r = resolve(Some((&plan, &[])), &Properties::new(), LockScope::Subscription, &caps()).unwrap();
        let mut current = custom_defaults();
        current.insert("zone_type", Value::Choice(current_zone.into()));
        current.insert("shell", Value::Choice(current_shell.into()));
        let after = apply(&current, &r);
        if r.set["manage_dns"] == Value::Bool(true) {
            prop_assert_eq!(&after["zone_type"], &Value::Choice(current_zone.into()));
        } else {
            prop_assert_eq!(&after["zone_type"], &plan["zone_type"]);
        }
        if r.set["manage_sh_access"] == Value::Bool(true) {
            prop_assert_eq!(&after["shell"], &Value::Choice(current_shell.into()));
        }
    }
}
