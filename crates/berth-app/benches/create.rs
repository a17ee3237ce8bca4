//! Benchmark: creating subscriptions (and customers) through the service layer against
//! inserting the same rows with raw SQL, in the same run, one transaction per object on
//! both sides (SPEC R3.1, R1.1).
//!
//! ```sh
//! cargo bench -p berth-app --bench create
//! BERTH_BENCH_CREATE=200 BERTH_BENCH_CREATE_CUSTOMERS=20 cargo bench -p berth-app --bench create
//! BERTH_BENCH_ENGINE=postgres cargo bench -p berth-app --bench create   # one engine
//! ```
//!
//! The raw side writes, per subscription, what `Berth::create_subscription` writes: the
//! subscription row, its IP link, its main domain in the registry, its DNS zone and
//! records, its provisioning job — copied from a subscription made by the service (so its
//! system password hash is precomputed). Per customer: the account row, with a
//! precomputed password hash.

use std::sync::Arc;
use std::time::Instant;

use berth_app::accounts::NewAccount;
use berth_app::subscriptions::NewSubscription;
use berth_app::{Berth, Mode, NoProgress};
use berth_core::account::{AccountKind, ContactInput};
use berth_core::clock::SystemClock;
use support::{Raw, ms};
use uuid::Uuid;

mod support;

struct Engine {
    name: &'static str,
    /// A uuid literal from its 32 hex digits.
    id: fn(&Uuid) -> String,
    /// A fresh random id, in SQL.
    random_id: &'static str,
}

const SQLITE: Engine = Engine {
    name: "SQLite",
    id: |u| format!("X'{}'", u.simple()),
    random_id: "randomblob(16)",
};

const POSTGRES: Engine = Engine {
    name: "PostgreSQL",
    id: |u| format!("'{u}'::uuid"),
    random_id: "gen_random_uuid()",
};

/// The rows of one subscription, copied from `template.example` ({ID}, {NAME}, {USER},
/// {RID}: the new id, domain, system user, and a random-id expression).
const SUBSCRIPTION_ROWS: &[&str] = &[
    "INSERT INTO subscriptions (id, name, name_key, owner_id, plan_id, addon_key, sync_state, props, custom, \
     conflicts, system_user, system_password_hash, expiration, overused, created_at, updated_at) \
     SELECT {ID}, '{NAME}', '{NAME}', owner_id, plan_id, addon_key, sync_state, props, custom, conflicts, \
     '{USER}', system_password_hash, expiration, overused, created_at, updated_at \
     FROM subscriptions WHERE name = 'template.example'",
    "INSERT INTO subscription_ips (subscription_id, ip_id) SELECT {ID}, si.ip_id FROM subscription_ips si \
     JOIN subscriptions t ON t.id = si.subscription_id WHERE t.name = 'template.example'",
    "INSERT INTO domains (id, name, name_key, kind, subscription_id, parent_id, document_root, alias_web, \
     alias_mail, alias_dns_sync, created_at, updated_at) SELECT {ID}, '{NAME}', '{NAME}', kind, {ID}, NULL, \
     document_root, alias_web, alias_mail, alias_dns_sync, created_at, updated_at \
     FROM domains WHERE name = 'template.example'",
    "INSERT INTO dns_zones (domain_id, serial, updated_at) SELECT {ID}, z.serial, z.updated_at \
     FROM dns_zones z JOIN domains d ON d.id = z.domain_id WHERE d.name = 'template.example'",
    "INSERT INTO dns_records (id, domain_id, position, host, rtype, value, priority, ttl, source, source_key, \
     user_edited, removed) SELECT {RID}, {ID}, r.position, replace(r.host, 'template.example', '{NAME}'), \
     r.rtype, replace(r.value, 'template.example', '{NAME}'), r.priority, r.ttl, r.source, r.source_key, \
     r.user_edited, r.removed FROM dns_records r JOIN domains d ON d.id = r.domain_id \
     WHERE d.name = 'template.example'",
    "INSERT INTO provision_jobs (id, subscription_id, state, attempts, run_after, locked_until, last_error, \
     created_at, updated_at) SELECT {RID}, {ID}, 'pending', 0, j.run_after, j.locked_until, '', j.created_at, \
     j.updated_at FROM provision_jobs j JOIN subscriptions t ON t.id = j.subscription_id \
     WHERE t.name = 'template.example'",
];

/// One customer row copied from `template` with its precomputed password hash.
const CUSTOMER_ROW: &str = "INSERT INTO accounts (id, kind, login, owner_id, password_hash, name, name_key, \
     email, email_key, locale, search_key, created_at, updated_at) SELECT {ID}, 'customer', '{LOGIN}', owner_id, \
     password_hash, '{LOGIN}', '{LOGIN}', '{LOGIN}@example.com', '{LOGIN}@example.com', locale, \
     '{LOGIN}' || search_key, created_at, updated_at FROM accounts WHERE login = 'template'";

fn account(login: &str, owner: Option<&str>) -> NewAccount {
    NewAccount {
        login: login.into(),
        password: "bench-password-1".into(),
        contact: ContactInput {
            name: Some(login.into()),
            email: Some(format!("{login}@example.com")),
            ..Default::default()
        },
        owner: owner.map(str::to_owned),
        ..Default::default()
    }
}

fn transaction(statements: &[&str], replace: &[(&str, &str)]) -> String {
    let mut script = String::from("BEGIN;\n");
    for statement in statements {
        let mut s = (*statement).to_owned();
        for (from, to) in replace {
            s = s.replace(from, to);
        }
        script.push_str(&s);
        script.push_str(";\n");
    }
    script.push_str("COMMIT;\n");
    script
}

async fn run(engine: &Engine, app: Berth, raw: Raw, subscriptions: usize, customers: usize) {
    let admin = app.actor(None).await.unwrap();
    for ip in ["192.0.2.1", "2001:db8::1"] {
        app.add_ip(&admin, ip, "shared", None, Mode::Apply)
            .await
            .unwrap();
    }
    app.create_account(
        &admin,
        AccountKind::Reseller,
        account("r1", None),
        Mode::Apply,
    )
    .await
    .unwrap();
    app.pool_add(
        &admin,
        "r1",
        &["192.0.2.1".into(), "2001:db8::1".into()],
        Mode::Apply,
        &NoProgress,
    )
    .await;
    app.create_account(
        &admin,
        AccountKind::Customer,
        account("template", Some("r1")),
        Mode::Apply,
    )
    .await
    .unwrap();
    app.create_subscription(
        &admin,
        NewSubscription {
            domain: "template.example".into(),
            owner: Some("template".into()),
            ..Default::default()
        },
        Mode::Apply,
    )
    .await
    .unwrap();

    // Subscriptions: service, then raw, alternating halves so both see a similar table size.
    let (mut service_ms, mut raw_ms) = (0.0, 0.0);
    let half = subscriptions.div_ceil(2);
    for round in 0..2 {
        let t = Instant::now();
        for i in round * half..((round + 1) * half).min(subscriptions) {
            app.create_subscription(
                &admin,
                NewSubscription {
                    domain: format!("svc{i}.example"),
                    owner: Some("template".into()),
                    ..Default::default()
                },
                Mode::Apply,
            )
            .await
            .unwrap();
        }
        service_ms += ms(t);
        let t = Instant::now();
        for i in round * half..((round + 1) * half).min(subscriptions) {
            let id = (engine.id)(&Uuid::now_v7());
            let name = format!("raw{i}.example");
            let user = format!("raw{i}");
            raw(transaction(
                SUBSCRIPTION_ROWS,
                &[
                    ("{ID}", &id),
                    ("{NAME}", &name),
                    ("{USER}", &user),
                    ("{RID}", engine.random_id),
                ],
            ))
            .await;
        }
        raw_ms += ms(t);
    }
    let rate = |n: usize, ms: f64| n as f64 / (ms / 1e3);
    println!(
        "| {} | subscriptions | {subscriptions} | {:.0} ms ({:.0}/s) | {:.0} ms ({:.0}/s) | {:.2} |",
        engine.name,
        service_ms,
        rate(subscriptions, service_ms),
        raw_ms,
        rate(subscriptions, raw_ms),
        raw_ms / service_ms
    );

    let t = Instant::now();
    for i in 0..customers {
        app.create_account(
            &admin,
            AccountKind::Customer,
            account(&format!("svc{i}"), Some("r1")),
            Mode::Apply,
        )
        .await
        .unwrap();
    }
    let service_ms = ms(t);
    let t = Instant::now();
    for i in 0..customers {
        let id = (engine.id)(&Uuid::now_v7());
        let login = format!("raw{i}");
        raw(transaction(
            &[CUSTOMER_ROW],
            &[("{ID}", &id), ("{LOGIN}", &login)],
        ))
        .await;
    }
    let raw_ms = ms(t);
    println!(
        "| {} | customers | {customers} | {:.0} ms ({:.0}/s) | {:.0} ms ({:.0}/s) | {:.2} |",
        engine.name,
        service_ms,
        rate(customers, service_ms),
        raw_ms,
        rate(customers, raw_ms),
        raw_ms / service_ms
    );
}

fn main() {
    let subscriptions = support::env_or("BERTH_BENCH_CREATE", 2_000);
    let customers = support::env_or("BERTH_BENCH_CREATE_CUSTOMERS", 100);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!("| engine | objects | n | service | raw SQL | service rate / raw rate |");
    println!("|---|---|---|---|---|---|");
    rt.block_on(async {
        if support::wanted("sqlite") {
            let (app, raw, _db) = support::sqlite(Arc::new(SystemClock)).await;
            run(&SQLITE, app, raw, subscriptions, customers).await;
        }
        if support::wanted("postgres")
            && let Some((app, raw, _db)) = support::postgres(Arc::new(SystemClock)).await
        {
            run(&POSTGRES, app, raw, subscriptions, customers).await;
        }
    });
}
