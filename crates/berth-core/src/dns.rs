//! DNS zones (SPEC R7.4): record types and their validation, the server's zone template with
//! its placeholders, the rules a whole zone keeps, SOA serials, and rendering to standard
//! zone-file text (what `named-checkzone` reads).
//!
//! Names inside a zone are stored absolute, in ASCII (punycode), lower-case, without the
//! final dot; they are rendered with it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use uuid::Uuid;

use crate::domain::DomainName;
use crate::{Error, Result};

/// The TTL of records that do not set one, and of the SOA (`$TTL`).
pub const DEFAULT_TTL: u32 = 86_400;
/// SOA refresh, retry, expire and negative-caching times.
pub const SOA_TIMERS: (u32, u32, u32, u32) = (10_800, 3_600, 604_800, 10_800);
/// The longest TXT value accepted (it is split into 255-byte strings when rendered).
pub const TXT_MAX: usize = 4_000;

/// The record types Berth manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordType {
    /// Name server.
    Ns,
    /// IPv4 address.
    A,
    /// IPv6 address.
    Aaaa,
    /// Canonical name (alias).
    Cname,
    /// Mail exchanger, with a priority.
    Mx,
    /// Text.
    Txt,
    /// Service locator, with a priority.
    Srv,
    /// Certification authority authorization.
    Caa,
}

impl RecordType {
    /// Every type, in rendering order.
    pub const ALL: [RecordType; 8] = [
        RecordType::Ns,
        RecordType::A,
        RecordType::Aaaa,
        RecordType::Cname,
        RecordType::Mx,
        RecordType::Txt,
        RecordType::Srv,
        RecordType::Caa,
    ];

    /// The name as written in zone files (`A`, `AAAA`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::Ns => "NS",
            RecordType::A => "A",
            RecordType::Aaaa => "AAAA",
            RecordType::Cname => "CNAME",
            RecordType::Mx => "MX",
            RecordType::Txt => "TXT",
            RecordType::Srv => "SRV",
            RecordType::Caa => "CAA",
        }
    }

    /// Parses a type name, any case.
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let text = raw.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|t| t.as_str().eq_ignore_ascii_case(text))
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|t| t.as_str()).collect();
                Error::invalid(
                    field,
                    format!(
                        "{field} {text:?} is not a record type Berth manages: {}",
                        names.join(", ")
                    ),
                )
            })
    }

    /// Whether records of this type carry a priority (MX, SRV).
    pub fn takes_priority(self) -> bool {
        matches!(self, RecordType::Mx | RecordType::Srv)
    }

    /// Whether the value is a host name (and is renamed when an alias zone copies it).
    pub fn value_is_name(self) -> bool {
        matches!(
            self,
            RecordType::Ns | RecordType::Cname | RecordType::Mx | RecordType::Srv
        )
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One validated record: absolute ASCII owner name, type, canonical value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordData {
    /// Owner name: absolute, ASCII, lower-case, no final dot.
    pub host: String,
    /// Type.
    pub rtype: RecordType,
    /// Canonical value: an address, a name (no final dot), TXT content (unquoted), SRV
    /// `WEIGHT PORT TARGET`, CAA `FLAGS TAG "VALUE"`.
    pub value: String,
    /// MX and SRV priority.
    pub priority: Option<u16>,
    /// TTL; `None` is the zone's default.
    pub ttl: Option<u32>,
}

impl RecordData {
    /// Validates a record typed by a person for the zone of `origin` (R7.4): `host` is `@`
    /// (the apex), a name relative to the zone (`www`), or an absolute name inside it
    /// (`www.example.com.`, the final dot optional); `value` follows the rules of its type.
    /// Errors name the field: `type`, `host`, `value`, `priority` or `ttl`.
    pub fn parse(
        origin: &DomainName,
        rtype: RecordType,
        host: &str,
        value: &str,
        priority: Option<i64>,
        ttl: Option<i64>,
    ) -> Result<Self> {
        let host = owner_name("host", host, origin)?;
        if matches!(rtype, RecordType::A | RecordType::Aaaa | RecordType::Mx) && host.contains('_')
        {
            return Err(Error::invalid(
                "host",
                format!(
                    "an {rtype} record's host is a host name: letters, digits and '-' \
                     (underscores belong to names of TXT, SRV and CNAME records such as _dmarc)"
                ),
            ));
        }
        let priority = match (rtype.takes_priority(), priority) {
            (true, Some(p)) => Some(u16::try_from(p).map_err(|_| {
                Error::invalid("priority", "priority must be a number from 0 to 65535")
            })?),
            (true, None) if rtype == RecordType::Mx => Some(10),
            (true, None) => Some(0),
            (false, Some(_)) => {
                return Err(Error::invalid(
                    "priority",
                    format!("only MX and SRV records take a priority, not {rtype}"),
                ));
            }
            (false, None) => None,
        };
        let ttl = match ttl {
            None => None,
            Some(t) if (1..=2_147_483_647).contains(&t) => Some(t as u32),
            Some(_) => {
                return Err(Error::invalid(
                    "ttl",
                    "ttl must be a number of seconds from 1 to 2147483647",
                ));
            }
        };
        let value = canonical_value(rtype, &host, origin, value)?;
        Ok(RecordData {
            host,
            rtype,
            value,
            priority,
            ttl,
        })
    }

    /// Whether two records are the same record (owner, type, value, priority), whatever
    /// their TTL.
    pub fn same_as(&self, other: &RecordData) -> bool {
        self.host == other.host
            && self.rtype == other.rtype
            && self.value == other.value
            && self.priority == other.priority
    }

    /// The record's data in zone-file syntax after the type (`10 mail.example.com.`).
    pub fn rdata(&self) -> String {
        match self.rtype {
            RecordType::A | RecordType::Aaaa | RecordType::Caa => self.value.clone(),
            RecordType::Ns | RecordType::Cname => absolute(&self.value),
            RecordType::Mx => format!("{} {}", self.priority.unwrap_or(10), absolute(&self.value)),
            RecordType::Srv => {
                let mut parts = self.value.splitn(3, ' ');
                let (w, p, t) = (
                    parts.next().unwrap_or("0"),
                    parts.next().unwrap_or("0"),
                    parts.next().unwrap_or("."),
                );
                format!("{} {w} {p} {}", self.priority.unwrap_or(0), absolute(t))
            }
            RecordType::Txt => txt_strings(&self.value),
        }
    }

    /// The same record with its names moved from zone `from` to zone `to` (how an alias's
    /// zone follows its domain's zone, R7.2): the owner, and the targets of NS, CNAME, MX
    /// and SRV records that lie inside `from`.
    pub fn renamed(&self, from: &DomainName, to: &DomainName) -> RecordData {
        let mut out = self.clone();
        out.host = rename(&self.host, from, to);
        if self.rtype == RecordType::Srv {
            let parts: Vec<&str> = self.value.splitn(3, ' ').collect();
            if let [w, p, t] = parts[..] {
                out.value = format!("{w} {p} {}", rename(t, from, to));
            }
        } else if self.rtype.value_is_name() {
            out.value = rename(&self.value, from, to);
        }
        out
    }
}

fn rename(name: &str, from: &DomainName, to: &DomainName) -> String {
    if name == from.ascii() {
        return to.ascii().to_owned();
    }
    match name.strip_suffix(&format!(".{}", from.ascii())) {
        Some(prefix) => format!("{prefix}.{}", to.ascii()),
        None => name.to_owned(),
    }
}

fn absolute(name: &str) -> String {
    if name == "." {
        ".".to_owned()
    } else {
        format!("{name}.")
    }
}

/// Whether `name` is `origin` or below it.
pub fn in_zone(name: &str, origin: &DomainName) -> bool {
    name == origin.ascii() || name.ends_with(&format!(".{}", origin.ascii()))
}

/// Checks one label of a DNS name (owner or target): 1–63 characters of letters, digits,
/// `-` and `_` (not starting or ending with `-`); a Unicode label is converted to punycode.
fn dns_label(field: &str, label: &str, whole: &str) -> Result<String> {
    let invalid = |why: &str| {
        Error::invalid(
            field,
            format!("{field} {whole:?} is not a valid DNS name: {why}"),
        )
    };
    let label = if label.is_ascii() {
        label.to_ascii_lowercase()
    } else {
        let converted = idna::domain_to_ascii_strict(label)
            .map_err(|_| invalid("it has characters that are not allowed"))?;
        if converted.contains('.') {
            return Err(invalid("a label holds no dots"));
        }
        converted
    };
    if label.is_empty() || label.len() > 63 {
        return Err(invalid("each label must be 1 to 63 characters"));
    }
    if !label
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(invalid("labels hold only letters, digits, '-' and '_'"));
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err(invalid("a label cannot start or end with '-'"));
    }
    Ok(label)
}

/// An absolute DNS name (no final dot) made of [`dns_label`]s; `*` is allowed as the
/// first label when `wildcard`.
fn dns_name(field: &str, text: &str, wildcard: bool) -> Result<String> {
    let mut labels = vec![];
    for (i, label) in text.split('.').enumerate() {
        if wildcard && i == 0 && label == "*" {
            labels.push("*".to_owned());
        } else {
            labels.push(dns_label(field, label, text)?);
        }
    }
    let name = labels.join(".");
    if name.len() > 253 {
        return Err(Error::invalid(
            field,
            format!("{field} {text:?} is longer than 253 characters"),
        ));
    }
    Ok(name)
}

/// Resolves a record's owner name in the zone of `origin`: `@` or empty is the apex; a
/// name ending with `.` is absolute; a name that is the zone or ends with `.<zone>` is
/// taken as absolute; anything else is relative to the zone. The result must lie inside
/// the zone.
pub fn owner_name(field: &str, raw: &str, origin: &DomainName) -> Result<String> {
    let text = raw.trim();
    if text.is_empty() || text == "@" {
        return Ok(origin.ascii().to_owned());
    }
    let lower = text.to_lowercase();
    let absolute = if let Some(stripped) = lower.strip_suffix('.') {
        stripped.to_owned()
    } else if lower == origin.ascii()
        || lower == origin.unicode()
        || lower.ends_with(&format!(".{}", origin.ascii()))
        || lower.ends_with(&format!(".{}", origin.unicode()))
    {
        lower
    } else {
        format!("{lower}.{}", origin.ascii())
    };
    let name = dns_name(field, &absolute, true)?;
    if !in_zone(&name, origin) {
        return Err(Error::invalid(
            field,
            format!("{field} {text:?} is not inside the zone {origin}"),
        ));
    }
    Ok(name)
}

/// A host name that a record points to (NS, CNAME, MX, SRV targets): absolute, at least
/// two labels, a top-level domain that is not all digits (so never an IP address).
pub fn target_name(field: &str, raw: &str) -> Result<String> {
    let trimmed = raw.trim();
    let text = trimmed.strip_suffix('.').unwrap_or(trimmed);
    if text.is_empty() {
        return Err(Error::invalid(
            field,
            format!("{field} is required: a host name such as mail.example.com"),
        ));
    }
    let name = dns_name(field, text, false)?;
    let labels: Vec<&str> = name.split('.').collect();
    if labels.len() < 2 {
        return Err(Error::invalid(
            field,
            format!(
                "{field} {text:?} must be a fully qualified host name such as mail.example.com"
            ),
        ));
    }
    if labels
        .last()
        .is_some_and(|t| t.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(Error::invalid(
            field,
            format!("{field} {text:?} must be a host name, not an address"),
        ));
    }
    Ok(name)
}

/// The target of an NS, MX or SRV record: a host name, so no underscores (name servers
/// refuse them: BIND's `check-names`).
fn host_target(raw: &str) -> Result<String> {
    let name = target_name("value", raw)?;
    if name.contains('_') {
        return Err(Error::invalid(
            "value",
            format!("{name} must be a host name: letters, digits and '-', no underscores"),
        ));
    }
    Ok(name)
}

fn strip_quotes(text: &str) -> &str {
    if text.len() >= 2 && text.starts_with('"') && text.ends_with('"') {
        &text[1..text.len() - 1]
    } else {
        text
    }
}

fn canonical_value(
    rtype: RecordType,
    host: &str,
    origin: &DomainName,
    raw: &str,
) -> Result<String> {
    let text = raw.trim();
    let invalid = |why: String| Error::invalid("value", why);
    match rtype {
        RecordType::A => text
            .parse::<Ipv4Addr>()
            .map(|a| a.to_string())
            .map_err(|_| {
                invalid(format!(
                    "an A record's value is an IPv4 address, not {text:?}"
                ))
            }),
        RecordType::Aaaa => text
            .parse::<Ipv6Addr>()
            .map(|a| a.to_string())
            .map_err(|_| {
                invalid(format!(
                    "an AAAA record's value is an IPv6 address, not {text:?}"
                ))
            }),
        RecordType::Ns | RecordType::Mx => host_target(text),
        RecordType::Cname => {
            if host == origin.ascii() {
                return Err(Error::invalid(
                    "host",
                    format!(
                        "a CNAME record cannot be at the zone apex {origin}: the apex holds \
                         the SOA and NS records (RFC 1034)"
                    ),
                ));
            }
            let target = target_name("value", text)?;
            if target == host {
                return Err(invalid(format!(
                    "a CNAME record cannot point to itself ({text})"
                )));
            }
            Ok(target)
        }
        RecordType::Txt => {
            let content = strip_quotes(text);
            if content.is_empty() || content.len() > TXT_MAX {
                return Err(invalid(format!(
                    "a TXT record's value is 1 to {TXT_MAX} bytes of text"
                )));
            }
            if content.chars().any(char::is_control) {
                return Err(invalid(
                    "a TXT record's value must not contain control characters".to_owned(),
                ));
            }
            Ok(content.to_owned())
        }
        RecordType::Srv => {
            let labels: Vec<&str> = host.split('.').collect();
            if labels.len() < 3 || !labels[0].starts_with('_') || !labels[1].starts_with('_') {
                return Err(Error::invalid(
                    "host",
                    "an SRV record's host is _service._protocol, such as _sip._tcp",
                ));
            }
            let parts: Vec<&str> = text.split_whitespace().collect();
            let rule = "an SRV record's value is WEIGHT PORT TARGET, such as \"5 5060 sip.example.com\" \
                        (the priority goes in --priority)";
            let [weight, port, target] = parts[..] else {
                return Err(invalid(rule.to_owned()));
            };
            let weight: u16 = weight.parse().map_err(|_| invalid(rule.to_owned()))?;
            let port: u16 = port.parse().map_err(|_| invalid(rule.to_owned()))?;
            let target = if target == "." {
                ".".to_owned()
            } else {
                host_target(target)?
            };
            Ok(format!("{weight} {port} {target}"))
        }
        RecordType::Caa => {
            let rule =
                "a CAA record's value is FLAGS TAG VALUE, such as 0 issue \"letsencrypt.org\"";
            let mut parts = text.splitn(3, char::is_whitespace);
            let (Some(flags), Some(tag), Some(value)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(invalid(rule.to_owned()));
            };
            let flags: u8 = flags.parse().map_err(|_| invalid(rule.to_owned()))?;
            let tag = tag.to_ascii_lowercase();
            if tag.is_empty() || tag.len() > 15 || !tag.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(invalid(format!(
                    "a CAA tag is 1 to 15 letters and digits such as issue, issuewild or iodef ({rule})"
                )));
            }
            let value = strip_quotes(value.trim());
            if value.len() > 255 || value.chars().any(|c| c.is_control() || c == '"') {
                return Err(invalid(format!(
                    "a CAA value is at most 255 characters without quotes or control characters ({rule})"
                )));
            }
            Ok(format!("{flags} {tag} \"{value}\""))
        }
    }
}

/// TXT content as zone-file strings: 255-byte pieces, quoted, with `"` and `\` escaped and
/// bytes outside printable ASCII written `\DDD`.
fn txt_strings(content: &str) -> String {
    content
        .as_bytes()
        .chunks(255)
        .map(|chunk| {
            let mut out = String::from("\"");
            for &b in chunk {
                match b {
                    b'"' | b'\\' => {
                        out.push('\\');
                        out.push(b as char);
                    }
                    0x20..=0x7e => out.push(b as char),
                    _ => out.push_str(&format!("\\{b:03}")),
                }
            }
            out.push('"');
            out
        })
        .collect::<Vec<_>>()
        .join(" ")
}

// ---------------------------------------------------------------- zones

/// Who put a record in a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordSource {
    /// The server's DNS template (`dns template apply` adds and updates these).
    Template,
    /// A subdomain of the zone's domain (R7.3): created and removed with it.
    Subdomain,
    /// Added by hand.
    User,
}

impl RecordSource {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordSource::Template => "template",
            RecordSource::Subdomain => "subdomain",
            RecordSource::User => "user",
        }
    }

    /// Reads a wire name back.
    pub fn from_wire(text: &str) -> Option<Self> {
        match text {
            "template" => Some(RecordSource::Template),
            "subdomain" => Some(RecordSource::Subdomain),
            "user" => Some(RecordSource::User),
            _ => None,
        }
    }
}

/// A record as kept in a zone, with where it came from. A template or subdomain record
/// that someone edited or removed by hand is `user_edited` (a removed one stays as a
/// `removed` marker), so that applying the template never brings it back or changes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneRecord {
    /// Stable id.
    pub id: Uuid,
    /// The record.
    pub data: RecordData,
    /// Where it came from.
    pub source: RecordSource,
    /// Which template line or subdomain record it is (empty for user records).
    pub source_key: String,
    /// Whether someone changed it by hand.
    pub user_edited: bool,
    /// Whether it was removed by hand (kept only as a marker; not served).
    pub removed: bool,
}

impl ZoneRecord {
    /// Whether two kept records say the same thing (ids aside).
    pub fn same_content(&self, other: &ZoneRecord) -> bool {
        self.data == other.data
            && self.source == other.source
            && self.source_key == other.source_key
            && self.user_edited == other.user_edited
            && self.removed == other.removed
    }
}

/// A domain's zone: its serial and records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    /// The domain (main, site or alias) whose zone this is.
    pub domain_id: Uuid,
    /// SOA serial, strictly increasing on every change.
    pub serial: u32,
    /// Records, including `removed` markers.
    pub records: Vec<ZoneRecord>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl Zone {
    /// The records that are served (markers left out).
    pub fn live(&self) -> impl Iterator<Item = &RecordData> {
        self.records.iter().filter(|r| !r.removed).map(|r| &r.data)
    }

    /// Whether the records say the same as `other`'s (ids and serial aside).
    pub fn same_records(&self, other: &[ZoneRecord]) -> bool {
        self.records.len() == other.len()
            && self
                .records
                .iter()
                .all(|r| other.iter().any(|o| o.same_content(r)))
    }
}

/// The next SOA serial after `current` on `today`, in `YYYYMMDDnn` style: the first
/// change of a day starts at `nn = 00`; later changes count up, spilling into the date
/// when there are more than 100 in a day. Always strictly greater than `current`.
pub fn next_serial(current: u32, today: NaiveDate) -> u32 {
    let day = today.year().max(0) as u32 * 1_000_000 + today.month() * 10_000 + today.day() * 100;
    day.max(current.saturating_add(1))
}

/// The rules a whole zone keeps (R7.4), so that it always passes a zone checker:
/// no record twice; a CNAME is alone at its name (RFC 1034); the apex has at least one NS
/// record; a name server inside the zone has an address record.
pub fn check_zone<'a>(
    origin: &DomainName,
    records: impl IntoIterator<Item = &'a RecordData>,
) -> Result<()> {
    let records: Vec<&RecordData> = records.into_iter().collect();
    check_records(origin, &records)?;
    check_complete(origin, &records)
}

/// The rules that adding a record can only break: no record twice, a CNAME alone at its
/// name.
fn check_records(origin: &DomainName, records: &[&RecordData]) -> Result<()> {
    let mut seen: Vec<&RecordData> = vec![];
    for r in records {
        if seen.iter().any(|s| s.same_as(r)) {
            return Err(Error::conflict(
                Some("value"),
                format!(
                    "the zone {origin} already has the record {}. {} {}",
                    r.host,
                    r.rtype,
                    r.rdata()
                ),
            ));
        }
        seen.push(r);
    }
    let mut types_at: BTreeMap<&str, BTreeSet<RecordType>> = BTreeMap::new();
    let mut cnames_at: BTreeMap<&str, usize> = BTreeMap::new();
    for r in records {
        types_at.entry(&r.host).or_default().insert(r.rtype);
        if r.rtype == RecordType::Cname {
            *cnames_at.entry(&r.host).or_default() += 1;
        }
    }
    for (host, count) in &cnames_at {
        let others = types_at.get(host).map_or(0, |t| t.len() - 1);
        if *count > 1 || others > 0 {
            return Err(Error::conflict(
                Some("host"),
                format!(
                    "{host} has a CNAME record, which cannot share its name with any other \
                     record (RFC 1034): remove one of them first"
                ),
            ));
        }
    }
    Ok(())
}

/// The rules that adding a record can only fix: an NS record at the apex, an address for
/// every name server inside the zone.
fn check_complete(origin: &DomainName, records: &[&RecordData]) -> Result<()> {
    if !records
        .iter()
        .any(|r| r.rtype == RecordType::Ns && r.host == origin.ascii())
    {
        return Err(Error::conflict(
            Some("host"),
            format!("the zone {origin} needs at least one NS record at its apex"),
        ));
    }
    for ns in records.iter().filter(|r| r.rtype == RecordType::Ns) {
        if in_zone(&ns.value, origin) {
            let has_address = records
                .iter()
                .any(|r| r.host == ns.value && matches!(r.rtype, RecordType::A | RecordType::Aaaa));
            if !has_address {
                return Err(Error::conflict(
                    Some("value"),
                    format!(
                        "the name server {} is inside the zone {origin} and needs an A or AAAA \
                         record there",
                        ns.value
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// What reconciling a zone with desired records did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reconciled {
    /// Records added.
    pub added: usize,
    /// Records whose value, priority or TTL changed.
    pub updated: usize,
    /// Records left alone because someone edited or removed them by hand.
    pub kept: usize,
    /// Records no longer wanted, removed.
    pub removed: usize,
    /// Desired records that would break the zone's rules, with why; not applied.
    pub skipped: Vec<(RecordData, Error)>,
}

impl Reconciled {
    /// Whether anything changed.
    pub fn changed(&self) -> bool {
        self.added + self.updated + self.removed > 0
    }

    /// Adds another zone's counts.
    pub fn absorb(&mut self, other: Reconciled) {
        self.added += other.added;
        self.updated += other.updated;
        self.kept += other.kept;
        self.removed += other.removed;
        self.skipped.extend(other.skipped);
    }
}

/// The records a [`reconcile`] looks after, and what it may remove.
#[derive(Debug, Clone, Copy)]
pub struct Owned<'a> {
    /// Records of this source...
    pub source: RecordSource,
    /// ...whose key starts with this.
    pub prefix: &'a str,
    /// Remove those not desired (subdomain records); else keep them (template records:
    /// applying a template adds and updates only).
    pub remove_missing: bool,
    /// Keys whose records go whatever (template lines the zone cannot have any more).
    pub withdrawn: &'a [String],
}

impl<'a> Owned<'a> {
    /// All four parts.
    pub fn new(
        source: RecordSource,
        prefix: &'a str,
        remove_missing: bool,
        withdrawn: &'a [String],
    ) -> Self {
        Owned {
            source,
            prefix,
            remove_missing,
            withdrawn,
        }
    }
}

/// Makes the records of `source` whose key starts with `prefix` match `desired`
/// (`(key, record)` pairs): adds missing ones, updates changed ones, never touches
/// user-edited ones, removes those whose key is `withdrawn`, and — when `remove_missing` —
/// removes every one no longer desired. A
/// desired record that clashes with the zone's other records (a duplicate, a CNAME that
/// would not be alone) is skipped and reported. When the result would still break
/// [`check_zone`] (no apex NS, a name server without address) the zone is left unchanged
/// and that is the error.
pub fn reconcile(
    zone: &mut Zone,
    origin: &DomainName,
    owned: &Owned<'_>,
    desired: Vec<(String, RecordData)>,
    new_id: &mut dyn FnMut() -> Uuid,
) -> Result<Reconciled> {
    let Owned {
        source,
        prefix,
        remove_missing,
        withdrawn,
    } = *owned;
    let original = zone.records.clone();
    let mut out = Reconciled::default();
    let wanted: BTreeSet<&str> = desired.iter().map(|(k, _)| k.as_str()).collect();
    let withdrawn: BTreeSet<&str> = withdrawn.iter().map(String::as_str).collect();
    let before = zone.records.len();
    zone.records.retain(|r| {
        let ours = r.source == source && r.source_key.starts_with(prefix) && !r.user_edited;
        let unwanted = withdrawn.contains(r.source_key.as_str())
            || (remove_missing && !wanted.contains(r.source_key.as_str()));
        !(ours && unwanted)
    });
    out.removed = before - zone.records.len();
    for (key, data) in desired {
        let existing = zone
            .records
            .iter()
            .position(|r| r.source == source && r.source_key == key);
        match existing {
            Some(i) if zone.records[i].user_edited || zone.records[i].removed => out.kept += 1,
            Some(i) if zone.records[i].data == data => {}
            Some(i) => {
                let previous = std::mem::replace(&mut zone.records[i].data, data.clone());
                match check_records(origin, &zone.live().collect::<Vec<_>>()) {
                    Ok(()) => out.updated += 1,
                    Err(e) => {
                        zone.records[i].data = previous;
                        out.skipped.push((data, e));
                    }
                }
            }
            None => {
                zone.records.push(ZoneRecord {
                    id: new_id(),
                    data: data.clone(),
                    source,
                    source_key: key,
                    user_edited: false,
                    removed: false,
                });
                match check_records(origin, &zone.live().collect::<Vec<_>>()) {
                    Ok(()) => out.added += 1,
                    Err(e) => {
                        zone.records.pop();
                        out.skipped.push((data, e));
                    }
                }
            }
        }
    }
    if let Err(e) = check_complete(origin, &zone.live().collect::<Vec<_>>()) {
        zone.records = original;
        return Err(e);
    }
    Ok(out)
}

/// Removes every record of `source` whose key starts with `prefix`, markers and
/// user-edited ones included (a subdomain's records go with it, R7.3); how many went.
pub fn drop_source(zone: &mut Zone, source: RecordSource, prefix: &str) -> usize {
    let before = zone.records.len();
    zone.records
        .retain(|r| r.source != source || !r.source_key.starts_with(prefix));
    before - zone.records.len()
}

/// A DNS name for people: punycode labels shown in Unicode (`_` labels stay as they are).
pub fn display_name(ascii: &str) -> String {
    let (unicode, result) = idna::domain_to_unicode(ascii);
    if result.is_ok() {
        unicode
    } else {
        ascii.to_owned()
    }
}

/// Adds a record by hand. Re-adding a template or subdomain record that was removed by
/// hand revives it (still marked user-edited). The zone's rules are checked; on error the
/// zone is unchanged.
pub fn add_record(
    zone: &mut Zone,
    origin: &DomainName,
    data: RecordData,
    new_id: &mut dyn FnMut() -> Uuid,
) -> Result<()> {
    if let Some(r) = zone
        .records
        .iter_mut()
        .find(|r| r.removed && r.data.same_as(&data))
    {
        let previous = r.clone();
        r.removed = false;
        r.data = data;
        let id = previous.id;
        if let Err(e) = check_zone(origin, zone.live()) {
            if let Some(r) = zone.records.iter_mut().find(|r| r.id == id) {
                *r = previous;
            }
            return Err(e);
        }
        return Ok(());
    }
    zone.records.push(ZoneRecord {
        id: new_id(),
        data,
        source: RecordSource::User,
        source_key: String::new(),
        user_edited: true,
        removed: false,
    });
    if let Err(e) = check_zone(origin, zone.live()) {
        zone.records.pop();
        return Err(e);
    }
    Ok(())
}

/// Removes a served record by hand: a user record goes; a template or subdomain record
/// stays as a user-edited `removed` marker so that applying the template does not bring
/// it back. `priority` narrows the match when given. The zone's rules are checked (the
/// last apex NS record cannot go); on error the zone is unchanged.
pub fn remove_record(
    zone: &mut Zone,
    origin: &DomainName,
    wanted: &RecordData,
    match_priority: bool,
) -> Result<RecordData> {
    let before = zone.records.clone();
    let index = zone.records.iter().position(|r| {
        !r.removed
            && r.data.host == wanted.host
            && r.data.rtype == wanted.rtype
            && r.data.value == wanted.value
            && (!match_priority || r.data.priority == wanted.priority)
    });
    let Some(i) = index else {
        return Err(Error::not_found(
            "value",
            format!(
                "the zone {origin} has no record {}. {} {}",
                wanted.host,
                wanted.rtype,
                wanted.rdata()
            ),
        ));
    };
    let gone = zone.records[i].data.clone();
    if zone.records[i].source == RecordSource::User {
        zone.records.remove(i);
    } else {
        zone.records[i].removed = true;
        zone.records[i].user_edited = true;
    }
    if let Err(e) = check_zone(origin, zone.live()) {
        zone.records = before;
        return Err(e);
    }
    Ok(gone)
}

/// Renders a zone as standard zone-file text: a comment naming the zone (in Unicode) and
/// its type, `$TTL`, the SOA (primary name server `hostname`, contact
/// `hostmaster.<zone>`), then every served record with absolute names, apex first.
pub fn render_zone(
    origin: &DomainName,
    serial: u32,
    hostname: &DomainName,
    zone_type: &str,
    records: &[&RecordData],
) -> String {
    let mut sorted: Vec<&RecordData> = records.to_vec();
    sorted.sort_by(|a, b| {
        let apex = |r: &RecordData| r.host != origin.ascii();
        (apex(a), &a.host, a.rtype, a.priority, &a.value).cmp(&(
            apex(b),
            &b.host,
            b.rtype,
            b.priority,
            &b.value,
        ))
    });
    let width = sorted
        .iter()
        .map(|r| r.host.len() + 1)
        .max()
        .unwrap_or(0)
        .max(origin.ascii().len() + 1);
    let (refresh, retry, expire, minimum) = SOA_TIMERS;
    let mut out = String::new();
    out.push_str(&format!("; Zone {origin}"));
    if origin.unicode() != origin.ascii() {
        out.push_str(&format!(" ({})", origin.ascii()));
    }
    out.push_str(&format!(" ({zone_type}), generated by Berth.\n"));
    out.push_str(&format!("$TTL {DEFAULT_TTL}\n"));
    out.push_str(&format!(
        "{:<width$} {DEFAULT_TTL} IN SOA {}. hostmaster.{}. {serial} {refresh} {retry} {expire} {minimum}\n",
        format!("{}.", origin.ascii()),
        hostname.ascii(),
        origin.ascii(),
    ));
    for r in sorted {
        out.push_str(&format!(
            "{:<width$} {} IN {} {}\n",
            format!("{}.", r.host),
            r.ttl.unwrap_or(DEFAULT_TTL),
            r.rtype,
            r.rdata()
        ));
    }
    out
}

// ---------------------------------------------------------------- template

/// The placeholders a template may use.
pub const PLACEHOLDERS: [&str; 4] = ["<domain>", "<ip>", "<ipv6>", "<hostname>"];

/// One line of the server's DNS template: a record whose host and value may hold
/// placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRecord {
    /// Owner, e.g. `www.<domain>.`.
    pub host: String,
    /// Type.
    pub rtype: RecordType,
    /// Value, e.g. `<ip>` or `"v=spf1 +a +mx -all"`.
    pub value: String,
    /// MX and SRV priority.
    pub priority: Option<u16>,
    /// TTL; `None` is the zone's default.
    pub ttl: Option<u32>,
}

impl TemplateRecord {
    fn new(host: &str, rtype: RecordType, priority: Option<u16>, value: &str) -> Self {
        TemplateRecord {
            host: host.to_owned(),
            rtype,
            value: value.to_owned(),
            priority,
            ttl: None,
        }
    }

    /// The line as written in a template file: `HOST [TTL] TYPE [PRIORITY] VALUE`.
    pub fn to_line(&self) -> String {
        let mut parts = vec![self.host.clone()];
        if let Some(ttl) = self.ttl {
            parts.push(ttl.to_string());
        }
        parts.push(self.rtype.to_string());
        if let Some(p) = self.priority {
            parts.push(p.to_string());
        }
        parts.push(self.value.clone());
        parts.join(" ")
    }
}

/// The default template of R7.4, with the AAAA twins used when a subscription has IPv6.
pub fn default_template() -> Vec<TemplateRecord> {
    use RecordType::*;
    vec![
        TemplateRecord::new("<domain>.", Ns, None, "ns.<domain>."),
        TemplateRecord::new("ns.<domain>.", A, None, "<ip>"),
        TemplateRecord::new("ns.<domain>.", Aaaa, None, "<ipv6>"),
        TemplateRecord::new("<domain>.", A, None, "<ip>"),
        TemplateRecord::new("<domain>.", Aaaa, None, "<ipv6>"),
        TemplateRecord::new("www.<domain>.", Cname, None, "<domain>."),
        TemplateRecord::new("ftp.<domain>.", Cname, None, "<domain>."),
        TemplateRecord::new("mail.<domain>.", A, None, "<ip>"),
        TemplateRecord::new("mail.<domain>.", Aaaa, None, "<ipv6>"),
        TemplateRecord::new("<domain>.", Mx, Some(10), "mail.<domain>."),
        TemplateRecord::new("webmail.<domain>.", A, None, "<ip>"),
        TemplateRecord::new("webmail.<domain>.", Aaaa, None, "<ipv6>"),
        TemplateRecord::new("<domain>.", Txt, None, "\"v=spf1 +a +mx -all\""),
        TemplateRecord::new("_dmarc.<domain>.", Txt, None, "\"v=DMARC1; p=none\""),
    ]
}

/// The template as text, one record per line (what `dns template show` prints and
/// `dns template set` reads).
pub fn template_to_text(records: &[TemplateRecord]) -> String {
    let mut out = String::from(
        "; Berth DNS template: HOST [TTL] TYPE [PRIORITY] VALUE\n\
         ; placeholders: <domain> <ip> <ipv6> <hostname>\n",
    );
    for r in records {
        out.push_str(&r.to_line());
        out.push('\n');
    }
    out
}

/// What the placeholders stand for in one zone.
#[derive(Debug, Clone)]
pub struct ZoneContext<'a> {
    /// `<domain>`.
    pub domain: &'a DomainName,
    /// `<ip>`: the subscription's first IPv4 address; records using it are left out
    /// without one.
    pub ipv4: Option<Ipv4Addr>,
    /// `<ipv6>`: the subscription's first IPv6 address; records using it are left out
    /// without one.
    pub ipv6: Option<Ipv6Addr>,
    /// `<hostname>`: the server's host name.
    pub hostname: &'a DomainName,
}

impl ZoneContext<'_> {
    fn substitute(&self, text: &str) -> String {
        text.replace("<domain>", self.domain.ascii())
            .replace("<hostname>", self.hostname.ascii())
            .replace(
                "<ipv6>",
                &self.ipv6.map(|a| a.to_string()).unwrap_or_default(),
            )
            .replace(
                "<ip>",
                &self.ipv4.map(|a| a.to_string()).unwrap_or_default(),
            )
    }

    fn provides(&self, text: &str) -> bool {
        (self.ipv4.is_some() || !text.contains("<ip>"))
            && (self.ipv6.is_some() || !text.contains("<ipv6>"))
    }
}

/// The records `template` gives the zone of `ctx.domain`, each with its template key
/// (`HOST|TYPE|n`, n counting the lines with the same host and type) — the identity
/// `dns template apply` uses to update records.
pub fn expand_template(
    template: &[TemplateRecord],
    ctx: &ZoneContext<'_>,
) -> Result<Vec<(String, RecordData)>> {
    let mut out = vec![];
    for (key, t) in keyed(template) {
        if !ctx.provides(&t.host) || !ctx.provides(&t.value) {
            continue;
        }
        let data = RecordData::parse(
            ctx.domain,
            t.rtype,
            &ctx.substitute(&t.host),
            &ctx.substitute(&t.value),
            t.priority.map(i64::from),
            t.ttl.map(i64::from),
        )?;
        out.push((key, data));
    }
    Ok(out)
}

/// The keys of the template lines this zone cannot have because its subscription lacks
/// the address they use (`<ip>` without IPv4, `<ipv6>` without IPv6): records of those
/// lines are withdrawn when the addresses change.
pub fn withdrawn_keys(template: &[TemplateRecord], ctx: &ZoneContext<'_>) -> Vec<String> {
    keyed(template)
        .into_iter()
        .filter(|(_, t)| !ctx.provides(&t.host) || !ctx.provides(&t.value))
        .map(|(k, _)| k)
        .collect()
}

/// Each template line with its key `HOST|TYPE|n`.
fn keyed(template: &[TemplateRecord]) -> Vec<(String, &TemplateRecord)> {
    let mut counts: BTreeMap<(String, RecordType), usize> = BTreeMap::new();
    template
        .iter()
        .map(|t| {
            let host_key = t.host.trim().to_lowercase();
            let n = counts.entry((host_key.clone(), t.rtype)).or_default();
            let key = format!("{host_key}|{}|{n}", t.rtype);
            *n += 1;
            (key, t)
        })
        .collect()
}

fn line_error(line: usize, err: Error) -> Error {
    Error::invalid(
        "template",
        format!(
            "template line {line}: {} (field {})",
            err.message,
            err.field.unwrap_or_default()
        ),
    )
}

/// Parses a template file: one record per line, `HOST [TTL] TYPE [PRIORITY] VALUE`;
/// blank lines and lines starting with `;` or `#` are ignored. Only the placeholders of
/// [`PLACEHOLDERS`] are allowed; every record must expand to a valid record inside the
/// zone, and the expanded zone must keep the zone rules. Errors name the field
/// `template` and the line.
pub fn parse_template(text: &str) -> Result<Vec<TemplateRecord>> {
    let mut records = vec![];
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let n = i + 1;
        if line.is_empty() || line.starts_with(';') || line.starts_with('#') {
            continue;
        }
        let record = parse_template_line(line).map_err(|e| line_error(n, e))?;
        let mut rest = format!("{} {}", record.host, record.value);
        for p in PLACEHOLDERS {
            rest = rest.replace(p, "");
        }
        if let Some(start) = rest.find('<')
            && rest[start..].contains('>')
        {
            let end = rest[start..]
                .find('>')
                .map_or(rest.len(), |e| start + e + 1);
            return Err(line_error(
                n,
                Error::invalid(
                    "value",
                    format!(
                        "{} is not a placeholder; the placeholders are {}",
                        &rest[start..end],
                        PLACEHOLDERS.join(", ")
                    ),
                ),
            ));
        }
        records.push((n, record));
    }
    let sample_domain = DomainName::parse("domain", "example.com")?;
    let sample_host = DomainName::parse("hostname", "server.example.net")?;
    let full = ZoneContext {
        domain: &sample_domain,
        ipv4: Some(Ipv4Addr::new(192, 0, 2, 1)),
        ipv6: Some("2001:db8::1".parse().unwrap_or(Ipv6Addr::LOCALHOST)),
        hostname: &sample_host,
    };
    for (n, record) in &records {
        expand_template(std::slice::from_ref(record), &full).map_err(|e| line_error(*n, e))?;
    }
    let records: Vec<TemplateRecord> = records.into_iter().map(|(_, r)| r).collect();
    for ctx in [
        full.clone(),
        ZoneContext {
            ipv6: None,
            ..full.clone()
        },
        ZoneContext {
            ipv4: None,
            ..full.clone()
        },
    ] {
        let expanded = expand_template(&records, &ctx)?;
        check_zone(&sample_domain, expanded.iter().map(|(_, r)| r)).map_err(|e| {
            Error::invalid(
                "template",
                format!("the template would build a broken zone: {}", e.message),
            )
        })?;
    }
    Ok(records)
}

/// The next whitespace-separated token of `rest`, which moves past it.
fn next(rest: &mut &str) -> Option<String> {
    let t = rest.trim_start();
    let end = t.find(char::is_whitespace).unwrap_or(t.len());
    let token = &t[..end];
    *rest = &t[end..];
    (!token.is_empty()).then(|| token.to_owned())
}

fn parse_template_line(line: &str) -> Result<TemplateRecord> {
    let mut rest = line;
    let host = next(&mut rest)
        .ok_or_else(|| Error::invalid("host", "a template line starts with the host"))?;
    let mut token = next(&mut rest).ok_or_else(|| Error::invalid("type", "the type is missing"))?;
    let mut ttl = None;
    if token.chars().all(|c| c.is_ascii_digit()) {
        ttl = Some(
            token
                .parse::<u32>()
                .ok()
                .filter(|t| (1..=2_147_483_647).contains(t))
                .ok_or_else(|| Error::invalid("ttl", "ttl must be from 1 to 2147483647"))?,
        );
        token = next(&mut rest).ok_or_else(|| Error::invalid("type", "the type is missing"))?;
    }
    if token.eq_ignore_ascii_case("IN") {
        token = next(&mut rest).ok_or_else(|| Error::invalid("type", "the type is missing"))?;
    }
    let rtype = RecordType::parse("type", &token)?;
    let mut priority = None;
    if rtype.takes_priority() {
        let p = next(&mut rest).ok_or_else(|| {
            Error::invalid("priority", format!("a {rtype} line needs a priority"))
        })?;
        priority = Some(
            p.parse::<u16>()
                .map_err(|_| Error::invalid("priority", "priority must be from 0 to 65535"))?,
        );
    }
    let value = rest.trim();
    if value.is_empty() {
        return Err(Error::invalid("value", "the value is missing"));
    }
    Ok(TemplateRecord {
        host,
        rtype,
        value: value.to_owned(),
        priority,
        ttl,
    })
}

#[cfg(test)]
mod tests;
