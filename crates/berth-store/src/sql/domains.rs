//! Domain registry SQL (R7.1–R7.3): one `domains` table holds every name of the server,
//! whatever its kind, under one unique `name` column.

use berth_core::domain::DomainName;
use berth_core::hosting::Subscription;
use berth_core::site::{
    AliasOptions, AliasWeb, DocumentRoot, DomainKind, DomainQuery, DomainRef, HostedDomain,
};
use berth_core::text::fold;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Dialect, Value};
use crate::{StoreError, StoreResult};

/// The columns of a name read: the name `d`, its subscription `s` (with subscriber `o`)
/// and its parent `p`.
pub fn domain_select() -> &'static str {
    "SELECT d.id, d.name, d.kind, d.subscription_id, s.name, d.parent_id, p.name, d.document_root, \
     d.alias_web, d.alias_mail, d.alias_dns_sync, d.created_at, d.updated_at \
     FROM domains d JOIN subscriptions s ON s.id = d.subscription_id \
     JOIN accounts o ON o.id = s.owner_id LEFT JOIN domains p ON p.id = d.parent_id"
}

/// One name by its ASCII form: `$1`.
pub fn domain_by_name() -> String {
    format!("{} WHERE d.name = $1", domain_select())
}

/// The stored form of the parts that only some kinds have: document root (`''` for
/// none), alias web (`''` unless an alias), alias mail, alias DNS sync.
fn kind_columns(d: &HostedDomain) -> [Value; 4] {
    let root = d
        .document_root
        .as_ref()
        .map(|r| r.as_str().to_owned())
        .unwrap_or_default();
    match d.alias {
        Some(a) => [
            Value::Text(root),
            Value::Text(a.web.as_str().to_owned()),
            Value::Bool(a.mail),
            Value::Bool(a.dns_sync),
        ],
        None => [
            Value::Text(root),
            Value::Text(String::new()),
            Value::Bool(false),
            Value::Bool(false),
        ],
    }
}

/// `INSERT` of a name, and its values.
pub fn insert_domain(d: &HostedDomain) -> (String, Vec<Value>) {
    let sql = "INSERT INTO domains (id, name, name_key, kind, subscription_id, parent_id, document_root, \
               alias_web, alias_mail, alias_dns_sync, created_at, updated_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        .to_owned();
    let mut values = vec![
        Value::Id(d.id),
        Value::Text(d.name.ascii().to_owned()),
        Value::Text(fold(d.name.unicode())),
        Value::Text(d.kind.as_str().to_owned()),
        Value::Id(d.subscription.id),
        Value::OptId(d.parent.as_ref().map(|p| p.id)),
    ];
    values.extend(kind_columns(d));
    values.extend([Value::Time(d.created_at), Value::Time(d.updated_at)]);
    (sql, values)
}

/// `INSERT` of a subscription's main domain into the registry (R7.1), run by the stores
/// right after the subscription row.
pub fn insert_main_domain(s: &Subscription) -> (String, Vec<Value>) {
    insert_domain(&HostedDomain::main_of(s))
}

/// `UPDATE` of the changeable columns (`$1` the id).
pub fn update_domain(d: &HostedDomain) -> (String, Vec<Value>) {
    let sql = "UPDATE domains SET document_root = $2, alias_web = $3, alias_mail = $4, \
               alias_dns_sync = $5, updated_at = $6 WHERE id = $1"
        .to_owned();
    let mut values = vec![Value::Id(d.id)];
    values.extend(kind_columns(d));
    values.push(Value::Time(d.updated_at));
    (sql, values)
}

/// Deletes a name: `$1` the id (what hangs below goes by foreign-key cascade).
pub const DELETE_DOMAIN: &str = "DELETE FROM domains WHERE id = $1";

/// How many names of kind `$2` subscription `$1` has.
pub const COUNT_DOMAINS: &str =
    "SELECT COUNT(*) FROM domains WHERE subscription_id = $1 AND kind = $2";

/// Locks subscription `$1` until the transaction ends (PostgreSQL).
pub const LOCK_SUBSCRIPTION: &str = "SELECT id FROM subscriptions WHERE id = $1 FOR UPDATE";

/// The list query for registered names, and its values.
pub fn domain_list(q: &DomainQuery, d: Dialect) -> (String, Vec<Value>) {
    let mut values: Vec<Value> = vec![];
    let mut conditions = vec!["1 = 1".to_owned()];
    let bind = |values: &mut Vec<Value>, v: Value| {
        values.push(v);
        format!("${}", values.len())
    };
    if let Some(scope) = q.scope {
        let n = bind(&mut values, Value::Id(scope.0));
        conditions.push(format!("(s.owner_id = {n} OR o.owner_id = {n})"));
    }
    if let Some(sub) = q.subscription {
        let n = bind(&mut values, Value::Id(sub));
        conditions.push(format!("d.subscription_id = {n}"));
    }
    if let Some(parent) = q.parent {
        let n = bind(&mut values, Value::Id(parent));
        conditions.push(format!("d.parent_id = {n}"));
    }
    if !q.kinds.is_empty() {
        let list: Vec<String> = q
            .kinds
            .iter()
            .map(|k| bind(&mut values, Value::Text(k.as_str().to_owned())))
            .collect();
        conditions.push(format!("d.kind IN ({})", list.join(", ")));
    }
    let sql = format!(
        "{} WHERE {} ORDER BY s.name{b}, CASE WHEN d.kind = 'main' THEN 0 ELSE 1 END, d.name{b}",
        domain_select(),
        conditions.join(" AND "),
        b = d.byte_order
    );
    (sql, values)
}

/// Every name of `count` subscriptions from `$1`, ordered like [`domain_list`].
pub fn domains_of_subscriptions(count: usize, d: Dialect) -> String {
    format!(
        "{} WHERE d.subscription_id IN ({}) ORDER BY s.name{b}, \
         CASE WHEN d.kind = 'main' THEN 0 ELSE 1 END, d.name{b}",
        domain_select(),
        super::placeholder_list(1, count),
        b = d.byte_order
    )
}

/// A name row in plain types, as selected by [`domain_select`].
#[derive(Debug, Clone)]
pub struct DomainRow {
    /// `d.id`
    pub id: Uuid,
    /// `d.name`
    pub name: String,
    /// `d.kind`
    pub kind: String,
    /// `d.subscription_id`
    pub subscription_id: Uuid,
    /// `s.name`
    pub subscription_name: String,
    /// `d.parent_id`
    pub parent_id: Option<Uuid>,
    /// `p.name`
    pub parent_name: Option<String>,
    /// `d.document_root` (`''` for none)
    pub document_root: String,
    /// `d.alias_web` (`''` unless an alias)
    pub alias_web: String,
    /// `d.alias_mail`
    pub alias_mail: bool,
    /// `d.alias_dns_sync`
    pub alias_dns_sync: bool,
    /// `d.created_at`
    pub created_at: DateTime<Utc>,
    /// `d.updated_at`
    pub updated_at: DateTime<Utc>,
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Backend(format!("stored domain {what} {value:?} is not valid"))
}

fn stored_name(text: &str) -> StoreResult<DomainName> {
    DomainName::from_stored("name", text).map_err(|_| corrupt("name", text))
}

impl DomainRow {
    /// Rebuilds the registry entry.
    pub fn into_domain(self) -> StoreResult<HostedDomain> {
        let kind = DomainKind::from_wire(&self.kind).ok_or_else(|| corrupt("kind", &self.kind))?;
        let parent = match (self.parent_id, self.parent_name) {
            (Some(id), Some(name)) => Some(DomainRef {
                id,
                name: stored_name(&name)?,
            }),
            _ => None,
        };
        let document_root = if self.document_root.is_empty() {
            None
        } else {
            Some(
                DocumentRoot::parse("document_root", &self.document_root)
                    .map_err(|_| corrupt("document root", &self.document_root))?,
            )
        };
        let alias = if kind == DomainKind::Alias {
            Some(AliasOptions {
                web: AliasWeb::parse("web", &self.alias_web)
                    .map_err(|_| corrupt("alias web", &self.alias_web))?,
                mail: self.alias_mail,
                dns_sync: self.alias_dns_sync,
            })
        } else {
            None
        };
        Ok(HostedDomain {
            id: self.id,
            name: stored_name(&self.name)?,
            kind,
            subscription: DomainRef {
                id: self.subscription_id,
                name: stored_name(&self.subscription_name)?,
            },
            parent,
            document_root,
            alias,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}
