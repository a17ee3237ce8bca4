//! Account SQL: the list with its filters, sort keys and keyset pagination; writes;
//! row decoding into accounts.

use berth_core::account::{
    Account, AccountId, AccountKind, Contact, Email, Locale, Login, OwnerRef, PasswordHash, Phone,
};
use berth_core::country::Country;
use berth_core::query::{AccountQuery, AccountSortField, Direction};
use berth_core::status::{Status, Suspension, SuspensionReason};
use berth_core::text::fold;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Dialect, Param, SEARCH_PROBE_LIMIT, SearchPath, Value};
use crate::{StoreError, StoreResult};

/// The columns every account read selects, in this order; `a` is the account, `o` its
/// owner (LEFT JOIN).
pub const ACCOUNT_COLUMNS: &str = "a.id, a.kind, a.login, a.password_hash, a.name, a.company, \
     a.email, a.phone, a.fax, a.address, a.city, a.state, a.postal_code, a.country, a.locale, \
     a.description, a.external_id, a.created_at, a.updated_at, o.id AS owner_id, \
     o.login AS owner_login, o.kind AS owner_kind";

/// The FROM clause matching [`ACCOUNT_COLUMNS`].
pub const ACCOUNT_FROM: &str = "accounts a LEFT JOIN accounts o ON o.id = a.owner_id";

fn sort_key(field: AccountSortField, alias: &str, dialect: Dialect) -> String {
    let text = |column: &str| format!("{alias}.{column}{}", dialect.byte_order);
    match field {
        AccountSortField::Login => text("login"),
        AccountSortField::Name => text("name_key"),
        AccountSortField::Company => text("company_key"),
        AccountSortField::Email => text("email_key"),
        AccountSortField::Phone => text("phone"),
        AccountSortField::City => text("city_key"),
        AccountSortField::Country => text("country"),
        AccountSortField::Locale => text("locale"),
        AccountSortField::ExternalId => {
            format!("COALESCE({alias}.external_id, ''){}", dialect.byte_order)
        }
        AccountSortField::Status => format!(
            "(CASE WHEN EXISTS (SELECT 1 FROM account_suspensions s WHERE s.account_id = {alias}.id) THEN 1 ELSE 0 END)"
        ),
        AccountSortField::Created => format!("{alias}.created_at"),
        AccountSortField::Updated => format!("{alias}.updated_at"),
    }
}

/// Escapes `%`, `_` and `\` so that user text matches literally inside `LIKE ... ESCAPE '\'`.
pub fn like_contains(folded: &str) -> String {
    let mut pattern = String::with_capacity(folded.len() + 2);
    pattern.push('%');
    for c in folded.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The FTS5 query naming the rows whose key holds every trigram (three-character
/// sequence) of `folded`: a superset of the keys containing it, which `LIKE` then narrows
/// (the trigram tables keep no positions, migration 0017). Each trigram is an FTS5 string,
/// so no character of the fragment is an operator (`"` is doubled). `None` when the fragment
/// is shorter than three characters: it has no trigram.
pub fn trigram_match(folded: &str) -> Option<String> {
    let chars: Vec<char> = folded.chars().collect();
    let mut trigrams: Vec<String> = chars
        .windows(3)
        .map(|w| w.iter().collect::<String>())
        .collect();
    trigrams.sort();
    trigrams.dedup();
    if trigrams.is_empty() {
        return None;
    }
    let quoted: Vec<String> = trigrams
        .iter()
        .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
        .collect();
    Some(quoted.join(" AND "))
}

/// The probe of a search on an engine with trigram tables ([`Dialect::search_probe`]): how
/// many rows of `table` may contain `folded`, counted up to [`SEARCH_PROBE_LIMIT`] + 1.
/// `None` when the list scans in order anyway (no such table, or no trigram).
fn search_probe(table: &str, folded: &str, dialect: Dialect) -> Option<(String, Vec<Param>)> {
    if !dialect.search_probe {
        return None;
    }
    let fts = trigram_match(folded)?;
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT rowid FROM {table} WHERE {table} MATCH $1 LIMIT {})",
        SEARCH_PROBE_LIMIT + 1
    );
    Some((sql, vec![Param::Text(fts)]))
}

/// The first step of an account list with a search, on an engine with trigram tables: the
/// count that chooses the [`SearchPath`] of [`account_list`] (`None`: [`SearchPath::Scan`]).
pub fn account_search_probe(
    query: &AccountQuery,
    dialect: Dialect,
) -> Option<(String, Vec<Param>)> {
    search_probe("accounts_search", query.search.as_deref()?, dialect)
}

/// The first step of a subscription list with a search, on an engine with trigram tables:
/// the count that chooses the [`SearchPath`] of [`subscription_list`](super::subscription_list)
/// (`None`: [`SearchPath::Scan`]).
pub fn subscription_search_probe(
    query: &berth_core::hosting::SubscriptionQuery,
    dialect: Dialect,
) -> Option<(String, Vec<Param>)> {
    search_probe("subscriptions_search", query.search.as_deref()?, dialect)
}

/// The page query for an account list, and its parameters. On [`SearchPath::Candidates`]
/// the rows come from the trigram table (`CROSS JOIN` keeps it the outer loop: SQLite would
/// otherwise prefer a list index and test every row against the candidates) and are sorted
/// afterwards; the conditions are the same on both paths.
pub fn account_list(
    query: &AccountQuery,
    dialect: Dialect,
    path: SearchPath,
) -> (String, Vec<Param>) {
    let mut params = vec![Param::Text(query.kind.as_str().to_owned())];
    let mut conditions = vec!["a.kind = $1".to_owned()];
    let mut from = ACCOUNT_FROM.to_owned();
    let mut candidates = false;
    let next = |params: &mut Vec<Param>, p: Param| {
        params.push(p);
        format!("${}", params.len())
    };
    if let Some(owner) = query.owner {
        let n = next(&mut params, Param::Id(owner.0));
        conditions.push(format!("a.owner_id = {n}"));
    }
    match query.status {
        Some(Status::Active) => conditions.push(
            "NOT EXISTS (SELECT 1 FROM account_suspensions s WHERE s.account_id = a.id)".into(),
        ),
        Some(Status::Suspended) => conditions
            .push("EXISTS (SELECT 1 FROM account_suspensions s WHERE s.account_id = a.id)".into()),
        None => {}
    }
    if let Some(search) = &query.search {
        let n = next(&mut params, Param::Text(like_contains(search)));
        conditions.push(format!("a.search_key LIKE {n} ESCAPE '\\'"));
        if let (SearchPath::Candidates, Some(fts)) = (path, trigram_match(search)) {
            let n = next(&mut params, Param::Text(fts));
            candidates = true;
            from = format!("accounts_search CROSS JOIN {ACCOUNT_FROM}");
            conditions.push(format!(
                "accounts_search MATCH {n} AND a.rowid = accounts_search.rowid"
            ));
        }
    }
    let key_a = sort_key(query.sort.field, "a", dialect);
    let (cmp, dir) = match query.sort.direction {
        Direction::Asc => (">", "ASC"),
        Direction::Desc => ("<", "DESC"),
    };
    if let Some(after) = query.after {
        let key_c = sort_key(query.sort.field, "c", dialect);
        let n = next(&mut params, Param::Id(after.0));
        conditions.push(format!(
            "({key_a}, a.id) {cmp} (SELECT {key_c}, c.id FROM accounts c WHERE c.id = {n})"
        ));
    }
    let walks_login_order =
        query.search.is_some() && !candidates && query.sort.field == AccountSortField::Login;
    if walks_login_order {
        // A search walking the login order tests `search_key` on every account before its
        // page: for a fragment with thousands of matches far down the order, tens of
        // thousands of rows. The page's ids come from an id-only query that the login
        // indexes holding `search_key` answer without reading the rows (migrations 0022 on
        // SQLite, 0024 on PostgreSQL); the page's rows are read by id and sorted again.
        let ids = format!(
            "SELECT a.id FROM accounts a WHERE {} ORDER BY {key_a} {dir}, a.id {dir} LIMIT {}",
            conditions.join(" AND "),
            query.limit
        );
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM ({ids}) hit CROSS JOIN {ACCOUNT_FROM} \
             WHERE a.id = hit.id ORDER BY {key_a} {dir}, a.id {dir} LIMIT {}",
            query.limit
        );
        return (sql, params);
    }
    let sql = format!(
        "SELECT {ACCOUNT_COLUMNS} FROM {from} WHERE {} ORDER BY {key_a} {dir}, a.id {dir} LIMIT {}",
        conditions.join(" AND "),
        query.limit
    );
    (sql, params)
}

/// The stored columns of an account, in write order (after `id`).
const WRITE_COLUMNS: [&str; 24] = [
    "kind",
    "login",
    "owner_id",
    "password_hash",
    "name",
    "name_key",
    "company",
    "company_key",
    "email",
    "email_key",
    "phone",
    "fax",
    "address",
    "city",
    "city_key",
    "state",
    "postal_code",
    "country",
    "locale",
    "description",
    "external_id",
    "search_key",
    "created_at",
    "updated_at",
];

fn write_values(a: &Account) -> Vec<Value> {
    let c = &a.contact;
    let text = |v: Option<&str>| Value::Text(v.unwrap_or_default().to_owned());
    vec![
        Value::Text(a.kind.as_str().to_owned()),
        Value::Text(a.login.as_str().to_owned()),
        Value::OptId(a.owner.as_ref().map(|o| o.id.0)),
        Value::Text(a.password_hash.0.clone()),
        Value::Text(c.name.clone()),
        Value::Text(fold(&c.name)),
        text(c.company.as_deref()),
        Value::Text(fold(c.company.as_deref().unwrap_or_default())),
        Value::Text(c.email.as_str().to_owned()),
        Value::Text(fold(c.email.as_str())),
        text(c.phone.as_ref().map(Phone::as_str)),
        text(c.fax.as_ref().map(Phone::as_str)),
        text(c.address.as_deref()),
        text(c.city.as_deref()),
        Value::Text(fold(c.city.as_deref().unwrap_or_default())),
        text(c.state.as_deref()),
        text(c.postal_code.as_deref()),
        text(c.country.as_ref().map(Country::as_str)),
        Value::Text(c.locale.as_str().to_owned()),
        text(a.description.as_deref()),
        Value::OptText(a.external_id.clone()),
        Value::Text(a.search_key()),
        Value::Time(a.created_at),
        Value::Time(a.updated_at),
    ]
}

/// `INSERT` of a whole account, and its values (`$1` is the id).
pub fn insert_account(a: &Account) -> (String, Vec<Value>) {
    let placeholders: Vec<String> = (1..=WRITE_COLUMNS.len() + 1)
        .map(|n| format!("${n}"))
        .collect();
    let sql = format!(
        "INSERT INTO accounts (id, {}) VALUES ({})",
        WRITE_COLUMNS.join(", "),
        placeholders.join(", ")
    );
    let mut values = vec![Value::Id(a.id.0)];
    values.extend(write_values(a));
    (sql, values)
}

/// `UPDATE` of every stored column of an account, and its values (`$1` is the id).
pub fn update_account(a: &Account) -> (String, Vec<Value>) {
    let sets: Vec<String> = WRITE_COLUMNS
        .iter()
        .enumerate()
        .map(|(i, col)| format!("{col} = ${}", i + 2))
        .collect();
    let sql = format!("UPDATE accounts SET {} WHERE id = $1", sets.join(", "));
    let mut values = vec![Value::Id(a.id.0)];
    values.extend(write_values(a));
    (sql, values)
}

/// The account with login `$1` ([`ACCOUNT_COLUMNS`]) followed by the columns of
/// [`suspensions_of`] (all `NULL` when it has none): one row per reason, in their order.
pub fn account_by_login_joined() -> String {
    format!(
        "SELECT {ACCOUNT_COLUMNS}, s.account_id, s.reason, b.login, s.at FROM {ACCOUNT_FROM} \
         LEFT JOIN account_suspensions s ON s.account_id = a.id \
         LEFT JOIN accounts b ON b.id = s.by_account_id \
         WHERE a.login = $1 ORDER BY s.at, s.reason"
    )
}

/// The suspensions of the given accounts: `account_id, reason, by_login, at`.
pub fn suspensions_of(count: usize) -> String {
    let placeholders: Vec<String> = (1..=count).map(|n| format!("${n}")).collect();
    format!(
        "SELECT s.account_id, s.reason, b.login, s.at FROM account_suspensions s \
         LEFT JOIN accounts b ON b.id = s.by_account_id \
         WHERE s.account_id IN ({}) ORDER BY s.at, s.reason",
        placeholders.join(", ")
    )
}

/// An account row as decoded from [`ACCOUNT_COLUMNS`], in plain types.
#[derive(Debug, Clone)]
pub struct AccountRow {
    /// `a.id`
    pub id: Uuid,
    /// `a.kind`
    pub kind: String,
    /// `a.login`
    pub login: String,
    /// `a.password_hash`
    pub password_hash: String,
    /// `a.name`
    pub name: String,
    /// `a.company`
    pub company: String,
    /// `a.email`
    pub email: String,
    /// `a.phone`
    pub phone: String,
    /// `a.fax`
    pub fax: String,
    /// `a.address`
    pub address: String,
    /// `a.city`
    pub city: String,
    /// `a.state`
    pub state: String,
    /// `a.postal_code`
    pub postal_code: String,
    /// `a.country`
    pub country: String,
    /// `a.locale`
    pub locale: String,
    /// `a.description`
    pub description: String,
    /// `a.external_id`
    pub external_id: Option<String>,
    /// `a.created_at`
    pub created_at: DateTime<Utc>,
    /// `a.updated_at`
    pub updated_at: DateTime<Utc>,
    /// `o.id`
    pub owner_id: Option<Uuid>,
    /// `o.login`
    pub owner_login: Option<String>,
    /// `o.kind`
    pub owner_kind: Option<String>,
}

/// A suspension row as decoded from [`suspensions_of`].
#[derive(Debug, Clone)]
pub struct SuspensionRow {
    /// The suspended account.
    pub account_id: Uuid,
    /// The reason's wire name.
    pub reason: String,
    /// Login of the account that added it.
    pub by_login: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Backend(format!("stored {what} {value:?} is not valid"))
}

fn optional(text: String) -> Option<String> {
    if text.is_empty() { None } else { Some(text) }
}

impl AccountRow {
    /// Rebuilds the account. Values were validated on the way in; one that no longer
    /// parses means the database was edited by hand and is reported as a storage failure.
    pub fn into_account(self, suspensions: Vec<Suspension>) -> StoreResult<Account> {
        let kind = AccountKind::from_wire(&self.kind).ok_or_else(|| corrupt("kind", &self.kind))?;
        let owner = match (self.owner_id, self.owner_login, self.owner_kind) {
            (Some(id), Some(login), Some(kind)) => Some(OwnerRef {
                id: AccountId(id),
                login: Login::from_trusted(login),
                kind: AccountKind::from_wire(&kind).ok_or_else(|| corrupt("kind", &kind))?,
            }),
            _ => None,
        };
        let phone = |field: &str, v: String| {
            Phone::parse_optional(field, &v).map_err(|_| corrupt(field, &v))
        };
        let contact = Contact {
            name: self.name,
            company: optional(self.company),
            email: Email::from_trusted(self.email),
            phone: phone("phone", self.phone)?,
            fax: phone("fax", self.fax)?,
            address: optional(self.address),
            city: optional(self.city),
            state: optional(self.state),
            postal_code: optional(self.postal_code),
            country: match optional(self.country) {
                Some(c) => Some(Country::parse("country", &c).map_err(|_| corrupt("country", &c))?),
                None => None,
            },
            locale: Locale::parse("locale", &self.locale)
                .map_err(|_| corrupt("locale", &self.locale))?,
        };
        Ok(Account {
            id: AccountId(self.id),
            kind,
            login: Login::from_trusted(self.login),
            owner,
            password_hash: PasswordHash(self.password_hash),
            contact,
            description: optional(self.description),
            external_id: self.external_id,
            suspensions,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// Joins account rows with their suspension rows (from one query per page, not per row).
pub fn assemble_accounts(
    rows: Vec<AccountRow>,
    suspensions: Vec<SuspensionRow>,
) -> StoreResult<Vec<Account>> {
    let mut by_account: std::collections::HashMap<Uuid, Vec<Suspension>> = Default::default();
    for s in suspensions {
        let reason =
            SuspensionReason::from_wire(&s.reason).ok_or_else(|| corrupt("reason", &s.reason))?;
        by_account
            .entry(s.account_id)
            .or_default()
            .push(Suspension {
                reason,
                by: s.by_login.map(Login::from_trusted),
                at: s.at,
            });
    }
    rows.into_iter()
        .map(|row| {
            let mut own = by_account.remove(&row.id).unwrap_or_default();
            own.sort_by_key(|s| (s.at, s.reason));
            row.into_account(own)
        })
        .collect()
}

/// Adds (or replaces) one suspension reason: `$1` account, `$2` reason, `$3` by, `$4` at.
pub const UPSERT_ACCOUNT_SUSPENSION: &str = "INSERT INTO account_suspensions (account_id, reason, by_account_id, at) \
     VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, reason) \
     DO UPDATE SET by_account_id = excluded.by_account_id, at = excluded.at";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::Planning;

    #[test]
    fn like_patterns_match_user_text_literally() {
        assert_eq!(like_contains("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }

    const SQLITE_LIKE: Dialect = crate::sql::TEST_DIALECT;

    #[test]
    fn trigram_queries_quote_every_trigram_and_need_three_characters() {
        assert_eq!(trigram_match(""), None);
        assert_eq!(trigram_match("ab"), None);
        assert_eq!(trigram_match("é1"), None, "characters, not bytes");
        assert_eq!(
            trigram_match("école").unwrap(),
            r#""col" AND "ole" AND "éco""#
        );
        assert_eq!(
            trigram_match("aaaa").unwrap(),
            r#""aaa""#,
            "each trigram once"
        );
        assert_eq!(
            trigram_match("a\"b*").unwrap(),
            r#""""b*" AND "a""b""#,
            "quotes are doubled, operators stay text"
        );
    }

    #[test]
    fn search_probe_only_where_the_engine_has_trigram_tables_and_the_fragment_trigrams() {
        let q = |search: Option<&str>| AccountQuery {
            kind: berth_core::account::AccountKind::Customer,
            owner: None,
            status: None,
            search: search.map(str::to_owned),
            sort: Default::default(),
            after: None,
            limit: 100,
        };
        let (sql, params) = account_search_probe(&q(Some("c123")), SQLITE_LIKE).unwrap();
        assert!(sql.contains("accounts_search MATCH $1 LIMIT 1001"), "{sql}");
        assert_eq!(params, [Param::Text(r#""123" AND "c12""#.into())]);
        assert!(account_search_probe(&q(Some("c1")), SQLITE_LIKE).is_none());
        assert!(account_search_probe(&q(None), SQLITE_LIKE).is_none());
        let postgres = Dialect {
            search_probe: false,
            ..SQLITE_LIKE
        };
        assert!(account_search_probe(&q(Some("c123")), postgres).is_none());

        let (scan, _) = account_list(&q(Some("c123")), SQLITE_LIKE, SearchPath::Scan);
        assert!(!scan.contains("accounts_search"), "{scan}");
        assert!(
            scan.contains("FROM (SELECT a.id FROM accounts a WHERE a.kind = $1 AND a.search_key LIKE $2")
                && scan.contains(") hit CROSS JOIN accounts a LEFT JOIN accounts o ON o.id = a.owner_id WHERE a.id = hit.id"),
            "the login-order search pages by ids: {scan}"
        );
        let (no_search, _) = account_list(&q(None), SQLITE_LIKE, SearchPath::Scan);
        assert!(!no_search.contains("hit"), "{no_search}");
        let (page, params) = account_list(&q(Some("c123")), SQLITE_LIKE, SearchPath::Candidates);
        assert!(
            page.contains("FROM accounts_search CROSS JOIN accounts a LEFT JOIN"),
            "{page}"
        );
        assert!(
            page.contains("a.search_key LIKE $2"),
            "still tested: {page}"
        );
        assert_eq!(params.len(), 3);
        let (short, _) = account_list(&q(Some("c1")), SQLITE_LIKE, SearchPath::Candidates);
        assert!(!short.contains("accounts_search"), "{short}");
    }

    #[test]
    fn r1_9_list_searches_are_planned_per_call_where_plans_can_be_generic() {
        let postgres = Dialect {
            generic_plans: true,
            ..SQLITE_LIKE
        };
        assert_eq!(Planning::for_list(Some("c12"), postgres), Planning::PerCall);
        assert_eq!(Planning::for_list(None, postgres), Planning::Cached);
        assert_eq!(
            Planning::for_list(Some("c12"), SQLITE_LIKE),
            Planning::Cached
        );
        assert!(!Planning::PerCall.is_cached());
    }

    #[test]
    fn subscription_candidates_drive_the_subscription_page() {
        let q = berth_core::hosting::SubscriptionQuery {
            search: Some("12345".into()),
            ..berth_core::hosting::SubscriptionQuery::every(100)
        };
        let (probe, _) = subscription_search_probe(&q, SQLITE_LIKE).unwrap();
        assert!(probe.contains("FROM subscriptions_search WHERE subscriptions_search MATCH $1"));
        let (page, _) = super::super::subscription_list(&q, SQLITE_LIKE, SearchPath::Candidates);
        assert!(
            page.contains(" FROM subscriptions_search CROSS JOIN subscriptions s JOIN accounts o "),
            "{page}"
        );
        assert!(
            page.contains("s.rowid = subscriptions_search.rowid"),
            "{page}"
        );
        let (scan, _) = super::super::subscription_list(&q, SQLITE_LIKE, SearchPath::Scan);
        assert!(!scan.contains("subscriptions_search"), "{scan}");
    }

    #[test]
    fn r1_9_a_subscription_search_in_name_order_takes_the_page_ids_from_an_id_only_query() {
        let subscriptions = berth_core::hosting::SubscriptionQuery {
            scope: berth_core::hosting::SubscriptionScope::ProvidedBy(AccountId(Uuid::nil())),
            search: Some("s12".into()),
            descending: true,
            ..berth_core::hosting::SubscriptionQuery::every(50)
        };
        let (scan, _) =
            super::super::subscription_list(&subscriptions, SQLITE_LIKE, SearchPath::Scan);
        assert!(
            scan.contains(
                " FROM (SELECT s.id FROM subscriptions s \
                 WHERE 1 = 1 AND s.provider_id = $1 \
                 AND s.name_key LIKE $2 ESCAPE '\\' ORDER BY s.name DESC, s.id DESC LIMIT 50) hit \
                 CROSS JOIN subscriptions s JOIN accounts o ON o.id = s.owner_id "
            ),
            "{scan}"
        );
        assert!(
            scan.ends_with(" WHERE s.id = hit.id ORDER BY s.name DESC, s.id DESC LIMIT 50"),
            "{scan}"
        );
        let (candidates, _) =
            super::super::subscription_list(&subscriptions, SQLITE_LIKE, SearchPath::Candidates);
        assert!(!candidates.contains("hit"), "{candidates}");
        let suspended = berth_core::hosting::SubscriptionQuery {
            status: Some(Status::Suspended),
            ..subscriptions.clone()
        };
        let (suspended, _) =
            super::super::subscription_list(&suspended, SQLITE_LIKE, SearchPath::Scan);
        assert!(!suspended.contains("hit"), "{suspended}");
        let unsearched = berth_core::hosting::SubscriptionQuery {
            search: None,
            ..subscriptions
        };
        let (unsearched, _) =
            super::super::subscription_list(&unsearched, SQLITE_LIKE, SearchPath::Scan);
        assert!(!unsearched.contains("hit"), "{unsearched}");
    }

    #[test]
    fn a_probe_of_up_to_the_limit_makes_the_page_from_candidates() {
        assert_eq!(SearchPath::for_candidates(0), SearchPath::Candidates);
        assert_eq!(SearchPath::for_candidates(1000), SearchPath::Candidates);
        assert_eq!(SearchPath::for_candidates(1001), SearchPath::Scan);
    }
}
