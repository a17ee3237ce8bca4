//! `suspend` and `activate` for resellers, customers and subscriptions (SPEC §5).

use std::process::ExitCode;

use berth_app::status::StatusChange;
use berth_app::views::BulkItem;
use berth_app::{Berth, NoProgress, Progress};
use berth_core::Result;
use berth_core::account::AccountKind;
use berth_core::rights::Actor;

use crate::accounts::{Bar, bulk_exit_code, mode};
use crate::cli::StatusArgs;
use crate::output::Output;

/// What is suspended or activated.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// Accounts of this kind.
    Accounts(AccountKind),
    /// Subscriptions.
    Subscriptions,
}

/// Runs `suspend` (`suspend = true`) or `activate` on the named objects.
pub async fn run(
    app: &Berth,
    actor: &Actor,
    target: Target,
    suspend: bool,
    args: StatusArgs,
    out: Output,
) -> Result<ExitCode> {
    let bar = (out.interactive() && args.names.len() > 1)
        .then(|| Bar(indicatif::ProgressBar::new(args.names.len() as u64)));
    let progress: &dyn Progress = match &bar {
        Some(bar) => bar,
        None => &NoProgress,
    };
    let m = mode(args.dry_run);
    let results = match (target, suspend) {
        (Target::Accounts(kind), true) => {
            app.suspend_accounts(actor, kind, &args.names, m, progress)
                .await
        }
        (Target::Accounts(kind), false) => {
            app.activate_accounts(actor, kind, &args.names, m, progress)
                .await
        }
        (Target::Subscriptions, true) => {
            app.suspend_subscriptions(actor, &args.names, m, progress)
                .await
        }
        (Target::Subscriptions, false) => {
            app.activate_subscriptions(actor, &args.names, m, progress)
                .await
        }
    };
    if let Some(bar) = bar {
        bar.0.finish_and_clear();
    }
    if out.json {
        out.json(&results);
    } else {
        print_results(&results);
    }
    Ok(bulk_exit_code(&results))
}

fn print_results(results: &[BulkItem<StatusChange>]) {
    for item in results {
        match (&item.result, &item.error) {
            (Some(c), _) => {
                let prefix = if c.dry_run { "would be " } else { "" };
                let reasons: Vec<String> = c
                    .suspension_reasons
                    .iter()
                    .map(|r| format!("{} by {}", r.reason, r.by.as_deref().unwrap_or("system")))
                    .collect();
                let why = if reasons.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", reasons.join(", "))
                };
                let cascade = if c.cascaded_accounts + c.cascaded_subscriptions > 0 {
                    format!(
                        "; {} account(s) and {} subscription(s) follow",
                        c.cascaded_accounts, c.cascaded_subscriptions
                    )
                } else {
                    String::new()
                };
                println!("{}: {prefix}{}{why}{cascade}", item.name, c.status);
            }
            (None, Some(e)) => println!("{}: failed: {}", item.name, e.message),
            (None, None) => {}
        }
    }
}
