//! Benchmark: "Update & Sync" of one plan over N subscriptions through the service layer,
//! against one raw SQL UPDATE of the same rows (SPEC R2.3, issue "plans" done-when).
//!
//! ```sh
//! cargo bench -p berth-app --bench plan_sync               # 100,000 subscriptions
//! BERTH_BENCH_SUBSCRIPTIONS=10000 cargo bench -p berth-app --bench plan_sync
//! ```
//!
//! The data set: 20 customers, one service plan, two add-ons, N subscriptions spread over
//! customers and add-on combinations (so the sync works on ~80 groups, not one). The rows
//! are copied with SQL from subscriptions created through the service layer, because
//! creating 100,000 through it (hashing a system password each) is another benchmark.

use std::sync::Arc;
use std::time::{Duration, Instant};

use berth_app::accounts::NewAccount;
use berth_app::subscriptions::NewSubscription;
use berth_app::{Berth, Mode};
use berth_core::account::{AccountKind, ContactInput};
use berth_core::clock::SystemClock;
use berth_core::property::{Group, PlanType};
use support::Raw;

mod support;

const CUSTOMERS: usize = 20;
const ROUNDS: usize = 5;

/// SQL that differs per engine: filling rows, and the raw UPDATE baseline.
struct Engine {
    name: &'static str,
    fill: &'static str,
    fill_addons: &'static str,
    raw_update: &'static str,
}

const SQLITE: Engine = Engine {
    name: "SQLite",
    fill: "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {N}) \
        INSERT INTO subscriptions (id, name, name_key, owner_id, plan_id, addon_key, sync_state, props, custom, conflicts, \
        system_user, system_password_hash, expiration, overused, created_at, updated_at) \
        SELECT randomblob(16), 'b' || n.i || '.example', 'b' || n.i || '.example', \
        (SELECT id FROM accounts WHERE login = 'cust' || (n.i % {C})), t.plan_id, '', t.sync_state, t.props, t.custom, \
        t.conflicts, 'b' || n.i, t.system_password_hash, t.expiration, 0, t.created_at, t.updated_at \
        FROM n, subscriptions t WHERE t.name = 'template.example'",
    fill_addons: "INSERT INTO subscription_addons (subscription_id, plan_id) \
        SELECT s.id, p.id FROM subscriptions s, plans p WHERE s.name LIKE 'b%' AND p.plan_type = 'addon' \
        AND ((p.name = 'Disk' AND s.rowid % 3 = 1) OR (p.name = 'Mail' AND s.rowid % 2 = 1))",
    raw_update: "UPDATE subscriptions SET props = json_patch(props, '{\"disk_space\": {V}}') \
        WHERE plan_id = (SELECT id FROM plans WHERE name = 'Bench')",
};

const POSTGRES: Engine = Engine {
    name: "PostgreSQL",
    fill: "INSERT INTO subscriptions (id, name, name_key, owner_id, plan_id, addon_key, sync_state, props, custom, conflicts, \
        system_user, system_password_hash, expiration, overused, created_at, updated_at) \
        SELECT gen_random_uuid(), 'b' || n.i || '.example', 'b' || n.i || '.example', \
        (SELECT id FROM accounts WHERE login = 'cust' || (n.i % {C})), t.plan_id, '', t.sync_state, t.props, t.custom, \
        t.conflicts, 'b' || n.i, t.system_password_hash, t.expiration, false, t.created_at, t.updated_at \
        FROM generate_series(1, {N}) AS n(i), subscriptions t WHERE t.name = 'template.example'",
    fill_addons: "INSERT INTO subscription_addons (subscription_id, plan_id) \
        SELECT s.id, p.id FROM subscriptions s, plans p WHERE s.name LIKE 'b%' AND p.plan_type = 'addon' \
        AND ((p.name = 'Disk' AND hashtext(s.name) % 3 = 1) OR (p.name = 'Mail' AND hashtext(s.name) % 2 = 1))",
    raw_update: "UPDATE subscriptions SET props = props || '{\"disk_space\": {V}}'::jsonb \
        WHERE plan_id = (SELECT id FROM plans WHERE name = 'Bench')",
};

/// Sets every subscription's `addon_key` from its add-on rows (one statement).
const ADDON_KEYS: &str = "UPDATE subscriptions SET addon_key = COALESCE((SELECT {AGG} FROM \
    (SELECT sa.plan_id FROM subscription_addons sa WHERE sa.subscription_id = subscriptions.id ORDER BY {ORDER}) x), '')";

async fn seed(app: &Berth, raw: &Raw, engine: &Engine, n: usize) {
    let admin = app.actor(None).await.unwrap();
    app.add_ip(&admin, "192.0.2.1", "shared", None, Mode::Apply)
        .await
        .unwrap();
    app.create_plan(
        &admin,
        "Bench",
        PlanType::Service,
        None,
        &[(Group::Limits, "disk_space=1G".into())],
        Mode::Apply,
    )
    .await
    .unwrap();
    for addon in ["Disk", "Mail"] {
        app.create_plan(
            &admin,
            addon,
            PlanType::Addon,
            None,
            &[(Group::Limits, "disk_space=1G".into())],
            Mode::Apply,
        )
        .await
        .unwrap();
    }
    for c in 0..CUSTOMERS {
        let login = format!("cust{c}");
        let input = NewAccount {
            login: login.clone(),
            password: "bench-password".into(),
            contact: ContactInput {
                name: Some(login.clone()),
                email: Some(format!("{login}@example.com")),
                ..Default::default()
            },
            ..Default::default()
        };
        app.create_account(&admin, AccountKind::Customer, input, Mode::Apply)
            .await
            .unwrap();
    }
    let template = NewSubscription {
        domain: "template.example".into(),
        owner: Some("cust0".into()),
        plan: Some("Bench".into()),
        system_password: Some("bench-password".into()),
        ..Default::default()
    };
    app.create_subscription(&admin, template, Mode::Apply)
        .await
        .unwrap();
    raw(engine
        .fill
        .replace("{N}", &(n - 1).to_string())
        .replace("{C}", &CUSTOMERS.to_string()))
    .await;
    raw(engine.fill_addons.to_owned()).await;
    let keys = if engine.name == "SQLite" {
        ADDON_KEYS.replace("{AGG}", "group_concat(lower(substr(hex(x.plan_id),1,8)||'-'||substr(hex(x.plan_id),9,4)||'-'||substr(hex(x.plan_id),13,4)||'-'||substr(hex(x.plan_id),17,4)||'-'||substr(hex(x.plan_id),21)), ',')").replace("{ORDER}", "lower(hex(sa.plan_id))")
    } else {
        ADDON_KEYS
            .replace("{AGG}", "string_agg(x.plan_id::text, ',')")
            .replace("{ORDER}", "sa.plan_id::text")
    };
    raw(keys).await;
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn run(engine: &Engine, app: Berth, raw: Raw, n: usize) {
    let started = Instant::now();
    seed(&app, &raw, engine, n).await;
    eprintln!(
        "{}: seeded {n} subscriptions in {:.1?}",
        engine.name,
        started.elapsed()
    );
    let admin = app.actor(None).await.unwrap();
    let mut service = vec![];
    let mut plain = vec![];
    for round in 0..ROUNDS {
        let size = format!("disk_space={}M", 2048 + round);
        let t = Instant::now();
        let out = app
            .update_plan(
                &admin,
                "Bench",
                Some(PlanType::Service),
                None,
                None,
                &[(Group::Limits, size)],
                Mode::Apply,
            )
            .await
            .unwrap();
        service.push(t.elapsed());
        assert_eq!(out.sync.synced as usize, n, "every subscription synced");
        let t = Instant::now();
        raw(engine
            .raw_update
            .replace("{V}", &((3000 + round as i64) << 20).to_string()))
        .await;
        plain.push(t.elapsed());
    }
    let t = Instant::now();
    let preview = app
        .update_plan(
            &admin,
            "Bench",
            Some(PlanType::Service),
            None,
            None,
            &[(Group::Limits, "disk_space=9G".into())],
            Mode::DryRun,
        )
        .await
        .unwrap();
    let dry = t.elapsed();
    let (s, r) = (median(service), median(plain));
    println!(
        "| {} | {n} | {:.0} ms | {:.0} ms | {:.2}× | {:.0} ms ({} impacts) |",
        engine.name,
        s.as_secs_f64() * 1e3,
        r.as_secs_f64() * 1e3,
        s.as_secs_f64() / r.as_secs_f64(),
        dry.as_secs_f64() * 1e3,
        preview.sync.impact.len()
    );
}

fn main() {
    let n = support::env_or("BERTH_BENCH_SUBSCRIPTIONS", 100_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!("| engine | subscriptions | Update & Sync (service) | raw UPDATE | ratio | dry run |");
    println!("|---|---|---|---|---|---|");
    rt.block_on(async {
        let (app, raw, _db) = support::sqlite(Arc::new(SystemClock)).await;
        run(&SQLITE, app, raw, n).await;

        if let Some((app, raw, _db)) = support::postgres(Arc::new(SystemClock)).await {
            run(&POSTGRES, app, raw, n).await;
        }
    });
}
