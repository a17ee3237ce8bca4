//! `site` (additional domains), `site-alias`, `subdomain` and `dns` records, through the
//! domain and DNS use cases. A webspace's main domain is also a site, with the webspace's
//! number.

use berth_app::Mode;
use berth_app::NoProgress;
use berth_app::dns::RecordInput;
use berth_app::domains::{AliasChange, DomainView, NewAlias, NewSite, NewSubdomain};
use berth_app::legacy_ids::{LegacyRef, parse_legacy_id};
use berth_core::property::Group;
use berth_core::{Error, Result};

use super::Ctx;
use super::accounts::bulk_ok;
use super::filter::{self, Wanted};
use super::names;
use super::packet::Node;
use super::reply::{self, El};

/// `site` operations.
pub const SITE_OPERATIONS: &[&str] = &["add", "get", "set", "del"];
/// `site-alias` operations.
pub const ALIAS_OPERATIONS: &[&str] = &["create", "get", "set", "delete"];
/// `subdomain` operations.
pub const SUBDOMAIN_OPERATIONS: &[&str] = &["add", "get", "set", "del", "rename"];
/// `dns` operations.
pub const DNS_OPERATIONS: &[&str] = &["add_rec", "get_rec", "del_rec", "get", "set"];

const SITE_FILTERS: &[&str] = &[
    "id",
    "name",
    "guid",
    "parent-id",
    "parent-name",
    "parent-guid",
    "parent-site-id",
    "parent-site-name",
    "parent-site-guid",
];
const ALIAS_FILTERS: &[&str] = &["id", "name", "site-id"];
const SUBDOMAIN_FILTERS: &[&str] = &["id", "name", "parent-name"];
const DNS_FILTERS: &[&str] = &["id", "site-id", "site-alias-id"];

/// What kind of name an operator works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Site,
    Alias,
    Subdomain,
}

/// Runs one `site`, `site-alias`, `subdomain` or `dns` operation.
pub(crate) async fn run(ctx: &Ctx, operator: &str, op: &Node) -> El {
    let results = match (operator, op.name.as_str()) {
        ("dns", "get_rec") if op.has("template") => template_records(ctx).await,
        ("dns", "del_rec") if op.has("template") => del_template_records(ctx, op).await,
        ("dns", "add_rec") if op.has("template") => vec![
            add_template_record(ctx, op)
                .await
                .unwrap_or_else(|e| reply::error(&e)),
        ],
        ("dns", "get_rec") => get_records(ctx, op).await,
        ("dns", "del_rec") => del_records(ctx, op).await,
        ("dns", "get" | "set") => zone_types(ctx, op).await,
        ("dns", _) => vec![
            add_record(ctx, op)
                .await
                .unwrap_or_else(|e| reply::error(&e)),
        ],
        (_, "add" | "create") => vec![
            create(ctx, operator, op)
                .await
                .unwrap_or_else(|e| reply::error(&e)),
        ],
        ("site", _) => filtered(ctx, Kind::Site, SITE_FILTERS, op).await,
        ("site-alias", _) => filtered(ctx, Kind::Alias, ALIAS_FILTERS, op).await,
        _ => filtered(ctx, Kind::Subdomain, SUBDOMAIN_FILTERS, op).await,
    };
    filter::wrap(op, results)
}

fn text(node: &Node, name: &str) -> Option<String> {
    node.text_of(name)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// A flag as Plesk clients send it: `true`/`false` or `1`/`0`.
fn flag(field: &str, raw: &str) -> Result<bool> {
    match raw.trim() {
        "1" => Ok(true),
        "0" => Ok(false),
        other => names::boolean(field, other),
    }
}

/// The domain name a numeric id names, if it names a website (main or additional domain).
async fn site_name(ctx: &Ctx, field: &str, raw: &str) -> Result<String> {
    let id = parse_legacy_id(field, raw)?;
    match ctx.app.legacy_ref(field, id).await? {
        LegacyRef::Subscription(name) => Ok(name),
        LegacyRef::Domain { name, kind } if kind == "site" => Ok(name),
        _ => Err(Error::not_found(field, format!("no site with id {id}"))),
    }
}

/// The domain name a guid names, if it names a website.
async fn site_name_of_guid(ctx: &Ctx, field: &str, raw: &str) -> Result<String> {
    match ctx.app.legacy_ref_of_guid(field, raw).await? {
        LegacyRef::Subscription(name) => Ok(name),
        LegacyRef::Domain { name, kind } if kind == "site" => Ok(name),
        _ => Err(Error::not_found(field, format!("no site with guid {raw}"))),
    }
}

/// `hosting{vrt_hst{property{www_root}}}` of a site or `property{www_root}` of a
/// subdomain: the document root.
fn www_root(node: &Node) -> Option<String> {
    let props = node
        .child("hosting")
        .and_then(|h| h.child("vrt_hst"))
        .unwrap_or(node);
    props
        .all("property")
        .find(|p| p.text_of("name") == Some("www_root"))
        .and_then(|p| text(p, "value"))
}

async fn create(ctx: &Ctx, operator: &str, op: &Node) -> Result<El> {
    let app = &ctx.app;
    let outcome = match operator {
        "site" => {
            let info = op
                .child("gen_setup")
                .ok_or_else(|| Error::invalid("gen_setup", "<add> needs <gen_setup>"))?;
            let subscription = match (text(info, "webspace-name"), text(info, "webspace-id")) {
                (Some(n), _) => n,
                (None, Some(id)) => site_name(ctx, "webspace-id", &id).await?,
                (None, None) => {
                    return Err(Error::invalid(
                        "webspace-id",
                        "name the webspace with <webspace-id> or <webspace-name>",
                    ));
                }
            };
            let input = NewSite {
                domain: text(info, "name").unwrap_or_default(),
                subscription,
                document_root: www_root(op),
            };
            app.create_site(&ctx.actor, input, Mode::Apply).await?
        }
        "site-alias" => {
            let domain =
                site_name(ctx, "site-id", &text(op, "site-id").unwrap_or_default()).await?;
            let pref = op.child("pref");
            let pref_flag = |name: &str| -> Result<Option<bool>> {
                pref.and_then(|p| text(p, name))
                    .map(|v| flag(name, &v))
                    .transpose()
            };
            let web = match (pref_flag("web")?, pref_flag("seo-redirect")?) {
                (Some(false), _) => Some("off".to_owned()),
                (_, Some(false)) => Some("same".to_owned()),
                (Some(true), _) | (_, Some(true)) => Some("redirect".to_owned()),
                (None, None) => None,
            };
            let input = NewAlias {
                alias: text(op, "name").unwrap_or_default(),
                domain,
                web,
                mail: pref_flag("mail")?,
                dns_sync: text(op, "manage-dns")
                    .map(|v| flag("manage-dns", &v))
                    .transpose()?,
            };
            app.create_alias(&ctx.actor, input, Mode::Apply).await?
        }
        _ => {
            let input = NewSubdomain {
                name: text(op, "name").unwrap_or_default(),
                domain: text(op, "parent").unwrap_or_default(),
                document_root: www_root(op),
            };
            app.create_subdomain(&ctx.actor, input, Mode::Apply).await?
        }
    };
    let id = outcome.domain.id;
    let ids = names::ids_of(app, &[id]).await?;
    Ok(reply::ok()
        .with_opt("id", ids.get(&id))
        .with_text("guid", id))
}

async fn list(ctx: &Ctx, kind: Kind, parent: Option<&str>) -> Result<Vec<DomainView>> {
    match kind {
        Kind::Site => ctx.app.list_sites(&ctx.actor, parent).await,
        Kind::Alias => ctx.app.list_aliases(&ctx.actor, parent).await,
        Kind::Subdomain => ctx.app.list_subdomains(&ctx.actor, parent).await,
    }
}

fn named(views: Vec<DomainView>, name: &str) -> Vec<DomainView> {
    let wanted = name.trim().trim_end_matches('.').to_lowercase();
    views
        .into_iter()
        .filter(|v| v.ascii_name == wanted || v.name.to_lowercase() == wanted)
        .collect()
}

async fn find(ctx: &Ctx, kind: Kind, wanted: Option<Wanted>) -> Result<Vec<(DomainView, i64)>> {
    let app = &ctx.app;
    let views = match wanted {
        None => list(ctx, kind, None).await?,
        Some(w) => match w.key.as_str() {
            "id" => {
                let id = parse_legacy_id("id", &w.value)?;
                let name = app.legacy_ref("id", id).await?.name().to_owned();
                named(list(ctx, kind, None).await?, &name)
            }
            "guid" => {
                let name = app
                    .legacy_ref_of_guid("guid", &w.value)
                    .await?
                    .name()
                    .to_owned();
                named(list(ctx, kind, None).await?, &name)
            }
            "name" => named(list(ctx, kind, None).await?, &w.value),
            "parent-id" => {
                let parent = site_name(ctx, "parent-id", &w.value).await?;
                site_children(list(ctx, kind, Some(&parent)).await?)
            }
            "parent-guid" => {
                let parent = site_name_of_guid(ctx, "parent-guid", &w.value).await?;
                site_children(list(ctx, kind, Some(&parent)).await?)
            }
            // Plesk's sites under another site are Berth's subdomains, answered by the
            // `subdomain` operator: no Berth site has a parent site (a relational filter,
            // so no match is simply no result).
            "parent-site-id" | "parent-site-name" | "parent-site-guid" => vec![],
            "site-id" => {
                let parent = site_name(ctx, "site-id", &w.value).await?;
                list(ctx, kind, Some(&parent)).await?
            }
            _ => {
                let parent = w.value.clone();
                list(ctx, kind, Some(&parent)).await?
            }
        },
    };
    let uuids: Vec<uuid::Uuid> = views.iter().map(|v| v.id).collect();
    let ids = names::ids_of(app, &uuids).await?;
    Ok(views
        .into_iter()
        .map(|v| {
            let id = ids.get(&v.id).copied().unwrap_or_default();
            (v, id)
        })
        .collect())
}

/// Sites of a webspace other than its main domain (Plesk's `parent-id` children).
fn site_children(views: Vec<DomainView>) -> Vec<DomainView> {
    views.into_iter().filter(|v| v.kind != "main").collect()
}

fn site_data(v: &DomainView, webspace_id: Option<i64>) -> El {
    let info = El::new("gen_info")
        .with_text("cr_date", names::date(&v.created))
        .with_text("name", &v.name)
        .with_text("ascii-name", &v.ascii_name)
        .with_text("htype", "vrt_hst")
        .with_text("guid", v.id)
        .with_opt("webspace-id", webspace_id)
        .with_text("webspace-name", &v.subscription.name);
    let hosting = El::new("hosting").with(
        El::new("vrt_hst").with(
            El::new("property")
                .with_text("name", "www_root")
                .with_text("value", v.document_root.clone().unwrap_or_default()),
        ),
    );
    El::new("data").with(info).with(hosting)
}

fn alias_info(v: &DomainView, site_id: Option<i64>) -> El {
    let web = v.web.unwrap_or("redirect");
    El::new("info")
        .with(
            El::new("pref")
                .with_text("web", web != "off")
                .with_text("mail", v.mail.unwrap_or(false))
                .with_text("tomcat", false)
                .with_text("seo-redirect", web == "redirect"),
        )
        .with_opt("site-id", site_id)
        .with_text("name", &v.name)
        .with_text("ascii-name", &v.ascii_name)
        .with_text("manage-dns", v.dns_sync.unwrap_or(false))
}

fn subdomain_data(v: &DomainView) -> El {
    let parent = v
        .domain
        .as_ref()
        .map(|d| d.name.clone())
        .unwrap_or_default();
    let short = v
        .ascii_name
        .strip_suffix(&format!(
            ".{}",
            v.domain
                .as_ref()
                .map(|d| d.ascii_name.as_str())
                .unwrap_or("")
        ))
        .unwrap_or(&v.ascii_name)
        .to_owned();
    El::new("data")
        .with_text("parent", parent)
        .with_text("name", short)
        .with(
            El::new("property")
                .with_text("name", "www_root")
                .with_text("value", v.document_root.clone().unwrap_or_default()),
        )
}

/// The numbers of the parents (webspace of a site, domain of an alias) of these names.
async fn parent_ids(
    ctx: &Ctx,
    kind: Kind,
    found: &[(DomainView, i64)],
) -> std::collections::HashMap<String, i64> {
    let parents: Vec<String> = found
        .iter()
        .map(|(v, _)| match kind {
            Kind::Site => v.subscription.ascii_name.clone(),
            _ => v
                .domain
                .as_ref()
                .map(|d| d.ascii_name.clone())
                .unwrap_or_default(),
        })
        .collect();
    let mut out = std::collections::HashMap::new();
    if parents.is_empty() {
        return out;
    }
    if let Ok(sites) = ctx.app.list_sites(&ctx.actor, None).await {
        let wanted: Vec<&DomainView> = sites
            .iter()
            .filter(|s| parents.contains(&s.ascii_name))
            .collect();
        let uuids: Vec<uuid::Uuid> = wanted.iter().map(|s| s.id).collect();
        if let Ok(ids) = names::ids_of(&ctx.app, &uuids).await {
            for s in wanted {
                if let Some(id) = ids.get(&s.id) {
                    out.insert(s.ascii_name.clone(), *id);
                }
            }
        }
    }
    out
}

async fn filtered(ctx: &Ctx, kind: Kind, filters: &[&str], op: &Node) -> Vec<El> {
    let filter = match filter::parse(op, filters) {
        Ok(f) => f,
        Err(e) => return vec![e],
    };
    let op_name = op.name.as_str();
    filter::each(
        &filter,
        |w| async move {
            let found = find(ctx, kind, w).await?;
            let parents = if op_name == "get" && kind != Kind::Subdomain {
                parent_ids(ctx, kind, &found).await
            } else {
                Default::default()
            };
            Ok(found.into_iter().map(|f| (f, parents.clone())).collect())
        },
        |((v, id), parents): ((DomainView, i64), std::collections::HashMap<String, i64>)| async move {
            let result = match op_name {
                "get" => {
                    let body = match kind {
                        Kind::Site => site_data(&v, parents.get(&v.subscription.ascii_name).copied()),
                        Kind::Alias => alias_info(
                            &v,
                            v.domain.as_ref().and_then(|d| parents.get(&d.ascii_name).copied()),
                        ),
                        Kind::Subdomain => subdomain_data(&v),
                    };
                    return Ok(reply::ok().with_text("id", id).with(body));
                }
                "set" if kind == Kind::Alias => set_alias(ctx, op, &v).await,
                "set" => set_root(ctx, kind, op, &v).await,
                "rename" => rename(ctx, op, &v).await,
                _ => remove(ctx, kind, &v).await,
            };
            match result {
                Ok(()) => Ok(reply::ok().with_text("id", id)),
                Err(e) => Err(reply::error(&e).with_text("id", id)),
            }
        },
    )
    .await
}

async fn remove(ctx: &Ctx, kind: Kind, v: &DomainView) -> Result<()> {
    let names = [v.ascii_name.clone()];
    let app = &ctx.app;
    let report = match kind {
        Kind::Site if v.kind == "main" => {
            return Err(Error::invalid(
                "id",
                "a webspace's main domain goes with its webspace: remove the webspace",
            ));
        }
        Kind::Site => {
            app.remove_sites(&ctx.actor, &names, Mode::Apply, &NoProgress)
                .await
        }
        Kind::Alias => {
            app.remove_aliases(&ctx.actor, &names, Mode::Apply, &NoProgress)
                .await
        }
        Kind::Subdomain => {
            app.remove_subdomains(&ctx.actor, &names, Mode::Apply, &NoProgress)
                .await
        }
    };
    bulk_ok(report).map(drop)
}

/// `site-alias set`: `settings{pref{web, mail, seo-redirect}, manage-dns}`.
async fn set_alias(ctx: &Ctx, op: &Node, v: &DomainView) -> Result<()> {
    let settings = op
        .child("settings")
        .ok_or_else(|| Error::invalid("settings", "<set> needs <settings>"))?;
    let pref = settings.child("pref");
    let pref_flag = |name: &str| -> Result<Option<bool>> {
        pref.and_then(|p| text(p, name))
            .map(|v| flag(name, &v))
            .transpose()
    };
    let web = match (pref_flag("web")?, pref_flag("seo-redirect")?) {
        (Some(false), _) => Some("off".to_owned()),
        (_, Some(false)) => Some("same".to_owned()),
        (Some(true), _) | (_, Some(true)) => Some("redirect".to_owned()),
        (None, None) => None,
    };
    let change = AliasChange {
        web,
        mail: pref_flag("mail")?,
        dns_sync: text(settings, "manage-dns")
            .map(|x| flag("manage-dns", &x))
            .transpose()?,
    };
    ctx.app
        .update_alias(&ctx.actor, &v.ascii_name, change, Mode::Apply)
        .await
        .map(drop)
}

/// The zone (domain name) a `site-id` or `site-alias-id` names.
async fn zone_of(ctx: &Ctx, key: &str, raw: &str) -> Result<String> {
    let id = parse_legacy_id(key, raw)?;
    match ctx.app.legacy_ref(key, id).await? {
        LegacyRef::Subscription(name) => Ok(name),
        LegacyRef::Domain { name, kind } if kind == "site" || kind == "alias" => Ok(name),
        _ => Err(Error::not_found(key, format!("no zone with {key} {id}"))),
    }
}

/// The host relative to its zone (`@` for the apex), as the DNS use cases take it.
fn relative(host: &str, zone: &str) -> String {
    let host = host.trim().trim_end_matches('.');
    if host.is_empty() || host.eq_ignore_ascii_case(zone) {
        "@".to_owned()
    } else {
        host.strip_suffix(&format!(".{zone}"))
            .unwrap_or(host)
            .to_owned()
    }
}

async fn add_record(ctx: &Ctx, op: &Node) -> Result<El> {
    let (key, raw) = match (text(op, "site-id"), text(op, "site-alias-id")) {
        (Some(id), _) => ("site-id", id),
        (None, Some(id)) => ("site-alias-id", id),
        (None, None) => return Err(Error::invalid("site-id", "name the zone with <site-id>")),
    };
    let zone = zone_of(ctx, key, &raw).await?;
    let rtype = text(op, "type").unwrap_or_default().to_uppercase();
    let opt = text(op, "opt");
    let priority = match (rtype.as_str(), &opt) {
        ("MX" | "SRV", Some(o)) => Some(o.parse::<i64>().map_err(|_| {
            Error::invalid("opt", format!("opt must be a priority number, not {o:?}"))
        })?),
        _ => None,
    };
    let input = RecordInput {
        rtype,
        host: relative(&text(op, "host").unwrap_or_default(), &zone),
        value: text(op, "value").unwrap_or_default(),
        priority,
        ttl: None,
    };
    let change = ctx
        .app
        .add_dns_record(&ctx.actor, &zone, input, Mode::Apply)
        .await?;
    let (_, records) = ctx.app.numbered_zone(&ctx.actor, &zone).await?;
    let id = records
        .iter()
        .find(|(r, _)| {
            r.ascii_name == change.record.ascii_name
                && r.rtype == change.record.rtype
                && r.value == change.record.value
        })
        .and_then(|(_, id)| *id);
    Ok(reply::ok().with_opt("id", id))
}

fn record_data(r: &berth_app::dns::RecordView, site_id: &str) -> El {
    El::new("data")
        .with_text("site-id", site_id)
        .with_text("type", r.rtype)
        .with_text("host", format!("{}.", r.ascii_name))
        .with_text("value", &r.value)
        .with_text("opt", r.priority.map(|p| p.to_string()).unwrap_or_default())
}

async fn get_records(ctx: &Ctx, op: &Node) -> Vec<El> {
    let filter = match filter::parse(op, DNS_FILTERS) {
        Ok(f) => f,
        Err(e) => return vec![e],
    };
    filter::each(
        &filter,
        |w| async move {
            let w = w.ok_or_else(|| {
                Error::invalid("filter", "name a zone with <site-id> or records with <id>")
            })?;
            let (zone, only) = match w.key.as_str() {
                "id" => {
                    let id = parse_legacy_id("id", &w.value)?;
                    (ctx.app.record_of_id("id", id).await?.zone, Some(id))
                }
                key => (zone_of(ctx, key, &w.value).await?, None),
            };
            let (_, records) = ctx.app.numbered_zone(&ctx.actor, &zone).await?;
            let site = if w.key == "id" {
                String::new()
            } else {
                w.value.clone()
            };
            Ok(records
                .into_iter()
                .filter(|(_, id)| only.is_none() || *id == only)
                .map(|r| (r, site.clone()))
                .collect())
        },
        |((r, id), site): ((berth_app::dns::RecordView, Option<i64>), String)| async move {
            Ok(reply::ok().with_opt("id", id).with(record_data(&r, &site)))
        },
    )
    .await
}

async fn del_records(ctx: &Ctx, op: &Node) -> Vec<El> {
    let filter = match filter::parse(op, &["id"]) {
        Ok(f) => f,
        Err(e) => return vec![e],
    };
    filter::each(
        &filter,
        |w| async move {
            let w = w.ok_or_else(|| Error::invalid("filter", "name the records with <id>"))?;
            let id = parse_legacy_id("id", &w.value)?;
            Ok(vec![ctx.app.record_of_id("id", id).await?])
        },
        |r: berth_app::legacy_ids::LegacyRecord| async move {
            let input = RecordInput {
                rtype: r.rtype.clone(),
                host: relative(&r.host, &r.zone),
                value: r.value.clone(),
                priority: (r.priority >= 0).then_some(r.priority),
                ttl: None,
            };
            match ctx
                .app
                .remove_dns_record(&ctx.actor, &r.zone, input, Mode::Apply)
                .await
            {
                Ok(_) => Ok(reply::ok().with_text("id", r.id)),
                Err(e) => Err(reply::error(&e).with_text("id", r.id)),
            }
        },
    )
    .await
}

/// `site set` (`values{hosting{vrt_hst{property www_root}}}`) and `subdomain set`
/// (`property www_root`): the document root, the one setting of a site or subdomain.
async fn set_root(ctx: &Ctx, kind: Kind, op: &Node, v: &DomainView) -> Result<()> {
    let values = match kind {
        Kind::Site => op
            .child("values")
            .ok_or_else(|| Error::invalid("values", "<set> needs <values>"))?,
        _ => op,
    };
    for field in values
        .child("gen_setup")
        .map_or(&[][..], |g| &g.children[..])
    {
        let same_name = field.name == "name" && !named(vec![v.clone()], &field.text).is_empty();
        if !same_name {
            return Err(Error::invalid(
                &field.name,
                format!(
                    "<{}> cannot change here: a site keeps its name (add the new name and \
                     remove the old one) and is suspended with its webspace",
                    field.name
                ),
            ));
        }
    }
    let props = values
        .child("hosting")
        .and_then(|h| h.child("vrt_hst"))
        .unwrap_or(values);
    if let Some(other) = props
        .all("property")
        .filter_map(|p| p.text_of("name"))
        .find(|n| *n != "www_root")
    {
        return Err(Error::invalid(
            other,
            format!(
                "{other}: hosting settings belong to the webspace's plan (R3.5); a site or \
                 subdomain sets only www_root here"
            ),
        ));
    }
    let root = www_root(values).ok_or_else(|| {
        Error::invalid(
            "www_root",
            "nothing to change: give the www_root property (the document root)",
        )
    })?;
    ctx.app
        .set_document_root(&ctx.actor, &v.ascii_name, &root, Mode::Apply)
        .await
        .map(drop)
}

/// `subdomain rename`: `<name>` is the new name, the part before the domain (or the
/// full name).
async fn rename(ctx: &Ctx, op: &Node, v: &DomainView) -> Result<()> {
    let new_name =
        text(op, "name").ok_or_else(|| Error::invalid("name", "<rename> needs the new <name>"))?;
    ctx.app
        .rename_subdomain(&ctx.actor, &v.ascii_name, &new_name, Mode::Apply)
        .await
        .map(drop)
}

/// A `<template/>` record's host as a template host: empty for the domain itself,
/// relative (`webmail`), or absolute with the `<domain>` placeholder.
fn template_host(raw: &str) -> String {
    let host = raw.trim().trim_end_matches('.');
    if host.is_empty() || host == "<domain>" {
        "<domain>.".to_owned()
    } else if host.contains("<domain>") {
        format!("{host}.")
    } else {
        format!("{host}.<domain>.")
    }
}

/// `add_rec` with `<template/>`: a line added to the server's DNS template (admin only;
/// zones change when the template is applied). Its id is its position in the template.
async fn add_template_record(ctx: &Ctx, op: &Node) -> Result<El> {
    let rtype = text(op, "type")
        .ok_or_else(|| Error::invalid("type", "<add_rec> needs a <type>"))?
        .to_uppercase();
    let value =
        text(op, "value").ok_or_else(|| Error::invalid("value", "<add_rec> needs a <value>"))?;
    let host = template_host(&text(op, "host").unwrap_or_default());
    let line = match (rtype.as_str(), text(op, "opt")) {
        ("MX" | "SRV", Some(priority)) => format!("{host} {rtype} {priority} {value}"),
        _ => format!("{host} {rtype} {value}"),
    };
    let template = ctx
        .app
        .add_dns_template_record(&ctx.actor, &line, Mode::Apply)
        .await?;
    Ok(reply::ok().with_text("id", template.records.len()))
}

fn template_data(r: &berth_app::dns::TemplateLineView) -> El {
    El::new("data")
        .with_text("type", r.rtype)
        .with_text("host", &r.host)
        .with_text("value", &r.value)
        .with_text("opt", r.priority.map(|p| p.to_string()).unwrap_or_default())
}

/// `get_rec` with `<template/>`: every line of the server's DNS template, numbered by
/// position.
async fn template_records(ctx: &Ctx) -> Vec<El> {
    match ctx.app.dns_template(&ctx.actor).await {
        Ok(t) => t
            .records
            .iter()
            .enumerate()
            .map(|(i, r)| reply::ok().with_text("id", i + 1).with(template_data(r)))
            .collect(),
        Err(e) => vec![reply::error(&e)],
    }
}

/// `del_rec` with `<template/>` and `<filter><id>`: the lines at these positions (as
/// `get_rec` numbered them), each removed by its content, so that removing one does not
/// shift which line a later id names.
async fn del_template_records(ctx: &Ctx, op: &Node) -> Vec<El> {
    let filter = match filter::parse(op, &["id"]) {
        Ok(f) => f,
        Err(e) => return vec![e],
    };
    let template = match ctx.app.dns_template(&ctx.actor).await {
        Ok(t) => t,
        Err(e) => return vec![reply::error(&e)],
    };
    let template = &template;
    filter::each(
        &filter,
        |w| async move {
            let Some(w) = w else {
                return Err(Error::invalid(
                    "filter",
                    "name the template records with <id>",
                ));
            };
            let position = parse_legacy_id("id", &w.value)?;
            Ok(usize::try_from(position)
                .ok()
                .and_then(|p| p.checked_sub(1))
                .and_then(|i| template.records.get(i))
                .map(|r| (position, r.clone()))
                .into_iter()
                .collect())
        },
        |(position, r): (i64, berth_app::dns::TemplateLineView)| async move {
            let mut line = vec![r.host.clone()];
            if let Some(ttl) = r.ttl {
                line.push(ttl.to_string());
            }
            line.push(r.rtype.to_owned());
            if let Some(p) = r.priority {
                line.push(p.to_string());
            }
            line.push(r.value.clone());
            match ctx
                .app
                .remove_dns_template_record(&ctx.actor, &line.join(" "), Mode::Apply)
                .await
            {
                Ok(_) => Ok(reply::ok().with_text("id", position)),
                Err(e) => Err(reply::error(&e).with_text("id", position)),
            }
        },
    )
    .await
}

/// The subscription a zone (main domain, additional domain or alias) belongs to.
async fn subscription_of_zone(ctx: &Ctx, zone: &str) -> Result<String> {
    let mut names = ctx.app.list_sites(&ctx.actor, None).await?;
    names.extend(ctx.app.list_aliases(&ctx.actor, None).await?);
    named(names, zone)
        .into_iter()
        .next()
        .map(|d| d.subscription.ascii_name)
        .ok_or_else(|| Error::not_found("site-id", "no zone you can see"))
}

/// `dns get` (`<zone_type>`, `master` or `slave`) and `dns set` (`<zone_type>`) of the
/// zones a `site-id` or `site-alias-id` names. The zone type belongs to the subscription
/// (R2.4 DNS group): setting it customizes the subscription (Update & Lock, R3.5).
async fn zone_types(ctx: &Ctx, op: &Node) -> Vec<El> {
    let filter = match filter::parse(op, &["site-id", "site-alias-id"]) {
        Ok(f) => f,
        Err(e) => return vec![e],
    };
    let wanted = if op.name == "set" {
        match text(op, "zone_type") {
            Some(t) => Some(t),
            None => {
                return vec![reply::error(&Error::invalid(
                    "zone_type",
                    "<set> needs <zone_type>: master or slave",
                ))];
            }
        }
    } else {
        None
    };
    let wanted = &wanted;
    filter::each(
        &filter,
        |w| async move {
            let w = w.ok_or_else(|| {
                Error::invalid("filter", "name the zone with <site-id> or <site-alias-id>")
            })?;
            let zone = zone_of(ctx, &w.key, &w.value).await?;
            Ok(vec![(zone, w.value)])
        },
        |(zone, id): (String, String)| async move {
            let outcome = async {
                if let Some(t) = wanted {
                    let subscription = subscription_of_zone(ctx, &zone).await?;
                    let change = [(Group::Dns, format!("zone_type={t}"))];
                    ctx.app
                        .customize(&ctx.actor, &subscription, &change, Mode::Apply)
                        .await?;
                }
                ctx.app.dns_zone(&ctx.actor, &zone).await
            }
            .await;
            match outcome {
                Ok(z) => Ok(reply::ok()
                    .with_text("id", &id)
                    .with_text("zone_type", z.zone_type)),
                Err(e) => Err(reply::error(&e).with_text("id", &id)),
            }
        },
    )
    .await
}
