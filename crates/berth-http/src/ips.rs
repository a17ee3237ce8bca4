//! `/api/v1/ips`: the server's IP addresses (R7.5).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use berth_app::{Berth, NoProgress};
use serde_json::Value;

use crate::auth::Caller;
use crate::dto::{BulkResult, DryRun, Ip, IpUpdateBody, Names, NewIpBody};
use crate::error::{ApiResult, Errors};
use crate::extract::{Body, Path, Query};
use crate::to_json;

/// List the registered addresses.
#[utoipa::path(get, path = "/ips", tag = "ips", responses((status = 200, body = Vec<Ip>), Errors))]
pub async fn list(State(app): State<Berth>, Caller(actor): Caller) -> ApiResult<Json<Value>> {
    Ok(Json(to_json(&app.list_ips(&actor).await?)))
}

/// Register an address (admin only).
#[utoipa::path(post, path = "/ips", tag = "ips", params(DryRun), request_body = NewIpBody,
    responses((status = 201, body = Ip), Errors))]
pub async fn add(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Query(dry): Query<DryRun>,
    Body(body): Body<NewIpBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let view = app
        .add_ip(
            &actor,
            &body.ip,
            &body.kind,
            body.interface.as_deref(),
            dry.mode(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(to_json(&view))))
}

/// Change the type or interface of an address.
#[utoipa::path(patch, path = "/ips/{ip}", tag = "ips", params(("ip" = String, Path), DryRun),
    request_body = IpUpdateBody, responses((status = 200, body = Object), Errors))]
pub async fn update(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path(ip): Path<String>,
    Query(dry): Query<DryRun>,
    Body(body): Body<IpUpdateBody>,
) -> ApiResult<Json<Value>> {
    let outcome = app
        .update_ip(
            &actor,
            &ip,
            body.kind.as_deref(),
            body.interface.as_deref(),
            dry.mode(),
        )
        .await?;
    Ok(Json(to_json(&outcome)))
}

/// Remove one address.
#[utoipa::path(delete, path = "/ips/{ip}", tag = "ips", params(("ip" = String, Path), DryRun),
    responses((status = 200, body = Object), Errors))]
pub async fn remove_one(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path(ip): Path<String>,
    Query(dry): Query<DryRun>,
) -> ApiResult<Json<Value>> {
    let mut results = app.remove_ips(&actor, &[ip], dry.mode(), &NoProgress).await;
    crate::single(results.pop())
}

/// Remove addresses (bulk).
#[utoipa::path(post, path = "/ips/remove", tag = "ips", params(DryRun), request_body = Names,
    responses((status = 200, body = Vec<BulkResult>), Errors))]
pub async fn remove(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Query(dry): Query<DryRun>,
    Body(body): Body<Names>,
) -> ApiResult<Json<Value>> {
    let results = app
        .remove_ips(&actor, &body.names, dry.mode(), &NoProgress)
        .await;
    Ok(Json(to_json(&results)))
}
