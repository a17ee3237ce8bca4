//! Request ids and the audit log over HTTP: every successful change (POST, PATCH, PUT,
//! DELETE answered 2xx, not a dry run) is recorded with the actor, the API key, the
//! client's address, the request id, the operation and the objects it named. Request bodies
//! are not stored: only the names of objects are taken from them (`names`, `login`,
//! `domain`, ...), never passwords or keys.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::body::Body as HttpBody;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use berth_app::Berth;
use berth_app::api_keys::ApiIdentity;
use berth_app::audit::{AuditListRequest, AuditRecord};
use serde::Deserialize;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Errors};
use crate::extract::Query;
use crate::to_json;

/// The header carrying the request id, in and out.
pub const REQUEST_ID: &str = "x-request-id";

/// Body fields that name objects (never secrets).
const OBJECT_FIELDS: &[&str] = &[
    "names",
    "login",
    "new_login",
    "domain",
    "name",
    "new_name",
    "alias",
    "ip",
    "ips",
    "subscription",
    "to",
    "plan",
    "addon",
];

/// What the middleware and the authentication share about one request.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// The request id.
    pub request_id: String,
    /// Filled by [`Caller`] once the request is authenticated.
    pub identity: Arc<Mutex<Option<ApiIdentity>>>,
}

fn request_id(req: &Request) -> String {
    req.headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            (1..=128).contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        })
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string())
}

fn objects(body: &[u8]) -> Vec<String> {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for field in OBJECT_FIELDS {
        match map.get(*field) {
            Some(Value::String(s)) => out.push(format!("{field}={s}")),
            Some(Value::Array(items)) => {
                let names: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
                if !names.is_empty() {
                    out.push(format!("{field}={}", names.join(",")));
                }
            }
            _ => {}
        }
    }
    out
}

/// The middleware: request id in and out, and the audit entry of a successful change.
pub async fn layer(State(app): State<Berth>, mut req: Request, next: Next) -> Response {
    let id = request_id(&req);
    let context = RequestContext {
        request_id: id.clone(),
        identity: Arc::new(Mutex::new(None)),
    };
    req.extensions_mut().insert(context.clone());
    let mutating = matches!(
        *req.method(),
        Method::POST | Method::PATCH | Method::PUT | Method::DELETE
    );
    let dry_run = req
        .uri()
        .query()
        .is_some_and(|q| q.split('&').any(|p| p == "dry_run=true"));
    let action = format!("{} {}", req.method(), req.uri().path());
    let source = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_canonical().to_string());
    let mut named = Vec::new();
    if mutating && !dry_run {
        let (parts, body) = req.into_parts();
        let limit = crate::body_limit(parts.uri.path());
        let bytes = match axum::body::to_bytes(body, limit).await {
            Ok(b) => b,
            Err(_) => {
                return ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "invalid",
                    format!("the body is larger than {limit} bytes"),
                    Some("body"),
                )
                .into_response();
            }
        };
        named = objects(&bytes);
        req = Request::from_parts(parts, HttpBody::from(bytes));
    }
    let mut response = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, v);
    }
    let identity = context.identity.lock().ok().and_then(|g| g.clone());
    if mutating
        && !dry_run
        && response.status().is_success()
        && let Some(identity) = identity
    {
        let record = AuditRecord {
            actor: identity.actor,
            api_key: identity.api_key,
            source,
            request_id: id,
            interface: "api",
            action,
            object: named.join(" "),
            status: response.status().as_u16(),
        };
        if let Err(e) = app.record_audit(record).await {
            tracing::error!(error = %e.message, "the audit entry could not be written");
        }
    }
    response
}

/// `GET /audit` filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only entries of this login (the admin; others see their own).
    pub actor: Option<String>,
    /// Page size (1–1000, default 100).
    pub limit: Option<u32>,
    /// Continue after this entry id (the `next` of the previous page).
    pub after: Option<String>,
}

/// One audit entry.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct AuditEntry {
    /// Id.
    pub id: uuid::Uuid,
    /// When (RFC 3339).
    pub at: String,
    /// Login of the actor.
    pub actor: String,
    /// Id of the API key used.
    pub api_key: Option<uuid::Uuid>,
    /// Client address.
    pub source: Option<String>,
    /// Request id.
    pub request_id: String,
    /// `api` or `cli`.
    pub interface: String,
    /// The operation.
    pub action: String,
    /// The objects it named.
    pub object: String,
    /// HTTP status.
    pub status: u16,
}

/// A page of the audit log.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct AuditPage {
    /// Entries, newest first.
    pub items: Vec<AuditEntry>,
    /// `after` of the next page.
    pub next: Option<String>,
}

/// The audit log, newest first: every entry for the admin, one's own otherwise.
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = AuditPage), Errors))]
pub async fn list(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<Value>> {
    let request = AuditListRequest {
        actor: q.actor,
        limit: q.limit,
        after: q.after,
    };
    Ok(Json(to_json(&app.list_audit(&actor, request).await?)))
}
