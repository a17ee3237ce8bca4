//! `berth dns ...`: zones in standard zone-file text, records by hand, and the server's
//! zone template (SPEC R7.4).

use std::io::Read;
use std::process::ExitCode;

use berth_app::dns::{ApplyReport, RecordChange, RecordInput};
use berth_app::{Berth, NoProgress, Progress};
use berth_core::rights::Actor;
use berth_core::{Error, Result};
use clap::{Args, Subcommand};

use crate::accounts::{Bar, mode};
use crate::output::{Output, say};

/// `berth dns ...`
#[derive(Debug, Subcommand)]
pub enum DnsCommand {
    /// Print a domain's zone as a standard zone file (`--json`: its records).
    Show(DnsShowArgs),
    /// Add or remove records by hand (they survive template changes).
    #[command(subcommand)]
    Record(RecordCommand),
    /// The server's zone template (admin only).
    #[command(subcommand)]
    Template(TemplateCommand),
}

/// `dns show DOMAIN`
#[derive(Debug, Args)]
pub struct DnsShowArgs {
    /// A main domain, additional domain or alias.
    pub domain: String,
}

/// `dns record add|remove ...`
#[derive(Debug, Subcommand)]
pub enum RecordCommand {
    /// Add a record: A, AAAA, CNAME, MX, TXT, NS, SRV or CAA.
    Add(RecordArgs),
    /// Remove a record (a template record stays removed when the template is applied).
    Remove(RecordArgs),
}

/// `DOMAIN TYPE HOST VALUE [--priority N] [--ttl N]`
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The zone's domain.
    pub domain: String,
    /// The record type.
    #[arg(value_name = "TYPE")]
    pub rtype: String,
    /// `@` for the domain itself, a name relative to it (`www`), or an absolute name
    /// ending with a dot.
    pub host: String,
    /// The value: an address, a host name, text; SRV `WEIGHT PORT TARGET`; CAA
    /// `FLAGS TAG VALUE`.
    #[arg(allow_hyphen_values = true)]
    pub value: String,
    /// MX (default 10) and SRV (default 0) priority.
    #[arg(long)]
    pub priority: Option<i64>,
    /// Time to live in seconds; default the zone's (86400).
    #[arg(long)]
    pub ttl: Option<i64>,
    /// Show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `dns template show|set|apply`
#[derive(Debug, Subcommand)]
pub enum TemplateCommand {
    /// Print the template: one `HOST [TTL] TYPE [PRIORITY] VALUE` line per record.
    Show,
    /// Replace the template with a file in that format (`-` reads stdin). Zones change
    /// when it is applied.
    Set(TemplateSetArgs),
    /// Apply the template to every zone: adds and updates template records, never touches
    /// records edited by hand.
    Apply(TemplateApplyArgs),
}

/// `dns template set FILE`
#[derive(Debug, Args)]
pub struct TemplateSetArgs {
    /// The template file, or `-` for stdin.
    pub file: String,
    /// Check and show the template; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `dns template apply`
#[derive(Debug, Args)]
pub struct TemplateApplyArgs {
    /// Show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Runs one `dns` verb.
pub async fn run(app: &Berth, actor: &Actor, cmd: DnsCommand, out: Output) -> Result<ExitCode> {
    match cmd {
        DnsCommand::Show(args) => {
            let zone = app.dns_zone(actor, &args.domain).await?;
            if out.json {
                out.json(&zone);
            } else {
                print!("{}", zone.text);
            }
        }
        DnsCommand::Record(RecordCommand::Add(args)) => record(app, actor, args, true, out).await?,
        DnsCommand::Record(RecordCommand::Remove(args)) => {
            record(app, actor, args, false, out).await?
        }
        DnsCommand::Template(TemplateCommand::Show) => {
            let template = app.dns_template(actor).await?;
            if out.json {
                out.json(&template.records);
            } else {
                print!("{}", template.text);
            }
        }
        DnsCommand::Template(TemplateCommand::Set(args)) => {
            let text = read_file(&args.file)?;
            let template = app
                .set_dns_template(actor, &text, mode(args.dry_run))
                .await?;
            if out.json {
                out.json(&template);
            } else if template.dry_run {
                say!(
                    "The template is valid ({} records); nothing was written.",
                    template.records.len()
                );
            } else {
                say!(
                    "The DNS template now has {} records. Zones change when you run \
                     `berth dns template apply`.",
                    template.records.len()
                );
            }
        }
        DnsCommand::Template(TemplateCommand::Apply(args)) => {
            let bar = out
                .interactive()
                .then(|| Bar(indicatif::ProgressBar::new(0)));
            let progress: &dyn Progress = match &bar {
                Some(b) => b,
                None => &NoProgress,
            };
            let report = app
                .apply_dns_template(actor, mode(args.dry_run), progress)
                .await?;
            if let Some(bar) = bar {
                bar.0.finish_and_clear();
            }
            if out.json {
                out.json(&report);
            } else {
                print_report(&report);
            }
            if let Some(failed) = report.failed.first() {
                return Ok(ExitCode::from(crate::output::exit_code(failed.error.code)));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn read_file(path: &str) -> Result<String> {
    let mut text = String::new();
    if path == "-" {
        std::io::stdin().read_to_string(&mut text).map_err(|e| {
            Error::invalid(
                "file",
                format!("the template could not be read from stdin: {e}"),
            )
        })?;
        return Ok(text);
    }
    std::fs::read_to_string(path).map_err(|e| {
        Error::invalid(
            "file",
            format!("the template file {path} could not be read: {e}"),
        )
    })
}

async fn record(
    app: &Berth,
    actor: &Actor,
    args: RecordArgs,
    add: bool,
    out: Output,
) -> Result<()> {
    let input = RecordInput {
        rtype: args.rtype,
        host: args.host,
        value: args.value,
        priority: args.priority,
        ttl: args.ttl,
    };
    let change = if add {
        app.add_dns_record(actor, &args.domain, input, mode(args.dry_run))
            .await?
    } else {
        app.remove_dns_record(actor, &args.domain, input, mode(args.dry_run))
            .await?
    };
    if out.json {
        out.json(&change);
    } else {
        say!("{}", sentence(&change));
    }
    Ok(())
}

fn sentence(c: &RecordChange) -> String {
    let r = &c.record;
    let verb = match (c.action, c.dry_run) {
        ("added", false) => "Added",
        ("added", true) => "Would add",
        (_, false) => "Removed",
        (_, true) => "Would remove",
    };
    let priority = r.priority.map(|p| format!("{p} ")).unwrap_or_default();
    format!(
        "{verb} {} {} {priority}{} {} the zone {} (serial {}).",
        r.name,
        r.rtype,
        r.value,
        if c.action == "added" { "to" } else { "from" },
        c.zone.name,
        c.serial
    )
}

fn print_report(r: &ApplyReport) {
    let verb = if r.dry_run { "Would change" } else { "Changed" };
    say!(
        "{verb} {} of {} zones: {} records added, {} updated, {} edited by hand left alone.",
        r.changed,
        r.zones,
        r.added,
        r.updated,
        r.kept_user_edited
    );
    for s in &r.skipped {
        say!("{}: skipped {}: {}", s.zone.name, s.record, s.reason);
    }
    for f in &r.failed {
        say!("{}: failed: {}", f.zone.name, f.error.message);
    }
}
