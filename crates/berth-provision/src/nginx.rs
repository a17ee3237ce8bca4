//! nginx server blocks for one subscription (R9.1): every host name with its `www.` twin,
//! listening on the subscription's addresses; sites serve their document root and log into
//! the webspace's `logs/`; redirect aliases answer 301 to the main domain; a suspended
//! subscription answers 503 everywhere. The file holds `server { }` blocks meant to be
//! included from nginx's `http { }` context.

use std::fmt::Write;
use std::net::IpAddr;
use std::path::Path;

use crate::spec::{HostRole, Settings, SiteSpec};

/// The page a suspended subscription serves.
pub const SUSPENDED_PAGE: &str =
    "<!doctype html><title>Suspended</title><h1>This site is suspended</h1>";

/// A value that cannot be written into a configuration file safely.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {value:?} cannot be written into an nginx configuration")]
pub struct UnsafeValue {
    /// What it is (`host name`, `path`).
    pub what: &'static str,
    /// The value.
    pub value: String,
}

fn checked<'a>(what: &'static str, value: &'a str) -> Result<&'a str, UnsafeValue> {
    let safe = !value.is_empty()
        && value.chars().all(|c| {
            c.is_ascii_graphic() && !matches!(c, '"' | ';' | '{' | '}' | '\\' | '$' | '#')
        });
    if safe {
        Ok(value)
    } else {
        Err(UnsafeValue {
            what,
            value: value.to_owned(),
        })
    }
}

fn path(p: &Path) -> Result<String, UnsafeValue> {
    let text = p.to_string_lossy().into_owned();
    checked("path", &text).map(str::to_owned)
}

fn listen(out: &mut String, addresses: &[IpAddr], port: u16) {
    if addresses.is_empty() {
        let _ = writeln!(out, "    listen {port};");
    }
    for address in addresses {
        match address {
            IpAddr::V4(v4) => {
                let _ = writeln!(out, "    listen {v4}:{port};");
            }
            IpAddr::V6(v6) => {
                let _ = writeln!(out, "    listen [{v6}]:{port};");
            }
        }
    }
}

/// The configuration file of one subscription: `<domain>.conf`'s content.
pub fn render(spec: &SiteSpec, settings: &Settings) -> Result<String, UnsafeValue> {
    let subscription = checked("host name", &spec.subscription)?;
    let base = settings.webspace_root.join(subscription);
    let logs = base.join("logs");
    let mut out = format!("# Berth: {subscription}. Generated; edits are overwritten.\n");
    for host in &spec.hosts {
        let name = checked("host name", &host.name)?;
        out.push_str("\nserver {\n");
        listen(&mut out, &spec.addresses, settings.http_port);
        if host.www {
            let _ = writeln!(out, "    server_name {name} www.{name};");
        } else {
            let _ = writeln!(out, "    server_name {name};");
        }
        let _ = writeln!(
            out,
            "    access_log \"{}\";",
            path(&logs.join("access_log"))?
        );
        let _ = writeln!(out, "    error_log \"{}\";", path(&logs.join("error_log"))?);
        if spec.suspended {
            out.push_str("    default_type text/html;\n");
            let _ = writeln!(
                out,
                "    location / {{\n        return 503 \"{SUSPENDED_PAGE}\";\n    }}"
            );
        } else {
            match &host.role {
                HostRole::Site { root } | HostRole::Same { root } => {
                    let _ = writeln!(
                        out,
                        "    root \"{}\";",
                        path(&base.join(checked("path", root)?))?
                    );
                    out.push_str("    index index.html index.htm;\n");
                    out.push_str("    location / {\n        try_files $uri $uri/ =404;\n    }\n");
                }
                HostRole::Redirect { to } => {
                    let to = checked("host name", to)?;
                    let _ = writeln!(
                        out,
                        "    location / {{\n        return 301 http://{to}$request_uri;\n    }}"
                    );
                }
            }
        }
        out.push_str("}\n");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Host;

    fn spec(suspended: bool) -> SiteSpec {
        SiteSpec {
            subscription: "shop.example".into(),
            suspended,
            addresses: vec![
                "192.0.2.10".parse().unwrap(),
                "2001:db8::10".parse().unwrap(),
            ],
            hosts: vec![
                Host {
                    name: "shop.example".into(),
                    www: true,
                    role: HostRole::Site {
                        root: "httpdocs".into(),
                    },
                },
                Host {
                    name: "shop.example.net".into(),
                    www: true,
                    role: HostRole::Redirect {
                        to: "shop.example".into(),
                    },
                },
            ],
        }
    }

    fn settings() -> Settings {
        Settings {
            webspace_root: "/srv/www".into(),
            http_port: 8080,
        }
    }

    #[test]
    fn r9_1_sites_listen_on_the_subscription_addresses_with_www_twins() {
        let conf = render(&spec(false), &settings()).unwrap();
        assert!(conf.contains("listen 192.0.2.10:8080;"));
        assert!(conf.contains("listen [2001:db8::10]:8080;"));
        assert!(conf.contains("server_name shop.example www.shop.example;"));
        assert!(conf.contains("root \"/srv/www/shop.example/httpdocs\";"));
        assert!(conf.contains("access_log \"/srv/www/shop.example/logs/access_log\";"));
        assert!(conf.contains("return 301 http://shop.example$request_uri;"));
    }

    #[test]
    fn r5_2_suspended_subscriptions_answer_503() {
        let conf = render(&spec(true), &settings()).unwrap();
        assert_eq!(conf.matches("return 503").count(), 2);
        assert!(!conf.contains("root \""));
    }

    #[test]
    fn values_that_could_inject_configuration_are_refused() {
        let mut bad = spec(false);
        bad.hosts[0].role = HostRole::Site {
            root: "x\"; include /etc/passwd; #".into(),
        };
        assert!(render(&bad, &settings()).is_err());
        let mut bad = spec(false);
        bad.hosts[0].name = "a.example;".into();
        assert!(render(&bad, &settings()).is_err());
    }
}
