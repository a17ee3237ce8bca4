//! `webspace` (a subscription): add, get, set, del, plan switch and sync, add-ons, and the
//! limit, permission and hosting descriptors, through the subscription use cases.

use berth_app::Mode;
use berth_app::NoProgress;
use berth_app::legacy_ids::LegacyRef;
use berth_app::plans::Assignment;
use berth_app::subscriptions::{
    HostingChange, NewSubscription, SubscriptionListRequest, SubscriptionView,
};
use berth_core::account::AccountKind;
use berth_core::property::{self, Group, Kind, PlanType};
use berth_core::{Error, Result};
use chrono::NaiveTime;
use std::collections::HashMap;

use super::Ctx;
use super::accounts::bulk_ok;
use super::errors;
use super::filter::{self, Wanted};
use super::names;
use super::packet::Node;
use super::reply::{self, El};

/// `webspace` operations.
pub const OPERATIONS: &[&str] = &[
    "add",
    "get",
    "set",
    "del",
    "switch-subscription",
    "sync-subscription",
    "add-subscription",
    "remove-subscription",
    "get-limit-descriptor",
    "get-permission-descriptor",
    "get-physical-hosting-descriptor",
];

const FILTERS: &[&str] = &[
    "id",
    "name",
    "guid",
    "external-id",
    "owner-id",
    "owner-login",
    "owner-guid",
    "owner-external-id",
];

const DATASETS: &[&str] = &[
    "gen_info",
    "hosting",
    "limits",
    "stat",
    "prefs",
    "disk_usage",
    "performance",
    "subscriptions",
    "permissions",
    "php-settings",
    "resource-usage",
];

/// The limits whose use `resource-usage` reports: what Berth measures (disk, traffic) or
/// counts (sites, subdomains, aliases).
const MEASURED: &[&str] = &[
    "disk_space",
    "max_traffic",
    "max_site",
    "max_subdom",
    "max_dom_aliases",
];

/// Hosting properties that are not plan properties: the system user.
const FTP_LOGIN: &str = "ftp_login";
const FTP_PASSWORD: &str = "ftp_password";

/// Runs one `webspace` operation.
pub(crate) async fn run(ctx: &Ctx, op: &Node) -> El {
    let results = match op.name.as_str() {
        "add" => vec![add(ctx, op).await.unwrap_or_else(|e| reply::error(&e))],
        "get" => get(ctx, op).await,
        "get-limit-descriptor" => vec![descriptor(Group::Limits)],
        "get-permission-descriptor" => vec![descriptor(Group::Permissions)],
        "get-physical-hosting-descriptor" => vec![descriptor(Group::Hosting)],
        _ => each(ctx, op).await,
    };
    filter::wrap(op, results)
}

fn text(node: &Node, name: &str) -> Option<String> {
    node.text_of(name)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// Limits and permissions given with a webspace: "customize now" / Update & Lock (R3.5).
fn custom(node: &Node) -> Result<Vec<Assignment>> {
    let mut out = Vec::new();
    if let Some(limits) = node.child("limits") {
        if let Some(overuse) = text(limits, "overuse") {
            out.push((Group::Limits, format!("overuse={overuse}")));
        }
        out.extend(names::assignments(limits, "limit", Group::Limits)?);
    }
    if let Some(perms) = node.child("permissions") {
        out.extend(names::assignments(perms, "permission", Group::Permissions)?);
    }
    if let Some(php) = node.child("php-settings") {
        out.extend(names::assignments(php, "setting", Group::Php)?);
    }
    for (element, table) in [("performance", names::PERFORMANCE), ("prefs", names::PREFS)] {
        if let Some(part) = node.child(element) {
            out.extend(names::mapped(part, table)?);
        }
    }
    Ok(out)
}

/// `hosting{vrt_hst{property{name,value}…, ip_address…}}`: the system user, its password
/// and the addresses. Other hosting properties belong to the plan (R3.5) and are refused.
fn hosting(node: &Node) -> Result<HostingChange> {
    let mut change = HostingChange::default();
    let Some(vrt) = node.child("hosting").and_then(|h| h.child("vrt_hst")) else {
        return Ok(change);
    };
    for p in vrt.all("property") {
        let name = p.text_of("name").unwrap_or_default();
        let value = p.text_of("value").unwrap_or_default().to_owned();
        match name {
            FTP_LOGIN => change.system_user = Some(value),
            FTP_PASSWORD => change.system_password = Some(value),
            other => {
                return Err(Error::invalid(
                    other,
                    format!(
                        "{other}: a subscription's hosting settings come from its plan (R3.5); \
                         only {FTP_LOGIN} and {FTP_PASSWORD} are set here"
                    ),
                ));
            }
        }
    }
    change.ips = vrt.all("ip_address").map(|i| i.text.clone()).collect();
    Ok(change)
}

async fn owner(ctx: &Ctx, info: &Node) -> Result<Option<String>> {
    if let Some(login) = text(info, "owner-login") {
        return Ok(Some(login));
    }
    if let Some(id) = text(info, "owner-id") {
        return names::login_of_id(&ctx.app, "owner-id", &id)
            .await
            .map(Some);
    }
    if let Some(guid) = text(info, "owner-guid") {
        return names::login_of_guid(&ctx.app, "owner-guid", &guid)
            .await
            .map(Some);
    }
    Ok(None)
}

/// The plan named by `plan-name`, `plan-id` or `plan-guid` (service plans; add-ons with
/// `addon`).
async fn plan_name(ctx: &Ctx, node: &Node) -> Result<Option<String>> {
    if let Some(name) = text(node, "plan-name") {
        return Ok(Some(name));
    }
    let found = match (text(node, "plan-id"), text(node, "plan-guid")) {
        (Some(id), _) => {
            let id = berth_app::legacy_ids::parse_legacy_id("plan-id", &id)?;
            ctx.app.legacy_ref("plan-id", id).await?
        }
        (None, Some(guid)) => ctx.app.legacy_ref_of_guid("plan-guid", &guid).await?,
        (None, None) => return Ok(None),
    };
    match found {
        LegacyRef::Plan { name, .. } => Ok(Some(name)),
        _ => Err(Error::not_found("plan-guid", "no such plan")),
    }
}

async fn add(ctx: &Ctx, op: &Node) -> Result<El> {
    let info = op
        .child("gen_setup")
        .ok_or_else(|| Error::invalid("gen_setup", "<add> needs <gen_setup>"))?;
    let suspended = match info.text_of("status") {
        Some(s) => names::settable_status(s)?,
        None => false,
    };
    let host = hosting(op)?;
    let mut ips: Vec<String> = info.all("ip_address").map(|i| i.text.clone()).collect();
    for ip in host.ips {
        if !ips.contains(&ip) {
            ips.push(ip);
        }
    }
    let input = NewSubscription {
        domain: text(info, "name").unwrap_or_default(),
        owner: owner(ctx, info).await?,
        plan: plan_name(ctx, op).await?,
        addons: vec![],
        ips,
        system_user: host.system_user,
        system_password: host.system_password,
        custom: custom(op)?,
    };
    let created = ctx
        .app
        .create_subscription(&ctx.actor, input, Mode::Apply)
        .await?;
    let sub = created.subscription;
    if suspended {
        let names = [sub.ascii_name.clone()];
        bulk_ok(
            ctx.app
                .suspend_subscriptions(&ctx.actor, &names, Mode::Apply, &NoProgress)
                .await,
        )?;
    }
    let ids = names::ids_of(&ctx.app, &[sub.id]).await?;
    Ok(reply::ok()
        .with_opt("id", ids.get(&sub.id))
        .with_text("guid", sub.id))
}

pub(crate) async fn list_all(ctx: &Ctx, owner: Option<String>) -> Result<Vec<SubscriptionView>> {
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = ctx
            .app
            .list_subscriptions(
                &ctx.actor,
                SubscriptionListRequest {
                    owner: owner.clone(),
                    limit: Some(1000),
                    after,
                    ..SubscriptionListRequest::default()
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

async fn by_ref(ctx: &Ctx, field: &str, found: LegacyRef) -> Result<Vec<SubscriptionView>> {
    match found {
        LegacyRef::Subscription(name) => {
            Ok(vec![ctx.app.subscription_info(&ctx.actor, &name).await?])
        }
        _ => Err(Error::not_found(field, "no such webspace")),
    }
}

/// The subscriptions a filter child names (or all visible ones), with their numbers.
pub(crate) async fn find(
    ctx: &Ctx,
    wanted: Option<Wanted>,
) -> Result<Vec<(SubscriptionView, i64)>> {
    let app = &ctx.app;
    let subs = match wanted {
        None => list_all(ctx, None).await?,
        Some(w) => match w.key.as_str() {
            "id" => {
                let id = berth_app::legacy_ids::parse_legacy_id("id", &w.value)?;
                by_ref(ctx, "id", app.legacy_ref("id", id).await?).await?
            }
            "guid" => by_ref(ctx, "guid", app.legacy_ref_of_guid("guid", &w.value).await?).await?,
            "name" => vec![app.subscription_info(&ctx.actor, &w.value).await?],
            "owner-login" => list_all(ctx, Some(w.value.clone())).await?,
            "owner-id" => {
                let login = names::login_of_id(app, "owner-id", &w.value).await?;
                list_all(ctx, Some(login)).await?
            }
            "owner-guid" => {
                let login = names::login_of_guid(app, "owner-guid", &w.value).await?;
                list_all(ctx, Some(login)).await?
            }
            // Berth's subscriptions carry no external id: nothing matches.
            _ => vec![],
        },
    };
    let uuids: Vec<uuid::Uuid> = subs.iter().map(|s| s.id).collect();
    let ids = names::ids_of(app, &uuids).await?;
    Ok(subs
        .into_iter()
        .map(|s| {
            let id = ids.get(&s.id).copied().unwrap_or_default();
            (s, id)
        })
        .collect())
}

fn group(s: &SubscriptionView, name: &str) -> serde_json::Value {
    s.properties.group_json(name)
}

fn gen_info(s: &SubscriptionView, id: i64) -> El {
    El::new("gen_info")
        .with_text("cr_date", names::date(&s.created))
        .with_text("name", &s.name)
        .with_text("ascii-name", &s.ascii_name)
        .with_text("status", names::status_code(&s.suspension_reasons))
        .with_text("owner-login", &s.owner)
        .extend(s.ips.iter().map(|ip| El::text("dns_ip_address", ip)))
        .with_text("htype", "vrt_hst")
        .with_text("real_size", s.usage.as_ref().map_or(0, |u| u.disk_bytes))
        .with_text("guid", s.id)
        .with_text("webspace-guid", s.id)
        .with_text("webspace-id", id)
}

fn hosting_el(s: &SubscriptionView) -> El {
    let props = names::property_list("vrt_hst", "property", &group(s, "hosting"));
    let login = El::new("property")
        .with_text("name", FTP_LOGIN)
        .with_text("value", &s.system_user);
    El::new("hosting").with(
        El::new("vrt_hst")
            .with(login)
            .extend(props.children)
            .extend(s.ips.iter().map(|ip| El::text("ip_address", ip))),
    )
}

fn limits_el(s: &SubscriptionView) -> El {
    let limits = group(s, "limits");
    let expiration = s
        .expiration
        .map(|d| d.and_time(NaiveTime::MIN).and_utc().timestamp())
        .unwrap_or(-1);
    El::new("limits")
        .with_text("overuse", names::json_text(&limits["overuse"]))
        .extend(names::property_list("l", "limit", &limits).children)
        .with(
            El::new("limit")
                .with_text("name", "expiration")
                .with_text("value", expiration),
        )
}

/// How many names of each kind a subscription has.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Counts {
    /// Websites: the main domain and the additional ones.
    pub sites: usize,
    /// Subdomains.
    pub subdomains: usize,
    /// Domain aliases.
    pub aliases: usize,
}

/// The names of every subscription the actor sees, counted by subscription (punycode):
/// one list of each kind, not one per subscription.
pub(crate) async fn counts(ctx: &Ctx) -> Result<HashMap<String, Counts>> {
    let mut out: HashMap<String, Counts> = HashMap::new();
    for d in ctx.app.list_sites(&ctx.actor, None).await? {
        out.entry(d.subscription.ascii_name).or_default().sites += 1;
    }
    for d in ctx.app.list_subdomains(&ctx.actor, None).await? {
        out.entry(d.subscription.ascii_name).or_default().subdomains += 1;
    }
    for d in ctx.app.list_aliases(&ctx.actor, None).await? {
        out.entry(d.subscription.ascii_name).or_default().aliases += 1;
    }
    Ok(out)
}

/// `stat`: this month's traffic (bytes, from the last usage measurement, R6.1) and the
/// counts of websites and subdomains.
fn stat_el(s: &SubscriptionView, c: Counts) -> El {
    El::new("stat")
        .with_text("traffic", s.usage.as_ref().map_or(0, |u| u.traffic_bytes))
        .with_text("subdom", c.subdomains)
        .with_text("sites", c.sites)
}

/// `disk_usage`: Berth measures the webspace as one tree (R6.1), so the whole figure is
/// the web content's (`httpdocs`); bytes, 0 until the first measurement.
fn disk_usage_el(s: &SubscriptionView) -> El {
    El::new("disk_usage").with_text("httpdocs", s.usage.as_ref().map_or(0, |u| u.disk_bytes))
}

/// `resource-usage`: what is used of each measured or counted limit, under the limit's
/// name.
fn resource_usage_el(s: &SubscriptionView, c: Counts) -> El {
    let usage = s.usage.as_ref();
    let mut out = El::new("resource-usage");
    for name in MEASURED {
        let Some(d) = property::descriptor(name) else {
            continue;
        };
        let used = match *name {
            "disk_space" => usage.map_or(0, |u| u.disk_bytes),
            "max_traffic" => usage.map_or(0, |u| u.traffic_bytes),
            "max_site" => c.sites as u64,
            "max_subdom" => c.subdomains as u64,
            _ => c.aliases as u64,
        };
        out.children.push(
            El::new("resource")
                .with_text("name", d.name)
                .with_text("value", used),
        );
    }
    out
}

/// A part whose elements are Plesk's fixed names for properties of one group
/// (`performance`, `prefs`).
fn mapped_el(s: &SubscriptionView, element: &str, group_of: Group, table: &[(&str, &str)]) -> El {
    let values = group(s, group_of.as_str());
    let mut out = El::new(element);
    for (name, property) in table {
        if let Some(v) = values.get(*property) {
            out.children.push(El::text(name, names::json_text(v)));
        }
    }
    out
}

fn subscriptions_el(s: &SubscriptionView, plans: &[(String, uuid::Uuid)]) -> El {
    let guid = |name: &str| {
        plans
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, g)| g.to_string())
    };
    let mut sub = El::new("subscription")
        .with_text("locked", s.sync_state == "locked")
        .with_text("synchronized", s.sync_state == "synced");
    if let Some(p) = &s.plan {
        sub = sub.with(
            El::new("plan")
                .with_opt("plan-guid", guid(p))
                .with_text("plan-name", p),
        );
    }
    for a in &s.addons {
        sub = sub.with(
            El::new("addon")
                .with_opt("plan-guid", guid(a))
                .with_text("plan-name", a),
        );
    }
    El::new("subscriptions").with(sub)
}

/// The (name, guid) of the plans the actor sees, for `subscriptions` (one list; empty for
/// a customer, who sees no plans).
async fn visible_plans(ctx: &Ctx) -> Vec<(String, uuid::Uuid)> {
    if ctx.actor.kind == AccountKind::Customer {
        return vec![];
    }
    let mut out = Vec::new();
    for t in [PlanType::Service, PlanType::Addon] {
        if let Ok(plans) = ctx.app.list_plans(&ctx.actor, Some(t), None).await {
            out.extend(plans.into_iter().map(|p| (p.name, p.id)));
        }
    }
    out
}

async fn get(ctx: &Ctx, op: &Node) -> Vec<El> {
    let sets: Vec<String> = op
        .child("dataset")
        .map(|d| d.children.iter().map(|c| c.name.clone()).collect())
        .unwrap_or_else(|| vec!["gen_info".to_owned()]);
    if let Some(bad) = sets.iter().find(|s| !DATASETS.contains(&s.as_str())) {
        return vec![reply::coded(
            errors::PARSE,
            &format!("unknown dataset <{bad}>; use: {}", DATASETS.join(", ")),
        )];
    }
    let filter = match filter::parse(op, FILTERS) {
        Ok(f) => f,
        Err(e) => return vec![e],
    };
    let plans = if sets.iter().any(|s| s == "subscriptions") {
        visible_plans(ctx).await
    } else {
        vec![]
    };
    let counted = if sets.iter().any(|s| s == "stat" || s == "resource-usage") {
        match counts(ctx).await {
            Ok(c) => c,
            Err(e) => return vec![reply::error(&e)],
        }
    } else {
        HashMap::new()
    };
    let (sets, plans, counted) = (&sets, &plans, &counted);
    filter::each(
        &filter,
        |w| find(ctx, w),
        |(s, id): (SubscriptionView, i64)| async move {
            let mut data = El::new("data");
            let c = counted.get(&s.ascii_name).copied().unwrap_or_default();
            for set in sets {
                data.children.push(match set.as_str() {
                    "hosting" => hosting_el(&s),
                    "limits" => limits_el(&s),
                    "stat" => stat_el(&s, c),
                    "prefs" => mapped_el(&s, "prefs", Group::Logs, names::PREFS),
                    "disk_usage" => disk_usage_el(&s),
                    "performance" => {
                        mapped_el(&s, "performance", Group::Performance, names::PERFORMANCE)
                    }
                    "permissions" => {
                        names::property_list("permissions", "permission", &group(&s, "permissions"))
                    }
                    "php-settings" => names::property_list(
                        "php-settings",
                        "setting",
                        &group(&s, Group::Php.as_str()),
                    ),
                    "resource-usage" => resource_usage_el(&s, c),
                    "subscriptions" => subscriptions_el(&s, plans),
                    _ => gen_info(&s, id),
                });
            }
            Ok(reply::ok().with_text("id", id).with(data))
        },
    )
    .await
}

/// The operations that run on each filtered subscription.
async fn each(ctx: &Ctx, op: &Node) -> Vec<El> {
    let filter = match filter::parse(op, FILTERS) {
        Ok(f) => f,
        Err(e) => return vec![e],
    };
    filter::each(
        &filter,
        |w| find(ctx, w),
        |(s, id): (SubscriptionView, i64)| async move {
            match one(ctx, op, &s).await {
                Ok(()) => Ok(reply::ok().with_text("id", id)),
                Err(e) => Err(reply::error(&e).with_text("id", id)),
            }
        },
    )
    .await
}

async fn one(ctx: &Ctx, op: &Node, s: &SubscriptionView) -> Result<()> {
    let app = &ctx.app;
    let actor = &ctx.actor;
    let names = [s.ascii_name.clone()];
    match op.name.as_str() {
        "del" => bulk_ok(
            app.remove_subscriptions(actor, &names, Mode::Apply, &NoProgress)
                .await,
        )
        .map(drop),
        "set" => set(ctx, op, s).await,
        "switch-subscription" => {
            let plan = if op.has("no-plan") {
                None
            } else {
                Some(plan_name(ctx, op).await?.ok_or_else(|| {
                    Error::invalid("plan-guid", "name the plan with <plan-guid> or <no-plan/>")
                })?)
            };
            bulk_ok(
                app.change_plan(actor, &names, plan.as_deref(), Mode::Apply, &NoProgress)
                    .await,
            )
            .map(drop)
        }
        "sync-subscription" => app
            .sync_subscription(actor, &s.ascii_name, false, Mode::Apply)
            .await
            .map(drop),
        "add-subscription" | "remove-subscription" => {
            let addon = plan_name(ctx, op).await?.ok_or_else(|| {
                Error::invalid(
                    "plan-guid",
                    "name the add-on with <plan-guid> or <plan-name>",
                )
            })?;
            let report = if op.name == "add-subscription" {
                app.add_addon(actor, &names, &addon, Mode::Apply, &NoProgress)
                    .await
            } else {
                app.remove_addon(actor, &names, &addon, Mode::Apply, &NoProgress)
                    .await
            };
            bulk_ok(report).map(drop)
        }
        other => Err(Error::invalid(
            "operation",
            format!("unknown operation {other}"),
        )),
    }
}

/// `set`: `values{gen_setup{status, name}, hosting, limits, permissions, php-settings,
/// performance, prefs}`. Everything is
/// read and checked first; then hosting settings, customization and status are applied,
/// each by its use case.
async fn set(ctx: &Ctx, op: &Node, s: &SubscriptionView) -> Result<()> {
    let app = &ctx.app;
    let actor = &ctx.actor;
    let names = [s.ascii_name.clone()];
    let values = op
        .child("values")
        .ok_or_else(|| Error::invalid("values", "<set> needs <values>"))?;
    let setup = values.child("gen_setup");
    if let Some(name) = setup.and_then(|g| text(g, "name"))
        && name != s.name
        && name != s.ascii_name
    {
        return Err(Error::invalid(
            "name",
            "a subscription is bound to its domain for life (R3.1): it cannot be renamed",
        ));
    }
    let suspend = setup
        .and_then(|g| g.text_of("status"))
        .map(names::settable_status)
        .transpose()?;
    let host = hosting(values)?;
    let custom = custom(values)?;
    let host_change =
        !host.ips.is_empty() || host.system_user.is_some() || host.system_password.is_some();
    if !host_change && custom.is_empty() && suspend.is_none() {
        return Err(Error::invalid(
            "values",
            "nothing to change: give a status, hosting settings, limits, permissions, \
             php-settings, performance or prefs",
        ));
    }
    if host_change {
        app.set_hosting(actor, &s.ascii_name, host, Mode::Apply)
            .await?;
    }
    if !custom.is_empty() {
        app.customize(actor, &s.ascii_name, &custom, Mode::Apply)
            .await?;
    }
    if let Some(suspend) = suspend {
        let report = if suspend {
            app.suspend_subscriptions(actor, &names, Mode::Apply, &NoProgress)
                .await
        } else {
            app.activate_subscriptions(actor, &names, Mode::Apply, &NoProgress)
                .await
        };
        bulk_ok(report)?;
    }
    Ok(())
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Count | Kind::Size | Kind::Number { .. } => "integer",
        Kind::Bool | Kind::PhpBool => "boolean",
        _ => "string",
    }
}

/// A descriptor of one property group, from the property table.
fn descriptor(group: Group) -> El {
    let mut d = El::new("descriptor");
    for p in property::PROPERTIES
        .iter()
        .filter(|p| p.group == group && p.types.includes(PlanType::Service) && p.on_subscription)
    {
        d.children.push(
            El::new("property")
                .with_text("name", p.name)
                .with_text("type", kind_name(p.kind))
                .with_text("label", p.label)
                .with_text("default", names::json_text(&p.to_json(&p.default_value()))),
        );
    }
    if group == Group::Hosting {
        for (name, label) in [(FTP_LOGIN, "FTP login"), (FTP_PASSWORD, "FTP password")] {
            d.children.push(
                El::new("property")
                    .with_text("name", name)
                    .with_text("type", "string")
                    .with_text("label", label),
            );
        }
    }
    reply::ok().with(d)
}
