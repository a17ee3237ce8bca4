//! Who may do what to accounts (R1.1, R1.4, R1.5, R11.2). Decided here, once, from the acting
//! account; the service layer calls these before touching anything.
//!
//! Convention: an object the actor may not *see* is reported as not found by the caller
//! (never its data); an operation the actor may not *perform* on an object it can see is
//! `forbidden`.

use crate::account::{Account, AccountId, AccountKind, Login, OwnerRef};
use crate::{Error, Result};

/// The account on whose behalf an operation runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Its id.
    pub id: AccountId,
    /// Its kind.
    pub kind: AccountKind,
    /// Its login.
    pub login: Login,
}

impl Actor {
    /// Whether the actor is the administrator.
    pub fn is_admin(&self) -> bool {
        self.kind == AccountKind::Admin
    }

    fn owns(&self, target: &Account) -> bool {
        target.owner.as_ref().is_some_and(|o| o.id == self.id)
    }
}

/// Whether `actor` may see `target` at all (R11.2): the admin sees everything, a reseller
/// itself and its customers, a customer itself.
pub fn can_view(actor: &Actor, target: &Account) -> bool {
    actor.is_admin() || target.id == actor.id || actor.owns(target)
}

/// Whether `actor` may see the owner-side description of `target` (R1.5): its owner does,
/// and the admin sees every description; nobody sees the description written about itself.
pub fn can_see_description(actor: &Actor, target: &Account) -> bool {
    target.id != actor.id && (actor.is_admin() || actor.owns(target))
}

/// Checks that `actor` may create accounts of `kind` at all (R11.2): the admin creates
/// resellers and customers, a reseller customers, a customer nothing.
pub fn check_create_kind(actor: &Actor, kind: AccountKind) -> Result<()> {
    match (actor.kind, kind) {
        (AccountKind::Admin, AccountKind::Reseller | AccountKind::Customer)
        | (AccountKind::Reseller, AccountKind::Customer) => Ok(()),
        _ => Err(Error::forbidden(format!(
            "a {} cannot create {kind} accounts",
            actor.kind
        ))),
    }
}

/// Checks that `actor` may create an account of `kind` owned by `owner` (R1.1, R11.2).
pub fn check_create(actor: &Actor, kind: AccountKind, owner: &OwnerRef) -> Result<()> {
    if !owner.kind.may_own(kind) {
        return Err(Error::invalid(
            "owner",
            format!("a {} cannot own a {kind}", owner.kind),
        ));
    }
    match (actor.kind, kind) {
        (AccountKind::Admin, _) => Ok(()),
        (AccountKind::Reseller, AccountKind::Customer) if owner.id == actor.id => Ok(()),
        (AccountKind::Reseller, AccountKind::Customer) => Err(Error::not_found(
            "owner",
            format!("no reseller or admin {} visible to you", owner.login),
        )),
        _ => Err(Error::forbidden(format!(
            "a {} cannot create {kind} accounts",
            actor.kind
        ))),
    }
}

/// One kind of change to an account, for [`check_update`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountChange {
    /// Contact data (name, email, phone, ...).
    Contact,
    /// The login (R1.4).
    Login,
    /// The password (R1.4).
    Password,
    /// The owner-side description (R1.5).
    Description,
    /// The external id used by integrations.
    ExternalId,
}

/// Checks that `actor` may make `change` to `target`, which it can see.
///
/// The owner (or admin) changes everything on an account it owns (R1.4, R1.5); an account
/// changes its own contact data and password; the built-in admin keeps its login.
pub fn check_update(actor: &Actor, target: &Account, change: AccountChange) -> Result<()> {
    if target.kind == AccountKind::Admin && change == AccountChange::Login {
        return Err(Error::conflict(
            Some("new_login"),
            "the built-in admin account keeps the login admin",
        ));
    }
    let by_owner = actor.is_admin() || actor.owns(target);
    let on_self = target.id == actor.id;
    let allowed = match change {
        AccountChange::Contact | AccountChange::Password => by_owner || on_self,
        AccountChange::Login | AccountChange::Description | AccountChange::ExternalId => {
            (by_owner && !on_self) || (actor.is_admin() && change == AccountChange::ExternalId)
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(Error::forbidden(format!(
            "{} may not change the {} of {}",
            actor.login,
            change_name(change),
            target.login
        )))
    }
}

fn change_name(change: AccountChange) -> &'static str {
    match change {
        AccountChange::Contact => "contact data",
        AccountChange::Login => "login",
        AccountChange::Password => "password",
        AccountChange::Description => "description",
        AccountChange::ExternalId => "external id",
    }
}

/// Checks that `actor` may remove `target`, which it can see (R1.8): the admin removes any
/// reseller or customer, a reseller its own customers.
pub fn check_remove(actor: &Actor, target: &Account) -> Result<()> {
    if target.kind == AccountKind::Admin {
        return Err(Error::conflict(
            None,
            "the built-in admin account cannot be removed",
        ));
    }
    if actor.is_admin() || actor.owns(target) {
        Ok(())
    } else {
        Err(Error::forbidden(format!(
            "{} may not remove {}",
            actor.login, target.login
        )))
    }
}

/// The owner scope a list of `kind` accounts is restricted to for `actor` (R11.2):
/// `None` for the admin (sees all), the reseller itself for its customers; customers list
/// nothing and resellers do not list resellers.
pub fn list_scope(actor: &Actor, kind: AccountKind) -> Result<Option<AccountId>> {
    match (actor.kind, kind) {
        (AccountKind::Admin, _) => Ok(None),
        (AccountKind::Reseller, AccountKind::Customer) => Ok(Some(actor.id)),
        _ => Err(Error::forbidden(format!(
            "a {} cannot list {kind} accounts",
            actor.kind
        ))),
    }
}

#[cfg(test)]
mod tests;
