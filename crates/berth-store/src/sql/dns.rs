//! DNS SQL (R7.4): the server's template (`dns_template`, one row per line), zones
//! (`dns_zones`, one row per domain with its serial) and their records (`dns_records`).
//! A missing priority is stored as `-1`, a missing TTL as `0`.

use berth_core::dns::{RecordData, RecordSource, RecordType, TemplateRecord, Zone, ZoneRecord};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::Value;
use crate::{StoreError, StoreResult};

/// Rows per multi-row `INSERT`, well under SQLite's 32,766 bound parameters.
const CHUNK: usize = 500;

fn priority(p: Option<u16>) -> Value {
    Value::Int(p.map_or(-1, i64::from))
}

fn ttl(t: Option<u32>) -> Value {
    Value::Int(t.map_or(0, i64::from))
}

fn corrupt(what: &str, value: impl std::fmt::Debug) -> StoreError {
    StoreError::Backend(format!("stored DNS {what} {value:?} is not valid"))
}

fn stored_priority(p: i64) -> StoreResult<Option<u16>> {
    if p < 0 {
        Ok(None)
    } else {
        u16::try_from(p)
            .map(Some)
            .map_err(|_| corrupt("priority", p))
    }
}

fn stored_ttl(t: i64) -> StoreResult<Option<u32>> {
    if t <= 0 {
        Ok(None)
    } else {
        u32::try_from(t).map(Some).map_err(|_| corrupt("ttl", t))
    }
}

fn stored_type(t: &str) -> StoreResult<RecordType> {
    RecordType::parse("type", t).map_err(|_| corrupt("type", t))
}

/// The template, in order: `host, rtype, value, priority, ttl`.
pub const TEMPLATE_SELECT: &str =
    "SELECT host, rtype, value, priority, ttl FROM dns_template ORDER BY position";

/// Empties the template.
pub const DELETE_TEMPLATE: &str = "DELETE FROM dns_template";

/// Multi-row `INSERT`s of the template lines, positions from 1.
pub fn insert_template(records: &[TemplateRecord]) -> Vec<(String, Vec<Value>)> {
    let rows: Vec<Vec<Value>> = records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                Value::Int(i as i64 + 1),
                Value::Text(r.host.clone()),
                Value::Text(r.rtype.as_str().to_owned()),
                Value::Text(r.value.clone()),
                priority(r.priority),
                ttl(r.ttl),
            ]
        })
        .collect();
    multi_insert(
        "dns_template (position, host, rtype, value, priority, ttl)",
        rows,
    )
}

fn multi_insert(target: &str, rows: Vec<Vec<Value>>) -> Vec<(String, Vec<Value>)> {
    rows.chunks(CHUNK)
        .map(|chunk| {
            let mut values = vec![];
            let mut tuples = vec![];
            for row in chunk {
                let start = values.len();
                tuples.push(format!(
                    "({})",
                    (start + 1..=start + row.len())
                        .map(|n| format!("${n}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                values.extend(row.iter().cloned());
            }
            (
                format!("INSERT INTO {target} VALUES {}", tuples.join(", ")),
                values,
            )
        })
        .collect()
}

/// A template row in plain types.
#[derive(Debug, Clone)]
pub struct TemplateRow {
    /// `host`
    pub host: String,
    /// `rtype`
    pub rtype: String,
    /// `value`
    pub value: String,
    /// `priority` (`-1` for none)
    pub priority: i64,
    /// `ttl` (`0` for none)
    pub ttl: i64,
}

impl TemplateRow {
    /// Rebuilds the template line.
    pub fn into_record(self) -> StoreResult<TemplateRecord> {
        Ok(TemplateRecord {
            host: self.host,
            rtype: stored_type(&self.rtype)?,
            value: self.value,
            priority: stored_priority(self.priority)?,
            ttl: stored_ttl(self.ttl)?,
        })
    }
}

/// The zone of domain `$1`: `serial, updated_at`, followed by `lock` (` FOR UPDATE` on
/// PostgreSQL, nothing on SQLite whose write transactions hold the database).
pub fn zone_select(lock: &str) -> String {
    format!("SELECT serial, updated_at FROM dns_zones WHERE domain_id = $1{lock}")
}

/// The zones of `count` domains from `$1`: `domain_id, serial, updated_at`.
pub fn zones_of(count: usize) -> String {
    format!(
        "SELECT domain_id, serial, updated_at FROM dns_zones WHERE domain_id IN ({})",
        super::placeholder_list(1, count)
    )
}

/// The records of `count` zones from `$1`, zone by zone in insertion order: the columns
/// of [`ZONE_RECORDS`], then `domain_id`.
pub fn records_of(count: usize) -> String {
    format!(
        "SELECT id, host, rtype, value, priority, ttl, source, source_key, user_edited, removed, \
         domain_id FROM dns_records WHERE domain_id IN ({}) ORDER BY domain_id, position",
        super::placeholder_list(1, count)
    )
}

/// The records of zone `$1`: `id, host, rtype, value, priority, ttl, source, source_key,
/// user_edited, removed`, in insertion order.
pub const ZONE_RECORDS: &str = "SELECT id, host, rtype, value, priority, ttl, source, source_key, \
     user_edited, removed FROM dns_records WHERE domain_id = $1 ORDER BY position";

/// Statements that write a zone: upsert of its serial, removal of its records, then
/// multi-row inserts of the records in order.
pub fn save_zone(zone: &Zone) -> Vec<(String, Vec<Value>)> {
    let mut out = vec![
        (
            "INSERT INTO dns_zones (domain_id, serial, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (domain_id) DO UPDATE SET serial = excluded.serial, updated_at = excluded.updated_at"
                .to_owned(),
            vec![
                Value::Id(zone.domain_id),
                Value::Int(i64::from(zone.serial)),
                Value::Time(zone.updated_at),
            ],
        ),
        (
            "DELETE FROM dns_records WHERE domain_id = $1".to_owned(),
            vec![Value::Id(zone.domain_id)],
        ),
    ];
    out.extend(insert_records(zone));
    out
}

/// Statements that write a new zone (its domain has none yet): the zone row, then
/// multi-row inserts of its records in order. Nothing is replaced.
pub fn insert_zone(zone: &Zone) -> Vec<(String, Vec<Value>)> {
    let mut out = vec![(
        "INSERT INTO dns_zones (domain_id, serial, updated_at) VALUES ($1, $2, $3)".to_owned(),
        vec![
            Value::Id(zone.domain_id),
            Value::Int(i64::from(zone.serial)),
            Value::Time(zone.updated_at),
        ],
    )];
    out.extend(insert_records(zone));
    out
}

/// Multi-row inserts of a zone's records, positions from 0 in order.
fn insert_records(zone: &Zone) -> Vec<(String, Vec<Value>)> {
    let rows: Vec<Vec<Value>> = zone
        .records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                Value::Id(r.id),
                Value::Id(zone.domain_id),
                Value::Int(i as i64),
                Value::Text(r.data.host.clone()),
                Value::Text(r.data.rtype.as_str().to_owned()),
                Value::Text(r.data.value.clone()),
                priority(r.data.priority),
                ttl(r.data.ttl),
                Value::Text(r.source.as_str().to_owned()),
                Value::Text(r.source_key.clone()),
                Value::Bool(r.user_edited),
                Value::Bool(r.removed),
            ]
        })
        .collect();
    multi_insert(
        "dns_records (id, domain_id, position, host, rtype, value, priority, ttl, source, \
         source_key, user_edited, removed)",
        rows,
    )
}

/// A zone record row in plain types, as selected by [`ZONE_RECORDS`].
#[derive(Debug, Clone)]
pub struct ZoneRecordRow {
    /// `id`
    pub id: Uuid,
    /// `host`
    pub host: String,
    /// `rtype`
    pub rtype: String,
    /// `value`
    pub value: String,
    /// `priority`
    pub priority: i64,
    /// `ttl`
    pub ttl: i64,
    /// `source`
    pub source: String,
    /// `source_key`
    pub source_key: String,
    /// `user_edited`
    pub user_edited: bool,
    /// `removed`
    pub removed: bool,
}

impl ZoneRecordRow {
    /// Rebuilds the record.
    pub fn into_record(self) -> StoreResult<ZoneRecord> {
        Ok(ZoneRecord {
            id: self.id,
            data: RecordData {
                host: self.host,
                rtype: stored_type(&self.rtype)?,
                value: self.value,
                priority: stored_priority(self.priority)?,
                ttl: stored_ttl(self.ttl)?,
            },
            source: RecordSource::from_wire(&self.source)
                .ok_or_else(|| corrupt("source", &self.source))?,
            source_key: self.source_key,
            user_edited: self.user_edited,
            removed: self.removed,
        })
    }
}

/// Assembles a zone from its row and records.
pub fn assemble_zone(
    domain_id: Uuid,
    serial: i64,
    updated_at: DateTime<Utc>,
    records: Vec<ZoneRecordRow>,
) -> StoreResult<Zone> {
    Ok(Zone {
        domain_id,
        serial: u32::try_from(serial).map_err(|_| corrupt("serial", serial))?,
        records: records
            .into_iter()
            .map(ZoneRecordRow::into_record)
            .collect::<StoreResult<_>>()?,
        updated_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_row_inserts_number_placeholders_across_rows_and_chunk() {
        let rows: Vec<Vec<Value>> = (0..(CHUNK + 1))
            .map(|i| vec![Value::Int(i as i64), Value::Text("x".into())])
            .collect();
        let statements = multi_insert("t (a, b)", rows);
        assert_eq!(statements.len(), 2);
        assert!(
            statements[0]
                .0
                .starts_with("INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)")
        );
        assert_eq!(statements[0].1.len(), CHUNK * 2);
        assert_eq!(statements[1].0, "INSERT INTO t (a, b) VALUES ($1, $2)");
    }
}
