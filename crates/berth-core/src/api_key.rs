//! API keys (R11.3 of the REST API): long random secrets that act as one account over
//! HTTP (`Authorization: Bearer`). Only a hash is stored; the key is shown once. A key may
//! be restricted to source addresses and is revoked rather than deleted, so that lists
//! keep telling which keys existed.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::Result;
use crate::account::AccountId;
use crate::ip::IpAddress;

/// Every key starts with this, so that leaked keys are easy to spot and scan for.
pub const KEY_PREFIX: &str = "berth_";

/// A stored API key (without the secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// Stable id (UUIDv7), shown in lists and used to revoke.
    pub id: Uuid,
    /// The account the key acts as.
    pub account: AccountId,
    /// Hex SHA-256 of the whole key.
    pub hash: String,
    /// Source addresses the key is accepted from; empty means any.
    pub ips: Vec<IpAddress>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Whether it was revoked (a revoked key authenticates nobody).
    pub revoked: bool,
}

impl ApiKey {
    /// Whether a request from `source` may use this key: not revoked, and from an
    /// allowed address when the key is restricted (an unknown source is refused then).
    pub fn accepts(&self, source: Option<&IpAddress>) -> bool {
        if self.revoked {
            return false;
        }
        self.ips.is_empty() || source.is_some_and(|s| self.ips.contains(s))
    }
}

/// Parses the `--ip` restrictions of a key (each in any spelling), without duplicates.
pub fn parse_ips(field: &str, raw: &[String]) -> Result<Vec<IpAddress>> {
    let mut ips: Vec<IpAddress> = Vec::with_capacity(raw.len());
    for r in raw {
        let ip = IpAddress::parse(field, r)?;
        if !ips.contains(&ip) {
            ips.push(ip);
        }
    }
    Ok(ips)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(ips: &[&str], revoked: bool) -> ApiKey {
        ApiKey {
            id: Uuid::nil(),
            account: AccountId(Uuid::nil()),
            hash: String::new(),
            ips: parse_ips("ip", &ips.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap(),
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            revoked,
        }
    }

    #[test]
    fn restrictions_and_revocation_are_enforced() {
        let any = key(&[], false);
        assert!(any.accepts(None));
        let ip = IpAddress::parse("ip", "192.0.2.1").unwrap();
        let other = IpAddress::parse("ip", "192.0.2.2").unwrap();
        let restricted = key(&["192.0.2.1", "192.0.2.1"], false);
        assert_eq!(restricted.ips.len(), 1);
        assert!(restricted.accepts(Some(&ip)));
        assert!(!restricted.accepts(Some(&other)));
        assert!(!restricted.accepts(None));
        assert!(!key(&[], true).accepts(Some(&ip)));
        assert!(parse_ips("ip", &["nope".into()]).is_err());
    }
}
