//! IP address SQL (R7.5): writes, the ordered list, row decoding into records.

use berth_core::ip::{IpAddress, IpId, IpKind, IpRecord};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Dialect, Value};
use crate::{StoreError, StoreResult};

/// The columns every IP address read selects, in this order.
pub const IP_COLUMNS: &str = "id, address, kind, interface, created_at";

/// One address by its canonical text: `$1` the address.
pub fn ip_by_address() -> String {
    format!("SELECT {IP_COLUMNS} FROM ip_addresses WHERE address = $1")
}

/// Deletes one address: `$1` the id.
pub const DELETE_IP: &str = "DELETE FROM ip_addresses WHERE id = $1";

/// `INSERT` of a new address, and its values.
///
/// The family (4 or 6, derived from the parsed address, never text from the user) is
/// written as an integer literal, so that every bound value stays a [`Value`] both engines
/// already bind.
pub fn insert_ip(ip: &IpRecord) -> (String, Vec<Value>) {
    let sql = format!(
        "INSERT INTO ip_addresses (id, address, family, sort_key, kind, interface, created_at) \
         VALUES ($1, $2, {}, $3, $4, $5, $6)",
        ip.address.family()
    );
    let values = vec![
        Value::Id(ip.id.0),
        Value::Text(ip.address.to_string()),
        Value::Text(ip.address.sort_key()),
        Value::Text(ip.kind.as_str().to_owned()),
        Value::Text(ip.interface.clone().unwrap_or_default()),
        Value::Time(ip.created_at),
    ];
    (sql, values)
}

/// `UPDATE` of the changeable columns (type and interface), and its values (`$1` the id).
pub fn update_ip(ip: &IpRecord) -> (String, Vec<Value>) {
    let sql = "UPDATE ip_addresses SET kind = $2, interface = $3 WHERE id = $1".to_owned();
    let values = vec![
        Value::Id(ip.id.0),
        Value::Text(ip.kind.as_str().to_owned()),
        Value::Text(ip.interface.clone().unwrap_or_default()),
    ];
    (sql, values)
}

/// Every address, IPv4 before IPv6, then by address bytes (the hex `sort_key`, compared
/// by bytes on every engine).
pub fn ip_list(dialect: Dialect) -> String {
    format!(
        "SELECT {IP_COLUMNS} FROM ip_addresses ORDER BY family, sort_key{}, id",
        dialect.byte_order
    )
}

/// An IP address row as decoded from [`IP_COLUMNS`], in plain types.
#[derive(Debug, Clone)]
pub struct IpRow {
    /// `id`
    pub id: Uuid,
    /// `address`
    pub address: String,
    /// `kind`
    pub kind: String,
    /// `interface` (`''` for none)
    pub interface: String,
    /// `created_at`
    pub created_at: DateTime<Utc>,
}

fn corrupt_ip(what: &str, value: &str) -> StoreError {
    StoreError::Backend(format!("stored IP {what} {value:?} is not valid"))
}

impl IpRow {
    /// Rebuilds the record. Values were validated on the way in; one that no longer parses
    /// means the database was edited by hand and is reported as a storage failure.
    pub fn into_record(self) -> StoreResult<IpRecord> {
        let address = IpAddress::parse("ip", &self.address)
            .map_err(|_| corrupt_ip("address", &self.address))?;
        let kind = IpKind::from_wire(&self.kind).ok_or_else(|| corrupt_ip("type", &self.kind))?;
        Ok(IpRecord {
            id: IpId(self.id),
            address,
            kind,
            interface: if self.interface.is_empty() {
                None
            } else {
                Some(self.interface)
            },
            created_at: self.created_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn insert_writes_the_family_as_a_literal_and_binds_the_rest() {
        let ip = IpRecord {
            id: IpId(Uuid::now_v7()),
            address: IpAddress::parse("ip", "2001:DB8::1").unwrap(),
            kind: IpKind::Dedicated,
            interface: None,
            created_at: Utc.with_ymd_and_hms(2026, 1, 31, 12, 0, 0).unwrap(),
        };
        let (sql, values) = insert_ip(&ip);
        assert!(sql.contains("VALUES ($1, $2, 6, $3, $4, $5, $6)"), "{sql}");
        assert_eq!(values.len(), 6);
        assert_eq!(values[1], Value::Text("2001:db8::1".into()));
        assert_eq!(values[4], Value::Text(String::new()));
    }
}
