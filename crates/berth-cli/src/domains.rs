//! `berth site ...`, `berth alias ...`, `berth subdomain ...`: the domains of subscriptions
//! (SPEC R3.9, R7.1–R7.3).

use std::io::IsTerminal;
use std::process::ExitCode;

use berth_app::domains::{AliasChange, DomainOutcome, DomainView, NewAlias, NewSite, NewSubdomain};
use berth_app::views::BulkItem;
use berth_app::{Berth, NoProgress, Progress};
use berth_core::rights::Actor;
use berth_core::{Error, Result};
use clap::{Args, Subcommand};

use crate::accounts::{Bar, bulk_exit_code, confirm, mode};
use crate::output::{Output, say, table};

/// `berth site ...`: additional domains of a subscription (R3.9).
#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    /// Add a domain to a subscription (counted by max_site with the main domain).
    Create(SiteCreateArgs),
    /// List websites: main and additional domains.
    List(SiteListArgs),
    /// Remove additional domains with their aliases, subdomains and zones.
    Remove(RemoveArgs),
}

/// `site create DOMAIN --subscription SUB`
#[derive(Debug, Args)]
pub struct SiteCreateArgs {
    /// The new domain (Unicode or punycode).
    pub domain: String,
    /// The subscription, by its main domain.
    #[arg(long)]
    pub subscription: String,
    /// Where its files live inside the webspace; default: its name.
    #[arg(long)]
    pub document_root: Option<String>,
    /// Show what would be created; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `site list [--subscription SUB]`
#[derive(Debug, Args)]
pub struct SiteListArgs {
    /// Only the websites of this subscription.
    #[arg(long)]
    pub subscription: Option<String>,
}

/// `... remove NAME... --yes`
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// Full names to remove.
    #[arg(required = true)]
    pub names: Vec<String>,
    /// Confirm without asking (required when not interactive).
    #[arg(long)]
    pub yes: bool,
    /// Show what would be removed; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `berth alias ...`: extra names of a domain (R7.2).
#[derive(Debug, Subcommand)]
pub enum AliasCommand {
    /// Add an alias to a main or additional domain (counted by max_dom_aliases).
    Create(AliasCreateArgs),
    /// Change an alias's web, mail or DNS sync option.
    Update(AliasUpdateArgs),
    /// List aliases.
    List(ByDomainArgs),
    /// Remove aliases with their zones.
    Remove(RemoveArgs),
}

/// `alias create ALIAS --domain D [options]`
#[derive(Debug, Args)]
pub struct AliasCreateArgs {
    /// The alias (Unicode or punycode).
    pub alias: String,
    /// The domain it is an alias of.
    #[arg(long)]
    pub domain: String,
    #[command(flatten)]
    pub options: AliasOptionArgs,
    /// Show what would be created; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `alias update ALIAS [options]`
#[derive(Debug, Args)]
pub struct AliasUpdateArgs {
    /// The alias.
    pub alias: String,
    #[command(flatten)]
    pub options: AliasOptionArgs,
    /// Show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// The options of an alias.
#[derive(Debug, Args)]
pub struct AliasOptionArgs {
    /// Web: `redirect` (301 to the domain, default), `same` (the same site) or `off`.
    #[arg(long, value_name = "redirect|same|off")]
    pub web: Option<String>,
    /// Deliver mail to user@alias to user@domain (default true).
    #[arg(long, value_name = "true|false")]
    pub mail: Option<String>,
    /// Keep the alias's DNS zone a copy of the domain's (default true).
    #[arg(long, value_name = "true|false")]
    pub dns_sync: Option<String>,
}

/// `... list [--domain D]`
#[derive(Debug, Args)]
pub struct ByDomainArgs {
    /// Only those of this domain.
    #[arg(long)]
    pub domain: Option<String>,
}

/// `berth subdomain ...`: `<name>.<domain>` sites with their own document root (R7.3).
#[derive(Debug, Subcommand)]
pub enum SubdomainCommand {
    /// Add a subdomain to a main or additional domain (counted by max_subdom).
    Create(SubdomainCreateArgs),
    /// List subdomains.
    List(ByDomainArgs),
    /// Remove subdomains (by full name) and their DNS records.
    Remove(RemoveArgs),
}

/// `subdomain create NAME --domain D`
#[derive(Debug, Args)]
pub struct SubdomainCreateArgs {
    /// The part before the domain (`blog`), or the full name.
    pub name: String,
    /// The domain it belongs to.
    #[arg(long)]
    pub domain: String,
    /// Where its files live inside the webspace; default: its full name.
    #[arg(long)]
    pub document_root: Option<String>,
    /// Show what would be created; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

fn flag_bool(field: &str, raw: Option<String>) -> Result<Option<bool>> {
    raw.map(|text| match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Ok(true),
        "false" | "no" | "off" | "0" => Ok(false),
        _ => Err(Error::invalid(
            field,
            format!("{field} must be true or false"),
        )),
    })
    .transpose()
}

fn would(dry_run: bool, done: &'static str, preview: &'static str) -> &'static str {
    if dry_run { preview } else { done }
}

fn print_outcome(out: Output, outcome: &DomainOutcome, sentence: String) {
    if out.json {
        out.json(outcome);
        return;
    }
    say!("{sentence}");
    if let Some(advice) = outcome.recommendation {
        say!("{advice}");
    }
}

fn describe_alias(d: &DomainView) -> String {
    format!(
        "web {}, mail {}, DNS sync {}",
        d.web.unwrap_or("-"),
        if d.mail == Some(true) { "on" } else { "off" },
        if d.dns_sync == Some(true) {
            "on"
        } else {
            "off"
        }
    )
}

fn print_list(out: Output, items: &[DomainView], with_parent: bool) {
    if out.json {
        out.json(&items);
        return;
    }
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|d| {
            let mut row = vec![
                d.name.clone(),
                d.kind.to_owned(),
                d.subscription.name.clone(),
            ];
            if with_parent {
                row.push(d.domain.as_ref().map_or("-".to_owned(), |p| p.name.clone()));
            }
            row.push(match d.kind {
                "alias" => describe_alias(d),
                _ => d.document_root.clone().unwrap_or_else(|| "-".to_owned()),
            });
            row
        })
        .collect();
    if with_parent {
        table(
            &["NAME", "KIND", "SUBSCRIPTION", "DOMAIN", "DETAILS"],
            &rows,
        );
    } else {
        table(&["NAME", "KIND", "SUBSCRIPTION", "DOCUMENT ROOT"], &rows);
    }
}

/// Confirms a removal: `--yes`, a dry run, or a "y" on a terminal. `false` means the
/// person said no.
fn confirmed(out: Output, args: &RemoveArgs, what: &str) -> Result<bool> {
    if args.yes || args.dry_run {
        return Ok(true);
    }
    if !(out.interactive() && std::io::stdin().is_terminal()) {
        return Err(Error::invalid(
            "yes",
            "removal needs --yes when not run interactively",
        ));
    }
    if confirm(&format!("Remove {what} {}?", args.names.join(", "))) {
        Ok(true)
    } else {
        say!("Nothing removed.");
        Ok(false)
    }
}

/// A progress bar for bulk removals on a terminal.
fn bar(out: Output, count: usize) -> Option<Bar> {
    (out.interactive() && count > 1).then(|| Bar(indicatif::ProgressBar::new(count as u64)))
}

fn progress(bar: &Option<Bar>) -> &dyn Progress {
    match bar {
        Some(b) => b,
        None => &NoProgress,
    }
}

/// Prints the per-object report of a removal and returns the exit code.
fn report_removals(
    out: Output,
    args: &RemoveArgs,
    bar: Option<Bar>,
    results: &[BulkItem<DomainView>],
) -> ExitCode {
    if let Some(bar) = bar {
        bar.0.finish_and_clear();
    }
    if out.json {
        out.json(&results);
        return bulk_exit_code(results);
    }
    let verb = would(args.dry_run, "removed", "would remove");
    for item in results {
        match (&item.result, &item.error) {
            (Some(d), _) => say!("{}: {verb} {} {}", item.name, d.kind, d.name),
            (None, Some(e)) => say!("{}: failed: {}", item.name, e.message),
            (None, None) => {}
        }
    }
    bulk_exit_code(results)
}

/// Runs one `site` verb.
pub async fn run_site(
    app: &Berth,
    actor: &Actor,
    cmd: SiteCommand,
    out: Output,
) -> Result<ExitCode> {
    match cmd {
        SiteCommand::Create(args) => {
            let outcome = app
                .create_site(
                    actor,
                    NewSite {
                        domain: args.domain,
                        subscription: args.subscription,
                        document_root: args.document_root,
                    },
                    mode(args.dry_run),
                )
                .await?;
            let d = &outcome.domain;
            let sentence = format!(
                "{} the domain {} in the subscription {} (document root {}).",
                would(outcome.dry_run, "Created", "Would create"),
                d.name,
                d.subscription.name,
                d.document_root.as_deref().unwrap_or("-")
            );
            print_outcome(out, &outcome, sentence);
            Ok(ExitCode::SUCCESS)
        }
        SiteCommand::List(args) => {
            let items = app.list_sites(actor, args.subscription.as_deref()).await?;
            print_list(out, &items, false);
            Ok(ExitCode::SUCCESS)
        }
        SiteCommand::Remove(args) => {
            if !confirmed(out, &args, "the domains")? {
                return Ok(ExitCode::SUCCESS);
            }
            let bar = bar(out, args.names.len());
            let results = app
                .remove_sites(actor, &args.names, mode(args.dry_run), progress(&bar))
                .await;
            Ok(report_removals(out, &args, bar, &results))
        }
    }
}

/// Runs one `alias` verb.
pub async fn run_alias(
    app: &Berth,
    actor: &Actor,
    cmd: AliasCommand,
    out: Output,
) -> Result<ExitCode> {
    match cmd {
        AliasCommand::Create(args) => {
            let outcome = app
                .create_alias(
                    actor,
                    NewAlias {
                        alias: args.alias,
                        domain: args.domain,
                        web: args.options.web,
                        mail: flag_bool("mail", args.options.mail)?,
                        dns_sync: flag_bool("dns_sync", args.options.dns_sync)?,
                    },
                    mode(args.dry_run),
                )
                .await?;
            let d = &outcome.domain;
            let sentence = format!(
                "{} the alias {} of {} ({}).",
                would(outcome.dry_run, "Created", "Would create"),
                d.name,
                d.domain.as_ref().map_or("-", |p| p.name.as_str()),
                describe_alias(d)
            );
            print_outcome(out, &outcome, sentence);
            Ok(ExitCode::SUCCESS)
        }
        AliasCommand::Update(args) => {
            let outcome = app
                .update_alias(
                    actor,
                    &args.alias,
                    AliasChange {
                        web: args.options.web,
                        mail: flag_bool("mail", args.options.mail)?,
                        dns_sync: flag_bool("dns_sync", args.options.dns_sync)?,
                    },
                    mode(args.dry_run),
                )
                .await?;
            let d = &outcome.domain;
            let sentence = format!(
                "{} the alias {}: {}.",
                would(outcome.dry_run, "Changed", "Would change"),
                d.name,
                describe_alias(d)
            );
            print_outcome(out, &outcome, sentence);
            Ok(ExitCode::SUCCESS)
        }
        AliasCommand::List(args) => {
            let items = app.list_aliases(actor, args.domain.as_deref()).await?;
            print_list(out, &items, true);
            Ok(ExitCode::SUCCESS)
        }
        AliasCommand::Remove(args) => {
            if !confirmed(out, &args, "the aliases")? {
                return Ok(ExitCode::SUCCESS);
            }
            let bar = bar(out, args.names.len());
            let results = app
                .remove_aliases(actor, &args.names, mode(args.dry_run), progress(&bar))
                .await;
            Ok(report_removals(out, &args, bar, &results))
        }
    }
}

/// Runs one `subdomain` verb.
pub async fn run_subdomain(
    app: &Berth,
    actor: &Actor,
    cmd: SubdomainCommand,
    out: Output,
) -> Result<ExitCode> {
    match cmd {
        SubdomainCommand::Create(args) => {
            let outcome = app
                .create_subdomain(
                    actor,
                    NewSubdomain {
                        name: args.name,
                        domain: args.domain,
                        document_root: args.document_root,
                    },
                    mode(args.dry_run),
                )
                .await?;
            let d = &outcome.domain;
            let sentence = format!(
                "{} the subdomain {} (document root {}).",
                would(outcome.dry_run, "Created", "Would create"),
                d.name,
                d.document_root.as_deref().unwrap_or("-")
            );
            print_outcome(out, &outcome, sentence);
            Ok(ExitCode::SUCCESS)
        }
        SubdomainCommand::List(args) => {
            let items = app.list_subdomains(actor, args.domain.as_deref()).await?;
            print_list(out, &items, true);
            Ok(ExitCode::SUCCESS)
        }
        SubdomainCommand::Remove(args) => {
            if !confirmed(out, &args, "the subdomains")? {
                return Ok(ExitCode::SUCCESS);
            }
            let bar = bar(out, args.names.len());
            let results = app
                .remove_subdomains(actor, &args.names, mode(args.dry_run), progress(&bar))
                .await;
            Ok(report_removals(out, &args, bar, &results))
        }
    }
}
