//! `berth serve [--listen ADDR]`: the REST API (and `/healthz`) in one process, until
//! Ctrl-C or SIGTERM; requests in flight are finished before it exits.

use std::process::ExitCode;

use berth_app::Berth;
use berth_core::{Error, Result};
use clap::Args;

/// `berth serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8880", value_name = "ADDR")]
    pub listen: String,
}

/// Serves until interrupted, with the scheduler of periodic tasks (settings and tick) in
/// the background.
pub async fn run(
    app: Berth,
    args: ServeArgs,
    (tasks, tick): (berth_app::tasks::TaskSettings, std::time::Duration),
) -> Result<ExitCode> {
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .map_err(|e| Error::invalid("listen", format!("cannot listen on {}: {e}", args.listen)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::failed(format!("no local address: {e}")))?;
    eprintln!("Berth is serving on http://{addr} (REST API under /api/v1).");
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let scheduler = berth_app::tasks::Scheduler::new(app.clone(), tasks, tick);
    let scheduler = tokio::spawn(scheduler.run(async move {
        let mut stopped = stopped;
        let _ = stopped.wait_for(|s| *s).await;
    }));
    let served = berth_http::serve(app, listener, shutdown_signal()).await;
    let _ = stop.send(true);
    let _ = scheduler.await;
    served.map_err(|e| Error::failed(format!("the server failed: {e}")))?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Ctrl-C, or SIGTERM on Unix.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
