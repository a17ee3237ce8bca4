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
