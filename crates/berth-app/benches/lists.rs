//! Benchmark: customer and subscription lists at 1,000,000 rows (SPEC R1.9) — p50/p99 of
//! the service-layer list use cases (what `customer list` and `subscription list` call), as
//! the admin and as a reseller, on SQLite and PostgreSQL. Each timed call includes writing
//! the page as JSON text (as the API answers it).
//!
//! ```sh
//! cargo bench -p berth-app --bench lists
//! BERTH_BENCH_ROWS=10000 BERTH_BENCH_CALLS=50 cargo bench -p berth-app --bench lists
//! BERTH_BENCH_ENGINE=sqlite BERTH_BENCH_CASES=search cargo bench -p berth-app --bench lists
//! BERTH_BENCH_HOLD=60 ...   # wait 60 s after seeding (to copy or inspect the data set)
//! BERTH_BENCH_VACUUM=0 ...   # PostgreSQL: ANALYZE only, no VACUUM after seeding
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use berth_app::accounts::{ListRequest, NewAccount};
use berth_app::subscriptions::{NewSubscription, SubscriptionListRequest};
use berth_app::views::Page;
use berth_app::{Berth, Mode, NoProgress};
use berth_core::account::{AccountKind, ContactInput};
use berth_core::clock::SystemClock;
use berth_core::rights::Actor;

mod support;
use support::Raw;

/// Resellers `r1`..`r4`; customer `c{i}` belongs to `r{1 + i % 4}` and holds subscription
/// `s{i}.example`; every 20th customer is suspended (and its subscription by `owner`).
const RESELLERS: usize = 4;

struct Engine {
    name: &'static str,
    /// Run before the seed transaction on the same connection.
    prepare: &'static str,
    /// Run after it (the store's own settings back).
    restore: &'static str,
    seed: &'static [&'static str],
    analyze: &'static str,
    /// Run after seeding, before `analyze`, unless `BERTH_BENCH_VACUUM=0`: PostgreSQL's
    /// index-only scans skip the table only on pages its visibility map marks all-visible,
    /// which a freshly inserted table has none of until (auto)vacuum has passed.
    vacuum: &'static str,
}

const SQLITE: Engine = Engine {
    name: "SQLite",
    // With the default 2 MB page cache, one transaction inserting 1,000,000 rows under
    // random 16-byte keys spills the same pages to the WAL again and again (4 GB of WAL
    // after 10 minutes); a large cache on the seeding connection keeps them in memory.
    prepare: "PRAGMA cache_size = -1000000;",
    restore: "PRAGMA cache_size = -2000;",
    seed: &[
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {N}) \
         INSERT INTO accounts (id, kind, login, owner_id, password_hash, name, name_key, email, email_key, \
         locale, search_key, created_at, updated_at) \
         SELECT randomblob(16), 'customer', 'c' || n.i, r.id, t.password_hash, 'Customer ' || n.i, \
         'customer ' || n.i, 'c' || n.i || '@example.com', 'c' || n.i || '@example.com', t.locale, \
         'c' || n.i || char(10) || 'customer ' || n.i || char(10) || char(10) || 'c' || n.i || '@example.com', \
         t.created_at + n.i * 1000000, t.created_at + n.i * 1000000 \
         FROM n JOIN accounts r ON r.login = 'r' || (1 + n.i % 4), accounts t WHERE t.login = 'template'",
        "INSERT INTO account_suspensions (account_id, reason, by_account_id, at) \
         SELECT id, 'admin', NULL, created_at FROM accounts \
         WHERE kind = 'customer' AND login GLOB 'c[0-9]*' AND CAST(substr(login, 2) AS INTEGER) % 20 = 0",
        "INSERT INTO subscriptions (id, name, name_key, owner_id, plan_id, addon_key, sync_state, props, custom, \
         conflicts, system_user, system_password_hash, expiration, overused, created_at, updated_at) \
         SELECT randomblob(16), 's' || substr(a.login, 2) || '.example', 's' || substr(a.login, 2) || '.example', \
         a.id, t.plan_id, '', t.sync_state, t.props, t.custom, t.conflicts, 's' || substr(a.login, 2), \
         t.system_password_hash, t.expiration, 0, a.created_at, a.created_at \
         FROM accounts a, subscriptions t WHERE t.name = 'template.example' AND a.kind = 'customer' \
         AND a.login GLOB 'c[0-9]*'",
        "INSERT INTO subscription_suspensions (subscription_id, reason, by_account_id, at) \
         SELECT s.id, 'owner', NULL, s.created_at FROM subscriptions s \
         JOIN account_suspensions x ON x.account_id = s.owner_id",
    ],
    analyze: "",
    vacuum: "",
};

const POSTGRES: Engine = Engine {
    name: "PostgreSQL",
    prepare: "",
    restore: "",
    seed: &[
        "INSERT INTO accounts (id, kind, login, owner_id, password_hash, name, name_key, email, email_key, \
         locale, search_key, created_at, updated_at) \
         SELECT gen_random_uuid(), 'customer', 'c' || n.i, r.id, t.password_hash, 'Customer ' || n.i, \
         'customer ' || n.i, 'c' || n.i || '@example.com', 'c' || n.i || '@example.com', t.locale, \
         'c' || n.i || chr(10) || 'customer ' || n.i || chr(10) || chr(10) || 'c' || n.i || '@example.com', \
         t.created_at + make_interval(secs => n.i), t.created_at + make_interval(secs => n.i) \
         FROM generate_series(1, {N}) AS n(i) JOIN accounts r ON r.login = 'r' || (1 + n.i % 4), accounts t \
         WHERE t.login = 'template'",
        "INSERT INTO account_suspensions (account_id, reason, by_account_id, at) \
         SELECT id, 'admin', NULL, created_at FROM accounts \
         WHERE kind = 'customer' AND login ~ '^c[0-9]+$' AND substr(login, 2)::int % 20 = 0",
        "INSERT INTO subscriptions (id, name, name_key, owner_id, plan_id, addon_key, sync_state, props, custom, \
         conflicts, system_user, system_password_hash, expiration, overused, created_at, updated_at) \
         SELECT gen_random_uuid(), 's' || substr(a.login, 2) || '.example', 's' || substr(a.login, 2) || '.example', \
         a.id, t.plan_id, '', t.sync_state, t.props, t.custom, t.conflicts, 's' || substr(a.login, 2), \
         t.system_password_hash, t.expiration, false, a.created_at, a.created_at \
         FROM accounts a, subscriptions t WHERE t.name = 'template.example' AND a.kind = 'customer' \
         AND a.login ~ '^c[0-9]+$'",
        "INSERT INTO subscription_suspensions (subscription_id, reason, by_account_id, at) \
         SELECT s.id, 'owner', NULL, s.created_at FROM subscriptions s \
         JOIN account_suspensions x ON x.account_id = s.owner_id",
    ],
    analyze: "ANALYZE",
    // A provider's table is mostly all-visible: autovacuum passes after every 20% of
    // inserted or changed rows. Seeded in one transaction, it is not yet; vacuuming here
    // measures the lists as they run on such a table (and not whenever autovacuum happens
    // to pass during the timed rounds).
    vacuum: "VACUUM",
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

/// `(p50, p99)` of `samples`.
fn percentiles(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let at = |q: f64| {
        let i = ((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1;
        samples[i].as_secs_f64() * 1e3
    };
    (at(0.50), at(0.99))
}

/// One timed case: a name and the request.
enum Case {
    Customers(&'static str, ListRequest),
    Subscriptions(&'static str, SubscriptionListRequest),
}

fn cases(rows: usize) -> Vec<Case> {
    // A customer of r1 (i % 4 == 0) 70% of the way down the list: a deep keyset page.
    let deep = (rows * 7 / 10) / 4 * 4;
    let customers = |sort: Option<&str>| ListRequest {
        sort: sort.map(str::to_owned),
        ..Default::default()
    };
    let subscriptions = |sort: Option<&str>| SubscriptionListRequest {
        sort: sort.map(str::to_owned),
        ..Default::default()
    };
    let search_customers = |text: &str| ListRequest {
        search: Some(text.to_owned()),
        ..Default::default()
    };
    let search_subscriptions = |text: &str| SubscriptionListRequest {
        search: Some(text.to_owned()),
        ..Default::default()
    };
    vec![
        Case::Customers("customers: first page (login)", customers(None)),
        Case::Customers(
            "customers: deep page (after)",
            ListRequest {
                after: Some(format!("c{deep}")),
                ..Default::default()
            },
        ),
        Case::Customers("customers: sort name asc", customers(Some("name:asc"))),
        Case::Customers("customers: sort name desc", customers(Some("name:desc"))),
        Case::Customers(
            "customers: status suspended",
            ListRequest {
                status: Some("suspended".into()),
                ..Default::default()
            },
        ),
        Case::Customers(
            "customers: owner r1",
            ListRequest {
                owner: Some("r1".into()),
                ..Default::default()
            },
        ),
        Case::Customers("customers: search \"c12345\"", search_customers("c12345")),
        Case::Customers(
            "customers: search \"c1234\" (111 rows)",
            search_customers("c1234"),
        ),
        Case::Customers(
            "customers: search \"c12\" (11,111 rows)",
            search_customers("c12"),
        ),
        Case::Customers(
            "customers: search \"example\" (every row)",
            search_customers("example"),
        ),
        Case::Customers(
            "customers: search \"45\" (2 characters)",
            search_customers("45"),
        ),
        Case::Subscriptions("subscriptions: first page (name)", subscriptions(None)),
        Case::Subscriptions(
            "subscriptions: deep page (after)",
            SubscriptionListRequest {
                after: Some(format!("s{deep}.example")),
                ..Default::default()
            },
        ),
        Case::Subscriptions(
            "subscriptions: sort created asc",
            subscriptions(Some("created:asc")),
        ),
        Case::Subscriptions(
            "subscriptions: sort created desc",
            subscriptions(Some("created:desc")),
        ),
        Case::Subscriptions(
            "subscriptions: status suspended",
            SubscriptionListRequest {
                status: Some("suspended".into()),
                ..Default::default()
            },
        ),
        Case::Subscriptions(
            "subscriptions: owner (a customer)",
            SubscriptionListRequest {
                owner: Some(format!("c{deep}")),
                ..Default::default()
            },
        ),
        Case::Subscriptions(
            "subscriptions: search \"12345\"",
            search_subscriptions("12345"),
        ),
        Case::Subscriptions(
            "subscriptions: search \"s1234\" (111 rows)",
            search_subscriptions("s1234"),
        ),
        Case::Subscriptions(
            "subscriptions: search \"s12\" (11,111 rows)",
            search_subscriptions("s12"),
        ),
        Case::Subscriptions(
            "subscriptions: search \"example\" (every row)",
            search_subscriptions("example"),
        ),
        Case::Subscriptions(
            "subscriptions: search \"45\" (2 characters)",
            search_subscriptions("45"),
        ),
    ]
}

/// Calls one case `calls` times and returns the durations and the size of the last page.
async fn time_case(
    app: &Berth,
    actor: &Actor,
    case: &Case,
    calls: usize,
) -> (Vec<Duration>, usize) {
    let mut samples = Vec::with_capacity(calls);
    let mut items = 0;
    for _ in 0..calls {
        let t = Instant::now();
        items = match case {
            Case::Customers(_, request) => answered(
                &app.list_accounts(actor, AccountKind::Customer, request.clone())
                    .await
                    .expect("customer list"),
            ),
            Case::Subscriptions(_, request) => answered(
                &app.list_subscriptions(actor, request.clone())
                    .await
                    .expect("subscription list"),
            ),
        };
        samples.push(t.elapsed());
    }
    (samples, items)
}

/// Writes a page as the API and `--json` answer it (JSON text) and returns its length in
/// items. Part of each timed call since session 9: the view's JSON is part of what a page
/// costs, and where it is made (in the use case or while writing) is the service's choice.
fn answered<T: serde::Serialize>(page: &Page<T>) -> usize {
    std::hint::black_box(serde_json::to_vec(page).expect("a page is JSON"));
    page.items.len()
}

async fn run(engine: &Engine, app: Berth, raw: Raw, rows: usize, calls: usize) {
    let started = Instant::now();
    let admin = app.actor(None).await.unwrap();
    app.add_ip(&admin, "192.0.2.1", "shared", None, Mode::Apply)
        .await
        .unwrap();
    for r in 1..=RESELLERS {
        let login = format!("r{r}");
        app.create_account(
            &admin,
            AccountKind::Reseller,
            account(&login, None),
            Mode::Apply,
        )
        .await
        .unwrap();
        app.pool_add(
            &admin,
            &login,
            &["192.0.2.1".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    }
    app.create_account(
        &admin,
        AccountKind::Customer,
        account("template", Some("r1")),
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
    let mut script = format!("{}\nBEGIN;\n", engine.prepare);
    for statement in engine.seed {
        script.push_str(&statement.replace("{N}", &rows.to_string()));
        script.push_str(";\n");
    }
    script.push_str("COMMIT;\n");
    script.push_str(engine.restore);
    raw(script).await;
    if !engine.vacuum.is_empty() && support::env_or("BERTH_BENCH_VACUUM", 1) != 0 {
        raw(engine.vacuum.to_owned()).await;
        eprintln!("{}: vacuumed", engine.name);
    }
    if !engine.analyze.is_empty() {
        raw(engine.analyze.to_owned()).await;
    }
    eprintln!(
        "{}: seeded {rows} customers and {rows} subscriptions in {:.1?}",
        engine.name,
        started.elapsed()
    );
    support::hold_after_seed(engine.name).await;
    let reseller = app.actor(Some("r1")).await.unwrap();
    // BERTH_BENCH_CASES=TEXT times only the cases whose name contains TEXT (e.g. "search").
    let only = std::env::var("BERTH_BENCH_CASES").unwrap_or_default();
    for case in cases(rows) {
        let name = match &case {
            Case::Customers(name, _) | Case::Subscriptions(name, _) => *name,
        };
        if !name.contains(only.as_str()) {
            continue;
        }
        for (who, actor) in [("admin", &admin), ("reseller r1", &reseller)] {
            // One warm-up call, then the timed ones.
            time_case(&app, actor, &case, 1).await;
            let (samples, items) = time_case(&app, actor, &case, calls).await;
            let (p50, p99) = percentiles(samples);
            println!(
                "| {} | {rows} | {name} | {who} | {items} | {p50:.2} ms | {p99:.2} ms |",
                engine.name
            );
        }
    }
}

fn main() {
    let rows = support::env_or("BERTH_BENCH_ROWS", 1_000_000);
    let calls = support::env_or("BERTH_BENCH_CALLS", 200);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!("| engine | rows | list | as | page | p50 | p99 |");
    println!("|---|---|---|---|---|---|---|");
    rt.block_on(async {
        if support::wanted("sqlite") {
            let (app, raw, _db) = support::sqlite(Arc::new(SystemClock)).await;
            run(&SQLITE, app, raw, rows, calls).await;
        }
        if !support::wanted("postgres") {
            return;
        }
        if let Some((app, raw, _db)) = support::postgres(Arc::new(SystemClock)).await {
            run(&POSTGRES, app, raw, rows, calls).await;
        }
    });
}
