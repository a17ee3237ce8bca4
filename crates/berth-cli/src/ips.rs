//! `berth ip ...`: the IP addresses of this server (R7.5).

use std::io::IsTerminal;
use std::process::ExitCode;

use berth_app::ips::{IpRemoval, IpView};
use berth_app::views::BulkItem;
use berth_app::{Berth, NoProgress, Progress};
use berth_core::rights::Actor;
use berth_core::{Error, Result};
use serde::Serialize;

use crate::accounts::{Bar, DryRun, bulk_exit_code, confirm, mode};
use crate::cli::{IpAddArgs, IpCommand, IpRemoveArgs, IpUpdateArgs};
use crate::output::{Output, table};

/// Runs one `ip` verb.
pub async fn run(app: &Berth, actor: &Actor, cmd: IpCommand, out: Output) -> Result<ExitCode> {
    match cmd {
        IpCommand::Add(args) => add(app, actor, args, out).await,
        IpCommand::List => list(app, actor, out).await,
        IpCommand::Update(args) => update(app, actor, args, out).await,
        IpCommand::Remove(args) => remove(app, actor, args, out).await,
    }
}

fn describe(ip: &IpView) -> String {
    match &ip.interface {
        Some(interface) => format!("{} IP address {} on {interface}", ip.kind, ip.address),
        None => format!("{} IP address {}", ip.kind, ip.address),
    }
}

async fn add(app: &Berth, actor: &Actor, args: IpAddArgs, out: Output) -> Result<ExitCode> {
    let view = app
        .add_ip(
            actor,
            &args.ip,
            &args.kind,
            args.interface.as_deref(),
            mode(args.dry_run),
        )
        .await?;
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
            "Would register"
        } else {
            "Registered"
        };
        println!("{verb} {}.", describe(&view));
    }
    Ok(ExitCode::SUCCESS)
}

async fn list(app: &Berth, actor: &Actor, out: Output) -> Result<ExitCode> {
    let ips = app.list_ips(actor).await?;
    if out.json {
        out.json(&ips);
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = ips
        .iter()
        .map(|ip| {
            vec![
                ip.address.clone(),
                format!("IPv{}", ip.family),
                ip.kind.to_owned(),
                ip.interface.clone().unwrap_or_else(|| "-".to_owned()),
            ]
        })
        .collect();
    table(&["IP", "FAMILY", "TYPE", "INTERFACE"], &rows);
    Ok(ExitCode::SUCCESS)
}

async fn update(app: &Berth, actor: &Actor, args: IpUpdateArgs, out: Output) -> Result<ExitCode> {
    let outcome = app
        .update_ip(
            actor,
            &args.ip,
            args.kind.as_deref(),
            args.interface.as_deref(),
            mode(args.dry_run),
        )
        .await?;
    if out.json {
        #[derive(Serialize)]
        struct Updated<'a> {
            #[serde(flatten)]
            ip: &'a IpView,
            changed: &'a [&'static str],
            dry_run: bool,
        }
        out.json(&Updated {
            ip: &outcome.ip,
            changed: &outcome.changed,
            dry_run: outcome.dry_run,
        });
    } else if outcome.changed.is_empty() {
        println!("Nothing changed for IP address {}.", outcome.ip.address);
    } else {
        let verb = if outcome.dry_run {
            "Would change"
        } else {
            "Changed"
        };
        println!(
            "{verb} {} of IP address {}: now {}.",
            outcome.changed.join(", "),
            outcome.ip.address,
            describe(&outcome.ip)
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn remove(app: &Berth, actor: &Actor, args: IpRemoveArgs, out: Output) -> Result<ExitCode> {
    if !args.yes && !args.dry_run {
        let interactive = out.interactive() && std::io::stdin().is_terminal();
        if !interactive {
            return Err(Error::invalid(
                "yes",
                "removal needs --yes when not run interactively",
            ));
        }
        if !confirm(&format!("Remove IP address {}?", args.ips.join(", "))) {
            println!("Nothing removed.");
            return Ok(ExitCode::SUCCESS);
        }
    }
    let bar = (out.interactive() && args.ips.len() > 1)
        .then(|| Bar(indicatif::ProgressBar::new(args.ips.len() as u64)));
    let progress: &dyn Progress = match &bar {
        Some(bar) => bar,
        None => &NoProgress,
    };
    let results = app
        .remove_ips(actor, &args.ips, mode(args.dry_run), progress)
        .await;
    if let Some(bar) = bar {
        bar.0.finish_and_clear();
    }
    if out.json {
        out.json(&results);
    } else {
        print_removals(&results);
    }
    Ok(bulk_exit_code(&results))
}

fn print_removals(results: &[BulkItem<IpRemoval>]) {
    for item in results {
        match (&item.result, &item.error) {
            (Some(r), _) => {
                let verb = if r.dry_run { "would remove" } else { "removed" };
                println!("{}: {verb} IP address {}", item.name, r.address);
            }
            (None, Some(e)) => println!("{}: failed: {}", item.name, e.message),
            (None, None) => {}
        }
    }
}
