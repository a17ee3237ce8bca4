//! Audit log SQL.

use berth_core::account::AccountId;
use berth_core::audit::{AuditEntry, FieldChange};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Dialect, Value};
use crate::audit::AuditQuery;
use crate::{StoreError, StoreResult};

/// The columns every audit read selects, in this order.
pub const AUDIT_COLUMNS: &str = "id, at, actor_id, actor_login, api_key_id, source, request_id, \
                                 interface, action, object, status";

/// `INSERT` of an entry that replaces the request fields and the status of an entry
/// with the same id, and its values. No key or source is `''`.
pub fn insert_audit(e: &AuditEntry) -> (String, Vec<Value>) {
    let (insert, values) = audit_insert(e);
    let sql = format!(
        "{insert} ON CONFLICT (id) DO UPDATE SET api_key_id = excluded.api_key_id, \
         source = excluded.source, request_id = excluded.request_id, \
         interface = excluded.interface, action = excluded.action, \
         object = excluded.object, status = excluded.status"
    );
    (sql, values)
}

/// `INSERT` of an entry that keeps an existing entry with the same id, and its values.
pub fn open_audit(e: &AuditEntry) -> (String, Vec<Value>) {
    let (insert, values) = audit_insert(e);
    (format!("{insert} ON CONFLICT (id) DO NOTHING"), values)
}

/// `UPDATE` of an entry's status.
pub fn settle_audit(id: Uuid, status: u16) -> (String, Vec<Value>) {
    (
        "UPDATE audit_log SET status = $1 WHERE id = $2".to_owned(),
        vec![Value::Int(i64::from(status)), Value::Id(id)],
    )
}

fn audit_insert(e: &AuditEntry) -> (String, Vec<Value>) {
    let sql = format!(
        "INSERT INTO audit_log ({AUDIT_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    );
    let values = vec![
        Value::Id(e.id),
        Value::Time(e.at),
        Value::Id(e.actor.0),
        Value::Text(e.actor_login.clone()),
        Value::Text(e.api_key.map(|k| k.to_string()).unwrap_or_default()),
        Value::Text(e.source.clone().unwrap_or_default()),
        Value::Text(e.request_id.clone()),
        Value::Text(e.interface.clone()),
        Value::Text(e.action.clone()),
        Value::Text(e.object.clone()),
        Value::Int(i64::from(e.status)),
    ];
    (sql, values)
}

/// The `INSERT` of an operation's changes, numbered from `first_seq`, and its values: one
/// statement whatever their number, one row per run of consecutive changes to the same
/// object (migration 0021: a creation is one row), numbered by the run's first change.
///
/// The runs travel as one JSON array parameter expanded by the engine
/// ([`Dialect::json_rows`]), each `[seq, object, [[field, before, after], ...]]`; the
/// fields' array is stored as it is (JSON text on SQLite, `jsonb` on PostgreSQL).
pub fn insert_audit_changes(
    entry: Uuid,
    first_seq: u32,
    changes: &[FieldChange],
    d: Dialect,
) -> (String, Vec<Value>) {
    let rows: Vec<serde_json::Value> = runs_by_object(changes)
        .into_iter()
        .map(|(offset, run)| {
            let fields: Vec<serde_json::Value> = run
                .iter()
                .map(|c| serde_json::json!([c.field, c.before, c.after]))
                .collect();
            serde_json::json!([i64::from(first_seq) + offset as i64, run[0].object, fields])
        })
        .collect();
    let from = d.json_rows.replace("{param}", "$2").replace("{alias}", "c");
    let sql = format!(
        "INSERT INTO audit_changes (entry_id, seq, object, fields) \
         SELECT $1, CAST(c.value ->> 0 AS INTEGER), c.value ->> 1, c.value -> 2 FROM {from}"
    );
    let values = vec![
        Value::Id(entry),
        Value::Text(serde_json::Value::Array(rows).to_string()),
    ];
    (sql, values)
}

/// `changes` cut into runs of consecutive changes to the same object, each with the
/// offset of its first change.
fn runs_by_object(changes: &[FieldChange]) -> Vec<(usize, &[FieldChange])> {
    let mut runs = vec![];
    let mut start = 0;
    for i in 1..=changes.len() {
        if i == changes.len() || changes[i].object != changes[start].object {
            runs.push((start, &changes[start..i]));
            start = i;
        }
    }
    runs
}

/// The changes of `count` entries (ids bound as `$1..`), in entry and change order: one
/// row per run of changes to one object (see [`insert_audit_changes`]).
pub fn audit_changes_of(count: usize, d: Dialect) -> String {
    let ids: Vec<String> = (1..=count).map(|i| format!("${i}")).collect();
    format!(
        "SELECT entry_id, object, fields{} FROM audit_changes \
         WHERE entry_id IN ({}) ORDER BY entry_id, seq",
        d.json_out,
        ids.join(", ")
    )
}

/// A stored run of changes to one object, in plain types.
#[derive(Debug, Clone)]
pub struct AuditChangeRow {
    /// `entry_id`
    pub entry_id: Uuid,
    /// `object`
    pub object: String,
    /// `fields`: a JSON array of `[field, before, after]`, `null` for "not set".
    pub fields: String,
}

impl AuditChangeRow {
    /// The entry id and each change of the run, in order.
    pub fn into_changes(self) -> StoreResult<Vec<(Uuid, FieldChange)>> {
        let fields: Vec<(String, Option<String>, Option<String>)> =
            serde_json::from_str(&self.fields).map_err(|err| {
                StoreError::Backend(format!(
                    "audit changes of entry {} are not a list of [field, before, after]: {err}",
                    self.entry_id
                ))
            })?;
        Ok(fields
            .into_iter()
            .map(|(field, before, after)| {
                (
                    self.entry_id,
                    FieldChange {
                        object: self.object.clone(),
                        field,
                        before,
                        after,
                    },
                )
            })
            .collect())
    }
}

/// `text` as a case-insensitive `LIKE` pattern matching it anywhere (`\` escapes).
fn contains_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for ch in text.to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}

/// The list query, newest first, and its values.
pub fn list_audit(q: &AuditQuery) -> (String, Vec<Value>) {
    let mut sql = format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE 1 = 1");
    let mut values = Vec::new();
    if let Some(actor) = q.actor {
        values.push(Value::Id(actor.0));
        sql.push_str(&format!(" AND actor_id = ${}", values.len()));
    }
    if let Some(before) = q.before {
        values.push(Value::Id(before));
        sql.push_str(&format!(" AND id < ${}", values.len()));
    }
    if let Some(since) = q.since {
        values.push(Value::Time(since));
        sql.push_str(&format!(" AND at >= ${}", values.len()));
    }
    if let Some(until) = q.until {
        values.push(Value::Time(until));
        sql.push_str(&format!(" AND at < ${}", values.len()));
    }
    if let Some(action) = &q.action {
        values.push(Value::Text(contains_pattern(action)));
        sql.push_str(&format!(
            " AND lower(action) LIKE ${} ESCAPE '\\'",
            values.len()
        ));
    }
    if let Some(object) = &q.object {
        values.push(Value::Text(contains_pattern(object)));
        let n = values.len();
        sql.push_str(&format!(
            " AND (lower(object) LIKE ${n} ESCAPE '\\' OR id IN (SELECT entry_id FROM \
             audit_changes WHERE lower(object) LIKE ${n} ESCAPE '\\'))"
        ));
    }
    sql.push_str(&format!(" ORDER BY id DESC LIMIT {}", q.limit.max(1)));
    (sql, values)
}

/// An audit row in plain types.
#[derive(Debug, Clone)]
pub struct AuditRow {
    /// `id`
    pub id: Uuid,
    /// `at`
    pub at: DateTime<Utc>,
    /// `actor_id`
    pub actor_id: Uuid,
    /// `actor_login`
    pub actor_login: String,
    /// `api_key_id` (`''` for none)
    pub api_key_id: String,
    /// `source` (`''` for none)
    pub source: String,
    /// `request_id`
    pub request_id: String,
    /// `interface`
    pub interface: String,
    /// `action`
    pub action: String,
    /// `object`
    pub object: String,
    /// `status`
    pub status: i64,
}

impl AuditRow {
    /// The entry.
    pub fn into_entry(self) -> AuditEntry {
        AuditEntry {
            id: self.id,
            at: self.at,
            actor: AccountId(self.actor_id),
            actor_login: self.actor_login,
            api_key: Uuid::parse_str(&self.api_key_id).ok(),
            source: (!self.source.is_empty()).then_some(self.source),
            request_id: self.request_id,
            interface: self.interface,
            action: self.action,
            object: self.object,
            status: u16::try_from(self.status).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(object: &str, field: &str) -> FieldChange {
        FieldChange::new(object, field, None, Some("v".to_owned()))
    }

    #[test]
    fn r11_4_changes_are_stored_as_runs_of_one_object_numbered_by_their_first_change() {
        let changes = [
            change("plan Gold", "max_dom"),
            change("plan Gold", "disk_space"),
            change("subscription a.example", "max_dom"),
            change("plan Gold", "max_site"),
        ];
        let runs: Vec<(usize, Vec<&str>)> = runs_by_object(&changes)
            .into_iter()
            .map(|(offset, run)| (offset, run.iter().map(|c| c.field.as_str()).collect()))
            .collect();
        assert_eq!(
            runs,
            vec![
                (0, vec!["max_dom", "disk_space"]),
                (2, vec!["max_dom"]),
                (3, vec!["max_site"]),
            ]
        );
        assert!(runs_by_object(&[]).is_empty());
    }

    #[test]
    fn r11_4_a_stored_run_reads_back_as_its_changes_in_order() {
        let entry = Uuid::nil();
        let (_, values) = insert_audit_changes(
            entry,
            5,
            &[
                FieldChange::new("customer bob", "email", Some("a@x".into()), None),
                FieldChange::new("customer bob", "name", None, Some("Bob".into())),
            ],
            super::super::TEST_DIALECT,
        );
        let Value::Text(json) = &values[1] else {
            panic!("the runs travel as JSON text")
        };
        let runs: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(runs[0][0], 5);
        let row = AuditChangeRow {
            entry_id: entry,
            object: runs[0][1].as_str().unwrap().to_owned(),
            fields: runs[0][2].to_string(),
        };
        let back: Vec<FieldChange> = row
            .into_changes()
            .unwrap()
            .into_iter()
            .map(|(_, c)| c)
            .collect();
        assert_eq!(
            back,
            vec![
                FieldChange::new("customer bob", "email", Some("a@x".into()), None),
                FieldChange::new("customer bob", "name", None, Some("Bob".into())),
            ]
        );
        let broken = AuditChangeRow {
            entry_id: entry,
            object: "customer bob".into(),
            fields: "{\"not\": \"a list\"}".into(),
        };
        assert!(broken.into_changes().is_err());
    }
}
