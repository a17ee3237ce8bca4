//! Berth's embedded store: one SQLite file in WAL mode with foreign keys on. The SQL text
//! comes from `berth_store::sql`; this crate binds, decodes and maps errors.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use berth_core::account::Account;
use berth_store::sql::{self, AccountRow, Dialect, SuspensionRow, Value};
use berth_store::{Store, StoreError, StoreResult, Tx};

mod accounts;
mod api_keys;
mod audit;
mod dns;
mod domains;
mod hosting;
mod ips;
mod legacy_ids;
mod notifications;
mod provision;
mod recovery;
mod resellers;
mod sessions;
mod status;
mod tasks;
mod usage;
use chrono::{DateTime, Utc};
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Row, Sqlite, SqlitePool, Transaction};

pub(crate) const DIALECT: Dialect = Dialect {
    byte_order: "",
    json_out: "",
    json_in: "",
    json_merge: "json_patch({col}, {param})",
    json_int: "CAST(json_extract({col}, '$.{key}') AS INTEGER)",
    random_id: "randomblob(16)",
    skip_locked: "",
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
            .max_connections(8)
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

fn from_micros(value: i64) -> StoreResult<DateTime<Utc>> {
    DateTime::from_timestamp_micros(value)
        .ok_or_else(|| StoreError::Backend(format!("stored time {value} is out of range")))
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

pub(crate) fn account_row(row: &SqliteRow) -> Result<AccountRow, sqlx::Error> {
    Ok(AccountRow {
        id: row.try_get(0)?,
        kind: row.try_get(1)?,
        login: row.try_get(2)?,
        password_hash: row.try_get(3)?,
        name: row.try_get(4)?,
        company: row.try_get(5)?,
        email: row.try_get(6)?,
        phone: row.try_get(7)?,
        fax: row.try_get(8)?,
        address: row.try_get(9)?,
        city: row.try_get(10)?,
        state: row.try_get(11)?,
        postal_code: row.try_get(12)?,
        country: row.try_get(13)?,
        locale: row.try_get(14)?,
        description: row.try_get(15)?,
        external_id: row.try_get(16)?,
        created_at: from_micros(row.try_get(17)?).map_err(|e| sqlx::Error::Decode(e.into()))?,
        updated_at: from_micros(row.try_get(18)?).map_err(|e| sqlx::Error::Decode(e.into()))?,
        owner_id: row.try_get(19)?,
        owner_login: row.try_get(20)?,
        owner_kind: row.try_get(21)?,
    })
}

pub(crate) fn suspension_row(row: &SqliteRow) -> Result<SuspensionRow, sqlx::Error> {
    Ok(SuspensionRow {
        account_id: row.try_get(0)?,
        reason: row.try_get(1)?,
        by_login: row.try_get(2)?,
        at: from_micros(row.try_get(3)?).map_err(|e| sqlx::Error::Decode(e.into()))?,
    })
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
}

/// A SQLite transaction.
pub struct SqliteTx {
    tx: Transaction<'static, Sqlite>,
}

impl SqliteTx {
    pub(crate) async fn fetch_accounts(
        &mut self,
        sql: String,
        params: Vec<Value>,
    ) -> StoreResult<Vec<Account>> {
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), params)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(map_err)?;
        let rows: Vec<AccountRow> = rows
            .iter()
            .map(account_row)
            .collect::<Result<_, _>>()
            .map_err(map_err)?;
        if rows.is_empty() {
            return Ok(vec![]);
        }
        let ids: Vec<Value> = rows.iter().map(|r| Value::Id(r.id)).collect();
        let suspensions = bind_all(
            sqlx::query(AssertSqlSafe(sql::suspensions_of(ids.len()))),
            ids,
        )
        .fetch_all(&mut *self.tx)
        .await
        .map_err(map_err)?
        .iter()
        .map(suspension_row)
        .collect::<Result<Vec<_>, _>>()
        .map_err(map_err)?;
        sql::assemble_accounts(rows, suspensions)
    }

    pub(crate) async fn fetch_one_account(
        &mut self,
        condition: &str,
        value: Value,
    ) -> StoreResult<Option<Account>> {
        let sql = format!(
            "SELECT {} FROM {} WHERE {condition}",
            sql::ACCOUNT_COLUMNS,
            sql::ACCOUNT_FROM
        );
        Ok(self.fetch_accounts(sql, vec![value]).await?.pop())
    }

    pub(crate) async fn execute(&mut self, sql: String, values: Vec<Value>) -> StoreResult<u64> {
        let done = bind_all(sqlx::query(AssertSqlSafe(sql)), values)
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected())
    }
}

#[async_trait]
impl Tx for SqliteTx {
    async fn is_initialized(&mut self) -> StoreResult<bool> {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM accounts WHERE kind = 'admin')")
            .fetch_one(&mut *self.tx)
            .await
            .map_err(map_err)
    }

    async fn commit(self: Box<Self>) -> StoreResult<()> {
        self.tx.commit().await.map_err(map_err)
    }
}
