//! Conversions and moves (SPEC R1.6, R1.7): customer → reseller, reseller → customer, and
//! customers moved to another owner. Admin only; each account all-or-nothing in its own
//! transaction; bulk forms report per account; every one has a dry run.

use berth_core::account::{Account, AccountKind, Login, OwnerRef};
use berth_core::hosting::{
    PlanRef, Subscription, SubscriptionQuery, SubscriptionScope, SubscriptionSort,
};
use berth_core::property::{PlanType, Properties};
use berth_core::reseller::{ResellerProfile, check_usage, custom_from_subscriptions};
use berth_core::rights::Actor;
use berth_core::sync::SyncState;
use berth_core::{Error, Result};
use berth_store::Tx;
use serde::Serialize;

use crate::resellers::{ResellerTerms, ResellerView};
use crate::views::BulkItem;
use crate::{Berth, Mode, Progress, finish};

/// What converting or moving one account did (or would do).
#[derive(Debug, Clone, Serialize)]
pub struct AccountChange {
    /// The account.
    pub login: String,
    /// Its kind afterwards.
    pub kind: &'static str,
    /// Its owner afterwards.
    pub owner: String,
    /// Its subscriptions, as `name (Plan)` / `name (Custom)` afterwards.
    pub subscriptions: Vec<String>,
    /// A new reseller's limits and permissions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reseller: Option<ResellerView>,
    /// Whether nothing was written.
    pub dry_run: bool,
}

fn admin_only(actor: &Actor) -> Result<()> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(Error::forbidden(
            "only the admin converts and moves accounts",
        ))
    }
}

/// Detaches a subscription from its plans, keeping its current values (R1.7, R3.7).
fn detach(sub: &mut Subscription) {
    sub.plan = None;
    sub.addons.clear();
    sub.custom.clear();
    sub.conflicts.clear();
    sub.sync_state = SyncState::Synced;
}

impl Berth {
    /// Every subscription held by `owner`, page by page.
    async fn held_by(&self, tx: &mut dyn Tx, owner: &Account) -> Result<Vec<Subscription>> {
        let mut all = vec![];
        let mut after = None;
        loop {
            let query = SubscriptionQuery {
                scope: SubscriptionScope::All,
                owner: Some(owner.id),
                plan: None,
                status: None,
                sync_state: None,
                overused: false,
                expired_on: None,
                search: None,
                sort: SubscriptionSort::Name,
                descending: false,
                after,
                limit: 1000,
            };
            let page = tx.list_subscriptions(&query).await?;
            let done = page.len() < 1000;
            after = page.last().map(|s| s.id);
            all.extend(page);
            if done {
                return Ok(all);
            }
        }
    }

    /// Converts customers to resellers (R1.6).
    pub async fn convert_to_reseller(
        &self,
        actor: &Actor,
        logins: &[String],
        plan: Option<&str>,
        mode: Mode,
        progress: &dyn Progress,
    ) -> Vec<BulkItem<AccountChange>> {
        let mut out = vec![];
        for (i, login) in logins.iter().enumerate() {
            let result = self.one_to_reseller(actor, login, plan, mode).await;
            out.push(BulkItem::from_result(login, result));
            progress.advance(i + 1, logins.len());
        }
        out
    }

    async fn one_to_reseller(
        &self,
        actor: &Actor,
        login: &str,
        plan: Option<&str>,
        mode: Mode,
    ) -> Result<AccountChange> {
        admin_only(actor)?;
        let mut tx = self.store.write().await?;
        let mut account = self
            .visible_account(&mut *tx, actor, AccountKind::Customer, "login", login)
            .await?;
        let mut subs = self.held_by(&mut *tx, &account).await?;
        let admin = tx
            .account_by_login(&Login::admin())
            .await?
            .ok_or_else(|| Error::failed("the admin account is missing"))?;
        let profile = match plan {
            Some(name) => {
                let terms = ResellerTerms {
                    plan: Some(name.to_owned()),
                    assignments: vec![],
                };
                self.apply_terms(&mut *tx, ResellerProfile::custom(Properties::new()), &terms)
                    .await?
            }
            None => {
                let props: Vec<&Properties> = subs.iter().map(|s| &s.props).collect();
                ResellerProfile::custom(custom_from_subscriptions(&props))
            }
        };
        let original = account.clone();
        account.kind = AccountKind::Reseller;
        account.owner = Some(OwnerRef {
            id: admin.id,
            login: admin.login.clone(),
            kind: AccountKind::Admin,
        });
        account.updated_at = self.clock.now();
        tx.update_account(&account).await?;
        tx.set_reseller_profile(account.id, &profile).await?;
        for sub in &mut subs {
            // It now provides its own hosting: its old provider's plans no longer apply.
            detach(sub);
            sub.owner = OwnerRef {
                id: account.id,
                login: account.login.clone(),
                kind: AccountKind::Reseller,
            };
            sub.updated_at = account.updated_at;
            tx.update_subscription(sub).await?;
            for ip in &sub.ips {
                tx.add_pool_ip(account.id, ip.id).await?;
            }
        }
        let audit = conversion_changes(&original, &account, subs.len());
        self.record_changes(&mut *tx, actor, "convert to reseller", &audit)
            .await?;
        finish(tx, mode).await?;
        Ok(AccountChange {
            login: account.login.to_string(),
            kind: account.kind.as_str(),
            owner: admin.login.to_string(),
            subscriptions: subs.iter().map(Subscription::display_name).collect(),
            reseller: Some(ResellerView::of(&profile)),
            dry_run: mode == Mode::DryRun,
        })
    }

    /// Converts resellers to customers of the admin (R1.6): refused while a reseller owns
    /// customers; its subscriptions take the admin's service plan `plan` or become custom;
    /// its limits, pool and plans go.
    pub async fn convert_to_customer(
        &self,
        actor: &Actor,
        logins: &[String],
        plan: Option<&str>,
        mode: Mode,
        progress: &dyn Progress,
    ) -> Vec<BulkItem<AccountChange>> {
        let mut out = vec![];
        for (i, login) in logins.iter().enumerate() {
            let result = self.one_to_customer(actor, login, plan, mode).await;
            out.push(BulkItem::from_result(login, result));
            progress.advance(i + 1, logins.len());
        }
        out
    }

    async fn one_to_customer(
        &self,
        actor: &Actor,
        login: &str,
        plan: Option<&str>,
        mode: Mode,
    ) -> Result<AccountChange> {
        admin_only(actor)?;
        let mut tx = self.store.write().await?;
        let mut account = self
            .visible_account(&mut *tx, actor, AccountKind::Reseller, "login", login)
            .await?;
        let customers = tx.logins_owned_by(account.id).await?;
        if !customers.is_empty() {
            return Err(Error::conflict(
                Some("login"),
                format!(
                    "{} still owns {} customer(s): move them first (R1.6)",
                    account.login,
                    customers.len()
                ),
            ));
        }
        let admin = tx
            .account_by_login(&Login::admin())
            .await?
            .ok_or_else(|| Error::failed("the admin account is missing"))?;
        let admin_ref = OwnerRef {
            id: admin.id,
            login: admin.login.clone(),
            kind: AccountKind::Admin,
        };
        let new_plan = match plan {
            Some(name) => Some(
                self.find_plan(&mut *tx, &admin_ref, Some(PlanType::Service), "plan", name)
                    .await?,
            ),
            None => None,
        };
        let mut subs = self.held_by(&mut *tx, &account).await?;
        let original = account.clone();
        account.kind = AccountKind::Customer;
        account.owner = Some(admin_ref);
        account.updated_at = self.clock.now();
        tx.update_account(&account).await?;
        for sub in &mut subs {
            detach(sub);
            sub.owner = OwnerRef {
                id: account.id,
                login: account.login.clone(),
                kind: AccountKind::Customer,
            };
            if let Some(p) = &new_plan {
                sub.plan = Some(PlanRef {
                    id: p.id,
                    name: p.name.as_str().to_owned(),
                });
                self.resync(&mut *tx, sub).await?;
            }
            sub.updated_at = account.updated_at;
            tx.update_subscription(sub).await?;
        }
        for (owned, _) in tx.list_plans(Some(account.id), None).await? {
            tx.delete_plan(owned.id).await?;
        }
        for ip in tx.pool_ips(account.id).await? {
            tx.remove_pool_ip(account.id, ip.id.0).await?;
        }
        tx.delete_reseller_profile(account.id).await?;
        let audit = conversion_changes(&original, &account, subs.len());
        self.record_changes(&mut *tx, actor, "convert to customer", &audit)
            .await?;
        finish(tx, mode).await?;
        Ok(AccountChange {
            login: account.login.to_string(),
            kind: account.kind.as_str(),
            owner: admin.login.to_string(),
            subscriptions: subs.iter().map(Subscription::display_name).collect(),
            reseller: None,
            dry_run: mode == Mode::DryRun,
        })
    }

    /// Moves customers to another owner (R1.7): its service plan `plan` or custom, IP
    /// addresses of the new owner's pool, the new owner's limits checked first.
    #[allow(clippy::too_many_arguments)]
    pub async fn move_customers(
        &self,
        actor: &Actor,
        logins: &[String],
        to: &str,
        plan: Option<&str>,
        ips: &[String],
        mode: Mode,
        progress: &dyn Progress,
    ) -> Vec<BulkItem<AccountChange>> {
        let mut out = vec![];
        for (i, login) in logins.iter().enumerate() {
            let result = self.one_move(actor, login, to, plan, ips, mode).await;
            out.push(BulkItem::from_result(login, result));
            progress.advance(i + 1, logins.len());
        }
        out
    }

    async fn one_move(
        &self,
        actor: &Actor,
        login: &str,
        to: &str,
        plan: Option<&str>,
        ips: &[String],
        mode: Mode,
    ) -> Result<AccountChange> {
        admin_only(actor)?;
        let mut tx = self.store.write().await?;
        let mut account = self
            .visible_account(&mut *tx, actor, AccountKind::Customer, "login", login)
            .await?;
        let target = self
            .plan_owner(&mut *tx, actor, Some(to))
            .await
            .map_err(|e| e.with_field("to"))?;
        if account.owner.as_ref().is_some_and(|o| o.id == target.id) {
            return Err(Error::invalid(
                "to",
                format!("{} already belongs to {}", account.login, target.login),
            ));
        }
        let new_plan = match plan {
            Some(name) => Some(
                self.find_plan(&mut *tx, &target, Some(PlanType::Service), "plan", name)
                    .await?,
            ),
            None => None,
        };
        let original = account.clone();
        account.owner = Some(target.clone());
        account.updated_at = self.clock.now();
        tx.update_account(&account).await?;
        let mut subs = self.held_by(&mut *tx, &account).await?;
        let subscriber = OwnerRef {
            id: account.id,
            login: account.login.clone(),
            kind: AccountKind::Customer,
        };
        for sub in &mut subs {
            detach(sub);
            sub.owner = subscriber.clone();
            sub.ips = self
                .subscription_ips(&mut *tx, &subscriber, &target, ips, Some(account.id.0))
                .await?;
            if let Some(p) = &new_plan {
                sub.plan = Some(PlanRef {
                    id: p.id,
                    name: p.name.as_str().to_owned(),
                });
                self.resync(&mut *tx, sub).await?;
            }
            sub.updated_at = account.updated_at;
            tx.update_subscription(sub).await?;
            self.refresh_subscription_zones(&mut *tx, sub).await?;
        }
        // The new owner's limits hold with the customer and its subscriptions counted
        // (R1.7: a refused move changes nothing — the transaction is dropped).
        if let Some(profile) = self.provider_profile(&mut *tx, &target).await? {
            let usage = tx.provider_usage(target.id).await?;
            check_usage(&profile, &usage)?;
        }
        let audit = conversion_changes(&original, &account, subs.len());
        self.record_changes(&mut *tx, actor, "customer move", &audit)
            .await?;
        finish(tx, mode).await?;
        Ok(AccountChange {
            login: account.login.to_string(),
            kind: account.kind.as_str(),
            owner: target.login.to_string(),
            subscriptions: subs.iter().map(Subscription::display_name).collect(),
            reseller: None,
            dry_run: mode == Mode::DryRun,
        })
    }
}

/// The audit changes of a conversion or a move: the account's fields (kind, owner) and
/// how many of its subscriptions followed, as a count.
fn conversion_changes(
    before: &Account,
    after: &Account,
    subscriptions: usize,
) -> Vec<berth_core::audit::FieldChange> {
    let mut changes = berth_core::audit::diff(Some(before), Some(after));
    if subscriptions > 0 {
        changes.push(berth_core::audit::FieldChange::count(
            berth_core::audit::Auditable::audit_object(after),
            "moved_subscriptions",
            subscriptions as u64,
        ));
    }
    changes
}
