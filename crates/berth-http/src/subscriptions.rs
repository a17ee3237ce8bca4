//! `/api/v1/subscriptions` (SPEC §3, §5): create, info, list, remove, and the actions.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use berth_app::subscriptions::{
    HostingChange, NewSubscription, SubscriptionListRequest, SubscriptionView,
};
use berth_app::views::Page;
use berth_app::{Berth, NoProgress};
use serde_json::Value;

use crate::auth::Caller;
use crate::dto::{
    AddonBody, BulkResult, ChangePlanBody, ChangeSubscriberBody, Custom, DryRun, HostingBody,
    Names, NewSubscriptionBody, RenewBody, Subscription, SubscriptionListQuery, SubscriptionPage,
    SyncBody, UnlockBody,
};
use crate::error::{ApiResult, Errors};
use crate::extract::{Body, Path, Query};
use crate::to_json;

/// List subscriptions with filters, sort and keyset pagination.
#[utoipa::path(get, path = "/subscriptions", tag = "subscriptions", params(SubscriptionListQuery),
    responses((status = 200, body = SubscriptionPage), Errors))]
pub async fn list(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Query(q): Query<SubscriptionListQuery>,
) -> ApiResult<Json<Page<SubscriptionView>>> {
    let request = SubscriptionListRequest {
        owner: q.owner,
        plan: q.plan,
        status: q.status,
        sync_state: q.sync_state,
        overused: q.overused.unwrap_or(false),
        expired: q.expired.unwrap_or(false),
        search: q.search,
        sort: q.sort,
        limit: q.limit,
        after: q.after,
    };
    // Written straight from the typed views: a page of 100 subscriptions is ~9,000
    // property values, and a JSON tree of it first would cost as much again.
    Ok(Json(app.list_subscriptions(&actor, request).await?))
}

/// Create a subscription; a generated system password is returned once.
#[utoipa::path(post, path = "/subscriptions", tag = "subscriptions", params(DryRun),
    request_body = NewSubscriptionBody, responses((status = 201, body = Subscription), Errors))]
pub async fn create(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Query(dry): Query<DryRun>,
    Body(body): Body<NewSubscriptionBody>,
) -> ApiResult<Response> {
    let custom = Custom {
        limits: body.limits,
        permissions: body.permissions,
    }
    .assignments();
    let input = NewSubscription {
        domain: body.domain,
        owner: body.owner,
        plan: body.plan,
        addons: body.addons,
        ips: body.ips,
        system_user: body.system_user,
        system_password: body.system_password,
        custom,
    };
    let domain = input.domain.clone();
    let created = app.create_subscription(&actor, input, dry.mode()).await?;
    let answer = (StatusCode::CREATED, Json(to_json(&created)));
    Ok(crate::jobs::with_job(&app, &actor, &domain, dry.mode(), answer).await)
}

/// Show one subscription.
#[utoipa::path(get, path = "/subscriptions/{domain}", tag = "subscriptions",
    params(("domain" = String, Path)), responses((status = 200, body = Subscription), Errors))]
pub async fn info(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path(domain): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(to_json(
        &app.subscription_info(&actor, &domain).await?,
    )))
}

/// Change hosting settings: IP addresses, system user, system password.
#[utoipa::path(patch, path = "/subscriptions/{domain}", tag = "subscriptions",
    params(("domain" = String, Path), DryRun), request_body = HostingBody,
    responses((status = 200, body = Subscription), Errors))]
pub async fn set(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path(domain): Path<String>,
    Query(dry): Query<DryRun>,
    Body(body): Body<HostingBody>,
) -> ApiResult<Response> {
    let change = HostingChange {
        ips: body.ips,
        system_user: body.system_user,
        system_password: body.system_password,
    };
    let changed = Json(to_json(
        &app.set_hosting(&actor, &domain, change, dry.mode()).await?,
    ));
    Ok(crate::jobs::with_job(&app, &actor, &domain, dry.mode(), changed).await)
}

/// Remove one subscription with its domains and content.
#[utoipa::path(delete, path = "/subscriptions/{domain}", tag = "subscriptions",
    params(("domain" = String, Path), DryRun), responses((status = 200, body = Subscription), Errors))]
pub async fn remove_one(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path(domain): Path<String>,
    Query(dry): Query<DryRun>,
) -> ApiResult<Json<Value>> {
    let mut results = app
        .remove_subscriptions(&actor, &[domain], dry.mode(), &NoProgress)
        .await;
    crate::single(results.pop())
}

/// "Update & Lock": customize limits and permissions.
#[utoipa::path(post, path = "/subscriptions/{domain}/customize", tag = "subscriptions",
    params(("domain" = String, Path), DryRun), request_body = Custom,
    responses((status = 200, body = Subscription), Errors))]
pub async fn customize(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path(domain): Path<String>,
    Query(dry): Query<DryRun>,
    Body(body): Body<Custom>,
) -> ApiResult<Json<Value>> {
    let changed = app
        .customize(&actor, &domain, &body.assignments(), dry.mode())
        .await?;
    Ok(Json(to_json(&changed)))
}

/// Sync again with the plans; `accept` takes the available values of the conflict report.
#[utoipa::path(post, path = "/subscriptions/{domain}/sync", tag = "subscriptions",
    params(("domain" = String, Path), DryRun), request_body = SyncBody,
    responses((status = 200, body = Subscription), Errors))]
pub async fn sync(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path(domain): Path<String>,
    Query(dry): Query<DryRun>,
    Body(body): Body<SyncBody>,
) -> ApiResult<Json<Value>> {
    let changed = app
        .sync_subscription(&actor, &domain, body.accept, dry.mode())
        .await?;
    Ok(Json(to_json(&changed)))
}

/// Set a new expiration date, or none (`unlimited`).
#[utoipa::path(post, path = "/subscriptions/{domain}/renew", tag = "subscriptions",
    params(("domain" = String, Path), DryRun), request_body = RenewBody,
    responses((status = 200, body = Subscription), Errors))]
pub async fn renew(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path(domain): Path<String>,
    Query(dry): Query<DryRun>,
    Body(body): Body<RenewBody>,
) -> ApiResult<Json<Value>> {
    let changed = app
        .renew(&actor, &domain, &body.expiration, dry.mode())
        .await?;
    Ok(Json(to_json(&changed)))
}

macro_rules! bulk {
    ($(#[$doc:meta])* $name:ident, $path:literal, $body:ty, |$app:ident, $actor:ident, $b:ident, $mode:ident| $call:expr) => {
        $(#[$doc])*
        #[utoipa::path(post, path = $path, tag = "subscriptions", params(DryRun),
            request_body = $body, responses((status = 200, body = Vec<BulkResult>), Errors))]
        pub async fn $name(
            State($app): State<Berth>,
            Caller($actor): Caller,
            Query(dry): Query<DryRun>,
            Body($b): Body<$body>,
        ) -> ApiResult<Json<Value>> {
            let $mode = dry.mode();
            let results = $call.await;
            Ok(Json(to_json(&results)))
        }
    };
}

bulk!(
    /// Remove subscriptions (bulk).
    remove, "/subscriptions/remove", Names,
    |app, actor, b, mode| app.remove_subscriptions(&actor, &b.names, mode, &NoProgress)
);
bulk!(
    /// Suspend subscriptions (bulk).
    suspend, "/subscriptions/suspend", Names,
    |app, actor, b, mode| app.suspend_subscriptions(&actor, &b.names, mode, &NoProgress)
);
bulk!(
    /// Activate subscriptions (bulk): lift the reasons at or below the caller's level.
    activate, "/subscriptions/activate", Names,
    |app, actor, b, mode| app.activate_subscriptions(&actor, &b.names, mode, &NoProgress)
);
bulk!(
    /// Switch to another service plan, or detach (`plan: null`).
    change_plan, "/subscriptions/change-plan", ChangePlanBody,
    |app, actor, b, mode| app.change_plan(&actor, &b.names, b.plan.as_deref(), mode, &NoProgress)
);
bulk!(
    /// Add an add-on plan.
    add_addon, "/subscriptions/add-addon", AddonBody,
    |app, actor, b, mode| app.add_addon(&actor, &b.names, &b.addon, mode, &NoProgress)
);
bulk!(
    /// Remove an add-on plan.
    remove_addon, "/subscriptions/remove-addon", AddonBody,
    |app, actor, b, mode| app.remove_addon(&actor, &b.names, &b.addon, mode, &NoProgress)
);
bulk!(
    /// "Unlock & Sync": release customized fields.
    unlock, "/subscriptions/unlock", UnlockBody,
    |app, actor, b, mode| app.unlock(&actor, &b.names, &b.fields, mode, &NoProgress)
);
bulk!(
    /// Reassign subscriptions to another customer of the same owner.
    change_subscriber, "/subscriptions/change-subscriber", ChangeSubscriberBody,
    |app, actor, b, mode| app.change_subscriber(&actor, &b.names, &b.to, mode, &NoProgress)
);
