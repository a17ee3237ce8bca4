//! `berth subscription ...`: the hosting units and their sync with plans (SPEC §3).

use std::io::IsTerminal;
use std::process::ExitCode;

use berth_app::plans::Assignment;
use berth_app::subscriptions::{
    Changed, HostingChange, NewSubscription, SubscriptionListRequest, SubscriptionView,
};
use berth_app::views::BulkItem;
use berth_app::{Berth, NoProgress, Progress};
use berth_core::property::Group;
use berth_core::rights::Actor;
use berth_core::{Error, Result};

use crate::accounts::{Bar, bulk_exit_code, confirm, mode, secret_arg};
use crate::cli::{
    AddonArgs, ChangePlanArgs, ChangeSubscriberArgs, CustomArgs, CustomizeArgs, RenewArgs, SetArgs,
    SubscriptionCommand, SubscriptionCreateArgs, SubscriptionListArgs, SubscriptionRemoveArgs,
    SyncArgs, UnlockArgs,
};
use crate::output::{Output, say, table};
use crate::plans::{change_text, print_groups, show};

/// Runs one `subscription` verb.
pub async fn run(
    app: &Berth,
    actor: &Actor,
    cmd: SubscriptionCommand,
    out: Output,
) -> Result<ExitCode> {
    match cmd {
        SubscriptionCommand::Create(args) => create(app, actor, args, out).await,
        SubscriptionCommand::Info(args) => {
            let view = app.subscription_info(actor, &args.domain).await?;
            if out.json {
                out.json(&view);
            } else {
                print_subscription(&view);
            }
            Ok(ExitCode::SUCCESS)
        }
        SubscriptionCommand::List(args) => list(app, actor, args, out).await,
        SubscriptionCommand::ChangePlan(args) => change_plan(app, actor, args, out).await,
        SubscriptionCommand::AddAddon(args) => addon(app, actor, args, true, out).await,
        SubscriptionCommand::RemoveAddon(args) => addon(app, actor, args, false, out).await,
        SubscriptionCommand::Customize(args) => customize(app, actor, args, out).await,
        SubscriptionCommand::Unlock(args) => unlock(app, actor, args, out).await,
        SubscriptionCommand::Sync(args) => sync(app, actor, args, out).await,
        SubscriptionCommand::ChangeSubscriber(args) => {
            change_subscriber(app, actor, args, out).await
        }
        SubscriptionCommand::Renew(args) => renew(app, actor, args, out).await,
        SubscriptionCommand::Set(args) => set(app, actor, args, out).await,
        SubscriptionCommand::Remove(args) => remove(app, actor, args, out).await,
        SubscriptionCommand::Suspend(args) => {
            crate::status::run(
                app,
                actor,
                crate::status::Target::Subscriptions,
                true,
                args,
                out,
            )
            .await
        }
        SubscriptionCommand::Activate(args) => {
            crate::status::run(
                app,
                actor,
                crate::status::Target::Subscriptions,
                false,
                args,
                out,
            )
            .await
        }
    }
}

/// `--limit` and `--perm` as assignments, in command line order within each flag.
fn custom_assignments(c: CustomArgs) -> Vec<Assignment> {
    let limits = c.limits.into_iter().map(|v| (Group::Limits, v));
    let perms = c.perms.into_iter().map(|v| (Group::Permissions, v));
    limits.chain(perms).collect()
}

/// A progress bar for bulk verbs on a terminal with more than one object; nothing else.
struct Ticker(Option<Bar>);

impl Ticker {
    fn new(out: Output, count: usize) -> Self {
        Ticker(
            (out.interactive() && count > 1)
                .then(|| Bar(indicatif::ProgressBar::new(count as u64))),
        )
    }

    fn progress(&self) -> &dyn Progress {
        match &self.0 {
            Some(bar) => bar,
            None => &NoProgress,
        }
    }

    fn finish(self) {
        if let Some(bar) = self.0 {
            bar.0.finish_and_clear();
        }
    }
}

/// `shop.example (Gold), synced`.
fn state(view: &SubscriptionView) -> String {
    let mut text = format!("{}, {}", view.display_name, view.sync_state);
    if !view.addons.is_empty() {
        text.push_str(&format!(" (add-ons: {})", view.addons.join(", ")));
    }
    text
}

/// Prints a conflict report as a table: PROPERTY, PLAN VALUE, AVAILABLE VALUE.
fn print_conflicts(conflicts: &serde_json::Value) {
    let rows: Vec<Vec<String>> = conflicts
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|c| {
            let property = c["property"].as_str().unwrap_or_default();
            vec![
                property.to_owned(),
                show(property, &c["plan_value"]),
                show(property, &c["available_value"]),
            ]
        })
        .collect();
    if !rows.is_empty() {
        table(&["PROPERTY", "PLAN VALUE", "AVAILABLE VALUE"], &rows);
    }
}

fn has_conflicts(view: &SubscriptionView) -> bool {
    view.conflicts.as_array().is_some_and(|c| !c.is_empty())
}

/// Prints a single-object change: a sentence, then `field: old → new` lines, then the
/// conflict report when the subscription is unsynced.
fn print_changed(sentence: &str, changed: &Changed) {
    say!("{sentence}");
    for change in &changed.changes {
        say!("  {}", change_text(change));
    }
    if has_conflicts(&changed.subscription) {
        print_conflicts(&changed.subscription.conflicts);
    }
}

/// Prints bulk results, one line per object (`name: what happened`) with the changes
/// indented under it, and returns the bulk exit code; `--json` prints the BulkItem array.
fn report_bulk(
    out: Output,
    results: &[BulkItem<Changed>],
    did: impl Fn(&Changed) -> String,
) -> ExitCode {
    if out.json {
        out.json(&results);
        return bulk_exit_code(results);
    }
    for item in results {
        match (&item.result, &item.error) {
            (Some(c), _) => {
                say!("{}: {}", item.name, did(c));
                for change in &c.changes {
                    say!("  {}", change_text(change));
                }
            }
            (None, Some(e)) => say!("{}: failed: {}", item.name, e.message),
            (None, None) => {}
        }
    }
    bulk_exit_code(results)
}

fn would(dry_run: bool, now: &'static str, then: &'static str) -> &'static str {
    if dry_run { then } else { now }
}

async fn create(
    app: &Berth,
    actor: &Actor,
    args: SubscriptionCreateArgs,
    out: Output,
) -> Result<ExitCode> {
    let system_password = args
        .system_password
        .map(|p| secret_arg("system_password", p))
        .transpose()?;
    let input = NewSubscription {
        domain: args.domain,
        owner: args.owner,
        plan: args.plan,
        addons: args.addons,
        ips: args.ips,
        system_user: args.system_user,
        system_password,
        custom: custom_assignments(args.custom),
    };
    let created = app
        .create_subscription(actor, input, mode(args.dry_run))
        .await?;
    if out.json {
        out.json(&created);
        return Ok(ExitCode::SUCCESS);
    }
    let s = &created.subscription;
    let verb = would(created.dry_run, "Created", "Would create");
    say!(
        "{verb} subscription {} for {}: system user {}, IP {}, {}.",
        s.display_name,
        s.owner,
        s.system_user,
        s.ips.join(", "),
        s.sync_state
    );
    if let Some(expiration) = s.expiration {
        say!("It expires on {expiration}.");
    }
    if has_conflicts(s) {
        say!("Its plans ask for more than can be provided:");
        print_conflicts(&s.conflicts);
    }
    if !created.dry_run
        && let Some(password) = &created.system_password
    {
        say!("System password (shown only this once, write it down): {password}");
    }
    Ok(ExitCode::SUCCESS)
}

fn print_subscription(s: &SubscriptionView) {
    let reasons: Vec<String> = s
        .suspension_reasons
        .iter()
        .map(|r| {
            format!(
                "{} (by {}, {})",
                r.reason,
                r.by.as_deref().unwrap_or("system"),
                r.at.to_rfc3339()
            )
        })
        .collect();
    let mut sync = s.sync_state.to_owned();
    if !s.customized.is_empty() {
        sync.push_str(&format!(" (customized: {})", s.customized.join(", ")));
    }
    let mut rows = vec![("Name", s.name.clone())];
    if s.ascii_name != s.name {
        rows.push(("ASCII name", s.ascii_name.clone()));
    }
    rows.extend([
        ("Owner", s.owner.clone()),
        (
            "Plan",
            s.plan.clone().unwrap_or_else(|| "(Custom)".to_owned()),
        ),
    ]);
    if !s.addons.is_empty() {
        rows.push(("Add-ons", s.addons.join(", ")));
    }
    rows.extend([("Sync", sync), ("Status", s.status.to_owned())]);
    if !reasons.is_empty() {
        rows.push(("Suspended for", reasons.join("; ")));
    }
    rows.extend([
        (
            "Expiration",
            s.expiration
                .map_or_else(|| "unlimited".to_owned(), |d| d.to_string()),
        ),
        ("Overused", if s.overused { "yes" } else { "no" }.to_owned()),
        ("IPs", s.ips.join(", ")),
        ("System user", s.system_user.clone()),
        ("Created", s.created.to_rfc3339()),
        ("Updated", s.updated.to_rfc3339()),
        ("Id", s.id.to_string()),
    ]);
    for (label, value) in rows {
        say!("{label:<14} {value}");
    }
    print_groups(&s.properties.to_json_map());
    if has_conflicts(s) {
        say!("Conflicts");
        print_conflicts(&s.conflicts);
    }
}

async fn list(
    app: &Berth,
    actor: &Actor,
    args: SubscriptionListArgs,
    out: Output,
) -> Result<ExitCode> {
    let request = SubscriptionListRequest {
        owner: args.owner,
        plan: args.plan,
        status: args.status,
        sync_state: args.sync_state,
        overused: args.overused,
        expired: args.expired,
        search: args.search,
        sort: args.sort,
        limit: args.limit,
        after: args.after,
    };
    let page = app.list_subscriptions(actor, request).await?;
    if out.json {
        out.json(&page.items);
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = page
        .items
        .iter()
        .map(|s| {
            vec![
                s.display_name.clone(),
                s.owner.clone(),
                s.sync_state.to_owned(),
                s.status.to_owned(),
                s.expiration
                    .map_or_else(|| "unlimited".to_owned(), |d| d.to_string()),
            ]
        })
        .collect();
    table(&["NAME", "OWNER", "SYNC", "STATUS", "EXPIRATION"], &rows);
    if let Some(next) = page.next {
        say!("More: add --after {next}");
    }
    Ok(ExitCode::SUCCESS)
}

async fn change_plan(
    app: &Berth,
    actor: &Actor,
    args: ChangePlanArgs,
    out: Output,
) -> Result<ExitCode> {
    let plan = if args.no_plan {
        None
    } else {
        Some(
            args.plan
                .as_deref()
                .ok_or_else(|| Error::invalid("plan", "give --plan P or --no-plan"))?,
        )
    };
    let ticker = Ticker::new(out, args.domains.len());
    let results = app
        .change_plan(
            actor,
            &args.domains,
            plan,
            mode(args.dry_run),
            ticker.progress(),
        )
        .await;
    ticker.finish();
    let verb = would(args.dry_run, "now", "would be");
    Ok(report_bulk(out, &results, |c| {
        format!("{verb} {}", state(&c.subscription))
    }))
}

async fn addon(
    app: &Berth,
    actor: &Actor,
    args: AddonArgs,
    add: bool,
    out: Output,
) -> Result<ExitCode> {
    let ticker = Ticker::new(out, args.domains.len());
    let mode = mode(args.dry_run);
    let results = if add {
        app.add_addon(actor, &args.domains, &args.addon, mode, ticker.progress())
            .await
    } else {
        app.remove_addon(actor, &args.domains, &args.addon, mode, ticker.progress())
            .await
    };
    ticker.finish();
    let verb = match (add, args.dry_run) {
        (true, false) => "added",
        (true, true) => "would add",
        (false, false) => "removed",
        (false, true) => "would remove",
    };
    let addon = args.addon.trim().to_owned();
    Ok(report_bulk(out, &results, |c| {
        format!("{verb} add-on {addon}: {}", state(&c.subscription))
    }))
}

async fn customize(
    app: &Berth,
    actor: &Actor,
    args: CustomizeArgs,
    out: Output,
) -> Result<ExitCode> {
    let assignments = custom_assignments(args.custom);
    let changed = app
        .customize(actor, &args.domain, &assignments, mode(args.dry_run))
        .await?;
    if out.json {
        out.json(&changed);
    } else {
        let verb = would(changed.dry_run, "Customized", "Would customize");
        print_changed(
            &format!(
                "{verb} {}: {}.",
                changed.subscription.name, changed.subscription.sync_state
            ),
            &changed,
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn unlock(app: &Berth, actor: &Actor, args: UnlockArgs, out: Output) -> Result<ExitCode> {
    let ticker = Ticker::new(out, args.domains.len());
    let results = app
        .unlock(
            actor,
            &args.domains,
            &args.fields,
            mode(args.dry_run),
            ticker.progress(),
        )
        .await;
    ticker.finish();
    let verb = would(args.dry_run, "unlocked, now", "would be unlocked:");
    Ok(report_bulk(out, &results, |c| {
        format!("{verb} {}", state(&c.subscription))
    }))
}

async fn sync(app: &Berth, actor: &Actor, args: SyncArgs, out: Output) -> Result<ExitCode> {
    let changed = app
        .sync_subscription(actor, &args.domain, args.accept, mode(args.dry_run))
        .await?;
    if out.json {
        out.json(&changed);
        return Ok(ExitCode::SUCCESS);
    }
    let s = &changed.subscription;
    let is = would(changed.dry_run, "is", "would be");
    say!("{} {is} {}.", s.display_name, s.sync_state);
    for change in &changed.changes {
        say!("  {}", change_text(change));
    }
    if has_conflicts(s) {
        say!("Its plans ask for more than can be provided:");
        print_conflicts(&s.conflicts);
        if !args.accept {
            say!(
                "Take the available values with: berth subscription sync {} --accept",
                s.ascii_name
            );
        }
    } else if args.accept && s.sync_state == "locked" && !s.customized.is_empty() {
        let own = would(changed.dry_run, "are its own now", "would become its own");
        say!(
            "The available values {own} (customized: {}).",
            s.customized.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn change_subscriber(
    app: &Berth,
    actor: &Actor,
    args: ChangeSubscriberArgs,
    out: Output,
) -> Result<ExitCode> {
    let ticker = Ticker::new(out, args.domains.len());
    let results = app
        .change_subscriber(
            actor,
            &args.domains,
            &args.to,
            mode(args.dry_run),
            ticker.progress(),
        )
        .await;
    ticker.finish();
    let verb = would(args.dry_run, "now held by", "would be held by");
    Ok(report_bulk(out, &results, |c| {
        format!(
            "{verb} {} as {}",
            c.subscription.owner,
            state(&c.subscription)
        )
    }))
}

async fn renew(app: &Berth, actor: &Actor, args: RenewArgs, out: Output) -> Result<ExitCode> {
    let changed = app
        .renew(actor, &args.domain, &args.expiration, mode(args.dry_run))
        .await?;
    if out.json {
        out.json(&changed);
    } else {
        let s = &changed.subscription;
        let verb = would(changed.dry_run, "Renewed", "Would renew");
        match s.expiration {
            Some(date) => say!("{verb} {}: it expires on {date}.", s.name),
            None => say!("{verb} {}: it never expires.", s.name),
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn set(app: &Berth, actor: &Actor, args: SetArgs, out: Output) -> Result<ExitCode> {
    let password_given = args.system_password.is_some();
    let system_password = args
        .system_password
        .map(|p| secret_arg("system_password", p))
        .transpose()?;
    let change = HostingChange {
        ips: args.ips,
        system_user: args.system_user,
        system_password,
    };
    let changed = app
        .set_hosting(actor, &args.domain, change, mode(args.dry_run))
        .await?;
    if out.json {
        out.json(&changed);
    } else {
        let s = &changed.subscription;
        let verb = would(changed.dry_run, "Changed", "Would change");
        let mut sentence = format!(
            "{verb} the hosting settings of {}: IP {}, system user {}",
            s.name,
            s.ips.join(", "),
            s.system_user
        );
        if password_given {
            sentence.push_str(", new system password");
        }
        sentence.push('.');
        print_changed(&sentence, &changed);
    }
    Ok(ExitCode::SUCCESS)
}

async fn remove(
    app: &Berth,
    actor: &Actor,
    args: SubscriptionRemoveArgs,
    out: Output,
) -> Result<ExitCode> {
    if !args.yes && !args.dry_run {
        let interactive = out.interactive() && std::io::stdin().is_terminal();
        if !interactive {
            return Err(Error::invalid(
                "yes",
                "removal needs --yes when not run interactively",
            ));
        }
        if !confirm(&format!(
            "Remove subscription {} with its domains, content and zones?",
            args.domains.join(", ")
        )) {
            say!("Nothing removed.");
            return Ok(ExitCode::SUCCESS);
        }
    }
    let ticker = Ticker::new(out, args.domains.len());
    let results = app
        .remove_subscriptions(actor, &args.domains, mode(args.dry_run), ticker.progress())
        .await;
    ticker.finish();
    if out.json {
        out.json(&results);
        return Ok(bulk_exit_code(&results));
    }
    let verb = would(args.dry_run, "removed", "would remove");
    for item in &results {
        match (&item.result, &item.error) {
            (Some(s), _) => say!(
                "{}: {verb} subscription {} of {}",
                item.name,
                s.display_name,
                s.owner
            ),
            (None, Some(e)) => say!("{}: failed: {}", item.name, e.message),
            (None, None) => {}
        }
    }
    Ok(bulk_exit_code(&results))
}
