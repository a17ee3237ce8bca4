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
use berth_app::audit::{AuditListRequest, AuditRecord, AuditView, ScopeRequest, within};
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
    let scope = app.audit_scope(ScopeRequest {
        request_id: id.clone(),
        interface: if action
            .split(' ')
            .nth(1)
            .is_some_and(|p| p.starts_with("/ui"))
        {
            "ui"
        } else {
            "api"
        },
        source: source.clone(),
        action: action.clone(),
        object: named.join(" "),
    });
    let mut response = within(scope.clone(), next.run(req)).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, v);
    }
    let identity = context.identity.lock().ok().and_then(|g| g.clone());
    let status = response.status();
    if mutating
        && !dry_run
        && status.is_success()
        && let Some(identity) = identity
    {
        let record = AuditRecord {
            entry: Some(scope.entry_id()),
            actor: identity.actor,
            api_key: identity.api_key,
            source,
            request_id: id,
            interface: "api",
            action,
            object: named.join(" "),
            status: status.as_u16(),
        };
        if let Err(e) = app.record_audit(record).await {
            tracing::error!(error = %e.message, "the audit entry could not be written");
        }
    } else if mutating && !dry_run && scope.has_changes() {
        // A request that failed after some of its changes were committed (a bulk call
        // with one bad name), or a panel form answered with a redirect, keeps its
        // changes' entry, with the status it answered.
        if let Err(e) = app.settle_audit(&scope, status.as_u16()).await {
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
    /// Only entries whose object, or one of whose changed objects, contains this text
    /// (a domain, a login, a plan name).
    pub object: Option<String>,
    /// Only entries whose operation contains this text (`suspend`, `PATCH`).
    pub action: Option<String>,
    /// Only entries at or after this time (RFC 3339, or `YYYY-MM-DD`).
    pub since: Option<String>,
    /// Only entries before this time (RFC 3339, or `YYYY-MM-DD`).
    pub until: Option<String>,
    /// Page size (1–1000, default 100).
    pub limit: Option<u32>,
    /// Continue after this entry id (the `next` of the previous page).
    pub after: Option<String>,
}

impl AuditQuery {
    fn into_request(self) -> AuditListRequest {
        AuditListRequest {
            actor: self.actor,
            object: self.object,
            action: self.action,
            since: self.since,
            until: self.until,
            limit: self.limit,
            after: self.after,
        }
    }
}

/// One changed field of an entry.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct AuditChange {
    /// The object (`customer bob`, `subscription example.com`).
    pub object: String,
    /// The field (`email`, `limits.disk_space`, `synced_subscriptions`).
    pub field: String,
    /// The value before; null on creation or when it was not set. Secrets read
    /// `[redacted]`.
    pub before: Option<String>,
    /// The value after; null on removal or when it is not set. Secrets read `[redacted]`.
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
    /// `api`, `ui`, `xml`, `cli` or `internal`.
    pub interface: String,
    /// The operation.
    pub action: String,
    /// The objects it named.
    pub object: String,
    /// HTTP status (exit status for `cli`; 0 when no answer was recorded).
    pub status: u16,
    /// The fields it changed, with their values before and after.
    pub changes: Vec<AuditChange>,
}

/// A page of the audit log.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct AuditPage {
    /// Entries, newest first.
    pub items: Vec<AuditEntry>,
    /// `after` of the next page.
    pub next: Option<String>,
}

/// The audit log, newest first, each entry with its field changes: every entry for the
/// admin, one's own otherwise.
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = AuditPage), Errors))]
pub async fn list(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<Value>> {
    Ok(Json(to_json(
        &app.list_audit(&actor, q.into_request()).await?,
    )))
}

/// `GET /audit/export` parameters: the filters of `GET /audit` and the format.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditExportQuery {
    /// `jsonl` (one entry per line, as in `GET /audit`) or `csv` (one line per change).
    pub format: Option<String>,
    /// Only entries of this login (the admin; others see their own).
    pub actor: Option<String>,
    /// Only entries whose object, or one of whose changed objects, contains this text.
    pub object: Option<String>,
    /// Only entries whose operation contains this text.
    pub action: Option<String>,
    /// Only entries at or after this time (RFC 3339, or `YYYY-MM-DD`).
    pub since: Option<String>,
    /// Only entries before this time (RFC 3339, or `YYYY-MM-DD`).
    pub until: Option<String>,
}

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// JSON lines.
    Jsonl,
    /// CSV with a header line.
    Csv,
}

impl ExportFormat {
    /// Parses `jsonl` or `csv` (`field` names the input).
    pub fn parse(field: &str, raw: Option<&str>) -> berth_core::Result<Self> {
        match raw.map(str::trim) {
            None | Some("jsonl") => Ok(ExportFormat::Jsonl),
            Some("csv") => Ok(ExportFormat::Csv),
            Some(_) => Err(berth_core::Error::invalid(
                field,
                format!("{field} must be jsonl or csv"),
            )),
        }
    }

    /// The text of a page of entries in this format.
    pub fn render(self, entries: &[AuditView]) -> String {
        match self {
            ExportFormat::Jsonl => entries.iter().map(AuditView::json_line).collect(),
            ExportFormat::Csv => entries.iter().map(AuditView::csv_lines).collect(),
        }
    }
}

/// Every audit entry the caller may see that matches the filters, streamed page by page
/// (R10.9 "exportable"): JSON lines, or CSV with one line per change.
#[utoipa::path(get, path = "/audit/export", tag = "audit", params(AuditExportQuery),
    responses((status = 200, description = "The entries, as JSON lines or CSV",
        content_type = "text/plain"), Errors))]
pub async fn export(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Query(q): Query<AuditExportQuery>,
) -> ApiResult<Response> {
    let format = ExportFormat::parse("format", q.format.as_deref())?;
    let request = AuditListRequest {
        actor: q.actor,
        object: q.object,
        action: q.action,
        since: q.since,
        until: q.until,
        limit: Some(1),
        after: None,
    };
    // Errors of the filters are answered before the stream starts.
    app.list_audit(&actor, request.clone()).await?;
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<String, std::io::Error>>(4);
    if format == ExportFormat::Csv {
        let header = format!("{}\r\n", AuditView::CSV_HEADER);
        let _ = sender.send(Ok(header)).await;
    }
    tokio::spawn(async move {
        let mut after = None;
        loop {
            let chunk = match app.export_audit_page(&actor, &request, after).await {
                Ok(page) => {
                    after = page.next;
                    Ok(format.render(&page.items))
                }
                Err(e) => {
                    after = None;
                    Err(std::io::Error::other(e.message))
                }
            };
            if sender.send(chunk).await.is_err() || after.is_none() {
                break;
            }
        }
    });
    let content_type = match format {
        ExportFormat::Jsonl => "application/jsonl",
        ExportFormat::Csv => "text/csv; charset=utf-8",
    };
    let mut response = Response::new(HttpBody::from_stream(ReceiverStream(receiver)));
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static(content_type),
    );
    Ok(response)
}

/// The receiving end of a channel as a stream of body chunks.
struct ReceiverStream(tokio::sync::mpsc::Receiver<Result<String, std::io::Error>>);

impl futures_core::Stream for ReceiverStream {
    type Item = Result<String, std::io::Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}
