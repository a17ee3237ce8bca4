//! Picks the store by database URL: `sqlite://` or `postgres://`.

use std::sync::Arc;

use berth_core::{Error, Result};
use berth_store::Store;
use berth_store_postgres::PostgresStore;
use berth_store_sqlite::{Open, SqliteStore};

use crate::config::sqlite_path;

/// Whether opening may create the database (only `berth init`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Create {
    /// `berth init`.
    Yes,
    /// Every other command.
    No,
}

/// `sqlite` or `postgres`, for messages.
pub fn engine_of(url: &str) -> &'static str {
    if sqlite_path(url).is_some() {
        "SQLite"
    } else {
        "PostgreSQL"
    }
}

/// Opens and migrates the store at `url`.
pub async fn open(url: &str, create: Create) -> Result<Arc<dyn Store>> {
    if let Some(path) = sqlite_path(url) {
        if create == Create::No && !path.exists() {
            return Err(Error::failed(format!(
                "there is no Berth database at {}: run `berth init` first (or give --data-dir / --database-url)",
                path.display()
            )));
        }
        let open = if create == Create::Yes {
            Open::CreateIfMissing
        } else {
            Open::MustExist
        };
        return Ok(Arc::new(SqliteStore::connect(url, open).await?));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Arc::new(PostgresStore::connect(url).await?));
    }
    Err(Error::invalid(
        "database_url",
        "database_url must start with sqlite:// or postgres://",
    ))
}
