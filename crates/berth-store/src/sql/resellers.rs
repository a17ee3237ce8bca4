//! Reseller profile and IP pool SQL.

use berth_core::property::{from_flat_json, to_flat_json};
use berth_core::reseller::ResellerProfile;
use berth_core::sync::{SyncState, conflicts_from_json, conflicts_to_json};

use super::{Dialect, Value};
use crate::{StoreError, StoreResult};

/// Columns of a profile read: `account_id, plan_id, plan name, props, custom, sync_state,
/// conflicts`.
pub const PROFILE_SELECT: &str = "SELECT r.account_id, r.plan_id, p.name, r.props, r.custom, r.sync_state, r.conflicts \
     FROM reseller_profiles r LEFT JOIN plans p ON p.id = r.plan_id";

/// Inserts or replaces a profile: `$1` account … `$6` conflicts.
pub const UPSERT_PROFILE: &str = "INSERT INTO reseller_profiles (account_id, plan_id, props, custom, sync_state, conflicts) \
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account_id) DO UPDATE SET plan_id = excluded.plan_id, \
     props = excluded.props, custom = excluded.custom, sync_state = excluded.sync_state, conflicts = excluded.conflicts";

/// The values of [`UPSERT_PROFILE`].
pub fn profile_values(id: uuid::Uuid, p: &ResellerProfile) -> Vec<Value> {
    vec![
        Value::Id(id),
        Value::OptId(p.plan.as_ref().map(|r| r.id)),
        Value::Text(to_flat_json(&p.props)),
        Value::Text(to_flat_json(&p.custom)),
        Value::Text(p.sync_state.as_str().to_owned()),
        Value::Text(conflicts_to_json(&p.conflicts).to_string()),
    ]
}

/// A profile row in plain types.
#[derive(Debug, Clone)]
pub struct ProfileRow {
    /// `r.plan_id`
    pub plan_id: Option<uuid::Uuid>,
    /// `p.name`
    pub plan_name: Option<String>,
    /// `r.props`
    pub props: String,
    /// `r.custom`
    pub custom: String,
    /// `r.sync_state`
    pub sync_state: String,
    /// `r.conflicts`
    pub conflicts: String,
}

fn corrupt(err: berth_core::Error) -> StoreError {
    StoreError::Backend(format!(
        "stored reseller profile is not valid: {}",
        err.message
    ))
}

impl ProfileRow {
    /// Rebuilds the profile.
    pub fn into_profile(self) -> StoreResult<ResellerProfile> {
        Ok(ResellerProfile {
            plan: match (self.plan_id, self.plan_name) {
                (Some(id), Some(name)) => Some(berth_core::hosting::PlanRef { id, name }),
                _ => None,
            },
            props: from_flat_json(&self.props).map_err(corrupt)?,
            custom: from_flat_json(&self.custom).map_err(corrupt)?,
            sync_state: SyncState::parse("sync_state", &self.sync_state).map_err(corrupt)?,
            conflicts: conflicts_from_json(&self.conflicts).map_err(corrupt)?,
        })
    }
}

/// What provider `$1` uses: `customers, subscriptions, disk finite, disk unlimited,
/// traffic finite, traffic unlimited`.
pub fn provider_usage(d: Dialect) -> String {
    let disk = d.int_member("s.props", "disk_space");
    let traffic = d.int_member("s.props", "max_traffic");
    format!(
        "SELECT (SELECT COUNT(*) FROM accounts c WHERE c.owner_id = $1 AND c.kind = 'customer'), COUNT(s.id), \
         CAST(COALESCE(SUM(CASE WHEN {disk} >= 0 THEN {disk} ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN {disk} < 0 THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN {traffic} >= 0 THEN {traffic} ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN {traffic} < 0 THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM subscriptions s JOIN accounts h ON h.id = s.owner_id \
         WHERE h.id = $1 OR (h.owner_id = $1 AND h.kind = 'customer')"
    )
}

/// The pool of reseller `$1` (columns of the IP list).
pub fn pool_ips(d: Dialect) -> String {
    let list = super::ip_list(d);
    let (head, order) = list
        .split_once(" ORDER BY ")
        .unwrap_or((list.as_str(), "1"));
    format!(
        "{head} WHERE id IN (SELECT ip_id FROM reseller_ips WHERE reseller_id = $1) ORDER BY {order}"
    )
}
