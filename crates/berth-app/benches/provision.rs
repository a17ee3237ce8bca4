//! Benchmark: one incremental provisioning change (R9.3) on a server with 10 and with
//! 10,000 subscriptions — queue the change, claim the job, read its desired state, render,
//! diff, stage, validate, swap (reload is a no-op here). Measured twice: without
//! validation (Berth's own work) and with the real `nginx -t` and `named-checkzone` on the
//! whole prospective configuration (what nginx itself adds grows with the number of
//! sites). Also the full run that builds every file.
//!
//! ```sh
//! cargo bench -p berth-app --bench provision
//! BERTH_BENCH_SIZES=10,1000 cargo bench -p berth-app --bench provision
//! BERTH_BENCH_ZONE_CHECK="env named-checkzone -q {zone} {file}" ...   # one process per zone
//! BERTH_BENCH_TOOLS=0 ...        # Berth's work only: no nginx -t / named-checkzone at all
//! BERTH_BENCH_ENGINE=postgres ...  # one engine (sqlite | postgres)
//! BERTH_BENCH_OLD_INDEXES=1 ...    # the queue's indexes before migration 0019, for before/after
//! ```

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use berth_app::provision::ProvisionSettings;
use berth_app::subscriptions::NewSubscription;
use berth_app::{Berth, Mode, NoProgress};
use berth_core::clock::SystemClock;
use berth_store_postgres::PostgresStore;
use berth_store_sqlite::{Open, SqliteStore};
use support::{POSTGRES_SEED, Raw, SQLITE_SEED, ms};

mod support;

fn settings(dir: &Path, validate: bool) -> ProvisionSettings {
    let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .find(|p| Path::new(p).exists())
        .map_or("nginx", |p| p);
    ProvisionSettings {
        webspace_root: dir.join("www"),
        nginx_dir: dir.join("nginx"),
        zone_dir: dir.join("zones"),
        http_port: 8080,
        nginx_test_cmd: if validate {
            format!("{nginx} -t -q -c {{config}}")
        } else {
            String::new()
        },
        nginx_reload_cmd: String::new(),
        // BERTH_BENCH_ZONE_CHECK overrides the zone check, e.g. `env named-checkzone -q
        // {zone} {file}` (no batch form: one process per zone, as before issue 10).
        zone_check_cmd: if validate {
            std::env::var("BERTH_BENCH_ZONE_CHECK")
                .unwrap_or_else(|_| "named-checkzone -q {zone} {file}".into())
        } else {
            String::new()
        },
        dns_reload_cmd: String::new(),
        template_dir: dir.join("vhost-template"),
        system_users: Default::default(),
    }
}

/// The provisioning queue's indexes before migration 0019 (issue 10), to measure the
/// change path before and after with the same binary.
const OLD_INDEXES: &str = "DROP INDEX provision_jobs_due; DROP INDEX provision_jobs_done; \
     DROP INDEX provision_jobs_failed; \
     CREATE INDEX provision_jobs_queue ON provision_jobs (state, run_after, created_at)";

/// Whether to measure with [`OLD_INDEXES`] (`BERTH_BENCH_OLD_INDEXES=1`).
fn old_indexes() -> bool {
    std::env::var("BERTH_BENCH_OLD_INDEXES").is_ok_and(|v| v == "1")
}

/// Whether the validated runs are measured (`BERTH_BENCH_TOOLS=0`: Berth's work only).
fn tools() -> bool {
    std::env::var("BERTH_BENCH_TOOLS").map_or(true, |v| v != "0")
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Suspends or activates `z1.example` (or the template when alone) and applies the one
/// queued job; returns the time of the apply, in ms.
async fn one_change(app: &Berth, settings: &ProvisionSettings, name: &str, n: usize) -> f64 {
    let admin = app.actor(None).await.unwrap();
    let names = [name.to_owned()];
    if n.is_multiple_of(2) {
        app.suspend_subscriptions(&admin, &names, Mode::Apply, &NoProgress)
            .await;
    } else {
        app.activate_subscriptions(&admin, &names, Mode::Apply, &NoProgress)
            .await;
    }
    let t = Instant::now();
    let report = app.run_provision_batch(settings).await.unwrap().unwrap();
    let took = ms(t);
    assert_eq!(report.jobs, 1);
    assert_eq!(report.changed_files.len(), 1, "{:?}", report.changed_files);
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    took
}

async fn run(engine: &str, seed: &[&str], app: Berth, raw: Raw, subs: usize, rounds: usize) {
    let admin = app.actor(None).await.unwrap();
    app.add_ip(&admin, "127.0.0.1", "shared", None, Mode::Apply)
        .await
        .unwrap();
    let template = NewSubscription {
        domain: "template.example".into(),
        system_password: Some("bench-password".into()),
        ..Default::default()
    };
    app.create_subscription(&admin, template, Mode::Apply)
        .await
        .unwrap();
    if old_indexes() {
        raw(OLD_INDEXES.into()).await;
    }
    if subs > 1 {
        for statement in seed {
            raw(statement.replace("{N}", &(subs - 1).to_string())).await;
        }
    }
    app.apply_dns_template(&admin, Mode::Apply, &NoProgress)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let plain = settings(dir.path(), false);
    // nginx -t opens each subscription's two log files: past the open-file limit it
    // cannot validate at all, so the validated figures are left out there.
    let limit = berth_provision::raise_open_file_limit().unwrap_or(1024);
    let validate = tools() && (subs as u64) * 2 + 256 <= limit;
    let checked = settings(dir.path(), validate);
    let t = Instant::now();
    let full = app.provision(&admin, &checked, Mode::Apply).await.unwrap();
    let full_ms = ms(t);
    assert_eq!(full.subscriptions, subs);
    assert!(full.failed.is_empty(), "{:?}", full.failed);

    let name = if subs > 1 {
        "z1.example"
    } else {
        "template.example"
    };
    let mut own = vec![];
    let mut with_tools = vec![];
    for n in 0..rounds {
        own.push(one_change(&app, &plain, name, n).await);
    }
    if validate {
        for n in 0..rounds {
            // Numbered on from the first loop: suspend and activate keep alternating.
            with_tools.push(one_change(&app, &checked, name, rounds + n).await);
        }
    }
    let tools = if validate {
        format!("{:.1} ms", median(with_tools))
    } else if !tools() {
        "not run (BERTH_BENCH_TOOLS=0)".to_owned()
    } else {
        format!("n/a: {} log files > open-file limit {limit}", subs * 2)
    };
    let full_kind = if validate { "" } else { " (no nginx -t)" };
    let engine = if old_indexes() {
        format!("{engine} (indexes before 0019)")
    } else {
        engine.to_owned()
    };
    println!(
        "| {engine} | {subs} | {full_ms:.0} ms{full_kind} | {:.1} ms | {tools} |",
        median(own),
    );
}

async fn sqlite_app() -> (Berth, Raw, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = SqliteStore::connect(&url, Open::CreateIfMissing)
        .await
        .unwrap();
    let app = Berth::new(Arc::new(store.clone()), Arc::new(SystemClock));
    app.init(Some("bench-admin-pw"), "admin@example.com")
        .await
        .unwrap();
    let raw: Raw = Box::new(move |sql| {
        let store = store.clone();
        Box::pin(async move { store.execute_raw(&sql).await.unwrap() })
    });
    (app, raw, dir)
}

fn main() {
    let sizes: Vec<usize> = std::env::var("BERTH_BENCH_SIZES")
        .unwrap_or_else(|_| "10,10000".into())
        .split(',')
        .filter_map(|v| v.trim().parse().ok())
        .collect();
    let rounds = support::env_or("BERTH_BENCH_ROUNDS", 10);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "| engine | subscriptions | full run (with nginx -t) | one change: Berth's work | one change with nginx -t + named-checkzone |"
    );
    println!("|---|---|---|---|---|");
    rt.block_on(async {
        for &subs in sizes.iter().filter(|_| support::wanted("sqlite")) {
            let (app, raw, _dir) = sqlite_app().await;
            run("SQLite", SQLITE_SEED, app, raw, subs, rounds).await;
        }
        for &subs in sizes.iter().filter(|_| support::wanted("postgres")) {
            let Some(db) = berth_store_postgres::testing::fresh_database().await else {
                eprintln!("PostgreSQL unreachable: skipped");
                break;
            };
            let store = PostgresStore::connect(&db.url).await.unwrap();
            let app = Berth::new(Arc::new(store.clone()), Arc::new(SystemClock));
            app.init(Some("bench-admin-pw"), "admin@example.com")
                .await
                .unwrap();
            let raw: Raw = Box::new(move |sql| {
                let store = store.clone();
                Box::pin(async move { store.execute_raw(&sql).await.unwrap() })
            });
            run("PostgreSQL", POSTGRES_SEED, app, raw, subs, rounds).await;
            drop(db);
        }
    });
}
