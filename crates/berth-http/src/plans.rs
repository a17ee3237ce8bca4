//! `/api/v1/plans`: service, add-on and reseller plans (SPEC §2).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use berth_app::Berth;
use berth_core::property::PlanType;
use serde_json::Value;

use crate::auth::Caller;
use crate::dto::{DryRun, NewPlanBody, Plan, PlanQuery, PlanUpdateBody};
use crate::error::{ApiResult, Errors};
use crate::extract::{Body, Path, Query};
use crate::to_json;

fn plan_type(raw: Option<&str>) -> berth_core::Result<Option<PlanType>> {
    raw.map(|t| PlanType::parse("type", t)).transpose()
}

fn mode(q: &PlanQuery) -> berth_app::Mode {
    DryRun { dry_run: q.dry_run }.mode()
}

/// List plans, optionally of one type or owner.
#[utoipa::path(get, path = "/plans", tag = "plans", params(PlanQuery),
    responses((status = 200, body = Vec<Plan>), Errors))]
pub async fn list(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Query(q): Query<PlanQuery>,
) -> ApiResult<Json<Value>> {
    let plans = app
        .list_plans(
            &actor,
            plan_type(q.plan_type.as_deref())?,
            q.owner.as_deref(),
        )
        .await?;
    Ok(Json(to_json(&plans)))
}

/// Create a plan of any type.
#[utoipa::path(post, path = "/plans", tag = "plans", params(DryRun), request_body = NewPlanBody,
    responses((status = 201, body = Plan), Errors))]
pub async fn create(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Query(dry): Query<DryRun>,
    Body(body): Body<NewPlanBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let plan_type = plan_type(body.plan_type.as_deref())?.unwrap_or(PlanType::Service);
    let view = app
        .create_plan(
            &actor,
            &body.name,
            plan_type,
            body.owner.as_deref(),
            &body.props.assignments(),
            dry.mode(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(to_json(&view))))
}

/// Show one plan.
#[utoipa::path(get, path = "/plans/{name}", tag = "plans",
    params(("name" = String, Path), PlanQuery),
    responses((status = 200, body = Plan), Errors))]
pub async fn info(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path(name): Path<String>,
    Query(q): Query<PlanQuery>,
) -> ApiResult<Json<Value>> {
    let view = app
        .plan_info(
            &actor,
            &name,
            plan_type(q.plan_type.as_deref())?,
            q.owner.as_deref(),
        )
        .await?;
    Ok(Json(to_json(&view)))
}

/// Change a plan and sync every subscription using it ("Update & Sync").
#[utoipa::path(patch, path = "/plans/{name}", tag = "plans",
    params(("name" = String, Path), PlanQuery), request_body = PlanUpdateBody,
    responses((status = 200, body = Object), Errors))]
pub async fn update(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path(name): Path<String>,
    Query(q): Query<PlanQuery>,
    Body(body): Body<PlanUpdateBody>,
) -> ApiResult<Json<Value>> {
    let outcome = app
        .update_plan(
            &actor,
            &name,
            plan_type(q.plan_type.as_deref())?,
            q.owner.as_deref(),
            body.new_name.as_deref(),
            &body.props.assignments(),
            mode(&q),
        )
        .await?;
    Ok(Json(to_json(&outcome)))
}

/// Remove a plan nothing uses.
#[utoipa::path(delete, path = "/plans/{name}", tag = "plans",
    params(("name" = String, Path), PlanQuery),
    responses((status = 200, body = Plan), Errors))]
pub async fn remove(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path(name): Path<String>,
    Query(q): Query<PlanQuery>,
) -> ApiResult<Json<Value>> {
    let view = app
        .remove_plan(
            &actor,
            &name,
            plan_type(q.plan_type.as_deref())?,
            q.owner.as_deref(),
            mode(&q),
        )
        .await?;
    Ok(Json(to_json(&view)))
}
