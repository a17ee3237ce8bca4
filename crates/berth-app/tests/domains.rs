//! Additional domains, aliases and subdomains (SPEC R3.9, R7.1–R7.3, R4.2, R11.2) through
//! the service layer, on SQLite and PostgreSQL.

mod common;
mod zonecheck;

use berth_app::accounts::NewAccount;
use berth_app::domains::{AliasChange, NewAlias, NewSite, NewSubdomain};
use berth_app::plans::Assignment;
use berth_app::subscriptions::NewSubscription;
use berth_app::{Berth, Mode, NoProgress};
use berth_core::account::{AccountKind, ContactInput};
use berth_core::property::{Group, PlanType};
use berth_core::rights::Actor;
use berth_core::{Error, ErrorCode};
use common::Env;

on_both_backends!(
    r3_9_additional_domains_count_against_max_site_with_the_main_one,
    r3_9_customers_need_create_domains,
    r3_2_subscriptions_check_the_whole_registry,
    r7_1_names_are_unique_across_main_domains_sites_aliases_and_subdomains,
    r7_1_invalid_names_are_refused_naming_the_field,
    r7_2_aliases_default_to_redirect_mail_and_dns_sync_and_can_change,
    r7_2_aliases_count_against_max_dom_aliases,
    r7_2_aliases_attach_to_main_or_additional_domains,
    r7_2_customers_need_manage_domain_aliases,
    r7_3_subdomains_have_their_own_document_root,
    r7_3_subdomains_count_against_max_subdom,
    r7_3_customers_need_manage_subdomains,
    r11_2_other_owners_domains_are_not_found,
    removing_a_domain_takes_what_hangs_below_and_never_the_main_domain,
    dry_runs_write_nothing,
);

fn limit(raw: &str) -> Assignment {
    (Group::Limits, raw.to_owned())
}

fn perm(raw: &str) -> Assignment {
    (Group::Permissions, raw.to_owned())
}

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
    /// A customer of the admin with `a.example` on plan Tight.
    tight: Actor,
    /// A customer of the admin with `b.example` on plan Open.
    open: Actor,
    /// A reseller with its customer `c1` holding `r.example` on the reseller's plan.
    reseller: Actor,
    c1: Actor,
}

/// Plans: `Tight` (max_site 2, max_subdom 1, max_dom_aliases 1, no domain permissions)
/// and `Open` (unlimited, every domain permission).
async fn world(env: &Env) -> World {
    let app = env.app.clone();
    let admin = app.actor(None).await.unwrap();
    app.add_ip(&admin, "192.0.2.10", "shared", None, Mode::Apply)
        .await
        .unwrap();
    app.add_ip(&admin, "2001:db8::10", "shared", None, Mode::Apply)
        .await
        .unwrap();
    let tight = [
        limit("max_site=2"),
        limit("max_subdom=1"),
        limit("max_dom_aliases=1"),
        perm("create_domains=false"),
        perm("manage_subdomains=false"),
        perm("manage_domain_aliases=false"),
        perm("manage_dns=false"),
    ];
    let open = [
        limit("max_site=unlimited"),
        limit("max_subdom=unlimited"),
        limit("max_dom_aliases=unlimited"),
        perm("create_domains=true"),
        perm("manage_subdomains=true"),
        perm("manage_domain_aliases=true"),
        perm("manage_dns=true"),
    ];
    for (name, props) in [("Tight", &tight[..]), ("Open", &open[..])] {
        app.create_plan(&admin, name, PlanType::Service, None, props, Mode::Apply)
            .await
            .unwrap();
    }
    for login in ["tight", "open"] {
        app.create_account(&admin, AccountKind::Customer, account(login), Mode::Apply)
            .await
            .unwrap();
    }
    app.create_account(&admin, AccountKind::Reseller, account("r1"), Mode::Apply)
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
    app.create_account(&reseller, AccountKind::Customer, account("c1"), Mode::Apply)
        .await
        .unwrap();
    app.create_plan(
        &reseller,
        "ROpen",
        PlanType::Service,
        None,
        &open,
        Mode::Apply,
    )
    .await
    .unwrap();
    let w = World {
        tight: app.actor(Some("tight")).await.unwrap(),
        open: app.actor(Some("open")).await.unwrap(),
        c1: app.actor(Some("c1")).await.unwrap(),
        app,
        admin,
        reseller,
    };
    w.subscribe(&w.admin, "a.example", "tight", "Tight").await;
    w.subscribe(&w.admin, "b.example", "open", "Open").await;
    w.subscribe(&w.reseller, "r.example", "c1", "ROpen").await;
    w
}

fn code_field(err: &Error) -> (ErrorCode, Option<&str>) {
    (err.code, err.field.as_deref())
}

impl World {
    async fn subscribe(&self, by: &Actor, domain: &str, owner: &str, plan: &str) {
        let input = NewSubscription {
            domain: domain.into(),
            owner: Some(owner.into()),
            plan: Some(plan.into()),
            ..Default::default()
        };
        self.app
            .create_subscription(by, input, Mode::Apply)
            .await
            .unwrap();
    }

    async fn site(&self, by: &Actor, domain: &str, sub: &str) -> Result<String, Error> {
        self.app
            .create_site(
                by,
                NewSite {
                    domain: domain.into(),
                    subscription: sub.into(),
                    document_root: None,
                },
                Mode::Apply,
            )
            .await
            .map(|o| o.domain.ascii_name)
    }

    async fn alias(&self, by: &Actor, alias: &str, domain: &str) -> Result<String, Error> {
        self.app
            .create_alias(
                by,
                NewAlias {
                    alias: alias.into(),
                    domain: domain.into(),
                    ..Default::default()
                },
                Mode::Apply,
            )
            .await
            .map(|o| o.domain.ascii_name)
    }

    async fn subdomain(&self, by: &Actor, name: &str, domain: &str) -> Result<String, Error> {
        self.app
            .create_subdomain(
                by,
                NewSubdomain {
                    name: name.into(),
                    domain: domain.into(),
                    document_root: None,
                },
                Mode::Apply,
            )
            .await
            .map(|o| o.domain.ascii_name)
    }

    async fn names(&self, by: &Actor) -> Vec<String> {
        let mut all: Vec<String> = vec![];
        for list in [
            self.app.list_sites(by, None).await.unwrap(),
            self.app.list_aliases(by, None).await.unwrap(),
            self.app.list_subdomains(by, None).await.unwrap(),
        ] {
            all.extend(list.into_iter().map(|d| d.ascii_name));
        }
        all.sort();
        all
    }

    /// Every zone the admin can see passes named-checkzone.
    async fn zones_are_valid(&self) {
        let sites = self.app.list_sites(&self.admin, None).await.unwrap();
        let aliases = self.app.list_aliases(&self.admin, None).await.unwrap();
        for d in sites.iter().chain(&aliases) {
            let zone = self.app.dns_zone(&self.admin, &d.name).await.unwrap();
            zonecheck::assert_valid_zone(&zone.ascii_name, &zone.text);
        }
    }
}

async fn r3_9_additional_domains_count_against_max_site_with_the_main_one(env: Env) {
    let w = world(&env).await;
    let created = w
        .app
        .create_site(
            &w.admin,
            NewSite {
                domain: "Shop.Example".into(),
                subscription: "a.example".into(),
                document_root: None,
            },
            Mode::Apply,
        )
        .await
        .unwrap();
    assert_eq!(created.domain.kind, "site");
    assert_eq!(created.domain.name, "shop.example");
    assert_eq!(created.domain.subscription.name, "a.example");
    assert_eq!(
        created.domain.document_root.as_deref(),
        Some("shop.example")
    );
    let advice = created.recommendation.expect("R3.9 recommendation");
    assert!(advice.contains("one domain per subscription"), "{advice}");
    // max_site is 2: the main domain and shop.example use it up.
    let err = w
        .site(&w.admin, "more.example", "a.example")
        .await
        .unwrap_err();
    assert_eq!(
        code_field(&err),
        (ErrorCode::LimitExceeded, Some("max_site"))
    );
    for part in ["max_site is 2", "uses 2", "asks for 1 more"] {
        assert!(err.message.contains(part), "{}", err.message);
    }
    // Nothing was written.
    let sites = w.app.list_sites(&w.admin, Some("a.example")).await.unwrap();
    let names: Vec<&str> = sites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["a.example", "shop.example"]);
    assert_eq!(sites[0].kind, "main");
    assert_eq!(sites[0].document_root.as_deref(), Some("httpdocs"));
    // Unlimited on Open.
    for n in 0..5 {
        w.site(&w.admin, &format!("s{n}.example"), "b.example")
            .await
            .unwrap();
    }
    w.zones_are_valid().await;
}

async fn r3_9_customers_need_create_domains(env: Env) {
    let w = world(&env).await;
    let err = w
        .site(&w.tight, "mine.example", "a.example")
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden);
    assert!(err.message.contains("create_domains"), "{}", err.message);
    w.site(&w.open, "mine.example", "b.example").await.unwrap();
    // The provider may, whatever the subscription's permissions.
    w.site(&w.admin, "given.example", "a.example")
        .await
        .unwrap();
    let removed = w
        .app
        .remove_sites(
            &w.tight,
            &["given.example".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert_eq!(
        removed[0].error.as_ref().unwrap().code,
        ErrorCode::Forbidden
    );
}

async fn r3_2_subscriptions_check_the_whole_registry(env: Env) {
    let w = world(&env).await;
    w.alias(&w.admin, "alias.example", "b.example")
        .await
        .unwrap();
    w.subdomain(&w.admin, "blog", "b.example").await.unwrap();
    for taken in ["alias.example", "BLOG.b.example.", "b.example"] {
        let err = w
            .app
            .create_subscription(
                &w.admin,
                NewSubscription {
                    domain: taken.into(),
                    owner: Some("open".into()),
                    ..Default::default()
                },
                Mode::Apply,
            )
            .await
            .unwrap_err();
        assert_eq!(
            code_field(&err),
            (ErrorCode::Conflict, Some("domain")),
            "{taken}"
        );
    }
}

async fn r7_1_names_are_unique_across_main_domains_sites_aliases_and_subdomains(env: Env) {
    let w = world(&env).await;
    w.site(&w.admin, "bücher.example", "b.example")
        .await
        .unwrap();
    w.alias(&w.admin, "alias.example", "b.example")
        .await
        .unwrap();
    w.subdomain(&w.admin, "blog", "b.example").await.unwrap();
    let taken: Vec<(&str, Result<String, Error>, &str)> = vec![
        (
            "site = main domain",
            w.site(&w.admin, "a.example", "b.example").await,
            "domain",
        ),
        (
            "site = alias",
            w.site(&w.admin, "ALIAS.example.", "b.example").await,
            "domain",
        ),
        (
            "site = subdomain",
            w.site(&w.admin, "blog.b.example", "b.example").await,
            "domain",
        ),
        (
            "site = site in punycode",
            w.site(&w.admin, "xn--bcher-kva.example", "b.example").await,
            "domain",
        ),
        (
            "alias = main domain",
            w.alias(&w.admin, "r.example", "b.example").await,
            "alias",
        ),
        (
            "alias = site",
            w.alias(&w.admin, "bücher.example", "b.example").await,
            "alias",
        ),
        (
            "alias = subdomain",
            w.alias(&w.admin, "blog.b.example", "b.example").await,
            "alias",
        ),
        (
            "subdomain again",
            w.subdomain(&w.admin, "Blog", "b.example").await,
            "name",
        ),
    ];
    for (what, result, field) in taken {
        let err = result.expect_err(what);
        assert_eq!(
            code_field(&err),
            (ErrorCode::Conflict, Some(field)),
            "{what}"
        );
        assert!(err.message.contains("unique"), "{what}: {}", err.message);
    }
    // A subdomain whose name an alias already has (alias.example is not below b.example,
    // so take a name below it).
    w.alias(&w.admin, "x.b.example", "r.example").await.unwrap();
    let err = w.subdomain(&w.admin, "x", "b.example").await.unwrap_err();
    assert_eq!(code_field(&err), (ErrorCode::Conflict, Some("name")));
}

async fn r7_1_invalid_names_are_refused_naming_the_field(env: Env) {
    let w = world(&env).await;
    let cases: Vec<(Result<String, Error>, &str)> = vec![
        (w.site(&w.admin, "a..example", "b.example").await, "domain"),
        (w.site(&w.admin, "_x.example", "b.example").await, "domain"),
        (
            w.site(&w.admin, "ok.example", "not a domain").await,
            "subscription",
        ),
        (w.alias(&w.admin, "example.123", "b.example").await, "alias"),
        (
            w.alias(&w.admin, "ok.example", "-b.example").await,
            "domain",
        ),
        (w.subdomain(&w.admin, "bad name", "b.example").await, "name"),
        (w.subdomain(&w.admin, "_dmarc", "b.example").await, "name"),
        (
            w.subdomain(&w.admin, &"x".repeat(64), "b.example").await,
            "name",
        ),
    ];
    for (result, field) in cases {
        let err = result.expect_err(field);
        assert_eq!(
            code_field(&err),
            (ErrorCode::Invalid, Some(field)),
            "{err:?}"
        );
    }
    let err = w
        .app
        .create_site(
            &w.admin,
            NewSite {
                domain: "ok.example".into(),
                subscription: "b.example".into(),
                document_root: Some("../outside".into()),
            },
            Mode::Apply,
        )
        .await
        .unwrap_err();
    assert_eq!(
        code_field(&err),
        (ErrorCode::Invalid, Some("document_root"))
    );
    let err = w
        .app
        .create_alias(
            &w.admin,
            NewAlias {
                alias: "ok.example".into(),
                domain: "b.example".into(),
                web: Some("302".into()),
                ..Default::default()
            },
            Mode::Apply,
        )
        .await
        .unwrap_err();
    assert_eq!(code_field(&err), (ErrorCode::Invalid, Some("web")));
    assert_eq!(
        w.names(&w.admin).await,
        ["a.example", "b.example", "r.example"]
    );
}

async fn r7_2_aliases_default_to_redirect_mail_and_dns_sync_and_can_change(env: Env) {
    let w = world(&env).await;
    let created = w
        .app
        .create_alias(
            &w.open,
            NewAlias {
                alias: "café.example".into(),
                domain: "b.example".into(),
                ..Default::default()
            },
            Mode::Apply,
        )
        .await
        .unwrap();
    let a = &created.domain;
    assert_eq!(
        (a.kind, a.web, a.mail, a.dns_sync),
        ("alias", Some("redirect"), Some(true), Some(true))
    );
    assert_eq!(
        (a.name.as_str(), a.ascii_name.as_str()),
        ("café.example", "xn--caf-dma.example")
    );
    assert_eq!(a.domain.as_ref().unwrap().name, "b.example");
    assert_eq!(a.document_root, None);
    let changed = w
        .app
        .update_alias(
            &w.open,
            "xn--caf-dma.example",
            AliasChange {
                web: Some("same".into()),
                mail: Some(false),
                dns_sync: None,
            },
            Mode::Apply,
        )
        .await
        .unwrap();
    let a = &changed.domain;
    assert_eq!(
        (a.web, a.mail, a.dns_sync),
        (Some("same"), Some(false), Some(true))
    );
    let listed = w
        .app
        .list_aliases(&w.open, Some("b.example"))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].web, Some("same"));
    let err = w
        .app
        .update_alias(&w.open, "café.example", AliasChange::default(), Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(code_field(&err), (ErrorCode::Invalid, Some("web")));
    let err = w
        .app
        .update_alias(
            &w.open,
            "b.example",
            AliasChange {
                mail: Some(true),
                ..Default::default()
            },
            Mode::Apply,
        )
        .await
        .unwrap_err();
    assert_eq!(code_field(&err), (ErrorCode::NotFound, Some("alias")));
    w.zones_are_valid().await;
}

async fn r7_2_aliases_count_against_max_dom_aliases(env: Env) {
    let w = world(&env).await;
    w.alias(&w.admin, "one.example", "a.example").await.unwrap();
    w.site(&w.admin, "site.example", "a.example").await.unwrap();
    // Aliases of any domain of the subscription count together.
    let err = w
        .alias(&w.admin, "two.example", "site.example")
        .await
        .unwrap_err();
    assert_eq!(
        code_field(&err),
        (ErrorCode::LimitExceeded, Some("max_dom_aliases"))
    );
    assert!(
        err.message.contains("max_dom_aliases is 1"),
        "{}",
        err.message
    );
    assert!(
        w.app
            .list_aliases(&w.admin, Some("site.example"))
            .await
            .unwrap()
            .is_empty()
    );
    // Aliases are not domains in the max_site sense (R7.2): the site still fit.
}

async fn r7_2_aliases_attach_to_main_or_additional_domains(env: Env) {
    let w = world(&env).await;
    w.alias(&w.admin, "first.example", "b.example")
        .await
        .unwrap();
    w.subdomain(&w.admin, "blog", "b.example").await.unwrap();
    for parent in ["first.example", "blog.b.example"] {
        let err = w
            .alias(&w.admin, "second.example", parent)
            .await
            .unwrap_err();
        assert_eq!(
            code_field(&err),
            (ErrorCode::Invalid, Some("domain")),
            "{parent}"
        );
        let err = w.subdomain(&w.admin, "deep", parent).await.unwrap_err();
        assert_eq!(
            code_field(&err),
            (ErrorCode::Invalid, Some("domain")),
            "{parent}"
        );
    }
    let err = w
        .alias(&w.admin, "x.example", "nowhere.example")
        .await
        .unwrap_err();
    assert_eq!(code_field(&err), (ErrorCode::NotFound, Some("domain")));
}

async fn r7_2_customers_need_manage_domain_aliases(env: Env) {
    let w = world(&env).await;
    let err = w
        .alias(&w.tight, "x.example", "a.example")
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden);
    assert!(
        err.message.contains("manage_domain_aliases"),
        "{}",
        err.message
    );
    w.alias(&w.admin, "x.example", "a.example").await.unwrap();
    let err = w
        .app
        .update_alias(
            &w.tight,
            "x.example",
            AliasChange {
                mail: Some(false),
                ..Default::default()
            },
            Mode::Apply,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden);
    let removed = w
        .app
        .remove_aliases(&w.tight, &["x.example".into()], Mode::Apply, &NoProgress)
        .await;
    assert_eq!(
        removed[0].error.as_ref().unwrap().code,
        ErrorCode::Forbidden
    );
    w.alias(&w.open, "y.example", "b.example").await.unwrap();
    w.alias(&w.c1, "z.example", "r.example").await.unwrap();
}

async fn r7_3_subdomains_have_their_own_document_root(env: Env) {
    let w = world(&env).await;
    let created = w
        .app
        .create_subdomain(
            &w.open,
            NewSubdomain {
                name: "Blog".into(),
                domain: "b.example".into(),
                document_root: None,
            },
            Mode::Apply,
        )
        .await
        .unwrap();
    let s = &created.domain;
    assert_eq!((s.kind, s.name.as_str()), ("subdomain", "blog.b.example"));
    assert_eq!(s.document_root.as_deref(), Some("blog.b.example"));
    assert_eq!(s.domain.as_ref().unwrap().name, "b.example");
    let custom = w
        .app
        .create_subdomain(
            &w.open,
            NewSubdomain {
                name: "shop.b.example".into(),
                domain: "b.example".into(),
                document_root: Some("sites/shop/".into()),
            },
            Mode::Apply,
        )
        .await
        .unwrap();
    assert_eq!(custom.domain.document_root.as_deref(), Some("sites/shop"));
    for taken in ["httpdocs", "blog.b.example", "sites/shop"] {
        let err = w
            .app
            .create_subdomain(
                &w.open,
                NewSubdomain {
                    name: "other".into(),
                    domain: "b.example".into(),
                    document_root: Some(taken.into()),
                },
                Mode::Apply,
            )
            .await
            .unwrap_err();
        assert_eq!(
            code_field(&err),
            (ErrorCode::Conflict, Some("document_root")),
            "{taken}"
        );
    }
    let subs = w
        .app
        .list_subdomains(&w.open, Some("b.example"))
        .await
        .unwrap();
    let names: Vec<&str> = subs.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["blog.b.example", "shop.b.example"]);
    w.zones_are_valid().await;
}

async fn r7_3_subdomains_count_against_max_subdom(env: Env) {
    let w = world(&env).await;
    w.subdomain(&w.admin, "one", "a.example").await.unwrap();
    w.site(&w.admin, "site.example", "a.example").await.unwrap();
    let err = w
        .subdomain(&w.admin, "two", "site.example")
        .await
        .unwrap_err();
    assert_eq!(
        code_field(&err),
        (ErrorCode::LimitExceeded, Some("max_subdom"))
    );
    assert!(err.message.contains("max_subdom is 1"), "{}", err.message);
    assert_eq!(
        w.app
            .list_subdomains(&w.admin, None)
            .await
            .unwrap()
            .iter()
            .map(|d| d.name.as_str())
            .collect::<Vec<_>>(),
        ["one.a.example"]
    );
    let zone = w.app.dns_zone(&w.admin, "site.example").await.unwrap();
    assert!(!zone.records.iter().any(|r| r.name.starts_with("two.")));
}

async fn r7_3_customers_need_manage_subdomains(env: Env) {
    let w = world(&env).await;
    let err = w
        .subdomain(&w.tight, "blog", "a.example")
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden);
    assert!(err.message.contains("manage_subdomains"), "{}", err.message);
    w.subdomain(&w.reseller, "blog", "r.example").await.unwrap();
    w.subdomain(&w.c1, "shop", "r.example").await.unwrap();
    let removed = w
        .app
        .remove_subdomains(&w.c1, &["shop.r.example".into()], Mode::Apply, &NoProgress)
        .await;
    assert!(removed[0].ok, "{removed:?}");
}

async fn r11_2_other_owners_domains_are_not_found(env: Env) {
    let w = world(&env).await;
    w.site(&w.admin, "site-of-open.example", "b.example")
        .await
        .unwrap();
    w.alias(&w.c1, "alias-of-c1.example", "r.example")
        .await
        .unwrap();
    // Another customer, the reseller: b.example is not theirs.
    for actor in [&w.tight, &w.reseller, &w.c1] {
        let err = w.alias(actor, "x.example", "b.example").await.unwrap_err();
        assert_eq!(code_field(&err), (ErrorCode::NotFound, Some("domain")));
        let err = w.site(actor, "x.example", "b.example").await.unwrap_err();
        assert_eq!(
            code_field(&err),
            (ErrorCode::NotFound, Some("subscription"))
        );
        let err = w
            .subdomain(actor, "x", "site-of-open.example")
            .await
            .unwrap_err();
        assert_eq!(code_field(&err), (ErrorCode::NotFound, Some("domain")));
        let removed = w
            .app
            .remove_sites(
                actor,
                &["site-of-open.example".into()],
                Mode::Apply,
                &NoProgress,
            )
            .await;
        assert_eq!(removed[0].error.as_ref().unwrap().code, ErrorCode::NotFound);
        let err = w
            .app
            .list_sites(actor, Some("b.example"))
            .await
            .unwrap_err();
        assert_eq!(
            code_field(&err),
            (ErrorCode::NotFound, Some("subscription"))
        );
    }
    let err = w
        .app
        .list_aliases(&w.tight, Some("r.example"))
        .await
        .unwrap_err();
    assert_eq!(code_field(&err), (ErrorCode::NotFound, Some("domain")));
    // Lists show only what the actor may see.
    assert_eq!(w.names(&w.tight).await, ["a.example"]);
    assert_eq!(w.names(&w.c1).await, ["alias-of-c1.example", "r.example"]);
    assert_eq!(
        w.names(&w.reseller).await,
        ["alias-of-c1.example", "r.example"]
    );
    assert_eq!(w.names(&w.admin).await.len(), 5);
}

async fn removing_a_domain_takes_what_hangs_below_and_never_the_main_domain(env: Env) {
    let w = world(&env).await;
    w.site(&w.admin, "site.example", "b.example").await.unwrap();
    w.alias(&w.admin, "alias.example", "site.example")
        .await
        .unwrap();
    w.subdomain(&w.admin, "blog", "site.example").await.unwrap();
    let removed = w
        .app
        .remove_sites(
            &w.open,
            &[
                "b.example".into(),
                "alias.example".into(),
                "site.example".into(),
            ],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert_eq!(removed[0].error.as_ref().unwrap().code, ErrorCode::Conflict);
    assert_eq!(removed[1].error.as_ref().unwrap().code, ErrorCode::NotFound);
    assert!(removed[2].ok);
    assert_eq!(w.names(&w.open).await, ["b.example"]);
    // The names are free again, and removing the subscription frees its main domain.
    w.alias(&w.admin, "blog.site.example", "b.example")
        .await
        .unwrap();
    let gone = w
        .app
        .remove_subscriptions(&w.admin, &["b.example".into()], Mode::Apply, &NoProgress)
        .await;
    assert!(gone[0].ok, "{gone:?}");
    w.subscribe(&w.admin, "blog.site.example", "open", "Open")
        .await;
    w.subscribe(&w.admin, "b.example", "open", "Open").await;
    w.zones_are_valid().await;
}

async fn dry_runs_write_nothing(env: Env) {
    let w = world(&env).await;
    let site = w
        .app
        .create_site(
            &w.admin,
            NewSite {
                domain: "dry.example".into(),
                subscription: "b.example".into(),
                document_root: None,
            },
            Mode::DryRun,
        )
        .await
        .unwrap();
    assert!(site.dry_run);
    let alias = w
        .app
        .create_alias(
            &w.admin,
            NewAlias {
                alias: "dry-alias.example".into(),
                domain: "b.example".into(),
                ..Default::default()
            },
            Mode::DryRun,
        )
        .await
        .unwrap();
    assert!(alias.dry_run);
    w.subdomain(&w.admin, "real", "b.example").await.unwrap();
    let removed = w
        .app
        .remove_subdomains(
            &w.admin,
            &["real.b.example".into()],
            Mode::DryRun,
            &NoProgress,
        )
        .await;
    assert!(removed[0].ok);
    assert_eq!(
        w.names(&w.admin).await,
        ["a.example", "b.example", "r.example", "real.b.example"]
    );
    let zone = w.app.dns_zone(&w.admin, "b.example").await.unwrap();
    assert!(zone.records.iter().any(|r| r.name == "real.b.example"));
}
