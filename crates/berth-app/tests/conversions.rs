//! Conversions and moves (SPEC R1.6, R1.7) on SQLite and PostgreSQL.

mod common;

use berth_app::accounts::NewAccount;
use berth_app::plans::Assignment;
use berth_app::resellers::ResellerTerms;
use berth_app::subscriptions::NewSubscription;
use berth_app::{Berth, Mode, NoProgress};
use berth_core::ErrorCode;
use berth_core::account::{AccountKind, ContactInput};
use berth_core::property::{Group, PlanType};
use berth_core::rights::Actor;
use common::Env;
use serde_json::json;

on_both_backends!(
    r1_6_a_customer_becomes_a_reseller_with_the_sum_of_its_subscriptions,
    r1_6_a_customer_becomes_a_reseller_on_a_reseller_plan,
    r1_6_a_reseller_becomes_a_customer_only_without_customers,
    r1_7_moving_a_customer_takes_the_new_owners_plan_and_ips,
    r1_7_a_refused_move_changes_nothing,
    conversions_and_moves_are_the_admins,
);

fn account(login: &str, owner: Option<&str>, reseller: ResellerTerms) -> NewAccount {
    NewAccount {
        login: login.into(),
        password: format!("{login}-password"),
        contact: ContactInput {
            name: Some(format!("{login} name")),
            email: Some(format!("{login}@example.com")),
            ..Default::default()
        },
        owner: owner.map(str::to_owned),
        reseller,
        ..Default::default()
    }
}

fn limit(raw: &str) -> Assignment {
    (Group::Limits, raw.to_owned())
}

struct World {
    app: Berth,
    admin: Actor,
}

/// The admin's plan `Web` (1G disk) and `Big` (2G, crontab); the admin's customer `shop`
/// with two subscriptions on them; reseller `r1` (pool 192.0.2.11, plan `R`).
async fn world(env: &Env) -> World {
    let app = env.app.clone();
    let admin = app.actor(None).await.unwrap();
    app.add_ip(&admin, "192.0.2.10", "shared", None, Mode::Apply)
        .await
        .unwrap();
    app.add_ip(&admin, "192.0.2.11", "shared", None, Mode::Apply)
        .await
        .unwrap();
    app.create_plan(
        &admin,
        "Web",
        PlanType::Service,
        None,
        &[limit("disk_space=1G"), limit("max_traffic=10G")],
        Mode::Apply,
    )
    .await
    .unwrap();
    app.create_plan(
        &admin,
        "Big",
        PlanType::Service,
        None,
        &[
            limit("disk_space=2G"),
            limit("max_traffic=10G"),
            (Group::Permissions, "manage_crontab=true".into()),
        ],
        Mode::Apply,
    )
    .await
    .unwrap();
    app.create_account(
        &admin,
        AccountKind::Customer,
        account("shop", None, Default::default()),
        Mode::Apply,
    )
    .await
    .unwrap();
    for (d, plan) in [("a.example", "Web"), ("b.example", "Big")] {
        let input = NewSubscription {
            domain: d.into(),
            owner: Some("shop".into()),
            plan: Some(plan.into()),
            ips: vec!["192.0.2.10".into()],
            ..Default::default()
        };
        app.create_subscription(&admin, input, Mode::Apply)
            .await
            .unwrap();
    }
    app.create_account(
        &admin,
        AccountKind::Reseller,
        account("r1", None, Default::default()),
        Mode::Apply,
    )
    .await
    .unwrap();
    app.pool_add(
        &admin,
        "r1",
        &["192.0.2.11".into()],
        Mode::Apply,
        &NoProgress,
    )
    .await;
    let r1 = app.actor(Some("r1")).await.unwrap();
    app.create_plan(
        &r1,
        "R",
        PlanType::Service,
        None,
        &[limit("disk_space=5G"), limit("max_traffic=5G")],
        Mode::Apply,
    )
    .await
    .unwrap();
    World { app, admin }
}

impl World {
    async fn info(&self, domain: &str) -> serde_json::Value {
        serde_json::to_value(
            self.app
                .subscription_info(&self.admin, domain)
                .await
                .unwrap(),
        )
        .unwrap()
    }
}

async fn r1_6_a_customer_becomes_a_reseller_with_the_sum_of_its_subscriptions(env: Env) {
    let w = world(&env).await;
    let preview = w
        .app
        .convert_to_reseller(&w.admin, &["shop".into()], None, Mode::DryRun, &NoProgress)
        .await;
    assert!(preview[0].ok);
    assert_eq!(
        w.app
            .account_info(&w.admin, AccountKind::Customer, "shop")
            .await
            .unwrap()
            .kind,
        "customer",
        "dry run"
    );
    let out = w
        .app
        .convert_to_reseller(&w.admin, &["shop".into()], None, Mode::Apply, &NoProgress)
        .await;
    let change = out[0].result.as_ref().unwrap();
    assert_eq!(
        change.subscriptions,
        ["a.example (Custom)", "b.example (Custom)"]
    );
    let r = serde_json::to_value(
        w.app
            .account_info(&w.admin, AccountKind::Reseller, "shop")
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        (r["kind"].clone(), r["name"].clone(), r["owner"].clone()),
        (json!("reseller"), json!("shop name"), json!("admin"))
    );
    assert_eq!(
        r["limits"]["disk_space"],
        json!(3i64 << 30),
        "sum of the allotments"
    );
    assert_eq!(
        r["permissions"]["manage_crontab"],
        json!(true),
        "union of the permissions"
    );
    assert_eq!(
        w.info("b.example").await["limits"]["disk_space"],
        json!(2i64 << 30),
        "values kept"
    );
    let shop = w.app.actor(Some("shop")).await.unwrap();
    let own = NewSubscription {
        domain: "c.example".into(),
        owner: Some("shop".into()),
        ..Default::default()
    };
    let err = w
        .app
        .create_subscription(&shop, own, Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(
        err.code,
        ErrorCode::LimitExceeded,
        "its limits now apply: no unlimited allocation without oversell"
    );
}

async fn r1_6_a_customer_becomes_a_reseller_on_a_reseller_plan(env: Env) {
    let w = world(&env).await;
    w.app
        .create_plan(
            &w.admin,
            "Agency",
            PlanType::Reseller,
            None,
            &[limit("max_cl=7")],
            Mode::Apply,
        )
        .await
        .unwrap();
    let out = w
        .app
        .convert_to_reseller(
            &w.admin,
            &["shop".into(), "ghost".into()],
            Some("Agency"),
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert!(out[0].ok && !out[1].ok);
    let r = serde_json::to_value(
        w.app
            .account_info(&w.admin, AccountKind::Reseller, "shop")
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        (r["plan"].clone(), r["limits"]["max_cl"].clone()),
        (json!("Agency"), json!(7))
    );
}

async fn r1_6_a_reseller_becomes_a_customer_only_without_customers(env: Env) {
    let w = world(&env).await;
    let r1 = w.app.actor(Some("r1")).await.unwrap();
    w.app
        .create_account(
            &r1,
            AccountKind::Customer,
            account("c1", None, Default::default()),
            Mode::Apply,
        )
        .await
        .unwrap();
    let own = NewSubscription {
        domain: "own.example".into(),
        owner: Some("r1".into()),
        plan: Some("R".into()),
        ..Default::default()
    };
    w.app
        .create_subscription(&r1, own, Mode::Apply)
        .await
        .unwrap();
    let out = w
        .app
        .convert_to_customer(&w.admin, &["r1".into()], None, Mode::Apply, &NoProgress)
        .await;
    assert_eq!(
        out[0].error.as_ref().unwrap().code,
        ErrorCode::Conflict,
        "still owns c1"
    );
    let moved = w
        .app
        .move_customers(
            &w.admin,
            &["c1".into()],
            "admin",
            None,
            &[],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert!(moved[0].ok, "{:?}", moved[0].error);
    let out = w
        .app
        .convert_to_customer(
            &w.admin,
            &["r1".into()],
            Some("Web"),
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert!(out[0].ok, "{:?}", out[0].error);
    let c = w
        .app
        .account_info(&w.admin, AccountKind::Customer, "r1")
        .await
        .unwrap();
    assert_eq!(
        (c.kind, c.owner.as_deref(), c.reseller.is_none()),
        ("customer", Some("admin"), true)
    );
    let s = w.info("own.example").await;
    assert_eq!(
        (s["plan"].clone(), s["limits"]["disk_space"].clone()),
        (json!("Web"), json!(1i64 << 30))
    );
    assert!(
        w.app
            .list_plans(&w.admin, None, Some("admin"))
            .await
            .unwrap()
            .iter()
            .all(|p| p.owner == "admin")
    );
    assert_eq!(
        w.app.list_plans(&w.admin, None, None).await.unwrap().len(),
        2,
        "r1's plan R is gone"
    );
}

async fn r1_7_moving_a_customer_takes_the_new_owners_plan_and_ips(env: Env) {
    let w = world(&env).await;
    let out = w
        .app
        .move_customers(
            &w.admin,
            &["shop".into()],
            "r1",
            Some("R"),
            &[],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert!(out[0].ok, "{:?}", out[0].error);
    let shop = w
        .app
        .account_info(&w.admin, AccountKind::Customer, "shop")
        .await
        .unwrap();
    assert_eq!(shop.owner.as_deref(), Some("r1"));
    let a = w.info("a.example").await;
    assert_eq!(
        (
            a["plan"].clone(),
            a["ips"].clone(),
            a["limits"]["disk_space"].clone()
        ),
        (json!("R"), json!(["192.0.2.11"]), json!(5i64 << 30))
    );
    let r1 = w.app.actor(Some("r1")).await.unwrap();
    assert_eq!(
        w.app
            .subscription_info(&r1, "a.example")
            .await
            .unwrap()
            .name,
        "a.example",
        "now the reseller's to see"
    );
    let back = w
        .app
        .move_customers(
            &w.admin,
            &["shop".into()],
            "admin",
            None,
            &["192.0.2.10".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert!(back[0].ok, "{:?}", back[0].error);
    let a = w.info("a.example").await;
    assert_eq!(
        (a["plan"].clone(), a["ips"].clone()),
        (json!(null), json!(["192.0.2.10"])),
        "custom plan keeps its values"
    );
    assert_eq!(a["limits"]["disk_space"], json!(5i64 << 30));
}

async fn r1_7_a_refused_move_changes_nothing(env: Env) {
    let w = world(&env).await;
    w.app
        .set_reseller_terms(
            &w.admin,
            "r1",
            &ResellerTerms {
                plan: None,
                assignments: vec![limit("disk_space=1G")],
            },
            Mode::Apply,
        )
        .await
        .unwrap();
    let out = w
        .app
        .move_customers(
            &w.admin,
            &["shop".into()],
            "r1",
            None,
            &[],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert_eq!(
        out[0].error.as_ref().unwrap().code,
        ErrorCode::LimitExceeded
    );
    assert_eq!(
        w.app
            .account_info(&w.admin, AccountKind::Customer, "shop")
            .await
            .unwrap()
            .owner
            .as_deref(),
        Some("admin")
    );
    assert_eq!(w.info("a.example").await["plan"], json!("Web"));
    let bad_ip = w
        .app
        .move_customers(
            &w.admin,
            &["shop".into()],
            "r1",
            None,
            &["192.0.2.10".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert_eq!(
        bad_ip[0].error.as_ref().unwrap().field.as_deref(),
        Some("ip"),
        "not in r1's pool"
    );
}

async fn conversions_and_moves_are_the_admins(env: Env) {
    let w = world(&env).await;
    let r1 = w.app.actor(Some("r1")).await.unwrap();
    let out = w
        .app
        .convert_to_reseller(&r1, &["shop".into()], None, Mode::Apply, &NoProgress)
        .await;
    assert_eq!(out[0].error.as_ref().unwrap().code, ErrorCode::Forbidden);
    let out = w
        .app
        .move_customers(
            &r1,
            &["shop".into()],
            "r1",
            None,
            &[],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert_eq!(out[0].error.as_ref().unwrap().code, ErrorCode::Forbidden);
    let out = w
        .app
        .move_customers(
            &w.admin,
            &["shop".into()],
            "nobody",
            None,
            &[],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert_eq!(out[0].error.as_ref().unwrap().field.as_deref(), Some("to"));
}
