//! Suspension reasons on this engine.

use async_trait::async_trait;
use berth_core::account::AccountId;
use berth_core::status::{Suspension, SuspensionReason};
use berth_store::sql::{self, Value};
use berth_store::{StatusTx, StoreResult};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::engine::{DIALECT, EngineTx};

impl EngineTx {
    /// Takes the suspension writers' lock for the rest of the transaction
    /// ([`sql::SUSPENSION_LOCK`] on PostgreSQL; nothing on SQLite). Every insert into the
    /// reasons tables comes after it: the cascade's plain inserts rely on it.
    pub(crate) async fn lock_suspensions(&mut self) -> StoreResult<()> {
        if !DIALECT.advisory_locks {
            return Ok(());
        }
        self.execute(sql::SUSPENSION_LOCK.into(), vec![])
            .await
            .map(drop)
    }
}

fn wire(reasons: &[SuspensionReason]) -> Vec<&'static str> {
    reasons.iter().map(|r| r.as_str()).collect()
}

#[async_trait]
impl StatusTx for EngineTx {
    async fn remove_account_reasons(
        &mut self,
        id: AccountId,
        reasons: &[SuspensionReason],
    ) -> StoreResult<()> {
        if reasons.is_empty() {
            return Ok(());
        }
        self.lock_suspensions().await?;
        let (statement, values) = sql::remove_reasons(
            "account_suspensions",
            "account_id",
            Value::Id(id.0),
            &wire(reasons),
        );
        self.execute(statement, values).await.map(drop)
    }

    async fn add_subscription_reason(
        &mut self,
        id: Uuid,
        suspension: &Suspension,
        by: Option<AccountId>,
    ) -> StoreResult<()> {
        self.lock_suspensions().await?;
        let values = vec![
            Value::Id(id),
            Value::Text(suspension.reason.as_str().to_owned()),
            Value::OptId(by.map(|b| b.0)),
            Value::Time(suspension.at),
        ];
        self.execute(sql::UPSERT_SUBSCRIPTION_SUSPENSION.into(), values)
            .await
            .map(drop)
    }

    async fn remove_subscription_reasons(
        &mut self,
        id: Uuid,
        reasons: &[SuspensionReason],
    ) -> StoreResult<()> {
        if reasons.is_empty() {
            return Ok(());
        }
        self.lock_suspensions().await?;
        let (statement, values) = sql::remove_reasons(
            "subscription_suspensions",
            "subscription_id",
            Value::Id(id),
            &wire(reasons),
        );
        self.execute(statement, values).await.map(drop)
    }

    async fn cascade_owner_reason(
        &mut self,
        root: AccountId,
        by: Option<AccountId>,
        at: DateTime<Utc>,
    ) -> StoreResult<(u64, u64)> {
        // Before any of the statements: their inserts are plain (see `sql::CASCADE_OWNER`).
        self.lock_suspensions().await?;
        let (mut accounts, mut subscriptions) = (0, 0);
        for (statement, on_accounts) in sql::CASCADE_OWNER {
            let mut values = vec![Value::Id(root.0)];
            if statement.starts_with("INSERT") {
                values.extend([Value::OptId(by.map(|b| b.0)), Value::Time(at)]);
            }
            let n = self.execute(statement.into(), values).await?;
            if on_accounts {
                accounts += n;
            } else {
                subscriptions += n;
            }
        }
        Ok((accounts, subscriptions))
    }
}
