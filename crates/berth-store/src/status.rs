//! Storage of suspension reasons (SPEC §5) and their cascade along ownership.

use async_trait::async_trait;
use berth_core::account::AccountId;
use berth_core::status::{Suspension, SuspensionReason};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::StoreResult;

/// Status operations inside a transaction.
#[async_trait]
pub trait StatusTx: Send {
    /// Removes these reasons from an account.
    async fn remove_account_reasons(
        &mut self,
        id: AccountId,
        reasons: &[SuspensionReason],
    ) -> StoreResult<()>;
    /// Adds (or replaces) a reason on a subscription.
    async fn add_subscription_reason(
        &mut self,
        id: Uuid,
        suspension: &Suspension,
        by: Option<AccountId>,
    ) -> StoreResult<()>;
    /// Removes these reasons from a subscription.
    async fn remove_subscription_reasons(
        &mut self,
        id: Uuid,
        reasons: &[SuspensionReason],
    ) -> StoreResult<()>;
    /// Makes the `owner` reason below `root` match its state (R5.2, R5.3): the accounts it
    /// owns carry `owner` exactly while it is suspended, and every subscription held by it
    /// or by those accounts carries `owner` exactly while its holder is suspended. Set-based:
    /// a few statements whatever the number of customers. Returns how many reasons were
    /// added or removed on accounts and on subscriptions.
    async fn cascade_owner_reason(
        &mut self,
        root: AccountId,
        by: Option<AccountId>,
        at: DateTime<Utc>,
    ) -> StoreResult<(u64, u64)>;
}
