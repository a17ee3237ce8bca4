//! The desired state of one subscription's web hosting, as the provisioning layer needs it
//! (built by the service layer from the database).

use std::net::IpAddr;

/// What one host name serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostRole {
    /// A site with its own document root (main domain, additional domain, subdomain),
    /// relative to the webspace.
    Site {
        /// Document root inside the webspace, e.g. `httpdocs` or `sub/blog`.
        root: String,
    },
    /// An alias answering 301 to the main domain (R7.2 `redirect`).
    Redirect {
        /// The domain it redirects to (ASCII).
        to: String,
    },
    /// An alias serving the same site (R7.2 `same`).
    Same {
        /// The document root it shares.
        root: String,
    },
}

/// One host name of a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    /// ASCII (punycode) name.
    pub name: String,
    /// Whether `www.<name>` answers too.
    pub www: bool,
    /// What it serves.
    pub role: HostRole,
}

/// The web hosting of one subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteSpec {
    /// The subscription's main domain (ASCII): names its webspace and its config file.
    pub subscription: String,
    /// Whether it is suspended: every host answers 503 (R5.2, R9.4).
    pub suspended: bool,
    /// Addresses its hosts listen on.
    pub addresses: Vec<IpAddr>,
    /// Its host names.
    pub hosts: Vec<Host>,
}

/// Server-wide provisioning settings (`provision.*` in berth.toml).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Where webspaces live: `<webspace_root>/<domain>/{httpdocs,...}`.
    pub webspace_root: std::path::PathBuf,
    /// The HTTP port the server blocks listen on.
    pub http_port: u16,
}
