//! Account operations on this engine.

use async_trait::async_trait;
use berth_core::account::{Account, AccountId, Login};
use berth_core::query::AccountQuery;
use berth_core::status::Suspension;
use berth_store::sql::{self, Param, Planning, SearchPath, Value};
use berth_store::{AccountTx, StoreResult};
use sqlx::{AssertSqlSafe, Row};

use crate::engine::{DIALECT, EngineTx, bind_all, map_err};

impl EngineTx {
    /// How a list finds the rows of its search: `probe` (from `sql::*_search_probe`, `None`
    /// when the engine has no trigram tables or the fragment no trigram) counts the
    /// candidates, and few of them make the page (see `sql::SearchPath`). Both statements
    /// run in the list's transaction, so they see the same rows.
    pub(crate) async fn search_path(
        &mut self,
        probe: Option<(String, Vec<Param>)>,
    ) -> StoreResult<SearchPath> {
        let Some((sql, params)) = probe else {
            return Ok(SearchPath::Scan);
        };
        let values = params.into_iter().map(Value::from).collect();
        let count: i64 = bind_all(sqlx::query(AssertSqlSafe(sql)), values)
            .fetch_one(&mut *self.tx)
            .await
            .and_then(|row| row.try_get(0))
            .map_err(map_err)?;
        Ok(SearchPath::for_candidates(count))
    }
}

#[async_trait]
impl AccountTx for EngineTx {
    async fn insert_account(&mut self, account: &Account) -> StoreResult<()> {
        let (sql, values) = sql::insert_account(account);
        self.execute(sql, values).await.map(drop)
    }

    async fn account_by_login_joined(&mut self, login: &Login) -> StoreResult<Option<Account>> {
        self.fetch_account_joined(login.as_str()).await
    }

    async fn account_by_login(&mut self, login: &Login) -> StoreResult<Option<Account>> {
        self.fetch_one_account("a.login = $1", Value::Text(login.as_str().to_owned()))
            .await
    }

    async fn account_by_id(&mut self, id: AccountId) -> StoreResult<Option<Account>> {
        self.fetch_one_account("a.id = $1", Value::Id(id.0)).await
    }

    async fn update_account(&mut self, account: &Account) -> StoreResult<()> {
        let (sql, values) = sql::update_account(account);
        self.execute(sql, values).await.map(drop)
    }

    async fn list_accounts(&mut self, query: &AccountQuery) -> StoreResult<Vec<Account>> {
        let path = self
            .search_path(sql::account_search_probe(query, DIALECT))
            .await?;
        let (sql, params) = sql::account_list(query, DIALECT, path);
        let planning = Planning::for_list(query.search.as_deref(), DIALECT);
        self.fetch_accounts(sql, params.into_iter().map(Value::from).collect(), planning)
            .await
    }

    async fn logins_owned_by(&mut self, owner: AccountId) -> StoreResult<Vec<Login>> {
        let logins: Vec<String> =
            sqlx::query_scalar("SELECT login FROM accounts WHERE owner_id = $1 ORDER BY login")
                .bind(owner.0)
                .fetch_all(&mut *self.tx)
                .await
                .map_err(map_err)?;
        Ok(logins.into_iter().map(Login::from_trusted).collect())
    }

    async fn delete_account_tree(&mut self, id: AccountId) -> StoreResult<u64> {
        for statement in sql::DELETE_HOSTING_OF_ACCOUNT {
            self.execute(statement.into(), vec![Value::Id(id.0)])
                .await?;
        }
        let owned = self
            .execute(
                "DELETE FROM accounts WHERE owner_id = $1".into(),
                vec![Value::Id(id.0)],
            )
            .await?;
        let own = self
            .execute(
                "DELETE FROM accounts WHERE id = $1".into(),
                vec![Value::Id(id.0)],
            )
            .await?;
        Ok(owned + own)
    }

    async fn add_account_suspension(
        &mut self,
        id: AccountId,
        suspension: &Suspension,
        by: Option<AccountId>,
    ) -> StoreResult<()> {
        self.lock_suspensions().await?;
        let values = vec![
            Value::Id(id.0),
            Value::Text(suspension.reason.as_str().to_owned()),
            Value::OptId(by.map(|b| b.0)),
            Value::Time(suspension.at),
        ];
        self.execute(sql::UPSERT_ACCOUNT_SUSPENSION.into(), values)
            .await
            .map(drop)
    }
}
