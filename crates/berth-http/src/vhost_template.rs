//! `/api/v1/vhost-template` (R8.3): the files every new webspace starts with. `GET` shows
//! it, `PUT` replaces it with the archive in the body (`Content-Type: application/zip`,
//! `application/x-tar` or `application/gzip`; up to [`UPLOAD_LIMIT`] bytes, a limit of
//! this route only), `DELETE` restores the built-in skeleton. Admin only.
//!
//! The template's directory comes from the server's settings, given to the router with
//! [`provide`].

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json, Router};
use berth_app::Berth;
use berth_app::vhost_template::{MAX_ARCHIVE_BYTES, VhostTemplateSettings};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::dto::DryRun;
use crate::error::{ApiError, ApiResult, Errors};
use crate::extract::Query;
use crate::to_json;

/// The largest archive `PUT /vhost-template` accepts, in bytes (the template's own limit).
pub const UPLOAD_LIMIT: usize = MAX_ARCHIVE_BYTES;

/// The path of this resource, under the API prefix.
pub const PATH: &str = "/vhost-template";

/// An archive in a request body (OpenAPI: a binary string).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct Archive(pub Vec<u8>);

/// The routes of this resource, with their own body limit.
pub(crate) fn routes() -> UtoipaMethodRouter<Berth> {
    let (schemas, paths, router) = routes!(show, upload, reset);
    (
        schemas,
        paths,
        router.layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
    )
}

/// `router` with the template settings its `/vhost-template` handlers need.
pub fn provide(router: Router, settings: VhostTemplateSettings) -> Router {
    router.layer(Extension(settings))
}

/// The settings, or a failure saying the server was started without them.
fn settings(given: Option<Extension<VhostTemplateSettings>>) -> ApiResult<VhostTemplateSettings> {
    given.map(|Extension(s)| s).ok_or_else(|| {
        berth_core::Error::failed("this server has no virtual host template directory configured")
            .into()
    })
}

/// The virtual host template: the built-in skeleton or the uploaded archive's files
/// (admin only).
#[utoipa::path(get, path = "/vhost-template", tag = "vhost-template",
    responses((status = 200, body = Object), Errors))]
pub async fn show(
    State(app): State<Berth>,
    Caller(actor): Caller,
    given: Option<Extension<VhostTemplateSettings>>,
) -> ApiResult<Json<Value>> {
    let settings = settings(given)?;
    Ok(Json(to_json(&app.vhost_template(&actor, &settings).await?)))
}

/// Replace the template with an archive whose root holds `httpdocs`, `cgi-bin`,
/// `anon_ftp` and/or `error_docs` (admin only). Archives with absolute paths, `..`, links
/// leaving the tree, special files or over the limits are refused and the previous
/// template stays. Only new webspaces get the new files.
#[utoipa::path(put, path = "/vhost-template", tag = "vhost-template", params(DryRun),
    request_body(content(
        (Archive = "application/gzip"),
        (Archive = "application/x-tar"),
        (Archive = "application/zip")
    )),
    responses((status = 200, body = Object), Errors))]
pub async fn upload(
    State(app): State<Berth>,
    Caller(actor): Caller,
    given: Option<Extension<VhostTemplateSettings>>,
    Query(dry): Query<DryRun>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<Value>> {
    let settings = settings(given)?;
    let body = body.map_err(|r| {
        let status = r.status();
        let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
            format!("the archive is larger than {UPLOAD_LIMIT} bytes")
        } else {
            format!("the body could not be read: {}", r.body_text())
        };
        ApiError::new(status, "invalid", message, Some("body"))
    })?;
    // A generic type says nothing about the format: the content decides.
    let declared = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|t| !t.starts_with("application/octet-stream"));
    let view = app
        .upload_vhost_template(&actor, &settings, body.to_vec(), declared, dry.mode())
        .await?;
    Ok(Json(to_json(&view)))
}

/// Restore the built-in skeleton (admin only).
#[utoipa::path(delete, path = "/vhost-template", tag = "vhost-template", params(DryRun),
    responses((status = 200, body = Object), Errors))]
pub async fn reset(
    State(app): State<Berth>,
    Caller(actor): Caller,
    given: Option<Extension<VhostTemplateSettings>>,
    Query(dry): Query<DryRun>,
) -> ApiResult<Json<Value>> {
    let settings = settings(given)?;
    Ok(Json(to_json(
        &app.reset_vhost_template(&actor, &settings, dry.mode())
            .await?,
    )))
}
