//! Plan and subscription SQL: reads, writes, the subscription list, and the grouped sync.

use std::collections::HashMap;

use berth_core::account::{AccountId, AccountKind, Login, OwnerRef};
use berth_core::domain::DomainName;
use berth_core::hosting::{
    Plan, PlanName, PlanRef, Subscription, SubscriptionIp, SubscriptionQuery, SubscriptionScope,
    SubscriptionSort, SystemUser,
};
use berth_core::property::{PlanType, Properties, from_flat_json, to_flat_json};
use berth_core::status::{Status, Suspension, SuspensionReason};
use berth_core::sync::{SyncState, conflicts_from_json, conflicts_to_json};
use berth_core::text::fold;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{
    ACCOUNT_COLUMNS, ACCOUNT_FROM, Dialect, SearchPath, Value, like_contains, trigram_match,
};
use crate::hosting::{GroupUpdate, NewSubscriptionRows, SyncGroup};
use crate::{StoreError, StoreResult};

fn corrupt(err: berth_core::Error) -> StoreError {
    StoreError::Backend(format!("stored data is not valid: {}", err.message))
}

fn placeholders(from: usize, count: usize) -> String {
    (from..from + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------- plans

/// The columns of a plan read, owner joined as `o`.
pub fn plan_select(d: Dialect) -> String {
    format!(
        "SELECT p.id, p.plan_type, p.name, p.props{}, p.created_at, p.updated_at, o.id, o.login, o.kind \
         FROM plans p JOIN accounts o ON o.id = p.owner_id",
        d.json_out
    )
}

/// `INSERT` of a plan.
pub fn insert_plan(plan: &Plan, d: Dialect) -> (String, Vec<Value>) {
    let sql = format!(
        "INSERT INTO plans (id, owner_id, plan_type, name, name_key, props, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6{}, $7, $8)",
        d.json_in
    );
    let values = vec![
        Value::Id(plan.id),
        Value::Id(plan.owner.id.0),
        Value::Text(plan.plan_type.as_str().to_owned()),
        Value::Text(plan.name.as_str().to_owned()),
        Value::Text(fold(plan.name.as_str())),
        Value::Text(to_flat_json(&plan.props)),
        Value::Time(plan.created_at),
        Value::Time(plan.updated_at),
    ];
    (sql, values)
}

/// `UPDATE` of a plan's name and properties.
pub fn update_plan(plan: &Plan, d: Dialect) -> (String, Vec<Value>) {
    let sql = format!(
        "UPDATE plans SET name = $2, name_key = $3, props = $4{}, updated_at = $5 WHERE id = $1",
        d.json_in
    );
    let values = vec![
        Value::Id(plan.id),
        Value::Text(plan.name.as_str().to_owned()),
        Value::Text(fold(plan.name.as_str())),
        Value::Text(to_flat_json(&plan.props)),
        Value::Time(plan.updated_at),
    ];
    (sql, values)
}

/// The plan list, optionally by owner and type, with usage counts.
pub fn plan_list(
    owner: Option<AccountId>,
    plan_type: Option<PlanType>,
    d: Dialect,
) -> (String, Vec<Value>) {
    let mut conditions = vec!["1 = 1".to_owned()];
    let mut values = vec![];
    if let Some(owner) = owner {
        values.push(Value::Id(owner.0));
        conditions.push(format!("p.owner_id = ${}", values.len()));
    }
    if let Some(t) = plan_type {
        values.push(Value::Text(t.as_str().to_owned()));
        conditions.push(format!("p.plan_type = ${}", values.len()));
    }
    let sql = format!(
        "{}, ({}) AS usage FROM plans p JOIN accounts o ON o.id = p.owner_id WHERE {} \
         ORDER BY o.login{b}, p.plan_type, p.name_key{b}",
        plan_select(d).split(" FROM ").next().unwrap_or_default(),
        PLAN_USAGE.replace("$1", "p.id"),
        conditions.join(" AND "),
        b = d.byte_order
    );
    (sql, values)
}

/// Number of subscriptions using plan `$1` as service plan or add-on, plus resellers on it
/// (R2.2).
pub const PLAN_USAGE: &str = "SELECT (SELECT COUNT(*) FROM subscriptions s WHERE s.plan_id = $1 \
     OR s.id IN (SELECT sa.subscription_id FROM subscription_addons sa WHERE sa.plan_id = $1)) \
     + (SELECT COUNT(*) FROM reseller_profiles r WHERE r.plan_id = $1)";

/// A plan row in plain types.
#[derive(Debug, Clone)]
pub struct PlanRow {
    /// `p.id`
    pub id: Uuid,
    /// `p.plan_type`
    pub plan_type: String,
    /// `p.name`
    pub name: String,
    /// `p.props`
    pub props: String,
    /// `p.created_at`
    pub created_at: DateTime<Utc>,
    /// `p.updated_at`
    pub updated_at: DateTime<Utc>,
    /// `o.id`
    pub owner_id: Uuid,
    /// `o.login`
    pub owner_login: String,
    /// `o.kind`
    pub owner_kind: String,
}

fn owner_ref(id: Uuid, login: String, kind: &str) -> StoreResult<OwnerRef> {
    Ok(OwnerRef {
        id: AccountId(id),
        login: Login::from_trusted(login),
        kind: AccountKind::from_wire(kind)
            .ok_or_else(|| StoreError::Backend(format!("stored kind {kind:?}")))?,
    })
}

impl PlanRow {
    /// Rebuilds the plan.
    pub fn into_plan(self) -> StoreResult<Plan> {
        Ok(Plan {
            id: self.id,
            owner: owner_ref(self.owner_id, self.owner_login, &self.owner_kind)?,
            plan_type: PlanType::parse("type", &self.plan_type).map_err(corrupt)?,
            name: PlanName::parse("name", &self.name).map_err(corrupt)?,
            props: from_flat_json(&self.props).map_err(corrupt)?,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

// ---------------------------------------------------------------- subscriptions

/// The columns of a subscription read: subscriber `o`, plan `pl`.
pub fn subscription_select(d: Dialect) -> String {
    subscription_select_from("subscriptions s", d)
}

/// [`subscription_select`] reading subscriptions `s` through `from`, which must name `s`.
fn subscription_select_from(from: &str, d: Dialect) -> String {
    format!(
        "SELECT s.id, s.name, s.plan_id, pl.name, s.sync_state, s.props{}, s.custom, s.conflicts, \
         s.system_user, s.system_password_hash, s.expiration, s.overused, s.created_at, s.updated_at, \
         o.id, o.login, o.kind \
         FROM {from} JOIN accounts o ON o.id = s.owner_id LEFT JOIN plans pl ON pl.id = s.plan_id",
        d.json_out
    )
}

/// A subscription row in plain types.
#[derive(Debug, Clone)]
pub struct SubscriptionRow {
    /// `s.id`
    pub id: Uuid,
    /// `s.name` (ASCII)
    pub name: String,
    /// `s.plan_id`
    pub plan_id: Option<Uuid>,
    /// `pl.name`
    pub plan_name: Option<String>,
    /// `s.sync_state`
    pub sync_state: String,
    /// `s.props`
    pub props: String,
    /// `s.custom`
    pub custom: String,
    /// `s.conflicts`
    pub conflicts: String,
    /// `s.system_user`
    pub system_user: String,
    /// `s.system_password_hash`
    pub system_password_hash: String,
    /// `s.expiration`
    pub expiration: Option<NaiveDate>,
    /// `s.overused`
    pub overused: bool,
    /// `s.created_at`
    pub created_at: DateTime<Utc>,
    /// `s.updated_at`
    pub updated_at: DateTime<Utc>,
    /// `o.id`
    pub owner_id: Uuid,
    /// `o.login`
    pub owner_login: String,
    /// `o.kind`
    pub owner_kind: String,
}

/// Add-on and IP rows of a page of subscriptions: `(subscription_id, id, text, flag)`.
pub fn subscription_addons_of(count: usize) -> String {
    format!(
        "SELECT sa.subscription_id, p.id, p.name FROM subscription_addons sa JOIN plans p ON p.id = sa.plan_id \
         WHERE sa.subscription_id IN ({}) ORDER BY p.name_key, p.id",
        placeholders(1, count)
    )
}

/// IP addresses of a page of subscriptions: `subscription_id, ip id, address, kind`.
pub fn subscription_ips_of(count: usize) -> String {
    format!(
        "SELECT si.subscription_id, i.id, i.address, i.kind FROM subscription_ips si \
         JOIN ip_addresses i ON i.id = si.ip_id WHERE si.subscription_id IN ({}) ORDER BY i.family, i.sort_key",
        placeholders(1, count)
    )
}

/// Suspensions of a page of subscriptions: `subscription_id, reason, by_login, at`.
pub fn subscription_suspensions_of(count: usize) -> String {
    format!(
        "SELECT ss.subscription_id, ss.reason, b.login, ss.at FROM subscription_suspensions ss \
         LEFT JOIN accounts b ON b.id = ss.by_account_id WHERE ss.subscription_id IN ({}) ORDER BY ss.at, ss.reason",
        placeholders(1, count)
    )
}

/// The parts of a page read in separate queries (one each per page, never per row).
#[derive(Debug, Default)]
pub struct SubscriptionParts {
    /// `(subscription, add-on)`
    pub addons: Vec<(Uuid, PlanRef)>,
    /// `(subscription, address)`
    pub ips: Vec<(Uuid, SubscriptionIp)>,
    /// `(subscription, reason, by, at)`
    pub suspensions: Vec<(Uuid, String, Option<String>, DateTime<Utc>)>,
}

/// Joins subscription rows with their parts.
pub fn assemble_subscriptions(
    rows: Vec<SubscriptionRow>,
    parts: SubscriptionParts,
) -> StoreResult<Vec<Subscription>> {
    let mut addons: HashMap<Uuid, Vec<PlanRef>> = HashMap::new();
    for (sid, a) in parts.addons {
        addons.entry(sid).or_default().push(a);
    }
    let mut ips: HashMap<Uuid, Vec<SubscriptionIp>> = HashMap::new();
    for (sid, ip) in parts.ips {
        ips.entry(sid).or_default().push(ip);
    }
    let mut suspensions: HashMap<Uuid, Vec<Suspension>> = HashMap::new();
    for (sid, reason, by, at) in parts.suspensions {
        let reason = SuspensionReason::from_wire(&reason)
            .ok_or_else(|| StoreError::Backend(format!("stored reason {reason:?}")))?;
        suspensions.entry(sid).or_default().push(Suspension {
            reason,
            by: by.map(Login::from_trusted),
            at,
        });
    }
    rows.into_iter()
        .map(|r| {
            let id = r.id;
            Ok(Subscription {
                id,
                name: DomainName::from_stored("name", &r.name).map_err(corrupt)?,
                owner: owner_ref(r.owner_id, r.owner_login, &r.owner_kind)?,
                plan: match (r.plan_id, r.plan_name) {
                    (Some(id), Some(name)) => Some(PlanRef { id, name }),
                    _ => None,
                },
                addons: addons.remove(&id).unwrap_or_default(),
                sync_state: SyncState::parse("sync_state", &r.sync_state).map_err(corrupt)?,
                props: from_flat_json(&r.props).map_err(corrupt)?,
                custom: from_flat_json(&r.custom).map_err(corrupt)?,
                conflicts: conflicts_from_json(&r.conflicts).map_err(corrupt)?,
                ips: ips.remove(&id).unwrap_or_default(),
                system_user: SystemUser::parse("system_user", &r.system_user).map_err(corrupt)?,
                system_password_hash: r.system_password_hash,
                expiration: r.expiration,
                overused: r.overused,
                suspensions: {
                    let mut own = suspensions.remove(&id).unwrap_or_default();
                    own.sort_by_key(|s| (s.at, s.reason));
                    own
                },
                created_at: r.created_at,
                updated_at: r.updated_at,
            })
        })
        .collect()
}

/// `INSERT` of a subscription row (not its add-ons and IPs).
pub fn insert_subscription(s: &Subscription, d: Dialect) -> (String, Vec<Value>) {
    let sql = format!(
        "INSERT INTO subscriptions (id, name, name_key, owner_id, plan_id, addon_key, sync_state, props, custom, \
         conflicts, system_user, system_password_hash, expiration, overused, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8{}, $9, $10, $11, $12, $13, $14, $15, $16)",
        d.json_in
    );
    (sql, subscription_values(s))
}

/// `UPDATE` of a subscription row.
pub fn update_subscription(s: &Subscription, d: Dialect) -> (String, Vec<Value>) {
    let sql = format!(
        "UPDATE subscriptions SET name = $2, name_key = $3, owner_id = $4, plan_id = $5, addon_key = $6, \
         sync_state = $7, props = $8{}, custom = $9, conflicts = $10, system_user = $11, \
         system_password_hash = $12, expiration = $13, overused = $14, created_at = $15, updated_at = $16 \
         WHERE id = $1",
        d.json_in
    );
    (sql, subscription_values(s))
}

fn subscription_values(s: &Subscription) -> Vec<Value> {
    vec![
        Value::Id(s.id),
        Value::Text(s.name.ascii().to_owned()),
        Value::Text(fold(s.name.unicode())),
        Value::Id(s.owner.id.0),
        Value::OptId(s.plan.as_ref().map(|p| p.id)),
        Value::Text(s.addon_key()),
        Value::Text(s.sync_state.as_str().to_owned()),
        Value::Text(to_flat_json(&s.props)),
        Value::Text(to_flat_json(&s.custom)),
        Value::Text(conflicts_to_json(&s.conflicts).to_string()),
        Value::Text(s.system_user.as_str().to_owned()),
        Value::Text(s.system_password_hash.clone()),
        Value::OptDate(s.expiration),
        Value::Bool(s.overused),
        Value::Time(s.created_at),
        Value::Time(s.updated_at),
    ]
}

/// Statements that rewrite a subscription's add-ons and IPs: deletes, then one insert each
/// (multi-row `VALUES`).
pub fn subscription_links(s: &Subscription) -> Vec<(String, Vec<Value>)> {
    let mut out = vec![
        (
            "DELETE FROM subscription_addons WHERE subscription_id = $1".to_owned(),
            vec![Value::Id(s.id)],
        ),
        (
            "DELETE FROM subscription_ips WHERE subscription_id = $1".to_owned(),
            vec![Value::Id(s.id)],
        ),
    ];
    out.extend(insert_links(s));
    out
}

/// One multi-row `INSERT` each for a subscription's add-on and IP links (none for an
/// empty list); nothing is removed.
fn insert_links(s: &Subscription) -> Vec<(String, Vec<Value>)> {
    let mut out = vec![];
    for (table, column, ids) in [
        (
            "subscription_addons",
            "plan_id",
            s.addons.iter().map(|a| a.id).collect::<Vec<_>>(),
        ),
        (
            "subscription_ips",
            "ip_id",
            s.ips.iter().map(|i| i.id).collect(),
        ),
    ] {
        if ids.is_empty() {
            continue;
        }
        let rows: Vec<String> = (0..ids.len())
            .map(|i| format!("($1, ${})", i + 2))
            .collect();
        let mut values = vec![Value::Id(s.id)];
        values.extend(ids.into_iter().map(Value::Id));
        out.push((
            format!(
                "INSERT INTO {table} (subscription_id, {column}) VALUES {}",
                rows.join(", ")
            ),
            values,
        ));
    }
    out
}

fn dedicated_expr(alias: &str) -> String {
    format!(
        "(CASE WHEN EXISTS (SELECT 1 FROM subscription_ips si JOIN ip_addresses i ON i.id = si.ip_id \
         WHERE si.subscription_id = {alias}.id AND i.kind = 'dedicated') THEN 1 ELSE 0 END)"
    )
}

fn sort_key(sort: SubscriptionSort, alias: &str, d: Dialect) -> String {
    match sort {
        SubscriptionSort::Name => format!("{alias}.name{}", d.byte_order),
        SubscriptionSort::Created => format!("{alias}.created_at"),
        SubscriptionSort::Updated => format!("{alias}.updated_at"),
        SubscriptionSort::Expiration => format!("COALESCE({alias}.expiration, '9999-12-31')"),
        SubscriptionSort::SyncState => format!("{alias}.sync_state{}", d.byte_order),
    }
}

/// The page query for a subscription list, and its values.
pub fn subscription_list(
    q: &SubscriptionQuery,
    d: Dialect,
    path: SearchPath,
) -> (String, Vec<Value>) {
    let mut values: Vec<Value> = vec![];
    let mut conditions = vec!["1 = 1".to_owned()];
    let bind = |values: &mut Vec<Value>, v: Value| {
        values.push(v);
        format!("${}", values.len())
    };
    // `provider_id` is kept by triggers (migration 0027): a provider's subscriptions are one
    // range of its `(provider_id, name, id)` index, which serves the name order. In another
    // order, or for one subscriber's few rows, the list walks its own index and tests the
    // provider on each row (`no_index`: SQLite would take the range and sort all of it).
    match q.scope {
        SubscriptionScope::All => {}
        SubscriptionScope::ProvidedBy(provider) => {
            let n = bind(&mut values, Value::Id(provider.0));
            let hint = if q.sort == SubscriptionSort::Name && q.owner.is_none() {
                ""
            } else {
                d.no_index
            };
            conditions.push(format!("{hint}s.provider_id = {n}"));
        }
        SubscriptionScope::HeldBy(holder) => {
            let n = bind(&mut values, Value::Id(holder.0));
            conditions.push(format!("s.owner_id = {n}"));
        }
    }
    if let Some(owner) = q.owner {
        let n = bind(&mut values, Value::Id(owner.0));
        conditions.push(format!("s.owner_id = {n}"));
    }
    if let Some(plan) = q.plan {
        let n = bind(&mut values, Value::Id(plan));
        conditions.push(format!("s.plan_id = {n}"));
    }
    // `suspended_subscriptions` lists the subscriptions with at least one reason, kept by
    // triggers (migration 0016). A suspended page walks its (name, id) index and joins each
    // of its rows to the subscription (`CROSS JOIN` keeps that order on SQLite); an active
    // page probes it per row of the list order (most rows are active).
    let suspended_only = q.status == Some(Status::Suspended);
    match q.status {
        Some(Status::Active) => conditions.push(
            "NOT EXISTS (SELECT 1 FROM suspended_subscriptions x WHERE x.subscription_id = s.id)"
                .to_owned(),
        ),
        Some(Status::Suspended) => conditions.push("s.id = x.subscription_id".to_owned()),
        None => {}
    }
    if let Some(state) = q.sync_state {
        let n = bind(&mut values, Value::Text(state.as_str().to_owned()));
        conditions.push(format!("s.sync_state = {n}"));
    }
    if q.overused {
        conditions.push("s.overused = TRUE".to_owned());
    }
    if let Some(day) = q.expired_on {
        let n = bind(&mut values, Value::OptDate(Some(day)));
        conditions.push(format!("s.expiration <= {n}"));
    }
    let mut candidates = false;
    if let Some(search) = &q.search {
        let n = bind(&mut values, Value::Text(like_contains(search)));
        conditions.push(format!("s.name_key LIKE {n} ESCAPE '\\'"));
        // The rows come from the trigram table (see `account_list`): `CROSS JOIN` keeps it
        // the outer loop, the page is sorted afterwards.
        if let (SearchPath::Candidates, Some(fts)) = (path, trigram_match(search)) {
            let n = bind(&mut values, Value::Text(fts));
            candidates = true;
            conditions.push(format!(
                "subscriptions_search MATCH {n} AND s.rowid = subscriptions_search.rowid"
            ));
        }
    }
    // The suspended index holds the name order: sort on its copy of the columns.
    let (key_s, id_s) = if suspended_only && q.sort == SubscriptionSort::Name {
        (format!("x.name{}", d.byte_order), "x.subscription_id")
    } else {
        (sort_key(q.sort, "s", d), "s.id")
    };
    let (cmp, dir) = if q.descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    if let Some(after) = q.after {
        let key_c = sort_key(q.sort, "c", d);
        let n = bind(&mut values, Value::Id(after));
        conditions.push(format!(
            "({key_s}, {id_s}) {cmp} (SELECT {key_c}, c.id FROM subscriptions c WHERE c.id = {n})"
        ));
    }
    // A search walking the name order (no trigram candidates) tests `name_key` on every
    // subscription before its page: with thousands of matches far down the order that is
    // tens of thousands of rows. The page's ids come from an id-only query that a name
    // index holding `name_key` answers without reading the rows (migrations 0022, 0027:
    // a provider's scope walks its own range), the page's rows are read by id afterwards
    // and sorted again.
    if q.search.is_some() && !candidates && !suspended_only && q.sort == SubscriptionSort::Name {
        let ids = format!(
            "SELECT s.id FROM subscriptions s WHERE {} ORDER BY {key_s} {dir}, {id_s} {dir} LIMIT {}",
            conditions.join(" AND "),
            q.limit
        );
        let sql = format!(
            "{} WHERE s.id = hit.id ORDER BY {key_s} {dir}, {id_s} {dir} LIMIT {}",
            subscription_select_from(&format!("({ids}) hit CROSS JOIN subscriptions s"), d),
            q.limit
        );
        return (sql, values);
    }
    // The outer loop: the search candidates (at most a thousand, sorted afterwards), else
    // the suspended index in name order, else the subscriptions in the sort's index order.
    let from = match (candidates, suspended_only) {
        (true, false) => "subscriptions_search CROSS JOIN subscriptions s",
        (true, true) => {
            "subscriptions_search CROSS JOIN subscriptions s CROSS JOIN suspended_subscriptions x"
        }
        (false, true) => "suspended_subscriptions x CROSS JOIN subscriptions s",
        (false, false) => "subscriptions s",
    };
    let sql = format!(
        "{} WHERE {} ORDER BY {key_s} {dir}, {id_s} {dir} LIMIT {}",
        subscription_select_from(from, d),
        conditions.join(" AND "),
        q.limit
    );
    (sql, values)
}

/// Subscribers of IP address `$1`.
pub const IP_SUBSCRIBERS: &str = "SELECT DISTINCT s.owner_id FROM subscriptions s JOIN subscription_ips si ON si.subscription_id = s.id WHERE si.ip_id = $1";

/// Whether system user `$1` is taken.
pub const SYSTEM_USER_TAKEN: &str = "SELECT COUNT(*) FROM subscriptions WHERE system_user = $1";

/// The sync groups of plan `$1`: `plan_id, addon_key, owner_id, dedicated, custom, count,
/// sync_state, provider_id` (the provider kept beside each subscription, migration 0027).
pub fn sync_groups() -> String {
    format!(
        "SELECT s.plan_id, s.addon_key, s.owner_id, CAST({} AS BIGINT) AS dedicated, s.custom, COUNT(*), s.sync_state, \
         s.provider_id \
         FROM subscriptions s WHERE s.plan_id = $1 \
         OR s.id IN (SELECT sa.subscription_id FROM subscription_addons sa WHERE sa.plan_id = $1) \
         GROUP BY s.plan_id, s.addon_key, s.owner_id, dedicated, s.custom, s.sync_state, s.provider_id",
        dedicated_expr("s")
    )
}

fn group_condition(first: usize) -> String {
    format!(
        "plan_id = ${} AND addon_key = ${} AND owner_id = ${} AND custom = ${} AND sync_state = ${} AND {} = ${}",
        first,
        first + 1,
        first + 2,
        first + 3,
        first + 4,
        dedicated_expr("subscriptions"),
        first + 5
    )
}

fn group_values(g: &SyncGroup) -> Vec<Value> {
    vec![
        Value::Id(g.plan_id),
        Value::Text(g.addon_key.clone()),
        Value::Id(g.owner_id.0),
        Value::Text(g.custom.clone()),
        Value::Text(g.sync_state.clone()),
        Value::Int(i64::from(g.dedicated_ip)),
    ]
}

/// Names and properties of a group's members.
pub fn group_members(g: &SyncGroup, d: Dialect) -> (String, Vec<Value>) {
    let sql = format!(
        "SELECT name, props{} FROM subscriptions WHERE {} ORDER BY name",
        d.json_out,
        group_condition(1)
    );
    (sql, group_values(g))
}

/// The one statement that syncs a whole group.
pub fn apply_sync_group(g: &SyncGroup, u: &GroupUpdate<'_>, d: Dialect) -> (String, Vec<Value>) {
    let merge = d.merge("props", &format!("$1{}", d.json_in));
    let sql = format!(
        "UPDATE subscriptions SET props = {merge}, sync_state = $2, conflicts = $3, updated_at = $4 WHERE {}",
        group_condition(5)
    );
    let mut values = vec![
        Value::Text(to_flat_json(u.set)),
        Value::Text(u.sync_state.to_owned()),
        Value::Text(u.conflicts.to_owned()),
        Value::Time(u.at),
    ];
    values.extend(group_values(g));
    (sql, values)
}

/// Parses properties read back as text.
pub fn props_from_text(text: &str) -> StoreResult<Properties> {
    from_flat_json(text).map_err(corrupt)
}

/// Statements that remove an account's hosting before the account itself (R1.8): the
/// subscriptions it holds or provides, then the plans it owns. `$1` is the account.
pub const DELETE_HOSTING_OF_ACCOUNT: [&str; 2] = [
    "DELETE FROM subscriptions WHERE owner_id = $1 OR owner_id IN (SELECT id FROM accounts WHERE owner_id = $1)",
    "DELETE FROM plans WHERE owner_id = $1",
];

/// The writes of a new subscription (see [`NewSubscriptionRows`]): its row, add-on and IP
/// links, main domain, zone, records and pending job, sent as one statement where the
/// dialect has writable `WITH` parts (PostgreSQL), else as one script of one statement per
/// table (SQLite): one round trip either way.
pub fn insert_new_subscription(
    rows: &NewSubscriptionRows<'_>,
    d: Dialect,
) -> Vec<(String, Vec<Value>)> {
    let s = rows.subscription;
    let mut statements = vec![insert_subscription(s, d)];
    statements.extend(insert_links(s));
    statements.push(super::insert_main_domain(s));
    statements.extend(super::insert_zone(rows.zone));
    statements.push((
        "INSERT INTO provision_jobs (id, subscription_id, state, attempts, run_after, created_at, \
         updated_at) VALUES ($1, $2, 'pending', 0, $3, $3, $3)"
            .to_owned(),
        vec![
            Value::Id(rows.job),
            Value::Id(s.id),
            Value::Time(rows.queued_at),
        ],
    ));
    if let Some(audit) = &rows.audit {
        statements.push(super::open_audit(audit.entry));
        if !audit.changes.is_empty() {
            statements.push(super::insert_audit_changes(
                audit.entry.id,
                audit.first_seq,
                audit.changes,
                d,
            ));
        }
    }
    if d.writable_cte {
        vec![one_statement(statements)]
    } else {
        vec![one_script(statements)]
    }
}

/// Statements as one script (SQLite runs each statement of a query string in turn, every
/// one binding the `$n` it names from the same values), placeholders renumbered in
/// sequence.
fn one_script(statements: Vec<(String, Vec<Value>)>) -> (String, Vec<Value>) {
    let mut parts = vec![];
    let mut values = vec![];
    for (statement, params) in statements {
        parts.push(renumber(&statement, values.len()));
        values.extend(params);
    }
    (parts.join(";\n"), values)
}

/// Data-modifying statements as one: every one but the last becomes a `WITH` part (they
/// all run; foreign keys are checked at the end of the statement), placeholders renumbered
/// in sequence.
fn one_statement(statements: Vec<(String, Vec<Value>)>) -> (String, Vec<Value>) {
    let count = statements.len();
    let mut sql = String::new();
    let mut values = vec![];
    for (i, (statement, params)) in statements.into_iter().enumerate() {
        let text = renumber(&statement, values.len());
        if i + 1 < count {
            sql.push_str(if i == 0 { "WITH " } else { ", " });
            sql.push_str(&format!("w{i} AS ({text})"));
        } else {
            if i > 0 {
                sql.push(' ');
            }
            sql.push_str(&text);
        }
        values.extend(params);
    }
    (sql, values)
}

/// `statement` with every placeholder `$n` turned into `$(n + offset)` (the statements
/// built here hold no `$` in their literals).
fn renumber(statement: &str, offset: usize) -> String {
    let mut out = String::with_capacity(statement.len() + 16);
    let mut chars = statement.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c != '$' {
            continue;
        }
        let mut digits = String::new();
        while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
            digits.push(d);
            chars.next();
        }
        match digits.parse::<usize>() {
            Ok(n) => out.push_str(&(n + offset).to_string()),
            Err(_) => out.push_str(&digits),
        }
    }
    out
}

/// Which names are taken, for a new subscription: rows `('d', name)` when the ASCII name
/// `$1` is registered, `('u', system_user)` for each of the `users` system users from `$2`
/// that a subscription has.
pub fn taken_names(users: usize) -> String {
    let mut sql = "SELECT 'd', name FROM domains WHERE name = $1".to_owned();
    if users > 0 {
        sql.push_str(&format!(
            " UNION ALL SELECT 'u', system_user FROM subscriptions WHERE system_user IN ({})",
            placeholders(2, users)
        ));
    }
    sql
}

/// How many columns [`creation_context_by_login`] puts before the context's own: those of
/// [`account_by_login_joined`](super::account_by_login_joined) (the account, then its
/// suspension's `account_id, reason, by_login, at`).
pub const SUBSCRIBER_COLUMNS: usize = 26;

/// The subscriber's read and the creation context in one statement
/// (`SubscriptionTx::subscriber_and_creation_context`): $1 the new main domain's ASCII
/// name, `$2..` the `users` system users asked, then the subscriber's login.
///
/// Columns 1–26 are [`account_by_login_joined`](super::account_by_login_joined)'s (rows
/// tagged `a` in column 27: one per suspension reason, in their order, or one with `NULL`
/// suspension columns), columns 27–38 are the context's (`NULL` before them; see
/// [`context_parts`]).
/// The provider whose pool and profile are read is derived from the login as
/// `berth_core::hosting::provider_of` does (a customer's owner, otherwise the account
/// itself), and only when it is a reseller. Rows are ordered by the suspension's time and
/// reason (the context's rows, with `NULL` there, are put in their lists' order by the
/// caller).
pub fn creation_context_by_login(users: usize) -> String {
    const ID: &str = "CAST(NULL AS UUID)";
    const TEXT: &str = "CAST(NULL AS TEXT)";
    const INT: &str = "CAST(NULL AS BIGINT)";
    const TIME: &str = "CAST(NULL AS TIMESTAMPTZ)";
    let login = format!("${}", users + 2);
    // Two look-ups by key (the subscriber by login, its provider by id): a join here let
    // PostgreSQL walk every reseller by kind to find the one.
    let provider = format!(
        "(SELECT p.id FROM accounts p WHERE p.kind = 'reseller' AND p.id = \
         (SELECT COALESCE(CASE WHEN x.kind = 'customer' THEN x.owner_id END, x.id) \
         FROM accounts x WHERE x.login = {login}))"
    );
    let subscriber = format!(
        "SELECT {ACCOUNT_COLUMNS}, s.account_id, s.reason, b.login, s.at, 'a', {ID}, {TEXT}, \
         {TEXT}, {TEXT}, {TEXT}, {TEXT}, {INT}, {INT}, {TIME}, {INT}, {TEXT} FROM {ACCOUNT_FROM} \
         LEFT JOIN account_suspensions s ON s.account_id = a.id \
         LEFT JOIN accounts b ON b.id = s.by_account_id WHERE a.login = {login}"
    );
    let pad = format!("{}, ", vec!["NULL"; SUBSCRIBER_COLUMNS].join(", "));
    let mut parts = vec![subscriber];
    parts.extend(context_parts(users, Some(&provider), &pad));
    format!("{} ORDER BY 26, 24", parts.join(" UNION ALL "))
}

/// The context's parts of [`creation_context_by_login`], each starting with `pad`: a
/// `UNION ALL` of tagged rows in one column layout, each part filling its columns and
/// leaving the others `NULL` (typed, so that both engines type the union alike). `$1` is
/// the new main domain's ASCII name, `$2..` the `users` system users asked; the provider's
/// parts when `provider` (an SQL expression for its id) is given.
///
/// Columns: 1 tag, 2 id, 3–7 text, 8–9 integers, 10 a time, 11 an integer and 12 a text
/// sort key. Tags: `p` an IP of the provider's pool (id, address, kind, interface;
/// created_at; family and sort key), `r` its profile (plan id; plan name, props, custom,
/// sync state, conflicts), `t` a DNS template line (host, rtype, value; priority, ttl;
/// position), `d` the domain registered, `u` a system user taken (name in column 3).
fn context_parts(users: usize, provider: Option<&str>, pad: &str) -> Vec<String> {
    const ID: &str = "CAST(NULL AS UUID)";
    const TEXT: &str = "CAST(NULL AS TEXT)";
    const INT: &str = "CAST(NULL AS BIGINT)";
    const TIME: &str = "CAST(NULL AS TIMESTAMPTZ)";
    let mut parts = vec![];
    if let Some(p) = provider {
        parts.push(format!(
            "SELECT {pad}'p', id, CAST(address AS TEXT), CAST(kind AS TEXT), CAST(interface AS TEXT), \
             {TEXT}, {TEXT}, {INT}, {INT}, created_at, CAST(family AS BIGINT), CAST(sort_key AS TEXT) \
             FROM ip_addresses WHERE id IN (SELECT ip_id FROM reseller_ips WHERE reseller_id = {p})"
        ));
        parts.push(format!(
            "SELECT {pad}'r', r.plan_id, CAST(p.name AS TEXT), CAST(r.props AS TEXT), \
             CAST(r.custom AS TEXT), CAST(r.sync_state AS TEXT), CAST(r.conflicts AS TEXT), \
             {INT}, {INT}, {TIME}, {INT}, {TEXT} \
             FROM reseller_profiles r LEFT JOIN plans p ON p.id = r.plan_id WHERE r.account_id = {p}"
        ));
    }
    parts.push(format!(
        "SELECT {pad}'t', {ID}, CAST(host AS TEXT), CAST(rtype AS TEXT), CAST(value AS TEXT), {TEXT}, \
         {TEXT}, CAST(priority AS BIGINT), CAST(ttl AS BIGINT), {TIME}, CAST(position AS BIGINT), \
         {TEXT} FROM dns_template"
    ));
    parts.push(format!(
        "SELECT {pad}'d', {ID}, CAST(name AS TEXT), {TEXT}, {TEXT}, {TEXT}, {TEXT}, {INT}, {INT}, \
         {TIME}, {INT}, {TEXT} FROM domains WHERE name = $1"
    ));
    if users > 0 {
        parts.push(format!(
            "SELECT {pad}'u', {ID}, CAST(system_user AS TEXT), {TEXT}, {TEXT}, {TEXT}, {TEXT}, {INT}, \
             {INT}, {TIME}, {INT}, {TEXT} FROM subscriptions WHERE system_user IN ({})",
            placeholders(2, users)
        ));
    }
    parts
}

/// Placeholders helper re-exported for the stores.
pub fn placeholder_list(from: usize, count: usize) -> String {
    placeholders(from, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r3_2_writes_of_a_new_subscription_join_into_one_statement_with_renumbered_placeholders() {
        let (sql, values) = one_statement(vec![
            (
                "INSERT INTO a (x, y) VALUES ($1, $2)".to_owned(),
                vec![Value::Int(1), Value::Int(2)],
            ),
            (
                "INSERT INTO b (x) VALUES ($1), ($1)".to_owned(),
                vec![Value::Int(3)],
            ),
            (
                "INSERT INTO c (x, y, z) VALUES ($1, 'p', $2)".to_owned(),
                vec![Value::Int(4), Value::Int(5)],
            ),
        ]);
        assert_eq!(
            sql,
            "WITH w0 AS (INSERT INTO a (x, y) VALUES ($1, $2)), \
             w1 AS (INSERT INTO b (x) VALUES ($3), ($3)) \
             INSERT INTO c (x, y, z) VALUES ($4, 'p', $5)"
        );
        assert_eq!(values.len(), 5);
        assert_eq!(renumber("$10 and $9$1", 2), "$12 and $11$3");
        let (script, values) = one_script(vec![
            (
                "INSERT INTO a VALUES ($1, $2)".to_owned(),
                vec![Value::Int(1), Value::Int(2)],
            ),
            ("INSERT INTO b VALUES ($1)".to_owned(), vec![Value::Int(3)]),
        ]);
        assert_eq!(
            script,
            "INSERT INTO a VALUES ($1, $2);\nINSERT INTO b VALUES ($3)"
        );
        assert_eq!(values.len(), 3);
        assert_eq!(
            one_statement(vec![("SELECT $1".to_owned(), vec![Value::Int(1)])]).0,
            "SELECT $1"
        );
    }

    #[test]
    fn r3_2_the_creation_read_numbers_the_login_after_the_system_users() {
        let sql = creation_context_by_login(2);
        assert_eq!(sql.matches(" UNION ALL ").count(), 5);
        assert!(sql.contains("WHERE name = $1"));
        assert!(sql.contains("system_user IN ($2, $3)"));
        assert!(sql.contains("x.login = $4"));
        assert!(sql.contains("a.login = $4"));
        let sql = creation_context_by_login(0);
        assert_eq!(sql.matches(" UNION ALL ").count(), 4);
        assert!(!sql.contains("system_user IN") && sql.contains("a.login = $2"));
    }

    #[test]
    fn r3_2_taken_names_asks_the_domain_and_each_system_user() {
        assert_eq!(
            taken_names(0),
            "SELECT 'd', name FROM domains WHERE name = $1"
        );
        assert!(taken_names(2).ends_with("WHERE system_user IN ($2, $3)"));
    }
}
