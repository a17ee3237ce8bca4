//! Plesk's two stock service plans, which `berth init` creates for the admin so that
//! billing modules expecting them find them (R11.1): `Default Domain` (one website, the
//! other properties at their defaults) and `Unlimited` (every property at its default,
//! which is unlimited for resources).

use berth_core::Result;
use berth_core::account::OwnerRef;
use berth_core::hosting::{Plan, PlanName};
use berth_core::property::{PlanType, defaults_for};
use berth_core::value::Value;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The stock plans' names.
pub const STOCK_PLANS: [&str; 2] = ["Default Domain", "Unlimited"];

/// The stock plans owned by `owner`, with these ids (one per plan) and creation time.
pub(crate) fn stock_plans(
    owner: &OwnerRef,
    ids: [Uuid; 2],
    now: DateTime<Utc>,
) -> Result<Vec<Plan>> {
    STOCK_PLANS
        .iter()
        .zip(ids)
        .map(|(name, id)| {
            let mut props = defaults_for(PlanType::Service);
            if *name == "Default Domain" {
                props.insert("max_site", Value::Limit(1));
            }
            Ok(Plan {
                id,
                owner: owner.clone(),
                plan_type: PlanType::Service,
                name: PlanName::parse("name", name)?,
                props,
                created_at: now,
                updated_at: now,
            })
        })
        .collect()
}
