//! Suspension and activation (SPEC §5) through the service layer, on SQLite and PostgreSQL.

mod common;

use berth_app::accounts::NewAccount;
use berth_app::subscriptions::NewSubscription;
use berth_app::{Berth, Mode, NoProgress};
use berth_core::ErrorCode;
use berth_core::account::{AccountKind, ContactInput};
use berth_core::rights::Actor;
use common::Env;

on_both_backends!(
    r5_1_status_is_a_set_of_reasons_with_author_and_time,
    r5_2_suspending_a_reseller_cascades_to_its_customers_and_subscriptions,
    r5_3_activation_lifts_what_the_caller_may_and_the_cascade_only,
    r5_3_a_reseller_cannot_lift_the_admins_suspension,
    r5_2_a_suspended_account_cannot_log_in,
    r5_5_bulk_suspension_reports_per_object,
    customers_suspend_only_their_own_subscriptions,
    r3_10_status_dry_runs_write_nothing,
);

fn account(login: &str) -> NewAccount {
    NewAccount {
        login: login.into(),
        password: format!("{login}-password"),
        contact: ContactInput {
            name: Some(login.into()),
            email: Some(format!("{login}@example.com")),
            ..Default::default()
        },
        ..Default::default()
    }
}

struct World {
    app: Berth,
    admin: Actor,
    reseller: Actor,
    customer: Actor,
}

/// Reseller r1 with customers c1 (two subscriptions) and c2 (one), its own subscription, and
/// the admin's customer `direct` with one.
async fn world(env: &Env) -> World {
    let app = env.app.clone();
    let admin = app.actor(None).await.unwrap();
    app.add_ip(&admin, "192.0.2.10", "shared", None, Mode::Apply)
        .await
        .unwrap();
    app.create_account(&admin, AccountKind::Reseller, account("r1"), Mode::Apply)
        .await
        .unwrap();
    let reseller = app.actor(Some("r1")).await.unwrap();
    app.pool_add(
        &admin,
        "r1",
        &["192.0.2.10".into()],
        Mode::Apply,
        &NoProgress,
    )
    .await;
    for c in ["c1", "c2"] {
        app.create_account(&reseller, AccountKind::Customer, account(c), Mode::Apply)
            .await
            .unwrap();
    }
    app.create_account(
        &admin,
        AccountKind::Customer,
        account("direct"),
        Mode::Apply,
    )
    .await
    .unwrap();
    for (domain, owner) in [
        ("a.example", "c1"),
        ("b.example", "c1"),
        ("c.example", "c2"),
        ("own.example", "r1"),
        ("d.example", "direct"),
    ] {
        let input = NewSubscription {
            domain: domain.into(),
            owner: Some(owner.into()),
            ..Default::default()
        };
        app.create_subscription(&admin, input, Mode::Apply)
            .await
            .unwrap();
    }
    let customer = app.actor(Some("c1")).await.unwrap();
    World {
        app,
        admin,
        reseller,
        customer,
    }
}

impl World {
    async fn account_status(&self, kind: AccountKind, login: &str) -> (String, Vec<String>) {
        let v = self
            .app
            .account_info(&self.admin, kind, login)
            .await
            .unwrap();
        (
            v.status.to_owned(),
            v.suspension_reasons
                .iter()
                .map(|r| r.reason.to_owned())
                .collect(),
        )
    }

    async fn sub_status(&self, domain: &str) -> (String, Vec<String>) {
        let v = self
            .app
            .subscription_info(&self.admin, domain)
            .await
            .unwrap();
        (
            v.status.to_owned(),
            v.suspension_reasons
                .iter()
                .map(|r| r.reason.to_owned())
                .collect(),
        )
    }
}

fn state(status: &str, reasons: &[&str]) -> (String, Vec<String>) {
    (
        status.to_owned(),
        reasons.iter().map(|r| (*r).to_owned()).collect(),
    )
}

async fn r5_1_status_is_a_set_of_reasons_with_author_and_time(env: Env) {
    let w = world(&env).await;
    w.app
        .suspend_accounts(
            &w.reseller,
            AccountKind::Customer,
            &["c1".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    w.app
        .suspend_accounts(
            &w.admin,
            AccountKind::Customer,
            &["c1".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    let c1 = w
        .app
        .account_info(&w.admin, AccountKind::Customer, "c1")
        .await
        .unwrap();
    let reasons: Vec<(&str, Option<&str>)> = c1
        .suspension_reasons
        .iter()
        .map(|r| (r.reason, r.by.as_deref()))
        .collect();
    assert_eq!(
        reasons,
        [("admin", Some("admin")), ("reseller", Some("r1"))]
    );
    assert!(
        c1.suspension_reasons
            .iter()
            .all(|r| r.at == common::clock().0)
    );
    assert_eq!(c1.status, "suspended");
}

async fn r5_2_suspending_a_reseller_cascades_to_its_customers_and_subscriptions(env: Env) {
    let w = world(&env).await;
    let out = w
        .app
        .suspend_accounts(
            &w.admin,
            AccountKind::Reseller,
            &["r1".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    let change = out[0].result.as_ref().unwrap();
    assert_eq!(
        (change.cascaded_accounts, change.cascaded_subscriptions),
        (2, 4)
    );
    assert_eq!(
        w.account_status(AccountKind::Reseller, "r1").await,
        state("suspended", &["admin"])
    );
    assert_eq!(
        w.account_status(AccountKind::Customer, "c2").await,
        state("suspended", &["owner"])
    );
    for d in ["a.example", "b.example", "c.example", "own.example"] {
        assert_eq!(w.sub_status(d).await, state("suspended", &["owner"]), "{d}");
    }
    assert_eq!(
        w.sub_status("d.example").await,
        state("active", &[]),
        "another owner's"
    );
    let suspended = berth_app::accounts::ListRequest {
        status: Some("suspended".into()),
        ..Default::default()
    };
    assert_eq!(
        w.app
            .list_accounts(&w.admin, AccountKind::Customer, suspended)
            .await
            .unwrap()
            .items
            .len(),
        2
    );
}

async fn r5_3_activation_lifts_what_the_caller_may_and_the_cascade_only(env: Env) {
    let w = world(&env).await;
    w.app
        .suspend_subscriptions(&w.reseller, &["a.example".into()], Mode::Apply, &NoProgress)
        .await;
    w.app
        .suspend_accounts(
            &w.reseller,
            AccountKind::Customer,
            &["c1".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    w.app
        .suspend_accounts(
            &w.admin,
            AccountKind::Reseller,
            &["r1".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert_eq!(
        w.sub_status("a.example").await,
        state("suspended", &["reseller", "owner"])
    );
    w.app
        .activate_accounts(
            &w.admin,
            AccountKind::Reseller,
            &["r1".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert_eq!(
        w.account_status(AccountKind::Customer, "c2").await,
        state("active", &[])
    );
    assert_eq!(
        w.account_status(AccountKind::Customer, "c1").await,
        state("suspended", &["reseller"]),
        "its own reason stays"
    );
    assert_eq!(
        w.sub_status("b.example").await,
        state("suspended", &["owner"]),
        "c1 is still suspended"
    );
    assert_eq!(w.sub_status("c.example").await, state("active", &[]));
    w.app
        .activate_accounts(
            &w.reseller,
            AccountKind::Customer,
            &["c1".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert_eq!(w.sub_status("b.example").await, state("active", &[]));
    assert_eq!(
        w.sub_status("a.example").await,
        state("suspended", &["reseller"]),
        "says why it stays suspended"
    );
}

async fn r5_3_a_reseller_cannot_lift_the_admins_suspension(env: Env) {
    let w = world(&env).await;
    w.app
        .suspend_accounts(
            &w.admin,
            AccountKind::Customer,
            &["c1".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    let out = w
        .app
        .activate_accounts(
            &w.reseller,
            AccountKind::Customer,
            &["c1".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert_eq!(out[0].error.as_ref().unwrap().code, ErrorCode::Forbidden);
    assert_eq!(
        w.account_status(AccountKind::Customer, "c1").await,
        state("suspended", &["admin"])
    );
    w.app
        .suspend_subscriptions(&w.admin, &["c.example".into()], Mode::Apply, &NoProgress)
        .await;
    let out = w
        .app
        .activate_subscriptions(&w.reseller, &["c.example".into()], Mode::Apply, &NoProgress)
        .await;
    assert_eq!(out[0].error.as_ref().unwrap().code, ErrorCode::Forbidden);
    let out = w
        .app
        .suspend_accounts(
            &w.reseller,
            AccountKind::Reseller,
            &["r1".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert_eq!(
        out[0].error.as_ref().unwrap().code,
        ErrorCode::Forbidden,
        "no suspending itself"
    );
    let out = w
        .app
        .suspend_accounts(
            &w.reseller,
            AccountKind::Customer,
            &["direct".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert_eq!(out[0].error.as_ref().unwrap().code, ErrorCode::NotFound);
}

async fn r5_2_a_suspended_account_cannot_log_in(env: Env) {
    let w = world(&env).await;
    assert!(w.app.authenticate("c1", "c1-password").await.is_ok());
    w.app
        .suspend_accounts(
            &w.admin,
            AccountKind::Reseller,
            &["r1".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    for login in ["r1", "c1"] {
        let err = w
            .app
            .authenticate(login, &format!("{login}-password"))
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::Forbidden, "{login}");
    }
    w.app
        .activate_accounts(
            &w.admin,
            AccountKind::Reseller,
            &["r1".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert!(w.app.authenticate("c1", "c1-password").await.is_ok());
}

async fn r5_5_bulk_suspension_reports_per_object(env: Env) {
    let w = world(&env).await;
    let names: Vec<String> = ["c1", "ghost", "c2"].map(String::from).to_vec();
    let out = w
        .app
        .suspend_accounts(
            &w.reseller,
            AccountKind::Customer,
            &names,
            Mode::Apply,
            &NoProgress,
        )
        .await;
    let oks: Vec<bool> = out.iter().map(|i| i.ok).collect();
    assert_eq!(oks, [true, false, true]);
    let out = w
        .app
        .activate_accounts(
            &w.reseller,
            AccountKind::Customer,
            &names,
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert_eq!(out.iter().filter(|i| i.ok).count(), 2);
    assert_eq!(w.sub_status("a.example").await, state("active", &[]));
}

async fn customers_suspend_only_their_own_subscriptions(env: Env) {
    let w = world(&env).await;
    let out = w
        .app
        .suspend_subscriptions(
            &w.customer,
            &["a.example".into(), "c.example".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert!(out[0].ok);
    assert_eq!(out[1].error.as_ref().unwrap().code, ErrorCode::NotFound);
    assert_eq!(
        w.sub_status("a.example").await,
        state("suspended", &["customer"])
    );
    let out = w
        .app
        .suspend_accounts(
            &w.customer,
            AccountKind::Customer,
            &["c1".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert_eq!(out[0].error.as_ref().unwrap().code, ErrorCode::Forbidden);
    w.app
        .activate_subscriptions(&w.customer, &["a.example".into()], Mode::Apply, &NoProgress)
        .await;
    assert_eq!(w.sub_status("a.example").await, state("active", &[]));
}

async fn r3_10_status_dry_runs_write_nothing(env: Env) {
    let w = world(&env).await;
    let out = w
        .app
        .suspend_accounts(
            &w.admin,
            AccountKind::Reseller,
            &["r1".into()],
            Mode::DryRun,
            &NoProgress,
        )
        .await;
    let change = out[0].result.as_ref().unwrap();
    assert_eq!(
        (change.status, change.cascaded_subscriptions, change.dry_run),
        ("suspended", 4, true)
    );
    assert_eq!(
        w.account_status(AccountKind::Reseller, "r1").await,
        state("active", &[])
    );
    assert_eq!(w.sub_status("a.example").await, state("active", &[]));
}
