//! What the interfaces show: serialisable views built by the use cases after rights were
//! applied (a description the actor may not see is simply absent). Field names are the
//! JSON shapes of CLI.md and the REST API.

use berth_core::account::Account;
use berth_core::status::Status;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

/// One suspension reason as shown (`{reason, by, at}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuspensionView {
    /// `admin`, `reseller`, `customer`, `owner`, `expired`, `overuse`, `unpaid`.
    pub reason: &'static str,
    /// Login of who added it; null for the system.
    pub by: Option<String>,
    /// When it was added.
    pub at: DateTime<Utc>,
}

/// An account as shown to an actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountView {
    /// Stable id.
    pub id: Uuid,
    /// `admin`, `reseller` or `customer`.
    pub kind: &'static str,
    /// Login.
    pub login: String,
    /// Owner's login; null for the admin.
    pub owner: Option<String>,
    /// Contact name.
    pub name: String,
    /// Company.
    pub company: Option<String>,
    /// Email.
    pub email: String,
    /// Phone.
    pub phone: Option<String>,
    /// Fax.
    pub fax: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State.
    pub state: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// ISO country code.
    pub country: Option<String>,
    /// Locale.
    pub locale: String,
    /// Identifier in an external system.
    pub external_id: Option<String>,
    /// Owner-side note; absent when the actor may not see it (R1.5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `active` or `suspended`.
    pub status: &'static str,
    /// Why it is suspended.
    pub suspension_reasons: Vec<SuspensionView>,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Last change.
    pub updated: DateTime<Utc>,
    /// A reseller's limits, permissions, oversell policy and plan.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub reseller: Option<crate::resellers::ResellerView>,
}

impl AccountView {
    /// The view of `account`, with the description only if `show_description`.
    pub fn of(account: &Account, show_description: bool) -> Self {
        let c = &account.contact;
        AccountView {
            id: account.id.0,
            kind: account.kind.as_str(),
            login: account.login.to_string(),
            owner: account.owner.as_ref().map(|o| o.login.to_string()),
            name: c.name.clone(),
            company: c.company.clone(),
            email: c.email.to_string(),
            phone: c.phone.as_ref().map(|p| p.as_str().to_owned()),
            fax: c.fax.as_ref().map(|p| p.as_str().to_owned()),
            address: c.address.clone(),
            city: c.city.clone(),
            state: c.state.clone(),
            postal_code: c.postal_code.clone(),
            country: c.country.as_ref().map(|c| c.as_str().to_owned()),
            locale: c.locale.as_str().to_owned(),
            external_id: account.external_id.clone(),
            description: if show_description {
                account.description.clone()
            } else {
                None
            },
            status: Status::of(&account.suspensions).as_str(),
            suspension_reasons: account
                .suspensions
                .iter()
                .map(|s| SuspensionView {
                    reason: s.reason.as_str(),
                    by: s.by.as_ref().map(ToString::to_string),
                    at: s.at,
                })
                .collect(),
            created: account.created_at,
            updated: account.updated_at,
            reseller: None,
        }
    }
}

/// A page of a list, with the cursor of the next page when there may be one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    /// The items, in order.
    pub items: Vec<T>,
    /// Pass as `after` to get the next page; the id of the last item. Null on the last page.
    pub next: Option<String>,
}

/// The outcome of one object in a bulk operation (`{name, ok, error}`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BulkItem<T> {
    /// The object as named by the caller.
    pub name: String,
    /// Whether it succeeded.
    pub ok: bool,
    /// Why it failed.
    pub error: Option<berth_core::Error>,
    /// What was done (or would be, in a dry run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<T>,
}

impl<T> BulkItem<T> {
    /// The report of one object from its outcome.
    pub fn from_result(name: &str, result: berth_core::Result<T>) -> Self {
        match result {
            Ok(r) => BulkItem {
                name: name.to_owned(),
                ok: true,
                error: None,
                result: Some(r),
            },
            Err(e) => BulkItem {
                name: name.to_owned(),
                ok: false,
                error: Some(e),
                result: None,
            },
        }
    }
}
