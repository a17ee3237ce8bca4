//! Who may do what (R11.2), as one table: every service operation that takes an actor ×
//! the admin, a reseller, another reseller, a customer of the reseller and a customer of the
//! other reseller × their own object and another owner's object, with the outcome each
//! must get — allowed, forbidden (an operation the actor may not perform on something it
//! can see, or may not perform at all) or not found (another owner's object: never its
//! data). On SQLite and PostgreSQL.
//!
//! One world serves every row: mutating operations run as dry runs (same code, same rights
//! checks, nothing written), and the world is compared before and after. Besides the
//! outcome, every answer is searched for data the actor may not see (the other side's
//! names and addresses, descriptions it may not read): an allowed answer must not carry
//! any, and an error must not name anything the caller did not name itself.
//!
//! A row whose rule the code breaks today carries `known_bug` with the outcome it gets
//! today: the runner prints it instead of failing (and fails if the outcome changes to
//! anything but the right one), so that the table states the rule and the lead sees what
//! to fix.

mod common;

use std::collections::HashMap;
use std::fmt;

use berth_app::accounts::{AccountUpdate, ListRequest, NewAccount};
use berth_app::dns::RecordInput;
use berth_app::domains::{AliasChange, NewAlias, NewSite, NewSubdomain};
use berth_app::plans::Assignment;
use berth_app::resellers::ResellerTerms;
use berth_app::subscriptions::{HostingChange, NewSubscription, SubscriptionListRequest};
use berth_app::views::BulkItem;
use berth_app::{Berth, Mode, NoProgress};
use berth_core::account::{AccountKind, ContactInput};
use berth_core::property::{Group, PlanType};
use berth_core::rights::Actor;
use berth_core::{Error, ErrorCode};
use common::Env;
use serde::Serialize;
use serde_json::Value;

on_both_backends!(r11_2_rights_table);

// ---------------------------------------------------------------------------------------
// The world: three sides that mirror each other.
//
// - zulu: the admin's own objects (its customer, plans, subscriptions, unpooled addresses);
// - alpha: reseller `alpha-res`, its customer `alpha-cust`, plans, IP pool, subscriptions;
// - bravo: the same for reseller `bravo-res` and `bravo-cust`.
//
// Every name carries its side, so that a side's data is recognisable in any answer.
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Side {
    Zulu,
    Alpha,
    Bravo,
}

/// The objects of one side.
struct Names {
    /// Who provides the side's hosting (owns its plans, its customer, its pool).
    provider: &'static str,
    /// The reseller of the side (`None` for the admin's side).
    reseller: Option<&'static str>,
    customer: &'static str,
    /// The customer's subscription (on `plan` with add-on `addon`, on `used_ip`).
    sub: &'static str,
    /// The provider's own subscription.
    provider_sub: &'static str,
    plan: &'static str,
    addon: &'static str,
    /// An add-on the subscriptions do not have.
    bonus: &'static str,
    /// A service plan nobody uses.
    spare: &'static str,
    used_ip: &'static str,
    /// An address no subscription uses (in the reseller's pool on reseller sides).
    spare_ip: &'static str,
    /// An additional domain of `sub` (R3.9).
    site: &'static str,
    /// An alias of `sub`'s main domain (R7.2).
    alias: &'static str,
    /// A subdomain of `sub`'s main domain (R7.3).
    subdomain: &'static str,
    /// A second subscription of the customer, on `basic_plan`.
    basic_sub: &'static str,
    /// A service plan that grants none of the domain and DNS permissions.
    basic_plan: &'static str,
}

const ZULU: Names = Names {
    provider: "admin",
    reseller: None,
    customer: "zulu-cust",
    sub: "zulu-cust.example",
    provider_sub: "zulu-admin.example",
    plan: "Zulu Hosting",
    addon: "Zulu Extra",
    bonus: "Zulu Bonus",
    spare: "Zulu Spare",
    used_ip: "198.51.100.1",
    spare_ip: "198.51.100.2",
    site: "zulu-site.example",
    alias: "zulu-alias.example",
    subdomain: "blog.zulu-cust.example",
    basic_sub: "zulu-basic.example",
    basic_plan: "Zulu Basic",
};

const ALPHA: Names = Names {
    provider: "alpha-res",
    reseller: Some("alpha-res"),
    customer: "alpha-cust",
    sub: "alpha-cust.example",
    provider_sub: "alpha-res.example",
    plan: "Alpha Hosting",
    addon: "Alpha Extra",
    bonus: "Alpha Bonus",
    spare: "Alpha Spare",
    used_ip: "192.0.2.11",
    spare_ip: "192.0.2.13",
    site: "alpha-site.example",
    alias: "alpha-alias.example",
    subdomain: "blog.alpha-cust.example",
    basic_sub: "alpha-basic.example",
    basic_plan: "Alpha Basic",
};

const BRAVO: Names = Names {
    provider: "bravo-res",
    reseller: Some("bravo-res"),
    customer: "bravo-cust",
    sub: "bravo-cust.example",
    provider_sub: "bravo-res.example",
    plan: "Bravo Hosting",
    addon: "Bravo Extra",
    bonus: "Bravo Bonus",
    spare: "Bravo Spare",
    used_ip: "203.0.113.12",
    spare_ip: "203.0.113.14",
    site: "bravo-site.example",
    alias: "bravo-alias.example",
    subdomain: "blog.bravo-cust.example",
    basic_sub: "bravo-basic.example",
    basic_plan: "Bravo Basic",
};

/// A shared address in no pool and used by nothing, for adding to pools.
const UNPOOLED_IP: &str = ZULU.spare_ip;

/// The permissions that hand a subscription's names and zones to its subscriber.
const DOMAIN_PERMISSIONS: [&str; 4] = [
    "create_domains",
    "manage_domain_aliases",
    "manage_subdomains",
    "manage_dns",
];

/// A TXT record every customer's zone has, added by hand.
const RECORD: &str = "rights-check";

/// A TXT record at the zone's apex.
fn txt(value: &str) -> RecordInput {
    RecordInput {
        rtype: "TXT".into(),
        host: "@".into(),
        value: value.into(),
        priority: None,
        ttl: None,
    }
}

/// The admin's reseller plan (nobody is on it).
const RESELLER_PLAN: &str = "Zulu Reseller Plan";

fn names(side: Side) -> &'static Names {
    match side {
        Side::Zulu => &ZULU,
        Side::Alpha => &ALPHA,
        Side::Bravo => &BRAVO,
    }
}

/// The owner-side description written about `login` (R1.5).
fn note(login: &str) -> String {
    format!("note-about-{login}")
}

// ---------------------------------------------------------------------------------------
// Actors, targets, outcomes, rows.
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Who {
    Admin,
    /// `alpha-res`.
    Reseller,
    /// `bravo-res`.
    OtherReseller,
    /// `alpha-cust`, a customer of the reseller.
    Customer,
    /// `bravo-cust`, a customer of the other reseller.
    OtherCustomer,
}

const EVERYONE: [Who; 5] = [
    Who::Admin,
    Who::Reseller,
    Who::OtherReseller,
    Who::Customer,
    Who::OtherCustomer,
];

impl Who {
    fn login(self) -> &'static str {
        match self {
            Who::Admin => "admin",
            Who::Reseller => "alpha-res",
            Who::OtherReseller => "bravo-res",
            Who::Customer => "alpha-cust",
            Who::OtherCustomer => "bravo-cust",
        }
    }

    fn role(self) -> Role {
        match self {
            Who::Admin => Role::Admin,
            Who::Reseller | Who::OtherReseller => Role::Reseller,
            Who::Customer | Who::OtherCustomer => Role::Customer,
        }
    }

    /// The side the actor belongs to.
    fn home(self) -> Side {
        match self {
            Who::Admin => Side::Zulu,
            Who::Reseller | Who::Customer => Side::Alpha,
            Who::OtherReseller | Who::OtherCustomer => Side::Bravo,
        }
    }

    /// The side a target lies on, seen from this actor. For the admin, "foreign" is a
    /// reseller's side (it may act there too).
    fn side(self, target: Target) -> Side {
        match (target, self.home()) {
            (Target::Own | Target::NoObject, home) => home,
            (Target::Foreign, Side::Zulu | Side::Bravo) => Side::Alpha,
            (Target::Foreign, Side::Alpha) => Side::Bravo,
            (Target::Admins, _) => Side::Zulu,
        }
    }

    /// Whose API key a target is: the actor's own, its counterpart on the other side (for
    /// the admin, the reseller's), or the admin's.
    fn key_holder(self, target: Target) -> Who {
        match (target, self) {
            (Target::Foreign, Who::Admin | Who::OtherReseller) => Who::Reseller,
            (Target::Foreign, Who::Reseller) => Who::OtherReseller,
            (Target::Foreign, Who::Customer) => Who::OtherCustomer,
            (Target::Foreign, Who::OtherCustomer) => Who::Customer,
            (Target::Admins, _) => Who::Admin,
            (_, who) => who,
        }
    }

    /// The side of a reseller account as target: the admin owns every reseller, so its
    /// "own" one is `alpha-res` and its "foreign" one `bravo-res`.
    fn reseller_side(self, target: Target) -> Side {
        match (self, target) {
            (Who::Admin, Target::Own) => Side::Alpha,
            (Who::Admin, _) => Side::Bravo,
            _ => self.side(target),
        }
    }

    /// Substrings that must not appear in what this actor is shown: the other sides' names
    /// and addresses, descriptions written about itself (R1.5), and for a customer its
    /// reseller's own data and the reseller's unused pool address.
    fn unseen(self) -> Vec<String> {
        let mut out = vec![];
        let foreign = |side: Side| -> Vec<String> {
            let n = names(side);
            let prefix = n.customer.split('-').next().unwrap().to_owned();
            let ip_net = |ip: &str| ip.rsplit_once('.').unwrap().0.to_owned() + ".";
            vec![prefix, ip_net(n.used_ip), ip_net(n.spare_ip)]
        };
        if self.role() == Role::Admin {
            return out;
        }
        out.extend(foreign(Side::Zulu));
        out.extend(foreign(self.side(Target::Foreign)));
        out.push(note(self.login()));
        if self.role() == Role::Customer {
            let home = names(self.home());
            let reseller = home.reseller.unwrap();
            out.push(home.provider_sub.to_owned());
            out.push(home.provider_sub.replace(['-', '.'], ""));
            out.push(note(reseller));
            out.push(format!("{reseller}@"));
            out.push(home.spare_ip.to_owned());
        }
        out.sort();
        out.dedup();
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Admin,
    Reseller,
    Customer,
}

/// What a row acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// The actor's own object (itself, its customer, plan, subscription, pool address, API
    /// key).
    Own,
    /// The same kind of object of another owner (the other reseller's side; for the admin,
    /// a reseller's).
    Foreign,
    /// The admin's own object, asked by a reseller or a customer.
    Admins,
    /// The operation acts on no existing object (create a reseller, list addresses).
    NoObject,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Target::Own => "own",
            Target::Foreign => "foreign",
            Target::Admins => "admin's",
            Target::NoObject => "-",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Allowed,
    Forbidden,
    NotFound,
    /// Rights pass but the input breaks a data rule (e.g. a reseller plan owned by a
    /// reseller); only where the rights check cannot be the answer.
    Invalid,
    /// Rights pass but the object's state refuses (e.g. a reseller that still owns
    /// customers cannot become a customer, R1.6).
    Conflict,
    /// Anything else (a conflict, a failure): never expected.
    Other(ErrorCode),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Allowed => f.write_str("allowed"),
            Outcome::Forbidden => f.write_str("forbidden"),
            Outcome::NotFound => f.write_str("not found"),
            Outcome::Invalid => f.write_str("invalid"),
            Outcome::Conflict => f.write_str("conflict"),
            Outcome::Other(code) => write!(f, "{code}"),
        }
    }
}

/// Every operation on `Berth` that takes an actor, with the variants that put another
/// owner's object in a second argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    CustomerCreate,
    CustomerCreateWithSubscription,
    CustomerUpdateContact,
    CustomerUpdateLogin,
    CustomerUpdateDescription,
    CustomerInfo,
    CustomerList,
    CustomerListAfter,
    CustomerRemove,
    CustomerSuspend,
    CustomerActivate,
    ResellerCreate,
    ResellerUpdateContact,
    ResellerUpdateDescription,
    ResellerInfo,
    ResellerList,
    ResellerRemove,
    ResellerSuspend,
    ResellerActivate,
    ResellerSetTerms,
    ResellerOverview,
    PoolAdd,
    PoolRemove,
    PlanCreate,
    PlanCreateResellerPlan,
    PlanUpdate,
    PlanInfo,
    PlanList,
    PlanRemove,
    SubCreate,
    SubCreateWithPlanOf,
    SubCreateOnIpOf,
    SubInfo,
    SubList,
    SubListByPlan,
    SubListAfterName,
    SubListAfterId,
    SubChangePlan,
    SubChangePlanToPlanOf,
    SubAddAddon,
    SubAddAddonOf,
    SubRemoveAddon,
    SubCustomize,
    SubUnlock,
    SubSync,
    SubChangeSubscriber,
    SubChangeSubscriberTo,
    SubRenew,
    SubSetHosting,
    SubSetHostingIpOf,
    SubRemove,
    SubSuspend,
    SubActivate,
    ProviderSubInfo,
    ProviderSubSuspend,
    ProviderSubCustomize,
    IpAdd,
    IpList,
    IpUpdate,
    IpRemove,
    ConvertToReseller,
    ConvertToCustomer,
    MoveCustomer,
    SiteCreate,
    SiteList,
    SiteRemove,
    AliasCreate,
    AliasUpdate,
    AliasList,
    AliasRemove,
    SubdomainCreate,
    SubdomainList,
    SubdomainRemove,
    DnsZone,
    DnsRecordAdd,
    DnsRecordRemove,
    DnsTemplate,
    DnsTemplateSet,
    DnsTemplateApply,
    BasicSiteCreate,
    BasicAliasCreate,
    BasicSubdomainCreate,
    BasicDnsRecordAdd,
    ApiKeyCreate,
    ApiKeyList,
    ApiKeyRevoke,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::CustomerCreate => "customer create",
            Op::CustomerCreateWithSubscription => "customer create --domain (with subscription)",
            Op::CustomerUpdateContact => "customer update (contact)",
            Op::CustomerUpdateLogin => "customer update --new-login",
            Op::CustomerUpdateDescription => "customer update --description",
            Op::CustomerInfo => "customer info",
            Op::CustomerList => "customer list [--owner]",
            Op::CustomerListAfter => "customer list --after",
            Op::CustomerRemove => "customer remove",
            Op::CustomerSuspend => "customer suspend",
            Op::CustomerActivate => "customer activate",
            Op::ResellerCreate => "reseller create",
            Op::ResellerUpdateContact => "reseller update (contact)",
            Op::ResellerUpdateDescription => "reseller update --description",
            Op::ResellerInfo => "reseller info",
            Op::ResellerList => "reseller list",
            Op::ResellerRemove => "reseller remove",
            Op::ResellerSuspend => "reseller suspend",
            Op::ResellerActivate => "reseller activate",
            Op::ResellerSetTerms => "reseller update --limit (set_reseller_terms)",
            Op::ResellerOverview => "reseller overview",
            Op::PoolAdd => "reseller ip-pool add",
            Op::PoolRemove => "reseller ip-pool remove",
            Op::PlanCreate => "plan create",
            Op::PlanCreateResellerPlan => "plan create --type reseller",
            Op::PlanUpdate => "plan update",
            Op::PlanInfo => "plan info",
            Op::PlanList => "plan list [--owner]",
            Op::PlanRemove => "plan remove",
            Op::SubCreate => "subscription create",
            Op::SubCreateWithPlanOf => "subscription create (own customer, plan of target)",
            Op::SubCreateOnIpOf => "subscription create (own customer, IP of target)",
            Op::SubInfo => "subscription info",
            Op::SubList => "subscription list [--owner]",
            Op::SubListByPlan => "subscription list --plan",
            Op::SubListAfterName => "subscription list --after NAME",
            Op::SubListAfterId => "subscription list --after ID",
            Op::SubChangePlan => "subscription change-plan",
            Op::SubChangePlanToPlanOf => "subscription change-plan (own, to plan of target)",
            Op::SubAddAddon => "subscription add-addon",
            Op::SubAddAddonOf => "subscription add-addon (own, add-on of target)",
            Op::SubRemoveAddon => "subscription remove-addon",
            Op::SubCustomize => "subscription customize",
            Op::SubUnlock => "subscription unlock",
            Op::SubSync => "subscription sync",
            Op::SubChangeSubscriber => "subscription change-subscriber",
            Op::SubChangeSubscriberTo => "subscription change-subscriber (own, to target)",
            Op::SubRenew => "subscription renew",
            Op::SubSetHosting => "subscription set --system-password",
            Op::SubSetHostingIpOf => "subscription set --ip (own, IP of target)",
            Op::SubRemove => "subscription remove",
            Op::SubSuspend => "subscription suspend",
            Op::SubActivate => "subscription activate",
            Op::ProviderSubInfo => "subscription info (provider's own subscription)",
            Op::ProviderSubSuspend => "subscription suspend (provider's own subscription)",
            Op::ProviderSubCustomize => "subscription customize (provider's own subscription)",
            Op::IpAdd => "ip add",
            Op::IpList => "ip list",
            Op::IpUpdate => "ip update",
            Op::IpRemove => "ip remove",
            Op::ConvertToReseller => "customer convert-to-reseller",
            Op::ConvertToCustomer => "reseller convert-to-customer",
            Op::MoveCustomer => "customer move",
            Op::SiteCreate => "site create",
            Op::SiteList => "site list [--subscription]",
            Op::SiteRemove => "site remove",
            Op::AliasCreate => "alias create",
            Op::AliasUpdate => "alias update",
            Op::AliasList => "alias list [--domain]",
            Op::AliasRemove => "alias remove",
            Op::SubdomainCreate => "subdomain create",
            Op::SubdomainList => "subdomain list [--domain]",
            Op::SubdomainRemove => "subdomain remove",
            Op::DnsZone => "dns show",
            Op::DnsRecordAdd => "dns record add",
            Op::DnsRecordRemove => "dns record remove",
            Op::DnsTemplate => "dns template show",
            Op::DnsTemplateSet => "dns template set",
            Op::DnsTemplateApply => "dns template apply",
            Op::BasicSiteCreate => "site create (subscription without create_domains)",
            Op::BasicAliasCreate => "alias create (subscription without manage_domain_aliases)",
            Op::BasicSubdomainCreate => "subdomain create (subscription without manage_subdomains)",
            Op::BasicDnsRecordAdd => "dns record add (subscription without manage_dns)",
            Op::ApiKeyCreate => "api-key create",
            Op::ApiKeyList => "api-key list",
            Op::ApiKeyRevoke => "api-key revoke",
        }
    }

    /// Whether the target is a reseller account (there is none on the admin's side).
    fn targets_a_reseller(self) -> bool {
        matches!(
            self,
            Op::ResellerUpdateContact
                | Op::ResellerUpdateDescription
                | Op::ResellerInfo
                | Op::ResellerRemove
                | Op::ResellerSuspend
                | Op::ResellerActivate
                | Op::ResellerSetTerms
                | Op::ResellerOverview
                | Op::PoolAdd
                | Op::PoolRemove
                | Op::ConvertToCustomer
        )
    }
}

/// One line of the table.
#[derive(Debug, Clone)]
struct Row {
    op: Op,
    who: Who,
    target: Target,
    expected: Outcome,
    /// Set when the code breaks the row's rule today: printed, not asserted.
    known_bug: Option<KnownBug>,
}

/// How the code breaks a row's rule today.
#[derive(Debug, Clone, Copy)]
struct KnownBug {
    /// The outcome it gets today instead of the expected one.
    today: Outcome,
    why: &'static str,
}

/// Expectations of one role on (own, foreign) objects. For resellers and customers the
/// admin's objects expect what foreign ones do.
type Pair = (Outcome, Outcome);

#[derive(Default)]
struct Table(Vec<Row>);

impl Table {
    /// Rows for `op`: the admin, both resellers and both customers on their own and a
    /// foreign object (and the admin's, for those who are not the admin).
    fn op(&mut self, op: Op, admin: Pair, reseller: Pair, customer: Pair) {
        for who in EVERYONE {
            let (own, foreign) = match who.role() {
                Role::Admin => admin,
                Role::Reseller => reseller,
                Role::Customer => customer,
            };
            let mut targets = vec![(Target::Own, own), (Target::Foreign, foreign)];
            if who != Who::Admin && !op.targets_a_reseller() {
                targets.push((Target::Admins, foreign));
            }
            for (target, expected) in targets {
                self.0.push(Row {
                    op,
                    who,
                    target,
                    expected,
                    known_bug: None,
                });
            }
        }
    }

    /// Rows for an operation on no existing object.
    fn global(&mut self, op: Op, admin: Outcome, reseller: Outcome, customer: Outcome) {
        for who in EVERYONE {
            let expected = match who.role() {
                Role::Admin => admin,
                Role::Reseller => reseller,
                Role::Customer => customer,
            };
            self.0.push(Row {
                op,
                who,
                target: Target::NoObject,
                expected,
                known_bug: None,
            });
        }
    }

    /// Marks the rows of `op` for `role` on `targets` as a known bug: they get `today`.
    /// Overrides the expected outcome of some rows (a data rule answering before rights).
    fn expect(&mut self, (op, role, targets): (Op, Role, &[Target]), outcome: Outcome) {
        let mut marked = 0;
        for row in &mut self.0 {
            if row.op == op && row.who.role() == role && targets.contains(&row.target) {
                row.expected = outcome;
                marked += 1;
            }
        }
        assert!(marked > 0, "no row of {op:?} to change");
    }

    #[allow(dead_code)]
    fn known_bug(
        &mut self,
        (op, role, targets): (Op, Role, &[Target]),
        today: Outcome,
        why: &'static str,
    ) {
        let mut marked = 0;
        for row in &mut self.0 {
            if row.op == op && row.who.role() == role && targets.contains(&row.target) {
                row.known_bug = Some(KnownBug { today, why });
                marked += 1;
            }
        }
        assert!(marked > 0, "no row of {op:?} to mark");
    }
}

/// The expectations: SPEC R11.2 with the conventions of `berth_core::rights` (not visible:
/// not found; visible but not allowed, or not allowed at all: forbidden) and the documented
/// rules of `hosting.rs`, `ip.rs`, `status.rs`, `reseller.rs`, `site.rs` and the service
/// layer.
///
/// Each `t.op(op, admin, reseller, customer)` gives `(own, foreign)` per role; both
/// resellers and both customers get the same, and resellers and customers expect on the
/// admin's objects what they expect on foreign ones. `t.global` is for operations on no
/// existing object.
fn table() -> Table {
    use Outcome::{Allowed as A, Conflict as C, Forbidden as F, Invalid as I, NotFound as N};
    let mut t = Table::default();

    // Accounts: customers. The admin and the owner act on a customer; a customer sees
    // itself, changes its own contact data (R1.4), never its login or the description
    // about itself (R1.5), and does not create, list, remove or suspend accounts.
    t.op(Op::CustomerCreate, (A, A), (A, N), (F, F));
    t.op(Op::CustomerCreateWithSubscription, (A, A), (A, N), (F, F));
    t.op(Op::CustomerUpdateContact, (A, A), (A, N), (A, N));
    t.op(Op::CustomerUpdateLogin, (A, A), (A, N), (F, N));
    t.op(Op::CustomerUpdateDescription, (A, A), (A, N), (F, N));
    t.op(Op::CustomerInfo, (A, A), (A, N), (A, N));
    t.op(Op::CustomerList, (A, A), (A, N), (F, F));
    t.op(Op::CustomerListAfter, (A, A), (A, N), (F, F));
    t.op(Op::CustomerRemove, (A, A), (A, N), (F, N));
    t.op(Op::CustomerSuspend, (A, A), (A, N), (F, N));
    t.op(Op::CustomerActivate, (A, A), (A, N), (F, N));

    // Accounts: resellers (admin only, R1.1). A reseller sees itself and changes its own
    // contact data; it never removes, suspends or sets the terms of itself; its customers
    // do not see it (R11.2: only their own subscriptions).
    t.global(Op::ResellerCreate, A, F, F);
    t.global(Op::ResellerList, A, F, F);
    t.op(Op::ResellerUpdateContact, (A, A), (A, N), (N, N));
    t.op(Op::ResellerUpdateDescription, (A, A), (F, N), (N, N));
    t.op(Op::ResellerInfo, (A, A), (A, N), (N, N));
    t.op(Op::ResellerRemove, (A, A), (F, N), (N, N));
    t.op(Op::ResellerSuspend, (A, A), (F, N), (N, N));
    t.op(Op::ResellerActivate, (A, A), (F, N), (N, N));
    // Admin-only operations refuse everyone else before looking anything up.
    t.op(Op::ResellerSetTerms, (A, A), (F, F), (F, F));
    t.op(Op::ResellerOverview, (A, A), (A, N), (N, N));
    t.op(Op::PoolAdd, (A, A), (F, F), (F, F));
    t.op(Op::PoolRemove, (A, A), (F, F), (F, F));

    // Plans (R2.1): the admin manages all; a reseller its own; reseller plans are the
    // admin's only; a customer has no plans ("own" = no --owner, refused as such).
    t.op(Op::PlanCreate, (A, A), (A, N), (F, N));
    t.op(Op::PlanCreateResellerPlan, (A, I), (F, N), (F, N));
    t.op(Op::PlanUpdate, (A, A), (A, N), (F, N));
    t.op(Op::PlanInfo, (A, A), (A, N), (F, N));
    t.op(Op::PlanList, (A, A), (A, N), (F, N));
    t.op(Op::PlanRemove, (A, A), (A, N), (F, N));

    // Subscriptions (R3, R11.2): the admin and the provider manage; the subscriber only
    // looks (and suspends/activates its own, status.rs); another owner's is not found,
    // and so are another owner's plans, add-ons, customers and addresses named in an
    // argument. The admin's customers take only the admin's plans (R3.6) and move only
    // within the admin's customers (R3.7).
    t.op(Op::SubCreate, (A, A), (A, N), (F, N));
    t.op(Op::SubCreateWithPlanOf, (A, N), (A, N), (F, F));
    t.op(Op::SubCreateOnIpOf, (A, A), (A, N), (F, F));
    t.op(Op::SubInfo, (A, A), (A, N), (A, N));
    t.op(Op::SubList, (A, A), (A, N), (A, N));
    // A plan filter names a plan of the actor (the admin's own namespace: a reseller's plan
    // is not found there without --owner); a customer has no plans.
    t.op(Op::SubListByPlan, (A, N), (A, N), (F, F));
    t.op(Op::SubListAfterName, (A, A), (A, N), (A, N));
    t.op(Op::SubListAfterId, (A, A), (A, N), (A, N));
    t.op(Op::SubChangePlan, (A, A), (A, N), (F, N));
    t.op(Op::SubChangePlanToPlanOf, (A, N), (A, N), (F, F));
    t.op(Op::SubAddAddon, (A, A), (A, N), (F, N));
    t.op(Op::SubAddAddonOf, (A, N), (A, N), (F, F));
    t.op(Op::SubRemoveAddon, (A, A), (A, N), (F, N));
    t.op(Op::SubCustomize, (A, A), (A, N), (F, N));
    t.op(Op::SubUnlock, (A, A), (A, N), (F, N));
    t.op(Op::SubSync, (A, A), (A, N), (F, N));
    t.op(Op::SubChangeSubscriber, (A, A), (A, N), (F, N));
    t.op(Op::SubChangeSubscriberTo, (A, I), (A, N), (F, F));
    t.op(Op::SubRenew, (A, A), (A, N), (F, N));
    t.op(Op::SubSetHosting, (A, A), (A, N), (F, N));
    t.op(Op::SubSetHostingIpOf, (A, A), (A, N), (F, F));
    t.op(Op::SubRemove, (A, A), (A, N), (F, N));
    t.op(Op::SubSuspend, (A, A), (A, N), (A, N));
    t.op(Op::SubActivate, (A, A), (A, N), (A, N));
    // A provider's own subscription is not its customers'.
    t.op(Op::ProviderSubInfo, (A, A), (A, N), (N, N));
    t.op(Op::ProviderSubSuspend, (A, A), (A, N), (N, N));
    t.op(Op::ProviderSubCustomize, (A, A), (A, N), (N, N));

    // IP addresses (R7.5, ip.rs): registered, listed, changed and removed by the admin
    // only; everyone else is refused before any address is looked up.
    t.global(Op::IpAdd, A, F, F);
    t.global(Op::IpList, A, A, F);
    t.op(Op::IpUpdate, (A, A), (F, F), (F, F));
    t.op(Op::IpRemove, (A, A), (F, F), (F, F));

    // Conversions and moves (R1.6, R1.7): admin only, refused before any lookup. A
    // reseller that still owns customers (both do) is refused by R1.6 once the rights
    // check has passed.
    t.op(Op::ConvertToReseller, (A, A), (F, F), (F, F));
    t.op(Op::ConvertToCustomer, (C, C), (F, F), (F, F));
    t.op(Op::MoveCustomer, (A, A), (F, F), (F, F));

    // Domains and DNS (R3.9, R7.1-R7.4, site.rs): the admin and the provider manage a
    // subscription's names and zones; its subscriber too, with create_domains,
    // manage_domain_aliases, manage_subdomains and manage_dns (which its plan grants);
    // another owner's names are not found. The DNS template is the admin's.
    for op in [
        Op::SiteCreate,
        Op::SiteList,
        Op::SiteRemove,
        Op::AliasCreate,
        Op::AliasUpdate,
        Op::AliasList,
        Op::AliasRemove,
        Op::SubdomainCreate,
        Op::SubdomainList,
        Op::SubdomainRemove,
        Op::DnsZone,
        Op::DnsRecordAdd,
        Op::DnsRecordRemove,
    ] {
        t.op(op, (A, A), (A, N), (A, N));
    }
    // R11.2 "only what its permissions grant": without them the subscriber is refused.
    for op in [
        Op::BasicSiteCreate,
        Op::BasicAliasCreate,
        Op::BasicSubdomainCreate,
        Op::BasicDnsRecordAdd,
    ] {
        t.op(op, (A, A), (A, N), (F, N));
    }
    // API keys act as their account: everyone creates and lists its own; the admin
    // revokes anyone's; another account's key is not found.
    t.global(Op::ApiKeyCreate, A, A, A);
    t.global(Op::ApiKeyList, A, A, A);
    t.op(Op::ApiKeyRevoke, (A, A), (A, N), (A, N));
    t.global(Op::DnsTemplate, A, F, F);
    t.global(Op::DnsTemplateSet, A, F, F);
    t.global(Op::DnsTemplateApply, A, F, F);

    // Removing an address that is in a reseller's pool is refused with a clear conflict.
    t.expect(
        (Op::IpRemove, Role::Admin, &[Target::Foreign]),
        Outcome::Conflict,
    );
    t
}

// ---------------------------------------------------------------------------------------
// The world and the runner.
// ---------------------------------------------------------------------------------------

fn account(login: &str, owner: Option<&str>) -> NewAccount {
    NewAccount {
        login: login.into(),
        password: format!("{login}-password"),
        contact: ContactInput {
            name: Some(login.into()),
            email: Some(format!("{login}@example.com")),
            ..Default::default()
        },
        description: Some(note(login)),
        owner: owner.map(str::to_owned),
        ..Default::default()
    }
}

fn limit(raw: &str) -> Assignment {
    (Group::Limits, raw.to_owned())
}

struct World {
    app: Berth,
    actors: HashMap<Who, Actor>,
    /// Subscription ids by name.
    ids: HashMap<&'static str, String>,
    /// The server's DNS template as text.
    template: String,
    /// Each actor's API key id.
    keys: HashMap<Who, String>,
}

/// What one call answered, with the names the caller gave it.
struct Call {
    asked: Vec<String>,
    result: Result<Value, Error>,
}

fn one<T: Serialize>(result: Result<T, Error>) -> Result<Value, Error> {
    result.map(|v| serde_json::to_value(v).unwrap())
}

fn bulk<T: Serialize>(items: Vec<BulkItem<T>>) -> Result<Value, Error> {
    assert_eq!(items.len(), 1, "one object asked, one reported");
    let item = items.into_iter().next().unwrap();
    match (item.ok, item.error) {
        (true, None) => Ok(serde_json::to_value(item.result).unwrap()),
        (false, Some(e)) => Err(e),
        (ok, e) => panic!("inconsistent bulk item: ok={ok}, error={e:?}"),
    }
}

fn ask(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

/// `names` and the `--owner` when one is given.
fn ask_owner(names: &[&str], owner: Option<&str>) -> Vec<String> {
    let mut out = ask(names);
    out.extend(owner.map(str::to_owned));
    out
}

async fn world(env: &Env) -> World {
    let app = env.app.clone();
    let admin = app.actor(None).await.unwrap();
    for ip in [
        ZULU.used_ip,
        ZULU.spare_ip,
        ALPHA.used_ip,
        ALPHA.spare_ip,
        BRAVO.used_ip,
        BRAVO.spare_ip,
    ] {
        app.add_ip(&admin, ip, "shared", None, Mode::Apply)
            .await
            .unwrap();
    }
    app.create_plan(
        &admin,
        RESELLER_PLAN,
        PlanType::Reseller,
        None,
        &[],
        Mode::Apply,
    )
    .await
    .unwrap();
    for side in [Side::Zulu, Side::Alpha, Side::Bravo] {
        let n = names(side);
        let provider = match n.reseller {
            Some(login) => {
                app.create_account(
                    &admin,
                    AccountKind::Reseller,
                    account(login, None),
                    Mode::Apply,
                )
                .await
                .unwrap();
                let pool = app
                    .pool_add(
                        &admin,
                        login,
                        &[n.used_ip.into(), n.spare_ip.into()],
                        Mode::Apply,
                        &NoProgress,
                    )
                    .await;
                assert!(pool.iter().all(|p| p.ok), "{pool:?}");
                app.actor(Some(login)).await.unwrap()
            }
            None => admin.clone(),
        };
        app.create_account(
            &provider,
            AccountKind::Customer,
            account(n.customer, None),
            Mode::Apply,
        )
        .await
        .unwrap();
        for (name, plan_type) in [
            (n.plan, PlanType::Service),
            (n.addon, PlanType::Addon),
            (n.bonus, PlanType::Addon),
            (n.spare, PlanType::Service),
        ] {
            app.create_plan(&provider, name, plan_type, None, &[], Mode::Apply)
                .await
                .unwrap();
        }
        let denied: Vec<Assignment> = DOMAIN_PERMISSIONS
            .iter()
            .map(|p| (Group::Permissions, format!("{p}=false")))
            .collect();
        app.create_plan(
            &provider,
            n.basic_plan,
            PlanType::Service,
            None,
            &denied,
            Mode::Apply,
        )
        .await
        .unwrap();
        for (domain, owner, plan, addons) in [
            (n.sub, n.customer, n.plan, vec![n.addon.to_owned()]),
            (n.provider_sub, n.provider, n.plan, vec![]),
            (n.basic_sub, n.customer, n.basic_plan, vec![]),
        ] {
            let input = NewSubscription {
                domain: domain.into(),
                owner: Some(owner.into()),
                plan: Some(plan.into()),
                addons,
                ips: vec![n.used_ip.into()],
                ..Default::default()
            };
            app.create_subscription(&provider, input, Mode::Apply)
                .await
                .unwrap();
        }
        let site = NewSite {
            domain: n.site.into(),
            subscription: n.sub.into(),
            ..Default::default()
        };
        app.create_site(&provider, site, Mode::Apply).await.unwrap();
        let alias = NewAlias {
            alias: n.alias.into(),
            domain: n.sub.into(),
            ..Default::default()
        };
        app.create_alias(&provider, alias, Mode::Apply)
            .await
            .unwrap();
        let subdomain = NewSubdomain {
            name: n.subdomain.into(),
            domain: n.sub.into(),
            ..Default::default()
        };
        app.create_subdomain(&provider, subdomain, Mode::Apply)
            .await
            .unwrap();
        app.add_dns_record(&provider, n.sub, txt(RECORD), Mode::Apply)
            .await
            .unwrap();
    }
    let mut actors = HashMap::new();
    for who in EVERYONE {
        actors.insert(who, app.actor(Some(who.login())).await.unwrap());
    }
    let template = app.dns_template(&admin).await.unwrap().text;
    let mut keys = HashMap::new();
    for (who, actor) in &actors {
        let key = app.create_api_key(actor, &[], Mode::Apply).await.unwrap();
        keys.insert(*who, key.id.to_string());
    }
    let mut ids = HashMap::new();
    for n in [&ZULU, &ALPHA, &BRAVO] {
        for name in [n.sub, n.provider_sub] {
            let view = app.subscription_info(&admin, name).await.unwrap();
            ids.insert(name, view.id.to_string());
        }
    }
    World {
        app,
        actors,
        ids,
        template,
        keys,
    }
}

impl World {
    /// Everything there is, as the admin sees it: compared before and after the table.
    async fn snapshot(&self) -> Value {
        let admin = &self.actors[&Who::Admin];
        let app = &self.app;
        let mut accounts = vec![];
        for kind in [AccountKind::Reseller, AccountKind::Customer] {
            let page = app
                .list_accounts(admin, kind, ListRequest::default())
                .await
                .unwrap();
            accounts.push(serde_json::to_value(page).unwrap());
        }
        let mut overviews = vec![];
        for login in ["alpha-res", "bravo-res"] {
            overviews.push(one(app.reseller_overview(admin, login).await).unwrap());
        }
        let mut zones = vec![];
        for n in [&ZULU, &ALPHA, &BRAVO] {
            zones.push(one(app.dns_zone(admin, n.sub).await).unwrap());
        }
        let mut keys = vec![];
        for actor in self.actors.values() {
            keys.push(one(app.list_api_keys(actor).await).unwrap());
        }
        keys.sort_by_key(ToString::to_string);
        serde_json::json!({
            "api_keys": keys,
            "zones": zones,
            "sites": one(app.list_sites(admin, None).await).unwrap(),
            "aliases": one(app.list_aliases(admin, None).await).unwrap(),
            "subdomains": one(app.list_subdomains(admin, None).await).unwrap(),
            "template": one(app.dns_template(admin).await).unwrap(),
            "accounts": accounts,
            "overviews": overviews,
            "plans": one(app.list_plans(admin, None, None).await).unwrap(),
            "subscriptions": one(app.list_subscriptions(admin, SubscriptionListRequest::default()).await).unwrap(),
            "ips": one(app.list_ips(admin).await).unwrap(),
        })
    }

    /// Runs `op` as `who` on `target`, as a dry run when it changes anything.
    async fn call(&self, op: Op, who: Who, target: Target) -> Call {
        let app = &self.app;
        let me = &self.actors[&who];
        let own = names(who.home());
        let n = names(who.side(target));
        let reseller = names(who.reseller_side(target)).reseller.unwrap_or("admin");
        let dry = Mode::DryRun;
        let p = &NoProgress;
        // The --owner of plan operations: none for one's own plans.
        let plan_owner = (target != Target::Own).then_some(n.provider);
        let contact = || AccountUpdate {
            contact: ContactInput {
                city: Some("Lyon".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        let customer = AccountKind::Customer;
        let res = AccountKind::Reseller;
        match op {
            Op::CustomerCreate => Call {
                asked: ask(&[n.provider]),
                result: one(app
                    .create_account(me, customer, account("new-cust", Some(n.provider)), dry)
                    .await),
            },
            Op::CustomerCreateWithSubscription => Call {
                asked: ask(&[n.provider, n.plan, n.used_ip]),
                result: one(app
                    .create_customer_with_subscription(
                        me,
                        account("new-cust", Some(n.provider)),
                        NewSubscription {
                            domain: "new-site.example".into(),
                            plan: Some(n.plan.into()),
                            ips: vec![n.used_ip.into()],
                            ..Default::default()
                        },
                        dry,
                    )
                    .await),
            },
            Op::CustomerUpdateContact => Call {
                asked: ask(&[n.customer]),
                result: one(app
                    .update_account(me, customer, n.customer, contact(), dry)
                    .await),
            },
            Op::CustomerUpdateLogin => Call {
                asked: ask(&[n.customer]),
                result: one(app
                    .update_account(
                        me,
                        customer,
                        n.customer,
                        AccountUpdate {
                            new_login: Some("renamed-cust".into()),
                            ..Default::default()
                        },
                        dry,
                    )
                    .await),
            },
            Op::CustomerUpdateDescription => Call {
                asked: ask(&[n.customer]),
                result: one(app
                    .update_account(
                        me,
                        customer,
                        n.customer,
                        AccountUpdate {
                            description: Some("rewritten".into()),
                            ..Default::default()
                        },
                        dry,
                    )
                    .await),
            },
            Op::CustomerInfo => Call {
                asked: ask(&[n.customer]),
                result: one(app.account_info(me, customer, n.customer).await),
            },
            Op::CustomerList => {
                let owner = (target != Target::Own).then_some(n.provider);
                let request = ListRequest {
                    owner: owner.map(str::to_owned),
                    ..Default::default()
                };
                Call {
                    asked: ask_owner(&[], owner),
                    result: one(app.list_accounts(me, customer, request).await),
                }
            }
            Op::CustomerListAfter => {
                let request = ListRequest {
                    after: Some(n.customer.into()),
                    ..Default::default()
                };
                Call {
                    asked: ask(&[n.customer]),
                    result: one(app.list_accounts(me, customer, request).await),
                }
            }
            Op::CustomerRemove => Call {
                asked: ask(&[n.customer]),
                result: bulk(
                    app.remove_accounts(me, customer, &[n.customer.into()], dry, p)
                        .await,
                ),
            },
            Op::CustomerSuspend => Call {
                asked: ask(&[n.customer]),
                result: bulk(
                    app.suspend_accounts(me, customer, &[n.customer.into()], dry, p)
                        .await,
                ),
            },
            Op::CustomerActivate => Call {
                asked: ask(&[n.customer]),
                result: bulk(
                    app.activate_accounts(me, customer, &[n.customer.into()], dry, p)
                        .await,
                ),
            },
            Op::ResellerCreate => Call {
                asked: vec![],
                result: one(app
                    .create_account(me, res, account("new-res", None), dry)
                    .await),
            },
            Op::ResellerList => Call {
                asked: vec![],
                result: one(app.list_accounts(me, res, ListRequest::default()).await),
            },
            Op::ResellerUpdateContact => Call {
                asked: ask(&[reseller]),
                result: one(app.update_account(me, res, reseller, contact(), dry).await),
            },
            Op::ResellerUpdateDescription => Call {
                asked: ask(&[reseller]),
                result: one(app
                    .update_account(
                        me,
                        res,
                        reseller,
                        AccountUpdate {
                            description: Some("rewritten".into()),
                            ..Default::default()
                        },
                        dry,
                    )
                    .await),
            },
            Op::ResellerInfo => Call {
                asked: ask(&[reseller]),
                result: one(app.account_info(me, res, reseller).await),
            },
            Op::ResellerRemove => Call {
                asked: ask(&[reseller]),
                result: bulk(
                    app.remove_accounts(me, res, &[reseller.into()], dry, p)
                        .await,
                ),
            },
            Op::ResellerSuspend => Call {
                asked: ask(&[reseller]),
                result: bulk(
                    app.suspend_accounts(me, res, &[reseller.into()], dry, p)
                        .await,
                ),
            },
            Op::ResellerActivate => Call {
                asked: ask(&[reseller]),
                result: bulk(
                    app.activate_accounts(me, res, &[reseller.into()], dry, p)
                        .await,
                ),
            },
            Op::ResellerSetTerms => {
                let terms = ResellerTerms {
                    plan: None,
                    assignments: vec![limit("max_cl=50")],
                };
                Call {
                    asked: ask(&[reseller]),
                    result: one(app.set_reseller_terms(me, reseller, &terms, dry).await),
                }
            }
            Op::ResellerOverview => Call {
                asked: ask(&[reseller]),
                result: one(app.reseller_overview(me, reseller).await),
            },
            Op::PoolAdd => Call {
                asked: ask(&[reseller, UNPOOLED_IP]),
                result: bulk(
                    app.pool_add(me, reseller, &[UNPOOLED_IP.into()], dry, p)
                        .await,
                ),
            },
            Op::PoolRemove => {
                let ip = names(who.reseller_side(target)).spare_ip;
                Call {
                    asked: ask(&[reseller, ip]),
                    result: bulk(app.pool_remove(me, reseller, &[ip.into()], dry, p).await),
                }
            }
            Op::PlanCreate | Op::PlanCreateResellerPlan => {
                let plan_type = if op == Op::PlanCreate {
                    PlanType::Service
                } else {
                    PlanType::Reseller
                };
                Call {
                    asked: ask_owner(&[], plan_owner),
                    result: one(app
                        .create_plan(me, "New Plan", plan_type, plan_owner, &[], dry)
                        .await),
                }
            }
            Op::PlanUpdate => Call {
                asked: ask_owner(&[n.plan], plan_owner),
                result: one(app
                    .update_plan(
                        me,
                        n.plan,
                        None,
                        plan_owner,
                        None,
                        &[limit("max_site=7")],
                        dry,
                    )
                    .await),
            },
            Op::PlanInfo => Call {
                asked: ask_owner(&[n.plan], plan_owner),
                result: one(app.plan_info(me, n.plan, None, plan_owner).await),
            },
            Op::PlanList => Call {
                asked: ask_owner(&[], plan_owner),
                result: one(app.list_plans(me, None, plan_owner).await),
            },
            Op::PlanRemove => Call {
                asked: ask_owner(&[n.spare], plan_owner),
                result: one(app.remove_plan(me, n.spare, None, plan_owner, dry).await),
            },
            Op::SubCreate | Op::SubCreateWithPlanOf | Op::SubCreateOnIpOf => {
                let (owner, plan, ip) = match op {
                    Op::SubCreate => (n.customer, n.plan, n.used_ip),
                    Op::SubCreateWithPlanOf => (own.customer, n.plan, own.used_ip),
                    _ => (own.customer, own.plan, n.used_ip),
                };
                let input = NewSubscription {
                    domain: "new-site.example".into(),
                    owner: Some(owner.into()),
                    plan: Some(plan.into()),
                    ips: vec![ip.into()],
                    ..Default::default()
                };
                Call {
                    asked: ask(&[owner, plan, ip]),
                    result: one(app.create_subscription(me, input, dry).await),
                }
            }
            Op::SubInfo => Call {
                asked: ask(&[n.sub]),
                result: one(app.subscription_info(me, n.sub).await),
            },
            Op::SubList => {
                let owner = (target != Target::Own).then_some(n.customer);
                let request = SubscriptionListRequest {
                    owner: owner.map(str::to_owned),
                    ..Default::default()
                };
                Call {
                    asked: ask_owner(&[], owner),
                    result: one(app.list_subscriptions(me, request).await),
                }
            }
            Op::SubListByPlan => {
                let request = SubscriptionListRequest {
                    plan: Some(n.plan.into()),
                    ..Default::default()
                };
                Call {
                    asked: ask(&[n.plan]),
                    result: one(app.list_subscriptions(me, request).await),
                }
            }
            Op::SubListAfterName | Op::SubListAfterId => {
                let cursor = if op == Op::SubListAfterName {
                    n.sub.to_owned()
                } else {
                    self.ids[n.sub].clone()
                };
                let request = SubscriptionListRequest {
                    after: Some(cursor.clone()),
                    ..Default::default()
                };
                Call {
                    asked: vec![cursor],
                    result: one(app.list_subscriptions(me, request).await),
                }
            }
            Op::SubChangePlan | Op::SubChangePlanToPlanOf => {
                let sub = if op == Op::SubChangePlan {
                    n.sub
                } else {
                    own.sub
                };
                Call {
                    asked: ask(&[sub, n.spare]),
                    result: bulk(
                        app.change_plan(me, &[sub.into()], Some(n.spare), dry, p)
                            .await,
                    ),
                }
            }
            Op::SubAddAddon | Op::SubAddAddonOf => {
                let sub = if op == Op::SubAddAddon {
                    n.sub
                } else {
                    own.sub
                };
                Call {
                    asked: ask(&[sub, n.bonus]),
                    result: bulk(app.add_addon(me, &[sub.into()], n.bonus, dry, p).await),
                }
            }
            Op::SubRemoveAddon => Call {
                asked: ask(&[n.sub, n.addon]),
                result: bulk(app.remove_addon(me, &[n.sub.into()], n.addon, dry, p).await),
            },
            Op::SubCustomize | Op::ProviderSubCustomize => {
                let sub = if op == Op::SubCustomize {
                    n.sub
                } else {
                    n.provider_sub
                };
                Call {
                    asked: ask(&[sub]),
                    result: one(app.customize(me, sub, &[limit("max_site=5")], dry).await),
                }
            }
            Op::SubUnlock => Call {
                asked: ask(&[n.sub]),
                result: bulk(app.unlock(me, &[n.sub.into()], &[], dry, p).await),
            },
            Op::SubSync => Call {
                asked: ask(&[n.sub]),
                result: one(app.sync_subscription(me, n.sub, false, dry).await),
            },
            Op::SubChangeSubscriber | Op::SubChangeSubscriberTo => {
                let sub = if op == Op::SubChangeSubscriber {
                    n.sub
                } else {
                    own.sub
                };
                Call {
                    asked: ask(&[sub, n.provider]),
                    result: bulk(
                        app.change_subscriber(me, &[sub.into()], n.provider, dry, p)
                            .await,
                    ),
                }
            }
            Op::SubRenew => Call {
                asked: ask(&[n.sub]),
                result: one(app.renew(me, n.sub, "2030-01-31", dry).await),
            },
            Op::SubSetHosting | Op::SubSetHostingIpOf => {
                let (sub, change, mut asked) = if op == Op::SubSetHosting {
                    let change = HostingChange {
                        system_password: Some("another-system-pass".into()),
                        ..Default::default()
                    };
                    (n.sub, change, vec![])
                } else {
                    let change = HostingChange {
                        ips: vec![n.used_ip.into()],
                        ..Default::default()
                    };
                    (own.sub, change, vec![n.used_ip.to_owned()])
                };
                asked.push(sub.to_owned());
                Call {
                    asked,
                    result: one(app.set_hosting(me, sub, change, dry).await),
                }
            }
            Op::SubRemove => Call {
                asked: ask(&[n.sub]),
                result: bulk(app.remove_subscriptions(me, &[n.sub.into()], dry, p).await),
            },
            Op::SubSuspend | Op::ProviderSubSuspend => {
                let sub = if op == Op::SubSuspend {
                    n.sub
                } else {
                    n.provider_sub
                };
                Call {
                    asked: ask(&[sub]),
                    result: bulk(app.suspend_subscriptions(me, &[sub.into()], dry, p).await),
                }
            }
            Op::SubActivate => Call {
                asked: ask(&[n.sub]),
                result: bulk(
                    app.activate_subscriptions(me, &[n.sub.into()], dry, p)
                        .await,
                ),
            },
            Op::ProviderSubInfo => Call {
                asked: ask(&[n.provider_sub]),
                result: one(app.subscription_info(me, n.provider_sub).await),
            },
            Op::IpAdd => Call {
                asked: vec![],
                result: one(app.add_ip(me, "198.51.100.77", "shared", None, dry).await),
            },
            Op::IpList => Call {
                asked: vec![],
                result: one(app.list_ips(me).await),
            },
            Op::IpUpdate => Call {
                asked: ask(&[n.spare_ip]),
                result: one(app.update_ip(me, n.spare_ip, None, Some("eth1"), dry).await),
            },
            Op::IpRemove => Call {
                asked: ask(&[n.spare_ip]),
                result: bulk(app.remove_ips(me, &[n.spare_ip.into()], dry, p).await),
            },
            Op::ConvertToReseller => Call {
                asked: ask(&[n.customer]),
                result: bulk(
                    app.convert_to_reseller(me, &[n.customer.into()], None, dry, p)
                        .await,
                ),
            },
            Op::ConvertToCustomer => Call {
                asked: ask(&[reseller]),
                result: bulk(
                    app.convert_to_customer(me, &[reseller.into()], None, dry, p)
                        .await,
                ),
            },
            Op::MoveCustomer => {
                // To the other reseller, on an address of its pool.
                let to = names(if who.side(target) == Side::Alpha {
                    Side::Bravo
                } else {
                    Side::Alpha
                });
                Call {
                    asked: ask(&[n.customer, to.provider, to.used_ip]),
                    result: bulk(
                        app.move_customers(
                            me,
                            &[n.customer.into()],
                            to.provider,
                            None,
                            &[to.used_ip.into()],
                            dry,
                            p,
                        )
                        .await,
                    ),
                }
            }
            Op::SiteCreate | Op::BasicSiteCreate => {
                let sub = if op == Op::SiteCreate {
                    n.sub
                } else {
                    n.basic_sub
                };
                let input = NewSite {
                    domain: "new-site.example".into(),
                    subscription: sub.into(),
                    ..Default::default()
                };
                Call {
                    asked: ask(&[sub]),
                    result: one(app.create_site(me, input, dry).await),
                }
            }
            Op::SiteList | Op::AliasList | Op::SubdomainList => {
                let filter = (target != Target::Own).then_some(n.sub);
                let result = match op {
                    Op::SiteList => app.list_sites(me, filter).await,
                    Op::AliasList => app.list_aliases(me, filter).await,
                    _ => app.list_subdomains(me, filter).await,
                };
                Call {
                    asked: ask_owner(&[], filter),
                    result: one(result),
                }
            }
            Op::SiteRemove => Call {
                asked: ask(&[n.site]),
                result: bulk(app.remove_sites(me, &[n.site.into()], dry, p).await),
            },
            Op::AliasCreate | Op::BasicAliasCreate => {
                let sub = if op == Op::AliasCreate {
                    n.sub
                } else {
                    n.basic_sub
                };
                let input = NewAlias {
                    alias: "new-alias.example".into(),
                    domain: sub.into(),
                    ..Default::default()
                };
                Call {
                    asked: ask(&[sub]),
                    result: one(app.create_alias(me, input, dry).await),
                }
            }
            Op::AliasUpdate => {
                let change = AliasChange {
                    web: Some("same".into()),
                    ..Default::default()
                };
                Call {
                    asked: ask(&[n.alias]),
                    result: one(app.update_alias(me, n.alias, change, dry).await),
                }
            }
            Op::AliasRemove => Call {
                asked: ask(&[n.alias]),
                result: bulk(app.remove_aliases(me, &[n.alias.into()], dry, p).await),
            },
            Op::SubdomainCreate | Op::BasicSubdomainCreate => {
                let sub = if op == Op::SubdomainCreate {
                    n.sub
                } else {
                    n.basic_sub
                };
                let input = NewSubdomain {
                    name: "shop".into(),
                    domain: sub.into(),
                    ..Default::default()
                };
                Call {
                    asked: ask(&[sub]),
                    result: one(app.create_subdomain(me, input, dry).await),
                }
            }
            Op::SubdomainRemove => Call {
                asked: ask(&[n.subdomain]),
                result: bulk(
                    app.remove_subdomains(me, &[n.subdomain.into()], dry, p)
                        .await,
                ),
            },
            Op::DnsZone => Call {
                asked: ask(&[n.sub]),
                result: one(app.dns_zone(me, n.sub).await),
            },
            Op::DnsRecordAdd | Op::BasicDnsRecordAdd => {
                let sub = if op == Op::DnsRecordAdd {
                    n.sub
                } else {
                    n.basic_sub
                };
                Call {
                    asked: ask(&[sub]),
                    result: one(app.add_dns_record(me, sub, txt("added"), dry).await),
                }
            }
            Op::DnsRecordRemove => Call {
                asked: ask(&[n.sub]),
                result: one(app.remove_dns_record(me, n.sub, txt(RECORD), dry).await),
            },
            Op::ApiKeyCreate => Call {
                asked: vec![],
                result: one(app.create_api_key(me, &[], dry).await),
            },
            Op::ApiKeyList => Call {
                asked: vec![],
                result: one(app.list_api_keys(me).await),
            },
            Op::ApiKeyRevoke => {
                let id = self.keys[&who.key_holder(target)].clone();
                Call {
                    asked: vec![id.clone()],
                    result: one(app.revoke_api_key(me, &id, dry).await),
                }
            }
            Op::DnsTemplate => Call {
                asked: vec![],
                result: one(app.dns_template(me).await),
            },
            Op::DnsTemplateSet => Call {
                asked: vec![],
                result: one(app.set_dns_template(me, &self.template, dry).await),
            },
            Op::DnsTemplateApply => Call {
                asked: vec![],
                result: one(app.apply_dns_template(me, dry, p).await),
            },
        }
    }
}

/// What a call got, and what it showed that its actor may not see.
struct Verdict {
    actual: Outcome,
    /// The error, if any, for the report.
    detail: String,
    leaked: Vec<String>,
}

fn judge(who: Who, call: &Call) -> Verdict {
    let (actual, detail, shown) = match &call.result {
        Ok(value) => (Outcome::Allowed, String::new(), value.to_string()),
        Err(e) => {
            let actual = match e.code {
                ErrorCode::Forbidden => Outcome::Forbidden,
                ErrorCode::NotFound => Outcome::NotFound,
                ErrorCode::Invalid => Outcome::Invalid,
                ErrorCode::Conflict => Outcome::Conflict,
                other => Outcome::Other(other),
            };
            // An error may repeat what the caller named, nothing else of another owner.
            let mut message = e.message.clone();
            for asked in &call.asked {
                message = message.replace(asked.as_str(), "<asked>");
            }
            let detail = format!(" (field {:?}: {})", e.field, e.message);
            (actual, detail, message)
        }
    };
    let shown = shown.to_lowercase();
    let leaked = who
        .unseen()
        .into_iter()
        .filter(|token| shown.contains(&token.to_lowercase()))
        .map(|token| format!("{token:?} in {shown}"))
        .collect();
    Verdict {
        actual,
        detail,
        leaked,
    }
}

async fn r11_2_rights_table(env: Env) {
    let engine = format!("{:?}", env.app);
    let w = world(&env).await;
    let before = w.snapshot().await;
    let rows = table().0;
    let (mut failures, mut bugs, mut fixed) = (vec![], vec![], vec![]);
    for row in &rows {
        let call = w.call(row.op, row.who, row.target).await;
        let label = format!(
            "{} | as {} ({:?}) | {} object | asked {:?}",
            row.op.name(),
            row.who.login(),
            row.who,
            row.target,
            call.asked
        );
        let v = judge(row.who, &call);
        let (expected, actual, detail) = (row.expected, v.actual, &v.detail);
        if !v.leaked.is_empty() {
            failures.push(format!(
                "{label}: shows what it may not see: {:?}",
                v.leaked
            ));
        }
        match row.known_bug {
            None if actual == expected => {}
            None => failures.push(format!(
                "{label}: expected {expected}, got {actual}{detail}"
            )),
            Some(bug) if actual == expected => fixed.push(format!(
                "{label}: now {actual} as expected; drop its known_bug ({})",
                bug.why
            )),
            Some(bug) if actual == bug.today => bugs.push(format!(
                "{label}: expected {expected}, got {actual}{detail}\n    known bug: {}",
                bug.why
            )),
            Some(bug) => failures.push(format!(
                "{label}: expected {expected} (known bug: {} today), got {actual}{detail}",
                bug.today
            )),
        }
    }
    let after = w.snapshot().await;
    println!(
        "{engine}: {} rows, {} as expected, {} known bugs, {} failures",
        rows.len(),
        rows.len() - failures.len() - bugs.len(),
        bugs.len(),
        failures.len()
    );
    for bug in &bugs {
        println!("KNOWN BUG {bug}");
    }
    for f in &fixed {
        println!("FIXED {f}");
    }
    assert_eq!(before, after, "a dry run wrote something");
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}
