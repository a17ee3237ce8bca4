//! Large provisioning batches check their zones with one `named-checkconf -z` instead of one
//! `named-checkzone` per zone (R9.2, issue 10), and a refused zone still lands on the
//! subscription that owns it — on SQLite and PostgreSQL.

mod common;

use std::path::Path;

use berth_app::accounts::NewAccount;
use berth_app::provision::ProvisionSettings;
use berth_app::subscriptions::NewSubscription;
use berth_app::{Berth, Mode};
use berth_core::account::{AccountKind, ContactInput};
use common::Env;

on_both_backends!(
    r9_2_a_large_batch_is_checked_by_one_named_checkconf_with_the_real_tools,
    r9_2_a_zone_refused_in_a_large_batch_lands_on_its_subscription,
);

/// More than `bind::BATCH_CHECK_THRESHOLD` zones.
const SUBSCRIPTIONS: usize = 25;

fn settings(dir: &Path, zone_check_cmd: String) -> ProvisionSettings {
    ProvisionSettings {
        webspace_root: dir.join("www"),
        nginx_dir: dir.join("nginx"),
        zone_dir: dir.join("zones"),
        http_port: 8080,
        nginx_test_cmd: String::new(),
        nginx_reload_cmd: String::new(),
        zone_check_cmd,
        dns_reload_cmd: String::new(),
        template_dir: dir.join("vhost-template"),
        system_users: Default::default(),
    }
}

/// A customer with `SUBSCRIPTIONS` subscriptions `s0.example`...; `bad.example` among them.
async fn hosting(app: &Berth) {
    let admin = app.actor(None).await.unwrap();
    app.add_ip(&admin, "127.0.0.1", "shared", None, Mode::Apply)
        .await
        .unwrap();
    let input = NewAccount {
        login: "c1".into(),
        password: "c1-password".into(),
        contact: ContactInput {
            name: Some("C".into()),
            email: Some("c1@example.com".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    app.create_account(&admin, AccountKind::Customer, input, Mode::Apply)
        .await
        .unwrap();
    for i in 0..SUBSCRIPTIONS {
        let domain = if i == 7 {
            "bad.example".to_owned()
        } else {
            format!("s{i}.example")
        };
        let input = NewSubscription {
            domain,
            owner: Some("c1".into()),
            ..Default::default()
        };
        app.create_subscription(&admin, input, Mode::Apply)
            .await
            .unwrap();
    }
}

async fn r9_2_a_large_batch_is_checked_by_one_named_checkconf_with_the_real_tools(env: Env) {
    let app = &env.app;
    let admin = app.actor(None).await.unwrap();
    hosting(app).await;
    let dir = tempfile::tempdir().unwrap();
    let settings = settings(dir.path(), "named-checkzone -q {zone} {file}".into());
    let report = app.provision(&admin, &settings, Mode::Apply).await.unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let checked = std::fs::read_to_string(dir.path().join("zones/check/zones-check.conf"))
        .expect("the batch check configuration");
    assert_eq!(checked.matches("zone \"").count(), SUBSCRIPTIONS);
    assert!(checked.contains("zone \"bad.example\""));
    assert!(dir.path().join("zones/current/s24.example.zone").exists());
}

async fn r9_2_a_zone_refused_in_a_large_batch_lands_on_its_subscription(env: Env) {
    let app = &env.app;
    let admin = app.actor(None).await.unwrap();
    hosting(app).await;
    let dir = tempfile::tempdir().unwrap();
    // Stand-ins for the BIND tools that refuse bad.example and log each call: the batch
    // check refuses the whole batch, then each subscription alone is checked per zone.
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = dir.path().join("calls.log");
    let tool = |name: &str, refuses: &str| {
        let path = bin.join(name);
        std::fs::write(
            &path,
            format!(
                "#!/bin/sh\necho {name} >> {log}\n{refuses}\nexit 0\n",
                log = log.display()
            ),
        )
        .unwrap();
        path
    };
    tool(
        "named-checkconf",
        "if grep -q bad.example \"$2\"; then echo 'zone bad.example/IN: not loaded' >&2; exit 1; fi",
    );
    let checkzone = tool(
        "named-checkzone",
        "if [ \"$1\" = bad.example ]; then echo 'bad.example: refused' >&2; exit 1; fi",
    );
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(bin.join("named-checkconf"))
        .arg(&checkzone)
        .status()
        .unwrap();

    // Called as named-checkzone: the batch check runs once and refuses, then the
    // per-subscription retries put the error on bad.example alone.
    let batch = settings(
        &dir.path().join("batch"),
        format!("{} {{zone}} {{file}}", checkzone.display()),
    );
    let report = app.provision(&admin, &batch, Mode::Apply).await.unwrap();
    assert_eq!(report.failed.len(), 1, "{:?}", report.failed);
    assert_eq!(report.failed[0].subscription, "bad.example");
    assert!(
        report.failed[0].error.contains("refused"),
        "{:?}",
        report.failed
    );
    let calls = std::fs::read_to_string(&log).unwrap();
    assert_eq!(calls.matches("named-checkconf").count(), 1, "{calls}");
    assert!(
        dir.path()
            .join("batch/zones/current/s24.example.zone")
            .exists()
    );
    assert!(
        !dir.path()
            .join("batch/zones/current/bad.example.zone")
            .exists()
    );

    // Any other command has no batch form: it runs per zone, as configured, and the error
    // lands on bad.example all the same.
    std::fs::remove_file(&log).unwrap();
    let per_zone = settings(
        &dir.path().join("per-zone"),
        format!("sh {} {{zone}} {{file}}", checkzone.display()),
    );
    let report = app.provision(&admin, &per_zone, Mode::Apply).await.unwrap();
    assert_eq!(report.failed.len(), 1, "{:?}", report.failed);
    assert_eq!(report.failed[0].subscription, "bad.example");
    let calls = std::fs::read_to_string(&log).unwrap();
    assert!(!calls.contains("named-checkconf"), "{calls}");
    assert!(
        calls.matches("named-checkzone").count() >= SUBSCRIPTIONS,
        "{calls}"
    );
}
