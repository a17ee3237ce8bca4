use super::*;
use crate::ErrorCode;
use proptest::prelude::*;

#[test]
fn r2_4_every_property_is_found_by_its_name_and_no_other_name_is() {
    for d in PROPERTIES {
        let found = descriptor(d.name).unwrap();
        assert_eq!(
            (found.name, found.group, found.label),
            (d.name, d.group, d.label)
        );
        assert!(descriptor(&d.name.to_uppercase()).is_none(), "{}", d.name);
    }
    assert!(descriptor("").is_none());
    assert!(descriptor("no_such_property").is_none());
}

#[test]
fn r2_4_names_are_unique_and_every_controller_is_a_permission() {
    let mut names: Vec<&str> = PROPERTIES.iter().map(|d| d.name).collect();
    names.sort();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "duplicate property names");
    for d in PROPERTIES {
        if let Some(p) = d.controlled_by {
            let perm =
                descriptor(p).unwrap_or_else(|| panic!("{} controlled by unknown {p}", d.name));
            assert_eq!(perm.group, Group::Permissions, "{}", d.name);
            assert!(perm.types.includes(PlanType::Service), "{}", d.name);
        }
        assert!(
            d.check(&d.default_value()).is_ok(),
            "default of {} fits its kind",
            d.name
        );
    }
}

#[test]
fn r2_4_every_group_is_present_for_service_plans() {
    let defaults = defaults_for(PlanType::Service);
    for group in Group::ALL {
        assert!(
            PROPERTIES
                .iter()
                .any(|d| d.group == group && defaults.contains_key(d.name)),
            "{group:?}"
        );
    }
    let reseller = defaults_for(PlanType::Reseller);
    assert!(reseller.contains_key("max_cl") && reseller.contains_key("allow_oversell"));
    assert!(!reseller.contains_key("zone_type") && !defaults.contains_key("max_cl"));
}

#[test]
fn r3_3_permission_controlled_settings_follow_the_spec() {
    let controller = |name: &str| descriptor(name).unwrap().controlled_by;
    assert_eq!(controller("zone_type"), Some("manage_dns"));
    assert_eq!(controller("ssl"), Some("manage_phosting"));
    assert_eq!(controller("webstat"), Some("manage_webstat"));
    assert_eq!(controller("shell"), Some("manage_sh_access"));
    assert_eq!(controller("max_bandwidth"), Some("manage_performance"));
    assert_eq!(controller("memory_limit"), Some("manage_performance"));
    assert_eq!(controller("display_errors"), Some("manage_php_settings"));
    assert_eq!(controller("log_rotation"), Some("manage_log"));
    assert_eq!(controller("mailing_lists"), Some("manage_maillists"));
    assert_eq!(controller("hard_quota"), Some("manage_quota"));
    assert_eq!(controller("disk_space"), None);
}

#[test]
fn assignments_parse_by_group_and_name_the_property_on_error() {
    let (d, v) = parse_assignment(Group::Limits, PlanType::Service, "disk_space=10G").unwrap();
    assert_eq!((d.name, v), ("disk_space", Value::Limit(10 << 30)));
    let (_, v) =
        parse_assignment(Group::Permissions, PlanType::Service, "manage_dns=true").unwrap();
    assert_eq!(v, Value::Bool(true));
    let (d, v) = parse_assignment(Group::Dns, PlanType::Service, "slave").unwrap();
    assert_eq!((d.name, v), ("zone_type", Value::Choice("slave".into())));
    let (_, v) = parse_assignment(Group::Php, PlanType::Service, "memory_limit=default").unwrap();
    assert_eq!(v, Value::Default);
    let cases = [
        (Group::Limits, "disk_space=lots", "disk_space"),
        (Group::Limits, "manage_dns=true", "manage_dns"),
        (Group::Limits, "nonsense=1", "nonsense"),
        (Group::Limits, "disk_space", "limits"),
        (Group::Permissions, "manage_dns=maybe", "manage_dns"),
        (Group::Hosting, "php_handler=mod_php", "php_handler"),
        (Group::Limits, "max_cl=5", "max_cl"),
        (Group::Performance, "max_bandwidth=0", "max_bandwidth"),
        (Group::Php, "max_execution_time=soon", "max_execution_time"),
        (Group::Mail, "forward_address=a\u{7}b", "forward_address"),
    ];
    for (group, raw, field) in cases {
        let err = parse_assignment(group, PlanType::Service, raw).unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            (ErrorCode::Invalid, Some(field)),
            "{raw}"
        );
    }
}

#[test]
fn json_round_trips_every_default() {
    for plan_type in [PlanType::Service, PlanType::Addon, PlanType::Reseller] {
        let props = defaults_for(plan_type);
        assert_eq!(from_flat_json(&to_flat_json(&props)).unwrap(), props);
    }
}

#[test]
fn stored_properties_that_break_the_table_are_refused_with_the_reason() {
    let unknown = from_flat_json(r#"{"disk_space": 5, "no_such_property": 1}"#).unwrap_err();
    assert_eq!(unknown.code, ErrorCode::Failed);
    assert!(unknown.message.contains("no_such_property"), "{unknown:?}");
    let refused = from_flat_json(r#"{"max_site": "many"}"#).unwrap_err();
    assert_eq!(
        (refused.code, refused.field.as_deref()),
        (ErrorCode::Invalid, Some("max_site"))
    );
    for broken in ["[1, 2]", "\"text\"", "{\"max_site\": 1", "{} trailing", ""] {
        let error = from_flat_json(broken).unwrap_err();
        assert_eq!(error.code, ErrorCode::Failed, "{broken}");
    }
    assert_eq!(from_flat_json("{}").unwrap(), Properties::new());
}

#[test]
fn r2_5_add_ons_sum_limits_with_unlimited_absorbing_and_or_permissions() {
    let disk = descriptor("disk_space").unwrap();
    assert_eq!(
        disk.combine(&Value::Limit(10), &Value::Limit(5)),
        Value::Limit(15)
    );
    assert_eq!(
        disk.combine(&Value::Limit(10), &Value::UNLIMITED),
        Value::UNLIMITED
    );
    let dns = descriptor("manage_dns").unwrap();
    assert_eq!(
        dns.combine(&Value::Bool(true), &Value::Bool(false)),
        Value::Bool(true)
    );
    let shell = descriptor("shell").unwrap();
    assert_eq!(
        shell.combine(&Value::Choice("bash".into()), &Value::Choice("none".into())),
        Value::Choice("bash".into())
    );
    let mem = descriptor("memory_limit").unwrap();
    assert_eq!(
        mem.combine(&Value::Limit(128 << 20), &Value::Default),
        Value::Limit(128 << 20),
        "default keeps the main plan's value (R2.6)"
    );
}

fn any_value(d: &'static Descriptor) -> BoxedStrategy<Value> {
    match d.kind {
        Kind::Count | Kind::Size => prop_oneof![
            Just(Value::UNLIMITED),
            (0i64..1_000_000).prop_map(Value::Limit)
        ]
        .boxed(),
        Kind::Bool | Kind::PhpBool => any::<bool>().prop_map(Value::Bool).boxed(),
        Kind::Choice(choices) => proptest::sample::select(choices)
            .prop_map(|c| Value::Choice(c.to_owned()))
            .boxed(),
        _ => Just(d.default_value()).boxed(),
    }
}

fn property_and_three_values() -> impl Strategy<Value = (&'static Descriptor, Value, Value, Value)>
{
    (0..PROPERTIES.len()).prop_flat_map(|i| {
        let d = &PROPERTIES[i];
        (Just(d), any_value(d), any_value(d), any_value(d))
    })
}

proptest! {
    #[test]
    fn r2_5_combination_is_commutative_and_associative((d, a, b, c) in property_and_three_values()) {
        prop_assert_eq!(d.combine(&a, &b), d.combine(&b, &a));
        prop_assert_eq!(d.combine(&d.combine(&a, &b), &c), d.combine(&a, &d.combine(&b, &c)));
    }
}

/// [`Descriptor::from_json`] the long way, as it was before the shortcuts: the value's text
/// parsed as typed, then checked.
fn read_the_long_way(d: &Descriptor, json: &serde_json::Value) -> Result<Value> {
    let text = match json {
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(n) => n.to_string(),
            None => return Err(d.not_whole_number()),
        },
        serde_json::Value::Bool(b) => b.to_string(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => {
            let names: Option<Vec<&str>> = items.iter().map(|i| i.as_str()).collect();
            names.ok_or_else(|| d.not_names())?.join(",")
        }
        _ => return Err(d.unreadable()),
    };
    let value = d.parse(&text)?;
    d.check(&value)?;
    Ok(value)
}

/// Whole numbers at every edge of every numeric kind, and some far from them.
const EDGE_NUMBERS: &[i64] = &[
    i64::MIN,
    -1_000_000,
    -2,
    -1,
    0,
    1,
    2,
    12,
    59,
    60,
    100,
    101,
    1024,
    3_600,
    86_400,
    86_400 * 7,
    86_400 * 7 + 1,
    1 << 30,
    1 << 40,
    i64::MAX,
];

#[test]
fn stored_numbers_and_booleans_read_as_their_text_would() {
    for d in PROPERTIES {
        for n in EDGE_NUMBERS {
            assert_eq!(
                d.from_json_number(*n),
                read_the_long_way(d, &serde_json::json!(n)),
                "{} = {n}",
                d.name
            );
        }
        for b in [true, false] {
            assert_eq!(
                d.from_json_bool(b),
                read_the_long_way(d, &serde_json::json!(b)),
                "{} = {b}",
                d.name
            );
        }
    }
}

/// Any JSON a stored property may hold, valid or not for its kind.
fn any_stored_json() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::json;
    prop_oneof![
        proptest::sample::select(EDGE_NUMBERS).prop_map(|n| json!(n)),
        (-5i64..2_000_000).prop_map(|n| json!(n)),
        any::<bool>().prop_map(|b| json!(b)),
        Just(json!(1.5)),
        Just(json!(u64::MAX)),
        Just(json!(null)),
        Just(json!({"nested": 1})),
        proptest::sample::select(vec![
            "default",
            "DEFAULT",
            "unlimited",
            "-1",
            "10G",
            "512M",
            "off",
            "50%",
            "1M",
            "1Y",
            "all",
            "none",
            "bash",
            "fpm",
            "master",
            "true",
            "on",
            "no",
            "",
            " x ",
            "a\u{7}b",
            "daily",
            "bounce",
            "awstats",
            "normal",
            "many",
        ])
        .prop_map(|s| json!(s)),
        proptest::collection::vec("[a-z]{1,8}", 0..3).prop_map(|v| json!(v)),
        Just(json!(["wordpress", 3])),
    ]
}

proptest! {
    #[test]
    fn stored_objects_read_in_one_pass_as_their_parsed_json_would(
        entries in proptest::collection::btree_map(
            proptest::sample::select(PROPERTIES.iter().map(|d| d.name).collect::<Vec<_>>()),
            any_stored_json(),
            0..12,
        )
    ) {
        let text = serde_json::to_string(&entries).unwrap();
        let long_way: Result<Properties> = entries
            .iter()
            .map(|(name, json)| {
                let d = descriptor(name).unwrap();
                read_the_long_way(d, json).map(|v| (d.name, v))
            })
            .collect();
        prop_assert_eq!(from_flat_json(&text), long_way);
    }

    #[test]
    fn r2_4_grouped_properties_serialise_to_the_grouped_json_shape(
        props in proptest::collection::btree_set(0..PROPERTIES.len(), 0..40)
            .prop_flat_map(|picked| {
                picked
                    .into_iter()
                    .map(|i| any_value(&PROPERTIES[i]).prop_map(move |v| (PROPERTIES[i].name, v)))
                    .collect::<Vec<_>>()
            })
    ) {
        let props: Properties = props.into_iter().collect();
        let tree = serde_json::Value::Object(to_grouped_json(&props));
        let view = GroupedProperties::new(props.clone());
        prop_assert_eq!(serde_json::to_string(&view).unwrap(), tree.to_string());
        for d in PROPERTIES {
            prop_assert_eq!(view.json(d.name), props.get(d.name).map(|v| d.to_json(v)));
            let group = &tree[d.group.as_str()];
            prop_assert_eq!(&view.group_json(d.group.as_str()), group);
        }
    }
}

#[test]
fn r2_4_every_default_shows_and_serialises_as_typed() {
    let props = defaults_for(PlanType::Service);
    let view = GroupedProperties::new(props.clone());
    let text = serde_json::to_value(&view).unwrap();
    for (name, value) in &props {
        let d = descriptor(name).unwrap();
        let json = &text[d.group.as_str()][*name];
        assert_eq!(d.from_json(json).as_ref(), Ok(value), "{name}");
        assert_eq!(d.parse(&d.display(value)).as_ref(), Ok(value), "{name}");
    }
}

#[test]
fn r2_4_property_keys_find_their_descriptor_by_address_or_by_name() {
    for d in PROPERTIES {
        assert_eq!(descriptor_of_key(d.name).map(|f| f.name), Some(d.name));
        // The same name in another string (a key not taken from the table) is found too.
        let copy: &'static str = String::leak(d.name.to_owned());
        assert_eq!(descriptor_of_key(copy).map(|f| f.name), Some(d.name));
        // A prefix at the same address is another name.
        let prefix = &d.name[..d.name.len() - 1];
        assert_eq!(
            descriptor_of_key(prefix).map(|p| p.name),
            descriptor(prefix).map(|p| p.name),
            "{prefix}"
        );
    }
}
