//! IP address use cases (R7.5, first half): the admin registers addresses with a type
//! (shared or dedicated) and an optional interface, lists, changes and removes them.
//!
//! Which subscriptions use an address, the sites it hosts and its default site come with
//! subscriptions; until then an address is never "in use".

use berth_core::ip::{
    IpAddress, IpId, IpKind, IpRecord, check_list_ips, check_manage_ips, parse_interface,
};
use berth_core::rights::Actor;
use berth_core::{Error, Result};
use berth_store::{StoreError, Tx};
use chrono::{DateTime, SubsecRound, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::views::BulkItem;
use crate::{Berth, Mode, Progress, finish};

/// A registered IP address as shown (`{id, address, family, type, interface, created}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpView {
    /// Stable id.
    pub id: Uuid,
    /// The address in canonical form (`192.0.2.10`, `2001:db8::1`).
    pub address: String,
    /// `4` or `6`.
    pub family: u8,
    /// `shared` or `dedicated`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The network interface, null when not said.
    pub interface: Option<String>,
    /// When it was registered.
    pub created: DateTime<Utc>,
}

impl IpView {
    /// The view of a stored address.
    pub fn of(ip: &IpRecord) -> Self {
        IpView {
            id: ip.id.0,
            address: ip.address.to_string(),
            family: ip.address.family(),
            kind: ip.kind.as_str(),
            interface: ip.interface.clone(),
            created: ip.created_at,
        }
    }
}

/// What an IP update did.
#[derive(Debug, Clone, Serialize)]
pub struct IpUpdateOutcome {
    /// The address after the change (or as it would be, in a dry run).
    pub ip: IpView,
    /// Names of the fields that changed (`type`, `interface`).
    pub changed: Vec<&'static str>,
    /// Whether this was a dry run (nothing written).
    pub dry_run: bool,
}

/// What removing one address does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpRemoval {
    /// The address removed, in canonical form.
    pub address: String,
    /// Whether this was a dry run (nothing written).
    pub dry_run: bool,
}

fn duplicate_to_error(err: StoreError, address: &IpAddress) -> Error {
    match err {
        StoreError::Duplicate { field: "ip" } => Error::conflict(
            Some("ip"),
            format!(
                "the IP address {address} is already registered: each address is registered once"
            ),
        ),
        other => other.into(),
    }
}

/// The registered `address`, or not found (field `ip`).
async fn registered(tx: &mut dyn Tx, address: &IpAddress) -> Result<IpRecord> {
    tx.ip_by_address(address).await?.ok_or_else(|| {
        Error::not_found("ip", format!("the IP address {address} is not registered"))
    })
}

impl Berth {
    /// Registers an IP address (admin only, R7.5): `address` IPv4 or IPv6 (field `ip`),
    /// `kind` `shared` or `dedicated` (field `type`), `interface` optional (field
    /// `interface`). Each address is registered once, whatever its spelling.
    pub async fn add_ip(
        &self,
        actor: &Actor,
        address: &str,
        kind: &str,
        interface: Option<&str>,
        mode: Mode,
    ) -> Result<IpView> {
        check_manage_ips(actor)?;
        let address = IpAddress::parse("ip", address)?;
        let kind = IpKind::parse("type", kind)?;
        let interface = interface
            .map(|i| parse_interface("interface", i))
            .transpose()?
            .flatten();
        let record = IpRecord {
            id: IpId(self.new_id()),
            address,
            kind,
            interface,
            // Both engines keep microseconds: the view shown now is the one read later.
            created_at: self.clock.now().trunc_subsecs(6),
        };
        let mut tx = self.store.write().await?;
        tx.insert_ip(&record)
            .await
            .map_err(|e| duplicate_to_error(e, &address))?;
        let audit = berth_core::audit::diff(None, Some(&record));
        self.record_changes(&mut *tx, actor, "ip add", &audit)
            .await?;
        finish(tx, mode).await?;
        if mode == Mode::Apply {
            tracing::info!(actor = %actor.login, ip = %record.address, kind = %record.kind, "IP address registered");
        }
        Ok(IpView::of(&record))
    }

    /// Every registered address for the admin, a reseller's pool for a reseller; IPv4
    /// before IPv6, then by address (see [`check_list_ips`]).
    pub async fn list_ips(&self, actor: &Actor) -> Result<Vec<IpView>> {
        check_list_ips(actor)?;
        let mut tx = self.store.read().await?;
        let ips = if actor.is_admin() {
            tx.list_ips().await?
        } else {
            tx.pool_ips(actor.id).await?
        };
        Ok(ips.iter().map(IpView::of).collect())
    }

    /// Changes the type and/or the interface of a registered address (admin only). `None`
    /// leaves a field unchanged; an empty interface clears it.
    pub async fn update_ip(
        &self,
        actor: &Actor,
        address: &str,
        kind: Option<&str>,
        interface: Option<&str>,
        mode: Mode,
    ) -> Result<IpUpdateOutcome> {
        check_manage_ips(actor)?;
        let address = IpAddress::parse("ip", address)?;
        let kind = kind.map(|k| IpKind::parse("type", k)).transpose()?;
        let interface = interface
            .map(|i| parse_interface("interface", i))
            .transpose()?;

        let mut tx = self.store.write().await?;
        let current = registered(&mut *tx, &address).await?;
        let mut next = current.clone();
        let mut changed = vec![];
        if let Some(k) = kind
            && k != current.kind
        {
            let holders = tx.ip_subscribers(current.id.0).await?.len();
            if k == IpKind::Dedicated && holders > 1 {
                return Err(Error::conflict(
                    Some("type"),
                    format!(
                        "{} is used by the subscriptions of {holders} accounts: a dedicated address serves one customer (R7.5)",
                        current.address
                    ),
                ));
            }
            next.kind = k;
            changed.push("type");
        }
        if let Some(i) = interface
            && i != current.interface
        {
            next.interface = i;
            changed.push("interface");
        }
        if !changed.is_empty() {
            tx.update_ip(&next).await?;
            let audit = berth_core::audit::diff(Some(&current), Some(&next));
            self.record_changes(&mut *tx, actor, "ip update", &audit)
                .await?;
        }
        finish(tx, mode).await?;
        if mode == Mode::Apply && !changed.is_empty() {
            tracing::info!(actor = %actor.login, ip = %next.address, fields = ?changed, "IP address updated");
        }
        Ok(IpUpdateOutcome {
            ip: IpView::of(&next),
            changed,
            dry_run: mode == Mode::DryRun,
        })
    }

    /// Removes registered addresses (admin only), each in its own transaction: one failure
    /// does not undo the others; each is reported under the name it was given.
    pub async fn remove_ips(
        &self,
        actor: &Actor,
        addresses: &[String],
        mode: Mode,
        progress: &dyn Progress,
    ) -> Vec<BulkItem<IpRemoval>> {
        let mut results = Vec::with_capacity(addresses.len());
        for (i, address) in addresses.iter().enumerate() {
            let outcome = self.remove_ip(actor, address, mode).await;
            results.push(match outcome {
                Ok(report) => BulkItem {
                    name: address.clone(),
                    ok: true,
                    error: None,
                    result: Some(report),
                },
                Err(error) => BulkItem {
                    name: address.clone(),
                    ok: false,
                    error: Some(error),
                    result: None,
                },
            });
            progress.advance(i + 1, addresses.len());
        }
        results
    }

    async fn remove_ip(&self, actor: &Actor, address: &str, mode: Mode) -> Result<IpRemoval> {
        check_manage_ips(actor)?;
        let address = IpAddress::parse("ip", address)?;
        let mut tx = self.store.write().await?;
        let record = registered(&mut *tx, &address).await?;
        let pools = tx.pool_holders(record.id.0).await?.len();
        if pools > 0 {
            return Err(Error::conflict(
                Some("ip"),
                format!(
                    "{} is in the IP pool of {pools} reseller(s): take it out of the pools first (berth reseller ip-pool remove)",
                    record.address
                ),
            ));
        }
        let holders = tx.ip_subscribers(record.id.0).await?.len();
        if holders > 0 {
            return Err(Error::conflict(
                Some("ip"),
                format!(
                    "{} is in use by the subscriptions of {holders} account(s): move them to another address first",
                    record.address
                ),
            ));
        }
        if !tx.delete_ip(record.id).await? {
            return Err(Error::not_found(
                "ip",
                format!("the IP address {} is not registered", record.address),
            ));
        }
        let audit = berth_core::audit::diff(Some(&record), None);
        self.record_changes(&mut *tx, actor, "ip remove", &audit)
            .await?;
        finish(tx, mode).await?;
        if mode == Mode::Apply {
            tracing::info!(actor = %actor.login, ip = %record.address, "IP address removed");
        }
        Ok(IpRemoval {
            address: record.address.to_string(),
            dry_run: mode == Mode::DryRun,
        })
    }
}
