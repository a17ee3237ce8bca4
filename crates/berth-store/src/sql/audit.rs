//! Audit log SQL.

use berth_core::account::AccountId;
use berth_core::audit::{AuditEntry, FieldChange};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Dialect, Value};
use crate::audit::AuditQuery;

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
/// statement whatever their number.
///
/// The changes travel as one JSON array parameter expanded by the engine
/// ([`Dialect::json_rows`]): a subscription's creation records about 90 fields, and as
/// multi-row `VALUES` that was 540 placeholders, which sqlx binds on SQLite by looking each
/// `$n` up by name (a linear search per parameter, so quadratic in the statement).
pub fn insert_audit_changes(
    entry: Uuid,
    first_seq: u32,
    changes: &[FieldChange],
    d: Dialect,
) -> (String, Vec<Value>) {
    let rows: Vec<serde_json::Value> = changes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            serde_json::json!([
                i64::from(first_seq) + i as i64,
                c.object,
                c.field,
                c.before,
                c.after
            ])
        })
        .collect();
    let from = d.json_rows.replace("{param}", "$2").replace("{alias}", "c");
    let sql = format!(
        "INSERT INTO audit_changes (entry_id, seq, object, field, before_value, after_value) \
         SELECT $1, CAST(c.value ->> 0 AS INTEGER), c.value ->> 1, c.value ->> 2, \
         c.value ->> 3, c.value ->> 4 FROM {from}"
    );
    let values = vec![
        Value::Id(entry),
        Value::Text(serde_json::Value::Array(rows).to_string()),
    ];
    (sql, values)
}

/// The changes of `count` entries (ids bound as `$1..`), in entry and change order.
pub fn audit_changes_of(count: usize) -> String {
    let ids: Vec<String> = (1..=count).map(|i| format!("${i}")).collect();
    format!(
        "SELECT entry_id, object, field, before_value, after_value FROM audit_changes \
         WHERE entry_id IN ({}) ORDER BY entry_id, seq",
        ids.join(", ")
    )
}

/// A change row in plain types.
#[derive(Debug, Clone)]
pub struct AuditChangeRow {
    /// `entry_id`
    pub entry_id: Uuid,
    /// `object`
    pub object: String,
    /// `field`
    pub field: String,
    /// `before_value`
    pub before: Option<String>,
    /// `after_value`
    pub after: Option<String>,
}

impl AuditChangeRow {
    /// The entry id and the change.
    pub fn into_change(self) -> (Uuid, FieldChange) {
        (
            self.entry_id,
            FieldChange {
                object: self.object,
                field: self.field,
                before: self.before,
                after: self.after,
            },
        )
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
