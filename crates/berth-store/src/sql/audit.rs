//! Audit log SQL.

use berth_core::account::AccountId;
use berth_core::audit::AuditEntry;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::Value;
use crate::audit::AuditQuery;

/// The columns every audit read selects, in this order.
pub const AUDIT_COLUMNS: &str = "id, at, actor_id, actor_login, api_key_id, source, request_id, \
                                 interface, action, object, status";

/// `INSERT` of an entry, and its values. No key or source is `''`.
pub fn insert_audit(e: &AuditEntry) -> (String, Vec<Value>) {
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
