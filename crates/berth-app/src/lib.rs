//! Berth's one service layer. The CLI, the REST API, the Plesk-compatible XML API and the
//! web UI all call these use cases; every rule and every rights check happens here (via
//! `berth-core`), and each business operation runs in one storage transaction.

use std::sync::{Arc, Mutex};

use berth_core::account::Login;
use berth_core::clock::Clock;
use berth_core::rights::Actor;
use berth_core::sync::LockScope;
use berth_core::{Error, Result};
use berth_store::Store;
use uuid::{ContextV7, Timestamp, Uuid};

pub mod accounts;
pub mod api_keys;
pub mod audit;
pub mod conversions;
pub mod dns;
pub mod domains;
pub mod health;
pub mod ips;
pub mod legacy_ids;
pub mod notifications;
pub mod panel;
pub mod password;
pub mod plans;
pub mod provision;
pub mod recovery;
pub mod resellers;
pub mod sessions;
pub mod status;
pub mod stock_plans;
pub mod subscriptions;
pub mod tasks;
pub mod usage;
pub mod vhost_template;
pub mod views;

/// Whether an operation is applied or only previewed (R3.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Do it.
    #[default]
    Apply,
    /// Compute the impact through the same code path, then roll back: nothing is written.
    DryRun,
}

/// Reports progress of long operations to whoever shows it (a progress bar on a terminal).
pub trait Progress: Send + Sync {
    /// `done` of `total` objects are finished.
    fn advance(&self, done: usize, total: usize);
}

/// Progress nobody watches.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn advance(&self, _: usize, _: usize) {}
}

/// Server-wide settings the rules depend on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServerSettings {
    /// What a customization lock holds (R3.5).
    pub lock_scope: LockScope,
    /// Whether the server enforces hard disk quotas (R3.4: without it, plans that ask for
    /// one leave their subscriptions unsynced).
    pub hard_quota: bool,
    /// This server's host name: `<hostname>` in the DNS template and the primary name
    /// server of every zone's SOA (R7.4); empty means `localhost.localdomain`.
    pub hostname: String,
}

/// The application: a store, a clock, settings, and the use cases on top.
#[derive(Clone)]
pub struct Berth {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    ids: Arc<Mutex<ContextV7>>,
    settings: ServerSettings,
    recovery: Option<Arc<recovery::Recovery>>,
    generated_passwords: Arc<subscriptions::GeneratedPasswords>,
}

/// Finishes a transaction: commits it, or drops it (rolling back) in a dry run.
pub(crate) async fn finish(tx: Box<dyn berth_store::Tx>, mode: Mode) -> Result<()> {
    match mode {
        Mode::Apply => Ok(tx.commit().await?),
        Mode::DryRun => {
            drop(tx);
            Ok(())
        }
    }
}

impl std::fmt::Debug for Berth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Berth")
            .field("store", &self.store.engine())
            .field("clock", &self.clock)
            .finish()
    }
}

impl Berth {
    /// Builds the application over a store and a clock.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Berth {
            store,
            clock,
            ids: Arc::new(Mutex::new(ContextV7::new())),
            settings: ServerSettings::default(),
            recovery: None,
            generated_passwords: Arc::default(),
        }
    }

    /// The same application with these server settings.
    pub fn with_settings(mut self, settings: ServerSettings) -> Self {
        self.settings = settings;
        self
    }

    /// The server settings in force.
    pub fn settings(&self) -> ServerSettings {
        self.settings.clone()
    }

    /// A new UUIDv7 whose time part comes from the clock (monotonic within a process).
    fn new_id(&self) -> Uuid {
        let now = self.clock.now();
        let ts = Timestamp::from_unix(
            &*self.ids,
            now.timestamp().max(0) as u64,
            now.timestamp_subsec_nanos(),
        );
        Uuid::new_v7(ts)
    }

    /// The actor for `login` (`--as`), or the built-in admin when `None` (the local
    /// command line). An unknown login is not found.
    pub async fn actor(&self, login: Option<&str>) -> Result<Actor> {
        let login = match login {
            Some(raw) => Login::parse("as", raw)?,
            None => Login::admin(),
        };
        let mut tx = self.store.read().await?;
        if !tx.is_initialized().await? {
            return Err(Error::failed(
                "Berth is not initialized in this database: run `berth init` first",
            ));
        }
        let account = tx
            .account_by_login(&login)
            .await?
            .ok_or_else(|| Error::not_found("as", format!("no account {login}")))?;
        Ok(Actor {
            id: account.id,
            kind: account.kind,
            login: account.login,
        })
    }
}
