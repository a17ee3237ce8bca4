//! What every operation of this engine's transaction builds on: running a statement,
//! reading accounts with their suspension reasons, and committing.

use async_trait::async_trait;
use berth_core::account::Account;
use berth_store::sql::{self, AccountRow, Planning, SuspensionRow, Value};
use berth_store::{StoreResult, Tx};
use sqlx::{AssertSqlSafe, Row};

use crate::engine::{EngineRow, EngineTx, bind_all, map_err, time};

fn account_row(row: &EngineRow) -> Result<AccountRow, sqlx::Error> {
    Ok(AccountRow {
        id: row.try_get(0)?,
        kind: row.try_get(1)?,
        login: row.try_get(2)?,
        password_hash: row.try_get(3)?,
        name: row.try_get(4)?,
        company: row.try_get(5)?,
        email: row.try_get(6)?,
        phone: row.try_get(7)?,
        fax: row.try_get(8)?,
        address: row.try_get(9)?,
        city: row.try_get(10)?,
        state: row.try_get(11)?,
        postal_code: row.try_get(12)?,
        country: row.try_get(13)?,
        locale: row.try_get(14)?,
        description: row.try_get(15)?,
        external_id: row.try_get(16)?,
        created_at: time(row, 17)?,
        updated_at: time(row, 18)?,
        owner_id: row.try_get(19)?,
        owner_login: row.try_get(20)?,
        owner_kind: row.try_get(21)?,
    })
}

fn suspension_row(row: &EngineRow) -> Result<SuspensionRow, sqlx::Error> {
    Ok(SuspensionRow {
        account_id: row.try_get(0)?,
        reason: row.try_get(1)?,
        by_login: row.try_get(2)?,
        at: time(row, 3)?,
    })
}

/// The account of `sql::account_by_login_joined`'s rows (its columns first: the account,
/// then one suspension reason per row), if any.
pub(super) fn joined_account(rows: &[EngineRow]) -> StoreResult<Option<Account>> {
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let account = account_row(first).map_err(map_err)?;
    let mut suspensions = vec![];
    for row in rows {
        let id: Option<uuid::Uuid> = row.try_get(22).map_err(map_err)?;
        if let Some(account_id) = id {
            suspensions.push(SuspensionRow {
                account_id,
                reason: row.try_get(23).map_err(map_err)?,
                by_login: row.try_get(24).map_err(map_err)?,
                at: time(row, 25).map_err(map_err)?,
            });
        }
    }
    Ok(sql::assemble_accounts(vec![account], suspensions)?.pop())
}

impl EngineTx {
    /// The accounts `sql` selects (its columns are `sql::ACCOUNT_COLUMNS`), each with its
    /// suspension reasons, read in one more statement for the whole page; `sql` planned
    /// as `planning` says.
    pub(crate) async fn fetch_accounts(
        &mut self,
        sql: String,
        params: Vec<Value>,
        planning: Planning,
    ) -> StoreResult<Vec<Account>> {
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), params)
            .persistent(planning.is_cached())
            .fetch_all(&mut *self.tx)
            .await
            .map_err(map_err)?;
        let rows: Vec<AccountRow> = rows
            .iter()
            .map(account_row)
            .collect::<Result<_, _>>()
            .map_err(map_err)?;
        if rows.is_empty() {
            return Ok(vec![]);
        }
        let ids: Vec<Value> = rows.iter().map(|r| Value::Id(r.id)).collect();
        let suspensions = bind_all(
            sqlx::query(AssertSqlSafe(sql::suspensions_of(ids.len()))),
            ids,
        )
        .fetch_all(&mut *self.tx)
        .await
        .map_err(map_err)?
        .iter()
        .map(suspension_row)
        .collect::<Result<Vec<_>, _>>()
        .map_err(map_err)?;
        sql::assemble_accounts(rows, suspensions)
    }

    /// The account with `login` and its suspension reasons, read in one statement
    /// (`sql::account_by_login_joined`).
    pub(crate) async fn fetch_account_joined(
        &mut self,
        login: &str,
    ) -> StoreResult<Option<Account>> {
        let rows = bind_all(
            sqlx::query(AssertSqlSafe(sql::account_by_login_joined())),
            vec![Value::Text(login.to_owned())],
        )
        .fetch_all(&mut *self.tx)
        .await
        .map_err(map_err)?;
        joined_account(&rows)
    }

    /// The one account matching `condition` (with `$1` bound to `value`), if any.
    pub(crate) async fn fetch_one_account(
        &mut self,
        condition: &str,
        value: Value,
    ) -> StoreResult<Option<Account>> {
        let sql = format!(
            "SELECT {} FROM {} WHERE {condition}",
            sql::ACCOUNT_COLUMNS,
            sql::ACCOUNT_FROM
        );
        Ok(self
            .fetch_accounts(sql, vec![value], Planning::Cached)
            .await?
            .pop())
    }

    /// Runs one statement; the number of rows it changed.
    pub(crate) async fn execute(&mut self, sql: String, values: Vec<Value>) -> StoreResult<u64> {
        let done = bind_all(sqlx::query(AssertSqlSafe(sql)), values)
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected())
    }
}

#[async_trait]
impl Tx for EngineTx {
    async fn is_initialized(&mut self) -> StoreResult<bool> {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM accounts WHERE kind = 'admin')")
            .fetch_one(&mut *self.tx)
            .await
            .map_err(map_err)
    }

    async fn commit(self: Box<Self>) -> StoreResult<()> {
        self.tx.commit().await.map_err(map_err)
    }
}
