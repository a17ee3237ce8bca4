//! Configuration: `berth.toml` in the data dir, overridden by `BERTH_*` environment
//! variables, overridden by command-line flags.

use std::path::{Path, PathBuf};

use berth_app::ServerSettings;
use berth_core::clock::{Clock, FixedClock, SystemClock, parse_instant};
use berth_core::domain::DomainName;
use berth_core::sync::LockScope;
use berth_core::{Error, Result};
use figment::Figment;
use figment::providers::{Env, Format, Toml};
use serde::Deserialize;
use std::sync::Arc;

/// The name of the settings file inside the data dir.
pub const CONFIG_FILE: &str = "berth.toml";

/// Sections of `berth.toml` whose keys are reached from the environment as
/// `BERTH_<SECTION>_<KEY>` (e.g. `BERTH_PROVISION_HTTP_PORT` → `provision.http_port`).
const SECTIONS: &[&str] = &["provision", "server", "smtp", "tasks"];

/// Settings as read from file and environment.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Settings {
    /// Database URL (`BERTH_DATABASE_URL`).
    pub database_url: Option<String>,
    /// The current time for every command (`BERTH_NOW`, RFC 3339).
    pub now: Option<String>,
    /// Log filter (`BERTH_LOG`), e.g. `info` or `berth_app=debug`.
    pub log: Option<String>,
    /// The `[server]` section: server-wide rules.
    #[serde(default)]
    pub server: ServerSection,
    /// The `[provision]` section: where and how the machine is made to match the database.
    #[serde(default)]
    pub provision: ProvisionSection,
    /// The `[smtp]` section: where notifications go out (R6.4).
    #[serde(default)]
    pub smtp: SmtpSection,
    /// The `[tasks]` section: periodic tasks (R5.4, §6).
    #[serde(default)]
    pub tasks: TasksSection,
}

/// The `[smtp]` section of `berth.toml` (`BERTH_SMTP_<KEY>`). Without a host, messages are
/// recorded and left `failed` until one is set (then `berth tasks run notifications`).
#[derive(Clone, Default, Deserialize)]
pub struct SmtpSection {
    /// The SMTP server (`BERTH_SMTP_HOST`).
    pub host: Option<String>,
    /// Its port; default 25 (`none`), 587 (`starttls`) or 465 (`tls`).
    pub port: Option<u16>,
    /// `none`, `starttls` (default) or `tls` (`BERTH_SMTP_SECURITY`).
    pub security: Option<String>,
    /// Login, when the server wants one (`BERTH_SMTP_USERNAME`).
    pub username: Option<String>,
    /// Its password (`BERTH_SMTP_PASSWORD`); never printed.
    pub password: Option<String>,
    /// The sender address; default `berth@<host name>` (`BERTH_SMTP_FROM`).
    pub from: Option<String>,
}

impl std::fmt::Debug for SmtpSection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSection")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .field("from", &self.from)
            .finish()
    }
}

impl SmtpSection {
    /// The SMTP settings; `None` without a host. A bad value is invalid input naming its key.
    pub fn resolve(&self) -> Result<Option<berth_app::notifications::SmtpSettings>> {
        use berth_app::notifications::{Security, SmtpSettings};
        let Some(host) = self
            .host
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())
        else {
            return Ok(None);
        };
        let security = match self.security.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(raw) => Security::parse("smtp.security", raw)?,
            None => Security::default(),
        };
        let port = self.port.unwrap_or(match security {
            Security::None => 25,
            Security::StartTls => 587,
            Security::Tls => 465,
        });
        let from = match self.from.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(raw) => raw.to_owned(),
            None => format!("berth@{}", machine_hostname()),
        };
        Ok(Some(SmtpSettings {
            host: host.to_owned(),
            port,
            security,
            username: self.username.clone().filter(|u| !u.is_empty()),
            password: self.password.clone(),
            from: berth_core::account::Email::parse("smtp.from", &from)?,
        }))
    }
}

/// The `[tasks]` section of `berth.toml` (`BERTH_TASKS_<KEY>`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TasksSection {
    /// Days before expiry the warning goes out, 0 for none (default 7;
    /// `BERTH_TASKS_EXPIRY_WARNING_DAYS`).
    pub expiry_warning_days: Option<u32>,
    /// How often `berth serve` checks for due tasks, in seconds (default 60;
    /// `BERTH_TASKS_TICK_SECONDS`).
    pub tick_seconds: Option<u64>,
}

/// The `[provision]` section of `berth.toml` (`BERTH_PROVISION_<KEY>`). Every default lives
/// under the data dir, so that nothing needs root.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProvisionSection {
    /// Webspaces (default `<data_dir>/www`).
    pub webspace_root: Option<std::path::PathBuf>,
    /// The managed nginx directory (default `<data_dir>/nginx`); include
    /// `<nginx_dir>/current/*.conf` from nginx's `http { }`.
    pub nginx_dir: Option<std::path::PathBuf>,
    /// The port server blocks listen on (default 80; `BERTH_PROVISION_HTTP_PORT`).
    pub http_port: Option<u16>,
    /// Validation command, `{config}` being a wrapper around the staged files (default
    /// `nginx -t -q -c {config}`; empty: none).
    pub nginx_test_cmd: Option<String>,
    /// Reload command (default empty: none; e.g. `nginx -s reload`).
    pub nginx_reload_cmd: Option<String>,
    /// The managed zone directory (default `<data_dir>/zones`); include
    /// `<zone_dir>/current/zones.conf` from `named.conf`.
    pub zone_dir: Option<std::path::PathBuf>,
    /// Zone check command, `{zone}` and `{file}` being replaced (default
    /// `named-checkzone -q {zone} {file}`; empty: none).
    pub zone_check_cmd: Option<String>,
    /// Name server reload command (default empty: none; e.g. `rndc reload`).
    pub dns_reload_cmd: Option<String>,
    /// The virtual host template directory (R8.3; default `<data_dir>/vhost-template`;
    /// `BERTH_PROVISION_TEMPLATE_DIR`).
    pub template_dir: Option<std::path::PathBuf>,
    /// Whether webspaces get their own system user, created with `useradd_cmd` (R9.1;
    /// default false, and nothing runs unless Berth runs as root;
    /// `BERTH_PROVISION_CREATE_SYSTEM_USERS`).
    pub create_system_users: Option<bool>,
    /// Creates a system user; `{user}` and `{home}` are replaced (default: `useradd`).
    pub useradd_cmd: Option<String>,
    /// Renames a system user; `{old}`, `{user}` and `{home}` (default: `usermod`).
    pub usermod_cmd: Option<String>,
    /// Removes a system user; `{user}` (default: `userdel`).
    pub userdel_cmd: Option<String>,
}

impl ProvisionSection {
    /// The settings with their defaults under `data_dir`.
    pub fn resolve(&self, data_dir: &Path) -> berth_app::provision::ProvisionSettings {
        // The web server and the validator run elsewhere: every path is made absolute.
        let absolute = |p: PathBuf| std::path::absolute(&p).unwrap_or(p);
        berth_app::provision::ProvisionSettings {
            webspace_root: absolute(
                self.webspace_root
                    .clone()
                    .unwrap_or_else(|| data_dir.join("www")),
            ),
            nginx_dir: absolute(
                self.nginx_dir
                    .clone()
                    .unwrap_or_else(|| data_dir.join("nginx")),
            ),
            http_port: self.http_port.unwrap_or(80),
            nginx_test_cmd: self
                .nginx_test_cmd
                .clone()
                .unwrap_or_else(|| "nginx -t -q -c {config}".to_owned()),
            nginx_reload_cmd: self.nginx_reload_cmd.clone().unwrap_or_default(),
            zone_dir: absolute(
                self.zone_dir
                    .clone()
                    .unwrap_or_else(|| data_dir.join("zones")),
            ),
            zone_check_cmd: self
                .zone_check_cmd
                .clone()
                .unwrap_or_else(|| "named-checkzone -q {zone} {file}".to_owned()),
            dns_reload_cmd: self.dns_reload_cmd.clone().unwrap_or_default(),
            template_dir: self.vhost_template(data_dir).template_dir,
            system_users: self.system_users(),
        }
    }
}

impl ProvisionSection {
    /// Where the virtual host template lives (R8.3), absolute, default under `data_dir`.
    pub fn vhost_template(
        &self,
        data_dir: &Path,
    ) -> berth_app::vhost_template::VhostTemplateSettings {
        let dir = self
            .template_dir
            .clone()
            .unwrap_or_else(|| data_dir.join("vhost-template"));
        berth_app::vhost_template::VhostTemplateSettings {
            template_dir: std::path::absolute(&dir).unwrap_or(dir),
        }
    }

    /// How system users are managed (R9.1): off unless `create_system_users` is set.
    pub fn system_users(&self) -> berth_provision::system_user::SystemUserSettings {
        let defaults = berth_provision::system_user::SystemUserSettings::default();
        berth_provision::system_user::SystemUserSettings {
            enabled: self.create_system_users.unwrap_or(defaults.enabled),
            useradd_cmd: self.useradd_cmd.clone().unwrap_or(defaults.useradd_cmd),
            usermod_cmd: self.usermod_cmd.clone().unwrap_or(defaults.usermod_cmd),
            userdel_cmd: self.userdel_cmd.clone().unwrap_or(defaults.userdel_cmd),
        }
    }
}

/// The `[server]` section of `berth.toml` (`BERTH_SERVER_<KEY>`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ServerSection {
    /// What a customization lock holds (R3.5): `subscription` (default) or `field`
    /// (`BERTH_SERVER_LOCK_SCOPE`).
    pub lock_scope: Option<String>,
    /// Whether this server enforces hard disk quotas (R3.4), default false
    /// (`BERTH_SERVER_HARD_QUOTA`).
    pub hard_quota: Option<bool>,
    /// This server's host name for DNS: `<hostname>` in the zone template and the SOA's
    /// primary name server (`BERTH_SERVER_HOSTNAME`); default: the machine's host name.
    pub hostname: Option<String>,
    /// PEM certificate chain for HTTPS (`BERTH_SERVER_TLS_CERT`); with `tls_key`,
    /// `berth serve` speaks HTTPS only.
    pub tls_cert: Option<std::path::PathBuf>,
    /// PEM private key of `tls_cert` (`BERTH_SERVER_TLS_KEY`).
    pub tls_key: Option<std::path::PathBuf>,
    /// The panel's address as users reach it, used in password reset links
    /// (`BERTH_SERVER_PANEL_URL`); default: `http(s)://<hostname>:<listen port>`.
    pub panel_url: Option<String>,
    /// How many minutes a password reset link works (`BERTH_SERVER_RESET_LINK_MINUTES`),
    /// 5 to 1440, default 60.
    pub reset_link_minutes: Option<i64>,
}

/// Reads `berth.toml` from `data_dir` (if present) and the `BERTH_*` environment.
pub fn load(data_dir: &Path) -> Result<Settings> {
    let env = Env::prefixed("BERTH_").map(|key| {
        let key = key.as_str().to_ascii_lowercase();
        for section in SECTIONS {
            if let Some(rest) = key.strip_prefix(&format!("{section}_")) {
                return format!("{section}.{rest}").into();
            }
        }
        key.into()
    });
    Figment::new()
        .merge(Toml::file(data_dir.join(CONFIG_FILE)))
        .merge(env)
        .extract()
        .map_err(|e| Error::invalid("config", format!("the settings could not be read: {e}")))
}

impl Settings {
    /// The database URL: the flag, else the settings, else SQLite in the data dir.
    pub fn database_url(&self, flag: Option<&str>, data_dir: &Path) -> String {
        flag.map(str::to_owned)
            .or_else(|| self.database_url.clone())
            .unwrap_or_else(|| default_sqlite_url(data_dir))
    }

    /// The HTTPS certificate and key files, when both are set; one without the other is
    /// invalid, naming the missing one.
    pub fn tls(&self) -> Result<Option<(PathBuf, PathBuf)>> {
        match (&self.server.tls_cert, &self.server.tls_key) {
            (None, None) => Ok(None),
            (Some(cert), Some(key)) => Ok(Some((cert.clone(), key.clone()))),
            (Some(_), None) => Err(Error::invalid(
                "tls_key",
                "server.tls_key is required with server.tls_cert",
            )),
            (None, Some(_)) => Err(Error::invalid(
                "tls_cert",
                "server.tls_cert is required with server.tls_key",
            )),
        }
    }

    /// The server settings the service layer's rules depend on; an unknown `lock_scope`
    /// is invalid input naming the field `lock_scope`.
    pub fn server_settings(&self) -> Result<ServerSettings> {
        let defaults = ServerSettings::default();
        let lock_scope = match self
            .server
            .lock_scope
            .as_deref()
            .filter(|s| !s.trim().is_empty())
        {
            Some(raw) => LockScope::parse("lock_scope", raw)?,
            None => defaults.lock_scope,
        };
        Ok(ServerSettings {
            lock_scope,
            hard_quota: self.server.hard_quota.unwrap_or(defaults.hard_quota),
            hostname: match self
                .server
                .hostname
                .as_deref()
                .filter(|s| !s.trim().is_empty())
            {
                Some(raw) => DomainName::parse("hostname", raw)?.ascii().to_owned(),
                None => machine_hostname(),
            },
        })
    }

    /// What the periodic tasks need: the webspace root, the warning delay, SMTP.
    pub fn task_settings(&self, data_dir: &Path) -> Result<berth_app::tasks::TaskSettings> {
        Ok(berth_app::tasks::TaskSettings {
            webspace_root: self.provision.resolve(data_dir).webspace_root,
            expiry_warning_days: self.tasks.expiry_warning_days.unwrap_or(7),
            smtp: self.smtp.resolve()?,
        })
    }

    /// Password recovery (R1.4) for `berth serve` listening on `listen`: links point at
    /// `[server] panel_url` (default: this host name and the listen port), work
    /// `reset_link_minutes`, and go out through `[smtp]`.
    pub fn recovery_settings(
        &self,
        listen: &str,
        tls: bool,
    ) -> Result<berth_app::recovery::RecoverySettings> {
        let panel_url = match self.server.panel_url.as_deref().map(str::trim) {
            Some(url) if !url.is_empty() => {
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    return Err(berth_core::Error::invalid(
                        "panel_url",
                        format!("panel_url must start with https:// or http:// (got {url:?})"),
                    ));
                }
                url.to_owned()
            }
            _ => {
                let port = listen.rsplit(':').next().unwrap_or("8880");
                let scheme = if tls { "https" } else { "http" };
                let host = self.server_settings()?.hostname;
                format!("{scheme}://{host}:{port}")
            }
        };
        let mut settings =
            berth_app::recovery::RecoverySettings::new(self.smtp.resolve()?, panel_url);
        if let Some(minutes) = self.server.reset_link_minutes {
            if !(5..=1440).contains(&minutes) {
                return Err(berth_core::Error::invalid(
                    "reset_link_minutes",
                    format!(
                        "reset_link_minutes is a number of minutes from 5 to 1440 (got {minutes})"
                    ),
                ));
            }
            settings.link_lifetime = chrono::Duration::minutes(minutes);
        }
        Ok(settings)
    }

    /// How often `berth serve` checks for due tasks.
    pub fn task_tick(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.tasks.tick_seconds.unwrap_or(60).max(1))
    }

    /// The clock: stopped at `BERTH_NOW` when set, else the system clock.
    pub fn clock(&self) -> Result<Arc<dyn Clock>> {
        match self.now.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(text) => Ok(Arc::new(FixedClock(parse_instant("now", text)?))),
            None => Ok(Arc::new(SystemClock)),
        }
    }
}

/// The machine's host name as a fully qualified name: itself when it has a domain part,
/// `<name>.localdomain` when it is a single label, else `localhost.localdomain`.
pub fn machine_hostname() -> String {
    let raw = ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_default();
    let raw = raw.trim();
    DomainName::parse("hostname", raw)
        .or_else(|_| DomainName::parse("hostname", &format!("{raw}.localdomain")))
        .map(|d| d.ascii().to_owned())
        .unwrap_or_else(|_| "localhost.localdomain".to_owned())
}

/// `sqlite://<data_dir>/berth.db`.
pub fn default_sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("berth.db").display())
}

/// The file path inside a `sqlite://` URL, if it is one.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    Some(PathBuf::from(path))
}

/// The commented settings file `berth init` writes when there is none. A database URL
/// given to `init` is remembered; otherwise the embedded default stays in force.
pub fn starter_file(database_url: Option<&str>) -> String {
    let database_line = match database_url {
        Some(url) => format!("database_url = \"{url}\""),
        None => "# database_url = \"postgres://berth@127.0.0.1:5432/berth\"".to_owned(),
    };
    format!(
        "# Berth settings. Each key can be overridden by an environment variable\n\
         # BERTH_<KEY> (for a section: BERTH_<SECTION>_<KEY>), and by command-line flags.\n\
         \n\
         # Where the data lives: sqlite://PATH or postgres://USER@HOST/DB.\n\
         # Default: SQLite in the data dir (berth.db).\n\
         {database_line}\n\
         \n\
         # Freeze the clock for demonstrations and tests (RFC 3339), like BERTH_NOW:\n\
         # now = \"2026-01-31T12:00:00Z\"\n\
         \n\
         # Log filter, like BERTH_LOG: off, error, warn, info, debug\n\
         # log = \"warn\"\n\
         \n\
         # Server-wide rules (keep this section last; BERTH_SERVER_<KEY>).\n\
         # [server]\n\
         # What a customization (\"Update & Lock\") holds, like BERTH_SERVER_LOCK_SCOPE:\n\
         # subscription (plan changes skip the whole subscription) or field (only the\n\
         # customized fields are held).\n\
         # lock_scope = \"subscription\"\n\
         # Whether this server enforces hard disk quotas, like BERTH_SERVER_HARD_QUOTA;\n\
         # without them, plans asking for one leave their subscriptions unsynced.\n\
         # hard_quota = false\n\
         # This server's host name for DNS zones (<hostname> in the template, the SOA's\n\
         # primary name server), like BERTH_SERVER_HOSTNAME; default: the machine's name.\n\
         # hostname = \"server.example.com\"\n"
    )
}

#[cfg(test)]
mod recovery_tests {
    use super::*;

    fn with_server(server: ServerSection) -> Settings {
        Settings {
            server,
            ..Settings::default()
        }
    }

    #[test]
    fn reset_links_point_at_the_panel_url_or_this_host_and_port() {
        let given = with_server(ServerSection {
            hostname: Some("panel.example.com".into()),
            ..ServerSection::default()
        });
        let r = given.recovery_settings("0.0.0.0:8443", true).unwrap();
        assert_eq!(r.panel_url, "https://panel.example.com:8443");
        assert_eq!(r.link_lifetime, chrono::Duration::minutes(60));
        assert!(r.smtp.is_none());
        let given = with_server(ServerSection {
            panel_url: Some("https://cp.example.net/".into()),
            reset_link_minutes: Some(30),
            ..ServerSection::default()
        });
        let r = given.recovery_settings("127.0.0.1:8880", false).unwrap();
        assert_eq!(r.panel_url, "https://cp.example.net");
        assert_eq!(r.link_lifetime, chrono::Duration::minutes(30));
    }

    #[test]
    fn bad_panel_urls_and_lifetimes_are_refused_with_their_field() {
        let bad_url = with_server(ServerSection {
            panel_url: Some("cp.example.net".into()),
            ..ServerSection::default()
        });
        let err = bad_url
            .recovery_settings("127.0.0.1:8880", false)
            .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("panel_url"));
        let bad_minutes = with_server(ServerSection {
            hostname: Some("panel.example.com".into()),
            reset_link_minutes: Some(2),
            ..ServerSection::default()
        });
        let err = bad_minutes
            .recovery_settings("127.0.0.1:8880", false)
            .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("reset_link_minutes"));
    }
}
