//! Webspace layout (R9.1): `<webspace_root>/<domain>/{httpdocs,cgi-bin,error_docs,anon_ftp,logs}`.

use std::path::PathBuf;

use crate::spec::{HostRole, Settings, SiteSpec};

/// The directories every webspace has.
pub const STANDARD_DIRS: [&str; 5] = ["httpdocs", "cgi-bin", "error_docs", "anon_ftp", "logs"];

/// Every directory a subscription's webspace needs: the standard ones and each site's
/// document root.
pub fn layout(spec: &SiteSpec, settings: &Settings) -> Vec<PathBuf> {
    let base = settings.webspace_root.join(&spec.subscription);
    let mut dirs: Vec<PathBuf> = STANDARD_DIRS.iter().map(|d| base.join(d)).collect();
    for host in &spec.hosts {
        if let HostRole::Site { root } = &host.role {
            let dir = base.join(root);
            if !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
    }
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Host;

    #[test]
    fn r9_1_webspace_has_the_standard_dirs_and_each_document_root() {
        let spec = SiteSpec {
            subscription: "shop.example".into(),
            suspended: false,
            addresses: vec![],
            hosts: vec![
                Host {
                    name: "shop.example".into(),
                    www: true,
                    role: HostRole::Site {
                        root: "httpdocs".into(),
                    },
                },
                Host {
                    name: "blog.shop.example".into(),
                    www: false,
                    role: HostRole::Site {
                        root: "blog".into(),
                    },
                },
            ],
        };
        let settings = Settings {
            webspace_root: "/srv/www".into(),
            http_port: 80,
        };
        let dirs = layout(&spec, &settings);
        assert_eq!(dirs.len(), 6);
        assert!(dirs.contains(&PathBuf::from("/srv/www/shop.example/blog")));
        assert!(dirs.contains(&PathBuf::from("/srv/www/shop.example/logs")));
    }
}
