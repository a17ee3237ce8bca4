//! `/api/v1/api-keys`: the caller's API keys.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use berth_app::Berth;
use serde_json::Value;

use crate::auth::Caller;
use crate::dto::{ApiKey, CreatedApiKey, DryRun, NewApiKeyBody};
use crate::error::{ApiResult, Errors};
use crate::extract::{Body, Path, Query};
use crate::to_json;

/// The caller's keys (revoked ones included; never the keys themselves).
#[utoipa::path(get, path = "/api-keys", tag = "api-keys",
    responses((status = 200, body = Vec<ApiKey>), Errors))]
pub async fn list(State(app): State<Berth>, Caller(actor): Caller) -> ApiResult<Json<Value>> {
    Ok(Json(to_json(&app.list_api_keys(&actor).await?)))
}

/// Create a key acting as the caller; the key is in this answer only.
#[utoipa::path(post, path = "/api-keys", tag = "api-keys", params(DryRun),
    request_body = NewApiKeyBody, responses((status = 201, body = CreatedApiKey), Errors))]
pub async fn create(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Query(dry): Query<DryRun>,
    Body(body): Body<NewApiKeyBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let created = app.create_api_key(&actor, &body.ips, dry.mode()).await?;
    Ok((StatusCode::CREATED, Json(to_json(&created))))
}

/// Revoke a key (the admin may revoke anyone's).
#[utoipa::path(delete, path = "/api-keys/{id}", tag = "api-keys",
    params(("id" = String, Path), DryRun), responses((status = 200, body = ApiKey), Errors))]
pub async fn revoke(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    Query(dry): Query<DryRun>,
) -> ApiResult<Json<Value>> {
    Ok(Json(to_json(
        &app.revoke_api_key(&actor, &id, dry.mode()).await?,
    )))
}
