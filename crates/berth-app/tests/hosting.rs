//! Plans, add-ons, subscriptions and sync (SPEC §2, §3) through the service layer, on
//! SQLite and PostgreSQL.

mod common;

use berth_app::accounts::NewAccount;
use berth_app::plans::Assignment;
use berth_app::subscriptions::{HostingChange, NewSubscription, SubscriptionListRequest};
use berth_app::{Berth, Mode, NoProgress, ServerSettings};
use berth_core::ErrorCode;
use berth_core::account::{AccountKind, ContactInput};
use berth_core::property::{Group, PlanType};
use berth_core::rights::Actor;
use berth_core::sync::LockScope;
use common::Env;
use serde_json::{Value, json};

on_both_backends!(
    r2_1_plan_names_are_unique_per_owner_and_type,
    r2_2_a_plan_in_use_cannot_be_removed,
    r2_3_plan_update_syncs_every_subscription_and_reports_counts,
    r2_5_addons_add_up_and_never_revoke,
    r2_5_each_addon_once_and_only_with_a_service_plan,
    r3_1_lists_show_plan_or_custom,
    r3_2_expiration_is_creation_plus_validity,
    r3_2_domain_names_are_unique_and_validated,
    r3_3_permission_controlled_settings_keep_the_subscribers_value,
    r3_4_what_cannot_be_provided_leaves_the_subscription_unsynced_until_accepted,
    r3_5_customized_subscriptions_are_locked_and_skipped_until_unlocked,
    r3_5_field_lock_scope_holds_only_customized_fields,
    r3_5_hosting_settings_are_not_customizable,
    r3_6_change_plan_and_detach,
    r3_7_change_subscriber_makes_it_custom_with_the_same_values,
    r3_8_renew_set_hosting_and_remove,
    r3_10_plan_update_dry_run_reports_impact_and_writes_nothing,
    r7_5_a_dedicated_address_serves_one_customer,
    r11_2_resellers_see_their_subscriptions_customers_only_look,
    r1_8_removing_a_reseller_removes_its_plans_and_subscriptions,
    bad_subscription_input_names_the_field,
);

fn account(login: &str, owner: Option<&str>) -> NewAccount {
    NewAccount {
        login: login.into(),
        password: format!("{login}-password"),
        contact: ContactInput {
            name: Some(login.into()),
            email: Some(format!("{login}@example.com")),
            ..Default::default()
        },
        owner: owner.map(str::to_owned),
        ..Default::default()
    }
}

fn limit(raw: &str) -> Assignment {
    (Group::Limits, raw.to_owned())
}

fn perm(raw: &str) -> Assignment {
    (Group::Permissions, raw.to_owned())
}

struct World {
    app: Berth,
    admin: Actor,
    reseller: Actor,
}

/// The admin with a shared IPv4 and IPv6 address, a reseller `r1` with a customer `c1`,
/// and the admin's customer `direct`.
async fn world(env: &Env) -> World {
    let app = env.app.clone();
    let admin = app.actor(None).await.unwrap();
    app.add_ip(&admin, "192.0.2.10", "shared", None, Mode::Apply)
        .await
        .unwrap();
    app.add_ip(&admin, "2001:db8::10", "shared", None, Mode::Apply)
        .await
        .unwrap();
    app.add_ip(&admin, "192.0.2.20", "dedicated", None, Mode::Apply)
        .await
        .unwrap();
    app.create_account(
        &admin,
        AccountKind::Reseller,
        account("r1", None),
        Mode::Apply,
    )
    .await
    .unwrap();
    let reseller = app.actor(Some("r1")).await.unwrap();
    app.pool_add(
        &admin,
        "r1",
        &["192.0.2.10".into(), "2001:db8::10".into()],
        Mode::Apply,
        &NoProgress,
    )
    .await;
    app.create_account(
        &reseller,
        AccountKind::Customer,
        account("c1", None),
        Mode::Apply,
    )
    .await
    .unwrap();
    app.create_account(
        &admin,
        AccountKind::Customer,
        account("direct", None),
        Mode::Apply,
    )
    .await
    .unwrap();
    World {
        app,
        admin,
        reseller,
    }
}

impl World {
    async fn plan(&self, by: &Actor, name: &str, plan_type: PlanType, assignments: &[Assignment]) {
        self.app
            .create_plan(by, name, plan_type, None, assignments, Mode::Apply)
            .await
            .unwrap();
    }

    async fn subscribe(
        &self,
        by: &Actor,
        domain: &str,
        owner: &str,
        plan: Option<&str>,
        addons: &[&str],
    ) -> Value {
        let input = NewSubscription {
            domain: domain.into(),
            owner: Some(owner.into()),
            plan: plan.map(str::to_owned),
            addons: addons.iter().map(|a| (*a).to_owned()).collect(),
            ..Default::default()
        };
        let created = self
            .app
            .create_subscription(by, input, Mode::Apply)
            .await
            .unwrap();
        serde_json::to_value(created).unwrap()
    }

    async fn info(&self, domain: &str) -> Value {
        serde_json::to_value(
            self.app
                .subscription_info(&self.admin, domain)
                .await
                .unwrap(),
        )
        .unwrap()
    }
}

async fn r2_1_plan_names_are_unique_per_owner_and_type(env: Env) {
    let w = world(&env).await;
    w.plan(&w.admin, "Basic", PlanType::Service, &[]).await;
    let err = w
        .app
        .create_plan(&w.admin, "basic", PlanType::Service, None, &[], Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::Conflict, Some("name"))
    );
    w.plan(&w.admin, "Basic", PlanType::Addon, &[]).await;
    w.plan(&w.reseller, "Basic", PlanType::Service, &[]).await;
    let err = w
        .app
        .plan_info(&w.admin, "Basic", None, None)
        .await
        .unwrap_err();
    assert_eq!(
        err.field.as_deref(),
        Some("type"),
        "ambiguous without --type"
    );
    let err = w
        .app
        .create_plan(
            &w.reseller,
            "Resell",
            PlanType::Reseller,
            None,
            &[],
            Mode::Apply,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden);
    let mine = w.app.list_plans(&w.reseller, None, None).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(
        w.app.list_plans(&w.admin, None, None).await.unwrap().len(),
        3
    );
}

async fn r2_2_a_plan_in_use_cannot_be_removed(env: Env) {
    let w = world(&env).await;
    w.plan(&w.admin, "Basic", PlanType::Service, &[]).await;
    w.plan(&w.admin, "Extra", PlanType::Addon, &[limit("max_site=1")])
        .await;
    w.subscribe(&w.admin, "a.example", "direct", Some("Basic"), &["Extra"])
        .await;
    for (name, t) in [("Basic", PlanType::Service), ("Extra", PlanType::Addon)] {
        let err = w
            .app
            .remove_plan(&w.admin, name, Some(t), None, Mode::Apply)
            .await
            .unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            (ErrorCode::Conflict, Some("name"))
        );
        assert!(err.message.contains("1 subscription"), "{}", err.message);
    }
    w.app
        .change_plan(
            &w.admin,
            &["a.example".into()],
            None,
            Mode::Apply,
            &NoProgress,
        )
        .await;
    w.app
        .remove_plan(&w.admin, "Extra", Some(PlanType::Addon), None, Mode::Apply)
        .await
        .unwrap();
    w.app
        .remove_plan(&w.admin, "Basic", None, None, Mode::Apply)
        .await
        .unwrap();
}

async fn r2_3_plan_update_syncs_every_subscription_and_reports_counts(env: Env) {
    let w = world(&env).await;
    w.plan(
        &w.admin,
        "Basic",
        PlanType::Service,
        &[limit("disk_space=1G")],
    )
    .await;
    for d in ["a.example", "b.example", "c.example"] {
        w.subscribe(&w.admin, d, "direct", Some("Basic"), &[]).await;
    }
    w.app
        .customize(&w.admin, "c.example", &[limit("max_site=5")], Mode::Apply)
        .await
        .unwrap();
    let out = w
        .app
        .update_plan(
            &w.admin,
            "Basic",
            None,
            None,
            None,
            &[limit("disk_space=2G"), perm("manage_crontab=true")],
            Mode::Apply,
        )
        .await
        .unwrap();
    assert_eq!(
        (out.sync.synced, out.sync.locked, out.sync.unsynced),
        (2, 1, 0)
    );
    assert_eq!(
        w.info("a.example").await["limits"]["disk_space"],
        json!(2i64 << 30)
    );
    assert_eq!(
        w.info("b.example").await["permissions"]["manage_crontab"],
        json!(true)
    );
    assert_eq!(
        w.info("c.example").await["limits"]["disk_space"],
        json!(1i64 << 30),
        "locked: untouched"
    );
    let names: Vec<&str> = out.changed.iter().map(|c| c.field).collect();
    assert_eq!(names, ["disk_space", "manage_crontab"]);
}

async fn r2_5_addons_add_up_and_never_revoke(env: Env) {
    let w = world(&env).await;
    w.plan(
        &w.admin,
        "Basic",
        PlanType::Service,
        &[
            limit("disk_space=1G"),
            limit("max_site=1"),
            perm("manage_dns=true"),
        ],
    )
    .await;
    w.plan(
        &w.admin,
        "Disk",
        PlanType::Addon,
        &[
            limit("disk_space=512M"),
            perm("manage_dns=false"),
            perm("manage_crontab=true"),
        ],
    )
    .await;
    w.plan(
        &w.admin,
        "Sites",
        PlanType::Addon,
        &[limit("max_site=unlimited")],
    )
    .await;
    let s = w
        .subscribe(
            &w.admin,
            "a.example",
            "direct",
            Some("Basic"),
            &["Disk", "Sites"],
        )
        .await;
    assert_eq!(s["limits"]["disk_space"], json!((1i64 << 30) + (512 << 20)));
    assert_eq!(s["limits"]["max_site"], json!(-1), "unlimited absorbs");
    assert_eq!(
        s["permissions"]["manage_dns"],
        json!(true),
        "an add-on never revokes"
    );
    assert_eq!(s["permissions"]["manage_crontab"], json!(true));
    assert_eq!(s["addons"], json!(["Disk", "Sites"]));
    let out = w
        .app
        .remove_addon(
            &w.admin,
            &["a.example".into()],
            "Disk",
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert!(out[0].ok);
    let s = w.info("a.example").await;
    assert_eq!(s["limits"]["disk_space"], json!(1i64 << 30));
    assert_eq!(s["permissions"]["manage_crontab"], json!(false));
}

async fn r2_5_each_addon_once_and_only_with_a_service_plan(env: Env) {
    let w = world(&env).await;
    w.plan(&w.admin, "Basic", PlanType::Service, &[]).await;
    w.plan(&w.admin, "Disk", PlanType::Addon, &[limit("disk_space=1G")])
        .await;
    let twice = NewSubscription {
        domain: "a.example".into(),
        owner: Some("direct".into()),
        plan: Some("Basic".into()),
        addons: vec!["Disk".into(), "disk".into()],
        ..Default::default()
    };
    let err = w
        .app
        .create_subscription(&w.admin, twice, Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::Invalid, Some("addon"))
    );
    let custom = NewSubscription {
        domain: "b.example".into(),
        owner: Some("direct".into()),
        addons: vec!["Disk".into()],
        ..Default::default()
    };
    assert_eq!(
        w.app
            .create_subscription(&w.admin, custom, Mode::Apply)
            .await
            .unwrap_err()
            .field
            .as_deref(),
        Some("addon")
    );
    w.subscribe(&w.admin, "a.example", "direct", Some("Basic"), &["Disk"])
        .await;
    let again = w
        .app
        .add_addon(
            &w.admin,
            &["a.example".into()],
            "Disk",
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert_eq!(again[0].error.as_ref().unwrap().code, ErrorCode::Conflict);
    w.subscribe(&w.admin, "c.example", "direct", None, &[])
        .await;
    let on_custom = w
        .app
        .add_addon(
            &w.admin,
            &["c.example".into()],
            "Disk",
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert_eq!(
        on_custom[0].error.as_ref().unwrap().field.as_deref(),
        Some("addon")
    );
}

async fn r3_1_lists_show_plan_or_custom(env: Env) {
    let w = world(&env).await;
    w.plan(&w.admin, "Basic", PlanType::Service, &[]).await;
    w.subscribe(&w.admin, "a.example", "direct", Some("Basic"), &[])
        .await;
    w.subscribe(&w.admin, "b.example", "direct", None, &[])
        .await;
    let page = w
        .app
        .list_subscriptions(&w.admin, SubscriptionListRequest::default())
        .await
        .unwrap();
    let names: Vec<&str> = page.items.iter().map(|s| s.display_name.as_str()).collect();
    assert_eq!(names, ["a.example (Basic)", "b.example (Custom)"]);
    let by_plan = SubscriptionListRequest {
        plan: Some("Basic".into()),
        ..Default::default()
    };
    assert_eq!(
        w.app
            .list_subscriptions(&w.admin, by_plan)
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    let search = SubscriptionListRequest {
        search: Some("B.EX".into()),
        ..Default::default()
    };
    assert_eq!(
        w.app
            .list_subscriptions(&w.admin, search)
            .await
            .unwrap()
            .items[0]
            .name,
        "b.example"
    );
    let paged = SubscriptionListRequest {
        limit: Some(1),
        ..Default::default()
    };
    let first = w
        .app
        .list_subscriptions(&w.admin, paged.clone())
        .await
        .unwrap();
    let second = w
        .app
        .list_subscriptions(
            &w.admin,
            SubscriptionListRequest {
                after: first.next.clone(),
                ..paged
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (
            first.items[0].name.as_str(),
            second.items[0].name.as_str(),
            second.next
        ),
        ("a.example", "b.example", None)
    );
}

async fn r3_2_expiration_is_creation_plus_validity(env: Env) {
    let w = world(&env).await;
    w.plan(
        &w.admin,
        "Monthly",
        PlanType::Service,
        &[limit("expiration=1M")],
    )
    .await;
    w.plan(&w.admin, "Forever", PlanType::Service, &[]).await;
    let monthly = w
        .subscribe(&w.admin, "a.example", "direct", Some("Monthly"), &[])
        .await;
    assert_eq!(
        monthly["expiration"],
        json!("2026-04-01"),
        "clock is 2026-03-01"
    );
    let forever = w
        .subscribe(&w.admin, "b.example", "direct", Some("Forever"), &[])
        .await;
    assert_eq!(forever["expiration"], Value::Null);
    let expired = SubscriptionListRequest {
        expired: true,
        ..Default::default()
    };
    assert!(
        w.app
            .list_subscriptions(&w.admin, expired)
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

async fn r3_2_domain_names_are_unique_and_validated(env: Env) {
    let w = world(&env).await;
    let s = w
        .subscribe(&w.admin, "Café.Example", "direct", None, &[])
        .await;
    assert_eq!(
        (s["name"].clone(), s["ascii_name"].clone()),
        (json!("café.example"), json!("xn--caf-dma.example"))
    );
    let dup = NewSubscription {
        domain: "xn--caf-dma.example".into(),
        owner: Some("c1".into()),
        ..Default::default()
    };
    let err = w
        .app
        .create_subscription(&w.admin, dup, Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::Conflict, Some("domain"))
    );
    assert!(
        s["system_password"].as_str().unwrap().len() >= 16,
        "generated and shown once"
    );
    assert!(
        w.info("café.example")
            .await
            .get("system_password")
            .is_none()
    );
}

async fn r3_3_permission_controlled_settings_keep_the_subscribers_value(env: Env) {
    let w = world(&env).await;
    w.plan(
        &w.admin,
        "Dns",
        PlanType::Service,
        &[perm("manage_dns=true"), (Group::Dns, "master".into())],
    )
    .await;
    w.plan(
        &w.admin,
        "NoDns",
        PlanType::Service,
        &[perm("manage_dns=false"), (Group::Dns, "master".into())],
    )
    .await;
    w.subscribe(&w.admin, "a.example", "direct", Some("Dns"), &[])
        .await;
    w.subscribe(&w.admin, "b.example", "direct", Some("NoDns"), &[])
        .await;
    w.app
        .update_plan(
            &w.admin,
            "Dns",
            None,
            None,
            None,
            &[(Group::Dns, "slave".into())],
            Mode::Apply,
        )
        .await
        .unwrap();
    w.app
        .update_plan(
            &w.admin,
            "NoDns",
            None,
            None,
            None,
            &[(Group::Dns, "slave".into())],
            Mode::Apply,
        )
        .await
        .unwrap();
    assert_eq!(
        w.info("a.example").await["dns"]["zone_type"],
        json!("master"),
        "manage_dns hands it to the subscriber"
    );
    assert_eq!(
        w.info("b.example").await["dns"]["zone_type"],
        json!("slave")
    );
}

async fn r3_4_what_cannot_be_provided_leaves_the_subscription_unsynced_until_accepted(env: Env) {
    let w = world(&env).await;
    w.plan(
        &w.admin,
        "Quota",
        PlanType::Service,
        &[
            (Group::Hosting, "hard_quota=true".into()),
            perm("manage_anonftp=true"),
        ],
    )
    .await;
    let s = w
        .subscribe(&w.admin, "a.example", "direct", Some("Quota"), &[])
        .await;
    assert_eq!(s["sync_state"], json!("unsynced"));
    assert_eq!(
        s["conflicts"],
        json!([
            {"property": "manage_anonftp", "plan_value": true, "available_value": false},
            {"property": "hard_quota", "plan_value": true, "available_value": false}
        ])
    );
    let with_quota = w.app.clone().with_settings(ServerSettings {
        hard_quota: true,
        ..Default::default()
    });
    let out = with_quota
        .sync_subscription(&w.admin, "a.example", false, Mode::Apply)
        .await
        .unwrap();
    assert_eq!(
        out.subscription.conflicts,
        json!([{"property": "manage_anonftp", "plan_value": true, "available_value": false}])
    );
    let accepted = with_quota
        .sync_subscription(&w.admin, "a.example", true, Mode::Apply)
        .await
        .unwrap();
    assert_eq!(accepted.subscription.sync_state, "locked");
    assert_eq!(accepted.subscription.conflicts, json!([]));
    assert_eq!(accepted.subscription.customized, ["manage_anonftp"]);
    let on_dedicated = NewSubscription {
        domain: "b.example".into(),
        owner: Some("direct".into()),
        plan: Some("Quota".into()),
        ips: vec!["192.0.2.20".into()],
        ..Default::default()
    };
    let b = with_quota
        .create_subscription(&w.admin, on_dedicated, Mode::Apply)
        .await
        .unwrap();
    assert_eq!(
        b.subscription.sync_state, "synced",
        "a dedicated IP and hard quota: all provided"
    );
}

async fn r3_5_customized_subscriptions_are_locked_and_skipped_until_unlocked(env: Env) {
    let w = world(&env).await;
    w.plan(&w.admin, "Basic", PlanType::Service, &[limit("max_site=1")])
        .await;
    w.subscribe(&w.admin, "a.example", "direct", Some("Basic"), &[])
        .await;
    let out = w
        .app
        .customize(&w.admin, "a.example", &[limit("max_site=3")], Mode::Apply)
        .await
        .unwrap();
    assert_eq!(
        (
            out.subscription.sync_state,
            out.subscription.customized.clone()
        ),
        ("locked", vec!["max_site"])
    );
    assert_eq!(out.changes[0].field, "max_site");
    w.app
        .update_plan(
            &w.admin,
            "Basic",
            None,
            None,
            None,
            &[limit("max_site=2"), limit("max_db=7")],
            Mode::Apply,
        )
        .await
        .unwrap();
    let s = w.info("a.example").await;
    assert_eq!(
        (
            s["limits"]["max_site"].clone(),
            s["limits"]["max_db"].clone()
        ),
        (json!(3), json!(-1))
    );
    let out = w
        .app
        .unlock(
            &w.admin,
            &["a.example".into()],
            &[],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    let s = &out[0].result.as_ref().unwrap().subscription;
    assert_eq!(s.sync_state, "synced");
    let s = w.info("a.example").await;
    assert_eq!(
        (
            s["limits"]["max_site"].clone(),
            s["limits"]["max_db"].clone()
        ),
        (json!(2), json!(7))
    );
}

async fn r3_5_field_lock_scope_holds_only_customized_fields(env: Env) {
    let w = world(&env).await;
    let app = w.app.clone().with_settings(ServerSettings {
        lock_scope: LockScope::Field,
        ..Default::default()
    });
    w.plan(&w.admin, "Basic", PlanType::Service, &[limit("max_site=1")])
        .await;
    w.subscribe(&w.admin, "a.example", "direct", Some("Basic"), &[])
        .await;
    app.customize(
        &w.admin,
        "a.example",
        &[limit("max_site=3"), limit("max_box=4")],
        Mode::Apply,
    )
    .await
    .unwrap();
    let out = app
        .update_plan(
            &w.admin,
            "Basic",
            None,
            None,
            None,
            &[limit("max_site=2"), limit("max_db=7")],
            Mode::Apply,
        )
        .await
        .unwrap();
    assert_eq!((out.sync.synced, out.sync.locked), (1, 0));
    let s = w.info("a.example").await;
    assert_eq!(
        (
            s["limits"]["max_site"].clone(),
            s["limits"]["max_db"].clone()
        ),
        (json!(3), json!(7))
    );
    assert_eq!(s["sync_state"], json!("locked"));
    let out = app
        .unlock(
            &w.admin,
            &["a.example".into()],
            &["max_site".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert_eq!(
        out[0].result.as_ref().unwrap().subscription.customized,
        ["max_box"]
    );
    assert_eq!(w.info("a.example").await["limits"]["max_site"], json!(2));
    let bad = app
        .unlock(
            &w.admin,
            &["a.example".into()],
            &["max_db".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert_eq!(
        bad[0].error.as_ref().unwrap().field.as_deref(),
        Some("field")
    );
}

async fn r3_5_hosting_settings_are_not_customizable(env: Env) {
    let w = world(&env).await;
    w.plan(&w.admin, "Basic", PlanType::Service, &[]).await;
    w.subscribe(&w.admin, "a.example", "direct", Some("Basic"), &[])
        .await;
    for (assignment, field) in [
        ((Group::Hosting, "ssl=false".to_owned()), "hosting"),
        (limit("ssl=false"), "ssl"),
        (limit("expiration=1Y"), "expiration"),
    ] {
        let err = w
            .app
            .customize(&w.admin, "a.example", &[assignment], Mode::Apply)
            .await
            .unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            (ErrorCode::Invalid, Some(field))
        );
    }
}

async fn r3_6_change_plan_and_detach(env: Env) {
    let w = world(&env).await;
    w.plan(&w.admin, "Small", PlanType::Service, &[limit("max_site=1")])
        .await;
    w.plan(&w.admin, "Big", PlanType::Service, &[limit("max_site=10")])
        .await;
    w.subscribe(&w.admin, "a.example", "direct", Some("Small"), &[])
        .await;
    w.subscribe(&w.admin, "b.example", "direct", Some("Small"), &[])
        .await;
    let out = w
        .app
        .change_plan(
            &w.admin,
            &[
                "a.example".into(),
                "b.example".into(),
                "nope.example".into(),
            ],
            Some("Big"),
            Mode::Apply,
            &NoProgress,
        )
        .await;
    let oks: Vec<bool> = out.iter().map(|i| i.ok).collect();
    assert_eq!(oks, [true, true, false]);
    assert_eq!(w.info("a.example").await["limits"]["max_site"], json!(10));
    let out = w
        .app
        .change_plan(
            &w.admin,
            &["a.example".into()],
            None,
            Mode::Apply,
            &NoProgress,
        )
        .await;
    let s = &out[0].result.as_ref().unwrap().subscription;
    assert_eq!(
        (s.display_name.as_str(), s.plan.clone()),
        ("a.example (Custom)", None)
    );
    assert_eq!(
        w.info("a.example").await["limits"]["max_site"],
        json!(10),
        "detaching keeps the values"
    );
    w.app
        .update_plan(
            &w.admin,
            "Big",
            None,
            None,
            None,
            &[limit("max_site=20")],
            Mode::Apply,
        )
        .await
        .unwrap();
    assert_eq!(w.info("a.example").await["limits"]["max_site"], json!(10));
    assert_eq!(w.info("b.example").await["limits"]["max_site"], json!(20));
}

async fn r3_7_change_subscriber_makes_it_custom_with_the_same_values(env: Env) {
    let w = world(&env).await;
    w.plan(&w.reseller, "R", PlanType::Service, &[limit("max_site=4")])
        .await;
    w.app
        .create_account(
            &w.reseller,
            AccountKind::Customer,
            account("c2", None),
            Mode::Apply,
        )
        .await
        .unwrap();
    w.subscribe(&w.reseller, "a.example", "c1", Some("R"), &[])
        .await;
    let preview = w
        .app
        .change_subscriber(
            &w.reseller,
            &["a.example".into()],
            "c2",
            Mode::DryRun,
            &NoProgress,
        )
        .await;
    assert_eq!(preview[0].result.as_ref().unwrap().subscription.owner, "c2");
    assert_eq!(
        w.info("a.example").await["owner"],
        json!("c1"),
        "the preview wrote nothing"
    );
    let out = w
        .app
        .change_subscriber(
            &w.reseller,
            &["a.example".into()],
            "c2",
            Mode::Apply,
            &NoProgress,
        )
        .await;
    let changed = out[0].result.as_ref().unwrap();
    assert!(changed.changes.is_empty(), "same effective values");
    let s = w.info("a.example").await;
    assert_eq!(
        (
            s["owner"].clone(),
            s["plan"].clone(),
            s["limits"]["max_site"].clone()
        ),
        (json!("c2"), Value::Null, json!(4))
    );
    let out = w
        .app
        .change_subscriber(
            &w.reseller,
            &["a.example".into()],
            "r1",
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert!(out[0].ok, "to the owner itself");
    let out = w
        .app
        .change_subscriber(
            &w.admin,
            &["a.example".into()],
            "direct",
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert_eq!(
        out[0].error.as_ref().unwrap().field.as_deref(),
        Some("to"),
        "another provider's customer"
    );
}

async fn r3_8_renew_set_hosting_and_remove(env: Env) {
    let w = world(&env).await;
    w.subscribe(&w.admin, "a.example", "direct", None, &[])
        .await;
    let out = w
        .app
        .renew(&w.admin, "a.example", "2027-12-31", Mode::Apply)
        .await
        .unwrap();
    assert_eq!(
        out.subscription.expiration.unwrap().to_string(),
        "2027-12-31"
    );
    assert_eq!(
        w.app
            .renew(&w.admin, "a.example", "someday", Mode::Apply)
            .await
            .unwrap_err()
            .field
            .as_deref(),
        Some("expiration")
    );
    w.app
        .renew(&w.admin, "a.example", "unlimited", Mode::Apply)
        .await
        .unwrap();
    assert_eq!(w.info("a.example").await["expiration"], Value::Null);
    let change = HostingChange {
        ips: vec!["2001:db8::10".into()],
        system_user: Some("shopuser".into()),
        system_password: Some("new-secret-1".into()),
    };
    let out = w
        .app
        .set_hosting(&w.admin, "a.example", change, Mode::Apply)
        .await
        .unwrap();
    assert_eq!(
        (
            out.subscription.ips.clone(),
            out.subscription.system_user.clone()
        ),
        (vec!["2001:db8::10".to_owned()], "shopuser".to_owned())
    );
    w.subscribe(&w.admin, "b.example", "direct", None, &[])
        .await;
    let taken = HostingChange {
        system_user: Some("shopuser".into()),
        ..Default::default()
    };
    assert_eq!(
        w.app
            .set_hosting(&w.admin, "b.example", taken, Mode::Apply)
            .await
            .unwrap_err()
            .field
            .as_deref(),
        Some("system_user")
    );
    let out = w
        .app
        .remove_subscriptions(
            &w.admin,
            &["a.example".into(), "b.example".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert!(out.iter().all(|i| i.ok));
    assert_eq!(
        w.app
            .subscription_info(&w.admin, "a.example")
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
}

async fn r3_10_plan_update_dry_run_reports_impact_and_writes_nothing(env: Env) {
    let w = world(&env).await;
    w.plan(&w.admin, "Basic", PlanType::Service, &[limit("max_site=1")])
        .await;
    w.subscribe(&w.admin, "a.example", "direct", Some("Basic"), &[])
        .await;
    w.subscribe(&w.admin, "b.example", "direct", Some("Basic"), &[])
        .await;
    w.app
        .customize(&w.admin, "b.example", &[limit("max_box=2")], Mode::Apply)
        .await
        .unwrap();
    let out = w
        .app
        .update_plan(
            &w.admin,
            "Basic",
            None,
            None,
            None,
            &[
                limit("max_site=5"),
                (Group::Hosting, "hard_quota=true".into()),
            ],
            Mode::DryRun,
        )
        .await
        .unwrap();
    assert!(out.dry_run);
    assert_eq!(
        (out.sync.synced, out.sync.locked, out.sync.unsynced),
        (0, 1, 1)
    );
    let impact = serde_json::to_value(&out.sync.impact).unwrap();
    assert_eq!(impact[0]["name"], json!("a.example"));
    assert_eq!(impact[0]["outcome"], json!("unsynced"));
    assert_eq!(
        impact[0]["changes"],
        json!([{"field": "max_site", "old": 1, "new": 5}])
    );
    assert_eq!(impact[0]["conflicts"][0]["property"], json!("hard_quota"));
    assert_eq!(impact[1]["outcome"], json!("locked"));
    let plan = w
        .app
        .plan_info(&w.admin, "Basic", None, None)
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&plan).unwrap()["limits"]["max_site"],
        json!(1)
    );
    assert_eq!(w.info("a.example").await["limits"]["max_site"], json!(1));
    let preview = w
        .app
        .change_plan(
            &w.admin,
            &["a.example".into()],
            None,
            Mode::DryRun,
            &NoProgress,
        )
        .await;
    assert!(preview[0].result.as_ref().unwrap().dry_run);
    assert_eq!(w.info("a.example").await["plan"], json!("Basic"));
}

async fn r7_5_a_dedicated_address_serves_one_customer(env: Env) {
    let w = world(&env).await;
    let on = |domain: &str, owner: &str| NewSubscription {
        domain: domain.into(),
        owner: Some(owner.into()),
        ips: vec!["192.0.2.20".into()],
        ..Default::default()
    };
    w.app
        .create_subscription(&w.admin, on("a.example", "direct"), Mode::Apply)
        .await
        .unwrap();
    w.app
        .create_subscription(&w.admin, on("b.example", "direct"), Mode::Apply)
        .await
        .unwrap();
    let err = w
        .app
        .create_subscription(&w.admin, on("c.example", "c1"), Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("ip"), "not in r1's pool (R4.5)");
    w.app
        .pool_add(
            &w.admin,
            "r1",
            &["192.0.2.20".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    let err = w
        .app
        .create_subscription(&w.admin, on("c.example", "c1"), Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::Conflict, Some("ip"))
    );
    let shared = NewSubscription {
        domain: "d.example".into(),
        owner: Some("c1".into()),
        ..Default::default()
    };
    let d = w
        .app
        .create_subscription(&w.admin, shared, Mode::Apply)
        .await
        .unwrap();
    assert_eq!(
        d.subscription.ips,
        ["192.0.2.10", "2001:db8::10"],
        "first shared IPv4 and IPv6 by default"
    );
}

async fn r11_2_resellers_see_their_subscriptions_customers_only_look(env: Env) {
    let w = world(&env).await;
    w.plan(&w.reseller, "R", PlanType::Service, &[]).await;
    w.plan(&w.admin, "A", PlanType::Service, &[]).await;
    w.subscribe(&w.reseller, "mine.example", "c1", Some("R"), &[])
        .await;
    w.subscribe(&w.admin, "theirs.example", "direct", Some("A"), &[])
        .await;
    assert_eq!(
        w.app
            .subscription_info(&w.reseller, "theirs.example")
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    let names: Vec<String> = w
        .app
        .list_subscriptions(&w.reseller, SubscriptionListRequest::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["mine.example"]);
    let err = w
        .app
        .create_subscription(
            &w.reseller,
            NewSubscription {
                domain: "x.example".into(),
                owner: Some("direct".into()),
                ..Default::default()
            },
            Mode::Apply,
        )
        .await
        .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::NotFound, Some("owner"))
    );
    let err = w
        .app
        .create_subscription(
            &w.reseller,
            NewSubscription {
                domain: "y.example".into(),
                owner: Some("c1".into()),
                plan: Some("A".into()),
                ..Default::default()
            },
            Mode::Apply,
        )
        .await
        .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::NotFound, Some("plan")),
        "the admin's plan is not the reseller's"
    );
    let c1 = w.app.actor(Some("c1")).await.unwrap();
    assert_eq!(
        w.app
            .subscription_info(&c1, "mine.example")
            .await
            .unwrap()
            .owner,
        "c1"
    );
    let err = w
        .app
        .customize(&c1, "mine.example", &[limit("max_site=9")], Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden);
    let removed = w
        .app
        .remove_subscriptions(
            &w.reseller,
            &["theirs.example".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert_eq!(removed[0].error.as_ref().unwrap().code, ErrorCode::NotFound);
}

async fn r1_8_removing_a_reseller_removes_its_plans_and_subscriptions(env: Env) {
    let w = world(&env).await;
    w.plan(&w.reseller, "R", PlanType::Service, &[]).await;
    w.plan(&w.reseller, "RA", PlanType::Addon, &[]).await;
    w.subscribe(&w.reseller, "cust.example", "c1", Some("R"), &["RA"])
        .await;
    w.subscribe(&w.reseller, "own.example", "r1", Some("R"), &[])
        .await;
    w.subscribe(&w.admin, "keep.example", "direct", None, &[])
        .await;
    let out = w
        .app
        .remove_accounts(
            &w.admin,
            AccountKind::Reseller,
            &["r1".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert!(out[0].ok, "{:?}", out[0].error);
    let names: Vec<String> = w
        .app
        .list_subscriptions(&w.admin, SubscriptionListRequest::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["keep.example"]);
    assert!(
        w.app
            .list_plans(&w.admin, None, None)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn bad_subscription_input_names_the_field(env: Env) {
    let w = world(&env).await;
    w.plan(&w.admin, "Basic", PlanType::Service, &[]).await;
    let base = || NewSubscription {
        domain: "ok.example".into(),
        owner: Some("direct".into()),
        ..Default::default()
    };
    let cases: Vec<(&str, NewSubscription)> = vec![
        (
            "domain",
            NewSubscription {
                domain: "not a domain".into(),
                ..base()
            },
        ),
        (
            "owner",
            NewSubscription {
                owner: Some("ghost".into()),
                ..base()
            },
        ),
        (
            "plan",
            NewSubscription {
                plan: Some("Nope".into()),
                ..base()
            },
        ),
        (
            "ip",
            NewSubscription {
                ips: vec!["300.1.1.1".into()],
                ..base()
            },
        ),
        (
            "ip",
            NewSubscription {
                ips: vec!["198.51.100.7".into()],
                ..base()
            },
        ),
        (
            "system_user",
            NewSubscription {
                system_user: Some("root".into()),
                ..base()
            },
        ),
        (
            "system_password",
            NewSubscription {
                system_password: Some("short".into()),
                ..base()
            },
        ),
        (
            "disk_space",
            NewSubscription {
                plan: Some("Basic".into()),
                custom: vec![limit("disk_space=huge")],
                ..base()
            },
        ),
        (
            "max_cl",
            NewSubscription {
                plan: Some("Basic".into()),
                custom: vec![limit("max_cl=3")],
                ..base()
            },
        ),
    ];
    for (field, input) in cases {
        let err = w
            .app
            .create_subscription(&w.admin, input, Mode::Apply)
            .await
            .unwrap_err();
        assert_eq!(err.field.as_deref(), Some(field), "{err:?}");
    }
    assert!(
        w.app
            .list_subscriptions(&w.admin, SubscriptionListRequest::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let err = w
        .app
        .create_plan(
            &w.admin,
            "P",
            PlanType::Service,
            None,
            &[perm("manage_performance=true")],
            Mode::Apply,
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.field.as_deref(),
        Some("manage_performance"),
        "R2.6: needs manage_phosting"
    );
    let err = w
        .app
        .create_plan(
            &w.admin,
            "Q",
            PlanType::Service,
            None,
            &[(Group::Mail, "nonexistent_user=forward".into())],
            Mode::Apply,
        )
        .await
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("forward_address"));
}

mod ip_rules {
    use super::*;

    on_both_backends!(r7_5_an_address_in_use_cannot_be_removed_or_made_dedicated_for_two_customers);

    async fn r7_5_an_address_in_use_cannot_be_removed_or_made_dedicated_for_two_customers(
        env: Env,
    ) {
        let w = world(&env).await;
        w.subscribe(&w.admin, "a.example", "direct", None, &[])
            .await;
        w.subscribe(&w.admin, "b.example", "c1", None, &[]).await;
        let out = w
            .app
            .remove_ips(&w.admin, &["192.0.2.10".into()], Mode::Apply, &NoProgress)
            .await;
        assert_eq!(out[0].error.as_ref().unwrap().code, ErrorCode::Conflict);
        let err = w
            .app
            .update_ip(&w.admin, "192.0.2.10", Some("dedicated"), None, Mode::Apply)
            .await
            .unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            (ErrorCode::Conflict, Some("type"))
        );
        w.app
            .remove_subscriptions(&w.admin, &["b.example".into()], Mode::Apply, &NoProgress)
            .await;
        w.app
            .update_ip(&w.admin, "192.0.2.10", Some("dedicated"), None, Mode::Apply)
            .await
            .unwrap();
        let out = w
            .app
            .remove_ips(&w.admin, &["192.0.2.20".into()], Mode::Apply, &NoProgress)
            .await;
        assert!(out[0].ok, "an unused address goes");
    }
}

mod unlock_rules {
    use super::*;

    on_both_backends!(r3_5_partial_unlock_returns_released_fields_to_the_plan);

    async fn r3_5_partial_unlock_returns_released_fields_to_the_plan(env: Env) {
        let w = world(&env).await;
        w.plan(
            &w.admin,
            "Basic",
            PlanType::Service,
            &[limit("max_site=1"), limit("max_box=30")],
        )
        .await;
        w.subscribe(&w.admin, "a.example", "direct", Some("Basic"), &[])
            .await;
        w.app
            .customize(
                &w.admin,
                "a.example",
                &[limit("max_site=3"), limit("max_box=50")],
                Mode::Apply,
            )
            .await
            .unwrap();
        let out = w
            .app
            .unlock(
                &w.admin,
                &["a.example".into()],
                &["max_box".into()],
                Mode::Apply,
                &NoProgress,
            )
            .await;
        let s = &out[0].result.as_ref().unwrap().subscription;
        assert_eq!(
            (s.sync_state, s.customized.clone()),
            ("locked", vec!["max_site"])
        );
        let s = w.info("a.example").await;
        assert_eq!(
            (
                s["limits"]["max_box"].clone(),
                s["limits"]["max_site"].clone()
            ),
            (json!(30), json!(3))
        );
    }
}
