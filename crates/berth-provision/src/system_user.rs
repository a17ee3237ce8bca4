//! A subscription's system user (R9.1): the Unix account owning its webspace.
//!
//! Creating, renaming and removing the account runs configurable commands (`useradd`,
//! `usermod`, `userdel` by default) — only when `provision.create_system_users` is on and
//! the process runs as root, so that the default embedded setup never needs root. Commands
//! are split on white space and run without a shell; `{user}`, `{old}` and `{home}` are
//! replaced in each word after splitting, and names are checked first, so no value can add
//! an argument or an option.

use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;

/// Default command creating a user: no home directory created (the webspace is), no login
/// shell.
pub const DEFAULT_USERADD: &str =
    "useradd --no-create-home --home-dir {home} --shell /usr/sbin/nologin {user}";

/// Default command renaming a user and moving its home.
pub const DEFAULT_USERMOD: &str = "usermod --login {user} --home {home} {old}";

/// Default command removing a user (its files stay; the webspace is removed elsewhere).
pub const DEFAULT_USERDEL: &str = "userdel {user}";

/// The longest user name accepted (the `useradd` limit).
pub const MAX_USER_BYTES: usize = 32;

/// How system users are managed (`[provision]` in berth.toml).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemUserSettings {
    /// `provision.create_system_users`: off by default; even when on, nothing runs unless
    /// the process is root.
    pub enabled: bool,
    /// Creates a user: `{user}`, `{home}`.
    pub useradd_cmd: String,
    /// Renames a user: `{old}`, `{user}` (the new name), `{home}`.
    pub usermod_cmd: String,
    /// Removes a user: `{user}`.
    pub userdel_cmd: String,
}

impl Default for SystemUserSettings {
    fn default() -> Self {
        SystemUserSettings {
            enabled: false,
            useradd_cmd: DEFAULT_USERADD.to_owned(),
            usermod_cmd: DEFAULT_USERMOD.to_owned(),
            userdel_cmd: DEFAULT_USERDEL.to_owned(),
        }
    }
}

/// What a call did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The command ran (or the user already was as wanted).
    Done,
    /// Nothing ran: the setting is off, or the process is not root.
    Skipped(&'static str),
}

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum SystemUserError {
    /// A user name that is not a safe Unix name.
    #[error(
        "R9.1: `{0}` is not a valid system user name (lower-case letters, digits, `_`, `-`, at most 32, not starting with `-` or a digit)"
    )]
    InvalidName(String),
    /// The command could not start or reported a failure.
    #[error("{command}: {message}")]
    Command {
        /// The program that failed.
        command: String,
        /// Its error output or the start failure.
        message: String,
    },
    /// Reading the user database or changing owners failed.
    #[error("file system: {0}")]
    Io(#[from] io::Error),
}

type Result<T> = std::result::Result<T, SystemUserError>;

/// Checks a user name before it goes into a command: `[a-z_][a-z0-9_-]*`, at most
/// [`MAX_USER_BYTES`] bytes.
pub fn check_name(name: &str) -> Result<()> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    let rest_ok =
        chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if first_ok && rest_ok && name.len() <= MAX_USER_BYTES {
        Ok(())
    } else {
        Err(SystemUserError::InvalidName(
            name.chars().take(64).collect(),
        ))
    }
}

/// The words of `template` with each `{key}` replaced by its value, split before
/// replacing (a value never adds a word).
pub fn render(template: &str, vars: &[(&str, &str)]) -> Vec<String> {
    template
        .split_whitespace()
        .map(|word| {
            vars.iter().fold(word.to_owned(), |w, (key, value)| {
                w.replace(&format!("{{{key}}}"), value)
            })
        })
        .collect()
}

/// Whether this process runs as root (the owner of `/proc/self` is the effective user).
pub fn running_as_root() -> bool {
    fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// The user id and group id of `user` in passwd-format `text`.
pub fn lookup(text: &str, user: &str) -> Option<(u32, u32)> {
    text.lines().find_map(|line| {
        let mut fields = line.split(':');
        if fields.next()? != user {
            return None;
        }
        let _password = fields.next()?;
        let uid = fields.next()?.parse().ok()?;
        let gid = fields.next()?.parse().ok()?;
        Some((uid, gid))
    })
}

fn passwd_entry(user: &str) -> io::Result<Option<(u32, u32)>> {
    Ok(lookup(&fs::read_to_string("/etc/passwd")?, user))
}

fn skip_reason(settings: &SystemUserSettings) -> Option<&'static str> {
    if !settings.enabled {
        Some("provision.create_system_users is off")
    } else if !running_as_root() {
        Some("not running as root")
    } else {
        None
    }
}

fn run(words: &[String]) -> Result<()> {
    let Some((program, args)) = words.split_first() else {
        return Ok(());
    };
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| SystemUserError::Command {
            command: program.clone(),
            message: e.to_string(),
        })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(SystemUserError::Command {
            command: program.clone(),
            message: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        })
    }
}

/// Makes sure `user` exists with home `home`, creating it when missing; then gives the
/// webspace `home` to it (see [`chown_tree`]). Skipped when the setting is off or not
/// root.
pub fn ensure(settings: &SystemUserSettings, user: &str, home: &Path) -> Result<Outcome> {
    check_name(user)?;
    if let Some(reason) = skip_reason(settings) {
        return Ok(Outcome::Skipped(reason));
    }
    if passwd_entry(user)?.is_none() {
        let home_text = home.to_string_lossy();
        run(&render(
            &settings.useradd_cmd,
            &[("user", user), ("home", &home_text)],
        ))?;
    }
    if home.exists() {
        chown_tree(home, user)?;
    }
    Ok(Outcome::Done)
}

/// Renames `old` to `new` (the subscription's system user changed), home `home`.
pub fn rename(settings: &SystemUserSettings, old: &str, new: &str, home: &Path) -> Result<Outcome> {
    check_name(old)?;
    check_name(new)?;
    if let Some(reason) = skip_reason(settings) {
        return Ok(Outcome::Skipped(reason));
    }
    if old == new || passwd_entry(new)?.is_some() {
        return Ok(Outcome::Done);
    }
    let home_text = home.to_string_lossy();
    run(&render(
        &settings.usermod_cmd,
        &[("old", old), ("user", new), ("home", &home_text)],
    ))?;
    Ok(Outcome::Done)
}

/// Removes `user` (the subscription was removed); a user already gone is done.
pub fn remove(settings: &SystemUserSettings, user: &str) -> Result<Outcome> {
    check_name(user)?;
    if let Some(reason) = skip_reason(settings) {
        return Ok(Outcome::Skipped(reason));
    }
    if passwd_entry(user)?.is_some() {
        run(&render(&settings.userdel_cmd, &[("user", user)]))?;
    }
    Ok(Outcome::Done)
}

/// Gives `dir` and everything under it to `user` and its primary group; links are changed
/// themselves, never followed.
pub fn chown_tree(dir: &Path, user: &str) -> Result<()> {
    check_name(user)?;
    let (uid, gid) = passwd_entry(user)?.ok_or_else(|| SystemUserError::Command {
        command: "chown".into(),
        message: format!("no system user {user}"),
    })?;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(path) = pending.pop() {
        std::os::unix::fs::lchown(&path, Some(uid), Some(gid))?;
        if fs::symlink_metadata(&path)?.is_dir() {
            for entry in fs::read_dir(&path)? {
                pending.push(entry?.path());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r9_1_commands_are_rendered_word_by_word() {
        let words = render(
            DEFAULT_USERADD,
            &[("user", "shop_web"), ("home", "/srv/www/shop.example")],
        );
        assert_eq!(
            words,
            [
                "useradd",
                "--no-create-home",
                "--home-dir",
                "/srv/www/shop.example",
                "--shell",
                "/usr/sbin/nologin",
                "shop_web"
            ]
        );
        let words = render(
            DEFAULT_USERMOD,
            &[("old", "a"), ("user", "b"), ("home", "/h with space")],
        );
        assert_eq!(
            words,
            ["usermod", "--login", "b", "--home", "/h with space", "a"]
        );
    }

    #[test]
    fn r9_1_unsafe_user_names_never_reach_a_command() {
        for bad in ["", "-rf", "Root", "a b", "a;b", "1abc", &"a".repeat(33)] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        for good in ["shop_web", "_x", "web-1"] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        let off = SystemUserSettings {
            enabled: true,
            ..Default::default()
        };
        assert!(matches!(
            ensure(&off, "--help", Path::new("/tmp")),
            Err(SystemUserError::InvalidName(_))
        ));
    }

    #[test]
    fn r9_1_system_users_are_off_by_default_and_nothing_runs() {
        let settings = SystemUserSettings {
            useradd_cmd: "false".into(),
            usermod_cmd: "false".into(),
            userdel_cmd: "false".into(),
            ..Default::default()
        };
        assert!(!settings.enabled);
        let home = Path::new("/nonexistent/home");
        let skipped = Outcome::Skipped("provision.create_system_users is off");
        assert_eq!(ensure(&settings, "web1", home).unwrap(), skipped);
        assert_eq!(rename(&settings, "web1", "web2", home).unwrap(), skipped);
        assert_eq!(remove(&settings, "web1").unwrap(), skipped);
    }

    #[test]
    fn r9_1_without_root_an_enabled_setting_still_runs_nothing() {
        if running_as_root() {
            return;
        }
        let settings = SystemUserSettings {
            enabled: true,
            useradd_cmd: "false".into(),
            ..Default::default()
        };
        assert_eq!(
            ensure(&settings, "web1", Path::new("/nonexistent")).unwrap(),
            Outcome::Skipped("not running as root")
        );
    }

    #[test]
    fn passwd_lines_give_user_and_group_ids() {
        let text = "root:x:0:0:root:/root:/bin/bash\nshop_web:x:10001:10002::/srv/www/shop:/usr/sbin/nologin\n";
        assert_eq!(lookup(text, "shop_web"), Some((10001, 10002)));
        assert_eq!(lookup(text, "shop"), None);
    }
}
