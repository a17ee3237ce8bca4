//! Applying files safely (R9.2): each change is a new generation directory; it is
//! validated before it takes effect, made live by atomically replacing the `current`
//! symlink, and reloaded once; a failed validation or reload leaves (or puts back) the
//! previous generation. An unchanged set of files writes nothing.
//!
//! Layout under the managed directory: `generations/<n>/<file>` and `current` →
//! `generations/<n>`. The web server includes `current/*.conf`.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Why applying failed. The previous generation is live in every case.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// Writing or swapping files failed.
    #[error("file system: {0}")]
    Io(#[from] io::Error),
    /// The staged generation did not pass validation.
    #[error("validation refused the new configuration: {0}")]
    Invalid(String),
    /// The reload failed; the previous generation was put back.
    #[error("reload failed, the previous configuration is live again: {0}")]
    Reload(String),
}

/// What an application did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// Nothing changed: nothing was written.
    Unchanged,
    /// Generation `n` is live.
    Live(u64),
}

/// The generations of one managed directory.
#[derive(Debug, Clone)]
pub struct Generations {
    root: PathBuf,
}

/// How many generations stay on disk (the live one and the one before, for rollback).
const KEPT: usize = 2;

impl Generations {
    /// Manages `root` (created when missing).
    pub fn new(root: impl Into<PathBuf>) -> io::Result<Self> {
        let root = root.into();
        fs::create_dir_all(root.join("generations"))?;
        Ok(Generations { root })
    }

    /// The path the web server includes from: `<root>/current`.
    pub fn current_link(&self) -> PathBuf {
        self.root.join("current")
    }

    /// The live generation's number, if any.
    pub fn live(&self) -> Option<u64> {
        let target = fs::read_link(self.current_link()).ok()?;
        target.file_name()?.to_str()?.parse().ok()
    }

    fn dir(&self, n: u64) -> PathBuf {
        self.root.join("generations").join(n.to_string())
    }

    /// The live files, by name.
    pub fn live_files(&self) -> io::Result<BTreeMap<String, String>> {
        let mut files = BTreeMap::new();
        let Some(n) = self.live() else {
            return Ok(files);
        };
        for entry in fs::read_dir(self.dir(n))? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            files.insert(name, fs::read_to_string(entry.path())?);
        }
        Ok(files)
    }

    /// Makes `files` live: stage, `validate(staged_dir)`, swap, `reload()`.
    pub fn apply(
        &self,
        files: &BTreeMap<String, String>,
        validate: impl Fn(&Path) -> Result<(), String>,
        reload: impl Fn() -> Result<(), String>,
    ) -> Result<Applied, ApplyError> {
        if self.live().is_some() && &self.live_files()? == files {
            return Ok(Applied::Unchanged);
        }
        let previous = self.live();
        let next = previous.map_or(1, |n| n + 1);
        let staged = self.dir(next);
        if staged.exists() {
            fs::remove_dir_all(&staged)?;
        }
        fs::create_dir_all(&staged)?;
        for (name, content) in files {
            if name.contains('/') || name.starts_with('.') {
                return Err(ApplyError::Invalid(format!(
                    "file name {name:?} is not allowed"
                )));
            }
            fs::write(staged.join(name), content)?;
        }
        if let Err(why) = validate(&staged) {
            fs::remove_dir_all(&staged)?;
            return Err(ApplyError::Invalid(why));
        }
        self.point_current_at(next)?;
        if let Err(why) = reload() {
            match previous {
                Some(p) => self.point_current_at(p)?,
                None => fs::remove_file(self.current_link())?,
            }
            fs::remove_dir_all(&staged)?;
            let _ = reload();
            return Err(ApplyError::Reload(why));
        }
        self.prune(next)?;
        Ok(Applied::Live(next))
    }

    /// Atomically points `current` at generation `n` (a new symlink renamed over the old).
    fn point_current_at(&self, n: u64) -> io::Result<()> {
        let tmp = self.root.join(".current.tmp");
        let _ = fs::remove_file(&tmp);
        std::os::unix::fs::symlink(Path::new("generations").join(n.to_string()), &tmp)?;
        fs::rename(&tmp, self.current_link())
    }

    fn prune(&self, live: u64) -> io::Result<()> {
        let mut numbers: Vec<u64> = fs::read_dir(self.root.join("generations"))?
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
            .filter(|n| *n <= live)
            .collect();
        numbers.sort_unstable();
        let excess = numbers.len().saturating_sub(KEPT);
        for n in &numbers[..excess] {
            fs::remove_dir_all(self.dir(*n))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn r9_2_valid_changes_go_live_and_unchanged_states_write_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let g = Generations::new(dir.path()).unwrap();
        let one = files(&[("a.conf", "one")]);
        assert_eq!(
            g.apply(&one, |_| Ok(()), || Ok(())).unwrap(),
            Applied::Live(1)
        );
        assert_eq!(
            g.apply(&one, |_| panic!("no validation"), || panic!("no reload"))
                .unwrap(),
            Applied::Unchanged
        );
        let two = files(&[("a.conf", "two"), ("b.conf", "b")]);
        assert_eq!(
            g.apply(&two, |_| Ok(()), || Ok(())).unwrap(),
            Applied::Live(2)
        );
        assert_eq!(
            fs::read_to_string(g.current_link().join("a.conf")).unwrap(),
            "two"
        );
    }

    #[test]
    fn r9_2_a_refused_validation_keeps_the_previous_generation_live() {
        let dir = tempfile::tempdir().unwrap();
        let g = Generations::new(dir.path()).unwrap();
        g.apply(&files(&[("a.conf", "good")]), |_| Ok(()), || Ok(()))
            .unwrap();
        let err = g
            .apply(
                &files(&[("a.conf", "bad")]),
                |_| Err("syntax".into()),
                || Ok(()),
            )
            .unwrap_err();
        assert!(matches!(err, ApplyError::Invalid(_)));
        assert_eq!(g.live(), Some(1));
        assert_eq!(
            fs::read_to_string(g.current_link().join("a.conf")).unwrap(),
            "good"
        );
    }

    #[test]
    fn r9_2_a_failed_reload_puts_the_previous_generation_back() {
        let dir = tempfile::tempdir().unwrap();
        let g = Generations::new(dir.path()).unwrap();
        g.apply(&files(&[("a.conf", "good")]), |_| Ok(()), || Ok(()))
            .unwrap();
        let err = g
            .apply(
                &files(&[("a.conf", "new")]),
                |_| Ok(()),
                || Err("down".into()),
            )
            .unwrap_err();
        assert!(matches!(err, ApplyError::Reload(_)));
        assert_eq!(
            fs::read_to_string(g.current_link().join("a.conf")).unwrap(),
            "good"
        );
    }

    #[test]
    fn old_generations_are_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let g = Generations::new(dir.path()).unwrap();
        for i in 0..5 {
            g.apply(&files(&[("a.conf", &i.to_string())]), |_| Ok(()), || Ok(()))
                .unwrap();
        }
        let left = fs::read_dir(dir.path().join("generations"))
            .unwrap()
            .count();
        assert_eq!(left, KEPT);
    }
}
