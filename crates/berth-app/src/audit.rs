//! The audit log (R10.9, R11.4): recording changes made through an interface, and listing
//! them. The admin sees every entry; other accounts see the entries they made.

use berth_core::audit::{AuditEntry, clip};
use berth_core::query::parse_page_size;
use berth_core::rights::Actor;
use berth_core::{Error, Result};
use berth_store::audit::AuditQuery;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::Berth;
use crate::views::Page;

/// A change to record, as an interface saw it.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    /// Who made it.
    pub actor: Actor,
    /// The API key used, if any.
    pub api_key: Option<Uuid>,
    /// The client's address.
    pub source: Option<String>,
    /// The request id.
    pub request_id: String,
    /// `api` or `cli`.
    pub interface: &'static str,
    /// The operation (`POST /api/v1/customers`).
    pub action: String,
    /// The object it named.
    pub object: String,
    /// The outcome (HTTP status).
    pub status: u16,
}

/// An entry as shown.
#[derive(Debug, Clone, Serialize)]
pub struct AuditView {
    /// Id (pass as `after` for the next page).
    pub id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// Login of the actor.
    pub actor: String,
    /// Id of the API key used, if any.
    pub api_key: Option<Uuid>,
    /// Client address.
    pub source: Option<String>,
    /// Request id.
    pub request_id: String,
    /// `api` or `cli`.
    pub interface: String,
    /// The operation.
    pub action: String,
    /// The object.
    pub object: String,
    /// The outcome (HTTP status).
    pub status: u16,
}

impl AuditView {
    fn of(e: AuditEntry) -> Self {
        AuditView {
            id: e.id,
            at: e.at,
            actor: e.actor_login,
            api_key: e.api_key,
            source: e.source,
            request_id: e.request_id,
            interface: e.interface,
            action: e.action,
            object: e.object,
            status: e.status,
        }
    }
}

/// A list request as typed.
#[derive(Debug, Clone, Default)]
pub struct AuditListRequest {
    /// Only entries of this login (the admin only; others see their own anyway).
    pub actor: Option<String>,
    /// Page size (1–1000, default 100).
    pub limit: Option<u32>,
    /// Continue after this entry id.
    pub after: Option<String>,
}

impl Berth {
    /// Appends an entry to the audit log, in its own transaction.
    pub async fn record_audit(&self, record: AuditRecord) -> Result<()> {
        let entry = AuditEntry {
            id: self.new_id(),
            at: self.clock.now(),
            actor: record.actor.id,
            actor_login: record.actor.login.to_string(),
            api_key: record.api_key,
            source: record.source.as_deref().map(clip),
            request_id: clip(&record.request_id),
            interface: record.interface.to_owned(),
            action: clip(&record.action),
            object: clip(&record.object),
            status: record.status,
        };
        let mut tx = self.store.write().await?;
        tx.insert_audit(&entry).await?;
        Ok(tx.commit().await?)
    }

    /// A page of the audit log, newest first, as `actor` may see it.
    pub async fn list_audit(
        &self,
        actor: &Actor,
        request: AuditListRequest,
    ) -> Result<Page<AuditView>> {
        let limit = match request.limit {
            Some(n) => parse_page_size("limit", n)?,
            None => berth_core::query::PAGE_DEFAULT,
        };
        let before = request
            .after
            .as_deref()
            .map(|a| {
                Uuid::parse_str(a.trim())
                    .map_err(|_| Error::invalid("after", "after must be an entry id"))
            })
            .transpose()?;
        let mut tx = self.store.read().await?;
        let filter = match request.actor.as_deref() {
            None if actor.is_admin() => None,
            None => Some(actor.id),
            Some(login) => {
                let target = self.actor(Some(login)).await?;
                if !actor.is_admin() && target.id != actor.id {
                    return Err(Error::not_found("actor", format!("no account {login}")));
                }
                Some(target.id)
            }
        };
        let query = AuditQuery {
            actor: filter,
            before,
            limit: limit + 1,
        };
        let mut entries = tx.list_audit(&query).await?;
        let more = entries.len() > limit as usize;
        entries.truncate(limit as usize);
        let next = if more {
            entries.last().map(|e| e.id.to_string())
        } else {
            None
        };
        Ok(Page {
            items: entries.into_iter().map(AuditView::of).collect(),
            next,
        })
    }
}
