//! Numeric ids for the Plesk-compatible XML API (R11.1): Plesk clients name objects by a
//! number that is never reused, next to a `guid` (Berth's UUID). The store numbers every
//! object when it is inserted; these use cases read the numbers.
//!
//! Resolving a number gives a *handle* (the object's name) for the name-based use cases,
//! which decide rights as always: a number naming another owner's object leads to their
//! "not found", exactly as its name would.

use std::collections::HashMap;

use berth_core::{Error, Result};
use uuid::Uuid;

use crate::Berth;

/// What a numeric id names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LegacyRef {
    /// An account, by login.
    Account(String),
    /// A plan, by owner login and name.
    Plan {
        /// Owner's login.
        owner: String,
        /// Plan name.
        name: String,
    },
    /// A subscription, by its domain name.
    Subscription(String),
    /// A domain, alias or subdomain, by name, with its kind (`site`, `alias`, `subdomain`).
    Domain {
        /// Domain name (ASCII).
        name: String,
        /// Its kind.
        kind: String,
    },
    /// An IP address.
    Ip(String),
}

impl LegacyRef {
    /// The name to pass to the name-based use cases.
    pub fn name(&self) -> &str {
        match self {
            LegacyRef::Account(n) | LegacyRef::Subscription(n) | LegacyRef::Ip(n) => n,
            LegacyRef::Plan { name, .. } | LegacyRef::Domain { name, .. } => name,
        }
    }
}

/// Parses a numeric id as typed (`field` names it in errors).
pub fn parse_legacy_id(field: &str, raw: &str) -> Result<i64> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| Error::invalid(field, format!("{raw:?} is not a positive whole number")))
}

impl Berth {
    /// The numbers of these objects, in one query (objects without one are absent).
    pub async fn legacy_ids(&self, objects: &[Uuid]) -> Result<HashMap<Uuid, i64>> {
        let mut tx = self.store.read().await?;
        Ok(tx.legacy_ids(objects).await?.into_iter().collect())
    }

    /// What number `id` names, if it names an existing object; `field` names the input in
    /// the not-found error.
    pub async fn legacy_ref(&self, field: &str, id: i64) -> Result<LegacyRef> {
        let mut tx = self.store.read().await?;
        let object = tx
            .legacy_object(id)
            .await?
            .ok_or_else(|| Error::not_found(field, format!("no object with id {id}")))?;
        Ok(to_ref(object))
    }

    /// What a `guid` names (as typed; `field` names it in errors), if it names an existing
    /// object.
    pub async fn legacy_ref_of_guid(&self, field: &str, raw: &str) -> Result<LegacyRef> {
        let not_found = || Error::not_found(field, format!("no object with guid {raw}"));
        let guid = Uuid::parse_str(raw.trim()).map_err(|_| not_found())?;
        let mut tx = self.store.read().await?;
        let (_, object) = tx
            .legacy_object_by_guid(guid)
            .await?
            .ok_or_else(not_found)?;
        Ok(to_ref(object))
    }
}

fn to_ref(object: berth_store::legacy_ids::LegacyObject) -> LegacyRef {
    match object.kind.as_str() {
        "account" => LegacyRef::Account(object.name),
        "plan" => LegacyRef::Plan {
            owner: object.detail,
            name: object.name,
        },
        "subscription" => LegacyRef::Subscription(object.name),
        "ip" => LegacyRef::Ip(object.name),
        _ if object.detail == "main" => LegacyRef::Subscription(object.name),
        _ => LegacyRef::Domain {
            name: object.name,
            kind: object.detail,
        },
    }
}

/// A record of a zone as shown, with its number (`None` while the zone is not stored yet).
pub type NumberedRecord = (crate::dns::RecordView, Option<i64>);

impl Berth {
    /// The zone of `domain` as `actor` may see it (R7.4, R11.2), each record with its
    /// number: the zone use case, then one query for the numbers.
    pub async fn numbered_zone(
        &self,
        actor: &berth_core::rights::Actor,
        domain: &str,
    ) -> Result<(crate::dns::ZoneView, Vec<NumberedRecord>)> {
        let zone = self.dns_zone(actor, domain).await?;
        let stored = {
            let mut tx = self.store.read().await?;
            tx.legacy_records(&zone.ascii_name).await?
        };
        let records = zone
            .records
            .iter()
            .map(|r| {
                let priority = r.priority.map_or(-1, i64::from);
                let id = stored
                    .iter()
                    .find(|s| {
                        s.host == r.ascii_name
                            && s.rtype == r.rtype
                            && s.value == r.value
                            && s.priority == priority
                    })
                    .map(|s| s.id);
                (r.clone(), id)
            })
            .collect();
        Ok((zone, records))
    }

    /// The served record numbered `id` (a handle for the DNS use cases, which decide
    /// rights); `field` names the input in the not-found error.
    pub async fn record_of_id(
        &self,
        field: &str,
        id: i64,
    ) -> Result<berth_store::legacy_ids::LegacyRecord> {
        let mut tx = self.store.read().await?;
        tx.legacy_record(id)
            .await?
            .ok_or_else(|| Error::not_found(field, format!("no DNS record with id {id}")))
    }
}

pub use berth_store::legacy_ids::LegacyRecord;

impl Berth {
    /// The id of the API key whose secret is `secret`, if it is one of `actor`'s keys: the
    /// XML API's `secret_key` operator names keys by their secret. Another account's key is
    /// not found, as is an unknown secret.
    pub async fn api_key_id_of_secret(
        &self,
        actor: &berth_core::rights::Actor,
        field: &str,
        secret: &str,
    ) -> Result<Uuid> {
        use sha2::{Digest, Sha256};
        let hash: String = Sha256::digest(secret.trim().as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let mut tx = self.store.read().await?;
        tx.api_key_by_hash(&hash)
            .await?
            .filter(|k| k.account == actor.id)
            .map(|k| k.id)
            .ok_or_else(|| Error::not_found(field, "no such secret key"))
    }
}
