//! Benchmark: suspending (and activating) a reseller with 10,000 customers and 30,000
//! subscriptions — one transaction each, set-based cascade (SPEC R5.2, R5.3).
//!
//! ```sh
//! cargo bench -p berth-app --bench cascade
//! BERTH_BENCH_CUSTOMERS=1000 cargo bench -p berth-app --bench cascade
//! BERTH_BENCH_ENGINE=postgres ...   # one engine (sqlite | postgres)
//! BERTH_BENCH_HOLD=60 ...           # wait 60 s after seeding (to pg_dump the data set)
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use berth_app::accounts::NewAccount;
use berth_app::subscriptions::NewSubscription;
use berth_app::{Berth, Mode, NoProgress};
use berth_core::account::{AccountKind, ContactInput};
use berth_core::clock::SystemClock;
use support::Raw;

mod support;

const ROUNDS: usize = 5;
const SUBSCRIPTIONS_PER_CUSTOMER: usize = 3;

struct Engine {
    name: &'static str,
    customers: &'static str,
    subscriptions: &'static str,
}

const SQLITE: Engine = Engine {
    name: "SQLite",
    customers: "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {N}) \
        INSERT INTO accounts (id, kind, login, owner_id, password_hash, name, name_key, email, email_key, locale, \
        search_key, created_at, updated_at) SELECT randomblob(16), 'customer', 'bc' || n.i, t.owner_id, t.password_hash, \
        t.name, t.name_key, t.email, t.email_key, t.locale, t.search_key, t.created_at, t.updated_at \
        FROM n, accounts t WHERE t.login = 'template'",
    subscriptions: "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {N}) \
        INSERT INTO subscriptions (id, name, name_key, owner_id, plan_id, addon_key, sync_state, props, custom, conflicts, \
        system_user, system_password_hash, expiration, overused, created_at, updated_at) \
        SELECT randomblob(16), 'bs' || n.i || '.example', 'bs' || n.i || '.example', \
        (SELECT id FROM accounts WHERE login = 'bc' || (1 + n.i % {C})), t.plan_id, '', t.sync_state, t.props, t.custom, \
        t.conflicts, 'bs' || n.i, t.system_password_hash, t.expiration, 0, t.created_at, t.updated_at \
        FROM n, subscriptions t WHERE t.name = 'template.example'",
};

const POSTGRES: Engine = Engine {
    name: "PostgreSQL",
    customers: "INSERT INTO accounts (id, kind, login, owner_id, password_hash, name, name_key, email, email_key, locale, \
        search_key, created_at, updated_at) SELECT gen_random_uuid(), 'customer', 'bc' || n.i, t.owner_id, t.password_hash, \
        t.name, t.name_key, t.email, t.email_key, t.locale, t.search_key, t.created_at, t.updated_at \
        FROM generate_series(1, {N}) AS n(i), accounts t WHERE t.login = 'template'",
    subscriptions: "INSERT INTO subscriptions (id, name, name_key, owner_id, plan_id, addon_key, sync_state, props, custom, \
        conflicts, system_user, system_password_hash, expiration, overused, created_at, updated_at) \
        SELECT gen_random_uuid(), 'bs' || n.i || '.example', 'bs' || n.i || '.example', \
        (SELECT id FROM accounts WHERE login = 'bc' || (1 + n.i % {C})), t.plan_id, '', t.sync_state, t.props, t.custom, \
        t.conflicts, 'bs' || n.i, t.system_password_hash, t.expiration, false, t.created_at, t.updated_at \
        FROM generate_series(1, {N}) AS n(i), subscriptions t WHERE t.name = 'template.example'",
};

fn account(login: &str, owner: Option<&str>) -> NewAccount {
    NewAccount {
        login: login.into(),
        password: "bench-password".into(),
        contact: ContactInput {
            name: Some(login.into()),
            email: Some(format!("{login}@example.com")),
            ..Default::default()
        },
        owner: owner.map(str::to_owned),
        ..Default::default()
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn run(engine: &Engine, app: Berth, raw: Raw, customers: usize) {
    let started = Instant::now();
    let admin = app.actor(None).await.unwrap();
    app.add_ip(&admin, "192.0.2.1", "shared", None, Mode::Apply)
        .await
        .unwrap();
    app.create_account(
        &admin,
        AccountKind::Reseller,
        account("big", None),
        Mode::Apply,
    )
    .await
    .unwrap();
    app.pool_add(
        &admin,
        "big",
        &["192.0.2.1".into()],
        Mode::Apply,
        &NoProgress,
    )
    .await;
    app.create_account(
        &admin,
        AccountKind::Customer,
        account("template", Some("big")),
        Mode::Apply,
    )
    .await
    .unwrap();
    let template = NewSubscription {
        domain: "template.example".into(),
        owner: Some("template".into()),
        system_password: Some("bench-password".into()),
        ..Default::default()
    };
    app.create_subscription(&admin, template, Mode::Apply)
        .await
        .unwrap();
    let subscriptions = customers * SUBSCRIPTIONS_PER_CUSTOMER;
    raw(engine
        .customers
        .replace("{N}", &(customers - 1).to_string()))
    .await;
    raw(engine
        .subscriptions
        .replace("{N}", &(subscriptions - 1).to_string())
        .replace("{C}", &(customers - 1).to_string()))
    .await;
    eprintln!(
        "{}: seeded {customers} customers, {subscriptions} subscriptions in {:.1?}",
        engine.name,
        started.elapsed()
    );
    support::hold_after_seed(engine.name).await;
    let drained = rounds(&app, &admin, &raw, customers, subscriptions, true).await;
    let queued = rounds(&app, &admin, &raw, customers, subscriptions, false).await;
    println!(
        "| {} | {customers} | {subscriptions} | {:.0} ms | {:.0} ms | {:.0} ms | {:.0} ms |",
        engine.name,
        drained.0.as_secs_f64() * 1e3,
        drained.1.as_secs_f64() * 1e3,
        queued.0.as_secs_f64() * 1e3,
        queued.1.as_secs_f64() * 1e3,
    );
}

/// Suspends and activates the reseller `ROUNDS` times; the medians of both. With `drain`,
/// the provisioning jobs each operation queued are marked done before the next one (untimed:
/// what a running worker does, so each operation queues its 30,000 jobs afresh); without,
/// they stay pending and each operation coalesces into them.
async fn rounds(
    app: &Berth,
    admin: &berth_core::rights::Actor,
    raw: &Raw,
    customers: usize,
    subscriptions: usize,
    drain: bool,
) -> (Duration, Duration) {
    let drain_queue = || async {
        if drain {
            raw("UPDATE provision_jobs SET state = 'done' WHERE state = 'pending'".into()).await;
        }
    };
    drain_queue().await;
    let (mut suspend, mut activate) = (vec![], vec![]);
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let out = app
            .suspend_accounts(
                admin,
                AccountKind::Reseller,
                &["big".into()],
                Mode::Apply,
                &NoProgress,
            )
            .await;
        suspend.push(t.elapsed());
        let change = out[0].result.as_ref().expect("suspended");
        assert_eq!(
            (
                change.cascaded_accounts as usize,
                change.cascaded_subscriptions as usize
            ),
            (customers, subscriptions)
        );
        drain_queue().await;
        let t = Instant::now();
        let out = app
            .activate_accounts(
                admin,
                AccountKind::Reseller,
                &["big".into()],
                Mode::Apply,
                &NoProgress,
            )
            .await;
        activate.push(t.elapsed());
        assert!(out[0].ok);
        drain_queue().await;
    }
    (median(suspend), median(activate))
}

fn main() {
    let customers = support::env_or("BERTH_BENCH_CUSTOMERS", 10_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "| engine | customers | subscriptions | suspend, queue drained | activate, queue drained \
         | suspend, jobs still queued | activate, jobs still queued |"
    );
    println!("|---|---|---|---|---|---|---|");
    rt.block_on(async {
        if support::wanted("sqlite") {
            let (app, raw, _db) = support::sqlite(Arc::new(SystemClock)).await;
            run(&SQLITE, app, raw, customers).await;
        }
        if !support::wanted("postgres") {
            return;
        }
        if let Some((app, raw, _db)) = support::postgres(Arc::new(SystemClock)).await {
            run(&POSTGRES, app, raw, customers).await;
        }
    });
}
