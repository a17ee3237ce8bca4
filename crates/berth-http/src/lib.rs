//! Berth's HTTP server: the REST API under `/api/v1` with its OpenAPI 3.1 document at
//! `/api/v1/openapi.json`, the Plesk-compatible XML API at
//! `/enterprise/control/agent.php` ([`xmlapi`]), and `GET /healthz`.
//!
//! Handlers are thin: they authenticate the caller ([`auth::Caller`]), turn the request
//! into the same service-layer call the command line makes, and map the outcome (or
//! Berth's error) to JSON. Rights, rules and transactions all live in `berth-app`.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use berth_app::Berth;
use berth_app::views::BulkItem;
use serde::Serialize;
use serde_json::Value;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod domains;
pub mod dto;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod ips;
pub mod jobs;
pub mod keys;
pub mod limit;
pub mod plans;
pub mod subscriptions;
pub mod tls;
pub mod ui;
pub mod vhost_template;
pub mod xmlapi;

use error::{ApiError, ApiResult};

/// The largest request body accepted, in bytes (1 MiB); larger ones get 413.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// The largest body the middleware reads for `path`: [`BODY_LIMIT`], or the larger limit
/// of a route taking uploads.
pub(crate) fn body_limit(path: &str) -> usize {
    if path.strip_prefix(API_PREFIX) == Some(vhost_template::PATH)
        || path == ui::VHOST_TEMPLATE_UPLOAD
    {
        vhost_template::UPLOAD_LIMIT
    } else {
        BODY_LIMIT
    }
}

/// The prefix of every REST route.
pub const API_PREFIX: &str = "/api/v1";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Berth REST API",
        description = "Hosting control panel API. Authenticate with HTTP Basic (login and \
                       password) or `Authorization: Bearer <API key>`. Errors are \
                       `{\"error\": {\"code\", \"message\", \"field\"}}`. Mutating calls \
                       accept `?dry_run=true` and an `Idempotency-Key` header (a retry \
                       with the same key replays the first answer, marked \
                       `Idempotent-Replayed: true`). Every answer carries `X-Request-Id`."
    ),
    servers((url = "/api/v1")),
    components(schemas(error::ErrorBody, error::ErrorDetail, dto::AccountKindPath)),
    modifiers(&Security),
    security(("basic" = []), ("bearer" = []))
)]
struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "basic",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Basic).build()),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The REST routes (relative to [`API_PREFIX`]) and their OpenAPI document, built together
/// from the handlers so that neither can miss a route.
fn api() -> (Router<Berth>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(accounts::list, accounts::create))
        .routes(routes!(
            accounts::info,
            accounts::update,
            accounts::remove_one
        ))
        .routes(routes!(accounts::remove))
        .routes(routes!(accounts::suspend))
        .routes(routes!(accounts::activate))
        .routes(routes!(accounts::convert))
        .routes(routes!(accounts::move_customers))
        .routes(routes!(accounts::overview))
        .routes(routes!(accounts::pool_add))
        .routes(routes!(accounts::pool_remove))
        .routes(routes!(plans::list, plans::create))
        .routes(routes!(plans::info, plans::update, plans::remove))
        .routes(routes!(subscriptions::list, subscriptions::create))
        .routes(routes!(
            subscriptions::info,
            subscriptions::set,
            subscriptions::remove_one
        ))
        .routes(routes!(subscriptions::customize))
        .routes(routes!(subscriptions::sync))
        .routes(routes!(subscriptions::renew))
        .routes(routes!(subscriptions::remove))
        .routes(routes!(subscriptions::suspend))
        .routes(routes!(subscriptions::activate))
        .routes(routes!(subscriptions::change_plan))
        .routes(routes!(subscriptions::add_addon))
        .routes(routes!(subscriptions::remove_addon))
        .routes(routes!(subscriptions::unlock))
        .routes(routes!(subscriptions::change_subscriber))
        .routes(routes!(ips::list, ips::add))
        .routes(routes!(ips::update, ips::remove_one))
        .routes(routes!(ips::remove))
        .routes(routes!(domains::list_sites, domains::create_site))
        .routes(routes!(domains::remove_sites))
        .routes(routes!(domains::list_aliases, domains::create_alias))
        .routes(routes!(domains::update_alias))
        .routes(routes!(domains::remove_aliases))
        .routes(routes!(domains::list_subdomains, domains::create_subdomain))
        .routes(routes!(domains::remove_subdomains))
        .routes(routes!(domains::zone))
        .routes(routes!(domains::add_record))
        .routes(routes!(domains::remove_record))
        .routes(routes!(domains::template, domains::set_template))
        .routes(routes!(domains::apply_template))
        .routes(routes!(audit::list))
        .routes(routes!(audit::export))
        .routes(routes!(jobs::job))
        .routes(routes!(jobs::subscription_job))
        .routes(routes!(keys::list, keys::create))
        .routes(routes!(keys::revoke))
        .routes(vhost_template::routes())
        .split_for_parts()
}

/// The OpenAPI 3.1 document of the REST API (paths relative to `/api/v1`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    api().1
}

/// The whole HTTP application over `app`, with the default login limits.
pub fn router(app: Berth) -> Router {
    router_with(app, limit::LoginLimits::default())
}

/// The whole HTTP application over `app` with these failed-login limits.
pub fn router_with(app: Berth, limits: limit::LoginLimits) -> Router {
    let (api, doc) = api();
    let doc = std::sync::Arc::new(doc);
    let api = api
        .route(
            "/openapi.json",
            get(move || {
                let doc = doc.clone();
                async move { Json((*doc).clone()) }
            }),
        )
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method);
    let limiter = std::sync::Arc::new(limit::LoginLimiter::new(limits));
    // The XML API reads its own bodies (with its own size limit and XML errors) and records
    // its own audit entries, so it stays outside the JSON body-reading layers.
    let xml = xmlapi::routes()
        .layer(axum::Extension(limiter.clone()))
        .layer(middleware::from_fn(log_request))
        .with_state(app.clone());
    Router::new()
        .route("/healthz", get(healthz))
        .merge(ui::router())
        .nest(API_PREFIX, api)
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::Extension(limiter))
        .layer(middleware::from_fn_with_state(app.clone(), audit::layer))
        .layer(middleware::from_fn_with_state(
            std::sync::Arc::new(idempotency::Idempotency::default()),
            idempotency::layer,
        ))
        .layer(middleware::from_fn(log_request))
        .with_state(app)
        .merge(xml)
}

/// Serves `router(app)` on `listener` until `shutdown` completes, then finishes the
/// requests in flight (graceful shutdown).
pub async fn serve(
    app: Berth,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(app, listener, shutdown, limit::LoginLimits::default()).await
}

/// [`serve`] with these failed-login limits.
pub async fn serve_with(
    app: Berth,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    limits: limit::LoginLimits,
) -> std::io::Result<()> {
    serve_router(router_with(app, limits), listener, shutdown).await
}

/// Serves `router` (built by [`router`], with extensions such as
/// [`vhost_template::provide`]) like [`serve`].
pub async fn serve_router(
    router: Router,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "serving the REST API");
    }
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Serves `router` over HTTPS with `tls` (see [`tls::load`]) until `shutdown` completes,
/// then finishes the requests in flight.
pub async fn serve_router_tls(
    router: Router,
    listener: tokio::net::TcpListener,
    tls: std::sync::Arc<tokio_rustls::rustls::ServerConfig>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = tls::TlsListener::new(listener, tls)?;
    if let Ok(addr) = axum::serve::Listener::local_addr(&listener) {
        tracing::info!(%addr, "serving the REST API over TLS");
    }
    axum::serve(
        listener,
        router
            .layer(middleware::from_fn(tls::peer_address))
            .into_make_service_with_connect_info::<tls::TlsPeer>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

async fn log_request(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(req).await;
    let status = response.status().as_u16();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if status >= 500 {
        tracing::warn!(%method, %path, status, ms, "request");
    } else {
        tracing::info!(%method, %path, status, ms, "request");
    }
    response
}

/// `GET /healthz`: 200 `{"status": "ok"}` when the database answers, else 503.
async fn healthz(State(app): State<Berth>) -> Response {
    match app.ping().await {
        Ok(()) => Json(dto::Health {
            status: "ok".into(),
        })
        .into_response(),
        Err(e) => {
            let mut err = ApiError::from(e);
            err.status = StatusCode::SERVICE_UNAVAILABLE;
            err.into_response()
        }
    }
}

async fn no_route() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such resource", None)
}

async fn wrong_method() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "invalid",
        "this method is not allowed on this resource",
        None,
    )
}

/// A view as JSON. Views are plain data; failing to serialise one is a bug, reported as
/// `null` in the answer and logged.
pub(crate) fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or_else(|e| {
        tracing::error!(error = %e, "a view could not be serialised");
        Value::Null
    })
}

/// The single-object form of a bulk verb: the result, or its error with its status.
pub(crate) fn single<T: Serialize>(item: Option<BulkItem<T>>) -> ApiResult<Json<Value>> {
    match item {
        Some(BulkItem {
            result: Some(r), ..
        }) => Ok(Json(to_json(&r))),
        Some(BulkItem { error: Some(e), .. }) => Err(e.into()),
        _ => Err(berth_core::Error::failed("the operation reported nothing").into()),
    }
}
