//! `/api/v1/jobs/{id}` and `/api/v1/subscriptions/{domain}/provisioning`: where the
//! provisioning of a change stands (R11.4). A change that queues provisioning answers with
//! its job's id in the `Berth-Job` header.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use berth_app::{Berth, Mode};
use berth_core::rights::Actor;
use serde_json::Value;

use crate::auth::Caller;
use crate::dto::Job;
use crate::error::{ApiError, ApiResult, Errors};
use crate::extract::Path;
use crate::to_json;

/// The header naming the provisioning job a change queued.
pub const JOB_HEADER: HeaderName = HeaderName::from_static("berth-job");

/// One provisioning job: `pending`, `running`, `done` or `failed` with its error.
#[utoipa::path(get, path = "/jobs/{id}", tag = "jobs",
    params(("id" = String, Path)), responses((status = 200, body = Job), Errors))]
pub async fn job(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(to_json(&app.provision_job(&actor, &id).await?)))
}

/// The newest provisioning job of a subscription: whether the server matches it.
#[utoipa::path(get, path = "/subscriptions/{domain}/provisioning", tag = "jobs",
    params(("domain" = String, Path)), responses((status = 200, body = Job), Errors))]
pub async fn subscription_job(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path(domain): Path<String>,
) -> ApiResult<Json<Value>> {
    match app.subscription_provisioning(&actor, &domain).await? {
        Some(job) => Ok(Json(to_json(&job))),
        None => Err(ApiError::from(berth_core::Error::not_found(
            "job",
            format!("no provisioning job for {domain} yet"),
        ))),
    }
}

/// `response` with the `Berth-Job` header naming the pending job of subscription
/// `domain`, when the change was applied (not a dry run) and queued one.
pub(crate) async fn with_job(
    app: &Berth,
    actor: &Actor,
    domain: &str,
    mode: Mode,
    response: impl IntoResponse,
) -> Response {
    let mut response = response.into_response();
    if mode == Mode::Apply
        && response.status().is_success()
        && let Ok(Some(job)) = app.subscription_provisioning(actor, domain).await
        && let Ok(value) = HeaderValue::from_str(&job.id.to_string())
    {
        response.headers_mut().insert(JOB_HEADER, value);
    }
    response
}
