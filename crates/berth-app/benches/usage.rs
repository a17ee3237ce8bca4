//! Benchmark: measuring disk and traffic usage of 10,000 webspaces (SPEC R6.1) — the walk of
//! every webspace tree and access log alone, then the whole `usage` task (measure, keep the
//! history, apply the overuse policies) on SQLite and PostgreSQL.
//!
//! ```sh
//! cargo bench -p berth-app --bench usage
//! BERTH_BENCH_WEBSPACES=1000 cargo bench -p berth-app --bench usage
//! ```

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use berth_app::accounts::NewAccount;
use berth_app::subscriptions::NewSubscription;
use berth_app::tasks::{Task, TaskSettings};
use berth_app::usage::measure_all;
use berth_app::{Berth, Mode};
use berth_core::account::{AccountKind, ContactInput};
use berth_core::clock::FixedClock;
use berth_core::property::Group;
use berth_core::usage::Month;
use chrono::{TimeZone, Utc};
use support::Raw;

mod support;

const ROUNDS: usize = 3;
/// Files per webspace besides the standard directories, and access-log lines.
const FILES: usize = 8;
const LOG_LINES: usize = 200;

const SQLITE_COPY: &str = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {N}) \
    INSERT INTO subscriptions (id, name, name_key, owner_id, plan_id, addon_key, sync_state, props, custom, conflicts, \
    system_user, system_password_hash, expiration, overused, created_at, updated_at) \
    SELECT randomblob(16), 'w' || n.i || '.example', 'w' || n.i || '.example', t.owner_id, t.plan_id, '', \
    t.sync_state, t.props, t.custom, t.conflicts, 'w' || n.i, t.system_password_hash, t.expiration, 0, \
    t.created_at, t.updated_at FROM n, subscriptions t WHERE t.name = 'w0.example'";

const POSTGRES_COPY: &str = "INSERT INTO subscriptions (id, name, name_key, owner_id, plan_id, addon_key, sync_state, \
    props, custom, conflicts, system_user, system_password_hash, expiration, overused, created_at, updated_at) \
    SELECT gen_random_uuid(), 'w' || n.i || '.example', 'w' || n.i || '.example', t.owner_id, t.plan_id, '', \
    t.sync_state, t.props, t.custom, t.conflicts, 'w' || n.i, t.system_password_hash, t.expiration, false, \
    t.created_at, t.updated_at FROM generate_series(1, {N}) AS n(i), subscriptions t WHERE t.name = 'w0.example'";

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// `<root>/w<i>.example/` with the standard directories, a few files and an access log.
fn webspaces(root: &Path, count: usize) {
    let line = "203.0.113.9 - - [05/Mar/2026:10:00:00 +0000] \"GET /index.html HTTP/1.1\" 200 5120 \"-\" \"bench\"\n";
    let log = line.repeat(LOG_LINES);
    for i in 0..count {
        let base = root.join(format!("w{i}.example"));
        for dir in ["httpdocs/img", "cgi-bin", "error_docs", "anon_ftp", "logs"] {
            std::fs::create_dir_all(base.join(dir)).unwrap();
        }
        for f in 0..FILES {
            std::fs::write(base.join(format!("httpdocs/img/{f}.png")), vec![b'p'; 3000]).unwrap();
        }
        std::fs::write(base.join("logs/access_log"), &log).unwrap();
    }
}

async fn run(name: &str, app: Berth, raw: Raw, copy: &str, root: &Path, count: usize) {
    let admin = app.actor(None).await.unwrap();
    app.add_ip(&admin, "192.0.2.1", "shared", None, Mode::Apply)
        .await
        .unwrap();
    let customer = NewAccount {
        login: "owner".into(),
        password: "bench-password".into(),
        contact: ContactInput {
            name: Some("owner".into()),
            email: Some("owner@example.com".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    app.create_account(&admin, AccountKind::Customer, customer, Mode::Apply)
        .await
        .unwrap();
    let template = NewSubscription {
        domain: "w0.example".into(),
        owner: Some("owner".into()),
        system_password: Some("bench-password".into()),
        custom: vec![
            (Group::Limits, "disk_space=1G".into()),
            (Group::Limits, "max_traffic=10G".into()),
            (Group::Limits, "overuse=block".into()),
        ],
        ..Default::default()
    };
    app.create_subscription(&admin, template, Mode::Apply)
        .await
        .unwrap();
    raw(copy.replace("{N}", &(count - 1).to_string())).await;
    let settings = TaskSettings {
        webspace_root: root.to_path_buf(),
        expiry_warning_days: 7,
        smtp: None,
    };
    let mut task = vec![];
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let runs = app
            .run_tasks(&admin, &[Task::Usage], &settings)
            .await
            .unwrap();
        task.push(t.elapsed());
        assert_eq!(runs[0].outcome, "ok", "{}", runs[0].message);
        assert!(
            runs[0]
                .message
                .starts_with(&format!("{count} measured, 0 overused")),
            "{}",
            runs[0].message
        );
    }
    println!(
        "| {name} | {count} | usage task (measure + history + policy) | {:.0} ms |",
        median(task).as_secs_f64() * 1e3
    );
}

fn main() {
    let count = support::env_or("BERTH_BENCH_WEBSPACES", 10_000);
    let root = tempfile::tempdir().unwrap();
    let t = Instant::now();
    webspaces(root.path(), count);
    eprintln!("created {count} webspaces in {:.1?}", t.elapsed());
    let names: Vec<String> = (0..count).map(|i| format!("w{i}.example")).collect();
    let march = Month {
        year: 2026,
        month: 3,
    };
    let mut walk = vec![];
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let usages = measure_all(root.path(), &names, march);
        walk.push(t.elapsed());
        assert_eq!(usages[0].traffic, 5120 * LOG_LINES as u64);
        assert!(usages.iter().all(|u| u.disk >= (FILES * 3000) as u64));
    }
    println!("| engine | webspaces | what | median |");
    println!("|---|---|---|---|");
    println!(
        "| (filesystem only) | {count} | walk trees + parse access logs | {:.0} ms |",
        median(walk).as_secs_f64() * 1e3
    );
    let clock = Arc::new(FixedClock(
        Utc.with_ymd_and_hms(2026, 3, 20, 12, 0, 0).unwrap(),
    ));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (app, raw, _db) = support::sqlite(clock.clone()).await;
        run("SQLite", app, raw, SQLITE_COPY, root.path(), count).await;
        if let Some((app, raw, _db)) = support::postgres(clock.clone()).await {
            run("PostgreSQL", app, raw, POSTGRES_COPY, root.path(), count).await;
        }
    });
}
