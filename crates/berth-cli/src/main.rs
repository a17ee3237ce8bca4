//! `berth`: the command line of the Berth hosting panel. Every command goes through the
//! service layer (`berth-app`); this crate parses, picks the store by URL and prints.

/// The process allocator. glibc's malloc keeps, per thread arena, what it freed, and once
/// a large block (Argon2's 19 MiB) has been freed it raises its own mmap threshold so that
/// every later allocation up to that size stays in those arenas: `berth serve` then sat at
/// 330–970 MiB after a few dozen account creations, whatever the number of subscriptions
/// (docs/BENCHMARKS.md, "serve memory"). mimalloc returns freed pages to the system and
/// keeps `serve` at tens of MiB.
///
/// It is built with `no_thp` (berth-cli/Cargo.toml): by default mimalloc asks the kernel
/// for transparent huge pages on its arena (`madvise(MADV_HUGEPAGE)`), so every touched
/// 2 MiB of the arena became resident whole — 52–66 MiB of the 86 MiB of anonymous memory
/// at the SQLite peak under the load benchmark (`AnonHugePages` in `smaps_rollup`). On a
/// host whose THP setting is `always` rather than `madvise`, `MIMALLOC_ALLOW_THP=0` in the
/// service's environment turns them off for the process as well.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod accounts;
mod api_keys;
mod audit;
mod cli;
mod config;
mod dns;
mod domains;
mod ips;
mod output;
mod plans;
mod provision;
mod serve;
mod status;
mod store;
mod subscriptions;
mod tasks;
mod vhost_template;

use std::io::IsTerminal;
use std::process::ExitCode;

use berth_app::{Berth, ServerSettings};
use berth_core::{Error, Result};
use clap::Parser;
use clap::error::ErrorKind;

use crate::cli::{Cli, Command, InitArgs};
use crate::output::Output;

fn main() -> ExitCode {
    let json = std::env::args_os().any(|a| a == "--json");
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(err, json),
    };
    let output = Output { json: cli.json };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return output.error(&Error::failed(format!("cannot start: {e}"))),
    };
    match runtime.block_on(run(cli, output)) {
        Ok(code) => code,
        Err(err) => output.error(&err),
    }
}

/// Bad usage exits 2 (CLI.md); with `--json` the error is the JSON object on stderr.
fn usage_error(err: clap::Error, json: bool) -> ExitCode {
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) || err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand && !json
    {
        let _ = err.print();
        return ExitCode::from(if err.use_stderr() { 2 } else { 0 });
    }
    if json {
        let field = err.get(clap::error::ContextKind::InvalidArg).map(|v| {
            v.to_string()
                .trim_start_matches('-')
                .split([' ', '='])
                .next()
                .unwrap_or_default()
                .replace('-', "_")
        });
        let message = err.kind().as_str().unwrap_or("invalid usage").to_owned();
        let mut error = Error::invalid(field.as_deref().unwrap_or("usage"), message);
        if field.is_none() {
            error.field = None;
        }
        return Output { json }.error(&error);
    }
    let _ = err.print();
    ExitCode::from(2)
}

fn init_logging(filter: Option<&str>) {
    let filter = filter.unwrap_or("off");
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

async fn run(cli: Cli, output: Output) -> Result<ExitCode> {
    // First thing: a stop request during `berth serve`'s startup must stop it cleanly.
    let stop = match cli.command {
        Command::Serve(_) => Some(serve::StopSignal::install()?),
        _ => None,
    };
    let settings = config::load(&cli.data_dir)?;
    let default_log = matches!(cli.command, Command::Serve(_)).then_some("info");
    init_logging(settings.log.as_deref().or(default_log));
    let url = settings.database_url(cli.database_url.as_deref(), &cli.data_dir);
    let clock = settings.clock()?;
    let server = settings.server_settings()?;
    let command = match cli.command {
        Command::Init(args) => {
            let remembered = cli.database_url.as_deref();
            let target = (url.as_str(), remembered, clock, server);
            return init(&cli.data_dir, target, args, output).await;
        }
        other => other,
    };
    let app = open_app(&url, clock, server).await?;
    let actor = app.actor(cli.act_as.as_deref()).await?;
    let change = audit::describe(&std::env::args_os().collect::<Vec<_>>());
    let scope = change.as_ref().map(|c| audit::scope(&app, c));
    let run = async {
        match command {
            Command::Init(_) => Err(Error::failed("berth init runs on its own")),
            Command::Reseller(cmd) => {
                let kind = berth_core::account::AccountKind::Reseller;
                accounts::run(&app, &actor, kind, cmd, output).await
            }
            Command::Customer(cmd) => {
                let kind = berth_core::account::AccountKind::Customer;
                accounts::run(&app, &actor, kind, cmd, output).await
            }
            Command::Ip(cmd) => ips::run(&app, &actor, cmd, output).await,
            Command::Plan(cmd) => plans::run(&app, &actor, cmd, output).await,
            Command::Subscription(cmd) => subscriptions::run(&app, &actor, cmd, output).await,
            Command::Site(cmd) => domains::run_site(&app, &actor, cmd, output).await,
            Command::Alias(cmd) => domains::run_alias(&app, &actor, cmd, output).await,
            Command::Subdomain(cmd) => domains::run_subdomain(&app, &actor, cmd, output).await,
            Command::Dns(cmd) => dns::run(&app, &actor, cmd, output).await,
            Command::Serve(args) => {
                let provision = settings.provision.resolve(&cli.data_dir);
                let template = settings.provision.vhost_template(&cli.data_dir);
                let tls = settings.tls()?;
                let tasks = (settings.task_settings(&cli.data_dir)?, settings.task_tick());
                let recovery = settings.recovery_settings(&args.listen, tls.is_some())?;
                let stop = match stop {
                    Some(stop) => stop,
                    None => serve::StopSignal::install()?,
                };
                let services = serve::Services {
                    provision,
                    template,
                    tls,
                    tasks,
                    stop,
                };
                serve::run(app.clone().with_recovery(recovery), args, services).await
            }
            Command::ApiKey(cmd) => api_keys::run(&app, &actor, cmd, output).await,
            Command::Audit(cmd) => audit::run(&app, &actor, cmd, output).await,
            Command::Provision(args) => {
                let provision = settings.provision.resolve(&cli.data_dir);
                provision::run(&app, &actor, &provision, args, output).await
            }
            Command::VhostTemplate(cmd) => {
                let template = settings.provision.vhost_template(&cli.data_dir);
                let users = settings.provision.system_users();
                vhost_template::run(&app, &actor, &template, &users, cmd, output).await
            }
            Command::Tasks(cmd) => {
                let tasks = settings.task_settings(&cli.data_dir)?;
                tasks::run(&app, &actor, &tasks, cmd, output).await
            }
            Command::Usage(args) => tasks::usage(&app, &actor, args, output).await,
            Command::Notification(cmd) => {
                let tasks = settings.task_settings(&cli.data_dir)?;
                tasks::notification(&app, &actor, &tasks, cmd, output).await
            }
        }
    };
    let outcome = match &scope {
        Some(scope) => berth_app::audit::within(scope.clone(), run).await,
        None => run.await,
    };
    if let (Some(change), Some(scope), Ok(code)) = (change, &scope, &outcome) {
        audit::record(&app, &actor, scope, change, *code == ExitCode::SUCCESS).await;
    }
    outcome
}

/// The application over the existing database at `url`, with the server settings.
async fn open_app(
    url: &str,
    clock: std::sync::Arc<dyn berth_core::clock::Clock>,
    server: ServerSettings,
) -> Result<Berth> {
    Ok(Berth::new(store::open(url, store::Create::No).await?, clock).with_settings(server))
}

/// Where `berth init` creates the database: URL, the URL to remember in `berth.toml`,
/// clock and server settings.
type InitTarget<'a> = (
    &'a str,
    Option<&'a str>,
    std::sync::Arc<dyn berth_core::clock::Clock>,
    ServerSettings,
);

async fn init(
    data_dir: &std::path::Path,
    (url, remembered_url, clock, server): InitTarget<'_>,
    args: InitArgs,
    output: Output,
) -> Result<ExitCode> {
    std::fs::create_dir_all(data_dir).map_err(|e| {
        Error::failed(format!(
            "cannot create the data dir {}: {e}",
            data_dir.display()
        ))
    })?;
    let password = args
        .admin_password
        .map(|p| accounts::secret_arg("admin_password", p))
        .transpose()?;
    let app = Berth::new(store::open(url, store::Create::Yes).await?, clock).with_settings(server);
    let outcome = app.init(password.as_deref(), &args.admin_email).await?;
    if !args.no_stock_plans {
        let admin = app.actor(None).await?;
        app.create_stock_plans(&admin, berth_app::Mode::Apply)
            .await?;
    }
    let config_path = data_dir.join(config::CONFIG_FILE);
    if !config_path.exists() {
        std::fs::write(&config_path, config::starter_file(remembered_url))
            .map_err(|e| Error::failed(format!("cannot write {}: {e}", config_path.display())))?;
    }
    if output.json {
        output.json(&outcome);
    } else {
        println!(
            "Berth is initialized in {} ({}).",
            data_dir.display(),
            store::engine_of(url)
        );
        println!("Admin login: {}", outcome.admin.login);
        if let Some(p) = &outcome.generated_password {
            println!("Admin password (shown only this once, write it down): {p}");
        }
        println!("Settings: {}", config_path.display());
    }
    Ok(ExitCode::SUCCESS)
}
