//! Provisioning runs from the database (R9.1, R9.2) with the real `nginx -t`, on SQLite and
//! PostgreSQL.

mod common;

use berth_app::accounts::NewAccount;
use berth_app::domains::{NewAlias, NewSubdomain};
use berth_app::provision::ProvisionSettings;
use berth_app::subscriptions::NewSubscription;
use berth_app::{Mode, NoProgress};
use berth_core::ErrorCode;
use berth_core::account::{AccountKind, ContactInput};
use common::Env;

on_both_backends!(r9_2_a_provisioning_run_renders_validates_and_writes_only_changes);

fn settings(dir: &std::path::Path) -> ProvisionSettings {
    ProvisionSettings {
        webspace_root: dir.join("www"),
        nginx_dir: dir.join("nginx"),
        http_port: 8080,
        nginx_test_cmd: "nginx -t -q -c {config}".into(),
        nginx_reload_cmd: String::new(),
    }
}

async fn r9_2_a_provisioning_run_renders_validates_and_writes_only_changes(env: Env) {
    let app = &env.app;
    let admin = app.actor(None).await.unwrap();
    app.add_ip(&admin, "127.0.0.1", "shared", None, Mode::Apply)
        .await
        .unwrap();
    let customer = NewAccount {
        login: "c1".into(),
        password: "c1-password".into(),
        contact: ContactInput {
            name: Some("C".into()),
            email: Some("c@example.com".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    app.create_account(&admin, AccountKind::Customer, customer, Mode::Apply)
        .await
        .unwrap();
    for d in ["shop.example", "closed.example"] {
        let input = NewSubscription {
            domain: d.into(),
            owner: Some("c1".into()),
            ..Default::default()
        };
        app.create_subscription(&admin, input, Mode::Apply)
            .await
            .unwrap();
    }
    let alias = NewAlias {
        alias: "shop.example.net".into(),
        domain: "shop.example".into(),
        ..Default::default()
    };
    app.create_alias(&admin, alias, Mode::Apply).await.unwrap();
    let sub = NewSubdomain {
        name: "blog".into(),
        domain: "shop.example".into(),
        document_root: None,
    };
    app.create_subdomain(&admin, sub, Mode::Apply)
        .await
        .unwrap();
    app.suspend_subscriptions(&admin, &["closed.example".into()], Mode::Apply, &NoProgress)
        .await;

    let dir = tempfile::tempdir().unwrap();
    let settings = settings(dir.path());
    let preview = app
        .provision(&admin, &settings, Mode::DryRun)
        .await
        .unwrap();
    assert_eq!(
        preview.changed_files,
        ["closed.example.conf", "shop.example.conf"]
    );
    assert!(
        !dir.path().join("nginx/current").exists(),
        "a dry run writes nothing"
    );

    let first = app.provision(&admin, &settings, Mode::Apply).await.unwrap();
    assert_eq!((first.subscriptions, first.generation), (2, Some(1)));
    let shop = std::fs::read_to_string(dir.path().join("nginx/current/shop.example.conf")).unwrap();
    assert!(
        shop.contains("server_name shop.example www.shop.example;"),
        "{shop}"
    );
    assert!(shop.contains("server_name blog.shop.example;"), "{shop}");
    assert!(
        shop.contains("return 301 http://shop.example$request_uri;"),
        "{shop}"
    );
    let closed =
        std::fs::read_to_string(dir.path().join("nginx/current/closed.example.conf")).unwrap();
    assert!(closed.contains("return 503"), "{closed}");
    assert!(dir.path().join("www/shop.example/httpdocs").is_dir());

    let again = app.provision(&admin, &settings, Mode::Apply).await.unwrap();
    assert_eq!(
        (again.changed_files.len(), again.generation),
        (0, None),
        "an unchanged state writes nothing"
    );

    app.activate_subscriptions(&admin, &["closed.example".into()], Mode::Apply, &NoProgress)
        .await;
    let third = app.provision(&admin, &settings, Mode::Apply).await.unwrap();
    assert_eq!(
        (third.changed_files.clone(), third.generation),
        (vec!["closed.example.conf".to_owned()], Some(2))
    );

    let c1 = app.actor(Some("c1")).await.unwrap();
    assert_eq!(
        app.provision(&c1, &settings, Mode::Apply)
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
}
