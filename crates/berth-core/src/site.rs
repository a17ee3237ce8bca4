//! Domains of subscriptions (SPEC R3.9, R7.1–R7.3): the one registry of every name on the
//! server — main domains, additional domains (sites), aliases and subdomains — with what
//! each kind carries, the limits that count them (R4.2) and who may manage them (R11.2).

use std::fmt;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::account::AccountKind;
use crate::domain::DomainName;
use crate::property::Properties;
use crate::rights::Actor;
use crate::value::Value;
use crate::{Error, Result};

/// What a registered name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DomainKind {
    /// A subscription's main domain (its name, R3.1).
    Main,
    /// An additional domain of a subscription, counted by `max_site` with the main one.
    Site,
    /// An alias of a main domain or site (R7.2), counted by `max_dom_aliases`.
    Alias,
    /// A subdomain `<name>.<domain>` of a main domain or site (R7.3), counted by
    /// `max_subdom`.
    Subdomain,
}

impl DomainKind {
    /// Every kind with its wire name.
    pub const ALL: [(&'static str, DomainKind); 4] = [
        ("main", DomainKind::Main),
        ("site", DomainKind::Site),
        ("alias", DomainKind::Alias),
        ("subdomain", DomainKind::Subdomain),
    ];

    /// The wire name (`main`, `site`, `alias`, `subdomain`).
    pub fn as_str(self) -> &'static str {
        match self {
            DomainKind::Main => "main",
            DomainKind::Site => "site",
            DomainKind::Alias => "alias",
            DomainKind::Subdomain => "subdomain",
        }
    }

    /// Reads a wire name back.
    pub fn from_wire(text: &str) -> Option<Self> {
        Self::ALL.iter().find(|(w, _)| *w == text).map(|(_, k)| *k)
    }

    /// Whether names of this kind are websites with their own document root.
    pub fn has_document_root(self) -> bool {
        matches!(
            self,
            DomainKind::Main | DomainKind::Site | DomainKind::Subdomain
        )
    }

    /// Whether names of this kind have their own DNS zone (R7.4: subdomains get their
    /// records in their parent's zone).
    pub fn has_zone(self) -> bool {
        self != DomainKind::Subdomain
    }

    /// Whether aliases and subdomains may hang below names of this kind.
    pub fn may_be_parent(self) -> bool {
        matches!(self, DomainKind::Main | DomainKind::Site)
    }
}

impl fmt::Display for DomainKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an alias does on the web (R7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AliasWeb {
    /// A permanent (301) redirect to the domain (default).
    #[default]
    Redirect,
    /// The same site as the domain.
    Same,
    /// No web service for the alias.
    Off,
}

impl AliasWeb {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            AliasWeb::Redirect => "redirect",
            AliasWeb::Same => "same",
            AliasWeb::Off => "off",
        }
    }

    /// Parses `redirect`, `same` or `off`.
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "redirect" | "301" => Ok(AliasWeb::Redirect),
            "same" => Ok(AliasWeb::Same),
            "off" | "none" => Ok(AliasWeb::Off),
            _ => Err(Error::invalid(
                field,
                format!(
                    "{field} must be redirect (301 to the domain), same (the same site) or off"
                ),
            )),
        }
    }
}

/// The options of an alias (R7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AliasOptions {
    /// Web behaviour.
    pub web: AliasWeb,
    /// Whether mail to `user@alias` is delivered to `user@domain`.
    pub mail: bool,
    /// Whether the alias's DNS zone follows the domain's zone.
    pub dns_sync: bool,
}

impl Default for AliasOptions {
    /// 301 redirect, mail on, DNS sync on.
    fn default() -> Self {
        AliasOptions {
            web: AliasWeb::Redirect,
            mail: true,
            dns_sync: true,
        }
    }
}

/// Where a website's files live, relative to its subscription's webspace: 1–255
/// characters of path segments made of letters, digits, `.`, `_` and `-`, separated by
/// `/`; never absolute, never `.` or `..`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentRoot(String);

impl DocumentRoot {
    /// Parses a document root; `field` names the input.
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let text = raw.trim().trim_end_matches('/');
        let rule = "a document root is a path inside the webspace such as httpdocs or \
                    sites/blog: segments of letters, digits, '.', '_' and '-' separated by '/', \
                    not absolute, without '.' or '..'";
        let invalid = || Error::invalid(field, format!("{field} {text:?} is not valid: {rule}"));
        if text.is_empty() || text.len() > 255 || text.starts_with('/') {
            return Err(invalid());
        }
        for segment in text.split('/') {
            let ok = !segment.is_empty()
                && segment != "."
                && segment != ".."
                && segment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
            if !ok {
                return Err(invalid());
            }
        }
        Ok(DocumentRoot(text.to_owned()))
    }

    /// The default document root of a website: `httpdocs` for a main domain, its ASCII
    /// name for an additional domain or a subdomain.
    pub fn default_for(kind: DomainKind, name: &DomainName) -> Self {
        match kind {
            DomainKind::Main => DocumentRoot("httpdocs".to_owned()),
            _ => DocumentRoot(name.ascii().to_owned()),
        }
    }

    /// The path.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A short reference to a registered name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainRef {
    /// Its id (a main domain's id is its subscription's id).
    pub id: Uuid,
    /// Its name.
    pub name: DomainName,
}

/// One name of the registry: a main domain, a site, an alias or a subdomain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedDomain {
    /// Stable id; for a main domain, its subscription's id.
    pub id: Uuid,
    /// The name, unique on the server (R7.1).
    pub name: DomainName,
    /// What it is.
    pub kind: DomainKind,
    /// The subscription it belongs to (its main domain).
    pub subscription: DomainRef,
    /// For an alias, the domain it is an alias of; for a subdomain, its parent domain.
    pub parent: Option<DomainRef>,
    /// For websites (main, site, subdomain), where its files live.
    pub document_root: Option<DocumentRoot>,
    /// For aliases, their options.
    pub alias: Option<AliasOptions>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl HostedDomain {
    /// The registry entry of subscription `s`'s main domain (R7.1): its id and times are the
    /// subscription's, its document root the default one.
    pub fn main_of(s: &crate::hosting::Subscription) -> HostedDomain {
        HostedDomain {
            id: s.id,
            name: s.name.clone(),
            kind: DomainKind::Main,
            subscription: DomainRef {
                id: s.id,
                name: s.name.clone(),
            },
            parent: None,
            document_root: Some(DocumentRoot::default_for(DomainKind::Main, &s.name)),
            alias: None,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// A request for registered names, decided by the service layer (rights scope first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DomainQuery {
    /// Only names of subscriptions this account provides or holds.
    pub scope: Option<crate::account::AccountId>,
    /// Only names of this subscription.
    pub subscription: Option<Uuid>,
    /// Only names below this domain (its aliases and subdomains).
    pub parent: Option<Uuid>,
    /// Only names of these kinds; empty means every kind.
    pub kinds: Vec<DomainKind>,
}

/// The subdomain `<prefix>.<parent>`: `prefix` is one or more labels (Unicode or
/// punycode); a full name ending with `.<parent>` is accepted as well.
pub fn subdomain_name(field: &str, prefix: &str, parent: &DomainName) -> Result<DomainName> {
    let raw = prefix.trim().trim_end_matches('.');
    if raw.is_empty() {
        return Err(Error::invalid(
            field,
            format!("{field} is required: the part before .{parent}, such as blog"),
        ));
    }
    let full = match DomainName::parse(field, raw) {
        Ok(d) if d.ascii().ends_with(&format!(".{}", parent.ascii())) => d,
        _ => DomainName::parse(field, &format!("{raw}.{}", parent.ascii()))?,
    };
    Ok(full)
}

/// The value of count limit `limit` in `props`: `None` when unlimited.
pub fn count_limit(props: &Properties, limit: &str) -> Option<i64> {
    match props.get(limit) {
        Some(Value::Limit(n)) if *n >= 0 => Some(*n),
        _ => None,
    }
}

/// Checks that `asked` more objects fit under count limit `limit` of a subscription that
/// uses `used` (R4.2): the error names the limit, its value, the current use and the
/// amount asked.
pub fn check_count_limit(props: &Properties, limit: &str, used: u64, asked: u64) -> Result<()> {
    match count_limit(props, limit) {
        Some(max) if used.saturating_add(asked) > max as u64 => Err(Error::limit_exceeded(
            limit,
            format!(
                "{limit} is {max}: the subscription uses {used} and asks for {asked} more \
                 (R4.2); raise the limit or remove some first"
            ),
        )),
        _ => Ok(()),
    }
}

/// Whether a subscription's properties grant `permission`.
pub fn granted(props: &Properties, permission: &str) -> bool {
    matches!(props.get(permission), Some(Value::Bool(true)))
}

/// Checks that `actor` may change the domains (or DNS) of a subscription it can see,
/// held by `subscriber` and provided by `provider` (R11.2): the admin and the provider
/// always may; the subscriber only when its subscription grants `permission`
/// (`create_domains`, `manage_domain_aliases`, `manage_subdomains`, `manage_dns`).
pub fn check_manage_domains(
    actor: &Actor,
    subscriber_id: crate::account::AccountId,
    provider_id: crate::account::AccountId,
    props: &Properties,
    permission: &str,
) -> Result<()> {
    if actor.kind == AccountKind::Admin || provider_id == actor.id {
        return Ok(());
    }
    if subscriber_id == actor.id && granted(props, permission) {
        return Ok(());
    }
    Err(Error::forbidden(format!(
        "{} may not do this: the subscription does not grant the permission {permission}",
        actor.login
    )))
}

/// The R3.9 recommendation shown whenever an additional domain is created.
pub const ONE_DOMAIN_PER_SUBSCRIPTION: &str = "Recommended practice (R3.9): one domain per \
     subscription. Each subscription has its own system user, which isolates its sites from \
     the others; consider `berth subscription create DOMAIN` for a new site instead.";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{AccountId, Login};
    use crate::property::{PlanType, defaults_for};

    fn actor(kind: AccountKind, login: &str) -> Actor {
        Actor {
            id: AccountId(Uuid::now_v7()),
            kind,
            login: Login::parse("login", login).unwrap(),
        }
    }

    #[test]
    fn kinds_round_trip_and_know_their_zone_and_document_root() {
        for (wire, kind) in DomainKind::ALL {
            assert_eq!(DomainKind::from_wire(wire), Some(kind));
            assert_eq!(kind.as_str(), wire);
        }
        assert!(!DomainKind::Subdomain.has_zone());
        assert!(!DomainKind::Alias.has_document_root());
        assert!(!DomainKind::Alias.may_be_parent());
        assert!(!DomainKind::Subdomain.may_be_parent());
    }

    #[test]
    fn r7_2_alias_web_is_redirect_same_or_off() {
        assert_eq!(
            AliasWeb::parse("web", "Redirect").unwrap(),
            AliasWeb::Redirect
        );
        assert_eq!(AliasWeb::parse("web", "same").unwrap(), AliasWeb::Same);
        assert_eq!(AliasWeb::parse("web", "off").unwrap(), AliasWeb::Off);
        let err = AliasWeb::parse("web", "302").unwrap_err();
        assert_eq!(err.field.as_deref(), Some("web"));
        assert_eq!(AliasOptions::default().web, AliasWeb::Redirect);
        assert!(AliasOptions::default().dns_sync);
    }

    #[test]
    fn r7_3_document_roots_stay_inside_the_webspace() {
        for good in ["httpdocs", "sites/blog", "blog.example.com", "a_b-c/d.e/"] {
            assert!(DocumentRoot::parse("document_root", good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "/var/www",
            "../etc",
            "a/../b",
            "a/./b",
            "a//b",
            "sp ace",
            "café",
            &"a".repeat(256),
        ] {
            let err = DocumentRoot::parse("document_root", bad).unwrap_err();
            assert_eq!(err.field.as_deref(), Some("document_root"), "{bad:?}");
        }
        let d = DomainName::parse("domain", "Blog.Café.example").unwrap();
        assert_eq!(
            DocumentRoot::default_for(DomainKind::Subdomain, &d).as_str(),
            "blog.xn--caf-dma.example"
        );
        assert_eq!(
            DocumentRoot::default_for(DomainKind::Main, &d).as_str(),
            "httpdocs"
        );
    }

    #[test]
    fn r7_3_subdomain_names_take_a_prefix_or_the_full_name() {
        let parent = DomainName::parse("domain", "café.example").unwrap();
        let a = subdomain_name("name", "Blog", &parent).unwrap();
        assert_eq!(a.ascii(), "blog.xn--caf-dma.example");
        let b = subdomain_name("name", "blog.café.example", &parent).unwrap();
        assert_eq!(a, b);
        let deep = subdomain_name("name", "a.b", &parent).unwrap();
        assert_eq!(deep.unicode(), "a.b.café.example");
        for bad in ["", "_dmarc", "bad name", "-x"] {
            let err = subdomain_name("name", bad, &parent).unwrap_err();
            assert_eq!(err.field.as_deref(), Some("name"), "{bad:?}");
        }
    }

    #[test]
    fn r4_2_count_limits_name_limit_value_use_and_amount() {
        let mut props = defaults_for(PlanType::Service);
        props.insert("max_site", Value::Limit(2));
        assert!(check_count_limit(&props, "max_site", 1, 1).is_ok());
        let err = check_count_limit(&props, "max_site", 2, 1).unwrap_err();
        assert_eq!(err.code, crate::ErrorCode::LimitExceeded);
        assert_eq!(err.field.as_deref(), Some("max_site"));
        for part in ["max_site is 2", "uses 2", "asks for 1 more"] {
            assert!(err.message.contains(part), "{}", err.message);
        }
        props.insert("max_site", Value::UNLIMITED);
        assert!(check_count_limit(&props, "max_site", 1_000_000, 1).is_ok());
    }

    #[test]
    fn r11_2_domains_are_managed_by_admin_provider_or_a_permitted_subscriber() {
        let admin = actor(AccountKind::Admin, "admin");
        let reseller = actor(AccountKind::Reseller, "r1");
        let customer = actor(AccountKind::Customer, "c1");
        let mut props = defaults_for(PlanType::Service);
        props.insert("manage_dns", Value::Bool(false));
        for a in [&admin, &reseller] {
            assert!(
                check_manage_domains(a, customer.id, reseller.id, &props, "manage_dns").is_ok()
            );
        }
        let err = check_manage_domains(&customer, customer.id, reseller.id, &props, "manage_dns")
            .unwrap_err();
        assert_eq!(err.code, crate::ErrorCode::Forbidden);
        assert!(err.message.contains("manage_dns"));
        props.insert("manage_dns", Value::Bool(true));
        assert!(
            check_manage_domains(&customer, customer.id, reseller.id, &props, "manage_dns").is_ok()
        );
        let other = actor(AccountKind::Customer, "c2");
        assert!(
            check_manage_domains(&other, customer.id, reseller.id, &props, "manage_dns").is_err()
        );
    }
}
