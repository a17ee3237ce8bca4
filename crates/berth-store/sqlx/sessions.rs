//! Web UI sessions and interface preferences on this engine.

use async_trait::async_trait;
use berth_core::account::AccountId;
use berth_store::sessions::{self, SessionRecord};
use berth_store::sql::Value;
use berth_store::{SessionTx, StoreResult};
use chrono::{DateTime, Utc};
use sqlx::{AssertSqlSafe, Row};
use uuid::Uuid;

use crate::engine::{EngineRow, EngineTx, bind_all, map_err, time};

fn session_row(row: &EngineRow) -> StoreResult<SessionRecord> {
    let id: Uuid = row.try_get(1).map_err(map_err)?;
    Ok(SessionRecord {
        token_hash: row.try_get(0).map_err(map_err)?,
        account: AccountId(id),
        csrf: row.try_get(2).map_err(map_err)?,
        created_at: time(row, 3).map_err(map_err)?,
        expires_at: time(row, 4).map_err(map_err)?,
    })
}

#[async_trait]
impl SessionTx for EngineTx {
    async fn insert_session(&mut self, s: &SessionRecord) -> StoreResult<()> {
        let values = vec![
            Value::Text(s.token_hash.clone()),
            Value::Id(s.account.0),
            Value::Text(s.csrf.clone()),
            Value::Time(s.created_at),
            Value::Time(s.expires_at),
        ];
        self.execute(sessions::INSERT_SESSION.into(), values)
            .await
            .map(drop)
    }

    async fn session_by_hash(&mut self, hash: &str) -> StoreResult<Option<SessionRecord>> {
        let values = vec![Value::Text(hash.to_owned())];
        let row = bind_all(
            sqlx::query(AssertSqlSafe(sessions::SESSION_BY_HASH)),
            values,
        )
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(map_err)?;
        row.as_ref().map(session_row).transpose()
    }

    async fn delete_session(&mut self, hash: &str) -> StoreResult<bool> {
        let values = vec![Value::Text(hash.to_owned())];
        Ok(self
            .execute(sessions::DELETE_SESSION.into(), values)
            .await?
            > 0)
    }

    async fn delete_sessions_of(&mut self, account: AccountId) -> StoreResult<u64> {
        self.execute(
            sessions::DELETE_SESSIONS_OF.into(),
            vec![Value::Id(account.0)],
        )
        .await
    }

    async fn delete_expired_sessions(&mut self, now: DateTime<Utc>) -> StoreResult<u64> {
        self.execute(
            sessions::DELETE_EXPIRED_SESSIONS.into(),
            vec![Value::Time(now)],
        )
        .await
    }

    async fn ui_setting(&mut self, key: &str) -> StoreResult<Option<String>> {
        let values = vec![Value::Text(key.to_owned())];
        let row = bind_all(sqlx::query(AssertSqlSafe(sessions::UI_SETTING)), values)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(map_err)?;
        row.map(|r| r.try_get(0).map_err(map_err)).transpose()
    }

    async fn set_ui_setting(&mut self, key: &str, value: &str) -> StoreResult<()> {
        let values = vec![Value::Text(key.to_owned()), Value::Text(value.to_owned())];
        self.execute(sessions::SET_UI_SETTING.into(), values)
            .await
            .map(drop)
    }
}
