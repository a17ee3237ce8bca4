//! `/api/v1/sites`, `/api/v1/aliases`, `/api/v1/subdomains` and `/api/v1/dns` (R3.9,
//! R7.1–R7.4): additional domains, aliases, subdomains, DNS zones, records and the
//! server's zone template.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use berth_app::dns::RecordInput;
use berth_app::domains::{AliasChange, NewAlias, NewSite, NewSubdomain};
use berth_app::{Berth, NoProgress};
use serde::Deserialize;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::dto::{BulkResult, DryRun, Names};
use crate::error::{ApiResult, Errors};
use crate::extract::{Body, Path, Query};
use crate::to_json;

/// `POST /sites`: an additional domain of a subscription.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSiteBody {
    /// The domain name.
    pub domain: String,
    /// The subscription (by its main domain).
    pub subscription: String,
    /// Where its files live; default: its ASCII name.
    pub document_root: Option<String>,
}

/// `POST /aliases`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAliasBody {
    /// The alias name.
    pub alias: String,
    /// The domain (main or additional) it is an alias of.
    pub domain: String,
    /// `redirect` (default), `same` or `off`.
    pub web: Option<String>,
    /// Mail to the alias goes to the domain (default true).
    pub mail: Option<bool>,
    /// The alias's zone follows the domain's (default true).
    pub dns_sync: Option<bool>,
}

/// `PATCH /aliases/{alias}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AliasChangeBody {
    /// `redirect`, `same` or `off`.
    pub web: Option<String>,
    /// Mail to the alias goes to the domain.
    pub mail: Option<bool>,
    /// The alias's zone follows the domain's.
    pub dns_sync: Option<bool>,
}

/// `POST /subdomains`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSubdomainBody {
    /// The part before the domain (`blog`), or the full name.
    pub name: String,
    /// The domain it belongs to.
    pub domain: String,
    /// Where its files live; default: its full ASCII name.
    pub document_root: Option<String>,
}

/// A DNS record as typed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordBody {
    /// The type (`A`, `AAAA`, `CNAME`, `MX`, `TXT`, `NS`, `SRV`, ...).
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub rtype: String,
    /// `@`, a name relative to the zone, or an absolute name inside it.
    pub host: String,
    /// The value.
    pub value: String,
    /// MX and SRV priority.
    pub priority: Option<i64>,
    /// TTL in seconds; default the zone's.
    pub ttl: Option<i64>,
}

impl RecordBody {
    fn input(self) -> RecordInput {
        RecordInput {
            rtype: self.rtype,
            host: self.host,
            value: self.value,
            priority: self.priority,
            ttl: self.ttl,
        }
    }
}

/// `PUT /dns/template`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateBody {
    /// The template in zone-file form (as `berth dns template set FILE` reads it).
    pub text: String,
}

/// `GET /sites?subscription=`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SiteQuery {
    /// Only the domains of this subscription.
    pub subscription: Option<String>,
}

/// `GET /aliases?domain=` and `GET /subdomains?domain=`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DomainQuery {
    /// Only those of this domain.
    pub domain: Option<String>,
}

/// List additional domains.
#[utoipa::path(get, path = "/sites", tag = "domains", params(SiteQuery),
    responses((status = 200, body = Vec<Object>), Errors))]
pub async fn list_sites(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Query(q): Query<SiteQuery>,
) -> ApiResult<Json<Value>> {
    let sites = app.list_sites(&actor, q.subscription.as_deref()).await?;
    Ok(Json(to_json(&sites)))
}

/// Create an additional domain (max_site).
#[utoipa::path(post, path = "/sites", tag = "domains", params(DryRun), request_body = NewSiteBody,
    responses((status = 201, body = Object), Errors))]
pub async fn create_site(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Query(dry): Query<DryRun>,
    Body(body): Body<NewSiteBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let input = NewSite {
        domain: body.domain,
        subscription: body.subscription,
        document_root: body.document_root,
    };
    let outcome = app.create_site(&actor, input, dry.mode()).await?;
    Ok((StatusCode::CREATED, Json(to_json(&outcome))))
}

/// Remove additional domains (bulk).
#[utoipa::path(post, path = "/sites/remove", tag = "domains", params(DryRun), request_body = Names,
    responses((status = 200, body = Vec<BulkResult>), Errors))]
pub async fn remove_sites(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Query(dry): Query<DryRun>,
    Body(body): Body<Names>,
) -> ApiResult<Json<Value>> {
    let results = app
        .remove_sites(&actor, &body.names, dry.mode(), &NoProgress)
        .await;
    Ok(Json(to_json(&results)))
}

/// List aliases.
#[utoipa::path(get, path = "/aliases", tag = "domains", params(DomainQuery),
    responses((status = 200, body = Vec<Object>), Errors))]
pub async fn list_aliases(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Query(q): Query<DomainQuery>,
) -> ApiResult<Json<Value>> {
    Ok(Json(to_json(
        &app.list_aliases(&actor, q.domain.as_deref()).await?,
    )))
}

/// Create an alias of a domain.
#[utoipa::path(post, path = "/aliases", tag = "domains", params(DryRun), request_body = NewAliasBody,
    responses((status = 201, body = Object), Errors))]
pub async fn create_alias(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Query(dry): Query<DryRun>,
    Body(body): Body<NewAliasBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let input = NewAlias {
        alias: body.alias,
        domain: body.domain,
        web: body.web,
        mail: body.mail,
        dns_sync: body.dns_sync,
    };
    let outcome = app.create_alias(&actor, input, dry.mode()).await?;
    Ok((StatusCode::CREATED, Json(to_json(&outcome))))
}

/// Change an alias's options.
#[utoipa::path(patch, path = "/aliases/{alias}", tag = "domains",
    params(("alias" = String, Path), DryRun), request_body = AliasChangeBody,
    responses((status = 200, body = Object), Errors))]
pub async fn update_alias(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path(alias): Path<String>,
    Query(dry): Query<DryRun>,
    Body(body): Body<AliasChangeBody>,
) -> ApiResult<Json<Value>> {
    let change = AliasChange {
        web: body.web,
        mail: body.mail,
        dns_sync: body.dns_sync,
    };
    let outcome = app.update_alias(&actor, &alias, change, dry.mode()).await?;
    Ok(Json(to_json(&outcome)))
}

/// Remove aliases (bulk).
#[utoipa::path(post, path = "/aliases/remove", tag = "domains", params(DryRun), request_body = Names,
    responses((status = 200, body = Vec<BulkResult>), Errors))]
pub async fn remove_aliases(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Query(dry): Query<DryRun>,
    Body(body): Body<Names>,
) -> ApiResult<Json<Value>> {
    let results = app
        .remove_aliases(&actor, &body.names, dry.mode(), &NoProgress)
        .await;
    Ok(Json(to_json(&results)))
}

/// List subdomains.
#[utoipa::path(get, path = "/subdomains", tag = "domains", params(DomainQuery),
    responses((status = 200, body = Vec<Object>), Errors))]
pub async fn list_subdomains(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Query(q): Query<DomainQuery>,
) -> ApiResult<Json<Value>> {
    Ok(Json(to_json(
        &app.list_subdomains(&actor, q.domain.as_deref()).await?,
    )))
}

/// Create a subdomain (max_subdom).
#[utoipa::path(post, path = "/subdomains", tag = "domains", params(DryRun),
    request_body = NewSubdomainBody, responses((status = 201, body = Object), Errors))]
pub async fn create_subdomain(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Query(dry): Query<DryRun>,
    Body(body): Body<NewSubdomainBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let input = NewSubdomain {
        name: body.name,
        domain: body.domain,
        document_root: body.document_root,
    };
    let outcome = app.create_subdomain(&actor, input, dry.mode()).await?;
    Ok((StatusCode::CREATED, Json(to_json(&outcome))))
}

/// Remove subdomains (bulk).
#[utoipa::path(post, path = "/subdomains/remove", tag = "domains", params(DryRun),
    request_body = Names, responses((status = 200, body = Vec<BulkResult>), Errors))]
pub async fn remove_subdomains(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Query(dry): Query<DryRun>,
    Body(body): Body<Names>,
) -> ApiResult<Json<Value>> {
    let results = app
        .remove_subdomains(&actor, &body.names, dry.mode(), &NoProgress)
        .await;
    Ok(Json(to_json(&results)))
}

/// A domain's DNS zone with its records.
#[utoipa::path(get, path = "/dns/zones/{domain}", tag = "dns", params(("domain" = String, Path)),
    responses((status = 200, body = Object), Errors))]
pub async fn zone(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path(domain): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(to_json(&app.dns_zone(&actor, &domain).await?)))
}

/// Add a record to a zone by hand.
#[utoipa::path(post, path = "/dns/zones/{domain}/records", tag = "dns",
    params(("domain" = String, Path), DryRun), request_body = RecordBody,
    responses((status = 201, body = Object), Errors))]
pub async fn add_record(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path(domain): Path<String>,
    Query(dry): Query<DryRun>,
    Body(body): Body<RecordBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let change = app
        .add_dns_record(&actor, &domain, body.input(), dry.mode())
        .await?;
    Ok((StatusCode::CREATED, Json(to_json(&change))))
}

/// Remove a record from a zone.
#[utoipa::path(post, path = "/dns/zones/{domain}/records/remove", tag = "dns",
    params(("domain" = String, Path), DryRun), request_body = RecordBody,
    responses((status = 200, body = Object), Errors))]
pub async fn remove_record(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Path(domain): Path<String>,
    Query(dry): Query<DryRun>,
    Body(body): Body<RecordBody>,
) -> ApiResult<Json<Value>> {
    let change = app
        .remove_dns_record(&actor, &domain, body.input(), dry.mode())
        .await?;
    Ok(Json(to_json(&change)))
}

/// The server's DNS zone template.
#[utoipa::path(get, path = "/dns/template", tag = "dns",
    responses((status = 200, body = Object), Errors))]
pub async fn template(State(app): State<Berth>, Caller(actor): Caller) -> ApiResult<Json<Value>> {
    Ok(Json(to_json(&app.dns_template(&actor).await?)))
}

/// Replace the server's DNS zone template (admin only).
#[utoipa::path(put, path = "/dns/template", tag = "dns", params(DryRun),
    request_body = TemplateBody, responses((status = 200, body = Object), Errors))]
pub async fn set_template(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Query(dry): Query<DryRun>,
    Body(body): Body<TemplateBody>,
) -> ApiResult<Json<Value>> {
    Ok(Json(to_json(
        &app.set_dns_template(&actor, &body.text, dry.mode()).await?,
    )))
}

/// Apply the template to every zone (admin only).
#[utoipa::path(post, path = "/dns/template/apply", tag = "dns", params(DryRun),
    responses((status = 200, body = Object), Errors))]
pub async fn apply_template(
    State(app): State<Berth>,
    Caller(actor): Caller,
    Query(dry): Query<DryRun>,
) -> ApiResult<Json<Value>> {
    Ok(Json(to_json(
        &app.apply_dns_template(&actor, dry.mode(), &NoProgress)
            .await?,
    )))
}
