//! Request bodies, query strings and documented response shapes of the REST API. Field
//! names are those of CLI.md (the command line's flags and JSON shapes).

use berth_app::plans::Assignment;
use berth_core::property::Group;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use crate::error::ErrorDetail;

/// `?dry_run=true`: compute the impact through the same code path and write nothing.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DryRun {
    /// Show what would change; write nothing.
    pub dry_run: Option<bool>,
}

impl DryRun {
    /// The service layer's mode.
    pub fn mode(&self) -> berth_app::Mode {
        if self.dry_run == Some(true) {
            berth_app::Mode::DryRun
        } else {
            berth_app::Mode::Apply
        }
    }
}

/// Which accounts a path is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AccountKindPath {
    /// Customers.
    Customers,
    /// Resellers.
    Resellers,
}

impl AccountKindPath {
    /// The account kind.
    pub fn kind(self) -> berth_core::account::AccountKind {
        match self {
            AccountKindPath::Customers => berth_core::account::AccountKind::Customer,
            AccountKindPath::Resellers => berth_core::account::AccountKind::Reseller,
        }
    }
}

/// The bulk form of a verb: the objects by name (logins, domains, addresses).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Names {
    /// Logins, domain names or addresses.
    pub names: Vec<String>,
}

/// Account list filters (R1.9).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountListQuery {
    /// Only accounts owned by this login.
    pub owner: Option<String>,
    /// `active` or `suspended`.
    pub status: Option<String>,
    /// Text to find in login, name, company or email.
    pub search: Option<String>,
    /// `FIELD[:desc]`.
    pub sort: Option<String>,
    /// Page size (1–1000, default 100).
    pub limit: Option<u32>,
    /// Continue after this account (the `next` of the previous page).
    pub after: Option<String>,
}

/// Subscription list filters (R1.9).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubscriptionListQuery {
    /// Only subscriptions of this subscriber.
    pub owner: Option<String>,
    /// Only subscriptions on this service plan.
    pub plan: Option<String>,
    /// `active` or `suspended`.
    pub status: Option<String>,
    /// `synced`, `locked` or `unsynced`.
    pub sync_state: Option<String>,
    /// Only subscriptions whose usage exceeds a limit.
    pub overused: Option<bool>,
    /// Only expired subscriptions.
    pub expired: Option<bool>,
    /// Text to find in the domain name.
    pub search: Option<String>,
    /// `FIELD[:desc]`.
    pub sort: Option<String>,
    /// Page size (1–1000, default 100).
    pub limit: Option<u32>,
    /// Continue after this subscription (the `next` of the previous page).
    pub after: Option<String>,
}

/// Which plan a path names, when the name alone is ambiguous.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanQuery {
    /// `service`, `addon` or `reseller`.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub plan_type: Option<String>,
    /// The plan's owner; default: the caller.
    pub owner: Option<String>,
    /// Show what would change; write nothing (changes only).
    pub dry_run: Option<bool>,
}

/// Plan properties, by group (SPEC R2.4 names): values are strings, numbers or booleans
/// as on the command line (`"10G"`, `5`, `"unlimited"`, `true`).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct Properties {
    /// Resource limits, e.g. `{"disk_space": "10G", "max_site": 5}`.
    #[schema(value_type = Option<Object>)]
    pub limits: Option<Map<String, Value>>,
    /// Permissions, e.g. `{"manage_dns": true}`.
    #[schema(value_type = Option<Object>)]
    pub permissions: Option<Map<String, Value>>,
    /// Hosting settings.
    #[schema(value_type = Option<Object>)]
    pub hosting: Option<Map<String, Value>>,
    /// PHP settings.
    #[schema(value_type = Option<Object>)]
    pub php: Option<Map<String, Value>>,
    /// Mail settings.
    #[schema(value_type = Option<Object>)]
    pub mail: Option<Map<String, Value>>,
    /// DNS zone type: `master` or `slave`.
    pub dns: Option<String>,
    /// Performance settings.
    #[schema(value_type = Option<Object>)]
    pub performance: Option<Map<String, Value>>,
    /// Logs and statistics settings.
    #[schema(value_type = Option<Object>)]
    pub logs: Option<Map<String, Value>>,
    /// Catalogue applications: `all`, `none` or `a,b`.
    pub apps: Option<String>,
    /// The overuse policy (R6.3).
    pub overuse: Option<String>,
    /// Reseller plans: whether the reseller may oversell.
    pub oversell: Option<bool>,
}

/// A JSON value as the command line would have typed it.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn group(out: &mut Vec<Assignment>, group: Group, map: Option<&Map<String, Value>>) {
    for (name, value) in map.into_iter().flatten() {
        out.push((group, format!("{name}={}", text(value))));
    }
}

impl Properties {
    /// The assignments for the service layer, in the command line's order.
    pub fn assignments(&self) -> Vec<Assignment> {
        let mut out = Vec::new();
        group(&mut out, Group::Limits, self.limits.as_ref());
        group(&mut out, Group::Permissions, self.permissions.as_ref());
        group(&mut out, Group::Hosting, self.hosting.as_ref());
        group(&mut out, Group::Php, self.php.as_ref());
        group(&mut out, Group::Mail, self.mail.as_ref());
        if let Some(dns) = &self.dns {
            out.push((Group::Dns, dns.clone()));
        }
        group(&mut out, Group::Performance, self.performance.as_ref());
        group(&mut out, Group::Logs, self.logs.as_ref());
        if let Some(apps) = &self.apps {
            out.push((Group::Applications, apps.clone()));
        }
        if let Some(o) = &self.overuse {
            out.push((Group::Limits, format!("overuse={o}")));
        }
        if let Some(o) = self.oversell {
            out.push((Group::Permissions, format!("allow_oversell={o}")));
        }
        out
    }

    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        self.assignments().is_empty()
    }
}

/// Only limits and permissions (subscription customization, R3.5).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Custom {
    /// Resource limits.
    #[schema(value_type = Option<Object>)]
    pub limits: Option<Map<String, Value>>,
    /// Permissions.
    #[schema(value_type = Option<Object>)]
    pub permissions: Option<Map<String, Value>>,
}

impl Custom {
    /// The assignments for the service layer.
    pub fn assignments(&self) -> Vec<Assignment> {
        let mut out = Vec::new();
        group(&mut out, Group::Limits, self.limits.as_ref());
        group(&mut out, Group::Permissions, self.permissions.as_ref());
        out
    }
}

/// `POST /plans`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewPlanBody {
    /// Name (unique per owner and type).
    pub name: String,
    /// `service` (default), `addon` or `reseller`.
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub plan_type: Option<String>,
    /// Owner: the admin or a reseller; default: the caller.
    pub owner: Option<String>,
    /// Properties.
    #[serde(flatten)]
    pub props: Properties,
}

/// `PATCH /plans/{name}`: Update & Sync.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PlanUpdateBody {
    /// New name.
    pub new_name: Option<String>,
    /// Properties to change.
    #[serde(flatten)]
    pub props: Properties,
}

/// Contact data, description, password and reseller terms of an account.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountBody {
    /// Login (create only).
    pub login: Option<String>,
    /// New login (update only).
    pub new_login: Option<String>,
    /// Password (required on create).
    pub password: Option<String>,
    /// Customers: the owner (a reseller or the admin); default: the caller.
    pub owner: Option<String>,
    /// Contact name.
    pub name: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Company.
    pub company: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Fax.
    pub fax: Option<String>,
    /// Street address.
    pub address: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State or province.
    pub state: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country: Option<String>,
    /// Locale such as en-US.
    pub locale: Option<String>,
    /// Identifier in an external system.
    pub external_id: Option<String>,
    /// Owner-side note.
    pub description: Option<String>,
    /// Resellers: the reseller plan (`""` makes it custom). Customers (create): the service
    /// plan of the first subscription.
    pub plan: Option<String>,
    /// Resellers: limits.
    #[schema(value_type = Option<Object>)]
    pub limits: Option<Map<String, Value>>,
    /// Resellers: permissions.
    #[schema(value_type = Option<Object>)]
    pub permissions: Option<Map<String, Value>>,
    /// Resellers: whether allocations may exceed the limits.
    pub oversell: Option<bool>,
    /// Customers (create): the first subscription's domain.
    pub domain: Option<String>,
    /// First subscription: add-on plans.
    #[serde(default)]
    pub addons: Vec<String>,
    /// First subscription: IP addresses.
    #[serde(default)]
    pub ips: Vec<String>,
    /// First subscription: system user.
    pub system_user: Option<String>,
    /// First subscription: system password.
    pub system_password: Option<String>,
}

impl AccountBody {
    /// The contact fields for the service layer.
    pub fn contact(&self) -> berth_core::account::ContactInput {
        berth_core::account::ContactInput {
            name: self.name.clone(),
            company: self.company.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            fax: self.fax.clone(),
            address: self.address.clone(),
            city: self.city.clone(),
            state: self.state.clone(),
            postal_code: self.postal_code.clone(),
            country: self.country.clone(),
            locale: self.locale.clone(),
        }
    }

    /// Whether reseller terms (limits, permissions, oversell) are given.
    pub fn has_terms(&self) -> bool {
        self.limits.as_ref().is_some_and(|m| !m.is_empty())
            || self.permissions.as_ref().is_some_and(|m| !m.is_empty())
            || self.oversell.is_some()
    }

    /// The reseller terms for the service layer.
    pub fn terms(&self) -> berth_app::resellers::ResellerTerms {
        let mut assignments = Vec::new();
        group(&mut assignments, Group::Limits, self.limits.as_ref());
        group(
            &mut assignments,
            Group::Permissions,
            self.permissions.as_ref(),
        );
        if let Some(o) = self.oversell {
            assignments.push((Group::Permissions, format!("allow_oversell={o}")));
        }
        berth_app::resellers::ResellerTerms {
            plan: self.plan.clone(),
            assignments,
        }
    }
}

/// `convert`: to the other kind, on a plan or custom.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConvertBody {
    /// Accounts to convert.
    pub names: Vec<String>,
    /// To a reseller: its reseller plan. To a customer: the admin's service plan for its
    /// subscriptions. Default: custom.
    pub plan: Option<String>,
}

/// `move`: customers to another owner.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveBody {
    /// Customers to move.
    pub names: Vec<String>,
    /// The new owner: a reseller or the admin.
    pub to: String,
    /// A service plan of the new owner (default: custom).
    pub plan: Option<String>,
    /// IP addresses of the new owner's pool.
    #[serde(default)]
    pub ips: Vec<String>,
}

/// IP addresses of a reseller's pool.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PoolBody {
    /// Addresses.
    pub ips: Vec<String>,
}

/// `POST /subscriptions`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSubscriptionBody {
    /// The main domain name (Unicode or punycode).
    pub domain: String,
    /// The subscriber; default: the caller.
    pub owner: Option<String>,
    /// The service plan; without it the subscription is custom.
    pub plan: Option<String>,
    /// Add-on plans.
    #[serde(default)]
    pub addons: Vec<String>,
    /// IP addresses; default: the first shared IPv4 and IPv6 addresses.
    #[serde(default)]
    pub ips: Vec<String>,
    /// The system user; default: derived from the domain.
    pub system_user: Option<String>,
    /// The system password; generated and returned once if absent.
    pub system_password: Option<String>,
    /// "Customize now": limits.
    #[schema(value_type = Option<Object>)]
    pub limits: Option<Map<String, Value>>,
    /// "Customize now": permissions.
    #[schema(value_type = Option<Object>)]
    pub permissions: Option<Map<String, Value>>,
}

/// `change-plan`: a new service plan, or null to detach (custom).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePlanBody {
    /// Domain names.
    pub names: Vec<String>,
    /// The new plan; null detaches.
    pub plan: Option<String>,
}

/// `add-addon` / `remove-addon`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddonBody {
    /// Domain names.
    pub names: Vec<String>,
    /// The add-on plan.
    pub addon: String,
}

/// `unlock`: release customized fields.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnlockBody {
    /// Domain names.
    pub names: Vec<String>,
    /// Only these fields; default: all.
    #[serde(default)]
    pub fields: Vec<String>,
}

/// `change-subscriber`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeSubscriberBody {
    /// Domain names.
    pub names: Vec<String>,
    /// The new subscriber.
    pub to: String,
}

/// `sync`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncBody {
    /// Take the available values of the conflict report.
    #[serde(default)]
    pub accept: bool,
}

/// `renew`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenewBody {
    /// `YYYY-MM-DD` or `unlimited`.
    pub expiration: String,
}

/// `PATCH /subscriptions/{domain}`: hosting settings.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HostingBody {
    /// IP addresses (replace the current ones).
    #[serde(default)]
    pub ips: Vec<String>,
    /// New system user.
    pub system_user: Option<String>,
    /// New system password.
    pub system_password: Option<String>,
}

/// `POST /ips`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIpBody {
    /// The address.
    pub ip: String,
    /// `shared` or `dedicated`.
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub kind: String,
    /// The network interface.
    pub interface: Option<String>,
}

/// `PATCH /ips/{ip}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IpUpdateBody {
    /// New type.
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub kind: Option<String>,
    /// New interface (empty clears it).
    pub interface: Option<String>,
}

/// `POST /api-keys`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiKeyBody {
    /// Source addresses the key is accepted from; empty: any.
    #[serde(default)]
    pub ips: Vec<String>,
}

/// An account (CLI.md shape); a reseller adds `plan, limits, permissions, oversell`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Account {
    /// Stable id.
    pub id: uuid::Uuid,
    /// `admin`, `reseller` or `customer`.
    pub kind: String,
    /// Login.
    pub login: String,
    /// Owner's login.
    pub owner: Option<String>,
    /// Contact name.
    pub name: String,
    /// Company.
    pub company: Option<String>,
    /// Email.
    pub email: String,
    /// `active` or `suspended`.
    pub status: String,
    /// `[{reason, by, at}]`.
    #[schema(value_type = Vec<Object>)]
    pub suspension_reasons: Vec<Value>,
    /// Owner-side note, when the caller may see it.
    pub description: Option<String>,
}

/// A page of accounts.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountPage {
    /// The accounts.
    pub items: Vec<Account>,
    /// `after` of the next page; null on the last.
    pub next: Option<String>,
}

/// A subscription (CLI.md shape).
#[derive(Debug, Serialize, ToSchema)]
pub struct Subscription {
    /// Stable id.
    pub id: uuid::Uuid,
    /// Domain name (Unicode).
    pub name: String,
    /// Domain name (punycode).
    pub ascii_name: String,
    /// Subscriber.
    pub owner: String,
    /// Plan name or null.
    pub plan: Option<String>,
    /// Add-on names.
    pub addons: Vec<String>,
    /// `synced`, `locked` or `unsynced`.
    pub sync_state: String,
    /// `active` or `suspended`.
    pub status: String,
    /// `YYYY-MM-DD` or null.
    pub expiration: Option<String>,
    /// Limits (`-1` unlimited).
    #[schema(value_type = Object)]
    pub limits: Value,
    /// Permissions.
    #[schema(value_type = Object)]
    pub permissions: Value,
    /// Whether usage exceeds a limit.
    pub overused: bool,
    /// IP addresses.
    pub ips: Vec<String>,
    /// System user.
    pub system_user: String,
    /// `[{property, plan_value, available_value}]`.
    #[schema(value_type = Vec<Object>)]
    pub conflicts: Vec<Value>,
}

/// A page of subscriptions.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionPage {
    /// The subscriptions.
    pub items: Vec<Subscription>,
    /// `after` of the next page; null on the last.
    pub next: Option<String>,
}

/// A plan (CLI.md shape).
#[derive(Debug, Serialize, ToSchema)]
pub struct Plan {
    /// Stable id.
    pub id: uuid::Uuid,
    /// Name.
    pub name: String,
    /// Owner's login.
    pub owner: String,
    /// `service`, `addon` or `reseller`.
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub plan_type: String,
    /// Limits.
    #[schema(value_type = Object)]
    pub limits: Value,
    /// Permissions.
    #[schema(value_type = Object)]
    pub permissions: Value,
    /// Subscriptions using it.
    pub subscriptions: u64,
}

/// A registered IP address.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ip {
    /// Stable id.
    pub id: uuid::Uuid,
    /// Canonical address.
    pub address: String,
    /// 4 or 6.
    pub family: u8,
    /// `shared` or `dedicated`.
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub kind: String,
    /// Interface.
    pub interface: Option<String>,
}

/// One object's outcome in a bulk operation.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkResult {
    /// The object as named.
    pub name: String,
    /// Whether it succeeded.
    pub ok: bool,
    /// Why it failed.
    pub error: Option<ErrorDetail>,
    /// What was done (or would be, in a dry run).
    #[schema(value_type = Option<Object>)]
    pub result: Option<Value>,
}

/// An API key just created: the key is shown only this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKey {
    /// Id.
    pub id: uuid::Uuid,
    /// The key, for `Authorization: Bearer`.
    pub key: String,
    /// The account it acts as.
    pub login: String,
    /// Allowed source addresses (empty: any).
    pub ips: Vec<String>,
    /// Creation time.
    pub created: String,
}

/// A stored API key.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKey {
    /// Id.
    pub id: uuid::Uuid,
    /// The account it acts as.
    pub login: String,
    /// Allowed source addresses (empty: any).
    pub ips: Vec<String>,
    /// Creation time.
    pub created: String,
    /// Whether it was revoked.
    pub revoked: bool,
}

/// `GET /healthz`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
}

/// A provisioning job (R9.3, R11.4).
#[derive(Debug, Serialize, ToSchema)]
pub struct Job {
    /// The job's id.
    pub id: uuid::Uuid,
    /// `pending`, `running`, `done` or `failed`.
    pub state: String,
    /// The subscription (punycode), or null when it is gone.
    pub subscription: Option<String>,
    /// How many times a worker took it.
    pub attempts: u32,
    /// The last failure, if any.
    pub error: Option<String>,
    /// Not before this instant (retry backoff).
    pub run_after: String,
    /// Queued at.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
}
