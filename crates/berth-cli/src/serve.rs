//! `berth serve [--listen ADDR]`: the REST API (and `/healthz`) and the provisioning
//! worker in one process, until Ctrl-C or SIGTERM; requests in flight are finished and a
//! provisioning batch in progress is completed before it exits.

use std::process::ExitCode;

use berth_app::Berth;
use berth_app::provision::ProvisionSettings;
use berth_app::vhost_template::VhostTemplateSettings;
use berth_core::{Error, Result};
use clap::Args;

/// `berth serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8880", value_name = "ADDR")]
    pub listen: String,
}

/// How long the provisioning worker waits when the queue is empty.
const WORKER_IDLE: std::time::Duration = std::time::Duration::from_secs(1);

/// What `berth serve` runs besides the API: provisioning, the virtual host template's
/// home, TLS, and the scheduler of periodic tasks (settings and tick).
#[derive(Debug)]
pub struct Services {
    /// The provisioning worker's settings.
    pub provision: ProvisionSettings,
    /// Where `/vhost-template` keeps the virtual host template.
    pub template: VhostTemplateSettings,
    /// HTTPS certificate and key files, if configured.
    pub tls: Option<(std::path::PathBuf, std::path::PathBuf)>,
    /// The scheduler's settings and how often it looks for due tasks.
    pub tasks: (berth_app::tasks::TaskSettings, std::time::Duration),
    /// The stop request, installed first thing.
    pub stop: StopSignal,
}

/// Serves until interrupted, running the provisioning worker and the scheduler of
/// periodic tasks in the background.
pub async fn run(app: Berth, args: ServeArgs, services: Services) -> Result<ExitCode> {
    let Services {
        provision,
        template,
        tls,
        tasks: (tasks, tick),
        stop,
    } = services;
    if stop.requested() {
        return stopped_during_startup();
    }
    let tls = match tls {
        Some((cert, key)) => Some(berth_http::tls::load(&cert, &key).map_err(|e| {
            let field = if e.starts_with("tls_key") {
                "tls_key"
            } else {
                "tls_cert"
            };
            Error::invalid(field, e)
        })?),
        None => None,
    };
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .map_err(|e| Error::invalid("listen", format!("cannot listen on {}: {e}", args.listen)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::failed(format!("no local address: {e}")))?;
    if stop.requested() {
        return stopped_during_startup();
    }
    let scheme = if tls.is_some() { "https" } else { "http" };
    eprintln!("Berth is serving on {scheme}://{addr} (REST API under /api/v1).");
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let worker_app = app.clone();
    let mut worker_stop = stop_rx.clone();
    let worker = tokio::spawn(async move {
        let stop = async move {
            let _ = worker_stop.wait_for(|stop| *stop).await;
        };
        worker_app
            .run_provision_worker(provision, WORKER_IDLE, stop)
            .await;
    });
    let scheduler = berth_app::tasks::Scheduler::new(app.clone(), tasks, tick);
    let mut scheduler_stop = stop_rx;
    let scheduler = tokio::spawn(scheduler.run(async move {
        let _ = scheduler_stop.wait_for(|s| *s).await;
    }));
    let router = berth_http::vhost_template::provide(berth_http::router(app), template);
    let served = match tls {
        Some(tls) => berth_http::serve_router_tls(router, listener, tls, stop.wait()).await,
        None => berth_http::serve_router(router, listener, stop.wait()).await,
    };
    let _ = stop_tx.send(true);
    if let Err(e) = worker.await {
        tracing::error!(error = %e, "the provisioning worker stopped abnormally");
    }
    let _ = scheduler.await;
    served.map_err(|e| Error::failed(format!("the server failed: {e}")))?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// A stop request (SIGINT/Ctrl-C or SIGTERM), listened for from the moment it is
/// installed: `berth serve` installs it before anything else, so that a signal arriving
/// while the database is opened or the port bound stops the start cleanly instead of
/// killing the process with the default action.
#[derive(Debug, Clone)]
pub struct StopSignal {
    requested: tokio::sync::watch::Receiver<bool>,
}

impl StopSignal {
    /// Registers the handlers now (the signals' default action no longer applies) and
    /// watches for them in the background.
    pub fn install() -> Result<Self> {
        let failed = |e: std::io::Error| Error::failed(format!("cannot handle signals: {e}"));
        #[cfg(unix)]
        let (mut interrupt, mut terminate) = {
            use tokio::signal::unix::{SignalKind, signal};
            (
                signal(SignalKind::interrupt()).map_err(failed)?,
                signal(SignalKind::terminate()).map_err(failed)?,
            )
        };
        let (tx, requested) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            #[cfg(unix)]
            tokio::select! {
                _ = interrupt.recv() => {},
                _ = terminate.recv() => {},
            }
            #[cfg(not(unix))]
            let _ = tokio::signal::ctrl_c().await;
            let _ = tx.send(true);
        });
        #[cfg(not(unix))]
        let _ = failed;
        Ok(StopSignal { requested })
    }

    /// Whether a stop was requested.
    pub fn requested(&self) -> bool {
        *self.requested.borrow()
    }

    /// Completes when a stop is requested.
    pub async fn wait(mut self) {
        let _ = self.requested.wait_for(|stop| *stop).await;
        tracing::info!("shutting down: finishing requests in flight");
    }
}

/// The outcome of a start interrupted by a stop request: nothing was served, which is a
/// clean stop.
fn stopped_during_startup() -> Result<ExitCode> {
    eprintln!("Berth stopped during startup: a stop was requested.");
    tracing::info!("stopped during startup");
    Ok(ExitCode::SUCCESS)
}
