//! `/api/v1/customers` and `/api/v1/resellers` (SPEC §1, §4): the `{kind}` path segment
//! is one of the two.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use berth_app::accounts::{AccountUpdate, ListRequest, NewAccount};
use berth_app::resellers::ResellerTerms;
use berth_app::subscriptions::NewSubscription;
use berth_app::{Berth, NoProgress};
use berth_core::account::AccountKind;
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::dto::{
    Account, AccountBody, AccountKindPath, AccountListQuery, AccountPage, BulkResult, ConvertBody,
    DryRun, MoveBody, Names, PoolBody,
};
use crate::error::{ApiError, ApiResult, Errors};
use crate::extract::{Body, Path, Query};
use crate::to_json;

/// List accounts with search, filters, sort and keyset pagination.
#[utoipa::path(get, path = "/{kind}", tag = "accounts",
    params(("kind" = AccountKindPath, Path, description = "`customers` or `resellers`"), AccountListQuery),
    responses((status = 200, body = AccountPage), Errors))]
pub async fn list(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path(kind): Path<AccountKindPath>,
    Query(q): Query<AccountListQuery>,
) -> ApiResult<Json<Value>> {
    let request = ListRequest {
        owner: q.owner,
        status: q.status,
        search: q.search,
        sort: q.sort,
        limit: q.limit,
        after: q.after,
    };
    let page = app.list_accounts(&actor, kind.kind(), request).await?;
    Ok(Json(to_json(&page)))
}

/// Create a reseller or a customer (a customer optionally with its first subscription).
#[utoipa::path(post, path = "/{kind}", tag = "accounts",
    params(("kind" = AccountKindPath, Path, description = "`customers` or `resellers`"), DryRun),
    request_body = AccountBody,
    responses((status = 201, body = Account), Errors))]
pub async fn create(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path(kind): Path<AccountKindPath>,
    Query(dry): Query<DryRun>,
    Body(body): Body<AccountBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let kind = kind.kind();
    let login = body
        .login
        .clone()
        .ok_or_else(|| ApiError::invalid("login", "login is required"))?;
    let password = body
        .password
        .clone()
        .ok_or_else(|| ApiError::invalid("password", "password is required"))?;
    if body.new_login.is_some() {
        return Err(ApiError::invalid("new_login", "new_login is for updates"));
    }
    if kind == AccountKind::Customer && body.has_terms() {
        return Err(ApiError::invalid(
            "limits",
            "customers take no limits, permissions or oversell: their subscriptions do",
        ));
    }
    if kind == AccountKind::Reseller && body.domain.is_some() {
        return Err(ApiError::invalid(
            "domain",
            "domain creates a customer's first subscription",
        ));
    }
    let customer_plan = (kind == AccountKind::Customer)
        .then(|| body.plan.clone())
        .flatten();
    if customer_plan.is_some() && body.domain.is_none() {
        return Err(ApiError::invalid(
            "plan",
            "plan for a customer needs domain (its first subscription)",
        ));
    }
    let input = NewAccount {
        login,
        password,
        contact: body.contact(),
        description: body.description.clone(),
        external_id: body.external_id.clone(),
        owner: body.owner.clone(),
        reseller: if kind == AccountKind::Reseller {
            body.terms()
        } else {
            ResellerTerms::default()
        },
    };
    let mode = dry.mode();
    let value = match body.domain {
        Some(domain) => {
            let first = NewSubscription {
                domain,
                plan: customer_plan,
                addons: body.addons,
                ips: body.ips,
                system_user: body.system_user,
                system_password: body.system_password,
                ..Default::default()
            };
            let (view, created) = app
                .create_customer_with_subscription(&actor, input, first, mode)
                .await?;
            let mut v = to_json(&view);
            v["subscription"] = to_json(&created);
            v
        }
        None => to_json(&app.create_account(&actor, kind, input, mode).await?),
    };
    Ok((StatusCode::CREATED, Json(with_dry_run(value, &dry))))
}

fn with_dry_run(mut value: Value, dry: &DryRun) -> Value {
    if let Value::Object(map) = &mut value {
        map.insert("dry_run".into(), json!(dry.dry_run == Some(true)));
    }
    value
}

/// Show one account.
#[utoipa::path(get, path = "/{kind}/{login}", tag = "accounts",
    params(("kind" = AccountKindPath, Path, description = "`customers` or `resellers`"), ("login" = String, Path)),
    responses((status = 200, body = Account), Errors))]
pub async fn info(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path((kind, login)): Path<(AccountKindPath, String)>,
) -> ApiResult<Json<Value>> {
    let view = app.account_info(&actor, kind.kind(), &login).await?;
    Ok(Json(to_json(&view)))
}

/// Change login, password, contact data, description, external id, or a reseller's plan
/// and limits.
#[utoipa::path(patch, path = "/{kind}/{login}", tag = "accounts",
    params(("kind" = AccountKindPath, Path, description = "`customers` or `resellers`"), ("login" = String, Path), DryRun),
    request_body = AccountBody,
    responses((status = 200, body = Account), Errors))]
pub async fn update(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path((kind, login)): Path<(AccountKindPath, String)>,
    Query(dry): Query<DryRun>,
    Body(body): Body<AccountBody>,
) -> ApiResult<Json<Value>> {
    let kind = kind.kind();
    if body.login.is_some() {
        return Err(ApiError::invalid(
            "login",
            "use new_login to change the login",
        ));
    }
    if body.domain.is_some() || body.owner.is_some() {
        return Err(ApiError::invalid(
            "owner",
            "owner and domain are not changed here: move customers, or create subscriptions",
        ));
    }
    let with_terms = body.has_terms() || body.plan.is_some();
    if with_terms && kind != AccountKind::Reseller {
        return Err(ApiError::invalid(
            "plan",
            "only resellers have a plan and limits; customers' subscriptions do",
        ));
    }
    let update = AccountUpdate {
        new_login: body.new_login.clone(),
        password: body.password.clone(),
        contact: body.contact(),
        description: body.description.clone(),
        external_id: body.external_id.clone(),
    };
    let account_fields = update.new_login.is_some()
        || update.password.is_some()
        || !update.contact.is_empty()
        || update.description.is_some()
        || update.external_id.is_some();
    let mode = dry.mode();
    if with_terms && !account_fields {
        let view = app
            .set_reseller_terms(&actor, &login, &body.terms(), mode)
            .await?;
        return Ok(Json(with_dry_run(to_json(&view), &dry)));
    }
    let outcome = app
        .update_account(&actor, kind, &login, update, mode)
        .await?;
    let mut value = to_json(&outcome.account);
    if with_terms {
        let view = app
            .set_reseller_terms(&actor, &outcome.account.login, &body.terms(), mode)
            .await?;
        value = to_json(&view);
    }
    value["changed"] = json!(outcome.changed);
    value["notice"] = json!(outcome.notice);
    Ok(Json(with_dry_run(value, &dry)))
}

/// Remove one account and everything it owns.
#[utoipa::path(delete, path = "/{kind}/{login}", tag = "accounts",
    params(("kind" = AccountKindPath, Path, description = "`customers` or `resellers`"), ("login" = String, Path), DryRun),
    responses((status = 200, body = Object), Errors))]
pub async fn remove_one(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path((kind, login)): Path<(AccountKindPath, String)>,
    Query(dry): Query<DryRun>,
) -> ApiResult<Json<Value>> {
    let mut results = app
        .remove_accounts(&actor, kind.kind(), &[login], dry.mode(), &NoProgress)
        .await;
    crate::single(results.pop())
}

/// Remove accounts (bulk): a reseller goes with its customers.
#[utoipa::path(post, path = "/{kind}/remove", tag = "accounts",
    params(("kind" = AccountKindPath, Path, description = "`customers` or `resellers`"), DryRun),
    request_body = Names,
    responses((status = 200, body = Vec<BulkResult>), Errors))]
pub async fn remove(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path(kind): Path<AccountKindPath>,
    Query(dry): Query<DryRun>,
    Body(body): Body<Names>,
) -> ApiResult<Json<Value>> {
    let results = app
        .remove_accounts(&actor, kind.kind(), &body.names, dry.mode(), &NoProgress)
        .await;
    Ok(Json(to_json(&results)))
}

/// Suspend accounts (bulk); what they own is suspended with reason `owner`.
#[utoipa::path(post, path = "/{kind}/suspend", tag = "accounts",
    params(("kind" = AccountKindPath, Path, description = "`customers` or `resellers`"), DryRun),
    request_body = Names,
    responses((status = 200, body = Vec<BulkResult>), Errors))]
pub async fn suspend(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path(kind): Path<AccountKindPath>,
    Query(dry): Query<DryRun>,
    Body(body): Body<Names>,
) -> ApiResult<Json<Value>> {
    let results = app
        .suspend_accounts(&actor, kind.kind(), &body.names, dry.mode(), &NoProgress)
        .await;
    Ok(Json(to_json(&results)))
}

/// Activate accounts (bulk): lift the reasons at or below the caller's level.
#[utoipa::path(post, path = "/{kind}/activate", tag = "accounts",
    params(("kind" = AccountKindPath, Path, description = "`customers` or `resellers`"), DryRun),
    request_body = Names,
    responses((status = 200, body = Vec<BulkResult>), Errors))]
pub async fn activate(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path(kind): Path<AccountKindPath>,
    Query(dry): Query<DryRun>,
    Body(body): Body<Names>,
) -> ApiResult<Json<Value>> {
    let results = app
        .activate_accounts(&actor, kind.kind(), &body.names, dry.mode(), &NoProgress)
        .await;
    Ok(Json(to_json(&results)))
}

/// Convert to the other kind: customers to resellers (on a reseller plan or custom), or
/// resellers to customers of the admin (refused while they own customers).
#[utoipa::path(post, path = "/{kind}/convert", tag = "accounts",
    params(("kind" = AccountKindPath, Path, description = "`customers` or `resellers`: the kind they are now"), DryRun),
    request_body = ConvertBody,
    responses((status = 200, body = Vec<BulkResult>), Errors))]
pub async fn convert(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path(kind): Path<AccountKindPath>,
    Query(dry): Query<DryRun>,
    Body(body): Body<ConvertBody>,
) -> ApiResult<Json<Value>> {
    let plan = body.plan.as_deref();
    let results = match kind {
        AccountKindPath::Customers => {
            app.convert_to_reseller(&actor, &body.names, plan, dry.mode(), &NoProgress)
                .await
        }
        AccountKindPath::Resellers => {
            app.convert_to_customer(&actor, &body.names, plan, dry.mode(), &NoProgress)
                .await
        }
    };
    Ok(Json(to_json(&results)))
}

/// Move customers to another owner (admin only).
#[utoipa::path(post, path = "/{kind}/move", tag = "accounts",
    params(("kind" = AccountKindPath, Path, description = "`customers` only"), DryRun),
    request_body = MoveBody,
    responses((status = 200, body = Vec<BulkResult>), Errors))]
pub async fn move_customers(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path(kind): Path<AccountKindPath>,
    Query(dry): Query<DryRun>,
    Body(body): Body<MoveBody>,
) -> ApiResult<Json<Value>> {
    if kind != AccountKindPath::Customers {
        return Err(ApiError::invalid(
            "kind",
            "only customers move to another owner",
        ));
    }
    let results = app
        .move_customers(
            &actor,
            &body.names,
            &body.to,
            body.plan.as_deref(),
            &body.ips,
            dry.mode(),
            &NoProgress,
        )
        .await;
    Ok(Json(to_json(&results)))
}

fn resellers_only(kind: AccountKindPath) -> ApiResult<()> {
    if kind == AccountKindPath::Resellers {
        Ok(())
    } else {
        Err(ApiError::invalid("kind", "this is about resellers"))
    }
}

/// A reseller's limits: allocated, used and remaining (R4.4).
#[utoipa::path(get, path = "/{kind}/{login}/overview", tag = "accounts",
    params(("kind" = AccountKindPath, Path, description = "`resellers` only"), ("login" = String, Path)),
    responses((status = 200, body = Object), Errors))]
pub async fn overview(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path((kind, login)): Path<(AccountKindPath, String)>,
) -> ApiResult<Json<Value>> {
    resellers_only(kind)?;
    Ok(Json(to_json(&app.reseller_overview(&actor, &login).await?)))
}

/// Add addresses to a reseller's IP pool (R4.5).
#[utoipa::path(post, path = "/{kind}/{login}/ip-pool/add", tag = "accounts",
    params(("kind" = AccountKindPath, Path, description = "`resellers` only"), ("login" = String, Path), DryRun),
    request_body = PoolBody,
    responses((status = 200, body = Vec<BulkResult>), Errors))]
pub async fn pool_add(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path((kind, login)): Path<(AccountKindPath, String)>,
    Query(dry): Query<DryRun>,
    Body(body): Body<PoolBody>,
) -> ApiResult<Json<Value>> {
    resellers_only(kind)?;
    let results = app
        .pool_add(&actor, &login, &body.ips, dry.mode(), &NoProgress)
        .await;
    Ok(Json(to_json(&results)))
}

/// Remove addresses from a reseller's IP pool.
#[utoipa::path(post, path = "/{kind}/{login}/ip-pool/remove", tag = "accounts",
    params(("kind" = AccountKindPath, Path, description = "`resellers` only"), ("login" = String, Path), DryRun),
    request_body = PoolBody,
    responses((status = 200, body = Vec<BulkResult>), Errors))]
pub async fn pool_remove(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path((kind, login)): Path<(AccountKindPath, String)>,
    Query(dry): Query<DryRun>,
    Body(body): Body<PoolBody>,
) -> ApiResult<Json<Value>> {
    resellers_only(kind)?;
    let results = app
        .pool_remove(&actor, &login, &body.ips, dry.mode(), &NoProgress)
        .await;
    Ok(Json(to_json(&results)))
}
