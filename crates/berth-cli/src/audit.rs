//! `berth audit list`: the audit log, newest first; and the recording of the changes made
//! on the command line (interface `cli`).

use std::process::ExitCode;

use berth_app::Berth;
use berth_app::audit::AuditListRequest;
use berth_core::Result;
use berth_core::rights::Actor;
use clap::{Args, Subcommand};

use crate::output::{Output, table};

/// `berth audit ...`.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// List entries, newest first (the admin sees all; others their own).
    List(AuditListArgs),
}

/// `audit list [--actor LOGIN] [--limit N] [--after ID]`
#[derive(Debug, Args)]
pub struct AuditListArgs {
    /// Only entries of this login.
    #[arg(long)]
    pub actor: Option<String>,
    /// Page size (1–1000, default 100).
    #[arg(long)]
    pub limit: Option<u32>,
    /// Continue after this entry id.
    #[arg(long)]
    pub after: Option<String>,
}

/// Runs one `audit` verb.
pub async fn run(app: &Berth, actor: &Actor, cmd: AuditCommand, out: Output) -> Result<ExitCode> {
    let AuditCommand::List(args) = cmd;
    let request = AuditListRequest {
        actor: args.actor,
        limit: args.limit,
        after: args.after,
    };
    let page = app.list_audit(actor, request).await?;
    if out.json {
        out.json(&page.items);
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = page
        .items
        .iter()
        .map(|e| {
            vec![
                e.at.to_rfc3339(),
                e.actor.clone(),
                e.source.clone().unwrap_or_default(),
                e.action.clone(),
                e.object.clone(),
                e.status.to_string(),
                e.request_id.clone(),
            ]
        })
        .collect();
    table(
        &[
            "AT", "ACTOR", "FROM", "ACTION", "OBJECT", "STATUS", "REQUEST",
        ],
        &rows,
    );
    if let Some(next) = page.next {
        println!("More: add --after {next}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Verbs that change nothing.
const READ_ONLY: &[&str] = &["info", "list", "show", "overview"];
/// Nouns whose commands are not changes to record.
const NOT_RECORDED: &[&str] = &["init", "serve", "audit"];

/// The audit description of this command line (`customer suspend`, its positional
/// arguments as objects), or `None` for reads, dry runs and commands that are not changes.
/// Only positional arguments are kept: secrets are always flags.
pub fn describe(args: &[std::ffi::OsString]) -> Option<(String, String)> {
    use clap::CommandFactory;
    let mut command = crate::cli::Cli::command();
    let mut matches = command.clone().try_get_matches_from(args).ok()?;
    let mut path = Vec::new();
    while let Some((name, sub)) = matches.subcommand() {
        let next = command.find_subcommand(name)?.clone();
        path.push(name.to_owned());
        let sub = sub.clone();
        command = next;
        matches = sub;
    }
    let noun = path.first()?;
    let verb = path.last()?;
    if NOT_RECORDED.contains(&noun.as_str()) || READ_ONLY.contains(&verb.as_str()) || path.len() < 2
    {
        return None;
    }
    if command.get_arguments().any(|a| a.get_id() == "dry_run") && matches.get_flag("dry_run") {
        return None;
    }
    let objects: Vec<String> = command
        .get_positionals()
        .filter_map(|a| matches.get_raw(a.get_id().as_str()))
        .flat_map(|values| values.map(|v| v.to_string_lossy().into_owned()))
        .collect();
    Some((path.join(" "), objects.join(" ")))
}

/// Records a change made on the command line; `ok` is whether every object succeeded
/// (status 0, else 1).
pub async fn record(app: &Berth, actor: &Actor, (action, object): (String, String), ok: bool) {
    let record = berth_app::audit::AuditRecord {
        actor: actor.clone(),
        api_key: None,
        source: None,
        request_id: uuid::Uuid::now_v7().to_string(),
        interface: "cli",
        action,
        object,
        status: u16::from(!ok),
    };
    if let Err(e) = app.record_audit(record).await {
        tracing::error!(error = %e.message, "the audit entry could not be written");
    }
}
