//! SQL text shared by the SQL stores, one module per capability. Only the text is built
//! here; parameters are returned as [`Param`]s or [`Value`]s that each store binds with its own types. The one dialect difference that matters —
//! how text is compared — is a [`Dialect`] value, not a branch.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// How an engine spells the parts that differ.
#[derive(Debug, Clone, Copy)]
pub struct Dialect {
    /// Appended to text sort keys so that both engines order by bytes (`COLLATE "C"` on
    /// PostgreSQL, whose default collation follows the OS locale; nothing on SQLite,
    /// whose default is already binary).
    pub byte_order: &'static str,
    /// Appended to a JSON column read as text (`::text` on PostgreSQL, whose JSON columns
    /// are `jsonb`; nothing on SQLite, where JSON is text).
    pub json_out: &'static str,
    /// Appended to a placeholder bound to a JSON column (`::jsonb` on PostgreSQL).
    pub json_in: &'static str,
    /// How to merge a JSON object parameter into a JSON column: `{col}` and `{param}` are
    /// replaced (`json_patch({col}, {param})` on SQLite, `{col} || {param}` on PostgreSQL).
    pub json_merge: &'static str,
    /// How to read an integer member of a JSON column: `{col}` and `{key}` are replaced.
    pub json_int: &'static str,
    /// An expression giving a fresh UUIDv7 (time-ordered, like `Uuid::now_v7()` in the
    /// application) for each row inserted set-based. Time order keeps a bulk insert of
    /// thousands of rows appending at the right edge of the primary key's B-tree instead of
    /// touching a random page per row, as random (v4) ids did (issue 10: the provisioning
    /// jobs a reseller cascade queues).
    pub time_ordered_id: &'static str,
    /// Appended to a sub-select whose rows a statement takes for itself, so that
    /// concurrent transactions skip them (` FOR UPDATE SKIP LOCKED` on PostgreSQL; nothing
    /// on SQLite, whose write transactions hold the whole database).
    pub skip_locked: &'static str,
    /// Appended to a `SELECT` that must hold its rows until the transaction ends
    /// (` FOR UPDATE` on PostgreSQL; nothing on SQLite, whose write transactions
    /// (`BEGIN IMMEDIATE`) already hold the whole database).
    pub lock_rows: &'static str,
    /// Whether writers of the same rows exclude each other with transaction-scoped
    /// advisory locks (PostgreSQL: the suspension writers' lock [`SUSPENSION_LOCK`],
    /// migration 0026), or need not (`false` on SQLite, whose write transactions,
    /// `BEGIN IMMEDIATE`, already exclude each other).
    ///
    /// The lock lets the bulk inserts of a reseller's cascade be plain `INSERT … WHERE NOT
    /// EXISTS` of the missing rows instead of `INSERT … ON CONFLICT`, whose speculative
    /// insertion of every row cost 1.5–2.5× a plain insert even when nothing conflicts
    /// (issue 10). Such an insert is safe when no other transaction can be writing the same
    /// rows uncommitted, and when its statement starts after the lock was taken: under READ
    /// COMMITTED (Berth's level) each statement has a new snapshot, which sees every row the
    /// previous holder committed.
    pub advisory_locks: bool,
    /// A table expression named `{alias}` with one row per element of the JSON array
    /// parameter `{param}`, the element in column `{alias}.value` (`json_each` on SQLite,
    /// `jsonb_array_elements` on PostgreSQL): many rows in one parameter instead of one
    /// placeholder per value.
    pub json_rows: &'static str,
    /// Whether a substring search asks the engine's trigram tables first (SQLite: the FTS5
    /// tables `accounts_search` and `subscriptions_search` of migration 0017). SQLite's
    /// planner cannot weigh such a table against the list's ordered scan, so the list counts
    /// the table's candidates first ([`account_search_probe`], [`subscription_search_probe`])
    /// and builds its page from them only when they are few ([`SearchPath`]). `false` on
    /// PostgreSQL, whose planner makes that choice itself from its pg_trgm indexes.
    pub search_probe: bool,
    /// Whether several writes can go in one statement as data-modifying `WITH` parts
    /// (PostgreSQL; SQLite cannot, but runs them as one script of several statements).
    pub writable_cte: bool,
    /// Whether a statement prepared once may be run with a plan made without its values
    /// (PostgreSQL's generic plans, chosen after five calls); such an engine plans a list's
    /// search per call ([`Planning::for_list`]). `false` on SQLite, which re-prepares by
    /// itself when a value bound to a `LIKE` may change its plan.
    pub generic_plans: bool,
    /// Put before a column in a condition that must not pick the statement's index (SQLite's
    /// unary `+`). SQLite plans without statistics and takes any equality on an index's
    /// first column for a handful of rows: a reseller's list sorted by creation date would
    /// then read its 250,000 subscriptions through the provider index and sort them, where
    /// walking the date order and testing each row finds the page in a few hundred
    /// ([`subscription_list`]). Nothing on PostgreSQL, whose planner weighs the index with
    /// the table's statistics.
    pub no_index: &'static str,
}

/// A dialect for unit tests of SQL text: SQLite's shape with every fragment empty.
#[cfg(test)]
pub(crate) const TEST_DIALECT: Dialect = Dialect {
    byte_order: "",
    json_out: "",
    json_in: "",
    json_merge: "",
    json_int: "",
    time_ordered_id: "",
    skip_locked: "",
    lock_rows: "",
    advisory_locks: false,
    json_rows: "json_each({param}) AS {alias}",
    search_probe: true,
    writable_cte: false,
    generic_plans: false,
    no_index: "+",
};

impl Dialect {
    /// The merge expression of `column` with `param` (already cast).
    pub fn merge(&self, column: &str, param: &str) -> String {
        self.json_merge
            .replace("{col}", column)
            .replace("{param}", param)
    }

    /// The integer member `key` of JSON column `column`.
    pub fn int_member(&self, column: &str, key: &str) -> String {
        self.json_int.replace("{col}", column).replace("{key}", key)
    }
}

/// The most trigram candidates a list builds its page from (see [`SearchPath`]). Reading
/// 1,000 rows by rowid and sorting them takes about a millisecond; a fragment with more
/// candidates is common enough for the ordered scan to find a page early.
pub const SEARCH_PROBE_LIMIT: i64 = 1000;

/// How a list with a substring search finds its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchPath {
    /// In list order, testing every row (`LIKE`) until the page is full: fast when the
    /// fragment is common, a read of the whole table when it is rare. The only path without
    /// a trigram table, or for a fragment shorter than three characters.
    Scan,
    /// From the rows the trigram table names (at most [`SEARCH_PROBE_LIMIT`]), each still
    /// tested with `LIKE` and the list's filters, then sorted.
    Candidates,
}

impl SearchPath {
    /// The path for a probe's count of candidates.
    pub fn for_candidates(count: i64) -> SearchPath {
        if count <= SEARCH_PROBE_LIMIT {
            SearchPath::Candidates
        } else {
            SearchPath::Scan
        }
    }
}

/// How the engine plans a statement from one call to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Planning {
    /// Prepared once per connection and reused: the default for every statement.
    Cached,
    /// Prepared and planned for each call with its values.
    ///
    /// For a list with a substring search: its best plan depends on the fragment — the
    /// trigram index for a rare one, the list order for a common one. PostgreSQL switches
    /// a statement prepared on a connection to one generic plan after five calls when that
    /// plan looks no dearer than the average so far; measured at 1,000,000 customers, the
    /// generic plan of the customers' search walks the login order whatever the fragment,
    /// and a rare one ("c12345", 11 rows) then reads the whole index: 404 ms instead of
    /// 1.1 ms (docs/BENCHMARKS.md, session 8). Planning per call costs a round trip, a
    /// parse and a plan: 0.3-1.8 ms at p50 on the subscription searches there.
    PerCall,
}

impl Planning {
    /// The planning of a list statement: per call when it has a search and the engine
    /// could otherwise reuse a plan made without its values ([`Dialect::generic_plans`]).
    pub fn for_list(search: Option<&str>, dialect: Dialect) -> Planning {
        if search.is_some() && dialect.generic_plans {
            Planning::PerCall
        } else {
            Planning::Cached
        }
    }

    /// Whether the engine keeps the statement prepared for the next call.
    pub fn is_cached(self) -> bool {
        self == Planning::Cached
    }
}

/// A value to bind, in placeholder order (`$1`, `$2`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    /// Text.
    Text(String),
    /// An id.
    Id(Uuid),
}

/// A bindable value for writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Text.
    Text(String),
    /// Text or NULL.
    OptText(Option<String>),
    /// An id.
    Id(Uuid),
    /// An id or NULL.
    OptId(Option<Uuid>),
    /// An instant.
    Time(DateTime<Utc>),
    /// A calendar date or NULL.
    OptDate(Option<chrono::NaiveDate>),
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
}

impl From<Param> for Value {
    fn from(p: Param) -> Self {
        match p {
            Param::Text(t) => Value::Text(t),
            Param::Id(id) => Value::Id(id),
        }
    }
}

mod accounts;
pub use accounts::*;
mod api_keys;
pub use api_keys::*;
mod audit;
pub use audit::*;
mod dns;
pub use dns::*;
mod domains;
pub use domains::*;
mod hosting;
pub use hosting::*;
mod ips;
pub use ips::*;
mod provision;
pub use provision::*;
mod resellers;
pub use resellers::*;
mod status;
pub use status::*;
