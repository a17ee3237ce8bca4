//! Storage of plans and subscriptions, including the set-based sync of R2.3.

use async_trait::async_trait;
use berth_core::account::{Account, AccountId, Login};
use berth_core::audit::{AuditEntry, FieldChange};
use berth_core::dns::TemplateRecord;
use berth_core::dns::Zone;
use berth_core::hosting::{Plan, Subscription, SubscriptionQuery};
use berth_core::ip::IpRecord;
use berth_core::property::{PlanType, Properties};
use berth_core::reseller::ResellerProfile;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::StoreResult;

/// Subscriptions that sync alike: same service plan, add-ons, subscriber, customized fields
/// and dedicated-IP situation. A plan change is applied with one statement per group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncGroup {
    /// The service plan.
    pub plan_id: Uuid,
    /// Sorted add-on ids joined by commas.
    pub addon_key: String,
    /// The subscriber.
    pub owner_id: AccountId,
    /// Who provides their hosting: the subscriber's owner for a customer, else itself.
    pub provider_id: AccountId,
    /// Whether they have a dedicated IP address.
    pub dedicated_ip: bool,
    /// Their customized fields, in storage form.
    pub custom: String,
    /// Their sync state (wire name).
    pub sync_state: String,
    /// How many subscriptions are in the group.
    pub count: u64,
}

impl SyncGroup {
    /// The add-on ids of the group.
    pub fn addon_ids(&self) -> Vec<Uuid> {
        self.addon_key
            .split(',')
            .filter_map(|s| Uuid::parse_str(s).ok())
            .collect()
    }
}

/// What a sync writes to every member of a group.
#[derive(Debug, Clone)]
pub struct GroupUpdate<'a> {
    /// Values to set (the others keep theirs).
    pub set: &'a Properties,
    /// New sync state, wire name.
    pub sync_state: &'static str,
    /// Conflict report, storage form.
    pub conflicts: &'a str,
    /// Change time.
    pub at: DateTime<Utc>,
}

/// Everything a new subscription starts with, written by one store call (R3.2): its row,
/// add-on and IP links, its main domain in the registry (R7.1), the zone of that domain
/// with its records (R7.4) and its pending provisioning job (R9.3).
/// With its audit entry and field changes when given.
#[derive(Debug, Clone, Copy)]
pub struct NewSubscriptionRows<'a> {
    /// The subscription, with its add-ons and IP addresses.
    pub subscription: &'a Subscription,
    /// The zone of its main domain (`domain_id` is the subscription's id).
    pub zone: &'a Zone,
    /// The id of its provisioning job, pending and due at `queued_at`.
    pub job: Uuid,
    /// When the job was queued.
    pub queued_at: DateTime<Utc>,
    /// The audit of the creation, written with the rest (`None`: nothing audited).
    pub audit: Option<NewAuditRows<'a>>,
}

/// An audit entry and the changes recorded under it, as [`crate::AuditTx::open_audit`]
/// and [`crate::AuditTx::insert_audit_changes`] write them (the entry is kept when one
/// with its id exists: a request's later operations).
#[derive(Debug, Clone, Copy)]
pub struct NewAuditRows<'a> {
    /// The entry.
    pub entry: &'a AuditEntry,
    /// The sequence number of the first change.
    pub first_seq: u32,
    /// The changes, in order.
    pub changes: &'a [FieldChange],
}

/// What creating a subscription reads besides its subscriber, in the same query
/// ([`SubscriptionTx::subscriber_and_creation_context`]): plain data, the decisions are
/// the caller's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreationContext {
    /// The provider's IP pool, in the IP list's order (empty when no provider was asked).
    pub pool: Vec<IpRecord>,
    /// The provider's stored profile (`None`: none written, or no provider asked).
    pub profile: Option<ResellerProfile>,
    /// The server's DNS template, in order.
    pub template: Vec<TemplateRecord>,
    /// Which of the new names are taken.
    pub taken: TakenNames,
}

/// Which of the names a new subscription would take are already taken.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TakenNames {
    /// Whether a registered name (of any kind) is the new main domain (R7.1).
    pub domain: bool,
    /// The asked system users that some subscription already has.
    pub system_users: Vec<String>,
}

/// Plan operations inside a transaction.
#[async_trait]
pub trait PlanTx: Send {
    /// Inserts a plan.
    async fn insert_plan(&mut self, plan: &Plan) -> StoreResult<()>;
    /// The plan of `owner` and `plan_type` with this name (case-insensitive).
    async fn plan_by_name(
        &mut self,
        owner: AccountId,
        plan_type: PlanType,
        name: &str,
    ) -> StoreResult<Option<Plan>>;
    /// Plans by id, in any order.
    async fn plans_by_ids(&mut self, ids: &[Uuid]) -> StoreResult<Vec<Plan>>;
    /// Plans, optionally of one owner and type, by owner then name, with the number of
    /// subscriptions using each.
    async fn list_plans(
        &mut self,
        owner: Option<AccountId>,
        plan_type: Option<PlanType>,
    ) -> StoreResult<Vec<(Plan, u64)>>;
    /// Rewrites a plan's name and properties.
    async fn update_plan(&mut self, plan: &Plan) -> StoreResult<()>;
    /// Deletes a plan.
    async fn delete_plan(&mut self, id: Uuid) -> StoreResult<()>;
    /// How many subscriptions use the plan, as service plan or add-on (R2.2).
    async fn plan_usage(&mut self, id: Uuid) -> StoreResult<u64>;
}

/// Subscription operations inside a transaction.
#[async_trait]
pub trait SubscriptionTx: Send {
    /// Inserts a subscription with its add-ons and IP addresses.
    async fn insert_subscription(&mut self, subscription: &Subscription) -> StoreResult<()>;
    /// Writes a new subscription with everything it starts with (see
    /// [`NewSubscriptionRows`]) in one round trip: one statement on PostgreSQL, one
    /// script on SQLite. The subscription must be new: nothing is replaced.
    async fn insert_new_subscription(&mut self, rows: &NewSubscriptionRows<'_>) -> StoreResult<()>;
    /// In one query: whether the ASCII name `domain` is registered, and which of
    /// `system_users` are taken by a subscription.
    async fn taken_names(
        &mut self,
        domain: &str,
        system_users: &[String],
    ) -> StoreResult<TakenNames>;
    /// In one query, [`AccountTx::account_by_login_joined`](crate::AccountTx::account_by_login_joined)
    /// of the subscriber `login` and what creating a subscription reads besides it: the IP
    /// pool and stored profile of its provider when that is a reseller (a customer's owner,
    /// otherwise the subscriber; the admin has neither), the DNS template, and what
    /// [`SubscriptionTx::taken_names`] tells of `domain` and `system_users`. When no
    /// account has this login the pool and profile are empty and the rest is read as usual.
    async fn subscriber_and_creation_context(
        &mut self,
        login: &Login,
        domain: &str,
        system_users: &[String],
    ) -> StoreResult<(Option<Account>, CreationContext)>;
    /// The subscription with this (ASCII) name.
    async fn subscription_by_name(&mut self, ascii_name: &str)
    -> StoreResult<Option<Subscription>>;
    /// The subscriptions with these ids, in any order (one query: provisioning batches).
    async fn subscriptions_by_ids(&mut self, ids: &[Uuid]) -> StoreResult<Vec<Subscription>>;
    /// The subscription with this id.
    async fn subscription_by_id(&mut self, id: Uuid) -> StoreResult<Option<Subscription>>;
    /// One page of subscriptions.
    async fn list_subscriptions(
        &mut self,
        query: &SubscriptionQuery,
    ) -> StoreResult<Vec<Subscription>>;
    /// Rewrites a subscription, its add-ons and its IP addresses.
    async fn update_subscription(&mut self, subscription: &Subscription) -> StoreResult<()>;
    /// Deletes a subscription.
    async fn delete_subscription(&mut self, id: Uuid) -> StoreResult<()>;
    /// Whether a system user name is taken by any subscription.
    async fn system_user_taken(&mut self, name: &str) -> StoreResult<bool>;
    /// The subscribers using an IP address (for dedicated addresses, R7.5).
    async fn ip_subscribers(&mut self, ip_id: Uuid) -> StoreResult<Vec<AccountId>>;
    /// The groups of subscriptions that use `plan_id` as service plan or add-on.
    async fn sync_groups(&mut self, plan_id: Uuid) -> StoreResult<Vec<SyncGroup>>;
    /// Names and properties of a group's members (for previews).
    async fn group_members(&mut self, group: &SyncGroup) -> StoreResult<Vec<(String, Properties)>>;
    /// Applies a sync to every member of a group in one statement; returns how many.
    async fn apply_sync_group(
        &mut self,
        group: &SyncGroup,
        update: &GroupUpdate<'_>,
    ) -> StoreResult<u64>;
}
