//! `berth audit list`: the audit log, newest first; and the recording of the changes made
//! on the command line (interface `cli`).

use std::process::ExitCode;

use berth_app::Berth;
use std::sync::Arc;

use berth_app::audit::{AuditListRequest, AuditScope, AuditView, ScopeRequest};
use berth_core::Result;
use berth_core::rights::Actor;
use clap::{Args, Subcommand};

use crate::output::{Output, table};

/// `berth audit ...`.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// List entries with their field changes, newest first (the admin sees all; others
    /// their own).
    List(AuditListArgs),
    /// Write every entry the filters match, newest first, as JSON lines or CSV on
    /// standard output (the admin: all; others: their own).
    Export(AuditExportArgs),
}

/// The filters `audit list` and `audit export` share.
#[derive(Debug, Args)]
pub struct AuditFilterArgs {
    /// Only entries of this login.
    #[arg(long)]
    pub actor: Option<String>,
    /// Only entries whose object, or one of whose changed objects, contains this text (a
    /// subscription's domain, a login, a plan name).
    #[arg(long)]
    pub object: Option<String>,
    /// Only entries whose operation contains this text (`suspend`, `customer update`).
    #[arg(long)]
    pub action: Option<String>,
    /// Only entries at or after this time (RFC 3339, or YYYY-MM-DD).
    #[arg(long)]
    pub since: Option<String>,
    /// Only entries before this time (RFC 3339, or YYYY-MM-DD).
    #[arg(long)]
    pub until: Option<String>,
}

impl AuditFilterArgs {
    fn into_request(self, limit: Option<u32>, after: Option<String>) -> AuditListRequest {
        AuditListRequest {
            actor: self.actor,
            object: self.object,
            action: self.action,
            since: self.since,
            until: self.until,
            limit,
            after,
        }
    }
}

/// `audit list [FILTERS] [--limit N] [--after ID]`
#[derive(Debug, Args)]
pub struct AuditListArgs {
    /// Which entries.
    #[command(flatten)]
    pub filter: AuditFilterArgs,
    /// Page size (1–1000, default 100).
    #[arg(long)]
    pub limit: Option<u32>,
    /// Continue after this entry id.
    #[arg(long)]
    pub after: Option<String>,
}

/// `audit export [FILTERS] [--format jsonl|csv]`
#[derive(Debug, Args)]
pub struct AuditExportArgs {
    /// Which entries.
    #[command(flatten)]
    pub filter: AuditFilterArgs,
    /// `jsonl` (one entry per line, with its changes) or `csv` (one line per change).
    #[arg(long, default_value = "jsonl")]
    pub format: String,
}

/// Runs one `audit` verb.
pub async fn run(app: &Berth, actor: &Actor, cmd: AuditCommand, out: Output) -> Result<ExitCode> {
    let args = match cmd {
        AuditCommand::List(args) => args,
        AuditCommand::Export(args) => return export(app, actor, args).await,
    };
    let request = args.filter.into_request(args.limit, args.after);
    let page = app.list_audit(actor, request).await?;
    if out.json {
        out.json(&page.items);
        return Ok(ExitCode::SUCCESS);
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    for e in &page.items {
        let head = vec![
            e.at.to_rfc3339(),
            e.actor.clone(),
            e.source.clone().unwrap_or_default(),
            e.action.clone(),
            e.status.to_string(),
            e.request_id.clone(),
        ];
        let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_owned());
        if e.changes.is_empty() {
            let mut row = head.clone();
            row.extend([
                e.object.clone(),
                String::new(),
                String::new(),
                String::new(),
            ]);
            rows.push(row);
        }
        for c in &e.changes {
            let mut row = head.clone();
            row.extend([
                c.object.clone(),
                c.field.clone(),
                shown(&c.before),
                shown(&c.after),
            ]);
            rows.push(row);
        }
    }
    table(
        &[
            "AT", "ACTOR", "FROM", "ACTION", "STATUS", "REQUEST", "OBJECT", "FIELD", "BEFORE",
            "AFTER",
        ],
        &rows,
    );
    if let Some(next) = page.next {
        println!("More: add --after {next}");
    }
    Ok(ExitCode::SUCCESS)
}

/// `audit export`: every matching entry, a page at a time, written as it comes.
async fn export(app: &Berth, actor: &Actor, args: AuditExportArgs) -> Result<ExitCode> {
    use std::io::Write;
    let csv = match args.format.trim() {
        "jsonl" => false,
        "csv" => true,
        _ => {
            return Err(berth_core::Error::invalid(
                "format",
                "format must be jsonl or csv",
            ));
        }
    };
    let request = args.filter.into_request(None, None);
    let mut out = std::io::stdout().lock();
    let write_failed = |e: std::io::Error| {
        berth_core::Error::failed(format!("the export could not be written: {e}"))
    };
    if csv {
        write!(out, "{}\r\n", AuditView::CSV_HEADER).map_err(write_failed)?;
    }
    let mut after = None;
    loop {
        let page = app.export_audit_page(actor, &request, after).await?;
        for entry in &page.items {
            let text = if csv {
                entry.csv_lines()
            } else {
                entry.json_line()
            };
            out.write_all(text.as_bytes()).map_err(write_failed)?;
        }
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    out.flush().map_err(write_failed)?;
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

/// The audit scope of a change made on the command line: a fresh request id, interface
/// `cli`, the command as the operation and its positional arguments as objects.
pub fn scope(app: &Berth, (action, object): &(String, String)) -> Arc<AuditScope> {
    app.audit_scope(ScopeRequest {
        request_id: uuid::Uuid::now_v7().to_string(),
        interface: "cli",
        source: None,
        action: action.clone(),
        object: object.clone(),
    })
}

/// Completes the entry of a change made on the command line; `ok` is whether every
/// object succeeded (status 0, else 1).
pub async fn record(
    app: &Berth,
    actor: &Actor,
    scope: &AuditScope,
    (action, object): (String, String),
    ok: bool,
) {
    let record = berth_app::audit::AuditRecord {
        entry: Some(scope.entry_id()),
        actor: actor.clone(),
        api_key: None,
        source: None,
        request_id: scope.request_id().to_owned(),
        interface: "cli",
        action,
        object,
        status: u16::from(!ok),
    };
    if let Err(e) = app.record_audit(record).await {
        tracing::error!(error = %e.message, "the audit entry could not be written");
    }
}
