//! Password reset links (R1.4) on this engine.

use async_trait::async_trait;
use berth_core::account::AccountId;
use berth_store::recovery::{self, ResetRecord};
use berth_store::sql::Value;
use berth_store::{RecoveryTx, StoreResult};
use chrono::{DateTime, Utc};
use sqlx::{AssertSqlSafe, Row};
use uuid::Uuid;

use crate::engine::{EngineRow, EngineTx, bind_all, map_err, opt_time, time};

fn reset_row(row: &EngineRow) -> StoreResult<ResetRecord> {
    let id: Uuid = row.try_get(1).map_err(map_err)?;
    Ok(ResetRecord {
        token_hash: row.try_get(0).map_err(map_err)?,
        account: AccountId(id),
        created_at: time(row, 2).map_err(map_err)?,
        expires_at: time(row, 3).map_err(map_err)?,
        used_at: opt_time(row, 4).map_err(map_err)?,
    })
}

#[async_trait]
impl RecoveryTx for EngineTx {
    async fn insert_reset(&mut self, r: &ResetRecord) -> StoreResult<()> {
        let values = vec![
            Value::Text(r.token_hash.clone()),
            Value::Id(r.account.0),
            Value::Time(r.created_at),
            Value::Time(r.expires_at),
        ];
        self.execute(recovery::INSERT_RESET.into(), values)
            .await
            .map(drop)
    }

    async fn reset_by_hash(&mut self, hash: &str) -> StoreResult<Option<ResetRecord>> {
        let values = vec![Value::Text(hash.to_owned())];
        let row = bind_all(sqlx::query(AssertSqlSafe(recovery::RESET_BY_HASH)), values)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(map_err)?;
        row.as_ref().map(reset_row).transpose()
    }

    async fn mark_reset_used(&mut self, hash: &str, at: DateTime<Utc>) -> StoreResult<bool> {
        let values = vec![Value::Text(hash.to_owned()), Value::Time(at)];
        Ok(self
            .execute(recovery::MARK_RESET_USED.into(), values)
            .await?
            > 0)
    }

    async fn delete_unused_resets_of(&mut self, account: AccountId) -> StoreResult<u64> {
        self.execute(
            recovery::DELETE_UNUSED_RESETS_OF.into(),
            vec![Value::Id(account.0)],
        )
        .await
    }

    async fn delete_expired_resets(&mut self, now: DateTime<Utc>) -> StoreResult<u64> {
        self.execute(
            recovery::DELETE_EXPIRED_RESETS.into(),
            vec![Value::Time(now)],
        )
        .await
    }
}
