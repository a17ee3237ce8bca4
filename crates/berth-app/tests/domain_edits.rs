//! The use cases added for the Plesk-compatible API, through the service layer on SQLite
//! and PostgreSQL: a site's or subdomain's document root, renaming a subdomain (R7.1,
//! R7.3), one line at a time in the DNS template (R7.4), and a reseller's IP pool (R4.5).

mod common;

use berth_app::accounts::NewAccount;
use berth_app::domains::{NewSite, NewSubdomain};
use berth_app::subscriptions::NewSubscription;
use berth_app::{Berth, Mode, NoProgress};
use berth_core::ErrorCode;
use berth_core::account::{AccountKind, ContactInput};
use berth_core::property::Group;
use berth_core::rights::Actor;
use common::Env;

on_both_backends!(
    r7_3_document_roots_move_and_stay_unique,
    r7_1_a_renamed_subdomain_keeps_its_id_and_its_records_follow,
    r7_4_template_lines_are_added_and_removed_one_by_one,
    r4_5_a_resellers_pool_is_seen_by_the_admin_and_itself,
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

/// The admin, and customers `owner` (holding `main.example` with the additional domain
/// `second.example` and the subdomain `blog.main.example`) and `other` (holding
/// `other.example`), all on custom subscriptions without limits.
async fn world(env: &Env) -> (Berth, Actor, Actor, Actor) {
    let app = env.app.clone();
    let admin = app.actor(None).await.unwrap();
    app.add_ip(&admin, "192.0.2.10", "shared", None, Mode::Apply)
        .await
        .unwrap();
    for (login, domain) in [("owner", "main.example"), ("other", "other.example")] {
        app.create_account(&admin, AccountKind::Customer, account(login), Mode::Apply)
            .await
            .unwrap();
        let input = NewSubscription {
            domain: domain.into(),
            owner: Some(login.into()),
            custom: vec![
                (Group::Limits, "max_site=unlimited".into()),
                (Group::Limits, "max_subdom=unlimited".into()),
                (Group::Permissions, "create_domains=true".into()),
                (Group::Permissions, "manage_subdomains=true".into()),
            ],
            ..Default::default()
        };
        app.create_subscription(&admin, input, Mode::Apply)
            .await
            .unwrap();
    }
    let owner = app.actor(Some("owner")).await.unwrap();
    let other = app.actor(Some("other")).await.unwrap();
    app.create_site(
        &owner,
        NewSite {
            domain: "second.example".into(),
            subscription: "main.example".into(),
            document_root: None,
        },
        Mode::Apply,
    )
    .await
    .unwrap();
    app.create_subdomain(
        &owner,
        NewSubdomain {
            name: "blog".into(),
            domain: "main.example".into(),
            document_root: None,
        },
        Mode::Apply,
    )
    .await
    .unwrap();
    (app, admin, owner, other)
}

async fn root_of(app: &Berth, actor: &Actor, name: &str) -> Option<String> {
    let mut all = app.list_sites(actor, None).await.unwrap();
    all.extend(app.list_subdomains(actor, None).await.unwrap());
    all.into_iter()
        .find(|d| d.ascii_name == name)
        .and_then(|d| d.document_root)
}

async fn r7_3_document_roots_move_and_stay_unique(env: Env) {
    let (app, _admin, owner, other) = world(&env).await;
    let moved = app
        .set_document_root(&owner, "second.example", "sites/second/", Mode::Apply)
        .await
        .unwrap();
    assert_eq!(moved.domain.document_root.as_deref(), Some("sites/second"));
    assert_eq!(
        root_of(&app, &owner, "second.example").await.as_deref(),
        Some("sites/second")
    );
    app.set_document_root(&owner, "blog.main.example", "blog-files", Mode::Apply)
        .await
        .unwrap();
    assert_eq!(
        root_of(&app, &owner, "blog.main.example").await.as_deref(),
        Some("blog-files")
    );
    // Its own root again is fine; a sibling's is a conflict naming the field.
    app.set_document_root(&owner, "blog.main.example", "blog-files", Mode::Apply)
        .await
        .unwrap();
    for taken in ["httpdocs", "sites/second"] {
        let err = app
            .set_document_root(&owner, "blog.main.example", taken, Mode::Apply)
            .await
            .unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            (ErrorCode::Conflict, Some("document_root")),
            "{taken}"
        );
    }
    let err = app
        .set_document_root(&owner, "blog.main.example", "../escape", Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
    // A main domain has no root of its own here.
    let err = app
        .set_document_root(&owner, "main.example", "elsewhere", Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
    // Another owner's name is not found; a dry run writes nothing.
    let err = app
        .set_document_root(&other, "second.example", "mine", Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    app.set_document_root(&owner, "second.example", "dry", Mode::DryRun)
        .await
        .unwrap();
    assert_eq!(
        root_of(&app, &owner, "second.example").await.as_deref(),
        Some("sites/second")
    );
}

async fn r7_1_a_renamed_subdomain_keeps_its_id_and_its_records_follow(env: Env) {
    let (app, admin, owner, other) = world(&env).await;
    let before = app.list_subdomains(&owner, None).await.unwrap();
    let blog = before[0].clone();
    let numbers = app.legacy_ids(&[blog.id]).await.unwrap();
    let renamed = app
        .rename_subdomain(&owner, "blog.main.example", "news", Mode::Apply)
        .await
        .unwrap();
    assert_eq!(renamed.domain.name, "news.main.example");
    assert_eq!(renamed.domain.id, blog.id);
    assert_eq!(renamed.domain.document_root, blog.document_root);
    assert_eq!(app.legacy_ids(&[blog.id]).await.unwrap(), numbers);
    let names: Vec<String> = app
        .list_subdomains(&owner, None)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.ascii_name)
        .collect();
    assert_eq!(names, ["news.main.example"]);
    let zone = app.dns_zone(&admin, "main.example").await.unwrap();
    assert!(
        zone.records
            .iter()
            .any(|r| r.ascii_name == "news.main.example"),
        "{}",
        zone.text
    );
    assert!(
        !zone
            .records
            .iter()
            .any(|r| r.ascii_name == "blog.main.example"),
        "{}",
        zone.text
    );
    // A full name under the domain is accepted as well as the part before it.
    app.rename_subdomain(
        &owner,
        "news.main.example",
        "second.example.main.example",
        Mode::Apply,
    )
    .await
    .unwrap();
    app.rename_subdomain(&owner, "second.example.main.example", "news", Mode::Apply)
        .await
        .unwrap();
    app.create_subdomain(
        &owner,
        NewSubdomain {
            name: "shop".into(),
            domain: "main.example".into(),
            document_root: None,
        },
        Mode::Apply,
    )
    .await
    .unwrap();
    // A taken name, the same name, no name, another owner, not a subdomain: refused.
    let err = app
        .rename_subdomain(&owner, "news.main.example", "shop", Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::Conflict, Some("new_name"))
    );
    let err = app
        .rename_subdomain(&owner, "news.main.example", "news", Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
    let err = app
        .rename_subdomain(&owner, "news.main.example", "", Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::Invalid, Some("new_name"))
    );
    let err = app
        .rename_subdomain(&other, "news.main.example", "mine", Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    let err = app
        .rename_subdomain(&owner, "second.example", "x", Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    // A dry run changes nothing.
    app.rename_subdomain(&owner, "news.main.example", "later", Mode::DryRun)
        .await
        .unwrap();
    let names: Vec<String> = app
        .list_subdomains(&owner, Some("main.example"))
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.ascii_name)
        .collect();
    assert_eq!(names, ["news.main.example", "shop.main.example"]);
}

async fn r7_4_template_lines_are_added_and_removed_one_by_one(env: Env) {
    let (app, admin, owner, _other) = world(&env).await;
    let before = app.dns_template(&admin).await.unwrap().records;
    let added = app
        .add_dns_template_record(&admin, "shop.<domain>.  A   <ip>", Mode::Apply)
        .await
        .unwrap();
    assert_eq!(added.records.len(), before.len() + 1);
    let last = added.records.last().unwrap();
    assert_eq!(
        (last.host.as_str(), last.rtype, last.value.as_str()),
        ("shop.<domain>.", "A", "<ip>")
    );
    assert_eq!(
        app.dns_template(&admin).await.unwrap().records.len(),
        before.len() + 1
    );
    // The same line again, a broken line, two lines, or a non-admin: refused.
    let err = app
        .add_dns_template_record(&admin, "shop.<domain>. A <ip>", Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    let err = app
        .add_dns_template_record(&admin, "bad.<domain>. A not-an-ip", Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
    let err = app
        .add_dns_template_record(
            &admin,
            "a.<domain>. A <ip>\nb.<domain>. A <ip>",
            Mode::Apply,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
    let err = app
        .add_dns_template_record(&owner, "x.<domain>. A <ip>", Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden);
    // Applying it reaches the zones.
    app.apply_dns_template(&admin, Mode::Apply, &NoProgress)
        .await
        .unwrap();
    let zone = app.dns_zone(&admin, "main.example").await.unwrap();
    assert!(
        zone.records
            .iter()
            .any(|r| r.ascii_name == "shop.main.example"),
        "{}",
        zone.text
    );
    // Removed by its text; a line that is not there is not found.
    let left = app
        .remove_dns_template_record(&admin, "shop.<domain>. A <ip>", Mode::Apply)
        .await
        .unwrap();
    assert_eq!(left.records, before);
    let err = app
        .remove_dns_template_record(&admin, "shop.<domain>. A <ip>", Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    // A dry run writes nothing.
    app.add_dns_template_record(&admin, "dry.<domain>. A <ip>", Mode::DryRun)
        .await
        .unwrap();
    assert_eq!(app.dns_template(&admin).await.unwrap().records, before);
}

async fn r4_5_a_resellers_pool_is_seen_by_the_admin_and_itself(env: Env) {
    let (app, admin, owner, _other) = world(&env).await;
    app.add_ip(&admin, "192.0.2.20", "dedicated", None, Mode::Apply)
        .await
        .unwrap();
    for login in ["r1", "r2"] {
        app.create_account(&admin, AccountKind::Reseller, account(login), Mode::Apply)
            .await
            .unwrap();
    }
    assert!(app.reseller_pool(&admin, "r1").await.unwrap().is_empty());
    app.pool_add(
        &admin,
        "r1",
        &["192.0.2.20".into(), "192.0.2.10".into()],
        Mode::Apply,
        &NoProgress,
    )
    .await;
    let pool: Vec<(String, &str)> = app
        .reseller_pool(&admin, "r1")
        .await
        .unwrap()
        .into_iter()
        .map(|ip| (ip.address, ip.kind))
        .collect();
    assert_eq!(
        pool,
        [
            ("192.0.2.10".to_owned(), "shared"),
            ("192.0.2.20".to_owned(), "dedicated")
        ]
    );
    let r1 = app.actor(Some("r1")).await.unwrap();
    let r2 = app.actor(Some("r2")).await.unwrap();
    assert_eq!(app.reseller_pool(&r1, "r1").await.unwrap().len(), 2);
    for (who, login) in [(&r2, "r1"), (&owner, "r1"), (&admin, "nobody")] {
        let err = app.reseller_pool(who, login).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::NotFound, "{login}");
    }
}
