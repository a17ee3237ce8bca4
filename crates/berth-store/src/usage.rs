//! Storage of usage (SPEC R6.1–R6.3) and of the expiry check's state (R5.4): the last
//! measurement of each subscription with its marks, the history, and the expiration date
//! each warning was sent for.

use async_trait::async_trait;
use berth_core::account::AccountId;
use berth_core::overuse::{Marks, Usage};
use berth_core::property::Properties;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::StoreResult;

/// What the usage check needs of a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageTarget {
    /// Its id.
    pub id: Uuid,
    /// Its name (ASCII): the webspace directory.
    pub name: String,
    /// The subscriber.
    pub owner_id: AccountId,
    /// Its effective properties (limits, policy, thresholds).
    pub props: Properties,
    /// Whether it is marked overused.
    pub overused: bool,
    /// Whether it carries the `overuse` reason.
    pub overuse_reason: bool,
    /// The marks of the last check.
    pub marks: Marks,
}

/// One measurement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRecord {
    /// The subscription.
    pub subscription_id: Uuid,
    /// When it was measured.
    pub measured_at: DateTime<Utc>,
    /// The traffic month, `YYYY-MM`.
    pub month: String,
    /// Bytes used.
    pub usage: Usage,
    /// The marks after this check.
    pub marks: Marks,
}

/// What the expiry check needs of a subscription that expires soon, expired, or carries the
/// `expired` reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiryTarget {
    /// Its id.
    pub id: Uuid,
    /// Its name (ASCII).
    pub name: String,
    /// The subscriber.
    pub owner_id: AccountId,
    /// Its expiration date; `None` for unlimited.
    pub expiration: Option<NaiveDate>,
    /// Whether it carries the `expired` reason.
    pub expired_reason: bool,
    /// Whether the warning for this expiration date was sent.
    pub warned: bool,
}

/// SQL shared by the SQL stores.
pub mod sql {
    use crate::sql::{Dialect, Value};

    use super::UsageRecord;

    /// Rows per multi-row `INSERT` (9 values each, well under both engines' limits).
    pub const CHUNK: usize = 500;

    /// One page of usage targets after `$1` (or from the start when there is no `$1`),
    /// by id.
    pub fn targets(dialect: &Dialect, after: bool, limit: u32) -> String {
        format!(
            "SELECT s.id, s.name, s.owner_id, s.props{json}, s.overused, \
             EXISTS (SELECT 1 FROM subscription_suspensions x \
                     WHERE x.subscription_id = s.id AND x.reason = 'overuse'), \
             COALESCE(u.disk_over, FALSE), COALESCE(u.traffic_over, FALSE), \
             COALESCE(u.disk_soft, FALSE), COALESCE(u.traffic_soft, FALSE) \
             FROM subscriptions s LEFT JOIN subscription_usage u ON u.subscription_id = s.id \
             {cond} ORDER BY s.id LIMIT {limit}",
            json = dialect.json_out,
            cond = if after { "WHERE s.id > $1" } else { "" },
        )
    }

    fn placeholders(rows: usize, width: usize) -> String {
        (0..rows)
            .map(|r| {
                let cols: Vec<String> =
                    (1..=width).map(|c| format!("${}", r * width + c)).collect();
                format!("({})", cols.join(", "))
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The history `INSERT` of a chunk of records, and its values.
    pub fn insert_history(records: &[UsageRecord]) -> (String, Vec<Value>) {
        let sql = format!(
            "INSERT INTO usage_history (subscription_id, measured_at, month, disk_bytes, traffic_bytes) \
             VALUES {} ON CONFLICT (subscription_id, measured_at) DO UPDATE SET \
             month = excluded.month, disk_bytes = excluded.disk_bytes, traffic_bytes = excluded.traffic_bytes",
            placeholders(records.len(), 5)
        );
        let values = records
            .iter()
            .flat_map(|r| {
                [
                    Value::Id(r.subscription_id),
                    Value::Time(r.measured_at),
                    Value::Text(r.month.clone()),
                    Value::Int(clamp(r.usage.disk)),
                    Value::Int(clamp(r.usage.traffic)),
                ]
            })
            .collect();
        (sql, values)
    }

    /// The upsert of the last measurement of a chunk of records, and its values.
    pub fn upsert_current(records: &[UsageRecord]) -> (String, Vec<Value>) {
        let sql = format!(
            "INSERT INTO subscription_usage (subscription_id, measured_at, month, disk_bytes, \
             traffic_bytes, disk_over, traffic_over, disk_soft, traffic_soft) VALUES {} \
             ON CONFLICT (subscription_id) DO UPDATE SET measured_at = excluded.measured_at, \
             month = excluded.month, disk_bytes = excluded.disk_bytes, \
             traffic_bytes = excluded.traffic_bytes, disk_over = excluded.disk_over, \
             traffic_over = excluded.traffic_over, disk_soft = excluded.disk_soft, \
             traffic_soft = excluded.traffic_soft",
            placeholders(records.len(), 9)
        );
        let values = records
            .iter()
            .flat_map(|r| {
                [
                    Value::Id(r.subscription_id),
                    Value::Time(r.measured_at),
                    Value::Text(r.month.clone()),
                    Value::Int(clamp(r.usage.disk)),
                    Value::Int(clamp(r.usage.traffic)),
                    Value::Bool(r.marks.disk_over),
                    Value::Bool(r.marks.traffic_over),
                    Value::Bool(r.marks.disk_soft),
                    Value::Bool(r.marks.traffic_soft),
                ]
            })
            .collect();
        (sql, values)
    }

    fn clamp(bytes: u64) -> i64 {
        i64::try_from(bytes).unwrap_or(i64::MAX)
    }

    /// `$1` overused, `$2` id.
    pub const SET_OVERUSED: &str = "UPDATE subscriptions SET overused = $1 WHERE id = $2";

    /// Columns of a stored measurement, in order.
    pub const RECORD_COLUMNS: &str = "subscription_id, measured_at, month, disk_bytes, traffic_bytes, \
                                      disk_over, traffic_over, disk_soft, traffic_soft";

    /// The last measurements of `n` subscriptions (`$1`..`$n`).
    pub fn current_of(n: usize) -> String {
        let ids: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
        format!(
            "SELECT {RECORD_COLUMNS} FROM subscription_usage WHERE subscription_id IN ({})",
            ids.join(", ")
        )
    }

    /// `$1` id: the history of a subscription, newest first.
    pub fn history(limit: u32) -> String {
        format!(
            "SELECT subscription_id, measured_at, month, disk_bytes, traffic_bytes, \
             FALSE, FALSE, FALSE, FALSE FROM usage_history WHERE subscription_id = $1 \
             ORDER BY measured_at DESC LIMIT {limit}"
        )
    }

    /// `$1` the last day that is warned about: subscriptions expiring by then, and those
    /// carrying the `expired` reason.
    pub const EXPIRY_TARGETS: &str = "SELECT s.id, s.name, s.owner_id, s.expiration, \
         EXISTS (SELECT 1 FROM subscription_suspensions x \
                 WHERE x.subscription_id = s.id AND x.reason = 'expired'), \
         COALESCE(w.expiration = s.expiration, FALSE) \
         FROM subscriptions s LEFT JOIN expiry_warnings w ON w.subscription_id = s.id \
         WHERE (s.expiration IS NOT NULL AND s.expiration <= $1) \
            OR EXISTS (SELECT 1 FROM subscription_suspensions x \
                       WHERE x.subscription_id = s.id AND x.reason = 'expired') \
         ORDER BY s.name";

    /// `$1` id, `$2` expiration: remembers the warning for this date.
    pub const MARK_WARNED: &str = "INSERT INTO expiry_warnings (subscription_id, expiration) \
         VALUES ($1, $2) ON CONFLICT (subscription_id) DO UPDATE SET expiration = excluded.expiration";
}

/// Usage and expiry operations inside a transaction.
#[async_trait]
pub trait UsageTx: Send {
    /// Up to `limit` subscriptions with id after `after`, by id, with what the usage check
    /// needs (one query).
    async fn usage_targets(
        &mut self,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<UsageTarget>>;
    /// Keeps measurements: the history and the last measurement with its marks (a few
    /// multi-row statements per 500 records).
    async fn record_usage(&mut self, records: &[UsageRecord]) -> StoreResult<()>;
    /// Sets a subscription's overused flag (R6.2).
    async fn set_overused(&mut self, id: Uuid, overused: bool) -> StoreResult<()>;
    /// The last measurements of these subscriptions (one query).
    async fn current_usage(&mut self, ids: &[Uuid]) -> StoreResult<Vec<UsageRecord>>;
    /// The last `limit` measurements of a subscription, newest first (marks are not kept
    /// in the history and read as false).
    async fn usage_history(&mut self, id: Uuid, limit: u32) -> StoreResult<Vec<UsageRecord>>;
    /// Subscriptions expiring on or before `until`, and those carrying `expired`.
    async fn expiry_targets(&mut self, until: NaiveDate) -> StoreResult<Vec<ExpiryTarget>>;
    /// Remembers that the warning for `expiration` was sent.
    async fn mark_expiry_warned(&mut self, id: Uuid, expiration: NaiveDate) -> StoreResult<()>;
}
