//! Storage of notifications (SPEC R6.4): recipients per event, templates per event and
//! language, the contacts messages go to, and every message sent.

use async_trait::async_trait;
use berth_core::account::{AccountId, AccountKind};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::StoreResult;

/// Who receives an event, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientsRow {
    /// The event's wire name.
    pub event: String,
    /// The administrator.
    pub admin: bool,
    /// The providing reseller.
    pub reseller: bool,
    /// The subscriber.
    pub customer: bool,
    /// Further addresses, comma-separated.
    pub extra: String,
}

/// A template replacing a built-in one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRow {
    /// The event's wire name.
    pub event: String,
    /// The language (`en`, `de`, ...).
    pub language: String,
    /// Subject with placeholders.
    pub subject: String,
    /// Body with placeholders.
    pub body: String,
}

/// Where an account receives mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRow {
    /// The account.
    pub id: AccountId,
    /// Its kind.
    pub kind: AccountKind,
    /// Its login.
    pub login: String,
    /// Its address.
    pub email: String,
    /// Its locale (`en-US`).
    pub locale: String,
    /// Its owner, for customers and resellers.
    pub owner_id: Option<AccountId>,
}

/// A recorded message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRow {
    /// Its id (UUIDv7: newest last by id).
    pub id: Uuid,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// The event's wire name.
    pub event: String,
    /// The subscription it is about.
    pub subscription: String,
    /// Addresses, comma-separated.
    pub recipients: String,
    /// The rendered subject.
    pub subject: String,
    /// The rendered body.
    pub body: String,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    /// Why the last attempt failed (`''` if it did not).
    pub error: String,
    /// How many times sending was tried.
    pub attempts: i64,
    /// When it was last sent.
    pub sent_at: Option<DateTime<Utc>>,
}

/// Which messages to list: newest first, keyset-paged by id.
#[derive(Debug, Clone, Default)]
pub struct NotificationQuery {
    /// Only in this status.
    pub status: Option<String>,
    /// Only about this subscription (ASCII name).
    pub subscription: Option<String>,
    /// Only older than this id.
    pub before: Option<Uuid>,
    /// Page size.
    pub limit: u32,
}

/// SQL shared by the SQL stores.
pub mod sql {
    use crate::sql::Value;

    use super::{NotificationQuery, NotificationRow};

    /// Columns of [`super::NotificationRow`], in order.
    pub const COLUMNS: &str = "id, created_at, event, subscription, recipients, subject, body, \
                               status, error, attempts, sent_at";

    /// `$1` event.
    pub const RECIPIENTS: &str = "SELECT event, admin, reseller, customer, extra FROM notification_recipients WHERE event = $1";
    /// Upsert of an event's recipients.
    pub const SET_RECIPIENTS: &str = "INSERT INTO notification_recipients \
         (event, admin, reseller, customer, extra) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (event) DO UPDATE SET admin = excluded.admin, reseller = excluded.reseller, \
         customer = excluded.customer, extra = excluded.extra";
    /// Every template override.
    pub const TEMPLATES: &str = "SELECT event, language, subject, body FROM notification_templates \
                                 ORDER BY event, language";
    /// Upsert of a template.
    pub const SET_TEMPLATE: &str = "INSERT INTO notification_templates (event, language, subject, body) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (event, language) DO UPDATE SET \
         subject = excluded.subject, body = excluded.body";
    /// `$1` event, `$2` language.
    pub const DELETE_TEMPLATE: &str =
        "DELETE FROM notification_templates WHERE event = $1 AND language = $2";

    /// Contacts of `n` accounts (`$1`..`$n`) and of the admin.
    pub fn contacts(n: usize) -> String {
        let ids: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
        let cond = if ids.is_empty() {
            String::new()
        } else {
            format!(" OR id IN ({})", ids.join(", "))
        };
        format!(
            "SELECT id, kind, login, email, locale, owner_id FROM accounts WHERE kind = 'admin'{cond}"
        )
    }

    /// The `INSERT` of a message and its values.
    pub fn insert(n: &NotificationRow) -> (String, Vec<Value>) {
        let sql = format!(
            "INSERT INTO notifications ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL)"
        );
        let values = vec![
            Value::Id(n.id),
            Value::Time(n.created_at),
            Value::Text(n.event.clone()),
            Value::Text(n.subscription.clone()),
            Value::Text(n.recipients.clone()),
            Value::Text(n.subject.clone()),
            Value::Text(n.body.clone()),
            Value::Text(n.status.clone()),
            Value::Text(n.error.clone()),
            Value::Int(n.attempts),
        ];
        (sql, values)
    }

    /// `$1` status, `$2` error, `$3` attempt time, `$4` id: records an attempt (sent_at is
    /// set only when it succeeded).
    pub const MARK: &str = "UPDATE notifications SET status = $1, error = $2, attempts = attempts + 1, \
         sent_at = CASE WHEN $1 = 'sent' THEN $3 ELSE sent_at END WHERE id = $4";

    /// `$1` id.
    pub fn by_id() -> String {
        format!("SELECT {COLUMNS} FROM notifications WHERE id = $1")
    }

    /// The list query, newest first, and its values.
    pub fn list(q: &NotificationQuery) -> (String, Vec<Value>) {
        let mut sql = format!("SELECT {COLUMNS} FROM notifications WHERE 1 = 1");
        let mut values = Vec::new();
        if let Some(status) = &q.status {
            values.push(Value::Text(status.clone()));
            sql.push_str(&format!(" AND status = ${}", values.len()));
        }
        if let Some(name) = &q.subscription {
            values.push(Value::Text(name.clone()));
            sql.push_str(&format!(" AND subscription = ${}", values.len()));
        }
        if let Some(before) = q.before {
            values.push(Value::Id(before));
            sql.push_str(&format!(" AND id < ${}", values.len()));
        }
        sql.push_str(&format!(" ORDER BY id DESC LIMIT {}", q.limit.max(1)));
        (sql, values)
    }

    /// Messages not sent yet (pending or failed) with fewer than `$1` attempts, oldest
    /// first.
    pub fn unsent(limit: u32) -> String {
        format!(
            "SELECT {COLUMNS} FROM notifications WHERE status <> 'sent' AND attempts < $1 \
             ORDER BY id LIMIT {limit}"
        )
    }
}

/// Notification operations inside a transaction.
#[async_trait]
pub trait NotificationTx: Send {
    /// The recipients set for an event, if any.
    async fn recipients(&mut self, event: &str) -> StoreResult<Option<RecipientsRow>>;
    /// Sets an event's recipients.
    async fn set_recipients(&mut self, row: &RecipientsRow) -> StoreResult<()>;
    /// Every template override.
    async fn templates(&mut self) -> StoreResult<Vec<TemplateRow>>;
    /// Sets a template override.
    async fn set_template(&mut self, row: &TemplateRow) -> StoreResult<()>;
    /// Removes a template override; whether there was one.
    async fn delete_template(&mut self, event: &str, language: &str) -> StoreResult<bool>;
    /// Contacts of these accounts and of the admin (one query).
    async fn contacts(&mut self, ids: &[AccountId]) -> StoreResult<Vec<ContactRow>>;
    /// Records a message.
    async fn insert_notification(&mut self, row: &NotificationRow) -> StoreResult<()>;
    /// Records an attempt to send a message.
    async fn mark_notification(
        &mut self,
        id: Uuid,
        status: &str,
        error: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// One message.
    async fn notification_by_id(&mut self, id: Uuid) -> StoreResult<Option<NotificationRow>>;
    /// Messages, newest first.
    async fn list_notifications(
        &mut self,
        query: &NotificationQuery,
    ) -> StoreResult<Vec<NotificationRow>>;
    /// Up to `limit` messages not sent yet with fewer than `max_attempts` attempts.
    async fn unsent_notifications(
        &mut self,
        max_attempts: i64,
        limit: u32,
    ) -> StoreResult<Vec<NotificationRow>>;
}
