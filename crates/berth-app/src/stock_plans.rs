//! Plesk's two stock service plans, which `berth init` creates for the admin so that
//! billing modules expecting them find them (R11.1): `Default Domain` (one website, the
//! other properties at their defaults) and `Unlimited` (every property at its default,
//! which is unlimited for resources).

use berth_core::account::{AccountKind, OwnerRef};
use berth_core::hosting::{Plan, PlanName};
use berth_core::property::{PlanType, defaults_for};
use berth_core::rights::Actor;
use berth_core::value::Value;
use berth_core::{Error, Result};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Berth, Mode, finish};

/// The stock plans' names.
pub const STOCK_PLANS: [&str; 2] = ["Default Domain", "Unlimited"];

/// The stock plans owned by `owner`, with these ids (one per plan) and creation time.
fn stock_plans(owner: &OwnerRef, ids: [Uuid; 2], now: DateTime<Utc>) -> Result<Vec<Plan>> {
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

impl Berth {
    /// Creates the stock plans the admin does not have yet (admin only); returns the names
    /// created. Running it again creates nothing.
    pub async fn create_stock_plans(&self, actor: &Actor, mode: Mode) -> Result<Vec<String>> {
        if !actor.is_admin() {
            return Err(Error::forbidden("only the admin creates the stock plans"));
        }
        let owner = OwnerRef {
            id: actor.id,
            login: actor.login.clone(),
            kind: AccountKind::Admin,
        };
        let now = self.clock.now();
        let mut tx = self.store.write().await?;
        let mut created = Vec::new();
        for plan in stock_plans(&owner, [self.new_id(), self.new_id()], now)? {
            let existing = tx
                .plan_by_name(owner.id, PlanType::Service, plan.name.as_str())
                .await?;
            if existing.is_none() {
                tx.insert_plan(&plan).await?;
                created.push(plan.name.as_str().to_owned());
            }
        }
        finish(tx, mode).await?;
        Ok(created)
    }
}
