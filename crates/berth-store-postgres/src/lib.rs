//! Berth's PostgreSQL store, for many nodes sharing one database. The SQL text
//! comes from `berth_store::sql`; this crate binds, decodes and maps errors.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use berth_store::sql::{Dialect, Value};
use berth_store::{Store, StoreError, StoreResult, Tx};

/// Every store trait, written once for both engines (see `crates/berth-store/sqlx/mod.rs`).
#[path = "../../berth-store/sqlx/mod.rs"]
mod shared;

use sqlx::postgres::{PgArguments, PgConnectOptions, PgPoolOptions};
use sqlx::{AssertSqlSafe, PgPool, Postgres, Transaction};

pub(crate) const DIALECT: Dialect = Dialect {
    byte_order: " COLLATE \"C\"",
    json_out: "::text",
    json_in: "::jsonb",
    json_merge: "{col} || {param}",
    json_int: "(({col} ->> '{key}')::bigint)",
    // UUIDv7: the first 48 bits are the milliseconds of `clock_timestamp()`, the version
    // nibble 7 (bits 52 and 53 set over gen_random_uuid()'s 4), its variant kept.
    time_ordered_id: "encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing \
        substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) \
        FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid",
    skip_locked: " FOR UPDATE SKIP LOCKED",
    lock_rows: " FOR UPDATE",
    // The suspension writers' lock (migration 0026).
    advisory_locks: true,
    json_rows: "jsonb_array_elements({param}::jsonb) AS {alias}(value)",
    // pg_trgm indexes (migration 0015), weighed by the planner itself.
    search_probe: false,
    writable_cte: true,
    generic_plans: true,
    no_index: "",
};

/// A PostgreSQL-backed [`Store`].
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to (and migrates) the database at `url` (`postgres://...`).
    pub async fn connect(url: &str) -> StoreResult<Self> {
        // No parallel plans: every read Berth makes is a page (`LIMIT`) or a set-based write,
        // and on a 2-vCPU server starting two workers for a page costs more than the page.
        // Measured (issue 10, 1,000,000 subscriptions, quiet): a reseller's "suspended" page
        // was planned as a Gather Merge over two workers, 13-20 ms against 3.6 ms serial.
        let options = PgConnectOptions::from_str(url)
            .map_err(backend)?
            .options([("max_parallel_workers_per_gather", "0")]);
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(backend)?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(backend)?;
        Ok(PostgresStore { pool })
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

fn backend(err: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(err.to_string())
}

/// Which unique constraint names which input field.
const UNIQUE_FIELDS: &[(&str, &str)] = &[
    ("accounts_login_key", "login"),
    ("accounts_external_id_key", "external_id"),
    ("ip_addresses_address_key", "ip"),
    ("plans_owner_type_name_key", "name"),
    ("subscriptions_name_key", "domain"),
    ("subscriptions_system_user_key", "system_user"),
    ("domains_name_key", "domain"),
];

pub(crate) fn map_err(err: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &err
        && db.is_unique_violation()
        && let Some((_, field)) = UNIQUE_FIELDS
            .iter()
            .find(|(name, _)| db.constraint() == Some(*name))
    {
        return StoreError::Duplicate { field };
    }
    backend(err)
}

pub(crate) fn bind_all<'a>(
    mut query: sqlx::query::Query<'a, Postgres, PgArguments>,
    values: Vec<Value>,
) -> sqlx::query::Query<'a, Postgres, PgArguments> {
    for value in values {
        query = match value {
            Value::Text(t) => query.bind(t),
            Value::OptText(t) => query.bind(t),
            Value::Id(id) => query.bind(id),
            Value::OptId(id) => query.bind(id),
            Value::Time(t) => query.bind(t),
            Value::OptDate(d) => query.bind(d),
            Value::Bool(b) => query.bind(b),
            Value::Int(n) => query.bind(n),
        };
    }
    query
}

#[async_trait]
impl Store for PostgresStore {
    async fn read(&self) -> StoreResult<Box<dyn Tx>> {
        let tx = self.pool.begin().await.map_err(map_err)?;
        Ok(Box::new(PostgresTx { tx }))
    }

    async fn write(&self) -> StoreResult<Box<dyn Tx>> {
        let tx = self.pool.begin().await.map_err(map_err)?;
        Ok(Box::new(PostgresTx { tx }))
    }

    fn engine(&self) -> &'static str {
        "postgres"
    }

    async fn tidy_provision_queue(&self) -> StoreResult<()> {
        sqlx::raw_sql("VACUUM (ANALYZE, SKIP_LOCKED) provision_jobs")
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }
}

/// A PostgreSQL transaction.
pub struct PostgresTx {
    tx: Transaction<'static, Postgres>,
}

/// What the shared modules (`crates/berth-store/sqlx/`) need from PostgreSQL. Times are
/// `timestamptz` columns, decoded as they are.
pub(crate) mod engine {
    use chrono::{DateTime, Utc};
    use sqlx::Row;

    pub(crate) use super::PostgresTx as EngineTx;
    pub(crate) use super::{DIALECT, bind_all, map_err};
    pub(crate) use sqlx::postgres::PgRow as EngineRow;

    /// The time in column `i`.
    pub(crate) fn time(row: &EngineRow, i: usize) -> Result<DateTime<Utc>, sqlx::Error> {
        row.try_get(i)
    }

    /// The time in column `i`, which may be `NULL`.
    pub(crate) fn opt_time(
        row: &EngineRow,
        i: usize,
    ) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
        row.try_get(i)
    }
}

/// Fresh, throw-away PostgreSQL databases for tests (feature `testing`).
#[cfg(feature = "testing")]
pub mod testing {
    use sqlx::{Connection, PgConnection};

    /// The server tests use: `BERTH_TEST_POSTGRES_URL`, or this machine's default
    /// `postgres://postgres@127.0.0.1:5432/test`.
    pub fn server_url() -> String {
        std::env::var("BERTH_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
    }

    /// Whether PostgreSQL tests must run (`BERTH_REQUIRE_POSTGRES=1`, set by CI): then an
    /// unreachable server fails the test instead of skipping it.
    pub fn required() -> bool {
        std::env::var("BERTH_REQUIRE_POSTGRES").is_ok_and(|v| v == "1" || v == "true")
    }

    /// A database created for one test and dropped when this value goes.
    #[derive(Debug)]
    pub struct TestDatabase {
        /// Connection URL of the new database.
        pub url: String,
        name: String,
    }

    fn url_with_database(server: &str, database: &str) -> String {
        let (base, query) = server.split_once('?').map_or((server, ""), |(b, q)| (b, q));
        let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
        if query.is_empty() {
            format!("{base}/{database}")
        } else {
            format!("{base}/{database}?{query}")
        }
    }

    /// Creates an empty database, or returns `None` after a loud message when the server
    /// is unreachable and PostgreSQL is not [`required`].
    ///
    /// # Panics
    /// When the server is unreachable and PostgreSQL is required, or creation fails.
    pub async fn fresh_database() -> Option<TestDatabase> {
        let server = server_url();
        let mut conn = match PgConnection::connect(&server).await {
            Ok(conn) => conn,
            Err(err) if !required() => {
                eprintln!(
                    "\n!!! PostgreSQL at {server} is unreachable ({err}): SKIPPING this PostgreSQL test.\n\
                     !!! Set BERTH_REQUIRE_POSTGRES=1 to make this a failure (CI does).\n"
                );
                return None;
            }
            Err(err) => panic!(
                "PostgreSQL at {server} is required (BERTH_REQUIRE_POSTGRES) but unreachable: {err}"
            ),
        };
        let name = format!("berth_test_{}", uuid::Uuid::now_v7().simple());
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create test database");
        Some(TestDatabase {
            url: url_with_database(&server, &name),
            name,
        })
    }

    impl Drop for TestDatabase {
        fn drop(&mut self) {
            let server = server_url();
            let name = self.name.clone();
            // Drop may run inside a runtime; use a thread with its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio_runtime();
                rt.block_on(async move {
                    if let Ok(mut conn) = PgConnection::connect(&server).await {
                        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                            .execute(&mut conn)
                            .await;
                    }
                });
            })
            .join();
        }
    }

    fn tokio_runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime")
    }
}
