//! `berth provision [--dry-run]`: make the machine match the database now (R9.1, R9.2).

use std::process::ExitCode;

use berth_app::Berth;
use berth_app::provision::ProvisionSettings;
use berth_core::Result;
use berth_core::rights::Actor;
use clap::Args;

use crate::accounts::mode;
use crate::output::Output;

/// `berth provision`
#[derive(Debug, Args)]
pub struct ProvisionArgs {
    /// Show which configuration files would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Runs provisioning once.
pub async fn run(
    app: &Berth,
    actor: &Actor,
    settings: &ProvisionSettings,
    args: ProvisionArgs,
    out: Output,
) -> Result<ExitCode> {
    let report = app.provision(actor, settings, mode(args.dry_run)).await?;
    if out.json {
        out.json(&report);
        return Ok(ExitCode::SUCCESS);
    }
    let verb = if report.dry_run {
        "would change"
    } else {
        "changed"
    };
    if report.changed_files.is_empty() {
        println!(
            "{} subscription(s): nothing to change.",
            report.subscriptions
        );
    } else {
        println!(
            "{} subscription(s); {verb}: {}",
            report.subscriptions,
            report.changed_files.join(", ")
        );
    }
    if let Some(n) = report.generation {
        println!(
            "Generation {n} is live in {}.",
            settings.nginx_dir.join("current").display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
