//! The small operators clients ask for on connect: `server`, `ip`, `secret_key` (Berth's
//! API keys), `session`, `locale`, `event_log` (the audit log) and `php-handler`.

use berth_app::Mode;
use berth_app::audit::AuditListRequest;
use berth_app::subscriptions::SubscriptionListRequest;
use berth_core::account::AccountKind;
use berth_core::property::{self, Kind};
use berth_core::sync::LockScope;
use berth_core::{Error, Result};

use super::filter::{self, Wanted};
use super::packet::Node;
use super::reply::{self, El};
use super::{Ctx, PROTOCOLS, errors};
use super::{accounts, hosting};

/// `server` operations.
pub const SERVER_OPERATIONS: &[&str] = &["get", "get_protos"];
/// `server get` datasets.
const SERVER_DATASETS: &[&str] = &[
    "gen_info",
    "key",
    "stat",
    "services_state",
    "prefs",
    "admin",
    "interfaces",
];

/// `ip` operations.
pub const IP_OPERATIONS: &[&str] = &["get"];
/// `secret_key` operations.
pub const SECRET_KEY_OPERATIONS: &[&str] = &["create", "get_info", "delete"];
/// `session` operations.
pub const SESSION_OPERATIONS: &[&str] = &["get", "terminate"];
/// `locale` operations.
pub const LOCALE_OPERATIONS: &[&str] = &["get"];
/// `event_log` operations.
pub const EVENT_LOG_OPERATIONS: &[&str] = &["get", "get-last-id"];
/// `php-handler` operations.
pub const PHP_HANDLER_OPERATIONS: &[&str] = &["get", "usage"];

/// The one interface language Berth has.
const LOCALE: (&str, &str, &str) = ("en-US", "English", "United States");

/// Runs one operation of these operators.
pub(crate) async fn run(ctx: &Ctx, operator: &str, op: &Node) -> El {
    let results = match (operator, op.name.as_str()) {
        ("server", "get_protos") => vec![protos()],
        ("server", _) => vec![server(ctx, op).await.unwrap_or_else(|e| reply::error(&e))],
        ("ip", _) => vec![ips(ctx).await.unwrap_or_else(|e| reply::error(&e))],
        ("secret_key", "create") => vec![
            create_key(ctx, op)
                .await
                .unwrap_or_else(|e| reply::error(&e)),
        ],
        ("secret_key", _) => keys(ctx, op).await,
        // The panel's UI sessions exist (berth-app `sessions`), but the store cannot list
        // them yet: both operations say so rather than answer an empty list.
        ("session", _) => vec![reply::coded(
            errors::UNSUPPORTED,
            "panel sessions are not listed or ended through this API: log out in the panel; \
             API calls authenticate one by one",
        )],
        ("locale", _) => locales(op),
        ("event_log", _) => vec![events(ctx, op).await.unwrap_or_else(|e| reply::error(&e))],
        _ => php_handlers(ctx, op).await,
    };
    filter::wrap(op, results)
}

fn protos() -> El {
    reply::ok().with(El::new("protos").extend(PROTOCOLS.iter().map(|p| El::text("proto", p))))
}

async fn server(ctx: &Ctx, op: &Node) -> Result<El> {
    let mut result = reply::ok();
    let wanted: Vec<&str> = op.children.iter().map(|c| c.name.as_str()).collect();
    for set in if wanted.is_empty() {
        vec!["gen_info"]
    } else {
        wanted
    } {
        result.children.push(match set {
            "gen_info" => {
                let admin = ctx.app.actor(None).await?;
                let hostname = ctx.app.settings().hostname;
                El::new("gen_info")
                    .with_text(
                        "server_name",
                        if hostname.is_empty() {
                            "localhost.localdomain".to_owned()
                        } else {
                            hostname
                        },
                    )
                    .with_text("server_guid", admin.id.0)
                    .with_text("mode", "standard")
            }
            "stat" => server_stat(ctx).await?,
            "key" => El::new("key").extend(
                [
                    ("product", "Berth".to_owned()),
                    ("version", env!("CARGO_PKG_VERSION").to_owned()),
                    // Berth is open source: no licence limits any object count.
                    ("lim_cl", "-1".to_owned()),
                    ("lim_dom", "-1".to_owned()),
                ]
                .into_iter()
                .map(|(name, value)| {
                    El::new("property")
                        .with_text("name", name)
                        .with_text("value", value)
                }),
            ),
            "services_state" => services_state(ctx).await?,
            "prefs" => {
                let settings = ctx.app.settings();
                let ui = ctx.app.ui_preferences().await?;
                El::new("prefs")
                    .with_text("hard_quota", settings.hard_quota)
                    .with_text(
                        "lock_scope",
                        match settings.lock_scope {
                            LockScope::Subscription => "subscription",
                            LockScope::Field => "field",
                        },
                    )
                    .with_text("multiple_sessions", ui.multiple_sessions)
                    .with_text("button_label_length", ui.button_label_length)
            }
            "interfaces" => {
                let mut names: Vec<String> = ctx
                    .app
                    .list_ips(&ctx.actor)
                    .await?
                    .into_iter()
                    .filter_map(|ip| ip.interface)
                    .collect();
                names.sort();
                names.dedup();
                El::new("interfaces").extend(names.into_iter().map(|n| El::text("interface", n)))
            }
            "admin" => {
                let a = ctx
                    .app
                    .account_info(&ctx.actor, AccountKind::Admin, "admin")
                    .await?;
                El::new("admin")
                    .with_text("admin_cname", a.company.unwrap_or_default())
                    .with_text("admin_pname", a.name)
                    .with_text("admin_email", a.email)
                    .with_text("admin_phone", a.phone.unwrap_or_default())
                    .with_text("admin_country", a.country.unwrap_or_default())
                    .with_text("admin_locale", a.locale)
            }
            other => {
                return Err(Error::invalid(
                    other,
                    format!(
                        "server/get answers {}, not {other}",
                        SERVER_DATASETS.join(", ")
                    ),
                ));
            }
        });
    }
    Ok(result)
}

/// `stat`: the version, and the objects the caller sees (customers, resellers,
/// webspaces, websites).
async fn server_stat(ctx: &Ctx) -> Result<El> {
    let customers = accounts::list_all(ctx, AccountKind::Customer, None).await?;
    let resellers = if ctx.actor.is_admin() {
        accounts::list_all(ctx, AccountKind::Reseller, None)
            .await?
            .len()
    } else {
        0
    };
    let webspaces = hosting::list_all(ctx, None).await?;
    let active = webspaces.iter().filter(|s| s.status == "active").count();
    let sites = ctx.app.list_sites(&ctx.actor, None).await?.len();
    Ok(El::new("stat")
        .with(
            El::new("objects")
                .with_text("clients", customers.len())
                .with_text("resellers", resellers)
                .with_text("domains", sites)
                .with_text("active_domains", active)
                .with_text("webspaces", webspaces.len()),
        )
        .with(
            El::new("version")
                .with_text("plesk_name", "Berth")
                .with_text("plesk_version", env!("CARGO_PKG_VERSION"))
                .with_text("plesk_os", std::env::consts::OS),
        ))
}

/// `services_state`: the parts of Berth that run: its database, and the provisioning
/// queue that writes web and DNS files (admin only; its counts of waiting and failed
/// jobs).
async fn services_state(ctx: &Ctx) -> Result<El> {
    let queue = ctx.app.provision_queue(&ctx.actor).await?;
    let database = if ctx.app.ping().await.is_ok() {
        "running"
    } else {
        "stopped"
    };
    Ok(El::new("services_state")
        .with(
            El::new("srv")
                .with_text("id", "database")
                .with_text("name", "Berth database")
                .with_text("state", database),
        )
        .with(
            El::new("srv")
                .with_text("id", "provisioning")
                .with_text("name", "Provisioning of web and DNS files")
                .with_text("state", "running")
                .with_text("pending", queue.pending)
                .with_text("failed", queue.failed),
        ))
}

async fn ips(ctx: &Ctx) -> Result<El> {
    let list = ctx.app.list_ips(&ctx.actor).await?;
    Ok(
        reply::ok().with(El::new("addresses").extend(list.into_iter().map(|ip| {
            El::new("ip_info")
                .with_text("ip_address", ip.address)
                .with_text(
                    "type",
                    if ip.kind == "dedicated" {
                        "exclusive"
                    } else {
                        "shared"
                    },
                )
                .with_text("interface", ip.interface.unwrap_or_default())
        }))),
    )
}

async fn create_key(ctx: &Ctx, op: &Node) -> Result<El> {
    if let Some(login) = op.text_of("login").map(str::trim).filter(|l| !l.is_empty())
        && !login.eq_ignore_ascii_case(ctx.actor.login.as_str())
    {
        return Err(Error::forbidden(
            "a secret key acts as the account that creates it: authenticate as that account",
        ));
    }
    let ips: Vec<String> = op
        .all("ip_address")
        .map(|i| i.text.clone())
        .filter(|i| !i.is_empty())
        .collect();
    let created = ctx
        .app
        .create_api_key(&ctx.actor, &ips, Mode::Apply)
        .await?;
    Ok(reply::ok().with_text("key", created.key))
}

async fn keys(ctx: &Ctx, op: &Node) -> Vec<El> {
    let filter = match filter::parse(op, &["key"]) {
        Ok(f) => f,
        Err(e) => return vec![e],
    };
    filter::each(
        &filter,
        |w: Option<Wanted>| async move {
            let all = ctx.app.list_api_keys(&ctx.actor).await?;
            let Some(w) = w else {
                return Ok(all.into_iter().filter(|k| !k.revoked).collect());
            };
            let id = match uuid::Uuid::parse_str(w.value.trim()) {
                Ok(id) => id,
                Err(_) => {
                    ctx.app
                        .api_key_id_of_secret(&ctx.actor, "key", &w.value)
                        .await?
                }
            };
            Ok(all
                .into_iter()
                .filter(|k| k.id == id && !k.revoked)
                .collect())
        },
        |k: berth_app::api_keys::ApiKeyView| async move {
            if op.name == "delete" {
                return match ctx
                    .app
                    .revoke_api_key(&ctx.actor, &k.id.to_string(), Mode::Apply)
                    .await
                {
                    Ok(_) => Ok(reply::ok().with_text("key", k.id)),
                    Err(e) => Err(reply::error(&e)),
                };
            }
            Ok(reply::ok().with(
                El::new("key_info")
                    .with_text("key", k.id)
                    .extend(k.ips.iter().map(|ip| El::text("ip_address", ip)))
                    .with_text("login", &k.login),
            ))
        },
    )
    .await
}

fn locales(op: &Node) -> Vec<El> {
    let wanted: Vec<&str> = op
        .child("filter")
        .map(|f| f.all("id").map(|i| i.text.as_str()).collect())
        .unwrap_or_default();
    let (id, lang, country) = LOCALE;
    let info = || {
        reply::ok().with(
            El::new("locale")
                .with_text("id", id)
                .with_text("lang", lang)
                .with_text("country", country)
                .with_text("enabled", true),
        )
    };
    if wanted.is_empty() {
        return vec![info()];
    }
    wanted
        .into_iter()
        .map(|w| {
            let result = if w.eq_ignore_ascii_case(id) {
                info()
            } else {
                reply::coded(errors::NOT_FOUND, &format!("no interface locale {w}"))
            };
            result.with_text("filter-id", w)
        })
        .collect()
}

async fn events(ctx: &Ctx, op: &Node) -> Result<El> {
    let page = ctx
        .app
        .list_audit(
            &ctx.actor,
            AuditListRequest {
                limit: Some(1000),
                ..AuditListRequest::default()
            },
        )
        .await?;
    if op.name == "get-last-id" {
        return Ok(reply::ok().with_opt("id", page.items.first().map(|e| e.id)));
    }
    Ok(reply::ok().extend(page.items.into_iter().map(|e| {
        El::new("event")
            .with_text("id", e.id)
            .with_text("type", &e.action)
            .with_text("time", e.at.timestamp())
            .with_text("class", &e.interface)
            .with_text("obj_name", &e.object)
            .with_text("user", &e.actor)
            .with_text("host", e.source.unwrap_or_default())
            .with_text("status", e.status)
    })))
}

/// PHP handlers are the choices of the `php_handler` property; usage counts the
/// subscriptions the caller sees that use each.
async fn php_handlers(ctx: &Ctx, op: &Node) -> Vec<El> {
    let handlers: Vec<&str> = match property::descriptor("php_handler").map(|d| d.kind) {
        Some(Kind::Choice(choices)) => choices.to_vec(),
        _ => vec![],
    };
    let wanted: Vec<String> = op
        .child("filter")
        .map(|f| f.all("id").map(|i| i.text.clone()).collect())
        .unwrap_or_default();
    let usage = if op.name == "usage" {
        match count_handlers(ctx).await {
            Ok(u) => Some(u),
            Err(e) => return vec![reply::error(&e)],
        }
    } else {
        None
    };
    let answer = |h: &str| {
        let mut r = reply::ok()
            .with_text("id", h)
            .with_text("display-name", h)
            .with_text("type", h)
            .with_text("enabled", true);
        if let Some(u) = &usage {
            r = r.with_text("usage", u.iter().filter(|x| x.as_str() == h).count());
        }
        r
    };
    if wanted.is_empty() {
        return handlers.iter().map(|h| answer(h)).collect();
    }
    wanted
        .iter()
        .map(|w| {
            let r = match handlers.iter().find(|h| **h == w.as_str()) {
                Some(h) => answer(h),
                None => reply::coded(errors::NOT_FOUND, &format!("no PHP handler {w}")),
            };
            r.with_text("filter-id", w)
        })
        .collect()
}

async fn count_handlers(ctx: &Ctx) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = ctx
            .app
            .list_subscriptions(
                &ctx.actor,
                SubscriptionListRequest {
                    limit: Some(1000),
                    after,
                    ..SubscriptionListRequest::default()
                },
            )
            .await?;
        out.extend(page.items.iter().filter_map(|s| {
            s.properties
                .json("php_handler")
                .and_then(|v| v.as_str().map(str::to_owned))
        }));
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(out),
        }
    }
}
