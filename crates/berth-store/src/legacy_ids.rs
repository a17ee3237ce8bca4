//! Numeric ids for the Plesk-compatible XML API: every account, plan, subscription, domain
//! and IP address gets a number when it is inserted (database triggers, migration 0010),
//! never reused. These reads map numbers to objects and back, each in one query.

use async_trait::async_trait;
use uuid::Uuid;

use crate::StoreResult;

/// What a numeric id names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyObject {
    /// The object's UUID (its `guid`).
    pub object: Uuid,
    /// `account`, `plan`, `subscription`, `domain` or `ip`.
    pub kind: String,
    /// Its name: login, plan name, domain name (ASCII) or address.
    pub name: String,
    /// For a plan, its owner's login; for a domain, its kind (`main`, `site`, `alias`,
    /// `subdomain`); else empty.
    pub detail: String,
}

/// A DNS record with its number, as stored (absolute ASCII host without the final dot;
/// priority `-1` when none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyRecord {
    /// Its number.
    pub id: i64,
    /// The zone's domain name (ASCII).
    pub zone: String,
    /// Owner name.
    pub host: String,
    /// Type (`A`, `MX`, ...).
    pub rtype: String,
    /// Value.
    pub value: String,
    /// MX/SRV priority, `-1` when none.
    pub priority: i64,
}

/// Numeric id reads inside a transaction.
#[async_trait]
pub trait LegacyIdTx: Send {
    /// The numbers of these objects (those that have one), in one query.
    async fn legacy_ids(&mut self, objects: &[Uuid]) -> StoreResult<Vec<(Uuid, i64)>>;

    /// The existing object numbered `id`; `None` when the number was never given or its
    /// object is gone.
    async fn legacy_object(&mut self, id: i64) -> StoreResult<Option<LegacyObject>>;

    /// The existing object with this UUID, as [`LegacyIdTx::legacy_object`] describes it,
    /// with its number.
    async fn legacy_object_by_guid(
        &mut self,
        guid: Uuid,
    ) -> StoreResult<Option<(i64, LegacyObject)>>;

    /// The served (not removed) records of the zone of domain `zone` (ASCII name), with
    /// their numbers, in zone order.
    async fn legacy_records(&mut self, zone: &str) -> StoreResult<Vec<LegacyRecord>>;

    /// The served record numbered `id`.
    async fn legacy_record(&mut self, id: i64) -> StoreResult<Option<LegacyRecord>>;
}

/// The columns of a [`LegacyRecord`] read, in order; `legacy_ids l`, `dns_records r`,
/// `domains d` (the zone's domain).
const RECORD_SELECT: &str = "\
SELECT l.id, d.name, r.host, r.rtype, r.value, r.priority
FROM dns_records r
JOIN legacy_ids l ON l.object = r.id
JOIN domains d ON d.id = r.domain_id";

/// The records of a zone: `$1` the domain name, `$2` false (not removed).
pub fn legacy_records_sql() -> String {
    format!("{RECORD_SELECT} WHERE d.name = $1 AND r.removed = $2 ORDER BY r.position")
}

/// One record: `$1` its number, `$2` false (not removed).
pub fn legacy_record_sql() -> String {
    format!("{RECORD_SELECT} WHERE l.id = $1 AND r.removed = $2")
}

/// The numbers of objects: `$1..$n` the UUIDs.
pub fn legacy_ids_sql(count: usize) -> String {
    let placeholders: Vec<String> = (1..=count).map(|i| format!("${i}")).collect();
    format!(
        "SELECT object, id FROM legacy_ids WHERE object IN ({})",
        placeholders.join(", ")
    )
}

/// The object numbered `$1`, with its name and detail (see [`LegacyObject`]), then its
/// number.
pub const LEGACY_OBJECT_SQL: &str = "\
SELECT l.object, l.kind,
       COALESCE(a.login, p.name, s.name, d.name, i.address, '') AS name,
       COALESCE(po.login, d.kind, '') AS detail, l.id
FROM legacy_ids l
LEFT JOIN accounts a ON l.kind = 'account' AND a.id = l.object
LEFT JOIN plans p ON l.kind = 'plan' AND p.id = l.object
LEFT JOIN accounts po ON po.id = p.owner_id
LEFT JOIN subscriptions s ON l.kind = 'subscription' AND s.id = l.object
LEFT JOIN domains d ON l.kind = 'domain' AND d.id = l.object
LEFT JOIN ip_addresses i ON l.kind = 'ip' AND i.id = l.object
WHERE l.id = $1
  AND (a.id IS NOT NULL OR p.id IS NOT NULL OR s.id IS NOT NULL OR d.id IS NOT NULL
       OR i.id IS NOT NULL)";

/// The object whose UUID is `$1`: [`LEGACY_OBJECT_SQL`] looked up by `object`.
pub fn legacy_object_by_guid_sql() -> String {
    LEGACY_OBJECT_SQL.replace("WHERE l.id = $1", "WHERE l.object = $1")
}
