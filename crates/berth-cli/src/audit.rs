//! `berth audit list`: the audit log of changes made through the REST API, newest first.

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
