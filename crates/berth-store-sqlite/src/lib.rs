//! Berth's embedded store: one SQLite file in WAL mode with foreign keys on. The SQL text
//! comes from `berth_store::sql`; this crate binds, decodes and maps errors.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use berth_store::sql::{Dialect, Value};
use berth_store::{Store, StoreError, StoreResult, Tx};

/// Every store trait, written once for both engines (see `crates/berth-store/sqlx/mod.rs`).
#[path = "../../berth-store/sqlx/mod.rs"]
mod shared;

use chrono::{DateTime, Utc};
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Sqlite, SqlitePool, Transaction};

/// SQLite's fragments of the shared SQL (`berth_store::sql`); public so that tests can
/// read the plans of the statements this store runs.
pub const DIALECT: Dialect = Dialect {
    byte_order: "",
    json_out: "",
    json_in: "",
    json_merge: "json_patch({col}, {param})",
    json_int: "CAST(json_extract({col}, '$.{key}') AS INTEGER)",
    // UUIDv7 as 16 bytes: 48 bits of Unix milliseconds, version 7, 12 random bits, the
    // variant (8, 9, A or B), 60 random bits.
    time_ordered_id: "unhex(printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) \
        || '7' || substr(hex(randomblob(2)), 2) || substr('89AB', 1 + (random() & 3), 1) \
        || substr(hex(randomblob(8)), 2))",
    skip_locked: "",
    lock_rows: "",
    // Write transactions exclude each other already (`BEGIN IMMEDIATE`).
    advisory_locks: false,
    json_rows: "json_each({param}) AS {alias}",
    // FTS5 trigram tables over the search keys (migration 0017).
    search_probe: true,
    writable_cte: false,
    generic_plans: false,
    no_index: "+",
};

/// Opening mode: `init` may create the database file; everything else needs it to exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Open {
    /// Create the file when missing.
    CreateIfMissing,
    /// Fail when the file is missing.
    MustExist,
}

/// A SQLite-backed [`Store`].
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (and migrates) the database at `url` (`sqlite://PATH`).
    pub async fn connect(url: &str, open: Open) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(backend)?
            .create_if_missing(open == Open::CreateIfMissing)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(pool_size())
            .connect_with(options)
            .await
            .map_err(backend)?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(backend)?;
        Ok(SqliteStore { pool })
    }

    /// Runs raw SQL; for tests that need to reach below the model (e.g. to make a
    /// statement fail half-way and check nothing was kept).
    pub async fn execute_raw(&self, sql: &str) -> StoreResult<()> {
        sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

/// Connections in the pool: two per CPU, at least 4 and at most 16.
///
/// A WAL database has one writer at a time and its readers are CPU-bound in this process,
/// so connections beyond a couple per core only wait — while each keeps its own worker
/// thread, page cache, parsed schema and up to 100 prepared statements (1.5–2 MiB resident
/// apiece under load). Measured with `serve` at 100,000 subscriptions and 64 API clients on
/// 2 CPUs (docs/BENCHMARKS.md, "REST API under load"): 4 connections instead of 8 served
/// the same requests per second with a peak 6–10 MiB lower.
fn pool_size() -> u32 {
    let cpus = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    u32::try_from(2 * cpus).unwrap_or(16).clamp(4, 16)
}

fn backend(err: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(err.to_string())
}

/// Which unique index names which input field, as SQLite words its message.
const UNIQUE_FIELDS: &[(&str, &str)] = &[
    ("accounts.login", "login"),
    ("accounts.external_id", "external_id"),
    ("ip_addresses.address", "ip"),
    ("plans.owner_id, plans.plan_type, plans.name_key", "name"),
    ("subscriptions.name", "domain"),
    ("subscriptions.system_user", "system_user"),
    ("domains.name", "domain"),
];

pub(crate) fn map_err(err: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &err
        && db.is_unique_violation()
    {
        let message = db.message();
        if let Some((_, field)) = UNIQUE_FIELDS
            .iter()
            .find(|(needle, _)| message.contains(needle))
        {
            return StoreError::Duplicate { field };
        }
    }
    backend(err)
}

fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

pub(crate) fn bind_all<'a>(
    mut query: sqlx::query::Query<'a, Sqlite, SqliteArguments>,
    values: Vec<Value>,
) -> sqlx::query::Query<'a, Sqlite, SqliteArguments> {
    for value in values {
        query = match value {
            Value::Text(t) => query.bind(t),
            Value::OptText(t) => query.bind(t),
            Value::Id(id) => query.bind(id),
            Value::OptId(id) => query.bind(id),
            Value::Time(t) => query.bind(micros(t)),
            Value::OptDate(d) => query.bind(d),
            Value::Bool(b) => query.bind(b),
            Value::Int(n) => query.bind(n),
        };
    }
    query
}

#[async_trait]
impl Store for SqliteStore {
    async fn read(&self) -> StoreResult<Box<dyn Tx>> {
        let tx = self.pool.begin().await.map_err(map_err)?;
        Ok(Box::new(SqliteTx { tx }))
    }

    async fn write(&self) -> StoreResult<Box<dyn Tx>> {
        let tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(map_err)?;
        Ok(Box::new(SqliteTx { tx }))
    }

    fn engine(&self) -> &'static str {
        "sqlite"
    }

    async fn tidy_provision_queue(&self) -> StoreResult<()> {
        Ok(())
    }
}

/// A SQLite transaction.
pub struct SqliteTx {
    tx: Transaction<'static, Sqlite>,
}

/// What the shared modules (`crates/berth-store/sqlx/`) need from SQLite. Times are stored
/// as microseconds since the Unix epoch (`INTEGER`), in UTC.
pub(crate) mod engine {
    use chrono::{DateTime, Utc};
    use sqlx::Row;

    pub(crate) use super::SqliteTx as EngineTx;
    pub(crate) use super::{DIALECT, bind_all, map_err};
    pub(crate) use sqlx::sqlite::SqliteRow as EngineRow;

    /// The time in column `i`.
    pub(crate) fn time(row: &EngineRow, i: usize) -> Result<DateTime<Utc>, sqlx::Error> {
        let micros: i64 = row.try_get(i)?;
        DateTime::from_timestamp_micros(micros).ok_or_else(|| {
            sqlx::Error::Decode(format!("stored time {micros} is out of range").into())
        })
    }

    /// The time in column `i`, which may be `NULL`.
    pub(crate) fn opt_time(
        row: &EngineRow,
        i: usize,
    ) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
        match row.try_get::<Option<i64>, _>(i)? {
            None => Ok(None),
            Some(_) => time(row, i).map(Some),
        }
    }
}
