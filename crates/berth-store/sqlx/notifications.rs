//! Notifications on this engine.

use async_trait::async_trait;
use berth_core::account::{AccountId, AccountKind};
use berth_store::notifications::{
    ContactRow, NotificationQuery, NotificationRow, RecipientsRow, TemplateRow, sql,
};
use berth_store::sql::Value;
use berth_store::{NotificationTx, StoreResult};
use chrono::{DateTime, Utc};
use sqlx::{AssertSqlSafe, Row};
use uuid::Uuid;

use crate::engine::{EngineRow, EngineTx, bind_all, map_err};
use crate::engine::{opt_time, time};

fn notification_row(row: &EngineRow) -> Result<NotificationRow, sqlx::Error> {
    Ok(NotificationRow {
        id: row.try_get(0)?,
        created_at: time(row, 1)?,
        event: row.try_get(2)?,
        subscription: row.try_get(3)?,
        recipients: row.try_get(4)?,
        subject: row.try_get(5)?,
        body: row.try_get(6)?,
        status: row.try_get(7)?,
        error: row.try_get(8)?,
        attempts: row.try_get(9)?,
        sent_at: opt_time(row, 10)?,
    })
}

fn contact_row(row: &EngineRow) -> Result<ContactRow, sqlx::Error> {
    let kind: String = row.try_get(1)?;
    Ok(ContactRow {
        id: AccountId(row.try_get(0)?),
        kind: AccountKind::from_wire(&kind)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown account kind {kind}").into()))?,
        login: row.try_get(2)?,
        email: row.try_get(3)?,
        locale: row.try_get(4)?,
        owner_id: row.try_get::<Option<Uuid>, _>(5)?.map(AccountId),
    })
}

impl EngineTx {
    async fn fetch_notifications(
        &mut self,
        query: String,
        values: Vec<Value>,
    ) -> StoreResult<Vec<NotificationRow>> {
        bind_all(sqlx::query(AssertSqlSafe(query)), values)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(map_err)?
            .iter()
            .map(|r| notification_row(r).map_err(map_err))
            .collect()
    }
}

#[async_trait]
impl NotificationTx for EngineTx {
    async fn recipients(&mut self, event: &str) -> StoreResult<Option<RecipientsRow>> {
        let row = bind_all(
            sqlx::query(sql::RECIPIENTS),
            vec![Value::Text(event.to_owned())],
        )
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(map_err)?;
        row.map(|r| {
            Ok(RecipientsRow {
                event: r.try_get(0)?,
                admin: r.try_get(1)?,
                reseller: r.try_get(2)?,
                customer: r.try_get(3)?,
                extra: r.try_get(4)?,
            })
        })
        .transpose()
        .map_err(map_err)
    }

    async fn set_recipients(&mut self, row: &RecipientsRow) -> StoreResult<()> {
        let values = vec![
            Value::Text(row.event.clone()),
            Value::Bool(row.admin),
            Value::Bool(row.reseller),
            Value::Bool(row.customer),
            Value::Text(row.extra.clone()),
        ];
        self.execute(sql::SET_RECIPIENTS.into(), values)
            .await
            .map(drop)
    }

    async fn templates(&mut self) -> StoreResult<Vec<TemplateRow>> {
        sqlx::query(sql::TEMPLATES)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(map_err)?
            .iter()
            .map(|r| {
                Ok(TemplateRow {
                    event: r.try_get(0)?,
                    language: r.try_get(1)?,
                    subject: r.try_get(2)?,
                    body: r.try_get(3)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(map_err)
    }

    async fn set_template(&mut self, row: &TemplateRow) -> StoreResult<()> {
        let values = vec![
            Value::Text(row.event.clone()),
            Value::Text(row.language.clone()),
            Value::Text(row.subject.clone()),
            Value::Text(row.body.clone()),
        ];
        self.execute(sql::SET_TEMPLATE.into(), values)
            .await
            .map(drop)
    }

    async fn delete_template(&mut self, event: &str, language: &str) -> StoreResult<bool> {
        let values = vec![
            Value::Text(event.to_owned()),
            Value::Text(language.to_owned()),
        ];
        Ok(self.execute(sql::DELETE_TEMPLATE.into(), values).await? > 0)
    }

    async fn contacts(&mut self, ids: &[AccountId]) -> StoreResult<Vec<ContactRow>> {
        let values = ids.iter().map(|id| Value::Id(id.0)).collect();
        bind_all(sqlx::query(AssertSqlSafe(sql::contacts(ids.len()))), values)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(map_err)?
            .iter()
            .map(|r| contact_row(r).map_err(map_err))
            .collect()
    }

    async fn insert_notification(&mut self, row: &NotificationRow) -> StoreResult<()> {
        let (query, values) = sql::insert(row);
        self.execute(query, values).await.map(drop)
    }

    async fn mark_notification(
        &mut self,
        id: Uuid,
        status: &str,
        error: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let values = vec![
            Value::Text(status.to_owned()),
            Value::Text(error.to_owned()),
            Value::Time(at),
            Value::Id(id),
        ];
        self.execute(sql::MARK.into(), values).await.map(drop)
    }

    async fn notification_by_id(&mut self, id: Uuid) -> StoreResult<Option<NotificationRow>> {
        Ok(self
            .fetch_notifications(sql::by_id(), vec![Value::Id(id)])
            .await?
            .pop())
    }

    async fn list_notifications(
        &mut self,
        query: &NotificationQuery,
    ) -> StoreResult<Vec<NotificationRow>> {
        let (query, values) = sql::list(query);
        self.fetch_notifications(query, values).await
    }

    async fn unsent_notifications(
        &mut self,
        max_attempts: i64,
        limit: u32,
    ) -> StoreResult<Vec<NotificationRow>> {
        self.fetch_notifications(sql::unsent(limit.max(1)), vec![Value::Int(max_attempts)])
            .await
    }
}
