//! The audit log (R10.9, R11.4): who changed what, from where, and each changed field's
//! value before and after. The admin sees every entry; other accounts see their own.
//!
//! Two halves, linked by the entry id:
//! - **changes** are written by the use cases themselves, inside the transaction of the
//!   change ([`Berth::record_changes`]): a rolled-back operation (an error, a dry run)
//!   leaves none, a committed one always has them. The first change of a request also
//!   opens its entry, so no change is ever without one;
//! - **the request-level entry** (actor, API key, source, request id, interface,
//!   operation, objects, status) is completed by the interface once it has answered
//!   ([`Berth::record_audit`]).
//!
//! The request context reaches the use cases through a task-local [`AuditScope`] that each
//! interface sets around its call ([`within`]), so that no use-case signature carries it.
//! Calls made outside any scope (the scheduler, tests, benchmarks) open an entry of
//! interface `internal` per operation.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use berth_core::audit::{AuditEntry, FieldChange, clip};
use berth_core::query::parse_page_size;
use berth_core::rights::Actor;
use berth_core::{Error, Result};
use berth_store::Tx;
use berth_store::audit::AuditQuery;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::Berth;
use crate::views::Page;

tokio::task_local! {
    static SCOPE: Arc<AuditScope>;
}

/// The request a use case runs for, as its interface describes it. Set with [`within`].
#[derive(Debug)]
pub struct AuditScope {
    entry_id: Uuid,
    request_id: String,
    interface: &'static str,
    source: Option<String>,
    action: String,
    object: String,
    api_key: Mutex<Option<Uuid>>,
    next_seq: AtomicU32,
}

impl AuditScope {
    /// The id the request's entry has (its changes and its entry share it).
    pub fn entry_id(&self) -> Uuid {
        self.entry_id
    }

    /// Whether a use case recorded field changes under this scope (they may have been
    /// rolled back since: the entry then does not exist).
    pub fn has_changes(&self) -> bool {
        self.next_seq.load(Ordering::Relaxed) > 0
    }

    /// The request id.
    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// Notes the API key the request authenticated with (known after the scope opens).
    pub fn set_api_key(&self, key: Option<Uuid>) {
        if let Ok(mut k) = self.api_key.lock() {
            *k = key;
        }
    }

    fn api_key(&self) -> Option<Uuid> {
        self.api_key.lock().ok().and_then(|k| *k)
    }
}

/// What an interface knows about a request when it starts.
#[derive(Debug, Clone)]
pub struct ScopeRequest {
    /// The request id.
    pub request_id: String,
    /// `api`, `ui`, `xml` or `cli`.
    pub interface: &'static str,
    /// The client's address.
    pub source: Option<String>,
    /// The operation (`PATCH /api/v1/customers/bob`, `customer update`).
    pub action: String,
    /// The objects it names.
    pub object: String,
}

/// Runs `fut` with `scope` as the request of every use case it calls.
pub async fn within<F: Future>(scope: Arc<AuditScope>, fut: F) -> F::Output {
    SCOPE.scope(scope, fut).await
}

/// The scope of the running request, if an interface set one.
pub fn current_scope() -> Option<Arc<AuditScope>> {
    SCOPE.try_with(Arc::clone).ok()
}

/// A request-level entry, as an interface completes it once it has answered.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    /// The entry it completes (its scope's [`AuditScope::entry_id`]); `None` for the
    /// running scope's, or a new entry outside any scope.
    pub entry: Option<Uuid>,
    /// Who made it.
    pub actor: Actor,
    /// The API key used, if any.
    pub api_key: Option<Uuid>,
    /// The client's address.
    pub source: Option<String>,
    /// The request id.
    pub request_id: String,
    /// `api`, `ui`, `xml` or `cli`.
    pub interface: &'static str,
    /// The operation (`POST /api/v1/customers`).
    pub action: String,
    /// The object it named.
    pub object: String,
    /// The outcome (HTTP status, or the command's exit status).
    pub status: u16,
}

/// One changed field, as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeView {
    /// The object (`customer bob`).
    pub object: String,
    /// The field (`email`, `limits.disk_space`).
    pub field: String,
    /// The value before; null on creation or when not set.
    pub before: Option<String>,
    /// The value after; null on removal or when not set.
    pub after: Option<String>,
}

/// An entry as shown, with its changes.
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
    /// `api`, `ui`, `xml`, `cli` or `internal`.
    pub interface: String,
    /// The operation.
    pub action: String,
    /// The object.
    pub object: String,
    /// The outcome (HTTP status; exit status for `cli`; 0 when no answer was recorded).
    pub status: u16,
    /// The fields it changed.
    pub changes: Vec<ChangeView>,
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
            changes: Vec::new(),
        }
    }

    /// The CSV header of [`AuditView::csv_lines`].
    pub const CSV_HEADER: &'static str = "id,at,actor,api_key,source,request_id,interface,action,object,status,change_object,field,before,after";

    /// The entry as CSV lines (RFC 4180, each ending in `\r\n`): one per change, or one
    /// with empty change columns when it has none.
    pub fn csv_lines(&self) -> String {
        let head = [
            self.id.to_string(),
            self.at.to_rfc3339(),
            self.actor.clone(),
            self.api_key.map(|k| k.to_string()).unwrap_or_default(),
            self.source.clone().unwrap_or_default(),
            self.request_id.clone(),
            self.interface.clone(),
            self.action.clone(),
            self.object.clone(),
            self.status.to_string(),
        ];
        let line = |tail: [&str; 4]| {
            let cells: Vec<String> = head
                .iter()
                .map(String::as_str)
                .chain(tail)
                .map(csv_cell)
                .collect();
            format!("{}\r\n", cells.join(","))
        };
        if self.changes.is_empty() {
            return line(["", "", "", ""]);
        }
        self.changes
            .iter()
            .map(|c| {
                line([
                    &c.object,
                    &c.field,
                    c.before.as_deref().unwrap_or(""),
                    c.after.as_deref().unwrap_or(""),
                ])
            })
            .collect()
    }

    /// The entry as one JSON line (ending in `\n`).
    pub fn json_line(&self) -> String {
        let mut line = serde_json::to_string(self).unwrap_or_default();
        line.push('\n');
        line
    }
}

/// A CSV cell, quoted when it holds a comma, a quote or a line break; a leading `=`, `+`,
/// `-` or `@` is prefixed with `'` so that spreadsheets do not run it as a formula.
fn csv_cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// A list request as typed.
#[derive(Debug, Clone, Default)]
pub struct AuditListRequest {
    /// Only entries of this login (the admin only; others see their own anyway).
    pub actor: Option<String>,
    /// Only entries whose object, or a changed object, contains this text
    /// (`example.com`, `bob`).
    pub object: Option<String>,
    /// Only entries whose operation contains this text (`suspend`, `PATCH`).
    pub action: Option<String>,
    /// Only entries at or after this time (RFC 3339, or a date: its midnight UTC).
    pub since: Option<String>,
    /// Only entries before this time (RFC 3339, or a date: its midnight UTC).
    pub until: Option<String>,
    /// Page size (1–1000, default 100).
    pub limit: Option<u32>,
    /// Continue after this entry id.
    pub after: Option<String>,
}

/// Parses `--since`/`--until`: RFC 3339, or `YYYY-MM-DD` meaning its midnight UTC.
fn parse_instant(field: &str, raw: &str) -> Result<DateTime<Utc>> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| {
            Error::invalid(
                field,
                format!("{field} must be an RFC 3339 time or a date (YYYY-MM-DD)"),
            )
        })
}

/// A filter text: trimmed, non-empty, at most [`berth_core::audit::MAX_FIELD`] characters.
fn parse_filter(field: &str, raw: Option<&str>) -> Result<Option<String>> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) if t.chars().count() > berth_core::audit::MAX_FIELD => Err(Error::invalid(
            field,
            format!(
                "{field} must be at most {} characters",
                berth_core::audit::MAX_FIELD
            ),
        )),
        Some(t) => Ok(Some(t.to_owned())),
    }
}

impl Berth {
    /// A scope for one request, with a fresh entry id; run its use cases [`within`] it.
    pub fn audit_scope(&self, request: ScopeRequest) -> Arc<AuditScope> {
        Arc::new(AuditScope {
            entry_id: self.new_id(),
            request_id: clip(&request.request_id),
            interface: request.interface,
            source: request.source.as_deref().map(clip),
            action: clip(&request.action),
            object: clip(&request.object),
            api_key: Mutex::new(None),
            next_seq: AtomicU32::new(0),
        })
    }

    /// Records `changes` made by `actor` inside `tx`, the transaction of the change
    /// itself, under the entry of the running request (opened here if it is the first):
    /// two statements whatever the number of fields. `operation` names the use case
    /// (`customer update`), the action of entries made outside any request. Nothing is
    /// written when nothing changed.
    pub(crate) async fn record_changes(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        operation: &str,
        changes: &[FieldChange],
    ) -> Result<()> {
        let Some((entry, first)) = self.audit_entry_for(actor, operation, changes) else {
            return Ok(());
        };
        tx.open_audit(&entry).await?;
        tx.insert_audit_changes(entry.id, first, changes).await?;
        Ok(())
    }

    /// The entry [`Self::record_changes`] records `changes` under and the sequence number
    /// of the first, for a use case that writes them with its own rows (one round trip);
    /// `None` when nothing changed. Takes the sequence numbers from the running scope.
    pub(crate) fn audit_entry_for(
        &self,
        actor: &Actor,
        operation: &str,
        changes: &[FieldChange],
    ) -> Option<(AuditEntry, u32)> {
        if changes.is_empty() {
            return None;
        }
        let scope = current_scope();
        let id = scope.as_ref().map_or_else(|| self.new_id(), |s| s.entry_id);
        let entry = AuditEntry {
            id,
            at: self.clock.now(),
            actor: actor.id,
            actor_login: actor.login.to_string(),
            api_key: scope.as_ref().and_then(|s| s.api_key()),
            source: scope.as_ref().and_then(|s| s.source.clone()),
            request_id: scope
                .as_ref()
                .map_or_else(|| id.to_string(), |s| s.request_id.clone()),
            interface: scope
                .as_ref()
                .map_or("internal", |s| s.interface)
                .to_owned(),
            action: scope
                .as_ref()
                .map_or_else(|| clip(operation), |s| s.action.clone()),
            object: scope
                .as_ref()
                .filter(|s| !s.object.is_empty())
                .map_or_else(|| changes[0].object.clone(), |s| s.object.clone()),
            status: 0,
        };
        let count = u32::try_from(changes.len()).unwrap_or(u32::MAX);
        let first = scope
            .as_ref()
            .map_or(0, |s| s.next_seq.fetch_add(count, Ordering::Relaxed));
        Some((entry, first))
    }

    /// Completes the request-level entry (or appends it when the request changed
    /// nothing field by field), in its own transaction. Inside a scope the entry is the
    /// scope's.
    pub async fn record_audit(&self, record: AuditRecord) -> Result<()> {
        let entry = AuditEntry {
            id: record
                .entry
                .or_else(|| current_scope().map(|s| s.entry_id))
                .unwrap_or_else(|| self.new_id()),
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

    /// Sets the status of the entry of `scope`, if its use cases opened one (a request
    /// that failed after some changes were committed, e.g. a partly failed bulk call).
    pub async fn settle_audit(&self, scope: &AuditScope, status: u16) -> Result<()> {
        let mut tx = self.store.write().await?;
        tx.settle_audit(scope.entry_id, status).await?;
        Ok(tx.commit().await?)
    }

    /// A page of the audit log, newest first, as `actor` may see it, each entry with its
    /// changes.
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
        let since = request
            .since
            .as_deref()
            .map(|s| parse_instant("since", s))
            .transpose()?;
        let until = request
            .until
            .as_deref()
            .map(|s| parse_instant("until", s))
            .transpose()?;
        let object = parse_filter("object", request.object.as_deref())?;
        let action = parse_filter("action", request.action.as_deref())?;
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
            object,
            action,
            since,
            until,
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
        let ids: Vec<Uuid> = entries.iter().map(|e| e.id).collect();
        let mut views: Vec<AuditView> = entries.into_iter().map(AuditView::of).collect();
        let index: std::collections::HashMap<Uuid, usize> =
            ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        for (entry, change) in tx.audit_changes_of(&ids).await? {
            if let Some(&i) = index.get(&entry) {
                views[i].changes.push(ChangeView {
                    object: change.object,
                    field: change.field,
                    before: change.before,
                    after: change.after,
                });
            }
        }
        Ok(Page { items: views, next })
    }

    /// The next page of an export (R10.9 "exportable"): every entry `actor` may see that
    /// matches `request`, newest first, [`berth_core::query::PAGE_MAX`] at a time, from
    /// the entry after `after` (`None` for the first page). Callers loop until the page's
    /// `next` is `None`, holding one page at a time.
    pub async fn export_audit_page(
        &self,
        actor: &Actor,
        request: &AuditListRequest,
        after: Option<String>,
    ) -> Result<Page<AuditView>> {
        let page_request = AuditListRequest {
            limit: Some(berth_core::query::PAGE_MAX),
            after,
            ..request.clone()
        };
        self.list_audit(actor, page_request).await
    }
}
