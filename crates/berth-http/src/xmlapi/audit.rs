//! Audit entries for XML API changes (R10.9, R11.4, at request level like the REST API):
//! one entry per operation that changed something, with the actor, the secret key used,
//! the client address, the request id, `xml <operator>/<operation>` as the action and the
//! objects it reached (their ids, or the filter values that named them). Reads (`get…`)
//! are not recorded; nothing from the packet's values (passwords) is.

use std::net::IpAddr;

use berth_app::Berth;
use berth_app::api_keys::ApiIdentity;
use std::sync::Arc;

use berth_app::audit::{AuditRecord, AuditScope, ScopeRequest};

use super::reply::El;

/// Whether an operation only reads.
fn reads(operation: &str) -> bool {
    operation.starts_with("get") || operation == "usage"
}

/// Records the changes an answer packet reports.
pub(crate) async fn record(
    app: &Berth,
    identity: &ApiIdentity,
    source: Option<IpAddr>,
    request_id: &str,
    answer: &El,
) {
    for operator in &answer.children {
        for operation in operator.children.iter().filter(|o| !reads(&o.name)) {
            let done: Vec<String> = operation
                .children
                .iter()
                .filter(|r| text(r, "status") == Some("ok"))
                .map(|r| {
                    text(r, "id")
                        .or_else(|| text(r, "filter-id"))
                        .unwrap_or("")
                        .to_owned()
                })
                .collect();
            if done.is_empty() {
                continue;
            }
            let entry = AuditRecord {
                entry: None,
                actor: identity.actor.clone(),
                api_key: identity.api_key,
                source: source.map(|s| s.to_canonical().to_string()),
                request_id: request_id.to_owned(),
                interface: "xml",
                action: format!("xml {}/{}", operator.name, operation.name),
                object: done.join(" ").trim().to_owned(),
                status: 200,
            };
            if let Err(e) = app.record_audit(entry).await {
                tracing::error!(error = %e.message, "the audit entry could not be written");
            }
        }
    }
}

/// The audit scope of one packet: the field changes of all its operations go to one
/// entry, `xml <operator>/<operation> ...`, next to the per-operation entries of
/// [`record`].
pub(crate) fn scope(
    app: &Berth,
    identity: &ApiIdentity,
    source: Option<IpAddr>,
    request_id: &str,
    packet: &super::packet::Node,
) -> Arc<AuditScope> {
    let operations: Vec<String> = packet
        .children
        .iter()
        .flat_map(|operator| {
            operator
                .children
                .iter()
                .map(move |operation| format!("{}/{}", operator.name, operation.name))
        })
        .collect();
    let scope = app.audit_scope(ScopeRequest {
        request_id: request_id.to_owned(),
        interface: "xml",
        source: source.map(|s| s.to_canonical().to_string()),
        action: format!("xml {}", operations.join(" ")),
        object: String::new(),
    });
    scope.set_api_key(identity.api_key);
    scope
}

/// Marks the packet's entry (if its operations changed fields) as answered.
pub(crate) async fn settle(app: &Berth, scope: &AuditScope) {
    if !scope.has_changes() {
        return;
    }
    if let Err(e) = app.settle_audit(scope, 200).await {
        tracing::error!(error = %e.message, "the audit entry could not be written");
    }
}

fn text<'a>(el: &'a El, name: &str) -> Option<&'a str> {
    el.children
        .iter()
        .find(|c| c.name == name)
        .and_then(|c| c.text.as_deref())
}
