//! The Plesk-compatible XML API (SPEC R11.1, `PLESK-XML-API.md`):
//! `POST /enterprise/control/agent.php`.
//!
//! A packet is parsed ([`packet`]), checked before anything runs (root `packet`, a
//! supported `version`, known operators and operations; else a *system* error), the caller
//! is authenticated from `HTTP_AUTH_LOGIN`/`HTTP_AUTH_PASSWD` or a `KEY` secret key (Berth's
//! API keys), and each operator element is answered in order by the same `berth-app` use
//! cases the CLI and REST call, as the authenticated account. Every answer is an XML packet
//! with HTTP 200, errors included; never HTML or JSON.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use berth_app::Berth;
use berth_app::api_keys::{AccessDenied, ApiIdentity, Credentials};
use berth_core::rights::Actor;

use crate::limit::LoginLimiter;

mod accounts;
mod audit;
pub mod errors;
mod filter;
mod hosting;
mod misc;
mod names;
pub mod packet;
mod plans;
pub mod reply;
mod sites;

use packet::Node;
use reply::El;

/// Where Plesk clients post their packets.
pub const PATH: &str = "/enterprise/control/agent.php";

/// The largest packet accepted, in bytes (1 MiB); larger ones get system error 1014.
pub const PACKET_LIMIT: usize = 1024 * 1024;

/// Protocol versions answered (`server/get_protos`), oldest first.
pub const PROTOCOLS: &[&str] = &[
    "1.6.3.0", "1.6.3.1", "1.6.3.2", "1.6.3.3", "1.6.3.4", "1.6.3.5", "1.6.4.0", "1.6.5.0",
    "1.6.6.0", "1.6.7.0", "1.6.8.0", "1.6.9.0", "1.6.9.1",
];

/// The route, outside the REST prefix and its JSON fallbacks.
pub fn routes() -> Router<Berth> {
    Router::new().route(PATH, any(agent))
}

/// Who runs a packet's operations.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    pub app: Berth,
    pub actor: Actor,
}

fn xml(body: String) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml; charset=UTF-8"),
    );
    response
}

fn system(code: u32, text: &str) -> Response {
    xml(reply::system_error(code, text))
}

async fn agent(State(app): State<Berth>, request: Request) -> Response {
    if request.method() != Method::POST {
        return system(errors::PARSE, "send packets with POST");
    }
    let source = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let limiter = request.extensions().get::<Arc<LoginLimiter>>().cloned();
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(Body::new(body), PACKET_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            return system(
                errors::PARSE,
                &format!("the packet is larger than {PACKET_LIMIT} bytes"),
            );
        }
    };
    let packet = match read_packet(&bytes) {
        Ok(p) => p,
        Err((code, text)) => return system(code, &text),
    };
    let identity = match authenticate(&app, &parts.headers, source, limiter.as_deref()).await {
        Ok(a) => a,
        Err((code, text)) => return system(code, &text),
    };
    let ctx = Ctx {
        app,
        actor: identity.actor.clone(),
    };
    let request_id = parts
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 64 && v.chars().all(|c| c.is_ascii_graphic()))
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned);
    let scope = audit::scope(&ctx.app, &identity, source, &request_id, &packet);
    let mut answer = El::new("packet");
    berth_app::audit::within(scope.clone(), async {
        for operator in &packet.children {
            answer.children.push(run_operator(&ctx, operator).await);
        }
    })
    .await;
    audit::record(&ctx.app, &identity, source, &request_id, &answer).await;
    audit::settle(&ctx.app, &scope).await;
    xml(reply::document(&answer))
}

/// Everything done to a packet before authentication and execution: parsing, then the
/// root, version, operator and operation checks. An error is the system error's code and
/// text. Pure, so the fuzz target drives it directly.
pub fn read_packet(bytes: &[u8]) -> Result<Node, (u32, String)> {
    let packet = packet::parse(bytes).map_err(|e| (errors::PARSE, e.0))?;
    check(&packet)?;
    Ok(packet)
}

/// What is checked before anything runs: the root, the version, operator and operation
/// names.
fn check(packet: &Node) -> Result<(), (u32, String)> {
    if packet.name != "packet" {
        return Err((
            errors::PARSE,
            format!("the root element must be <packet>, not <{}>", packet.name),
        ));
    }
    if let Some(version) = packet.attribute("version")
        && !supported(version)
    {
        return Err((
            errors::BAD_VERSION,
            format!("protocol version {version:?} is not supported: use 1.6.3.0 to 1.6.9.1"),
        ));
    }
    for operator in &packet.children {
        if PLESK_ONLY_OPERATORS.contains(&operator.name.as_str()) {
            return Err((
                errors::UNSUPPORTED,
                format!(
                    "the operator <{}> is not supported by this protocol: Berth has no such \
                     objects",
                    operator.name
                ),
            ));
        }
        let operations = operations_of(&operator.name).ok_or_else(|| {
            (
                errors::PARSE,
                format!("unknown operator <{}>", operator.name),
            )
        })?;
        if operator.children.is_empty() {
            return Err((
                errors::PARSE,
                format!("<{}> names no operation", operator.name),
            ));
        }
        for operation in &operator.children {
            if plesk_only_operation(&operator.name, &operation.name) {
                return Err((
                    errors::UNSUPPORTED,
                    format!(
                        "the operation <{}> of <{}> is not supported by this protocol; it has: {}",
                        operation.name,
                        operator.name,
                        operations.join(", ")
                    ),
                ));
            }
            if !operations.contains(&operation.name.as_str()) {
                return Err((
                    errors::PARSE,
                    format!(
                        "unknown operation <{}> of <{}>; it has: {}",
                        operation.name,
                        operator.name,
                        operations.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Whether a `version` attribute names a supported protocol: `1.6`, `1.6.x` or `1.6.x.y`
/// with x from 3 to 9.
pub fn supported(version: &str) -> bool {
    let parts: Vec<&str> = version.trim().split('.').collect();
    let numbers: Option<Vec<u32>> = parts.iter().map(|p| p.parse().ok()).collect();
    match numbers.as_deref() {
        Some([1, 6]) => true,
        Some([1, 6, minor]) | Some([1, 6, minor, _]) => (3..=9).contains(minor),
        _ => false,
    }
}

/// Plesk operators for objects Berth does not have (mail, databases, certificates, ...):
/// answered 1017 (not supported), where a name Plesk does not know either is 1014.
const PLESK_ONLY_OPERATORS: &[&str] = &[
    "mail",
    "maillist",
    "database",
    "db_server",
    "ftp-user",
    "webuser",
    "certificate",
    "aps",
    "protected_dir",
    "virtdir",
    "sitebuilder",
    "updater",
    "backup-manager",
    "migration",
    "user",
    "role",
    "ui",
    "extension",
    "reseller-plan",
    "sso",
    "logrotation",
    "spamfilter",
    "dns_master",
    "git",
];

/// Plesk operations of operators Berth answers that Berth does not do (traffic history,
/// DNS master servers and ACLs, server administration).
fn plesk_only_operation(operator: &str, operation: &str) -> bool {
    let lacking: &[&str] = match operator {
        "customer" | "reseller" | "webspace" | "site" => &["get_traffic", "set_traffic"],
        "dns" => &[
            "switch",
            "enable",
            "disable",
            "get_acl",
            "add_to_acl",
            "remove_from_acl",
            "add_master_server",
            "get_master_server",
            "del_master_server",
        ],
        "server" => &[
            "set",
            "create_session",
            "get_additional_key",
            "reboot",
            "shutdown",
            "lic_install",
            "get-shells",
            "set-default-php-handler",
        ],
        "ip" => &["add", "set", "del"],
        _ => &[],
    };
    lacking.contains(&operation)
}

fn operations_of(operator: &str) -> Option<&'static [&'static str]> {
    Some(match operator {
        "customer" => accounts::CUSTOMER_OPERATIONS,
        "reseller" => accounts::RESELLER_OPERATIONS,
        "webspace" => hosting::OPERATIONS,
        "service-plan" | "service-plan-addon" => plans::OPERATIONS,
        "site" => sites::SITE_OPERATIONS,
        "site-alias" => sites::ALIAS_OPERATIONS,
        "subdomain" => sites::SUBDOMAIN_OPERATIONS,
        "dns" => sites::DNS_OPERATIONS,
        "server" => misc::SERVER_OPERATIONS,
        "ip" => misc::IP_OPERATIONS,
        "secret_key" => misc::SECRET_KEY_OPERATIONS,
        "session" => misc::SESSION_OPERATIONS,
        "locale" => misc::LOCALE_OPERATIONS,
        "event_log" => misc::EVENT_LOG_OPERATIONS,
        "php-handler" => misc::PHP_HANDLER_OPERATIONS,
        _ => return None,
    })
}

async fn run_operator(ctx: &Ctx, operator: &Node) -> El {
    let mut out = El::new(&operator.name);
    for operation in &operator.children {
        let answer = match operator.name.as_str() {
            "customer" | "reseller" => accounts::run(ctx, &operator.name, operation).await,
            "webspace" => hosting::run(ctx, operation).await,
            "service-plan" | "service-plan-addon" => {
                plans::run(ctx, &operator.name, operation).await
            }
            "site" | "site-alias" | "subdomain" | "dns" => {
                sites::run(ctx, &operator.name, operation).await
            }
            _ => misc::run(ctx, &operator.name, operation).await,
        };
        out.children.push(answer);
    }
    out
}

async fn authenticate(
    app: &Berth,
    headers: &HeaderMap,
    source: Option<IpAddr>,
    limiter: Option<&LoginLimiter>,
) -> Result<ApiIdentity, (u32, String)> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (credentials, login) = match (header("key"), header("http_auth_login")) {
        (Some(key), _) => (Credentials::Bearer(key), None),
        (None, Some(login)) => {
            let password = header("http_auth_passwd").unwrap_or_default();
            (
                Credentials::Basic {
                    login: login.clone(),
                    password,
                },
                Some(login),
            )
        }
        (None, None) => {
            return Err((
                errors::AUTH_FAILED,
                "authentication is required: HTTP_AUTH_LOGIN and HTTP_AUTH_PASSWD, or KEY"
                    .to_owned(),
            ));
        }
    };
    let is_key = login.is_none();
    if let Some(wait) = limiter.and_then(|l| l.blocked(login.as_deref(), source)) {
        return Err((
            errors::AUTH_FAILED,
            format!("too many failed logins: try again in {wait} seconds"),
        ));
    }
    match app.api_actor(credentials, source).await {
        Ok(identity) => {
            if let Some(l) = limiter {
                l.succeeded(login.as_deref());
            }
            Ok(identity)
        }
        Err(AccessDenied::Unauthenticated(e)) => {
            if let Some(l) = limiter {
                l.failed(login.as_deref(), source);
            }
            let code = if e.message.contains("suspended") {
                errors::ACCOUNT_DISABLED
            } else if is_key {
                errors::KEY_FAILED
            } else {
                errors::AUTH_FAILED
            };
            Err((code, e.message))
        }
        Err(AccessDenied::Refused(e)) => Err((errors::code_of(&e), e.message)),
    }
}
