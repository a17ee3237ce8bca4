//! What the benchmarks that copy one subscription many times share: the seed statements,
//! the raw-SQL hook and the millisecond clock.

#![allow(dead_code)]

use std::time::Instant;

/// Copies of `template.example` on SQLite: `{N}` subscriptions, their IP addresses, their
/// main domains in the registry (no zones: `dns template apply` builds them).
pub const SQLITE_SEED: &[&str] = &[
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {N}) \
     INSERT INTO subscriptions (id, name, name_key, owner_id, plan_id, addon_key, sync_state, props, custom, \
     conflicts, system_user, system_password_hash, expiration, overused, created_at, updated_at) \
     SELECT randomblob(16), 'z' || n.i || '.example', 'z' || n.i || '.example', t.owner_id, t.plan_id, '', \
     t.sync_state, t.props, t.custom, t.conflicts, 'z' || n.i, t.system_password_hash, t.expiration, 0, \
     t.created_at, t.updated_at FROM n, subscriptions t WHERE t.name = 'template.example'",
    "INSERT INTO subscription_ips (subscription_id, ip_id) SELECT s.id, si.ip_id FROM subscriptions s, \
     subscription_ips si JOIN subscriptions t ON t.id = si.subscription_id \
     WHERE t.name = 'template.example' AND s.name LIKE 'z%'",
    "INSERT INTO domains (id, name, name_key, kind, subscription_id, parent_id, document_root, alias_web, \
     alias_mail, alias_dns_sync, created_at, updated_at) SELECT id, name, name_key, 'main', id, NULL, \
     'httpdocs', '', 0, 0, created_at, updated_at FROM subscriptions WHERE name LIKE 'z%'",
];

/// The same copies on PostgreSQL.
pub const POSTGRES_SEED: &[&str] = &[
    "INSERT INTO subscriptions (id, name, name_key, owner_id, plan_id, addon_key, sync_state, props, custom, \
     conflicts, system_user, system_password_hash, expiration, overused, created_at, updated_at) \
     SELECT gen_random_uuid(), 'z' || n.i || '.example', 'z' || n.i || '.example', t.owner_id, t.plan_id, '', \
     t.sync_state, t.props, t.custom, t.conflicts, 'z' || n.i, t.system_password_hash, t.expiration, false, \
     t.created_at, t.updated_at FROM generate_series(1, {N}) AS n(i), subscriptions t \
     WHERE t.name = 'template.example'",
    "INSERT INTO subscription_ips (subscription_id, ip_id) SELECT s.id, si.ip_id FROM subscriptions s, \
     subscription_ips si JOIN subscriptions t ON t.id = si.subscription_id \
     WHERE t.name = 'template.example' AND s.name LIKE 'z%'",
    "INSERT INTO domains (id, name, name_key, kind, subscription_id, parent_id, document_root, alias_web, \
     alias_mail, alias_dns_sync, created_at, updated_at) SELECT id, name, name_key, 'main', id, NULL, \
     'httpdocs', '', false, false, created_at, updated_at FROM subscriptions WHERE name LIKE 'z%'",
];

/// Runs one raw SQL statement on the store under test.
pub type Raw = Box<dyn Fn(String) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>>;

/// Milliseconds since `t`.
pub fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

/// What keeps a benchmark's database alive (its temporary directory or its PostgreSQL
/// database); dropped after the service and the hook that use it.
pub type Keep = Box<dyn std::any::Any>;

/// A service on a fresh SQLite database in a temporary directory, initialised, with its
/// raw-SQL hook.
pub async fn sqlite(
    clock: std::sync::Arc<dyn berth_core::clock::Clock>,
) -> (berth_app::Berth, Raw, Keep) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store =
        berth_store_sqlite::SqliteStore::connect(&url, berth_store_sqlite::Open::CreateIfMissing)
            .await
            .unwrap();
    let app = berth_app::Berth::new(std::sync::Arc::new(store.clone()), clock);
    app.init(Some("bench-admin-pw"), "admin@example.com")
        .await
        .unwrap();
    let raw: Raw = Box::new(move |sql| {
        let store = store.clone();
        Box::pin(async move { store.execute_raw(&sql).await.unwrap() })
    });
    (app, raw, Box::new(dir))
}

/// The same on a fresh PostgreSQL database; `None`, with a message, when PostgreSQL is
/// unreachable.
pub async fn postgres(
    clock: std::sync::Arc<dyn berth_core::clock::Clock>,
) -> Option<(berth_app::Berth, Raw, Keep)> {
    let Some(db) = berth_store_postgres::testing::fresh_database().await else {
        eprintln!("PostgreSQL unreachable: skipped");
        return None;
    };
    let store = berth_store_postgres::PostgresStore::connect(&db.url)
        .await
        .unwrap();
    let app = berth_app::Berth::new(std::sync::Arc::new(store.clone()), clock);
    app.init(Some("bench-admin-pw"), "admin@example.com")
        .await
        .unwrap();
    let raw: Raw = Box::new(move |sql| {
        let store = store.clone();
        Box::pin(async move { store.execute_raw(&sql).await.unwrap() })
    });
    Some((app, raw, Box::new(db)))
}

/// Whether `engine` is to be measured: `BERTH_BENCH_ENGINE=sqlite|postgres` picks one, both
/// by default.
pub fn wanted(engine: &str) -> bool {
    std::env::var("BERTH_BENCH_ENGINE").map_or(true, |v| v.eq_ignore_ascii_case(engine))
}

/// Seconds to wait after seeding (`BERTH_BENCH_HOLD=N`, default 0), so that the seeded
/// database can be copied (`pg_dump`) or inspected before the timed rounds change it.
pub async fn hold_after_seed(database: &str) {
    let seconds = env_or("BERTH_BENCH_HOLD", 0);
    if seconds > 0 {
        eprintln!("holding {seconds} s after seeding ({database})");
        tokio::time::sleep(std::time::Duration::from_secs(seconds as u64)).await;
    }
}

/// The number in environment variable `name`, or `default`.
pub fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
