//! `berth provision [--dry-run] [--status]`: make the machine match the database now
//! (R9.1–R9.3), or show the provisioning queue.

use std::process::ExitCode;

use berth_app::Berth;
use berth_app::provision::{ProvisionReport, ProvisionSettings, QueueView};
use berth_core::Result;
use berth_core::rights::Actor;
use clap::Args;

use crate::accounts::mode;
use crate::output::Output;

/// `berth provision`
#[derive(Debug, Args)]
pub struct ProvisionArgs {
    /// Show which files would change; write nothing.
    #[arg(long, conflicts_with = "status")]
    pub dry_run: bool,
    /// Show the provisioning queue (pending, running, done, failed jobs and the newest
    /// failures with their errors) instead of running it.
    #[arg(long)]
    pub status: bool,
}

/// Runs provisioning once, or shows the queue.
pub async fn run(
    app: &Berth,
    actor: &Actor,
    settings: &ProvisionSettings,
    args: ProvisionArgs,
    out: Output,
) -> Result<ExitCode> {
    if args.status {
        let queue = app.provision_queue(actor).await?;
        if out.json {
            out.json(&queue);
        } else {
            print_queue(&queue);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let report = app.provision(actor, settings, mode(args.dry_run)).await?;
    if out.json {
        out.json(&report);
    } else {
        print_report(&report, settings);
    }
    // A run that could not apply some subscriptions is a failure for scripts (exit 1);
    // their jobs stay queued and retry.
    Ok(if report.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn print_report(report: &ProvisionReport, settings: &ProvisionSettings) {
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
            "Web configuration generation {n} is live in {}.",
            settings.nginx_dir.join("current").display()
        );
    }
    if let Some(n) = report.dns_generation {
        println!(
            "Zone generation {n} is live in {}.",
            settings.zone_dir.join("current").display()
        );
    }
    for f in &report.failed {
        eprintln!("{}: not applied, will retry: {}", f.subscription, f.error);
    }
}

fn print_queue(queue: &QueueView) {
    println!(
        "pending {}, running {}, done {}, failed {}",
        queue.pending, queue.running, queue.done, queue.failed
    );
    for job in &queue.failures {
        println!(
            "{}  {}  attempts {}  {}",
            job.id,
            job.subscription.as_deref().unwrap_or("(removed)"),
            job.attempts,
            job.error.as_deref().unwrap_or("")
        );
    }
}
