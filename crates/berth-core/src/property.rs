//! The property table (SPEC R2.4): every plan and subscription property defined once —
//! name, group, kind, default, the permission that hands it to the subscriber (R3.3), how
//! add-ons combine it (R2.5), which plan types carry it. Parsing, validation, JSON,
//! storage, sync exclusions, forms and API names all come from [`PROPERTIES`].

use std::collections::BTreeMap;

use crate::size::Size;
use crate::value::{Apps, Period, Threshold, Value};
use crate::{Error, Result};

/// The groups of R2.4, with the name used for CLI flags and JSON objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Group {
    /// `limits` (`--limit`): resources, counts, sizes, overuse policy, validity.
    Limits,
    /// `permissions` (`--perm`): booleans granted to the subscriber.
    Permissions,
    /// `hosting` (`--hosting`): web hosting settings.
    Hosting,
    /// `php` (`--php`): PHP settings, each explicit or `default`.
    Php,
    /// `mail` (`--mail`): mail service settings.
    Mail,
    /// `dns` (`--dns`): zone type.
    Dns,
    /// `performance` (`--performance`): bandwidth and connections.
    Performance,
    /// `logs` (`--logs`): statistics retention and log rotation.
    Logs,
    /// `applications` (`--apps`): catalogue applications.
    Applications,
}

impl Group {
    /// Every group, in display order.
    pub const ALL: [Group; 9] = [
        Group::Limits,
        Group::Permissions,
        Group::Hosting,
        Group::Php,
        Group::Mail,
        Group::Dns,
        Group::Performance,
        Group::Logs,
        Group::Applications,
    ];

    /// The JSON object name and flag stem.
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Limits => "limits",
            Group::Permissions => "permissions",
            Group::Hosting => "hosting",
            Group::Php => "php",
            Group::Mail => "mail",
            Group::Dns => "dns",
            Group::Performance => "performance",
            Group::Logs => "logs",
            Group::Applications => "applications",
        }
    }

    /// The command-line flag that sets properties of this group.
    pub fn flag(self) -> &'static str {
        match self {
            Group::Limits => "--limit",
            Group::Permissions => "--perm",
            Group::Hosting => "--hosting",
            Group::Php => "--php",
            Group::Mail => "--mail",
            Group::Dns => "--dns",
            Group::Performance => "--performance",
            Group::Logs => "--logs",
            Group::Applications => "--apps",
        }
    }
}

/// What kind of value a property holds, which decides parsing and combination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A count of objects; `-1`/`unlimited` allowed.
    Count,
    /// A size in bytes (`512M`, `10G`); `-1`/`unlimited` allowed.
    Size,
    /// A number in `unit` from `min` to `max`; `-1`/`unlimited` allowed when `unlimited`.
    Number {
        /// Unit shown to people (`KB/s`, `months`).
        unit: &'static str,
        /// Smallest value.
        min: i64,
        /// Largest value.
        max: i64,
        /// Whether `-1` (unlimited) is accepted.
        unlimited: bool,
    },
    /// On/off.
    Bool,
    /// One of these choices, listed from the least to the most generous.
    Choice(&'static [&'static str]),
    /// A validity period (`1M`, `1Y`, unlimited).
    Period,
    /// A soft threshold: size or percentage.
    Threshold,
    /// Free text up to `max` characters (newlines allowed when `multiline`).
    Text {
        /// Longest value.
        max: usize,
        /// Whether newlines are allowed.
        multiline: bool,
    },
    /// Catalogue applications: `all` or a list.
    Apps,
    /// PHP size directive (`128M`) or `default`.
    PhpSize,
    /// PHP integer directive (seconds) or `default`.
    PhpInt,
    /// PHP on/off directive or `default`.
    PhpBool,
    /// PHP text directive or `default`.
    PhpText,
}

/// How add-ons combine a property with the service plan (R2.5). Every rule is commutative
/// and associative, so add-on order never matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// Numbers add up; unlimited absorbs.
    Sum,
    /// Booleans are OR-ed: an add-on can grant, never revoke.
    Or,
    /// The most generous value wins (choices by their listed order, periods by length).
    Max,
    /// Sets are united; `all` absorbs.
    Union,
}

/// Plan types a property belongs to, as bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Types(u8);

impl Types {
    /// Service plans, add-on plans and subscriptions.
    pub const HOSTING: Types = Types(0b011);
    /// Service, add-on and reseller plans.
    pub const ALL: Types = Types(0b111);
    /// Reseller plans (and resellers) only.
    pub const RESELLER: Types = Types(0b100);

    /// Whether a plan of `plan_type` carries the property.
    pub fn includes(self, plan_type: PlanType) -> bool {
        let bit = match plan_type {
            PlanType::Service => 0b001,
            PlanType::Addon => 0b010,
            PlanType::Reseller => 0b100,
        };
        self.0 & bit != 0
    }
}

/// The three plan types (R2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PlanType {
    /// A service plan: a full template for subscriptions.
    Service,
    /// An add-on: only adds to a service plan.
    Addon,
    /// A reseller plan (admin only): a reseller's limits and permissions.
    Reseller,
}

impl PlanType {
    /// Wire name: `service`, `addon`, `reseller`.
    pub fn as_str(self) -> &'static str {
        match self {
            PlanType::Service => "service",
            PlanType::Addon => "addon",
            PlanType::Reseller => "reseller",
        }
    }

    /// Parses a wire name; `field` names the input.
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "service" => Ok(PlanType::Service),
            "addon" | "add-on" => Ok(PlanType::Addon),
            "reseller" => Ok(PlanType::Reseller),
            _ => Err(Error::invalid(
                field,
                format!("{field} must be service, addon or reseller"),
            )),
        }
    }
}

/// A default value, as a constant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Default {
    /// Unlimited (`-1`).
    Unlimited,
    /// This number.
    Limit(i64),
    /// This boolean.
    Bool(bool),
    /// This choice.
    Choice(&'static str),
    /// This text.
    Text(&'static str),
    /// Unlimited validity.
    NoExpiry,
    /// No soft threshold.
    NoThreshold,
    /// Every application.
    AllApps,
    /// PHP: inherit.
    Inherit,
}

/// One property, defined once.
#[derive(Debug, Clone, Copy)]
pub struct Descriptor {
    /// Canonical key used by the CLI, API, exports and the Plesk-compatible API.
    pub name: &'static str,
    /// Group of R2.4.
    pub group: Group,
    /// Value kind.
    pub kind: Kind,
    /// Value in a new plan.
    pub default: Default,
    /// The permission that hands control of this property to the subscriber (R3.3): while
    /// it is granted, sync keeps the subscription's own value.
    pub controlled_by: Option<&'static str>,
    /// How add-ons combine it (R2.5).
    pub combine: Combine,
    /// Which plan types carry it.
    pub types: Types,
    /// Whether subscriptions carry it (the validity period only sets the expiration date).
    pub on_subscription: bool,
    /// A short English label for forms.
    pub label: &'static str,
}

const fn prop(
    name: &'static str,
    group: Group,
    kind: Kind,
    default: Default,
    combine: Combine,
    label: &'static str,
) -> Descriptor {
    Descriptor {
        name,
        group,
        kind,
        default,
        controlled_by: None,
        combine,
        types: Types::HOSTING,
        on_subscription: true,
        label,
    }
}

const fn count(name: &'static str, label: &'static str) -> Descriptor {
    Descriptor {
        types: Types::ALL,
        ..prop(
            name,
            Group::Limits,
            Kind::Count,
            Default::Unlimited,
            Combine::Sum,
            label,
        )
    }
}

const fn size(name: &'static str, label: &'static str) -> Descriptor {
    Descriptor {
        types: Types::ALL,
        ..prop(
            name,
            Group::Limits,
            Kind::Size,
            Default::Unlimited,
            Combine::Sum,
            label,
        )
    }
}

const fn perm(name: &'static str, default: bool, label: &'static str) -> Descriptor {
    Descriptor {
        types: Types::ALL,
        ..prop(
            name,
            Group::Permissions,
            Kind::Bool,
            Default::Bool(default),
            Combine::Or,
            label,
        )
    }
}

const fn controlled(d: Descriptor, permission: &'static str) -> Descriptor {
    Descriptor {
        controlled_by: Some(permission),
        ..d
    }
}

const fn hosting_flag(name: &'static str, default: bool, label: &'static str) -> Descriptor {
    controlled(
        prop(
            name,
            Group::Hosting,
            Kind::Bool,
            Default::Bool(default),
            Combine::Or,
            label,
        ),
        "manage_phosting",
    )
}

const fn php(
    name: &'static str,
    kind: Kind,
    permission: &'static str,
    label: &'static str,
) -> Descriptor {
    controlled(
        prop(
            name,
            Group::Php,
            kind,
            Default::Inherit,
            Combine::Max,
            label,
        ),
        permission,
    )
}

/// The R6.3 overuse policies, strictest first.
pub const OVERUSE_POLICIES: &[&str] = &[
    "block",
    "not_suspend",
    "not_suspend_notify",
    "notify",
    "normal",
];

/// Every property of Berth (R2.4, R4.1).
pub static PROPERTIES: &[Descriptor] = &[
    // Resources
    Descriptor {
        types: Types::ALL,
        ..prop(
            "overuse",
            Group::Limits,
            Kind::Choice(OVERUSE_POLICIES),
            Default::Choice("normal"),
            Combine::Max,
            "Overuse policy",
        )
    },
    size("disk_space", "Disk space"),
    size("max_traffic", "Traffic per month"),
    Descriptor {
        types: Types::ALL,
        ..prop(
            "disk_space_soft",
            Group::Limits,
            Kind::Threshold,
            Default::NoThreshold,
            Combine::Max,
            "Notify when disk space reaches",
        )
    },
    Descriptor {
        types: Types::ALL,
        ..prop(
            "max_traffic_soft",
            Group::Limits,
            Kind::Threshold,
            Default::NoThreshold,
            Combine::Max,
            "Notify when traffic reaches",
        )
    },
    count("max_site", "Domains"),
    count("max_subdom", "Subdomains"),
    count("max_dom_aliases", "Domain aliases"),
    count("max_box", "Mailboxes"),
    size("mbox_quota", "Mailbox size"),
    size("total_mboxes_quota", "Total mailboxes size"),
    count("max_maillists", "Mailing lists"),
    count("max_subftp_users", "Additional FTP accounts"),
    count("max_db", "Databases"),
    size("mysql_dbase_space", "Database space"),
    count("max_webapps", "Java applications"),
    count("max_wu", "Web users"),
    count("max_site_builder", "Sites published with Site Builder"),
    Descriptor {
        types: Types::ALL,
        on_subscription: false,
        ..prop(
            "expiration",
            Group::Limits,
            Kind::Period,
            Default::NoExpiry,
            Combine::Max,
            "Validity period",
        )
    },
    Descriptor {
        types: Types::RESELLER,
        ..count("max_cl", "Customers")
    },
    Descriptor {
        types: Types::RESELLER,
        ..count("max_dom", "Subscriptions")
    },
    // Permissions
    perm("create_domains", true, "Domain creation"),
    perm("manage_phosting", false, "Hosting settings management"),
    perm(
        "manage_php_settings",
        false,
        "Common PHP settings management",
    ),
    perm(
        "manage_performance",
        false,
        "Hosting performance settings management",
    ),
    perm("manage_php_safe_mode", false, "PHP safe mode management"),
    perm("manage_sh_access", false, "Access to the server over SSH"),
    perm("manage_not_chroot_shell", false, "Non-chrooted SSH shell"),
    perm("manage_quota", false, "Hard disk quota assignment"),
    perm("manage_subdomains", true, "Subdomains management"),
    perm("manage_domain_aliases", true, "Domain aliases management"),
    perm("manage_subftp", true, "Additional FTP accounts management"),
    perm("manage_dns", true, "DNS zone management"),
    perm("manage_log", true, "Log rotation management"),
    perm("manage_anonftp", false, "Anonymous FTP management"),
    perm("manage_crontab", false, "Scheduler management"),
    perm("manage_spamfilter", true, "Spam filter management"),
    perm("manage_virusfilter", true, "Antivirus management"),
    perm("allow_local_backups", true, "Backups to the server"),
    perm("allow_ftp_backups", true, "Backups to an FTP server"),
    perm("manage_webstat", true, "Web statistics management"),
    perm("manage_maillists", true, "Mailing lists management"),
    perm("manage_webapps", false, "Java applications management"),
    perm(
        "access_appcatalog",
        true,
        "Access to the application catalogue",
    ),
    perm(
        "allow_insecure_sites",
        false,
        "Setting up potentially insecure web scripting options",
    ),
    perm("select_db_server", false, "Database server selection"),
    Descriptor {
        types: Types::RESELLER,
        ..perm("create_clients", true, "Customer creation")
    },
    Descriptor {
        types: Types::RESELLER,
        ..perm("allow_oversell", false, "Overselling")
    },
    Descriptor {
        types: Types::RESELLER,
        ..perm("remote_access_interface", false, "API access")
    },
    Descriptor {
        types: Types::RESELLER,
        ..perm("cp_access", true, "Control panel access")
    },
    // Hosting
    prop(
        "hosting",
        Group::Hosting,
        Kind::Bool,
        Default::Bool(true),
        Combine::Or,
        "Web hosting",
    ),
    controlled(
        prop(
            "hard_quota",
            Group::Hosting,
            Kind::Bool,
            Default::Bool(false),
            Combine::Or,
            "Hard disk quota",
        ),
        "manage_quota",
    ),
    hosting_flag("ssl", true, "SSL support"),
    controlled(
        prop(
            "webstat",
            Group::Hosting,
            Kind::Choice(&["none", "webalizer", "awstats"]),
            Default::Choice("awstats"),
            Combine::Max,
            "Web statistics",
        ),
        "manage_webstat",
    ),
    controlled(
        prop(
            "webstat_protected",
            Group::Hosting,
            Kind::Bool,
            Default::Bool(true),
            Combine::Or,
            "Statistics in a password-protected directory",
        ),
        "manage_webstat",
    ),
    hosting_flag("errdocs", false, "Custom error documents"),
    controlled(
        prop(
            "shell",
            Group::Hosting,
            Kind::Choice(&["none", "chroot", "bash"]),
            Default::Choice("none"),
            Combine::Max,
            "SSH shell",
        ),
        "manage_sh_access",
    ),
    hosting_flag("php", true, "PHP"),
    controlled(
        prop(
            "php_handler",
            Group::Hosting,
            Kind::Choice(&["cgi", "fastcgi", "fpm"]),
            Default::Choice("fpm"),
            Combine::Max,
            "PHP handler",
        ),
        "manage_phosting",
    ),
    hosting_flag("cgi", true, "CGI"),
    hosting_flag("perl", false, "Perl"),
    hosting_flag("python", false, "Python"),
    hosting_flag("fastcgi", true, "FastCGI"),
    hosting_flag("ssi", false, "SSI"),
    hosting_flag("wu_script", false, "Web users may run scripts"),
    // PHP: performance group
    php(
        "memory_limit",
        Kind::PhpSize,
        "manage_performance",
        "memory_limit",
    ),
    php(
        "max_execution_time",
        Kind::PhpInt,
        "manage_performance",
        "max_execution_time",
    ),
    php(
        "max_input_time",
        Kind::PhpInt,
        "manage_performance",
        "max_input_time",
    ),
    php(
        "post_max_size",
        Kind::PhpSize,
        "manage_performance",
        "post_max_size",
    ),
    php(
        "upload_max_filesize",
        Kind::PhpSize,
        "manage_performance",
        "upload_max_filesize",
    ),
    // PHP: common group
    php(
        "include_path",
        Kind::PhpText,
        "manage_php_settings",
        "include_path",
    ),
    php(
        "session.save_path",
        Kind::PhpText,
        "manage_php_settings",
        "session.save_path",
    ),
    php(
        "open_basedir",
        Kind::PhpText,
        "manage_php_settings",
        "open_basedir",
    ),
    php(
        "error_reporting",
        Kind::PhpText,
        "manage_php_settings",
        "error_reporting",
    ),
    php(
        "display_errors",
        Kind::PhpBool,
        "manage_php_settings",
        "display_errors",
    ),
    php(
        "log_errors",
        Kind::PhpBool,
        "manage_php_settings",
        "log_errors",
    ),
    php(
        "allow_url_fopen",
        Kind::PhpBool,
        "manage_php_settings",
        "allow_url_fopen",
    ),
    php(
        "file_uploads",
        Kind::PhpBool,
        "manage_php_settings",
        "file_uploads",
    ),
    php(
        "short_open_tag",
        Kind::PhpBool,
        "manage_php_settings",
        "short_open_tag",
    ),
    controlled(
        prop(
            "additional_directives",
            Group::Php,
            Kind::Text {
                max: 8000,
                multiline: true,
            },
            Default::Text(""),
            Combine::Max,
            "Additional PHP directives",
        ),
        "manage_php_settings",
    ),
    // Mail
    prop(
        "webmail",
        Group::Mail,
        Kind::Bool,
        Default::Bool(true),
        Combine::Or,
        "Webmail",
    ),
    controlled(
        prop(
            "mailing_lists",
            Group::Mail,
            Kind::Bool,
            Default::Bool(true),
            Combine::Or,
            "Mailing lists",
        ),
        "manage_maillists",
    ),
    prop(
        "nonexistent_user",
        Group::Mail,
        Kind::Choice(&["reject", "bounce", "forward"]),
        Default::Choice("bounce"),
        Combine::Max,
        "Mail to non-existent users",
    ),
    prop(
        "bounce_message",
        Group::Mail,
        Kind::Text {
            max: 1000,
            multiline: true,
        },
        Default::Text("This address no longer accepts mail."),
        Combine::Max,
        "Bounce message",
    ),
    prop(
        "forward_address",
        Group::Mail,
        Kind::Text {
            max: 254,
            multiline: false,
        },
        Default::Text(""),
        Combine::Max,
        "Forward to address",
    ),
    // DNS
    controlled(
        prop(
            "zone_type",
            Group::Dns,
            Kind::Choice(&["slave", "master"]),
            Default::Choice("master"),
            Combine::Max,
            "DNS zone type",
        ),
        "manage_dns",
    ),
    // Performance
    controlled(
        prop(
            "max_bandwidth",
            Group::Performance,
            Kind::Number {
                unit: "KB/s",
                min: 1,
                max: 100_000_000,
                unlimited: true,
            },
            Default::Unlimited,
            Combine::Sum,
            "Maximum bandwidth per site",
        ),
        "manage_performance",
    ),
    controlled(
        prop(
            "max_connections",
            Group::Performance,
            Kind::Number {
                unit: "connections",
                min: 1,
                max: 1_000_000,
                unlimited: true,
            },
            Default::Unlimited,
            Combine::Sum,
            "Maximum simultaneous connections per site",
        ),
        "manage_performance",
    ),
    // Logs & statistics
    controlled(
        prop(
            "stats_retention",
            Group::Logs,
            Kind::Number {
                unit: "months",
                min: 1,
                max: 120,
                unlimited: true,
            },
            Default::Limit(3),
            Combine::Max,
            "Months of web statistics kept",
        ),
        "manage_log",
    ),
    controlled(
        prop(
            "log_rotation",
            Group::Logs,
            Kind::Choice(&["size", "period"]),
            Default::Choice("period"),
            Combine::Max,
            "Rotate logs by",
        ),
        "manage_log",
    ),
    controlled(
        prop(
            "log_period",
            Group::Logs,
            Kind::Choice(&["monthly", "weekly", "daily"]),
            Default::Choice("daily"),
            Combine::Max,
            "Rotation period",
        ),
        "manage_log",
    ),
    controlled(
        prop(
            "log_size",
            Group::Logs,
            Kind::Size,
            Default::Limit(10 << 20),
            Combine::Max,
            "Rotation size",
        ),
        "manage_log",
    ),
    controlled(
        prop(
            "log_files_kept",
            Group::Logs,
            Kind::Number {
                unit: "files",
                min: 1,
                max: 1000,
                unlimited: true,
            },
            Default::Limit(3),
            Combine::Max,
            "Log files kept",
        ),
        "manage_log",
    ),
    controlled(
        prop(
            "log_compress",
            Group::Logs,
            Kind::Bool,
            Default::Bool(true),
            Combine::Or,
            "Compress log files",
        ),
        "manage_log",
    ),
    controlled(
        prop(
            "log_mail_to",
            Group::Logs,
            Kind::Text {
                max: 254,
                multiline: false,
            },
            Default::Text(""),
            Combine::Max,
            "Mail processed logs to",
        ),
        "manage_log",
    ),
    // Applications
    Descriptor {
        types: Types::ALL,
        ..prop(
            "applications",
            Group::Applications,
            Kind::Apps,
            Default::AllApps,
            Combine::Union,
            "Applications",
        )
    },
];

/// The descriptor named `name`.
///
/// Looked up in a name index built once: every stored property of every row read goes
/// through here (a page of 100 subscriptions is about 8,000 lookups), where a scan of the
/// table's hundred entries costs about fifty string comparisons per lookup.
pub fn descriptor(name: &str) -> Option<&'static Descriptor> {
    type ByName = std::collections::HashMap<&'static str, usize, NameHash>;
    static BY_NAME: std::sync::OnceLock<ByName> = std::sync::OnceLock::new();
    let index = BY_NAME.get_or_init(|| {
        PROPERTIES
            .iter()
            .enumerate()
            .map(|(i, d)| (d.name, i))
            .collect()
    });
    index.get(name).map(|&i| &PROPERTIES[i])
}

/// The descriptor index's hasher: FNV-1a. The keys are the table's own hundred names, fixed
/// at build time, so the flooding that SipHash (the default) guards against cannot happen;
/// FNV hashes a short name in a few nanoseconds where SipHash takes several times that, on
/// a lookup made for every stored property read.
type NameHash = std::hash::BuildHasherDefault<Fnv1a>;

/// 64-bit FNV-1a.
struct Fnv1a(u64);

impl std::default::Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv1a {
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl Descriptor {
    /// The default as a value.
    pub fn default_value(&self) -> Value {
        match self.default {
            Default::Unlimited => Value::UNLIMITED,
            Default::Limit(n) => Value::Limit(n),
            Default::Bool(b) => Value::Bool(b),
            Default::Choice(c) => Value::Choice(c.to_owned()),
            Default::Text(t) => Value::Text(t.to_owned()),
            Default::NoExpiry => Value::Period(Period::Unlimited),
            Default::NoThreshold => Value::Threshold(Threshold::Off),
            Default::AllApps => Value::Apps(Apps::All),
            Default::Inherit => Value::Default,
        }
    }

    /// Parses a value as typed on the command line or in a form; errors name the property.
    pub fn parse(&self, raw: &str) -> Result<Value> {
        let name = self.name;
        let text = raw.trim();
        let is_default = text.eq_ignore_ascii_case("default");
        match self.kind {
            Kind::Count => parse_count(name, text),
            Kind::Size => Ok(Value::Limit(Size::parse(name, text)?.to_stored())),
            Kind::Number {
                unit,
                min,
                max,
                unlimited,
            } => parse_number(name, text, unit, min, max, unlimited),
            Kind::Bool => parse_bool(name, text).map(Value::Bool),
            Kind::Choice(choices) => {
                let lower = text.to_ascii_lowercase();
                if choices.contains(&lower.as_str()) {
                    Ok(Value::Choice(lower))
                } else {
                    Err(Error::invalid(
                        name,
                        format!("{name} must be one of {}", choices.join(", ")),
                    ))
                }
            }
            Kind::Period => Period::parse(name, text).map(Value::Period),
            Kind::Threshold => Threshold::parse(name, text).map(Value::Threshold),
            Kind::Text { max, multiline } => parse_text(name, raw, max, multiline),
            Kind::Apps => Apps::parse(name, text).map(Value::Apps),
            _ if is_default => Ok(Value::Default),
            Kind::PhpSize => match Size::parse(name, text) {
                Ok(size) => Ok(Value::Limit(size.to_stored())),
                Err(_) => Err(Error::invalid(
                    name,
                    format!("{name} must be a size such as 128M, -1, or default"),
                )),
            },
            Kind::PhpInt => parse_number(name, text, "seconds", 0, PHP_INT_MAX_SECONDS, true)
                .map_err(|_| {
                    Error::invalid(
                        name,
                        format!("{name} must be a number of seconds, -1, or default"),
                    )
                }),
            Kind::PhpBool => parse_bool(name, text).map(Value::Bool),
            Kind::PhpText => parse_text(name, raw, 4096, false),
        }
    }

    /// Checks that a value read back (JSON, storage) fits this property.
    pub fn check(&self, value: &Value) -> Result<()> {
        let ok = match (self.kind, value) {
            (Kind::Count | Kind::Size, Value::Limit(n)) => *n >= -1,
            (
                Kind::Number {
                    min,
                    max,
                    unlimited,
                    ..
                },
                Value::Limit(n),
            ) => (*n == -1 && unlimited) || (min..=max).contains(n),
            (Kind::Bool, Value::Bool(_)) => true,
            (Kind::Choice(choices), Value::Choice(c)) => choices.contains(&c.as_str()),
            (Kind::Period, Value::Period(_)) => true,
            (Kind::Threshold, Value::Threshold(_)) => true,
            (Kind::Text { max, .. }, Value::Text(t)) => t.chars().count() <= max,
            (Kind::Apps, Value::Apps(_)) => true,
            (Kind::PhpSize | Kind::PhpInt, Value::Limit(n)) => *n >= -1,
            (Kind::PhpBool, Value::Bool(_)) => true,
            (Kind::PhpText, Value::Text(_)) => true,
            (Kind::PhpSize | Kind::PhpInt | Kind::PhpBool | Kind::PhpText, Value::Default) => true,
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(Error::invalid(
                self.name,
                format!("{} has a value of the wrong kind", self.name),
            ))
        }
    }

    /// How the value is written for people (and accepted back by [`Descriptor::parse`]).
    pub fn display(&self, value: &Value) -> String {
        Shown(self, value).to_string()
    }

    /// Combines two values of this property (R2.5). Commutative and associative.
    pub fn combine(&self, a: &Value, b: &Value) -> Value {
        match (self.combine, a, b) {
            (_, Value::Default, other) | (_, other, Value::Default) => other.clone(),
            (Combine::Sum, Value::Limit(x), Value::Limit(y)) => {
                if *x < 0 || *y < 0 {
                    Value::UNLIMITED
                } else {
                    Value::Limit(x.saturating_add(*y))
                }
            }
            (Combine::Or, Value::Bool(x), Value::Bool(y)) => Value::Bool(*x || *y),
            (Combine::Union, Value::Apps(x), Value::Apps(y)) => Value::Apps(x.union(y)),
            _ => {
                if self.generosity(a) >= self.generosity(b) {
                    a.clone()
                } else {
                    b.clone()
                }
            }
        }
    }

    /// A total order on values of this property, from least to most generous.
    fn generosity(&self, value: &Value) -> (u64, Value) {
        let rank = match (self.kind, value) {
            (Kind::Choice(choices), Value::Choice(c)) => {
                choices.iter().position(|x| x == c).unwrap_or(0) as u64
            }
            (_, Value::Limit(n)) if *n < 0 => u64::MAX,
            (_, Value::Limit(n)) => *n as u64,
            (_, Value::Bool(b)) => u64::from(*b),
            (_, Value::Period(p)) => p.rank(),
            (_, Value::Threshold(Threshold::Off)) => 0,
            (_, Value::Threshold(Threshold::Percent(p))) => u64::from(*p),
            (_, Value::Threshold(Threshold::Bytes(b))) => 1000 + *b,
            _ => 0,
        };
        (rank, value.clone())
    }

    /// The value as JSON: numbers for limits (`-1` unlimited), booleans, strings otherwise.
    pub fn to_json(&self, value: &Value) -> serde_json::Value {
        match value {
            Value::Limit(n) => serde_json::Value::from(*n),
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Apps(Apps::Only(names)) => serde_json::Value::Array(
                names
                    .iter()
                    .cloned()
                    .map(serde_json::Value::String)
                    .collect(),
            ),
            other => serde_json::Value::String(self.display(other)),
        }
    }

    /// Reads a value back from JSON (storage or API input).
    pub fn from_json(&self, json: &serde_json::Value) -> Result<Value> {
        match json {
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(n) => self.from_json_number(n),
                None => Err(self.not_whole_number()),
            },
            serde_json::Value::Bool(b) => self.from_json_bool(*b),
            serde_json::Value::String(s) => self.from_json_text(s),
            serde_json::Value::Array(items) => {
                let names: Vec<&str> = items.iter().filter_map(|i| i.as_str()).collect();
                if names.len() == items.len() {
                    self.from_json_names(&names)
                } else {
                    Err(self.not_names())
                }
            }
            _ => Err(self.unreadable()),
        }
    }

    /// Reads a JSON whole number back: what [`Descriptor::parse`] makes of its decimal
    /// text, checked.
    ///
    /// Most stored values are numbers of a numeric kind that `parse` would return as they
    /// are; those skip the text round trip (a page of 100 subscriptions reads about 5,000 of
    /// them). A test holds this shortcut to the long way for every property.
    pub fn from_json_number(&self, n: i64) -> Result<Value> {
        let as_is = match self.kind {
            Kind::Count | Kind::Size | Kind::PhpSize => n >= -1,
            Kind::Number {
                min,
                max,
                unlimited,
                ..
            } => (n == -1 && unlimited) || (min..=max).contains(&n),
            Kind::PhpInt => n == -1 || (0..=PHP_INT_MAX_SECONDS).contains(&n),
            _ => false,
        };
        if as_is {
            return Ok(Value::Limit(n));
        }
        self.parsed_and_checked(&n.to_string())
    }

    /// Reads a JSON boolean back (the long way for kinds that are not on/off).
    pub fn from_json_bool(&self, b: bool) -> Result<Value> {
        match self.kind {
            Kind::Bool | Kind::PhpBool => Ok(Value::Bool(b)),
            _ => self.parsed_and_checked(if b { "true" } else { "false" }),
        }
    }

    /// Reads a JSON string back.
    pub fn from_json_text(&self, text: &str) -> Result<Value> {
        self.parsed_and_checked(text)
    }

    /// Reads a JSON list of names back (applications).
    pub fn from_json_names(&self, names: &[&str]) -> Result<Value> {
        self.parsed_and_checked(&names.join(","))
    }

    fn parsed_and_checked(&self, text: &str) -> Result<Value> {
        let value = self.parse(text)?;
        self.check(&value)?;
        Ok(value)
    }

    fn not_whole_number(&self) -> Error {
        Error::invalid(self.name, format!("{} must be a whole number", self.name))
    }

    fn not_names(&self) -> Error {
        Error::invalid(self.name, format!("{} must be a list of names", self.name))
    }

    fn unreadable(&self) -> Error {
        Error::invalid(self.name, format!("{} has an unreadable value", self.name))
    }
}

/// The longest PHP integer directive, in seconds (a week).
const PHP_INT_MAX_SECONDS: i64 = 86_400 * 7;

fn parse_count(name: &str, text: &str) -> Result<Value> {
    if text == "-1" || text.eq_ignore_ascii_case("unlimited") {
        return Ok(Value::UNLIMITED);
    }
    match text.parse::<i64>() {
        Ok(n) if n >= 0 => Ok(Value::Limit(n)),
        _ => Err(Error::invalid(
            name,
            format!("{name} must be a whole number, -1 or unlimited"),
        )),
    }
}

fn parse_number(
    name: &str,
    text: &str,
    unit: &str,
    min: i64,
    max: i64,
    unlimited: bool,
) -> Result<Value> {
    if unlimited && (text == "-1" || text.eq_ignore_ascii_case("unlimited")) {
        return Ok(Value::UNLIMITED);
    }
    match text.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(Value::Limit(n)),
        _ => {
            let or_unlimited = if unlimited { ", or unlimited" } else { "" };
            Err(Error::invalid(
                name,
                format!("{name} must be a number of {unit} from {min} to {max}{or_unlimited}"),
            ))
        }
    }
}

fn parse_bool(name: &str, text: &str) -> Result<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "on" | "yes" | "1" => Ok(true),
        "false" | "off" | "no" | "0" => Ok(false),
        _ => Err(Error::invalid(
            name,
            format!("{name} must be true or false"),
        )),
    }
}

fn parse_text(name: &str, raw: &str, max: usize, multiline: bool) -> Result<Value> {
    let text = raw.trim();
    if text.chars().count() > max {
        return Err(Error::invalid(
            name,
            format!("{name} must be at most {max} characters"),
        ));
    }
    let bad = |c: char| c.is_control() && !(multiline && (c == '\n' || c == '\t' || c == '\r'));
    if text.chars().any(bad) {
        return Err(Error::invalid(
            name,
            format!("{name} must not contain control characters"),
        ));
    }
    Ok(Value::Text(text.to_owned()))
}

/// A set of property values, keyed by property name. A service plan holds every property of
/// its type; an add-on only those it sets; a subscription every subscription property.
pub type Properties = BTreeMap<&'static str, Value>;

/// Every property a plan of `plan_type` carries, with its default.
pub fn defaults_for(plan_type: PlanType) -> Properties {
    PROPERTIES
        .iter()
        .filter(|d| d.types.includes(plan_type))
        .map(|d| (d.name, d.default_value()))
        .collect()
}

/// Parses `NAME=VALUE` given with `group`'s flag; the property must belong to that group
/// and to `plan_type`.
pub fn parse_assignment(
    group: Group,
    plan_type: PlanType,
    raw: &str,
) -> Result<(&'static Descriptor, Value)> {
    let (name, value) = match group {
        Group::Dns if !raw.contains('=') => ("zone_type", raw),
        Group::Applications if !raw.contains('=') => ("applications", raw),
        _ => raw
            .split_once('=')
            .map(|(n, v)| (n.trim(), v))
            .ok_or_else(|| {
                Error::invalid(
                    group.as_str(),
                    format!("{} takes NAME=VALUE (got {raw:?})", group.flag()),
                )
            })?,
    };
    let d = descriptor(name).ok_or_else(|| {
        Error::invalid(
            name,
            format!(
                "{name} is not a property; the {} properties are: {}",
                group.as_str(),
                names_in(group, plan_type)
            ),
        )
    })?;
    if d.group != group {
        return Err(Error::invalid(
            name,
            format!(
                "{name} is a {} property: set it with {}",
                d.group.as_str(),
                d.group.flag()
            ),
        ));
    }
    if !d.types.includes(plan_type) {
        return Err(Error::invalid(
            name,
            format!("{name} does not apply to {} plans", plan_type.as_str()),
        ));
    }
    Ok((d, d.parse(value)?))
}

fn names_in(group: Group, plan_type: PlanType) -> String {
    let names: Vec<&str> = PROPERTIES
        .iter()
        .filter(|d| d.group == group && d.types.includes(plan_type))
        .map(|d| d.name)
        .collect();
    names.join(", ")
}

/// Properties as a JSON object of group objects (`{"limits": {...}, "permissions": {...}}`),
/// the shape of plans and subscriptions in CLI.md.
pub fn to_grouped_json(props: &Properties) -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    for members in group_runs(&by_group(props)) {
        let group = members[0].0.group.as_str();
        let members = members
            .iter()
            .map(|(d, v)| (d.name.to_owned(), d.to_json(v)))
            .collect();
        out.insert(group.to_owned(), serde_json::Value::Object(members));
    }
    out
}

/// The known properties with their descriptors, sorted by group name and, within a group,
/// by property name (the grouped shape's order). Unknown names are skipped.
///
/// One lookup per property and one sort of one list: a list page groups 100 subscriptions
/// of ~90 properties each.
fn by_group(props: &Properties) -> Vec<(&'static Descriptor, &Value)> {
    static NAME_RANK: std::sync::OnceLock<[u8; Group::ALL.len()]> = std::sync::OnceLock::new();
    let rank = NAME_RANK.get_or_init(|| {
        let mut rank = [0; Group::ALL.len()];
        for group in Group::ALL {
            rank[group as usize] = Group::ALL
                .iter()
                .filter(|other| other.as_str() < group.as_str())
                .count() as u8;
        }
        rank
    });
    let found: Vec<(&'static Descriptor, &Value)> = props
        .iter()
        .filter_map(|(name, v)| descriptor_of_key(name).map(|d| (d, v)))
        .collect();
    // A counting sort by group rank: stable, so members keep the properties' name order
    // within their group, and no comparison at all.
    let mut start = [0; Group::ALL.len()];
    for (d, _) in &found {
        start[usize::from(rank[d.group as usize])] += 1;
    }
    let mut next = 0;
    for slot in &mut start {
        (*slot, next) = (next, next + *slot);
    }
    let mut sorted = found.clone();
    for item in found {
        let slot = &mut start[usize::from(rank[item.0.group as usize])];
        sorted[*slot] = item;
        *slot += 1;
    }
    sorted
}

/// The descriptor of a [`Properties`] key.
///
/// Keys are almost always the table's own name strings (every constructor of a property
/// set takes `d.name`), so a key is found by its address first — no hashing of its text,
/// no comparison of bytes — and by its name otherwise. An address and a length together
/// name one string, so the shortcut can only find the right descriptor.
fn descriptor_of_key(name: &'static str) -> Option<&'static Descriptor> {
    type ByAddress = std::collections::HashMap<usize, usize, AddressHash>;
    static BY_ADDRESS: std::sync::OnceLock<ByAddress> = std::sync::OnceLock::new();
    let index = BY_ADDRESS.get_or_init(|| {
        PROPERTIES
            .iter()
            .enumerate()
            .map(|(i, d)| (d.name.as_ptr() as usize, i))
            .collect()
    });
    match index.get(&(name.as_ptr() as usize)) {
        Some(&i) if PROPERTIES[i].name.len() == name.len() => Some(&PROPERTIES[i]),
        _ => descriptor(name),
    }
}

/// The address index's hasher: a multiplicative hash of the address (Fibonacci hashing).
type AddressHash = std::hash::BuildHasherDefault<AddressHasher>;

/// Hashes one `usize` by multiplying it with 2⁶⁴/φ; anything else with FNV-1a.
#[derive(Default)]
struct AddressHasher(Fnv1a);

impl std::hash::Hasher for AddressHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
    }

    fn write_usize(&mut self, address: usize) {
        self.0.0 = (address as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn finish(&self) -> u64 {
        self.0.0
    }
}

/// The members of each group in a list made by [`by_group`], one slice per group (never
/// empty).
fn group_runs<'a, 'v>(
    sorted: &'a [(&'static Descriptor, &'v Value)],
) -> impl Iterator<Item = &'a [(&'static Descriptor, &'v Value)]> {
    sorted.chunk_by(|a, b| a.0.group == b.0.group)
}

/// A value as people read it ([`Descriptor::display`]), written without a string of its own.
struct Shown<'a>(&'a Descriptor, &'a Value);

impl std::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.0.kind, self.1) {
            (_, Value::Limit(n)) if *n < 0 => f.write_str("unlimited"),
            (Kind::Size | Kind::PhpSize, Value::Limit(n)) => Size::Bytes(*n as u64).fmt(f),
            (_, Value::Limit(n)) => n.fmt(f),
            (_, Value::Bool(b)) => b.fmt(f),
            (_, Value::Choice(c) | Value::Text(c)) => f.write_str(c),
            (_, Value::Period(p)) => p.fmt(f),
            (_, Value::Threshold(t)) => t.fmt(f),
            (_, Value::Apps(a)) => a.fmt(f),
            (_, Value::Default) => f.write_str("default"),
        }
    }
}

/// A value in its JSON form ([`Descriptor::to_json`]), serialised straight to the output.
struct AsJson<'a>(&'a Descriptor, &'a Value);

impl serde::Serialize for AsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, out: S) -> std::result::Result<S::Ok, S::Error> {
        match self.1 {
            Value::Limit(n) => out.serialize_i64(*n),
            Value::Bool(b) => out.serialize_bool(*b),
            Value::Apps(Apps::Only(names)) => out.collect_seq(names),
            other => out.collect_str(&Shown(self.0, other)),
        }
    }
}

/// A subscription's or plan's properties as shown: serialises to the grouped shape of
/// [`to_grouped_json`] (`{"limits": {...}, "permissions": {...}}`, same keys, same order)
/// straight from the typed values, so that a list page builds no JSON tree per row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupedProperties(Properties);

impl GroupedProperties {
    /// The view of these properties.
    pub fn new(props: Properties) -> Self {
        GroupedProperties(props)
    }

    /// The typed values.
    pub fn properties(&self) -> &Properties {
        &self.0
    }

    /// One property's typed value.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    /// One property's value in its JSON form.
    pub fn json(&self, name: &str) -> Option<serde_json::Value> {
        let (name, value) = self.0.get_key_value(name)?;
        descriptor_of_key(name).map(|d| d.to_json(value))
    }

    /// One group as a JSON object (`null` when no property of it is set).
    pub fn group_json(&self, group: &str) -> serde_json::Value {
        let members: serde_json::Map<String, serde_json::Value> = self
            .0
            .iter()
            .filter_map(|(name, v)| descriptor_of_key(name).map(|d| (d, v)))
            .filter(|(d, _)| d.group.as_str() == group)
            .map(|(d, v)| (d.name.to_owned(), d.to_json(v)))
            .collect();
        if members.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::Value::Object(members)
        }
    }

    /// The grouped shape as a JSON map ([`to_grouped_json`]).
    pub fn to_json_map(&self) -> serde_json::Map<String, serde_json::Value> {
        to_grouped_json(&self.0)
    }
}

impl serde::Serialize for GroupedProperties {
    fn serialize<S: serde::Serializer>(&self, out: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let sorted = by_group(&self.0);
        let mut groups = out.serialize_map(None)?;
        for members in group_runs(&sorted) {
            groups.serialize_entry(members[0].0.group.as_str(), &GroupMembers(members))?;
        }
        groups.end()
    }
}

/// One group's members as a JSON object.
struct GroupMembers<'a, 'v>(&'a [(&'static Descriptor, &'v Value)]);

impl serde::Serialize for GroupMembers<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, out: S) -> std::result::Result<S::Ok, S::Error> {
        out.collect_map(self.0.iter().map(|(d, v)| (d.name, AsJson(d, v))))
    }
}

/// Properties as a flat JSON object (storage form).
pub fn to_flat_json(props: &Properties) -> String {
    let map: serde_json::Map<String, serde_json::Value> = props
        .iter()
        .filter_map(|(name, v)| descriptor_of_key(name).map(|d| ((*name).to_owned(), d.to_json(v))))
        .collect();
    serde_json::Value::Object(map).to_string()
}

/// Reads the storage form back; unknown names (from a newer version) are an error.
///
/// Every subscription a list page, a sync group or a dry run reads goes through here, so
/// the object is read in one pass: each key is looked up as it is read (no owned key, no
/// intermediate JSON map), and only each small value is held as JSON while it is checked.
pub fn from_flat_json(text: &str) -> Result<Properties> {
    use serde::de::DeserializeSeed;
    let mut rule_broken = None;
    let mut reader = serde_json::Deserializer::from_str(text);
    let read = FlatProperties {
        rule_broken: &mut rule_broken,
    }
    .deserialize(&mut reader)
    .and_then(|props| reader.end().map(|()| props));
    match (read, rule_broken) {
        (Ok(props), _) => Ok(props),
        (Err(_), Some(error)) => Err(error),
        (Err(e), None) => Err(Error::failed(format!(
            "stored properties are not a JSON object: {e}"
        ))),
    }
}

/// Reads a stored property object; a value or name the table refuses is kept in
/// `rule_broken` (serde's error type cannot carry it) and stops the read.
struct FlatProperties<'a> {
    rule_broken: &'a mut Option<Error>,
}

impl<'de> serde::de::DeserializeSeed<'de> for FlatProperties<'_> {
    type Value = Properties;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<Properties, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for FlatProperties<'_> {
    type Value = Properties;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object of stored properties")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Properties, A::Error> {
        use serde::de::Error as _;
        // Collected first, then built in one go: stored objects are written in name order,
        // so the map is bulk-built instead of searched on every insert.
        let mut props = Vec::with_capacity(map.size_hint().unwrap_or(96));
        while let Some(name) = map.next_key_seed(PropertyName)? {
            let d = match name {
                Ok(d) => d,
                Err(unknown) => {
                    *self.rule_broken =
                        Some(Error::failed(format!("unknown stored property {unknown}")));
                    return Err(A::Error::custom("unknown stored property"));
                }
            };
            match map.next_value_seed(StoredValue(d))? {
                Ok(value) => props.push((d.name, value)),
                Err(error) => {
                    *self.rule_broken = Some(error);
                    return Err(A::Error::custom("stored property refused"));
                }
            }
        }
        Ok(props.into_iter().collect())
    }
}

/// A stored property's value, read straight from the text as [`Descriptor::from_json`]
/// would read it once parsed (no JSON value in between: numbers and booleans allocate
/// nothing, strings are borrowed when they hold no escape). The rule's answer is the
/// deserialized value, so that a refused value stops the read with its own error.
struct StoredValue(&'static Descriptor);

impl<'de> serde::de::DeserializeSeed<'de> for StoredValue {
    type Value = Result<Value>;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for StoredValue {
    type Value = Result<Value>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a stored property value")
    }

    fn visit_bool<E>(self, b: bool) -> std::result::Result<Self::Value, E> {
        Ok(self.0.from_json_bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> std::result::Result<Self::Value, E> {
        Ok(self.0.from_json_number(n))
    }

    fn visit_u64<E>(self, n: u64) -> std::result::Result<Self::Value, E> {
        Ok(match i64::try_from(n) {
            Ok(n) => self.0.from_json_number(n),
            Err(_) => Err(self.0.not_whole_number()),
        })
    }

    fn visit_f64<E>(self, _: f64) -> std::result::Result<Self::Value, E> {
        Ok(Err(self.0.not_whole_number()))
    }

    fn visit_str<E>(self, text: &str) -> std::result::Result<Self::Value, E> {
        Ok(self.0.from_json_text(text))
    }

    fn visit_unit<E>(self) -> std::result::Result<Self::Value, E> {
        Ok(Err(self.0.unreadable()))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut items: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut names = Vec::new();
        let mut all_names = true;
        while let Some(item) = items.next_element::<serde_json::Value>()? {
            match item {
                serde_json::Value::String(name) => names.push(name),
                _ => all_names = false,
            }
        }
        if !all_names {
            return Ok(Err(self.0.not_names()));
        }
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        Ok(self.0.from_json_names(&names))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut entries: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        use serde::de::IgnoredAny;
        while entries.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Err(self.0.unreadable()))
    }
}

/// A stored property's name, read as its descriptor (or the name, when not in the table).
struct PropertyName;

impl<'de> serde::de::DeserializeSeed<'de> for PropertyName {
    type Value = std::result::Result<&'static Descriptor, String>;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> serde::de::Visitor<'de> for PropertyName {
    type Value = std::result::Result<&'static Descriptor, String>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a property name")
    }

    fn visit_str<E: serde::de::Error>(self, name: &str) -> std::result::Result<Self::Value, E> {
        Ok(descriptor(name).ok_or_else(|| name.to_owned()))
    }
}

#[cfg(test)]
mod tests;
