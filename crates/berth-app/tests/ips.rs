//! IP address use cases (R7.5) through the service layer, on SQLite and PostgreSQL.

mod common;

use berth_app::accounts::NewAccount;
use berth_app::ips::IpView;
use berth_app::{Berth, Mode, NoProgress};
use berth_core::ErrorCode;
use berth_core::account::{AccountKind, ContactInput};
use berth_core::rights::Actor;
use common::Env;

on_both_backends!(
    r7_5_only_the_admin_registers_addresses,
    r7_5_the_admin_lists_every_address_a_reseller_its_pool,
    r7_5_ipv4_and_ipv6_are_registered_in_canonical_form_with_type_and_interface,
    r7_5_addresses_are_unique_whatever_the_spelling,
    r11_3_bad_input_names_the_field_and_writes_nothing,
    r7_5_update_changes_type_and_interface,
    r7_5_unknown_addresses_are_not_found,
    r7_5_bulk_removal_reports_per_address_and_a_failure_undoes_nothing_else,
    r3_10_ip_dry_runs_write_nothing,
    r7_5_list_puts_ipv4_before_ipv6_in_address_order,
    r7_5_the_clock_stamps_registration,
);

async fn admin(app: &Berth) -> Actor {
    app.actor(None).await.unwrap()
}

fn new_account(login: &str) -> NewAccount {
    NewAccount {
        login: login.into(),
        password: format!("{login}-password"),
        contact: ContactInput {
            name: Some(format!("{login} contact")),
            email: Some(format!("{login}@example.com")),
            ..Default::default()
        },
        ..Default::default()
    }
}

/// A reseller `r1` and a customer `c1` of it.
async fn others(app: &Berth) -> (Actor, Actor) {
    let a = admin(app).await;
    app.create_account(&a, AccountKind::Reseller, new_account("r1"), Mode::Apply)
        .await
        .unwrap();
    let r1 = app.actor(Some("r1")).await.unwrap();
    app.create_account(&r1, AccountKind::Customer, new_account("c1"), Mode::Apply)
        .await
        .unwrap();
    (r1, app.actor(Some("c1")).await.unwrap())
}

async fn add(app: &Berth, address: &str, kind: &str, interface: Option<&str>) -> IpView {
    let a = admin(app).await;
    app.add_ip(&a, address, kind, interface, Mode::Apply)
        .await
        .unwrap()
}

async fn addresses(app: &Berth) -> Vec<String> {
    let a = admin(app).await;
    let ips = app.list_ips(&a).await.unwrap();
    ips.into_iter().map(|ip| ip.address).collect()
}

async fn r7_5_only_the_admin_registers_addresses(env: Env) {
    let app = &env.app;
    let (r1, c1) = others(app).await;
    add(app, "192.0.2.1", "shared", None).await;
    for actor in [&r1, &c1] {
        let err = app
            .add_ip(actor, "192.0.2.2", "shared", None, Mode::Apply)
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::Forbidden, "{}", actor.login);
        let err = app
            .update_ip(actor, "192.0.2.1", Some("dedicated"), None, Mode::Apply)
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::Forbidden, "{}", actor.login);
        // Refused before any lookup: an unregistered address gets the same answer, so
        // nothing is revealed about which addresses exist.
        let err = app
            .update_ip(actor, "192.0.2.77", Some("dedicated"), None, Mode::Apply)
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::Forbidden, "{}", actor.login);
        let results = app
            .remove_ips(actor, &["192.0.2.1".into()], Mode::Apply, &NoProgress)
            .await;
        assert_eq!(
            results[0].error.as_ref().map(|e| e.code),
            Some(ErrorCode::Forbidden)
        );
    }
    let a = admin(app).await;
    let ips = app.list_ips(&a).await.unwrap();
    assert_eq!(ips.len(), 1);
    assert_eq!(
        (ips[0].address.as_str(), ips[0].kind),
        ("192.0.2.1", "shared")
    );
}

async fn r7_5_the_admin_lists_every_address_a_reseller_its_pool(env: Env) {
    let app = &env.app;
    let (r1, c1) = others(app).await;
    add(app, "192.0.2.1", "shared", None).await;
    add(app, "192.0.2.2", "shared", None).await;
    assert!(app.list_ips(&r1).await.unwrap().is_empty(), "an empty pool");
    let admin = app.actor(None).await.unwrap();
    app.pool_add(
        &admin,
        r1.login.as_str(),
        &["192.0.2.2".into()],
        Mode::Apply,
        &berth_app::NoProgress,
    )
    .await;
    let pool: Vec<String> = app
        .list_ips(&r1)
        .await
        .unwrap()
        .into_iter()
        .map(|ip| ip.address)
        .collect();
    assert_eq!(pool, ["192.0.2.2"]);
    assert_eq!(
        app.list_ips(&c1).await.unwrap_err().code,
        ErrorCode::Forbidden
    );
    assert_eq!(addresses(app).await, ["192.0.2.1", "192.0.2.2"]);
}

async fn r7_5_ipv4_and_ipv6_are_registered_in_canonical_form_with_type_and_interface(env: Env) {
    let app = &env.app;
    let v4 = add(app, " 192.0.2.10 ", "Shared", Some("eth0")).await;
    assert_eq!(
        (
            v4.address.as_str(),
            v4.family,
            v4.kind,
            v4.interface.as_deref()
        ),
        ("192.0.2.10", 4, "shared", Some("eth0"))
    );
    let v6 = add(app, "2001:DB8:0:0::1", "dedicated", Some("")).await;
    assert_eq!(
        (
            v6.address.as_str(),
            v6.family,
            v6.kind,
            v6.interface.as_deref()
        ),
        ("2001:db8::1", 6, "dedicated", None)
    );
    let json = serde_json::to_value(&v6).unwrap();
    let mut keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["address", "created", "family", "id", "interface", "type"]
    );
    assert_eq!(json["type"], "dedicated");
    assert_eq!(json["interface"], serde_json::Value::Null);
    let a = admin(app).await;
    assert_eq!(app.list_ips(&a).await.unwrap(), vec![v4, v6]);
}

async fn r7_5_addresses_are_unique_whatever_the_spelling(env: Env) {
    let app = &env.app;
    let a = admin(app).await;
    add(app, "2001:DB8::1", "shared", None).await;
    add(app, "192.0.2.1", "shared", None).await;
    for spelling in [
        "2001:db8:0:0::1",
        "2001:0db8:0000:0000:0000:0000:0000:0001",
        "2001:db8::1",
        " 192.0.2.1",
    ] {
        let err = app
            .add_ip(&a, spelling, "dedicated", None, Mode::Apply)
            .await
            .unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            (ErrorCode::Conflict, Some("ip")),
            "{spelling}"
        );
        assert!(
            err.message.contains("already registered"),
            "{}",
            err.message
        );
    }
    assert_eq!(addresses(app).await, ["192.0.2.1", "2001:db8::1"]);
    // Any spelling also finds it for update and removal.
    let out = app
        .update_ip(&a, "2001:0DB8::0:1", Some("dedicated"), None, Mode::Apply)
        .await
        .unwrap();
    assert_eq!(out.ip.address, "2001:db8::1");
}

async fn r11_3_bad_input_names_the_field_and_writes_nothing(env: Env) {
    let app = &env.app;
    let a = admin(app).await;
    let cases: [(&str, &str, Option<&str>, &str); 11] = [
        ("", "shared", None, "ip"),
        ("not-an-ip", "shared", None, "ip"),
        ("192.0.2.256", "shared", None, "ip"),
        ("192.0.2.1/24", "shared", None, "ip"),
        ("0.0.0.0", "shared", None, "ip"),
        ("::", "shared", None, "ip"),
        ("224.0.0.1", "shared", None, "ip"),
        ("ff02::1", "shared", None, "ip"),
        ("255.255.255.255", "shared", None, "ip"),
        ("192.0.2.1", "exclusive", None, "type"),
        ("192.0.2.1", "shared", Some("eth 0"), "interface"),
    ];
    for (address, kind, interface, field) in cases {
        let err = app
            .add_ip(&a, address, kind, interface, Mode::Apply)
            .await
            .unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            (ErrorCode::Invalid, Some(field)),
            "{address:?} {kind:?} {interface:?}"
        );
    }
    let too_long = "a".repeat(16);
    let err = app
        .add_ip(&a, "192.0.2.1", "shared", Some(&too_long), Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("interface"));
    assert!(addresses(app).await.is_empty(), "nothing was written");

    add(app, "192.0.2.1", "shared", Some("eth0")).await;
    for (kind, interface, field) in [
        (Some("both"), None, "type"),
        (None, Some("eth/0"), "interface"),
        (
            Some("dedicated"),
            Some("x".repeat(20).as_str()),
            "interface",
        ),
    ] {
        let err = app
            .update_ip(&a, "192.0.2.1", kind, interface, Mode::Apply)
            .await
            .unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            (ErrorCode::Invalid, Some(field))
        );
    }
    let err = app
        .update_ip(&a, "192.0.2", Some("shared"), None, Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::Invalid, Some("ip"))
    );
    let ips = app.list_ips(&a).await.unwrap();
    assert_eq!(
        (ips[0].kind, ips[0].interface.as_deref()),
        ("shared", Some("eth0")),
        "a refused update changes nothing"
    );
}

async fn r7_5_update_changes_type_and_interface(env: Env) {
    let app = &env.app;
    let a = admin(app).await;
    let before = add(app, "192.0.2.1", "shared", Some("eth0")).await;
    let out = app
        .update_ip(
            &a,
            "192.0.2.1",
            Some("dedicated"),
            Some("eth1"),
            Mode::Apply,
        )
        .await
        .unwrap();
    assert_eq!(out.changed, ["type", "interface"]);
    assert!(!out.dry_run);
    assert_eq!(
        (out.ip.kind, out.ip.interface.as_deref()),
        ("dedicated", Some("eth1"))
    );
    assert_eq!((out.ip.id, out.ip.created), (before.id, before.created));

    let same = app
        .update_ip(&a, "192.0.2.1", Some("DEDICATED"), None, Mode::Apply)
        .await
        .unwrap();
    assert!(same.changed.is_empty(), "{:?}", same.changed);

    let cleared = app
        .update_ip(&a, "192.0.2.1", None, Some(""), Mode::Apply)
        .await
        .unwrap();
    assert_eq!(cleared.changed, ["interface"]);
    let ips = app.list_ips(&a).await.unwrap();
    assert_eq!(
        (ips[0].kind, ips[0].interface.as_deref()),
        ("dedicated", None)
    );
}

async fn r7_5_unknown_addresses_are_not_found(env: Env) {
    let app = &env.app;
    let a = admin(app).await;
    add(app, "192.0.2.1", "shared", None).await;
    let err = app
        .update_ip(&a, "192.0.2.2", Some("dedicated"), None, Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::NotFound, Some("ip"))
    );
    let results = app
        .remove_ips(&a, &["2001:db8::1".into()], Mode::Apply, &NoProgress)
        .await;
    let err = results[0].error.as_ref().unwrap();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::NotFound, Some("ip"))
    );
}

async fn r7_5_bulk_removal_reports_per_address_and_a_failure_undoes_nothing_else(env: Env) {
    let app = &env.app;
    let a = admin(app).await;
    for address in ["192.0.2.1", "192.0.2.2", "2001:db8::1"] {
        add(app, address, "shared", None).await;
    }
    let names: Vec<String> = ["192.0.2.1", "nonsense", "192.0.2.9", "2001:DB8:0::1"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    let results = app.remove_ips(&a, &names, Mode::Apply, &NoProgress).await;
    let summary: Vec<(&str, bool, Option<ErrorCode>)> = results
        .iter()
        .map(|r| (r.name.as_str(), r.ok, r.error.as_ref().map(|e| e.code)))
        .collect();
    assert_eq!(
        summary,
        [
            ("192.0.2.1", true, None),
            ("nonsense", false, Some(ErrorCode::Invalid)),
            ("192.0.2.9", false, Some(ErrorCode::NotFound)),
            ("2001:DB8:0::1", true, None),
        ]
    );
    let removed = results[3].result.as_ref().unwrap();
    assert_eq!(
        (removed.address.as_str(), removed.dry_run),
        ("2001:db8::1", false)
    );
    let json = serde_json::to_value(&results).unwrap();
    assert_eq!(json[1]["error"]["field"], "ip");
    assert_eq!(json[0]["error"], serde_json::Value::Null);
    assert_eq!(addresses(app).await, ["192.0.2.2"]);
}

async fn r3_10_ip_dry_runs_write_nothing(env: Env) {
    let app = &env.app;
    let a = admin(app).await;
    let preview = app
        .add_ip(&a, "192.0.2.1", "shared", Some("eth0"), Mode::DryRun)
        .await
        .unwrap();
    assert_eq!(preview.address, "192.0.2.1");
    assert!(addresses(app).await.is_empty());

    add(app, "192.0.2.1", "shared", Some("eth0")).await;
    // A dry run of a duplicate fails exactly like the real thing.
    let err = app
        .add_ip(&a, "192.0.2.1", "shared", None, Mode::DryRun)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);

    let out = app
        .update_ip(&a, "192.0.2.1", Some("dedicated"), Some(""), Mode::DryRun)
        .await
        .unwrap();
    assert!(out.dry_run);
    assert_eq!(out.changed, ["type", "interface"]);
    assert_eq!(out.ip.kind, "dedicated");

    let results = app
        .remove_ips(&a, &["192.0.2.1".into()], Mode::DryRun, &NoProgress)
        .await;
    assert!(results[0].ok && results[0].result.as_ref().unwrap().dry_run);

    let ips = app.list_ips(&a).await.unwrap();
    assert_eq!(ips.len(), 1);
    assert_eq!(
        (ips[0].kind, ips[0].interface.as_deref()),
        ("shared", Some("eth0"))
    );
}

async fn r7_5_list_puts_ipv4_before_ipv6_in_address_order(env: Env) {
    let app = &env.app;
    for address in [
        "2001:db8::10",
        "10.0.0.1",
        "::1",
        "9.0.0.1",
        "2001:db8::9",
        "192.0.2.10",
        "192.0.2.9",
    ] {
        add(app, address, "shared", None).await;
    }
    assert_eq!(
        addresses(app).await,
        [
            "9.0.0.1",
            "10.0.0.1",
            "192.0.2.9",
            "192.0.2.10",
            "::1",
            "2001:db8::9",
            "2001:db8::10"
        ]
    );
}

async fn r7_5_the_clock_stamps_registration(env: Env) {
    let app = &env.app;
    let ip = add(app, "192.0.2.1", "shared", None).await;
    assert_eq!(ip.created, common::clock().0);
    assert_eq!(ip.id.get_version_num(), 7);
}
