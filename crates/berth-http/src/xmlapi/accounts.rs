//! `customer` and `reseller`: add, get, set, del, conversions, moves and IP pools, through
//! the account use cases. Customers spell their datasets with `_` (`gen_info`, `cr_date`),
//! resellers with `-` (`gen-info`, `cr-date`).

use berth_app::NoProgress;
use berth_app::accounts::{AccountUpdate, ListRequest, NewAccount};
use berth_app::resellers::ResellerTerms;
use berth_app::views::{AccountView, BulkItem};
use berth_app::{Berth, Mode};
use berth_core::account::{AccountKind, ContactInput};
use berth_core::property::{Group, PlanType};
use berth_core::{Error, Result};
use std::collections::HashMap;

use super::Ctx;
use super::errors;
use super::filter::{self, Wanted};
use super::hosting;
use super::names;
use super::packet::Node;
use super::reply::{self, El};

/// `customer` operations.
pub const CUSTOMER_OPERATIONS: &[&str] = &[
    "add",
    "get",
    "set",
    "del",
    "convert-to-reseller",
    "change-owner",
    "get-domain-list",
];

/// `reseller` operations.
pub const RESELLER_OPERATIONS: &[&str] = &[
    "add",
    "get",
    "set",
    "del",
    "convert-to-customer",
    "ippool-add-ip",
    "ippool-del-ip",
    "switch-subscription",
    "sync-subscription",
];

const CUSTOMER_FILTERS: &[&str] = &[
    "id",
    "login",
    "guid",
    "external-id",
    "owner-id",
    "owner-login",
    "owner-guid",
];
const RESELLER_FILTERS: &[&str] = &["id", "login", "guid", "external-id", "all"];

/// How one account kind is spelt.
#[derive(Debug, Clone, Copy)]
struct Style {
    kind: AccountKind,
    gen_info: &'static str,
    cr_date: &'static str,
    filters: &'static [&'static str],
}

const CUSTOMER: Style = Style {
    kind: AccountKind::Customer,
    gen_info: "gen_info",
    cr_date: "cr_date",
    filters: CUSTOMER_FILTERS,
};

const RESELLER: Style = Style {
    kind: AccountKind::Reseller,
    gen_info: "gen-info",
    cr_date: "cr-date",
    filters: RESELLER_FILTERS,
};

/// Runs one `customer` or `reseller` operation.
pub(crate) async fn run(ctx: &Ctx, operator: &str, op: &Node) -> El {
    let style = if operator == "reseller" {
        RESELLER
    } else {
        CUSTOMER
    };
    let results = match op.name.as_str() {
        "add" => vec![
            add(ctx, style, op)
                .await
                .unwrap_or_else(|e| reply::error(&e)),
        ],
        "get" => get(ctx, style, op).await,
        "set" => set(ctx, style, op).await,
        "del" => del(ctx, style, op).await,
        "convert-to-reseller" | "convert-to-customer" => convert(ctx, style, op).await,
        "change-owner" => change_owner(ctx, op).await,
        "get-domain-list" => domain_list(ctx, op).await,
        "switch-subscription" | "sync-subscription" => reseller_plan(ctx, op).await,
        "ippool-add-ip" | "ippool-del-ip" => {
            vec![pool(ctx, op).await.unwrap_or_else(|e| reply::error(&e))]
        }
        other => vec![reply::coded(
            errors::PARSE,
            &format!("unknown operation {other}"),
        )],
    };
    filter::wrap(op, results)
}

fn nonempty(node: &Node, name: &str) -> Option<String> {
    node.text_of(name)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

fn contact(info: &Node) -> ContactInput {
    ContactInput {
        name: nonempty(info, "pname"),
        company: info.text_of("cname").map(str::to_owned),
        email: nonempty(info, "email"),
        phone: info.text_of("phone").map(str::to_owned),
        fax: info.text_of("fax").map(str::to_owned),
        address: info.text_of("address").map(str::to_owned),
        city: info.text_of("city").map(str::to_owned),
        state: info.text_of("state").map(str::to_owned),
        postal_code: info.text_of("pcode").map(str::to_owned),
        country: nonempty(info, "country"),
        locale: nonempty(info, "locale"),
    }
}

/// Drops empty optional fields: a new account's absent data is absent, not "".
fn without_empty(mut c: ContactInput) -> ContactInput {
    for field in [
        &mut c.company,
        &mut c.phone,
        &mut c.fax,
        &mut c.address,
        &mut c.city,
        &mut c.state,
        &mut c.postal_code,
    ] {
        if field.as_deref().is_some_and(|v| v.trim().is_empty()) {
            *field = None;
        }
    }
    c
}

/// The owner login named by `owner-login`, `owner-id` or `owner-guid`, if any.
async fn owner_of(app: &Berth, node: &Node) -> Result<Option<String>> {
    if let Some(login) = nonempty(node, "owner-login") {
        return Ok(Some(login));
    }
    if let Some(id) = nonempty(node, "owner-id") {
        return names::login_of_id(app, "owner-id", &id).await.map(Some);
    }
    if let Some(guid) = nonempty(node, "owner-guid") {
        return names::login_of_guid(app, "owner-guid", &guid)
            .await
            .map(Some);
    }
    Ok(None)
}

/// A reseller's `limits` (with `resource-policy`), `permissions` and `plan-name`.
fn terms(node: &Node) -> Result<ResellerTerms> {
    let mut assignments = Vec::new();
    if let Some(limits) = node.child("limits") {
        if let Some(policy) = limits.child("resource-policy") {
            if let Some(oversell) = policy.text_of("oversell") {
                let on = names::boolean("oversell", oversell)?;
                assignments.push((Group::Permissions, format!("allow_oversell={on}")));
            }
            if let Some(overuse) = policy.text_of("overuse") {
                assignments.push((Group::Limits, format!("overuse={overuse}")));
            }
        }
        assignments.extend(names::assignments(limits, "limit", Group::Limits)?);
    }
    if let Some(permissions) = node.child("permissions") {
        assignments.extend(names::assignments(
            permissions,
            "permission",
            Group::Permissions,
        )?);
    }
    Ok(ResellerTerms {
        plan: nonempty(node, "plan-name"),
        assignments,
    })
}

async fn add(ctx: &Ctx, style: Style, op: &Node) -> Result<El> {
    let info = op.child(style.gen_info).ok_or_else(|| {
        Error::invalid(style.gen_info, format!("<add> needs <{}>", style.gen_info))
    })?;
    let suspended = match info.text_of("status") {
        Some(s) => names::settable_status(s)?,
        None => false,
    };
    let input = NewAccount {
        login: info.text_of("login").unwrap_or_default().to_owned(),
        password: info.text_of("passwd").unwrap_or_default().to_owned(),
        contact: without_empty(contact(info)),
        description: nonempty(info, "description"),
        external_id: nonempty(info, "external-id"),
        owner: owner_of(&ctx.app, info).await?,
        reseller: match style.kind {
            AccountKind::Reseller => terms(op)?,
            _ => ResellerTerms::default(),
        },
    };
    let view = ctx
        .app
        .create_account(&ctx.actor, style.kind, input, Mode::Apply)
        .await?;
    if suspended {
        let login = [view.login.clone()];
        bulk_ok(
            ctx.app
                .suspend_accounts(&ctx.actor, style.kind, &login, Mode::Apply, &NoProgress)
                .await,
        )?;
    }
    let ids = names::ids_of(&ctx.app, &[view.id]).await?;
    Ok(reply::ok()
        .with_opt("id", ids.get(&view.id))
        .with_text("guid", view.id))
}

/// The first error of a bulk report, if any.
pub(crate) fn bulk_ok<T>(items: Vec<BulkItem<T>>) -> Result<Vec<T>> {
    items
        .into_iter()
        .map(|i| match (i.result, i.error) {
            (Some(r), _) => Ok(r),
            (None, Some(e)) => Err(e),
            (None, None) => Err(Error::failed("the operation reported nothing")),
        })
        .collect()
}

/// Every account of `kind` the actor sees, optionally of one owner, page by page.
pub(crate) async fn list_all(
    ctx: &Ctx,
    kind: AccountKind,
    owner: Option<String>,
) -> Result<Vec<AccountView>> {
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = ctx
            .app
            .list_accounts(
                &ctx.actor,
                kind,
                ListRequest {
                    owner: owner.clone(),
                    limit: Some(1000),
                    after,
                    ..ListRequest::default()
                },
            )
            .await?;
        all.extend(page.items);
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(all),
        }
    }
}

/// The accounts one filter child (or the empty filter) names, with their numeric ids (one
/// query for the whole set).
async fn find(
    ctx: &Ctx,
    kind: AccountKind,
    wanted: Option<Wanted>,
) -> Result<Vec<(AccountView, i64)>> {
    let app = &ctx.app;
    let views = match wanted {
        None => list_all(ctx, kind, None).await?,
        Some(w) => match w.key.as_str() {
            "id" => {
                let login = names::login_of_id(app, "id", &w.value).await?;
                vec![app.account_info(&ctx.actor, kind, &login).await?]
            }
            "login" => vec![app.account_info(&ctx.actor, kind, &w.value).await?],
            "guid" => {
                let login = names::login_of_guid(app, "guid", &w.value).await?;
                vec![app.account_info(&ctx.actor, kind, &login).await?]
            }
            "external-id" => list_all(ctx, kind, None)
                .await?
                .into_iter()
                .filter(|v| v.external_id.as_deref() == Some(w.value.as_str()))
                .collect(),
            "owner-id" => {
                let owner = names::login_of_id(app, "owner-id", &w.value).await?;
                list_all(ctx, kind, Some(owner)).await?
            }
            "owner-guid" => {
                let owner = names::login_of_guid(app, "owner-guid", &w.value).await?;
                list_all(ctx, kind, Some(owner)).await?
            }
            "owner-login" => list_all(ctx, kind, Some(w.value.clone())).await?,
            _ => list_all(ctx, kind, None).await?,
        },
    };
    let uuids: Vec<uuid::Uuid> = views.iter().map(|v| v.id).collect();
    let ids = names::ids_of(app, &uuids).await?;
    Ok(views
        .into_iter()
        .map(|v| {
            let id = ids.get(&v.id).copied().unwrap_or_default();
            (v, id)
        })
        .collect())
}

fn gen_info(style: Style, v: &AccountView) -> El {
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    El::new(style.gen_info)
        .with_text(style.cr_date, names::date(&v.created))
        .with_text("cname", opt(&v.company))
        .with_text("pname", &v.name)
        .with_text("login", &v.login)
        .with_text("status", names::status_code(&v.suspension_reasons))
        .with_text("phone", opt(&v.phone))
        .with_text("fax", opt(&v.fax))
        .with_text("email", &v.email)
        .with_text("address", opt(&v.address))
        .with_text("city", opt(&v.city))
        .with_text("state", opt(&v.state))
        .with_text("pcode", opt(&v.postal_code))
        .with_text("country", opt(&v.country))
        .with_text("locale", &v.locale)
        .with_opt("owner-login", v.owner.as_ref())
        .with_text("guid", v.id)
        .with_opt("external-id", v.external_id.as_ref())
        .with_opt("description", v.description.as_ref())
}

fn datasets(style: Style, op: &Node) -> std::result::Result<Vec<String>, El> {
    let allowed: &[&str] = match style.kind {
        AccountKind::Reseller => &[
            "gen-info",
            "stat",
            "permissions",
            "limits",
            "ippool",
            "subscriptions",
        ],
        _ => &["gen_info", "stat"],
    };
    let names: Vec<String> = op
        .child("dataset")
        .map(|d| d.children.iter().map(|c| c.name.clone()).collect())
        .unwrap_or_else(|| vec![style.gen_info.to_owned()]);
    match names.iter().find(|n| !allowed.contains(&n.as_str())) {
        Some(bad) => Err(reply::coded(
            errors::PARSE,
            &format!("unknown dataset <{bad}>; use: {}", allowed.join(", ")),
        )),
        None => Ok(names),
    }
}

/// What an account's subscriptions use and hold, summed.
#[derive(Debug, Clone, Copy, Default)]
struct Totals {
    /// Websites (main and additional domains).
    sites: usize,
    /// Subdomains.
    subdomains: usize,
    /// Subscriptions.
    subscriptions: usize,
    /// Disk space used, bytes (last measurement, R6.1).
    disk: u64,
    /// Traffic this month, bytes.
    traffic: u64,
}

impl Totals {
    fn add(&mut self, other: Totals) {
        self.sites += other.sites;
        self.subdomains += other.subdomains;
        self.subscriptions += other.subscriptions;
        self.disk += other.disk;
        self.traffic += other.traffic;
    }
}

/// The totals of every subscription the actor sees, by subscriber login: one list of
/// subscriptions and one of each kind of name.
async fn totals_by_subscriber(ctx: &Ctx) -> Result<HashMap<String, Totals>> {
    let subs = hosting::list_all(ctx, None).await?;
    let counts = hosting::counts(ctx).await?;
    let mut out: HashMap<String, Totals> = HashMap::new();
    for s in subs {
        let c = counts.get(&s.ascii_name).copied().unwrap_or_default();
        out.entry(s.owner.clone()).or_default().add(Totals {
            sites: c.sites,
            subdomains: c.subdomains,
            subscriptions: 1,
            disk: s.usage.as_ref().map_or(0, |u| u.disk_bytes),
            traffic: s.usage.as_ref().map_or(0, |u| u.traffic_bytes),
        });
    }
    Ok(out)
}

/// What one `get` needs beyond the account itself, read once for the whole answer.
#[derive(Debug, Default)]
struct Shared {
    /// Totals by subscriber login (`stat`).
    totals: HashMap<String, Totals>,
    /// Reseller plans' (name, guid) (`subscriptions`).
    plans: Vec<(String, uuid::Uuid)>,
}

async fn shared(ctx: &Ctx, style: Style, sets: &[String]) -> Result<Shared> {
    let mut out = Shared::default();
    if sets.iter().any(|s| s == "stat") {
        out.totals = totals_by_subscriber(ctx).await?;
    }
    if style.kind == AccountKind::Reseller && sets.iter().any(|s| s == "subscriptions") {
        out.plans = ctx
            .app
            .list_plans(&ctx.actor, Some(PlanType::Reseller), None)
            .await?
            .into_iter()
            .map(|p| (p.name, p.id))
            .collect();
    }
    Ok(out)
}

/// A customer's `stat`: its names, disk space and traffic (bytes).
fn customer_stat(t: Totals) -> El {
    El::new("stat")
        .with_text("active_domains", t.sites)
        .with_text("subdomains", t.subdomains)
        .with_text("disk_space", t.disk)
        .with_text("traffic", t.traffic)
}

/// A reseller's `stat`: its customers and subscriptions (from the resources overview,
/// R4.4), and the names, disk space and traffic of its own and its customers'
/// subscriptions.
async fn reseller_stat(ctx: &Ctx, v: &AccountView, shared: &Shared) -> Result<El> {
    let overview = ctx.app.reseller_overview(&ctx.actor, &v.login).await?;
    let used = |limit: &str| {
        overview
            .limits
            .iter()
            .find(|l| l.limit == limit)
            .map_or(0, |l| l.allocated)
    };
    let mut totals = shared.totals.get(&v.login).copied().unwrap_or_default();
    for customer in list_all(ctx, AccountKind::Customer, Some(v.login.clone())).await? {
        if let Some(t) = shared.totals.get(&customer.login) {
            totals.add(*t);
        }
    }
    Ok(El::new("stat")
        .with_text("active-clients", used("max_cl"))
        .with_text("active-domains", used("max_dom"))
        .with_text("subdomains", totals.subdomains)
        .with_text("disk-space", totals.disk)
        .with_text("traffic", totals.traffic))
}

/// A reseller's `ippool`: its addresses with Plesk's types.
async fn ippool(ctx: &Ctx, v: &AccountView) -> Result<El> {
    let ips = ctx.app.reseller_pool(&ctx.actor, &v.login).await?;
    Ok(El::new("ippool").extend(ips.into_iter().map(|ip| {
        El::new("ip").with_text("ip-address", ip.address).with_text(
            "ip-type",
            if ip.kind == "dedicated" {
                "exclusive"
            } else {
                "shared"
            },
        )
    })))
}

/// A reseller's `subscriptions`: its reseller plan, with Plesk's locked/synchronized.
fn reseller_subscriptions(v: &AccountView, shared: &Shared) -> El {
    let mut sub = El::new("subscription");
    if let Some(r) = &v.reseller {
        sub = sub
            .with_text("locked", r.sync_state == "locked")
            .with_text("synchronized", r.sync_state == "synced");
        if let Some(plan) = &r.plan {
            let guid = shared
                .plans
                .iter()
                .find(|(n, _)| n == plan)
                .map(|(_, g)| *g);
            sub = sub.with(
                El::new("plan")
                    .with_opt("plan-guid", guid)
                    .with_text("plan-name", plan),
            );
        }
    }
    El::new("subscriptions").with(sub)
}

async fn data(
    ctx: &Ctx,
    style: Style,
    v: &AccountView,
    sets: &[String],
    shared: &Shared,
) -> Result<El> {
    let mut data = El::new("data");
    for set in sets {
        let reseller = v.reseller.as_ref();
        data.children.push(match set.as_str() {
            "limits" => {
                let mut limits = El::new("limits");
                if let Some(r) = reseller {
                    limits = limits
                        .with(
                            El::new("resource-policy")
                                .with_text("oversell", r.oversell)
                                .with_text("overuse", names::json_text(&r.limits["overuse"])),
                        )
                        .extend(names::property_list("l", "limit", &r.limits).children);
                }
                limits
            }
            "permissions" => match reseller {
                Some(r) => names::property_list("permissions", "permission", &r.permissions),
                None => El::new("permissions"),
            },
            "stat" if style.kind == AccountKind::Reseller => reseller_stat(ctx, v, shared).await?,
            "stat" => customer_stat(shared.totals.get(&v.login).copied().unwrap_or_default()),
            "ippool" => ippool(ctx, v).await?,
            "subscriptions" => reseller_subscriptions(v, shared),
            _ => gen_info(style, v),
        });
    }
    Ok(data)
}

async fn get(ctx: &Ctx, style: Style, op: &Node) -> Vec<El> {
    let sets = match datasets(style, op) {
        Ok(s) => s,
        Err(e) => return vec![e],
    };
    let filter = match filter::parse(op, style.filters) {
        Ok(f) => f,
        Err(e) => return vec![e],
    };
    let shared = match shared(ctx, style, &sets).await {
        Ok(s) => s,
        Err(e) => return vec![reply::error(&e)],
    };
    let (sets, shared) = (&sets, &shared);
    filter::each(
        &filter,
        |w| find(ctx, style.kind, w),
        |(v, id): (AccountView, i64)| async move {
            match data(ctx, style, &v, sets, shared).await {
                Ok(d) => Ok(reply::ok().with_text("id", id).with(d)),
                Err(e) => Err(reply::error(&e).with_text("id", id)),
            }
        },
    )
    .await
}

/// `reseller switch-subscription` (`plan-guid`, `plan-name` or `no-plan`) and
/// `sync-subscription`: a reseller's plan, through the reseller terms use case (a sync
/// is new terms with nothing changed: the values are computed again from the plan, the
/// customized fields kept).
async fn reseller_plan(ctx: &Ctx, op: &Node) -> Vec<El> {
    let filter = match filter::parse(op, RESELLER_FILTERS) {
        Ok(f) => f,
        Err(e) => return vec![e],
    };
    let plan = if op.name == "sync-subscription" {
        None
    } else if op.has("no-plan") {
        Some(String::new())
    } else {
        match reseller_plan_name(ctx, op).await {
            Ok(name) => Some(name),
            Err(e) => return vec![reply::error(&e)],
        }
    };
    let terms = ResellerTerms {
        plan,
        assignments: vec![],
    };
    let terms = &terms;
    filter::each(
        &filter,
        |w| find(ctx, AccountKind::Reseller, w),
        |(v, id): (AccountView, i64)| async move {
            match ctx
                .app
                .set_reseller_terms(&ctx.actor, &v.login, terms, Mode::Apply)
                .await
            {
                Ok(_) => Ok(reply::ok().with_text("id", id)),
                Err(e) => Err(reply::error(&e).with_text("id", id)),
            }
        },
    )
    .await
}

/// The reseller plan named by `plan-name`, `plan-id` or `plan-guid`.
async fn reseller_plan_name(ctx: &Ctx, op: &Node) -> Result<String> {
    if let Some(name) = nonempty(op, "plan-name") {
        return Ok(name);
    }
    let found = match (nonempty(op, "plan-id"), nonempty(op, "plan-guid")) {
        (Some(id), _) => {
            let id = berth_app::legacy_ids::parse_legacy_id("plan-id", &id)?;
            ctx.app.legacy_ref("plan-id", id).await?
        }
        (None, Some(guid)) => ctx.app.legacy_ref_of_guid("plan-guid", &guid).await?,
        (None, None) => {
            return Err(Error::invalid(
                "plan-guid",
                "name the plan with <plan-guid>, <plan-name> or <no-plan/>",
            ));
        }
    };
    match found {
        berth_app::legacy_ids::LegacyRef::Plan { name, .. } => Ok(name),
        _ => Err(Error::not_found("plan-guid", "no such plan")),
    }
}

fn update(style: Style, values: &Node) -> Option<(AccountUpdate, Option<&str>)> {
    let info = values.child(style.gen_info)?;
    let update = AccountUpdate {
        new_login: nonempty(info, "login"),
        password: info.text_of("passwd").map(str::to_owned),
        contact: contact(info),
        description: info.text_of("description").map(str::to_owned),
        external_id: info.text_of("external-id").map(str::to_owned),
    };
    Some((update, info.text_of("status")))
}

/// Applies `values` to one account: contact and login data first, then the status, then a
/// reseller's terms (each a use case of its own; a refused value stops before the next).
async fn set_one(ctx: &Ctx, style: Style, values: &Node, v: &AccountView) -> Result<()> {
    let app = &ctx.app;
    let mut acted = false;
    let terms = match style.kind {
        AccountKind::Reseller => terms(values)?,
        _ => ResellerTerms::default(),
    };
    if let Some((mut change, status)) = update(style, values) {
        let suspend = status.map(names::settable_status).transpose()?;
        if change.new_login.as_deref() == Some(v.login.as_str()) {
            change.new_login = None;
        }
        let nothing = change.new_login.is_none()
            && change.password.is_none()
            && change.contact.is_empty()
            && change.description.is_none()
            && change.external_id.is_none();
        let mut current = v.login.clone();
        if !nothing {
            let outcome = app
                .update_account(&ctx.actor, style.kind, &v.login, change, Mode::Apply)
                .await?;
            current = outcome.account.login;
            acted = true;
        }
        if let Some(suspend) = suspend {
            let login = [current];
            let outcome = if suspend {
                app.suspend_accounts(&ctx.actor, style.kind, &login, Mode::Apply, &NoProgress)
                    .await
            } else {
                app.activate_accounts(&ctx.actor, style.kind, &login, Mode::Apply, &NoProgress)
                    .await
            };
            bulk_ok(outcome)?;
            acted = true;
        }
    }
    if !terms.is_empty() {
        app.set_reseller_terms(&ctx.actor, &v.login, &terms, Mode::Apply)
            .await?;
        acted = true;
    }
    if acted {
        Ok(())
    } else {
        Err(Error::invalid(
            "values",
            format!("nothing to change: give <{}> fields", style.gen_info),
        ))
    }
}

async fn set(ctx: &Ctx, style: Style, op: &Node) -> Vec<El> {
    let filter = match filter::parse(op, style.filters) {
        Ok(f) => f,
        Err(e) => return vec![e],
    };
    let Some(values) = op.child("values") else {
        return vec![reply::coded(errors::PARSE, "<set> needs <values>")];
    };
    filter::each(
        &filter,
        |w| find(ctx, style.kind, w),
        |(v, id): (AccountView, i64)| async move {
            match set_one(ctx, style, values, &v).await {
                Ok(()) => Ok(reply::ok().with_text("id", id)),
                Err(e) => Err(reply::error(&e).with_text("id", id)),
            }
        },
    )
    .await
}

async fn del(ctx: &Ctx, style: Style, op: &Node) -> Vec<El> {
    let filter = match filter::parse(op, style.filters) {
        Ok(f) => f,
        Err(e) => return vec![e],
    };
    filter::each(
        &filter,
        |w| find(ctx, style.kind, w),
        |(v, id): (AccountView, i64)| async move {
            let login = [v.login.clone()];
            let report = ctx
                .app
                .remove_accounts(&ctx.actor, style.kind, &login, Mode::Apply, &NoProgress)
                .await;
            match bulk_ok(report) {
                Ok(_) => Ok(reply::ok().with_text("id", id)),
                Err(e) => Err(reply::error(&e).with_text("id", id)),
            }
        },
    )
    .await
}

async fn convert(ctx: &Ctx, style: Style, op: &Node) -> Vec<El> {
    let filter = match filter::parse(op, style.filters) {
        Ok(f) => f,
        Err(e) => return vec![e],
    };
    let plan = nonempty(op, "plan-name");
    let plan = plan.as_deref();
    filter::each(
        &filter,
        |w| find(ctx, style.kind, w),
        |(v, id): (AccountView, i64)| async move {
            let login = [v.login.clone()];
            let report = match style.kind {
                AccountKind::Customer => {
                    ctx.app
                        .convert_to_reseller(&ctx.actor, &login, plan, Mode::Apply, &NoProgress)
                        .await
                }
                _ => {
                    ctx.app
                        .convert_to_customer(&ctx.actor, &login, plan, Mode::Apply, &NoProgress)
                        .await
                }
            };
            match bulk_ok(report) {
                Ok(_) => Ok(reply::ok().with_text("id", id)),
                Err(e) => Err(reply::error(&e).with_text("id", id)),
            }
        },
    )
    .await
}

async fn change_owner(ctx: &Ctx, op: &Node) -> Vec<El> {
    let filter = match filter::parse(op, CUSTOMER_FILTERS) {
        Ok(f) => f,
        Err(e) => return vec![e],
    };
    let to = match nonempty(op, "new-owner-login") {
        Some(l) => l,
        None => {
            return vec![reply::coded(
                errors::PARSE,
                "<change-owner> needs <new-owner-login>",
            )];
        }
    };
    let ips: Vec<String> = ["ipv4-address", "ipv6-address"]
        .iter()
        .filter_map(|n| nonempty(op, n))
        .collect();
    let plan = nonempty(op, "plan-name");
    let (to, ips, plan) = (&to, &ips, plan.as_deref());
    filter::each(
        &filter,
        |w| find(ctx, AccountKind::Customer, w),
        |(v, id): (AccountView, i64)| async move {
            let login = [v.login.clone()];
            let report = ctx
                .app
                .move_customers(&ctx.actor, &login, to, plan, ips, Mode::Apply, &NoProgress)
                .await;
            match bulk_ok(report) {
                Ok(_) => Ok(reply::ok().with_text("id", id)),
                Err(e) => Err(reply::error(&e).with_text("id", id)),
            }
        },
    )
    .await
}

/// `ippool-add-ip` / `ippool-del-ip`: `reseller-id` (or `reseller-login`) and
/// `ip{ip-address}`.
async fn pool(ctx: &Ctx, op: &Node) -> Result<El> {
    let login = match (nonempty(op, "reseller-login"), nonempty(op, "reseller-id")) {
        (Some(l), _) => l,
        (None, Some(id)) => names::login_of_id(&ctx.app, "reseller-id", &id).await?,
        (None, None) => {
            return Err(Error::invalid(
                "reseller-id",
                "name the reseller with <reseller-id> or <reseller-login>",
            ));
        }
    };
    let address = op
        .child("ip")
        .and_then(|ip| nonempty(ip, "ip-address"))
        .ok_or_else(|| Error::invalid("ip-address", "name the address with <ip><ip-address>"))?;
    let ips = [address];
    let report = if op.name == "ippool-add-ip" {
        ctx.app
            .pool_add(&ctx.actor, &login, &ips, Mode::Apply, &NoProgress)
            .await
    } else {
        ctx.app
            .pool_remove(&ctx.actor, &login, &ips, Mode::Apply, &NoProgress)
            .await
    };
    bulk_ok(report)?;
    Ok(reply::ok())
}

/// Every name (webspaces, additional sites, aliases, subdomains) of the subscriptions the
/// actor sees, with the subscription's owner: one list per kind, not one per customer.
async fn all_names(ctx: &Ctx) -> Result<Vec<(berth_app::domains::DomainView, String)>> {
    let app = &ctx.app;
    let mut owners = std::collections::HashMap::new();
    let mut after = None;
    loop {
        let page = app
            .list_subscriptions(
                &ctx.actor,
                berth_app::subscriptions::SubscriptionListRequest {
                    limit: Some(1000),
                    after,
                    ..Default::default()
                },
            )
            .await?;
        owners.extend(page.items.into_iter().map(|s| (s.ascii_name, s.owner)));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let mut names = app.list_sites(&ctx.actor, None).await?;
    names.extend(app.list_aliases(&ctx.actor, None).await?);
    names.extend(app.list_subdomains(&ctx.actor, None).await?);
    Ok(names
        .into_iter()
        .filter_map(|d| {
            let owner = owners.get(&d.subscription.ascii_name)?.clone();
            Some((d, owner))
        })
        .collect())
}

/// `get-domain-list`: each customer's names, with their ids and kinds.
async fn domain_list(ctx: &Ctx, op: &Node) -> Vec<El> {
    let filter = match filter::parse(op, CUSTOMER_FILTERS) {
        Ok(f) => f,
        Err(e) => return vec![e],
    };
    let names = match all_names(ctx).await {
        Ok(n) => n,
        Err(e) => return vec![reply::error(&e)],
    };
    let uuids: Vec<uuid::Uuid> = names.iter().map(|(d, _)| d.id).collect();
    let ids = match names::ids_of(&ctx.app, &uuids).await {
        Ok(ids) => ids,
        Err(e) => return vec![reply::error(&e)],
    };
    let (names, ids) = (&names, &ids);
    filter::each(
        &filter,
        |w| find(ctx, AccountKind::Customer, w),
        |(v, id): (AccountView, i64)| async move {
            let mut domains = El::new("domains");
            for (d, _) in names.iter().filter(|(_, owner)| *owner == v.login) {
                let kind = match d.kind {
                    "main" => "webspace",
                    "site" => "site",
                    other => other,
                };
                domains.children.push(
                    El::new("domain")
                        .with_opt("id", ids.get(&d.id))
                        .with_text("name", &d.name)
                        .with_text("ascii-name", &d.ascii_name)
                        .with_text("type", kind)
                        .with_text("main", d.kind == "main")
                        .with_text("guid", d.id)
                        .with_text("webspace-name", &d.subscription.name),
                );
            }
            Ok(reply::ok().with_text("id", id).with(domains))
        },
    )
    .await
}
