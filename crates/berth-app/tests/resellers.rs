//! Resellers (SPEC §4): plans and custom terms, admission control, IP pools, overview, on
//! SQLite and PostgreSQL.

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
    r4_1_a_reseller_on_a_plan_follows_it_like_subscriptions_do,
    r4_1_custom_resellers_take_their_limits_directly,
    r4_2_customer_and_subscription_counts_are_hard_limits,
    r4_1_without_create_clients_or_create_domains_a_reseller_cannot_create,
    r4_3_without_oversell_allocations_must_fit_and_not_be_unlimited,
    r4_3_with_oversell_allocations_may_exceed,
    r3_4_a_permission_the_reseller_lacks_leaves_subscriptions_unsynced,
    r4_5_a_reseller_uses_only_its_ip_pool,
    r4_4_overview_shows_allocated_and_remaining,
    r2_2_a_reseller_plan_in_use_cannot_be_removed,
    customer_and_first_subscription_are_one_transaction,
    r4_2_concurrent_creations_cannot_both_take_the_last_place,
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
}

async fn world(env: &Env) -> World {
    let app = env.app.clone();
    let admin = app.actor(None).await.unwrap();
    app.add_ip(&admin, "192.0.2.10", "shared", None, Mode::Apply)
        .await
        .unwrap();
    app.add_ip(&admin, "192.0.2.20", "dedicated", None, Mode::Apply)
        .await
        .unwrap();
    World { app, admin }
}

impl World {
    async fn reseller(&self, login: &str, terms: ResellerTerms) -> Actor {
        let input = NewAccount {
            reseller: terms,
            ..account(login, None)
        };
        self.app
            .create_account(&self.admin, AccountKind::Reseller, input, Mode::Apply)
            .await
            .unwrap();
        self.app
            .pool_add(
                &self.admin,
                login,
                &["192.0.2.10".into()],
                Mode::Apply,
                &NoProgress,
            )
            .await;
        self.app.actor(Some(login)).await.unwrap()
    }

    async fn limits(&self, login: &str) -> serde_json::Value {
        let view = self
            .app
            .account_info(&self.admin, AccountKind::Reseller, login)
            .await
            .unwrap();
        serde_json::to_value(view).unwrap()
    }
}

fn terms(plan: Option<&str>, assignments: &[Assignment]) -> ResellerTerms {
    ResellerTerms {
        plan: plan.map(str::to_owned),
        assignments: assignments.to_vec(),
    }
}

async fn r4_1_a_reseller_on_a_plan_follows_it_like_subscriptions_do(env: Env) {
    let w = world(&env).await;
    w.app
        .create_plan(
            &w.admin,
            "Agency",
            PlanType::Reseller,
            None,
            &[limit("max_cl=10"), limit("max_dom=20")],
            Mode::Apply,
        )
        .await
        .unwrap();
    w.reseller("r1", terms(Some("Agency"), &[])).await;
    w.reseller("r2", terms(Some("Agency"), &[limit("max_cl=50")]))
        .await;
    let r1 = w.limits("r1").await;
    assert_eq!(
        (
            r1["plan"].clone(),
            r1["limits"]["max_cl"].clone(),
            r1["sync_state"].clone()
        ),
        (json!("Agency"), json!(10), json!("synced"))
    );
    assert_eq!(w.limits("r2").await["sync_state"], json!("locked"));
    let out = w
        .app
        .update_plan(
            &w.admin,
            "Agency",
            None,
            None,
            None,
            &[limit("max_cl=15")],
            Mode::Apply,
        )
        .await
        .unwrap();
    assert_eq!((out.sync.synced, out.sync.locked), (1, 1));
    assert_eq!(w.limits("r1").await["limits"]["max_cl"], json!(15));
    assert_eq!(w.limits("r2").await["limits"]["max_cl"], json!(50));
}

async fn r4_1_custom_resellers_take_their_limits_directly(env: Env) {
    let w = world(&env).await;
    w.reseller(
        "r1",
        terms(None, &[limit("max_cl=3"), perm("allow_oversell=true")]),
    )
    .await;
    let r1 = w.limits("r1").await;
    assert_eq!(
        (
            r1["plan"].clone(),
            r1["limits"]["max_cl"].clone(),
            r1["oversell"].clone()
        ),
        (json!(null), json!(3), json!(true))
    );
    let view = w
        .app
        .set_reseller_terms(
            &w.admin,
            "r1",
            &terms(None, &[limit("max_cl=4")]),
            Mode::Apply,
        )
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(view).unwrap()["limits"]["max_cl"],
        json!(4)
    );
    let err = w
        .app
        .set_reseller_terms(
            &w.admin,
            "r1",
            &terms(None, &[limit("max_site=lots")]),
            Mode::Apply,
        )
        .await
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("max_site"));
    let err = w
        .app
        .set_reseller_terms(
            &w.admin,
            "r1",
            &terms(None, &[(Group::Hosting, "ssl=true".into())]),
            Mode::Apply,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
    let r1 = w.app.actor(Some("r1")).await.unwrap();
    assert_eq!(
        w.app
            .set_reseller_terms(&r1, "r1", &terms(None, &[limit("max_cl=99")]), Mode::Apply)
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
}

async fn r4_2_customer_and_subscription_counts_are_hard_limits(env: Env) {
    let w = world(&env).await;
    let r1 = w
        .reseller(
            "r1",
            terms(
                None,
                &[
                    limit("max_cl=1"),
                    limit("max_dom=2"),
                    perm("allow_oversell=true"),
                ],
            ),
        )
        .await;
    w.app
        .create_account(&r1, AccountKind::Customer, account("c1", None), Mode::Apply)
        .await
        .unwrap();
    let err = w
        .app
        .create_account(&r1, AccountKind::Customer, account("c2", None), Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::LimitExceeded, Some("max_cl"))
    );
    assert!(
        err.message.contains("max_cl is 1, 1 in use, 1 asked"),
        "{}",
        err.message
    );
    let err = w
        .app
        .create_account(
            &w.admin,
            AccountKind::Customer,
            account("c3", Some("r1")),
            Mode::Apply,
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.code,
        ErrorCode::LimitExceeded,
        "the admin too, on the reseller's behalf"
    );
    for d in ["a.example", "b.example"] {
        let input = NewSubscription {
            domain: d.into(),
            owner: Some(if d == "a.example" { "c1" } else { "r1" }.into()),
            ..Default::default()
        };
        w.app
            .create_subscription(&r1, input, Mode::Apply)
            .await
            .unwrap();
    }
    let input = NewSubscription {
        domain: "c.example".into(),
        owner: Some("c1".into()),
        ..Default::default()
    };
    let err = w
        .app
        .create_subscription(&r1, input, Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::LimitExceeded, Some("max_dom")),
        "its own subscription counts too"
    );
    assert_eq!(
        w.app
            .list_accounts(&r1, AccountKind::Customer, Default::default())
            .await
            .unwrap()
            .items
            .len(),
        1,
        "nothing written"
    );
}

async fn r4_1_without_create_clients_or_create_domains_a_reseller_cannot_create(env: Env) {
    let w = world(&env).await;
    let r1 = w
        .reseller(
            "r1",
            terms(
                None,
                &[perm("create_clients=false"), perm("create_domains=false")],
            ),
        )
        .await;
    let err = w
        .app
        .create_account(&r1, AccountKind::Customer, account("c1", None), Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden);
    w.app
        .create_account(
            &w.admin,
            AccountKind::Customer,
            account("c1", Some("r1")),
            Mode::Apply,
        )
        .await
        .unwrap();
    let input = NewSubscription {
        domain: "a.example".into(),
        owner: Some("c1".into()),
        ..Default::default()
    };
    assert_eq!(
        w.app
            .create_subscription(&r1, input, Mode::Apply)
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
}

async fn r4_3_without_oversell_allocations_must_fit_and_not_be_unlimited(env: Env) {
    let w = world(&env).await;
    let r1 = w
        .reseller(
            "r1",
            terms(None, &[limit("disk_space=10G"), limit("max_traffic=100G")]),
        )
        .await;
    w.app
        .create_plan(
            &r1,
            "Small",
            PlanType::Service,
            None,
            &[limit("disk_space=4G"), limit("max_traffic=10G")],
            Mode::Apply,
        )
        .await
        .unwrap();
    w.app
        .create_plan(&r1, "Endless", PlanType::Service, None, &[], Mode::Apply)
        .await
        .unwrap();
    w.app
        .create_account(&r1, AccountKind::Customer, account("c1", None), Mode::Apply)
        .await
        .unwrap();
    let sub = |d: &str, plan: &str| NewSubscription {
        domain: d.into(),
        owner: Some("c1".into()),
        plan: Some(plan.into()),
        ..Default::default()
    };
    w.app
        .create_subscription(&r1, sub("a.example", "Small"), Mode::Apply)
        .await
        .unwrap();
    w.app
        .create_subscription(&r1, sub("b.example", "Small"), Mode::Apply)
        .await
        .unwrap();
    let err = w
        .app
        .create_subscription(&r1, sub("c.example", "Small"), Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::LimitExceeded, Some("disk_space"))
    );
    let err = w
        .app
        .create_subscription(&r1, sub("d.example", "Endless"), Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(
        err.code,
        ErrorCode::LimitExceeded,
        "a finite limit forbids unlimited allocations"
    );
    let err = w
        .app
        .customize(&r1, "a.example", &[limit("disk_space=7G")], Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("disk_space"));
    w.app
        .customize(&r1, "a.example", &[limit("disk_space=6G")], Mode::Apply)
        .await
        .unwrap();
}

async fn r4_3_with_oversell_allocations_may_exceed(env: Env) {
    let w = world(&env).await;
    let r1 = w
        .reseller(
            "r1",
            terms(None, &[limit("disk_space=1G"), perm("allow_oversell=true")]),
        )
        .await;
    w.app
        .create_plan(&r1, "Endless", PlanType::Service, None, &[], Mode::Apply)
        .await
        .unwrap();
    let input = NewSubscription {
        domain: "a.example".into(),
        owner: Some("r1".into()),
        plan: Some("Endless".into()),
        ..Default::default()
    };
    w.app
        .create_subscription(&r1, input, Mode::Apply)
        .await
        .unwrap();
}

async fn r3_4_a_permission_the_reseller_lacks_leaves_subscriptions_unsynced(env: Env) {
    let w = world(&env).await;
    let r1 = w
        .reseller("r1", terms(None, &[perm("manage_crontab=false")]))
        .await;
    w.app
        .create_plan(
            &r1,
            "Cron",
            PlanType::Service,
            None,
            &[perm("manage_crontab=true")],
            Mode::Apply,
        )
        .await
        .unwrap();
    let input = NewSubscription {
        domain: "a.example".into(),
        owner: Some("r1".into()),
        plan: Some("Cron".into()),
        ..Default::default()
    };
    let s = w
        .app
        .create_subscription(&r1, input, Mode::Apply)
        .await
        .unwrap();
    assert_eq!(s.subscription.sync_state, "unsynced");
    assert_eq!(
        s.subscription.conflicts,
        json!([{"property": "manage_crontab", "plan_value": true, "available_value": false}])
    );
    w.app
        .set_reseller_terms(
            &w.admin,
            "r1",
            &terms(None, &[perm("manage_crontab=true")]),
            Mode::Apply,
        )
        .await
        .unwrap();
    let out = w
        .app
        .sync_subscription(&r1, "a.example", false, Mode::Apply)
        .await
        .unwrap();
    assert_eq!(
        out.subscription.sync_state, "synced",
        "fixing the reseller and syncing clears it"
    );
    w.app
        .set_reseller_terms(
            &w.admin,
            "r1",
            &terms(None, &[perm("manage_crontab=false")]),
            Mode::Apply,
        )
        .await
        .unwrap();
    let out = w
        .app
        .update_plan(
            &r1,
            "Cron",
            None,
            None,
            None,
            &[limit("max_site=3")],
            Mode::Apply,
        )
        .await
        .unwrap();
    assert_eq!(
        out.sync.unsynced, 1,
        "plan sync sees the reseller's lacking permission"
    );
}

async fn r4_5_a_reseller_uses_only_its_ip_pool(env: Env) {
    let w = world(&env).await;
    w.app
        .create_account(
            &w.admin,
            AccountKind::Reseller,
            account("bare", None),
            Mode::Apply,
        )
        .await
        .unwrap();
    let bare = w.app.actor(Some("bare")).await.unwrap();
    let input = NewSubscription {
        domain: "a.example".into(),
        owner: Some("bare".into()),
        ..Default::default()
    };
    let err = w
        .app
        .create_subscription(&bare, input, Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("ip"), "no pool, no subscription");
    let r1 = w.reseller("r1", terms(None, &[])).await;
    let on = |ip: &str| NewSubscription {
        domain: "b.example".into(),
        owner: Some("r1".into()),
        ips: vec![ip.into()],
        ..Default::default()
    };
    assert_eq!(
        w.app
            .create_subscription(&r1, on("192.0.2.20"), Mode::Apply)
            .await
            .unwrap_err()
            .field
            .as_deref(),
        Some("ip")
    );
    let out = w
        .app
        .pool_add(
            &w.admin,
            "r1",
            &["192.0.2.20".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert!(out[0].ok);
    let out = w
        .app
        .pool_add(
            &w.admin,
            "bare",
            &["192.0.2.20".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert_eq!(
        out[0].error.as_ref().unwrap().code,
        ErrorCode::Conflict,
        "a dedicated address is in one pool"
    );
    w.app
        .create_subscription(&r1, on("192.0.2.20"), Mode::Apply)
        .await
        .unwrap();
    let out = w
        .app
        .pool_remove(
            &w.admin,
            "r1",
            &["192.0.2.20".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert_eq!(
        out[0].error.as_ref().unwrap().code,
        ErrorCode::Conflict,
        "in use"
    );
    let out = w
        .app
        .pool_add(&r1, "r1", &["192.0.2.10".into()], Mode::Apply, &NoProgress)
        .await;
    assert_eq!(out[0].error.as_ref().unwrap().code, ErrorCode::Forbidden);
}

async fn r4_4_overview_shows_allocated_and_remaining(env: Env) {
    let w = world(&env).await;
    let r1 = w
        .reseller(
            "r1",
            terms(
                None,
                &[
                    limit("max_cl=5"),
                    limit("max_dom=5"),
                    limit("disk_space=10G"),
                    perm("allow_oversell=true"),
                ],
            ),
        )
        .await;
    w.app
        .create_plan(
            &r1,
            "Small",
            PlanType::Service,
            None,
            &[limit("disk_space=4G")],
            Mode::Apply,
        )
        .await
        .unwrap();
    w.app
        .create_account(&r1, AccountKind::Customer, account("c1", None), Mode::Apply)
        .await
        .unwrap();
    let input = NewSubscription {
        domain: "a.example".into(),
        owner: Some("c1".into()),
        plan: Some("Small".into()),
        ..Default::default()
    };
    w.app
        .create_subscription(&r1, input, Mode::Apply)
        .await
        .unwrap();
    let o = serde_json::to_value(w.app.reseller_overview(&r1, "r1").await.unwrap()).unwrap();
    assert_eq!(
        o["limits"][0],
        json!({"limit": "max_cl", "value": 5, "allocated": 1, "allocated_unlimited": false, "remaining": 4})
    );
    assert_eq!(o["limits"][2]["remaining"], json!(6i64 << 30));
    w.app
        .create_account(
            &w.admin,
            AccountKind::Reseller,
            account("r2", None),
            Mode::Apply,
        )
        .await
        .unwrap();
    assert_eq!(
        w.app.reseller_overview(&r1, "r2").await.unwrap_err().code,
        ErrorCode::NotFound
    );
}

async fn r2_2_a_reseller_plan_in_use_cannot_be_removed(env: Env) {
    let w = world(&env).await;
    w.app
        .create_plan(
            &w.admin,
            "Agency",
            PlanType::Reseller,
            None,
            &[],
            Mode::Apply,
        )
        .await
        .unwrap();
    w.reseller("r1", terms(Some("Agency"), &[])).await;
    let err = w
        .app
        .remove_plan(&w.admin, "Agency", None, None, Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    w.app
        .set_reseller_terms(&w.admin, "r1", &terms(Some(""), &[]), Mode::Apply)
        .await
        .unwrap();
    w.app
        .remove_plan(&w.admin, "Agency", None, None, Mode::Apply)
        .await
        .unwrap();
}

async fn customer_and_first_subscription_are_one_transaction(env: Env) {
    let w = world(&env).await;
    let first = NewSubscription {
        domain: "first.example".into(),
        ..Default::default()
    };
    let (c, s) = w
        .app
        .create_customer_with_subscription(&w.admin, account("c1", None), first, Mode::Apply)
        .await
        .unwrap();
    assert_eq!(
        (c.login.as_str(), s.subscription.owner.as_str()),
        ("c1", "c1")
    );
    let bad = NewSubscription {
        domain: "first.example".into(),
        ..Default::default()
    };
    let err = w
        .app
        .create_customer_with_subscription(&w.admin, account("c2", None), bad, Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("domain"));
    assert_eq!(
        w.app
            .account_info(&w.admin, AccountKind::Customer, "c2")
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound,
        "all or nothing"
    );
}

async fn r4_2_concurrent_creations_cannot_both_take_the_last_place(env: Env) {
    let w = world(&env).await;
    let r1 = w.reseller("r1", terms(None, &[limit("max_cl=1")])).await;
    let (a, b) = tokio::join!(
        w.app
            .create_account(&r1, AccountKind::Customer, account("ca", None), Mode::Apply),
        w.app
            .create_account(&r1, AccountKind::Customer, account("cb", None), Mode::Apply),
    );
    let outcomes = [a.is_ok(), b.is_ok()];
    assert_eq!(outcomes.iter().filter(|ok| **ok).count(), 1, "{a:?} {b:?}");
    let refused = a.err().or(b.err()).unwrap();
    assert_eq!(refused.code, ErrorCode::LimitExceeded);
    assert_eq!(
        w.app
            .list_accounts(&r1, AccountKind::Customer, Default::default())
            .await
            .unwrap()
            .items
            .len(),
        1
    );
}
