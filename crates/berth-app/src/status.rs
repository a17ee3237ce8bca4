//! Suspension and activation (SPEC §5): reasons with author and time, levels, and the
//! `owner` cascade (reseller → customers → subscriptions, customer → subscriptions), each
//! object in one transaction whatever the number of dependants.

use berth_core::account::{Account, AccountKind};
use berth_core::audit::Auditable;
use berth_core::hosting::check_manage_subscription;
use berth_core::rights::Actor;
use berth_core::status::{Status, Suspension, SuspensionReason, liftable_by};
use berth_core::{Error, Result};
use berth_store::Tx;
use serde::Serialize;

use crate::views::{BulkItem, SuspensionView};
use crate::{Berth, Mode, Progress, finish};

/// What suspending or activating one object did (or would do).
#[derive(Debug, Clone, Serialize)]
pub struct StatusChange {
    /// The object (login or domain).
    pub name: String,
    /// `active` or `suspended` afterwards.
    pub status: &'static str,
    /// The reasons afterwards.
    pub suspension_reasons: Vec<SuspensionView>,
    /// `owner` reasons added or removed on accounts below it.
    pub cascaded_accounts: u64,
    /// `owner` reasons added or removed on subscriptions below it.
    pub cascaded_subscriptions: u64,
    /// Whether nothing was written.
    pub dry_run: bool,
}

fn views(suspensions: &[Suspension]) -> Vec<SuspensionView> {
    suspensions
        .iter()
        .map(|s| SuspensionView {
            reason: s.reason.as_str(),
            by: s.by.as_ref().map(ToString::to_string),
            at: s.at,
        })
        .collect()
}

/// Whether `actor` may change the status of `target` (which it can see): the admin any
/// reseller or customer, a reseller its customers. Nobody suspends the admin or itself.
fn check_status_rights(actor: &Actor, target: &Account) -> Result<()> {
    if target.kind == AccountKind::Admin {
        return Err(Error::conflict(
            None,
            "the built-in admin account cannot be suspended",
        ));
    }
    let owns = target.owner.as_ref().is_some_and(|o| o.id == actor.id);
    if actor.is_admin() || owns {
        Ok(())
    } else {
        Err(Error::forbidden(format!(
            "{} may not change the status of {}",
            actor.login, target.login
        )))
    }
}

fn nothing_liftable(name: &str, present: &[Suspension]) -> Error {
    if present.iter().all(|s| s.reason == SuspensionReason::Owner) {
        return Error::conflict(
            None,
            format!(
                "{name} is suspended because its owner is: it is active again when its owner is activated"
            ),
        );
    }
    let reasons: Vec<&str> = present.iter().map(|s| s.reason.as_str()).collect();
    Error::forbidden(format!(
        "{name} stays suspended ({}): only a higher level can lift that",
        reasons.join(", ")
    ))
}

impl Berth {
    /// Suspends accounts (R5.2): the actor's reason on each, `owner` on everything below.
    pub async fn suspend_accounts(
        &self,
        actor: &Actor,
        kind: AccountKind,
        logins: &[String],
        mode: Mode,
        progress: &dyn Progress,
    ) -> Vec<BulkItem<StatusChange>> {
        self.account_status(actor, kind, logins, true, mode, progress)
            .await
    }

    /// Activates accounts (R5.3): lifts the reasons at or below the actor's level and the
    /// `owner` reasons it cascaded; what remains is reported.
    pub async fn activate_accounts(
        &self,
        actor: &Actor,
        kind: AccountKind,
        logins: &[String],
        mode: Mode,
        progress: &dyn Progress,
    ) -> Vec<BulkItem<StatusChange>> {
        self.account_status(actor, kind, logins, false, mode, progress)
            .await
    }

    async fn account_status(
        &self,
        actor: &Actor,
        kind: AccountKind,
        logins: &[String],
        suspend: bool,
        mode: Mode,
        progress: &dyn Progress,
    ) -> Vec<BulkItem<StatusChange>> {
        let mut out = Vec::with_capacity(logins.len());
        for (i, login) in logins.iter().enumerate() {
            let result = self
                .one_account_status(actor, kind, login, suspend, mode)
                .await;
            out.push(BulkItem::from_result(login, result));
            progress.advance(i + 1, logins.len());
        }
        out
    }

    async fn one_account_status(
        &self,
        actor: &Actor,
        kind: AccountKind,
        login: &str,
        suspend: bool,
        mode: Mode,
    ) -> Result<StatusChange> {
        let mut tx = self.store.write().await?;
        let account = self
            .visible_account(&mut *tx, actor, kind, "login", login)
            .await?;
        check_status_rights(actor, &account)?;
        let now = self.clock.now();
        if suspend {
            let reason = Suspension {
                reason: SuspensionReason::added_by(actor.kind),
                by: Some(actor.login.clone()),
                at: now,
            };
            tx.add_account_suspension(account.id, &reason, Some(actor.id))
                .await?;
        } else {
            let lift = liftable_by(actor.kind, &account.suspensions);
            if lift.is_empty() && !account.suspensions.is_empty() {
                return Err(nothing_liftable(
                    account.login.as_str(),
                    &account.suspensions,
                ));
            }
            tx.remove_account_reasons(account.id, &lift).await?;
        }
        let (accounts, subscriptions) = tx
            .cascade_owner_reason(account.id, Some(actor.id), now)
            .await?;
        if subscriptions > 0 {
            self.queue_provision_under(&mut *tx, account.id).await?;
        }
        let after = tx
            .account_by_id(account.id)
            .await?
            .ok_or_else(|| Error::failed("the account vanished"))?;
        let mut changes = berth_core::audit::diff(Some(&account), Some(&after));
        let object = after.audit_object();
        for (field, count) in [
            ("cascaded_accounts", accounts),
            ("cascaded_subscriptions", subscriptions),
        ] {
            if count > 0 {
                changes.push(berth_core::audit::FieldChange::count(&object, field, count));
            }
        }
        self.record_changes(&mut *tx, actor, "account status", &changes)
            .await?;
        finish(tx, mode).await?;
        if mode == Mode::Apply {
            tracing::info!(actor = %actor.login, login = %after.login, suspend, accounts, subscriptions, "account status changed");
        }
        Ok(StatusChange {
            name: after.login.to_string(),
            status: Status::of(&after.suspensions).as_str(),
            suspension_reasons: views(&after.suspensions),
            cascaded_accounts: accounts,
            cascaded_subscriptions: subscriptions,
            dry_run: mode == Mode::DryRun,
        })
    }

    /// Suspends subscriptions with the actor's reason (its provider, the admin, or its own
    /// customer for itself).
    pub async fn suspend_subscriptions(
        &self,
        actor: &Actor,
        names: &[String],
        mode: Mode,
        progress: &dyn Progress,
    ) -> Vec<BulkItem<StatusChange>> {
        self.subscription_status(actor, names, true, mode, progress)
            .await
    }

    /// Activates subscriptions: lifts the reasons at or below the actor's level (R5.3).
    pub async fn activate_subscriptions(
        &self,
        actor: &Actor,
        names: &[String],
        mode: Mode,
        progress: &dyn Progress,
    ) -> Vec<BulkItem<StatusChange>> {
        self.subscription_status(actor, names, false, mode, progress)
            .await
    }

    async fn subscription_status(
        &self,
        actor: &Actor,
        names: &[String],
        suspend: bool,
        mode: Mode,
        progress: &dyn Progress,
    ) -> Vec<BulkItem<StatusChange>> {
        let mut out = Vec::with_capacity(names.len());
        for (i, name) in names.iter().enumerate() {
            let result = self
                .one_subscription_status(actor, name, suspend, mode)
                .await;
            out.push(BulkItem::from_result(name, result));
            progress.advance(i + 1, names.len());
        }
        out
    }

    async fn one_subscription_status(
        &self,
        actor: &Actor,
        name: &str,
        suspend: bool,
        mode: Mode,
    ) -> Result<StatusChange> {
        let mut tx = self.store.write().await?;
        let (sub, provider) = self
            .visible_subscription_for_status(&mut *tx, actor, name)
            .await?;
        if actor.kind != AccountKind::Customer {
            check_manage_subscription(actor, &provider)?;
        }
        if suspend {
            let reason = Suspension {
                reason: SuspensionReason::added_by(actor.kind),
                by: Some(actor.login.clone()),
                at: self.clock.now(),
            };
            tx.add_subscription_reason(sub.id, &reason, Some(actor.id))
                .await?;
        } else {
            let lift = liftable_by(actor.kind, &sub.suspensions);
            if lift.is_empty() && !sub.suspensions.is_empty() {
                return Err(nothing_liftable(sub.name.unicode(), &sub.suspensions));
            }
            tx.remove_subscription_reasons(sub.id, &lift).await?;
        }
        self.queue_provision(&mut *tx, &[sub.id]).await?;
        let after = tx
            .subscription_by_name(sub.name.ascii())
            .await?
            .ok_or_else(|| Error::failed("the subscription vanished"))?;
        let changes = berth_core::audit::diff(Some(&sub), Some(&after));
        self.record_changes(&mut *tx, actor, "subscription status", &changes)
            .await?;
        finish(tx, mode).await?;
        Ok(StatusChange {
            name: after.name.unicode().to_owned(),
            status: after.status().as_str(),
            suspension_reasons: views(&after.suspensions),
            cascaded_accounts: 0,
            cascaded_subscriptions: 0,
            dry_run: mode == Mode::DryRun,
        })
    }

    async fn visible_subscription_for_status(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        name: &str,
    ) -> Result<(
        berth_core::hosting::Subscription,
        berth_core::account::OwnerRef,
    )> {
        let found = self.visible_subscription(tx, actor, name).await?;
        if actor.kind == AccountKind::Customer && found.0.owner.id != actor.id {
            return Err(Error::not_found(
                "domain",
                format!("no subscription {name}"),
            ));
        }
        Ok(found)
    }
}
