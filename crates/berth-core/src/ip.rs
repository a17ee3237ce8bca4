//! IP addresses (R7.5): the addresses the admin registers for hosting, each *shared* or
//! *dedicated*, optionally bound to a network interface; and who may manage them.
//!
//! An address is parsed once into its canonical text form (RFC 5952 for IPv6:
//! `2001:DB8:0:0::1` is `2001:db8::1`), so that one address has exactly one spelling in
//! storage and uniqueness holds whatever the input looked like.
//!
//! Rights convention as in [`crate::rights`]: the operations here are not per object, so a
//! non-admin is refused with `forbidden` before any address is looked up (nothing about
//! which addresses exist is revealed).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::rights::Actor;
use crate::{Error, Result};

/// Longest network interface name (Linux `IFNAMSIZ` minus the terminating NUL).
pub const INTERFACE_MAX: usize = 15;

/// The stable identifier of a registered IP address (UUIDv7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IpId(pub Uuid);

impl fmt::Display for IpId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An IPv4 or IPv6 address that can host sites: not unspecified (`0.0.0.0`, `::`), not
/// multicast, not the IPv4 broadcast address, and not an IPv4-mapped IPv6 address (the
/// IPv4 form is the one spelling of those). Displays in canonical form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IpAddress(IpAddr);

impl IpAddress {
    /// Parses an address as typed (surrounding spaces ignored); `field` names the input.
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let text = raw.trim();
        if text.is_empty() {
            return Err(Error::invalid(
                field,
                format!("{field} is required: an IPv4 or IPv6 address"),
            ));
        }
        let addr: IpAddr = text.parse().map_err(|_| {
            Error::invalid(
                field,
                format!(
                    "{field} {text:?} is not an IP address: write IPv4 as 192.0.2.10 \
                     (no leading zeros) and IPv6 as 2001:db8::10 (no brackets, no zone)"
                ),
            )
        })?;
        let refuse = |why: &str| Error::invalid(field, format!("{field} {addr} {why}"));
        if addr.is_unspecified() {
            return Err(refuse(
                "is the unspecified address: register a real address of this server",
            ));
        }
        if addr.is_multicast() {
            return Err(refuse(
                "is a multicast address: sites are hosted on unicast addresses",
            ));
        }
        if addr == IpAddr::V4(Ipv4Addr::BROADCAST) {
            return Err(refuse(
                "is the broadcast address: sites are hosted on unicast addresses",
            ));
        }
        if let IpAddr::V6(v6) = addr
            && let Some(v4) = v6.to_ipv4_mapped()
        {
            return Err(refuse(&format!(
                "is an IPv4-mapped IPv6 address: register it as {v4}"
            )));
        }
        Ok(IpAddress(addr))
    }

    /// The address.
    pub fn addr(&self) -> IpAddr {
        self.0
    }

    /// `4` or `6`.
    pub fn family(&self) -> u8 {
        match self.0 {
            IpAddr::V4(_) => 4,
            IpAddr::V6(_) => 6,
        }
    }

    /// The address bytes in lower-case hex (8 digits for IPv4, 32 for IPv6): ordering these
    /// as text within one family is ordering the addresses numerically, on every engine.
    pub fn sort_key(&self) -> String {
        let bytes: Vec<u8> = match self.0 {
            IpAddr::V4(v4) => v4.octets().to_vec(),
            IpAddr::V6(v6) => v6.octets().to_vec(),
        };
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl fmt::Display for IpAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // std prints the canonical forms: dotted quad, RFC 5952 for IPv6.
        self.0.fmt(f)
    }
}

/// How an address may be used (R7.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IpKind {
    /// Usable by many customers' subscriptions.
    Shared,
    /// Usable by one customer's subscriptions only.
    Dedicated,
}

impl IpKind {
    /// Every kind, in display order.
    pub const ALL: [IpKind; 2] = [IpKind::Shared, IpKind::Dedicated];

    /// The wire name: `shared`, `dedicated`.
    pub fn as_str(self) -> &'static str {
        match self {
            IpKind::Shared => "shared",
            IpKind::Dedicated => "dedicated",
        }
    }

    /// Reads a wire name back.
    pub fn from_wire(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Parses `shared` or `dedicated` (any case, surrounding spaces ignored); `field`
    /// names the input (`type` on the CLI and API).
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        Self::from_wire(&raw.trim().to_ascii_lowercase()).ok_or_else(|| {
            Error::invalid(
                field,
                format!("{field} must be shared or dedicated (got {:?})", raw.trim()),
            )
        })
    }
}

impl fmt::Display for IpKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parses a network interface name the address lives on, as Linux accepts them: 1 to 15
/// characters of `A-Z a-z 0-9 _ . : -`, and not `.` or `..`. Empty text means "none"
/// (on update: clear it); `field` names the input.
pub fn parse_interface(field: &str, raw: &str) -> Result<Option<String>> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let rule = "an interface name is 1 to 15 characters of A-Z, a-z, 0-9, '_', '.', ':' and '-'";
    let len = text.chars().count();
    if len > INTERFACE_MAX {
        return Err(Error::invalid(
            field,
            format!("{field} is {len} characters long: {rule}"),
        ));
    }
    if let Some(bad) = text
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-')))
    {
        return Err(Error::invalid(
            field,
            format!("{field} contains {bad:?}: {rule}"),
        ));
    }
    if text == "." || text == ".." {
        return Err(Error::invalid(
            field,
            format!("{field} cannot be {text:?}: {rule}"),
        ));
    }
    Ok(Some(text.to_owned()))
}

/// A registered IP address as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpRecord {
    /// Stable id.
    pub id: IpId,
    /// The address, unique on the server.
    pub address: IpAddress,
    /// Shared or dedicated.
    pub kind: IpKind,
    /// The network interface it is configured on, if said.
    pub interface: Option<String>,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
}

/// Checks that `actor` may register, change or remove IP addresses: only the admin
/// (R7.5: addresses "are registered by the admin").
pub fn check_manage_ips(actor: &Actor) -> Result<()> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(Error::forbidden(format!(
            "only the admin registers, changes and removes IP addresses; {} is a {}",
            actor.login, actor.kind
        )))
    }
}

/// Checks that `actor` may list IP addresses: the admin lists the server's, a reseller
/// the addresses of its IP pool (R11.2 "allocated IPs"); customers see theirs on their
/// subscriptions.
pub fn check_list_ips(actor: &Actor) -> Result<()> {
    if actor.kind == crate::account::AccountKind::Customer {
        Err(Error::forbidden(format!(
            "a customer sees its addresses on its subscriptions; {} is a customer",
            actor.login
        )))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use crate::account::{AccountId, AccountKind, Login};
    use proptest::prelude::*;
    use std::net::Ipv6Addr;

    fn field_of(err: Error) -> (ErrorCode, String) {
        (err.code, err.field.unwrap_or_default())
    }

    fn ip(text: &str) -> IpAddress {
        IpAddress::parse("ip", text).unwrap()
    }

    #[test]
    fn r7_5_ipv4_and_ipv6_parse_to_their_canonical_form() {
        assert_eq!(ip(" 192.0.2.10 ").to_string(), "192.0.2.10");
        assert_eq!(ip("192.0.2.10").family(), 4);
        assert_eq!(ip("2001:DB8:0:0::1").to_string(), "2001:db8::1");
        assert_eq!(
            ip("2001:0db8:0000:0000:0000:0000:0000:0001"),
            ip("2001:db8::1")
        );
        assert_eq!(ip("2001:db8::1").family(), 6);
        assert_eq!(ip("::1").to_string(), "::1");
        assert_eq!(ip("fe80::1").addr(), "fe80::1".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn r7_5_text_that_is_not_an_address_is_refused_naming_the_field() {
        for bad in [
            "",
            "   ",
            "localhost",
            "192.0.2",
            "192.0.2.256",
            "192.0.2.1/24",
            "192.000.002.001",
            "[2001:db8::1]",
            "2001:db8::1%eth0",
            "2001:db8:::1",
            "1.2.3.4:80",
        ] {
            let err = IpAddress::parse("ip", bad).unwrap_err();
            assert_eq!(field_of(err), (ErrorCode::Invalid, "ip".into()), "{bad:?}");
        }
    }

    #[test]
    fn r7_5_unspecified_multicast_broadcast_and_mapped_addresses_are_refused() {
        for (bad, why) in [
            ("0.0.0.0", "unspecified"),
            ("::", "unspecified"),
            ("0:0::0", "unspecified"),
            ("224.0.0.1", "multicast"),
            ("239.255.255.250", "multicast"),
            ("ff02::1", "multicast"),
            ("FF05::1:3", "multicast"),
            ("255.255.255.255", "broadcast"),
            ("::ffff:192.0.2.1", "register it as 192.0.2.1"),
        ] {
            let err = IpAddress::parse("ip", bad).unwrap_err();
            assert!(err.message.contains(why), "{bad:?}: {}", err.message);
            assert_eq!(field_of(err), (ErrorCode::Invalid, "ip".into()), "{bad:?}");
        }
        // Neighbours of the refused ones are fine.
        for good in [
            "0.0.0.1",
            "223.255.255.255",
            "255.255.255.254",
            "fe80::1",
            "::2",
        ] {
            assert!(IpAddress::parse("ip", good).is_ok(), "{good}");
        }
    }

    #[test]
    fn r7_5_sort_key_is_the_address_bytes_in_hex() {
        assert_eq!(ip("192.0.2.10").sort_key(), "c000020a");
        assert_eq!(
            ip("2001:db8::1").sort_key(),
            "20010db8000000000000000000000001"
        );
        assert!(ip("9.0.0.1").sort_key() < ip("10.0.0.1").sort_key());
        assert!(ip("2001:db8::9").sort_key() < ip("2001:db8::10").sort_key());
    }

    #[test]
    fn r7_5_type_is_shared_or_dedicated() {
        assert_eq!(IpKind::parse("type", "shared").unwrap(), IpKind::Shared);
        assert_eq!(
            IpKind::parse("type", " Dedicated ").unwrap(),
            IpKind::Dedicated
        );
        for kind in IpKind::ALL {
            assert_eq!(IpKind::from_wire(kind.as_str()), Some(kind));
            assert_eq!(kind.to_string(), kind.as_str());
        }
        for bad in ["", "exclusive", "share", "shared,dedicated"] {
            let err = IpKind::parse("type", bad).unwrap_err();
            assert_eq!(
                field_of(err),
                (ErrorCode::Invalid, "type".into()),
                "{bad:?}"
            );
        }
        assert_eq!(IpKind::from_wire("Shared"), None, "wire names are exact");
    }

    #[test]
    fn r7_5_interface_names_follow_linux_rules() {
        for good in [
            "eth0",
            "ens3",
            "eth0:1",
            "br-lan",
            "enp0s31f6",
            "bond0.100",
            "wg_0",
        ] {
            assert_eq!(
                parse_interface("interface", good).unwrap().as_deref(),
                Some(good)
            );
        }
        assert_eq!(
            parse_interface("interface", " eth0 ").unwrap().as_deref(),
            Some("eth0")
        );
        assert_eq!(
            parse_interface("interface", &"a".repeat(15))
                .unwrap()
                .map(|s| s.len()),
            Some(15)
        );
        assert_eq!(parse_interface("interface", "").unwrap(), None);
        assert_eq!(parse_interface("interface", "  ").unwrap(), None);
        let too_long = "a".repeat(16);
        for bad in [
            too_long.as_str(),
            "eth 0",
            "eth/0",
            "et\nh0",
            "éth0",
            "eth0@if2",
            ".",
            "..",
        ] {
            let err = parse_interface("interface", bad).unwrap_err();
            assert_eq!(
                field_of(err),
                (ErrorCode::Invalid, "interface".into()),
                "{bad:?}"
            );
        }
    }

    fn actor(kind: AccountKind, login: &str) -> Actor {
        Actor {
            id: AccountId(Uuid::now_v7()),
            kind,
            login: Login::parse("login", login).unwrap(),
        }
    }

    #[test]
    fn r7_5_only_the_admin_manages_addresses_resellers_list_their_pool() {
        let admin = actor(AccountKind::Admin, "admin");
        let reseller = actor(AccountKind::Reseller, "r1");
        let customer = actor(AccountKind::Customer, "c1");
        assert!(check_manage_ips(&admin).is_ok());
        assert!(check_list_ips(&admin).is_ok());
        assert!(check_list_ips(&reseller).is_ok(), "its pool (R11.2)");
        for other in [&reseller, &customer] {
            assert_eq!(
                check_manage_ips(other).unwrap_err().code,
                ErrorCode::Forbidden
            );
        }
        assert_eq!(
            check_list_ips(&customer).unwrap_err().code,
            ErrorCode::Forbidden
        );
    }

    proptest! {
        #[test]
        fn r7_5_every_unicast_ipv4_parses_to_itself(bytes in any::<[u8; 4]>()) {
            let addr = Ipv4Addr::from(bytes);
            let parsed = IpAddress::parse("ip", &addr.to_string());
            if addr.is_unspecified() || addr.is_multicast() || addr == Ipv4Addr::BROADCAST {
                prop_assert!(parsed.is_err());
            } else {
                let parsed = parsed.unwrap();
                prop_assert_eq!(parsed.to_string(), addr.to_string());
                prop_assert_eq!(parsed.sort_key().len(), 8);
            }
        }

        #[test]
        fn r7_5_ipv6_parse_is_canonical_and_idempotent(segments in any::<[u16; 8]>()) {
            let addr = Ipv6Addr::from(segments);
            if let Ok(parsed) = IpAddress::parse("ip", &addr.to_string().to_uppercase()) {
                // Any spelling (here upper-case hex) gives one canonical text that parses
                // back to the same address.
                prop_assert_eq!(IpAddress::parse("ip", &parsed.to_string()).unwrap(), parsed);
                prop_assert_eq!(parsed.to_string(), addr.to_string());
                prop_assert_eq!(parsed.sort_key().len(), 32);
            }
        }

        #[test]
        fn r7_5_sort_key_orders_like_the_numeric_address(a in any::<u128>(), b in any::<u128>()) {
            let (x, y) = (Ipv6Addr::from(a), Ipv6Addr::from(b));
            if let (Ok(px), Ok(py)) = (
                IpAddress::parse("ip", &x.to_string()),
                IpAddress::parse("ip", &y.to_string()),
            ) {
                prop_assert_eq!(px.sort_key().cmp(&py.sort_key()), a.cmp(&b));
            }
        }
    }
}
