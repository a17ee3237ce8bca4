//! `berth plan ...`: service, add-on and reseller plans (SPEC §2), with "Update & Sync"
//! (R2.3) and its per-subscription preview (R3.10).

use std::io::IsTerminal;
use std::process::ExitCode;

use berth_app::Berth;
use berth_app::plans::{Assignment, FieldChange, PlanUpdateOutcome, PlanView, SubscriptionImpact};
use berth_core::domain::DomainName;
use berth_core::property::{Group, PlanType, descriptor};
use berth_core::rights::Actor;
use berth_core::{Error, Result};
use serde::Serialize;

use crate::accounts::{DryRun, confirm, mode};
use crate::cli::{
    PlanCommand, PlanCreateArgs, PlanInfoArgs, PlanListArgs, PlanRemoveArgs, PlanUpdateArgs,
    PropertyArgs,
};
use crate::output::{Output, say, table};

/// The property groups every plan shows in JSON (CLI.md Plan shape), present even when a
/// plan type carries none of their properties.
const PLAN_GROUPS: [Group; 8] = [
    Group::Limits,
    Group::Permissions,
    Group::Hosting,
    Group::Php,
    Group::Mail,
    Group::Dns,
    Group::Performance,
    Group::Logs,
];

/// Runs one `plan` verb.
pub async fn run(app: &Berth, actor: &Actor, cmd: PlanCommand, out: Output) -> Result<ExitCode> {
    match cmd {
        PlanCommand::Create(args) => create(app, actor, args, out).await,
        PlanCommand::Update(args) => update(app, actor, args, out).await,
        PlanCommand::Info(args) => info(app, actor, args, out).await,
        PlanCommand::Remove(args) => remove(app, actor, args, out).await,
        PlanCommand::List(args) => list(app, actor, args, out).await,
    }
}

/// The property flags as assignments for the service layer. Within one flag the command
/// line order is kept, so a later value of the same property wins; `--overuse` and
/// `--oversell` come after `--limit` and `--perm`.
pub(crate) fn assignments(p: PropertyArgs) -> Vec<Assignment> {
    let groups = [
        (Group::Limits, p.limits),
        (Group::Permissions, p.perms),
        (Group::Hosting, p.hosting),
        (Group::Php, p.php),
        (Group::Mail, p.mail),
        (Group::Dns, p.dns),
        (Group::Performance, p.performance),
        (Group::Logs, p.logs),
        (Group::Applications, p.apps),
    ];
    let mut out: Vec<Assignment> = groups
        .into_iter()
        .flat_map(|(group, values)| values.into_iter().map(move |v| (group, v)))
        .collect();
    out.extend(
        p.overuse
            .into_iter()
            .map(|v| (Group::Limits, format!("overuse={v}"))),
    );
    out.extend(
        p.oversell
            .into_iter()
            .map(|v| (Group::Permissions, format!("allow_oversell={v}"))),
    );
    out
}

fn plan_type(raw: Option<&str>) -> Result<Option<PlanType>> {
    raw.map(|t| PlanType::parse("type", t)).transpose()
}

/// Adds the documented groups a plan type has no properties in, as empty objects.
fn complete(mut view: PlanView) -> PlanView {
    for group in PLAN_GROUPS {
        view.properties
            .entry(group.as_str())
            .or_insert_with(|| serde_json::Value::Object(Default::default()));
    }
    view
}

/// A property value as people write it (`10G`, `unlimited`, `true`), from its JSON form.
pub(crate) fn show(name: &str, value: &serde_json::Value) -> String {
    if let Some(d) = descriptor(name)
        && let Ok(v) = d.from_json(value)
    {
        let text = d.display(&v);
        return if text.is_empty() {
            "(none)".to_owned()
        } else {
            text
        };
    }
    match value {
        serde_json::Value::Null => "-".to_owned(),
        serde_json::Value::String(s) if s.is_empty() => "(none)".to_owned(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `field: old → new`.
pub(crate) fn change_text(c: &FieldChange) -> String {
    format!(
        "{}: {} → {}",
        c.field,
        show(c.field, &c.old),
        show(c.field, &c.new)
    )
}

fn group_title(key: &str) -> &str {
    match key {
        "limits" => "Limits",
        "permissions" => "Permissions",
        "hosting" => "Hosting",
        "php" => "PHP",
        "mail" => "Mail",
        "dns" => "DNS",
        "performance" => "Performance",
        "logs" => "Logs & statistics",
        "applications" => "Applications",
        other => other,
    }
}

/// Prints property groups (`limits`, `permissions`, ...) of a plan or subscription, one
/// `name value` line per property under each group's title.
pub(crate) fn print_groups(properties: &serde_json::Map<String, serde_json::Value>) {
    for group in Group::ALL {
        let Some(serde_json::Value::Object(members)) = properties.get(group.as_str()) else {
            continue;
        };
        if members.is_empty() {
            continue;
        }
        say!("{}", group_title(group.as_str()));
        let width = members.keys().map(|k| k.chars().count()).max().unwrap_or(0);
        for (name, value) in members {
            say!("  {name:<width$}  {}", show(name, value));
        }
    }
}

async fn create(app: &Berth, actor: &Actor, args: PlanCreateArgs, out: Output) -> Result<ExitCode> {
    let plan_type = PlanType::parse("type", &args.plan_type)?;
    let assignments = assignments(args.props);
    let view = app
        .create_plan(
            actor,
            &args.name,
            plan_type,
            args.owner.as_deref(),
            &assignments,
            mode(args.dry_run),
        )
        .await?;
    let view = complete(view);
    if out.json {
        if args.dry_run {
            out.json(&DryRun {
                dry_run: true,
                item: &view,
            });
        } else {
            out.json(&view);
        }
    } else {
        let verb = if args.dry_run {
            "Would create"
        } else {
            "Created"
        };
        say!(
            "{verb} {} plan {} (owner {}).",
            view.plan_type,
            view.name,
            view.owner
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn update(app: &Berth, actor: &Actor, args: PlanUpdateArgs, out: Output) -> Result<ExitCode> {
    let plan_type = plan_type(args.plan_type.as_deref())?;
    let assignments = assignments(args.props);
    let outcome = app
        .update_plan(
            actor,
            &args.name,
            plan_type,
            args.owner.as_deref(),
            args.new_name.as_deref(),
            &assignments,
            mode(args.dry_run),
        )
        .await?;
    if out.json {
        #[derive(Serialize)]
        struct Updated<'a> {
            #[serde(flatten)]
            plan: &'a PlanView,
            changed: &'a [FieldChange],
            sync: &'a berth_app::plans::SyncReport,
            dry_run: bool,
        }
        let plan = complete(outcome.plan.clone());
        out.json(&Updated {
            plan: &plan,
            changed: &outcome.changed,
            sync: &outcome.sync,
            dry_run: outcome.dry_run,
        });
    } else {
        print_update(&args.name, &outcome);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_update(old_name: &str, outcome: &PlanUpdateOutcome) {
    let plan = &outcome.plan;
    let mut parts: Vec<String> = vec![];
    if plan.name != old_name.trim() {
        parts.push(format!("name: {} → {}", old_name.trim(), plan.name));
    }
    parts.extend(outcome.changed.iter().map(change_text));
    let what = format!("{} plan {}", plan.plan_type, plan.name);
    match (parts.is_empty(), outcome.dry_run) {
        (true, _) => say!("Nothing changed in {what}."),
        (false, true) => say!("Would change {what}: {}.", parts.join(", ")),
        (false, false) => say!("Changed {what}: {}.", parts.join(", ")),
    }
    let s = &outcome.sync;
    if outcome.dry_run {
        say!(
            "Subscriptions: would sync {}, skip {} as locked, leave {} unsynced.",
            s.synced,
            s.locked,
            s.unsynced
        );
        for impact in &s.impact {
            print_impact(impact);
        }
    } else {
        say!(
            "Subscriptions: {} synced, {} skipped as locked, {} unsynced.",
            s.synced,
            s.locked,
            s.unsynced
        );
    }
}

fn print_impact(impact: &SubscriptionImpact) {
    // Impacts name subscriptions as stored (punycode); people read the Unicode form.
    let name = DomainName::from_stored("domain", &impact.name)
        .map_or_else(|_| impact.name.clone(), |d| d.unicode().to_owned());
    match impact.outcome {
        "locked" => say!("  {name}: locked, skipped"),
        outcome if impact.changes.is_empty() => say!("  {name}: {outcome}, nothing changes"),
        outcome => say!("  {name}: {outcome}"),
    }
    for change in &impact.changes {
        say!("    {}", change_text(change));
    }
    if let Some(conflicts) = impact.conflicts.as_array() {
        for c in conflicts {
            let property = c["property"].as_str().unwrap_or_default();
            say!(
                "    cannot provide {property}: plan {}, available {}",
                show(property, &c["plan_value"]),
                show(property, &c["available_value"])
            );
        }
    }
}

async fn info(app: &Berth, actor: &Actor, args: PlanInfoArgs, out: Output) -> Result<ExitCode> {
    let plan_type = plan_type(args.plan_type.as_deref())?;
    let view = app
        .plan_info(actor, &args.name, plan_type, args.owner.as_deref())
        .await?;
    let view = complete(view);
    if out.json {
        out.json(&view);
        return Ok(ExitCode::SUCCESS);
    }
    for (label, value) in [
        ("Name", view.name.clone()),
        ("Type", view.plan_type.to_owned()),
        ("Owner", view.owner.clone()),
        ("Subscriptions", view.subscriptions.to_string()),
        ("Id", view.id.to_string()),
    ] {
        say!("{label:<14} {value}");
    }
    print_groups(&view.properties);
    Ok(ExitCode::SUCCESS)
}

async fn remove(app: &Berth, actor: &Actor, args: PlanRemoveArgs, out: Output) -> Result<ExitCode> {
    let plan_type = plan_type(args.plan_type.as_deref())?;
    if !args.yes && !args.dry_run {
        let interactive = out.interactive() && std::io::stdin().is_terminal();
        if !interactive {
            return Err(Error::invalid(
                "yes",
                "removal needs --yes when not run interactively",
            ));
        }
        if !confirm(&format!("Remove plan {}?", args.name)) {
            say!("Nothing removed.");
            return Ok(ExitCode::SUCCESS);
        }
    }
    let view = app
        .remove_plan(
            actor,
            &args.name,
            plan_type,
            args.owner.as_deref(),
            mode(args.dry_run),
        )
        .await?;
    let view = complete(view);
    if out.json {
        out.json(&DryRun {
            dry_run: args.dry_run,
            item: &view,
        });
    } else {
        let verb = if args.dry_run {
            "Would remove"
        } else {
            "Removed"
        };
        say!(
            "{verb} {} plan {} (owner {}).",
            view.plan_type,
            view.name,
            view.owner
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn list(app: &Berth, actor: &Actor, args: PlanListArgs, out: Output) -> Result<ExitCode> {
    let plan_type = plan_type(args.plan_type.as_deref())?;
    let plans = app
        .list_plans(actor, plan_type, args.owner.as_deref())
        .await?;
    let plans: Vec<PlanView> = plans.into_iter().map(complete).collect();
    if out.json {
        out.json(&plans);
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = plans
        .iter()
        .map(|p| {
            vec![
                p.name.clone(),
                p.plan_type.to_owned(),
                p.owner.clone(),
                p.subscriptions.to_string(),
            ]
        })
        .collect();
    table(&["NAME", "TYPE", "OWNER", "SUBSCRIPTIONS"], &rows);
    Ok(ExitCode::SUCCESS)
}
