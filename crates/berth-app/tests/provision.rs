//! Provisioning from the database (R9.1–R9.3) with the real `nginx -t` and
//! `named-checkzone`, on SQLite and PostgreSQL: full runs, the job queue, incremental
//! batches, failures recorded on the subscription that caused them, removals.

mod common;

use std::path::{Path, PathBuf};

use berth_app::accounts::NewAccount;
use berth_app::domains::{NewAlias, NewSubdomain};
use berth_app::provision::ProvisionSettings;
use berth_app::subscriptions::NewSubscription;
use berth_app::{Berth, Mode, NoProgress};
use berth_core::ErrorCode;
use berth_core::account::{AccountKind, ContactInput};
use berth_core::job::JobState;
use common::Env;

on_both_backends!(
    r9_2_a_provisioning_run_renders_validates_and_writes_only_changes,
    r9_3_one_change_queues_one_job_and_rewrites_only_its_files,
    r9_2_a_refused_batch_records_the_error_on_the_subscription_that_caused_it,
    r9_3_removing_a_subscription_removes_its_files_and_zone_entries,
);

fn settings(dir: &Path) -> ProvisionSettings {
    ProvisionSettings {
        webspace_root: dir.join("www"),
        nginx_dir: dir.join("nginx"),
        zone_dir: dir.join("zones"),
        http_port: 8080,
        nginx_test_cmd: "nginx -t -q -c {config}".into(),
        nginx_reload_cmd: String::new(),
        zone_check_cmd: "named-checkzone -q {zone} {file}".into(),
        dns_reload_cmd: String::new(),
        template_dir: dir.join("vhost-template"),
        system_users: Default::default(),
    }
}

async fn customer(app: &Berth, login: &str) {
    let admin = app.actor(None).await.unwrap();
    let input = NewAccount {
        login: login.into(),
        password: format!("{login}-password"),
        contact: ContactInput {
            name: Some("C".into()),
            email: Some(format!("{login}@example.com")),
            ..Default::default()
        },
        ..Default::default()
    };
    app.create_account(&admin, AccountKind::Customer, input, Mode::Apply)
        .await
        .unwrap();
}

async fn subscription(app: &Berth, domain: &str, owner: &str) {
    let admin = app.actor(None).await.unwrap();
    let input = NewSubscription {
        domain: domain.into(),
        owner: Some(owner.into()),
        ..Default::default()
    };
    app.create_subscription(&admin, input, Mode::Apply)
        .await
        .unwrap();
}

async fn hosting(app: &Berth) {
    let admin = app.actor(None).await.unwrap();
    app.add_ip(&admin, "127.0.0.1", "shared", None, Mode::Apply)
        .await
        .unwrap();
    customer(app, "c1").await;
    subscription(app, "shop.example", "c1").await;
    subscription(app, "closed.example", "c1").await;
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

async fn r9_2_a_provisioning_run_renders_validates_and_writes_only_changes(env: Env) {
    let app = &env.app;
    let admin = app.actor(None).await.unwrap();
    hosting(app).await;
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
        [
            "dns/closed.example.zone",
            "dns/shop.example.net.zone",
            "dns/shop.example.zone",
            "dns/zones.conf",
            "web/closed.example.conf",
            "web/shop.example.conf",
        ]
    );
    assert!(
        !dir.path().join("nginx").exists() && !dir.path().join("zones").exists(),
        "a dry run writes nothing"
    );

    let first = app.provision(&admin, &settings, Mode::Apply).await.unwrap();
    assert!(first.failed.is_empty(), "{:?}", first.failed);
    assert_eq!(first.changed_files, preview.changed_files);
    assert_eq!((first.generation, first.dns_generation), (Some(1), Some(1)));
    let shop = read(dir.path().join("nginx/current/shop.example.conf"));
    assert!(
        shop.contains("server_name shop.example www.shop.example;"),
        "{shop}"
    );
    assert!(shop.contains("server_name blog.shop.example;"), "{shop}");
    assert!(
        shop.contains("return 301 http://shop.example$request_uri;"),
        "{shop}"
    );
    let closed = read(dir.path().join("nginx/current/closed.example.conf"));
    assert!(closed.contains("return 503"), "{closed}");
    assert!(dir.path().join("www/shop.example/httpdocs").is_dir());
    assert!(
        dir.path()
            .join("www/shop.example/httpdocs/index.html")
            .is_file(),
        "a new webspace is seeded from the virtual host template (R8.3)"
    );
    assert!(dir.path().join("www/shop.example/logs").is_dir());
    std::fs::write(
        dir.path().join("www/shop.example/httpdocs/index.html"),
        "the customer's own page",
    )
    .unwrap();
    let zone = read(dir.path().join("zones/current/shop.example.zone"));
    assert!(zone.contains("IN SOA"), "{zone}");
    assert!(
        zone.contains("blog.shop.example."),
        "subdomain records: {zone}"
    );
    let include = read(dir.path().join("zones/current/zones.conf"));
    for z in ["shop.example", "shop.example.net", "closed.example"] {
        assert!(include.contains(&format!("zone \"{z}\"")), "{include}");
    }

    let again = app.provision(&admin, &settings, Mode::Apply).await.unwrap();
    assert_eq!(
        (
            again.changed_files.len(),
            again.generation,
            again.dns_generation
        ),
        (0, None, None),
        "an unchanged state writes nothing"
    );
    assert_eq!(
        read(dir.path().join("www/shop.example/httpdocs/index.html")),
        "the customer's own page",
        "an existing webspace is never seeded again"
    );

    app.activate_subscriptions(&admin, &["closed.example".into()], Mode::Apply, &NoProgress)
        .await;
    let third = app.provision(&admin, &settings, Mode::Apply).await.unwrap();
    assert_eq!(
        (third.changed_files.clone(), third.generation),
        (vec!["web/closed.example.conf".to_owned()], Some(2))
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

async fn r9_3_one_change_queues_one_job_and_rewrites_only_its_files(env: Env) {
    let app = &env.app;
    let admin = app.actor(None).await.unwrap();
    hosting(app).await;
    customer(app, "c2").await;
    let dir = tempfile::tempdir().unwrap();
    let settings = settings(dir.path());
    app.provision(&admin, &settings, Mode::Apply).await.unwrap();
    assert!(
        app.run_provision_batch(&settings).await.unwrap().is_none(),
        "the full run drained the queue"
    );
    let closed = dir.path().join("nginx/current/closed.example.conf");
    let closed_before = std::fs::metadata(&closed).unwrap().modified().unwrap();

    let alias = NewAlias {
        alias: "shop.example.org".into(),
        domain: "shop.example".into(),
        ..Default::default()
    };
    app.create_alias(&admin, alias, Mode::Apply).await.unwrap();
    app.suspend_subscriptions(&admin, &["shop.example".into()], Mode::Apply, &NoProgress)
        .await;
    let batch = app.run_provision_batch(&settings).await.unwrap().unwrap();
    assert_eq!(batch.jobs, 1, "two changes coalesced into one job");
    assert_eq!(batch.subscriptions, 1);
    assert_eq!(
        batch.changed_files,
        [
            "dns/shop.example.org.zone",
            "dns/zones.conf",
            "web/shop.example.conf",
        ]
    );
    assert!(read(dir.path().join("nginx/current/shop.example.conf")).contains("return 503"));
    assert_eq!(
        std::fs::metadata(&closed).unwrap().modified().unwrap(),
        closed_before,
        "other subscriptions' files are not touched"
    );
    assert!(app.run_provision_batch(&settings).await.unwrap().is_none());

    let queue = app.provision_queue(&admin).await.unwrap();
    assert_eq!((queue.pending, queue.running, queue.failed), (0, 0, 0));
    let c2 = app.actor(Some("c2")).await.unwrap();
    assert_eq!(
        app.provision_queue(&c2).await.unwrap_err().code,
        ErrorCode::Forbidden
    );
}

async fn r9_2_a_refused_batch_records_the_error_on_the_subscription_that_caused_it(env: Env) {
    let app = &env.app;
    let admin = app.actor(None).await.unwrap();
    hosting(app).await;
    customer(app, "c2").await;
    subscription(app, "bad.example", "c2").await;
    let dir = tempfile::tempdir().unwrap();
    // A validator that refuses any configuration naming bad.example, as nginx would refuse
    // a broken file: the batch is refused, then each subscription is tried alone.
    let check = dir.path().join("check.sh");
    std::fs::write(
        &check,
        "#!/bin/sh\nfor f in $(sed -n 's/^ *include \"\\(.*\\)\";$/\\1/p' \"$1\"); do\n  \
         if grep -q bad.example \"$f\"; then echo \"refused: $f\" >&2; exit 1; fi\ndone\n",
    )
    .unwrap();
    let mut settings = settings(dir.path());
    settings.nginx_test_cmd = format!("sh {} {{config}}", check.display());

    let report = app.provision(&admin, &settings, Mode::Apply).await.unwrap();
    assert_eq!(report.failed.len(), 1, "{:?}", report.failed);
    assert_eq!(report.failed[0].subscription, "bad.example");
    assert!(
        report.failed[0].error.contains("refused"),
        "{:?}",
        report.failed
    );
    assert!(dir.path().join("nginx/current/shop.example.conf").exists());
    assert!(
        dir.path()
            .join("nginx/current/closed.example.conf")
            .exists()
    );
    assert!(!dir.path().join("nginx/current/bad.example.conf").exists());

    let queue = app.provision_queue(&admin).await.unwrap();
    assert_eq!(queue.pending, 1, "the failed job waits for its retry");
    assert!(
        app.run_provision_batch(&settings).await.unwrap().is_none(),
        "not before its backoff"
    );

    // The owner sees the job of its subscription; another customer does not.
    let c1 = app.actor(Some("c1")).await.unwrap();
    let c2 = app.actor(Some("c2")).await.unwrap();
    let job = app
        .subscription_provisioning(&c2, "bad.example")
        .await
        .unwrap()
        .expect("a job")
        .id;
    let job = job.to_string();
    let seen = app.provision_job(&c2, &job).await.unwrap();
    assert_eq!(seen.state, JobState::Pending);
    assert_eq!(seen.subscription.as_deref(), Some("bad.example"));
    assert!(seen.error.unwrap().contains("refused"));
    assert_eq!(
        app.provision_job(&c1, &job).await.unwrap_err().code,
        ErrorCode::NotFound
    );

    // Once the cause is gone, a full run applies it at once (no waiting for the backoff).
    settings.nginx_test_cmd = "nginx -t -q -c {config}".into();
    let fixed = app.provision(&admin, &settings, Mode::Apply).await.unwrap();
    assert!(fixed.failed.is_empty(), "{:?}", fixed.failed);
    assert!(dir.path().join("nginx/current/bad.example.conf").exists());
    assert_eq!(
        app.provision_job(&c2, &job).await.unwrap().state,
        JobState::Done
    );
    assert_eq!(
        app.provision_job(&c2, "not-a-uuid")
            .await
            .unwrap_err()
            .field
            .as_deref(),
        Some("id")
    );
}

async fn r9_3_removing_a_subscription_removes_its_files_and_zone_entries(env: Env) {
    let app = &env.app;
    let admin = app.actor(None).await.unwrap();
    hosting(app).await;
    let dir = tempfile::tempdir().unwrap();
    let settings = settings(dir.path());
    app.provision(&admin, &settings, Mode::Apply).await.unwrap();
    app.remove_subscriptions(&admin, &["closed.example".into()], Mode::Apply, &NoProgress)
        .await;
    let batch = app.run_provision_batch(&settings).await.unwrap().unwrap();
    assert_eq!(
        batch.changed_files,
        [
            "dns/closed.example.zone",
            "dns/zones.conf",
            "web/closed.example.conf"
        ]
    );
    assert!(
        !dir.path()
            .join("nginx/current/closed.example.conf")
            .exists()
    );
    let include = read(dir.path().join("zones/current/zones.conf"));
    assert!(!include.contains("closed.example"), "{include}");
    assert!(include.contains("shop.example"), "{include}");

    // Removing the customer takes its last subscription's files too (set-based queueing).
    app.remove_accounts(
        &admin,
        AccountKind::Customer,
        &["c1".into()],
        Mode::Apply,
        &NoProgress,
    )
    .await;
    app.drain_provision_queue(&settings).await.unwrap();
    assert!(!dir.path().join("nginx/current/shop.example.conf").exists());
    assert!(!read(dir.path().join("zones/current/zones.conf")).contains("shop.example"));
}
