//! Reseller profiles and IP pools on this engine.

use async_trait::async_trait;
use berth_core::account::AccountId;
use berth_core::ip::IpRecord;
use berth_core::reseller::{Allocation, ResellerProfile, ResellerUsage};
use berth_store::sql::{self, ProfileRow, Value};
use berth_store::{ResellerTx, StoreResult};
use sqlx::Row;
use uuid::Uuid;

use crate::engine::{DIALECT, EngineTx, map_err};

impl EngineTx {
    async fn profiles(
        &mut self,
        condition: &str,
        values: Vec<Value>,
    ) -> StoreResult<Vec<(AccountId, ResellerProfile)>> {
        let rows = self
            .rows(format!("{} WHERE {condition}", sql::PROFILE_SELECT), values)
            .await?;
        rows.iter()
            .map(|r| {
                let id: Uuid = r.try_get(0).map_err(map_err)?;
                let row = ProfileRow {
                    plan_id: r.try_get(1).map_err(map_err)?,
                    plan_name: r.try_get(2).map_err(map_err)?,
                    props: r.try_get(3).map_err(map_err)?,
                    custom: r.try_get(4).map_err(map_err)?,
                    sync_state: r.try_get(5).map_err(map_err)?,
                    conflicts: r.try_get(6).map_err(map_err)?,
                };
                Ok((AccountId(id), row.into_profile()?))
            })
            .collect()
    }

    async fn ids(&mut self, statement: &str, value: Value) -> StoreResult<Vec<AccountId>> {
        let rows = self.rows(statement.to_owned(), vec![value]).await?;
        rows.iter()
            .map(|r| r.try_get(0).map(AccountId).map_err(map_err))
            .collect()
    }
}

#[async_trait]
impl ResellerTx for EngineTx {
    async fn reseller_profile(&mut self, id: AccountId) -> StoreResult<Option<ResellerProfile>> {
        Ok(self
            .profiles("r.account_id = $1", vec![Value::Id(id.0)])
            .await?
            .pop()
            .map(|(_, p)| p))
    }

    async fn reseller_profiles(
        &mut self,
        ids: &[AccountId],
    ) -> StoreResult<Vec<(AccountId, ResellerProfile)>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let condition = format!("r.account_id IN ({})", sql::placeholder_list(1, ids.len()));
        self.profiles(&condition, ids.iter().map(|i| Value::Id(i.0)).collect())
            .await
    }

    async fn set_reseller_profile(
        &mut self,
        id: AccountId,
        profile: &ResellerProfile,
    ) -> StoreResult<()> {
        self.execute(
            sql::UPSERT_PROFILE.into(),
            sql::profile_values(id.0, profile),
        )
        .await
        .map(drop)
    }

    async fn delete_reseller_profile(&mut self, id: AccountId) -> StoreResult<()> {
        self.execute(
            "DELETE FROM reseller_profiles WHERE account_id = $1".into(),
            vec![Value::Id(id.0)],
        )
        .await
        .map(drop)
    }

    async fn resellers_on_plan(&mut self, plan_id: Uuid) -> StoreResult<Vec<AccountId>> {
        self.ids(
            "SELECT account_id FROM reseller_profiles WHERE plan_id = $1 ORDER BY account_id",
            Value::Id(plan_id),
        )
        .await
    }

    async fn provider_usage(&mut self, provider: AccountId) -> StoreResult<ResellerUsage> {
        let rows = self
            .rows(sql::provider_usage(DIALECT), vec![Value::Id(provider.0)])
            .await?;
        let r = rows.first().ok_or_else(|| {
            berth_store::StoreError::Backend("usage query returned nothing".into())
        })?;
        let n = |i: usize| -> StoreResult<i64> { r.try_get::<i64, _>(i).map_err(map_err) };
        Ok(ResellerUsage {
            customers: n(0)? as u64,
            subscriptions: n(1)? as u64,
            disk_space: Allocation {
                finite: n(2)?,
                unlimited: n(3)? as u64,
            },
            max_traffic: Allocation {
                finite: n(4)?,
                unlimited: n(5)? as u64,
            },
        })
    }

    async fn pool_ips(&mut self, reseller: AccountId) -> StoreResult<Vec<IpRecord>> {
        self.fetch_ips(sql::pool_ips(DIALECT), vec![Value::Id(reseller.0)])
            .await
    }

    async fn add_pool_ip(&mut self, reseller: AccountId, ip: Uuid) -> StoreResult<bool> {
        let n = self
            .execute(
                "INSERT INTO reseller_ips (reseller_id, ip_id) VALUES ($1, $2) ON CONFLICT (reseller_id, ip_id) DO NOTHING".into(),
                vec![Value::Id(reseller.0), Value::Id(ip)],
            )
            .await?;
        Ok(n > 0)
    }

    async fn remove_pool_ip(&mut self, reseller: AccountId, ip: Uuid) -> StoreResult<bool> {
        let n = self
            .execute(
                "DELETE FROM reseller_ips WHERE reseller_id = $1 AND ip_id = $2".into(),
                vec![Value::Id(reseller.0), Value::Id(ip)],
            )
            .await?;
        Ok(n > 0)
    }

    async fn pool_holders(&mut self, ip: Uuid) -> StoreResult<Vec<AccountId>> {
        self.ids(
            "SELECT reseller_id FROM reseller_ips WHERE ip_id = $1 ORDER BY reseller_id",
            Value::Id(ip),
        )
        .await
    }

    async fn lock_provider(&mut self, id: AccountId) -> StoreResult<()> {
        self.rows(
            format!("SELECT 1 FROM accounts WHERE id = $1{}", DIALECT.lock_rows),
            vec![Value::Id(id.0)],
        )
        .await
        .map(drop)
    }
}
