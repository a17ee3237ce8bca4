//! Plans and subscriptions (SPEC §2, §3): the records, their names, and who may act on them
//! (R11.2).

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::account::{AccountKind, OwnerRef};
use crate::domain::DomainName;
use crate::property::{PlanType, Properties};
use crate::rights::Actor;
use crate::status::{Status, Suspension};
use crate::sync::{Conflict, SyncState};
use crate::text::checked_line;
use crate::{Error, Result};

/// A plan's name: 1–255 characters, unique per owner and type (R2.1), compared
/// case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PlanName(String);

impl PlanName {
    /// Parses a name; `field` names the input.
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        checked_line(field, raw, 1, 255).map(PlanName)
    }

    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A plan (R2.1): a named template of properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Stable id.
    pub id: Uuid,
    /// The admin or the reseller that owns it.
    pub owner: OwnerRef,
    /// Service, add-on or reseller plan.
    pub plan_type: PlanType,
    /// Name, unique per owner and type.
    pub name: PlanName,
    /// Its properties: every property of its type for service and reseller plans; only the
    /// properties it sets for add-ons (R2.5).
    pub props: Properties,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A reference to a plan from a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRef {
    /// Its id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
}

/// The Unix account that owns a subscription's files: 1–32 characters of `a-z 0-9 _ -`,
/// starting with a letter, not a system account name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SystemUser(String);

/// Names a subscription's system user may never take.
const RESERVED_USERS: &[&str] = &[
    "root",
    "daemon",
    "bin",
    "sys",
    "sync",
    "games",
    "man",
    "lp",
    "mail",
    "news",
    "uucp",
    "proxy",
    "www-data",
    "backup",
    "list",
    "irc",
    "nobody",
    "systemd-network",
    "sshd",
    "nginx",
    "apache",
    "postgres",
    "mysql",
    "ftp",
    "named",
    "bind",
    "postfix",
    "dovecot",
    "admin",
    "berth",
];

impl SystemUser {
    /// Parses a system user name; `field` names the input.
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let name = raw.trim().to_ascii_lowercase();
        let rule =
            "a system user is 1 to 32 characters of a-z, 0-9, '_' and '-', starting with a letter";
        let valid = (1..=32).contains(&name.len())
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if !valid {
            return Err(Error::invalid(
                field,
                format!("{field} {name:?} is not valid: {rule}"),
            ));
        }
        if RESERVED_USERS.contains(&name.as_str()) {
            return Err(Error::invalid(
                field,
                format!("{field} {name} is reserved for the system"),
            ));
        }
        Ok(SystemUser(name))
    }

    /// A valid default derived from a domain name: its letters and digits, at most 16.
    pub fn suggest(domain: &DomainName) -> String {
        let mut base: String = domain
            .ascii()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(16)
            .collect();
        if !base.starts_with(|c: char| c.is_ascii_lowercase()) {
            base.insert(0, 'u');
            base.truncate(16);
        }
        base
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An IP address attached to a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionIp {
    /// The address record's id.
    pub id: Uuid,
    /// The address, canonical text.
    pub address: String,
    /// Whether it is dedicated (else shared).
    pub dedicated: bool,
}

/// A subscription (R3.1): the hosting unit bound to one main domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// Stable id.
    pub id: Uuid,
    /// The main domain, for the subscription's whole life.
    pub name: DomainName,
    /// The subscriber: a customer, or a reseller or the admin for its own.
    pub owner: OwnerRef,
    /// The service plan; `None` for a custom subscription.
    pub plan: Option<PlanRef>,
    /// Add-on plans, each at most once.
    pub addons: Vec<PlanRef>,
    /// Synced, locked or unsynced.
    pub sync_state: SyncState,
    /// The effective properties.
    pub props: Properties,
    /// Customized fields ("Update & Lock").
    pub custom: Properties,
    /// The last conflict report.
    pub conflicts: Vec<Conflict>,
    /// IP addresses.
    pub ips: Vec<SubscriptionIp>,
    /// The Unix user owning its files.
    pub system_user: SystemUser,
    /// SHA-512-crypt hash of the system user's password (the form /etc/shadow takes).
    pub system_password_hash: String,
    /// Expiration date; `None` for unlimited.
    pub expiration: Option<NaiveDate>,
    /// Whether usage exceeds a limit (R6.2; measured by the usage task).
    pub overused: bool,
    /// Suspension reasons; empty means active.
    pub suspensions: Vec<Suspension>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl Subscription {
    /// `example.com (Plan name)` or `example.com (Custom)` (R3.1).
    pub fn display_name(&self) -> String {
        match &self.plan {
            Some(plan) => format!("{} ({})", self.name, plan.name),
            None => format!("{} (Custom)", self.name),
        }
    }

    /// The add-on key: sorted add-on ids joined by commas; subscriptions with the same plan,
    /// key and owner sync alike.
    pub fn addon_key(&self) -> String {
        addon_key(self.addons.iter().map(|a| a.id))
    }

    /// Active or suspended.
    pub fn status(&self) -> Status {
        Status::of(&self.suspensions)
    }
}

/// Sorted ids joined by commas.
pub fn addon_key(ids: impl Iterator<Item = Uuid>) -> String {
    let mut ids: Vec<String> = ids.map(|i| i.to_string()).collect();
    ids.sort();
    ids.join(",")
}

/// The account that provides a subscriber's hosting: a customer's owner, or the
/// reseller/admin itself for its own subscriptions. Its plans and IPs are the ones used.
pub fn provider_of(subscriber: &OwnerRef, subscriber_owner: Option<&OwnerRef>) -> OwnerRef {
    match (subscriber.kind, subscriber_owner) {
        (AccountKind::Customer, Some(owner)) => owner.clone(),
        _ => subscriber.clone(),
    }
}

/// Whether `actor` may manage plans owned by `owner` (R2.1, R11.2): the admin manages all,
/// a reseller its own. Reseller plans are the admin's only.
pub fn check_manage_plans(actor: &Actor, owner: &OwnerRef, plan_type: PlanType) -> Result<()> {
    if plan_type == PlanType::Reseller && actor.kind != AccountKind::Admin {
        return Err(Error::forbidden("only the admin manages reseller plans"));
    }
    if plan_type == PlanType::Reseller && owner.kind != AccountKind::Admin {
        return Err(Error::invalid("type", "reseller plans belong to the admin"));
    }
    match actor.kind {
        AccountKind::Admin => Ok(()),
        AccountKind::Reseller if owner.id == actor.id && plan_type != PlanType::Reseller => Ok(()),
        _ => Err(Error::forbidden(format!(
            "{} may not manage these plans",
            actor.login
        ))),
    }
}

/// Whether `actor` may see a subscription of `subscriber` provided by `provider`: the
/// admin sees all, a reseller those it provides, a customer its own.
pub fn can_view_subscription(actor: &Actor, subscriber: &OwnerRef, provider: &OwnerRef) -> bool {
    actor.kind == AccountKind::Admin || subscriber.id == actor.id || provider.id == actor.id
}

/// Whether `actor` may change a subscription provided by `provider` (plans, add-ons,
/// customization, subscriber, hosting settings, renewal, removal): its provider or the
/// admin; customers only look.
pub fn check_manage_subscription(actor: &Actor, provider: &OwnerRef) -> Result<()> {
    if actor.kind == AccountKind::Admin || provider.id == actor.id {
        Ok(())
    } else {
        Err(Error::forbidden(format!(
            "{} may not change this subscription",
            actor.login
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{AccountId, Login};

    fn owner(kind: AccountKind, login: &str) -> OwnerRef {
        OwnerRef {
            id: AccountId(Uuid::now_v7()),
            login: Login::parse("login", login).unwrap(),
            kind,
        }
    }

    fn actor(o: &OwnerRef) -> Actor {
        Actor {
            id: o.id,
            kind: o.kind,
            login: o.login.clone(),
        }
    }

    #[test]
    fn system_users_follow_unix_rules_and_avoid_system_names() {
        assert_eq!(
            SystemUser::parse("system_user", "Web_1").unwrap().as_str(),
            "web_1"
        );
        for bad in ["", "1web", "web user", "root", "www-data", &"a".repeat(33)] {
            assert_eq!(
                SystemUser::parse("system_user", bad)
                    .unwrap_err()
                    .field
                    .as_deref(),
                Some("system_user"),
                "{bad}"
            );
        }
        let d = DomainName::parse("domain", "123-shop.example.com").unwrap();
        let suggested = SystemUser::suggest(&d);
        assert!(
            SystemUser::parse("system_user", &suggested).is_ok(),
            "{suggested}"
        );
    }

    #[test]
    fn r2_1_plans_are_managed_by_their_owner_and_reseller_plans_by_the_admin() {
        let admin = owner(AccountKind::Admin, "admin");
        let r1 = owner(AccountKind::Reseller, "r1");
        let r2 = owner(AccountKind::Reseller, "r2");
        let c = owner(AccountKind::Customer, "c");
        assert!(check_manage_plans(&actor(&admin), &r1, PlanType::Service).is_ok());
        assert!(check_manage_plans(&actor(&r1), &r1, PlanType::Addon).is_ok());
        assert!(check_manage_plans(&actor(&r2), &r1, PlanType::Service).is_err());
        assert!(check_manage_plans(&actor(&r1), &r1, PlanType::Reseller).is_err());
        assert!(check_manage_plans(&actor(&c), &c, PlanType::Service).is_err());
        assert_eq!(
            check_manage_plans(&actor(&admin), &r1, PlanType::Reseller)
                .unwrap_err()
                .field
                .as_deref(),
            Some("type")
        );
    }

    #[test]
    fn r11_2_subscriptions_are_seen_by_admin_provider_and_subscriber() {
        let admin = owner(AccountKind::Admin, "admin");
        let r1 = owner(AccountKind::Reseller, "r1");
        let r2 = owner(AccountKind::Reseller, "r2");
        let c = owner(AccountKind::Customer, "c");
        assert!(can_view_subscription(&actor(&admin), &c, &r1));
        assert!(can_view_subscription(&actor(&r1), &c, &r1));
        assert!(can_view_subscription(&actor(&c), &c, &r1));
        assert!(!can_view_subscription(&actor(&r2), &c, &r1));
        assert!(check_manage_subscription(&actor(&r1), &r1).is_ok());
        assert!(check_manage_subscription(&actor(&c), &r1).is_err());
        assert_eq!(provider_of(&c, Some(&r1)), r1);
        assert_eq!(provider_of(&r1, Some(&admin)), r1);
    }

    /// A list's scope admits exactly the subscriptions its actor may view, whoever holds
    /// them: the admin's, a reseller's own, a reseller's customers', the admin's customers'.
    #[test]
    fn r11_2_a_list_scope_admits_what_its_actor_may_view() {
        let admin = owner(AccountKind::Admin, "admin");
        let r1 = owner(AccountKind::Reseller, "r1");
        let r2 = owner(AccountKind::Reseller, "r2");
        let c1 = owner(AccountKind::Customer, "c1");
        let c2 = owner(AccountKind::Customer, "c2");
        let direct = owner(AccountKind::Customer, "direct");
        let held = [
            (&admin, None),
            (&r1, Some(&admin)),
            (&r2, Some(&admin)),
            (&c1, Some(&r1)),
            (&c2, Some(&r2)),
            (&direct, Some(&admin)),
        ];
        for viewer in [&admin, &r1, &r2, &c1, &c2, &direct] {
            let scope = SubscriptionScope::of(&actor(viewer));
            for (subscriber, subscriber_owner) in held {
                let provider = provider_of(subscriber, subscriber_owner);
                assert_eq!(
                    scope.admits(subscriber.id, provider.id),
                    can_view_subscription(&actor(viewer), subscriber, &provider),
                    "{} viewing {}'s subscription",
                    viewer.login,
                    subscriber.login
                );
            }
        }
    }
}

/// Which subscriptions a list may show at all (R11.2), before any filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionScope {
    /// Every subscription (the admin's lists, system tasks).
    All,
    /// The subscriptions this account provides ([`provider_of`]): a reseller's (or the
    /// admin's) own subscriptions and its customers' ones.
    ProvidedBy(crate::account::AccountId),
    /// The subscriptions this account holds: a customer's own.
    HeldBy(crate::account::AccountId),
}

impl SubscriptionScope {
    /// What `actor` may list: the admin everything, a reseller what it provides, a
    /// customer what it holds.
    pub fn of(actor: &Actor) -> SubscriptionScope {
        match actor.kind {
            AccountKind::Admin => SubscriptionScope::All,
            AccountKind::Reseller => SubscriptionScope::ProvidedBy(actor.id),
            AccountKind::Customer => SubscriptionScope::HeldBy(actor.id),
        }
    }

    /// Whether a subscription held by `subscriber` and provided by `provider` is in the
    /// scope (the test the stores' list queries express in SQL).
    pub fn admits(
        &self,
        subscriber: crate::account::AccountId,
        provider: crate::account::AccountId,
    ) -> bool {
        match *self {
            SubscriptionScope::All => true,
            SubscriptionScope::ProvidedBy(p) => provider == p,
            SubscriptionScope::HeldBy(h) => subscriber == h,
        }
    }
}

/// A subscription list request, decided by the service layer (R1.9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionQuery {
    /// The rights scope: only the subscriptions the acting account may see.
    pub scope: SubscriptionScope,
    /// Only subscriptions of this subscriber.
    pub owner: Option<crate::account::AccountId>,
    /// Only subscriptions on this service plan.
    pub plan: Option<Uuid>,
    /// Only active or suspended ones.
    pub status: Option<Status>,
    /// Only in this sync state.
    pub sync_state: Option<SyncState>,
    /// Only overused ones.
    pub overused: bool,
    /// Only those expired on this date (expiration on or before it).
    pub expired_on: Option<NaiveDate>,
    /// Case-folded text the domain name must contain.
    pub search: Option<String>,
    /// Sort column.
    pub sort: SubscriptionSort,
    /// Descending instead of ascending.
    pub descending: bool,
    /// Continue after this subscription id.
    pub after: Option<Uuid>,
    /// Page size.
    pub limit: u32,
}

impl SubscriptionQuery {
    /// The first page of `limit` subscriptions in name order, unfiltered and unscoped: the
    /// base the callers override field by field (`..SubscriptionQuery::every(100)`).
    pub fn every(limit: u32) -> SubscriptionQuery {
        SubscriptionQuery {
            scope: SubscriptionScope::All,
            owner: None,
            plan: None,
            status: None,
            sync_state: None,
            overused: false,
            expired_on: None,
            search: None,
            sort: SubscriptionSort::Name,
            descending: false,
            after: None,
            limit,
        }
    }
}

/// Columns a subscription list sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionSort {
    /// Domain name (ASCII form).
    Name,
    /// Creation time.
    Created,
    /// Last change.
    Updated,
    /// Expiration date, unlimited last.
    Expiration,
    /// Sync state.
    SyncState,
}

impl SubscriptionSort {
    /// Every column with its wire name.
    pub const ALL: [(&'static str, SubscriptionSort); 5] = [
        ("name", SubscriptionSort::Name),
        ("created", SubscriptionSort::Created),
        ("updated", SubscriptionSort::Updated),
        ("expiration", SubscriptionSort::Expiration),
        ("sync_state", SubscriptionSort::SyncState),
    ];

    /// Parses `FIELD[:asc|desc]`; returns the column and whether descending.
    pub fn parse(field: &str, raw: &str) -> Result<(Self, bool)> {
        let (name, dir) = raw.trim().split_once(':').unwrap_or((raw.trim(), "asc"));
        let desc = match dir.to_ascii_lowercase().as_str() {
            "asc" => false,
            "desc" => true,
            _ => {
                return Err(Error::invalid(
                    field,
                    format!("{field} direction must be asc or desc"),
                ));
            }
        };
        let column = Self::ALL
            .iter()
            .find(|(w, _)| w.eq_ignore_ascii_case(name))
            .map(|(_, c)| *c);
        let names: Vec<&str> = Self::ALL.iter().map(|(w, _)| *w).collect();
        column.map(|c| (c, desc)).ok_or_else(|| {
            Error::invalid(
                field,
                format!("{field} must be one of {}", names.join(", ")),
            )
        })
    }
}
