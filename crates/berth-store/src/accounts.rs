//! Storage of accounts.

use async_trait::async_trait;
use berth_core::account::{Account, AccountId, Login};
use berth_core::query::AccountQuery;
use berth_core::status::Suspension;

use crate::StoreResult;

/// Account operations inside a transaction.
#[async_trait]
pub trait AccountTx: Send {
    /// Inserts a new account (its suspensions are not written).
    async fn insert_account(&mut self, account: &Account) -> StoreResult<()>;

    /// The account with this login, if any.
    async fn account_by_login(&mut self, login: &Login) -> StoreResult<Option<Account>>;

    /// The account with this id, if any.
    async fn account_by_id(&mut self, id: AccountId) -> StoreResult<Option<Account>>;

    /// Writes every stored field of an existing account (not its suspensions).
    async fn update_account(&mut self, account: &Account) -> StoreResult<()>;

    /// One page of accounts matching `query`, in its order.
    async fn list_accounts(&mut self, query: &AccountQuery) -> StoreResult<Vec<Account>>;

    /// Logins of the accounts `owner` owns, sorted.
    async fn logins_owned_by(&mut self, owner: AccountId) -> StoreResult<Vec<Login>>;

    /// Deletes an account together with the accounts it owns. Returns how many went.
    async fn delete_account_tree(&mut self, id: AccountId) -> StoreResult<u64>;

    /// [`AccountTx::account_by_login`] in one statement (its suspension reasons joined),
    /// for a use case that counts its round trips (a subscription's creation).
    async fn account_by_login_joined(&mut self, login: &Login) -> StoreResult<Option<Account>>;

    /// Adds a suspension reason to an account (replacing the same reason if present).
    async fn add_account_suspension(
        &mut self,
        id: AccountId,
        suspension: &Suspension,
        by: Option<AccountId>,
    ) -> StoreResult<()>;
}
