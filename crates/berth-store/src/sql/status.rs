//! Suspension SQL: reasons on subscriptions, and the `owner` cascade.

use super::Value;

/// PostgreSQL's suspension writers' lock (migration 0026): a transaction-scoped advisory
/// lock, key (`'bert'`, 5), exclusive, released when the transaction ends. One lock for all
/// suspension writers rather than row locks: a reseller's cascade names 30,000
/// subscriptions, more than the shared lock table holds as advisory locks, and a row lock
/// that excludes itself (`FOR NO KEY UPDATE`) would also wait for, and could deadlock
/// with, ordinary updates of those subscriptions (plan syncs), which the reasons'
/// `FOR KEY SHARE` never did.
///
/// The invariant: every transaction that inserts or removes reasons through the store
/// takes it before its first such statement ([`UPSERT_SUBSCRIPTION_SUSPENSION`], the
/// accounts' upsert, [`remove_reasons`], [`CASCADE_OWNER`]), and the trigger that lists the
/// subscriptions of added reasons in `suspended_subscriptions` takes it again (a no-op when
/// held) before the statement that reads and writes that table. See
/// [`Dialect::advisory_locks`](super::Dialect).
pub const SUSPENSION_LOCK: &str = "SELECT pg_advisory_xact_lock(1650815604, 5)";

/// Adds or replaces a subscription reason: `$1` subscription, `$2` reason, `$3` by, `$4` at.
/// The store takes [`SUSPENSION_LOCK`] first (its trigger lists the subscription in
/// `suspended_subscriptions` with a plain insert).
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
///
/// The additions are plain inserts of the missing rows (`NOT EXISTS`), not
/// `ON CONFLICT DO NOTHING`: that clause makes PostgreSQL insert every row speculatively
/// (a pre-check, the insert with a token, its confirmation), 1.5–2.5× the cost of a plain
/// insert even when nothing conflicts (issue 10: 30,000 subscription reasons and 10,000
/// account reasons per reseller suspension). A plain insert is safe only because every
/// writer of these rows holds [`SUSPENSION_LOCK`] first (the caller takes it before these
/// statements): no other transaction can have inserted an `owner` row and not yet
/// committed it, and under READ COMMITTED each statement's new snapshot sees the rows
/// committed while the lock was awaited. SQLite's write transactions exclude each other.
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
         AND NOT EXISTS (SELECT 1 FROM account_suspensions o \
                         WHERE o.account_id = a.id AND o.reason = 'owner')",
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
         AND NOT EXISTS (SELECT 1 FROM subscription_suspensions o \
                         WHERE o.subscription_id = s.id AND o.reason = 'owner')",
        false,
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The cascade's additions insert only missing rows, without `ON CONFLICT` (whose
    /// speculative insertion the suspension writers' lock makes unnecessary).
    #[test]
    fn r5_2_the_cascade_inserts_only_missing_owner_reasons() {
        for (statement, _) in CASCADE_OWNER {
            assert!(!statement.contains("ON CONFLICT"), "{statement}");
            if statement.starts_with("INSERT") {
                assert!(statement.contains("AND NOT EXISTS"), "{statement}");
                assert!(statement.contains("reason = 'owner')"), "{statement}");
            }
        }
    }
}
