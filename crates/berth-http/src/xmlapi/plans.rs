//! `service-plan` and `service-plan-addon`: add, get, set, del through the plan use cases.
//! Properties travel as `limits{overuse, limit{name,value}}`, `hosting{property}`,
//! `permissions{permission}` and `php-settings{setting}` with the property table's names,
//! and `performance{bandwidth, max_connections}` and `preferences{stat, maillists,
//! dns_zone_type}` with Plesk's fixed names for properties of the table.

use berth_app::Mode;
use berth_app::legacy_ids::LegacyRef;
use berth_app::plans::{Assignment, PlanView};
use berth_core::property::{Group, PlanType};
use berth_core::{Error, Result};

use super::Ctx;
use super::errors;
use super::filter::{self, Wanted};
use super::names;
use super::packet::Node;
use super::reply::{self, El};

/// Plan operations.
pub const OPERATIONS: &[&str] = &["add", "get", "set", "del"];

const FILTERS: &[&str] = &["id", "name", "guid", "external-id"];

/// Runs one plan operation; `operator` is `service-plan` or `service-plan-addon`.
pub(crate) async fn run(ctx: &Ctx, operator: &str, op: &Node) -> El {
    let plan_type = if operator == "service-plan-addon" {
        PlanType::Addon
    } else {
        PlanType::Service
    };
    let results = match op.name.as_str() {
        "add" => vec![
            add(ctx, plan_type, op)
                .await
                .unwrap_or_else(|e| reply::error(&e)),
        ],
        "get" | "set" | "del" => filtered(ctx, plan_type, op).await,
        other => vec![reply::coded(
            errors::PARSE,
            &format!("unknown operation {other}"),
        )],
    };
    filter::wrap(op, results)
}

fn text(node: &Node, name: &str) -> Option<String> {
    node.text_of(name)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// The plan owner named by a sibling `owner-login` or `owner-id` (the caller by default;
/// `owner-all` for every owner the admin sees).
async fn owner(ctx: &Ctx, op: &Node) -> Result<Option<String>> {
    if let Some(login) = text(op, "owner-login") {
        return Ok(Some(login));
    }
    if let Some(id) = text(op, "owner-id") {
        return names::login_of_id(&ctx.app, "owner-id", &id)
            .await
            .map(Some);
    }
    Ok(None)
}

/// Every property element of a plan packet, as assignments.
fn assignments(node: &Node) -> Result<Vec<Assignment>> {
    let mut out = Vec::new();
    if let Some(limits) = node.child("limits") {
        if let Some(overuse) = text(limits, "overuse") {
            out.push((Group::Limits, format!("overuse={overuse}")));
        }
        out.extend(names::assignments(limits, "limit", Group::Limits)?);
    }
    if let Some(hosting) = node.child("hosting") {
        out.extend(names::assignments(hosting, "property", Group::Hosting)?);
    }
    if let Some(perms) = node.child("permissions") {
        out.extend(names::assignments(perms, "permission", Group::Permissions)?);
    }
    if let Some(php) = node.child("php-settings") {
        out.extend(names::assignments(php, "setting", Group::Php)?);
    }
    for (element, table) in [
        ("performance", names::PERFORMANCE),
        ("preferences", names::PLAN_PREFERENCES),
    ] {
        if let Some(part) = node.child(element) {
            out.extend(names::mapped(part, table)?);
        }
    }
    Ok(out)
}

async fn add(ctx: &Ctx, plan_type: PlanType, op: &Node) -> Result<El> {
    let name = text(op, "name").unwrap_or_default();
    let owner = owner(ctx, op).await?;
    let view = ctx
        .app
        .create_plan(
            &ctx.actor,
            &name,
            plan_type,
            owner.as_deref(),
            &assignments(op)?,
            Mode::Apply,
        )
        .await?;
    let ids = names::ids_of(&ctx.app, &[view.id]).await?;
    Ok(reply::ok()
        .with_opt("id", ids.get(&view.id))
        .with_text("guid", view.id))
}

async fn by_ref(
    ctx: &Ctx,
    plan_type: PlanType,
    field: &str,
    found: LegacyRef,
) -> Result<Vec<PlanView>> {
    match found {
        LegacyRef::Plan { owner, name } => Ok(vec![
            ctx.app
                .plan_info(&ctx.actor, &name, Some(plan_type), Some(&owner))
                .await?,
        ]),
        _ => Err(Error::not_found(field, "no such plan")),
    }
}

async fn find(
    ctx: &Ctx,
    plan_type: PlanType,
    owner: Option<&str>,
    all_owners: bool,
    wanted: Option<Wanted>,
) -> Result<Vec<(PlanView, i64)>> {
    let app = &ctx.app;
    let plans = match wanted {
        None if all_owners || owner.is_some() => {
            app.list_plans(&ctx.actor, Some(plan_type), owner).await?
        }
        None => {
            let own = ctx.actor.login.to_string();
            app.list_plans(&ctx.actor, Some(plan_type), Some(&own))
                .await?
        }
        Some(w) => match w.key.as_str() {
            "id" => {
                let id = berth_app::legacy_ids::parse_legacy_id("id", &w.value)?;
                by_ref(ctx, plan_type, "id", app.legacy_ref("id", id).await?).await?
            }
            "guid" => {
                let found = app.legacy_ref_of_guid("guid", &w.value).await?;
                by_ref(ctx, plan_type, "guid", found).await?
            }
            "name" => vec![
                app.plan_info(&ctx.actor, &w.value, Some(plan_type), owner)
                    .await?,
            ],
            // Berth's plans carry no external id: nothing matches.
            _ => vec![],
        },
    };
    let uuids: Vec<uuid::Uuid> = plans.iter().map(|p| p.id).collect();
    let ids = names::ids_of(app, &uuids).await?;
    Ok(plans
        .into_iter()
        .map(|p| {
            let id = ids.get(&p.id).copied().unwrap_or_default();
            (p, id)
        })
        .collect())
}

fn described(p: &PlanView, id: i64) -> El {
    let group = |g: &str| p.properties.get(g).cloned().unwrap_or_default();
    let limits = group("limits");
    let mut limits_el = El::new("limits");
    if let Some(o) = limits.get("overuse") {
        limits_el = limits_el.with_text("overuse", names::json_text(o));
    }
    limits_el = limits_el.extend(names::property_list("l", "limit", &limits).children);
    reply::ok()
        .with_text("id", id)
        .with_text("name", &p.name)
        .with_text("guid", p.id)
        .with_text("owner-login", &p.owner)
        .with(limits_el)
        .with(names::property_list(
            "hosting",
            "property",
            &group("hosting"),
        ))
        .with(names::property_list(
            "permissions",
            "permission",
            &group("permissions"),
        ))
        .with(names::property_list(
            "php-settings",
            "setting",
            &group("php"),
        ))
        .with(mapped_el(p, "performance", names::PERFORMANCE))
        .with(mapped_el(p, "preferences", names::PLAN_PREFERENCES))
}

/// A part whose elements are Plesk's fixed names for properties of the table.
fn mapped_el(p: &PlanView, element: &str, table: &[(&str, &str)]) -> El {
    let mut out = El::new(element);
    for (name, property) in table {
        let value = berth_core::property::descriptor(property)
            .and_then(|d| p.properties.get(d.group.as_str()))
            .and_then(|g| g.get(*property));
        if let Some(v) = value {
            out.children.push(El::text(name, names::json_text(v)));
        }
    }
    out
}

async fn filtered(ctx: &Ctx, plan_type: PlanType, op: &Node) -> Vec<El> {
    let filter = match filter::parse(op, FILTERS) {
        Ok(f) => f,
        Err(e) => return vec![e],
    };
    let owner = match owner(ctx, op).await {
        Ok(o) => o,
        Err(e) => return vec![reply::error(&e)],
    };
    let all_owners = op.has("owner-all");
    let owner = owner.as_deref();
    filter::each(
        &filter,
        |w| find(ctx, plan_type, owner, all_owners, w),
        |(p, id): (PlanView, i64)| async move {
            let outcome = match op.name.as_str() {
                "get" => return Ok(described(&p, id)),
                "del" => ctx
                    .app
                    .remove_plan(
                        &ctx.actor,
                        &p.name,
                        Some(plan_type),
                        Some(&p.owner),
                        Mode::Apply,
                    )
                    .await
                    .map(drop),
                _ => set(ctx, plan_type, op, &p).await,
            };
            match outcome {
                Ok(()) => Ok(reply::ok().with_text("id", id)),
                Err(e) => Err(reply::error(&e).with_text("id", id)),
            }
        },
    )
    .await
}

/// `set`: new values in `values{name?, limits, hosting, permissions, php-settings}` (the
/// same elements directly under `set` are accepted too). Update & Sync (R2.3).
async fn set(ctx: &Ctx, plan_type: PlanType, op: &Node, p: &PlanView) -> Result<()> {
    let values = op.child("values").unwrap_or(op);
    let new_name = text(values, "name").filter(|n| *n != p.name);
    let assignments = assignments(values)?;
    if new_name.is_none() && assignments.is_empty() {
        return Err(Error::invalid(
            "values",
            "nothing to change: give new values",
        ));
    }
    ctx.app
        .update_plan(
            &ctx.actor,
            &p.name,
            Some(plan_type),
            Some(&p.owner),
            new_name.as_deref(),
            &assignments,
            Mode::Apply,
        )
        .await
        .map(drop)
}
