//! Audit log operations on this engine.

use async_trait::async_trait;
use berth_core::audit::{AuditEntry, FieldChange};
use berth_store::audit::AuditQuery;
use berth_store::sql::{self, AuditChangeRow, AuditRow, Value};
use berth_store::{AuditTx, StoreResult};
use sqlx::{AssertSqlSafe, Row};
use uuid::Uuid;

use crate::engine::{DIALECT, EngineRow, EngineTx, bind_all, map_err, time};

fn audit_row(row: &EngineRow) -> Result<AuditRow, sqlx::Error> {
    Ok(AuditRow {
        id: row.try_get(0)?,
        at: time(row, 1)?,
        actor_id: row.try_get(2)?,
        actor_login: row.try_get(3)?,
        api_key_id: row.try_get(4)?,
        source: row.try_get(5)?,
        request_id: row.try_get(6)?,
        interface: row.try_get(7)?,
        action: row.try_get(8)?,
        object: row.try_get(9)?,
        status: row.try_get(10)?,
    })
}

fn change_row(row: &EngineRow) -> Result<AuditChangeRow, sqlx::Error> {
    Ok(AuditChangeRow {
        entry_id: row.try_get(0)?,
        object: row.try_get(1)?,
        fields: row.try_get(2)?,
    })
}

#[async_trait]
impl AuditTx for EngineTx {
    async fn insert_audit(&mut self, entry: &AuditEntry) -> StoreResult<()> {
        let (sql, values) = sql::insert_audit(entry);
        self.execute(sql, values).await.map(drop)
    }

    async fn open_audit(&mut self, entry: &AuditEntry) -> StoreResult<()> {
        let (sql, values) = sql::open_audit(entry);
        self.execute(sql, values).await.map(drop)
    }

    async fn settle_audit(&mut self, id: Uuid, status: u16) -> StoreResult<()> {
        let (sql, values) = sql::settle_audit(id, status);
        self.execute(sql, values).await.map(drop)
    }

    async fn insert_audit_changes(
        &mut self,
        entry: Uuid,
        first_seq: u32,
        changes: &[FieldChange],
    ) -> StoreResult<()> {
        if changes.is_empty() {
            return Ok(());
        }
        let (sql, values) = sql::insert_audit_changes(entry, first_seq, changes, DIALECT);
        self.execute(sql, values).await.map(drop)
    }

    async fn list_audit(&mut self, query: &AuditQuery) -> StoreResult<Vec<AuditEntry>> {
        let (sql, values) = sql::list_audit(query);
        bind_all(sqlx::query(AssertSqlSafe(sql)), values)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(map_err)?
            .iter()
            .map(|row| audit_row(row).map_err(map_err).map(AuditRow::into_entry))
            .collect()
    }

    async fn audit_changes_of(
        &mut self,
        entries: &[Uuid],
    ) -> StoreResult<Vec<(Uuid, FieldChange)>> {
        if entries.is_empty() {
            return Ok(vec![]);
        }
        let ids: Vec<Value> = entries.iter().map(|id| Value::Id(*id)).collect();
        let rows = bind_all(
            sqlx::query(AssertSqlSafe(sql::audit_changes_of(ids.len(), DIALECT))),
            ids,
        )
        .fetch_all(&mut *self.tx)
        .await
        .map_err(map_err)?;
        let mut changes = Vec::with_capacity(rows.len());
        for row in &rows {
            changes.extend(change_row(row).map_err(map_err)?.into_changes()?);
        }
        Ok(changes)
    }
}
