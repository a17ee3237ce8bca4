//! Shared translations between Berth's views and Plesk's elements: status codes, dates,
//! property lists, and reading typed values out of request elements.

use berth_app::Berth;
use berth_app::legacy_ids::LegacyRef;
use berth_app::plans::Assignment;
use berth_app::views::SuspensionView;
use berth_core::property::{self, Group};
use berth_core::status::{SuspensionReason, plesk_status};
use berth_core::{Error, Result};
use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use super::packet::Node;
use super::reply::El;

/// The Plesk status code of a set of reasons (SPEC R5.1: codes summed).
pub fn status_code(reasons: &[SuspensionView]) -> u32 {
    let suspensions: Vec<berth_core::status::Suspension> = reasons
        .iter()
        .filter_map(|r| {
            SuspensionReason::from_wire(r.reason).map(|reason| berth_core::status::Suspension {
                reason,
                by: None,
                at: r.at,
            })
        })
        .collect();
    plesk_status(&suspensions)
}

/// `YYYY-MM-DD`.
pub fn date(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// A JSON property value as Plesk text: numbers as they are, booleans `true`/`false`,
/// lists comma-separated.
pub fn json_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(json_text).collect::<Vec<_>>().join(","),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A group of properties (`{"disk_space": 1024, ...}`) as `<list><item><name/><value/>
/// </item>…</list>`, in the property table's order.
pub fn property_list(list: &str, item: &str, group: &Value) -> El {
    let mut out = El::new(list);
    if let Value::Object(members) = group {
        for d in property::PROPERTIES {
            if let Some(v) = members.get(d.name) {
                out.children.push(
                    El::new(item)
                        .with_text("name", d.name)
                        .with_text("value", json_text(v)),
                );
            }
        }
    }
    out
}

/// The assignments of `<list><item><name/><value/></item>…</list>` children named `item`
/// under `node`; each property's group comes from the property table (an unknown name is
/// given `fallback`, where the use case rejects it naming the known ones).
pub fn assignments(node: &Node, item: &str, fallback: Group) -> Result<Vec<Assignment>> {
    node.all(item)
        .map(|entry| {
            let name = entry
                .text_of("name")
                .ok_or_else(|| Error::invalid(item, format!("<{item}> needs a <name>")))?;
            let value = entry
                .text_of("value")
                .ok_or_else(|| Error::invalid(name, format!("<{item}> {name} needs a <value>")))?;
            let group = property::descriptor(name).map_or(fallback, |d| d.group);
            Ok((group, format!("{name}={value}")))
        })
        .collect()
}

/// Plesk's `performance` elements and the property each stands for.
pub const PERFORMANCE: &[(&str, &str)] = &[
    ("bandwidth", "max_bandwidth"),
    ("max_connections", "max_connections"),
];

/// Plesk's `prefs` elements and the property each stands for.
pub const PREFS: &[(&str, &str)] = &[("stat_ttl", "stats_retention")];

/// A service plan's `preferences` elements and the property each stands for.
pub const PLAN_PREFERENCES: &[(&str, &str)] = &[
    ("stat", "stats_retention"),
    ("maillists", "mailing_lists"),
    ("dns_zone_type", "zone_type"),
];

/// The assignments of a part whose elements are Plesk's fixed names (`bandwidth`,
/// `stat_ttl`) for properties of the table; another element is refused naming the known
/// ones.
pub fn mapped(part: &Node, table: &[(&str, &str)]) -> Result<Vec<Assignment>> {
    part.children
        .iter()
        .map(|c| {
            let property = table
                .iter()
                .find(|(element, _)| *element == c.name)
                .and_then(|(_, name)| property::descriptor(name))
                .ok_or_else(|| {
                    let known: Vec<&str> = table.iter().map(|(e, _)| *e).collect();
                    Error::invalid(
                        &c.name,
                        format!(
                            "<{}> is not settable in <{}>; use: {}",
                            c.name,
                            part.name,
                            known.join(", ")
                        ),
                    )
                })?;
            Ok((property.group, format!("{}={}", property.name, c.text)))
        })
        .collect()
}

/// A boolean as Plesk writes it (`true`/`false`).
pub fn boolean(field: &str, raw: &str) -> Result<bool> {
    match raw.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(Error::invalid(
            field,
            format!("{field} must be true or false, not {other:?}"),
        )),
    }
}

/// A status to set on an account: `0` active or `16` suspended (by the caller); `true` when
/// suspended. Other codes are set by the system, never by hand.
pub fn settable_status(raw: &str) -> Result<bool> {
    match raw.trim() {
        "0" => Ok(false),
        "16" => Ok(true),
        other => Err(Error::invalid(
            "status",
            format!("status {other:?} cannot be set: use 0 (active) or 16 (suspended)"),
        )),
    }
}

/// The login of the account a numeric id names (`field` names the input).
pub async fn login_of_id(app: &Berth, field: &str, raw: &str) -> Result<String> {
    let id = berth_app::legacy_ids::parse_legacy_id(field, raw)?;
    match app.legacy_ref(field, id).await? {
        LegacyRef::Account(login) => Ok(login),
        _ => Err(Error::not_found(field, format!("no account with id {id}"))),
    }
}

/// The login of the account a guid names.
pub async fn login_of_guid(app: &Berth, field: &str, raw: &str) -> Result<String> {
    match app.legacy_ref_of_guid(field, raw).await? {
        LegacyRef::Account(login) => Ok(login),
        _ => Err(Error::not_found(
            field,
            format!("no account with guid {raw}"),
        )),
    }
}

/// The numeric ids of objects, in one query; an object without one shows `0`.
pub async fn ids_of(app: &Berth, objects: &[Uuid]) -> Result<std::collections::HashMap<Uuid, i64>> {
    app.legacy_ids(objects).await
}
