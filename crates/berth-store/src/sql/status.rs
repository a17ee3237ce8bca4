//! Suspension SQL: reasons on subscriptions, and the `owner` cascade.

use super::Value;

/// Adds or replaces a subscription reason: `$1` subscription, `$2` reason, `$3` by, `$4` at.
pub const UPSERT_SUBSCRIPTION_SUSPENSION: &str = "INSERT INTO subscription_suspensions \
     (subscription_id, reason, by_account_id, at) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (subscription_id, reason) DO UPDATE SET by_account_id = excluded.by_account_id, at = excluded.at";

/// Deletes reasons `$2..` of the object `$1` from `table` (keyed by `column`).
pub fn remove_reasons(
    table: &str,
    column: &str,
    id: Value,
    reasons: &[&'static str],
) -> (String, Vec<Value>) {
    let placeholders: Vec<String> = (2..reasons.len() + 2).map(|n| format!("${n}")).collect();
    let sql = format!(
        "DELETE FROM {table} WHERE {column} = $1 AND reason IN ({})",
        placeholders.join(", ")
    );
    let mut values = vec![id];
    values.extend(reasons.iter().map(|r| Value::Text((*r).to_owned())));
    (sql, values)
}

/// The `owner` cascade below account `$1`, reasons written with by `$2` and at `$3`:
/// accounts first (their state decides their subscriptions'), removals then additions.
pub const CASCADE_OWNER: [(&str, bool); 4] = [
    (
        "DELETE FROM account_suspensions WHERE reason = 'owner' \
         AND account_id IN (SELECT id FROM accounts WHERE owner_id = $1) \
         AND NOT EXISTS (SELECT 1 FROM account_suspensions r WHERE r.account_id = $1)",
        true,
    ),
    (
        "INSERT INTO account_suspensions (account_id, reason, by_account_id, at) \
         SELECT a.id, 'owner', $2, $3 FROM accounts a WHERE a.owner_id = $1 \
         AND EXISTS (SELECT 1 FROM account_suspensions r WHERE r.account_id = $1) \
         ON CONFLICT (account_id, reason) DO NOTHING",
        true,
    ),
    (
        "DELETE FROM subscription_suspensions WHERE reason = 'owner' AND subscription_id IN \
         (SELECT s.id FROM subscriptions s JOIN accounts h ON h.id = s.owner_id \
          WHERE (h.id = $1 OR h.owner_id = $1) \
          AND NOT EXISTS (SELECT 1 FROM account_suspensions x WHERE x.account_id = h.id))",
        false,
    ),
    (
        "INSERT INTO subscription_suspensions (subscription_id, reason, by_account_id, at) \
         SELECT s.id, 'owner', $2, $3 FROM subscriptions s JOIN accounts h ON h.id = s.owner_id \
         WHERE (h.id = $1 OR h.owner_id = $1) \
         AND EXISTS (SELECT 1 FROM account_suspensions x WHERE x.account_id = h.id) \
         ON CONFLICT (subscription_id, reason) DO NOTHING",
        false,
    ),
];
