//! Applying files safely and incrementally (R9.2, R9.3).
//!
//! A managed directory ([`Tree`]) holds the live files in `current/` (the web server
//! includes `current/*.conf`; BIND includes `current/zones.conf`). A batch of changes is
//! applied in steps that never leave the live set half-configured:
//!
//! 1. the new contents are written to `staging/` — only the changed files, so the work is
//!    proportional to the change, not to the number of sites;
//! 2. the prospective set (live files, with the staged ones in place of the ones they
//!    replace) is validated with the real tool; a refusal leaves `current/` untouched;
//! 3. the live versions of the changed files are kept in `staging/.previous/` and a
//!    commit marker is written; each staged file is renamed over its live twin (atomic per
//!    file) and removed files are unlinked;
//! 4. the server is reloaded once; if that fails, the previous versions are put back and
//!    the server reloaded again.
//!
//! A batch interrupted between 3 and the end (a crash) is rolled back the next time the
//! tree is opened: the commit marker says the previous versions are complete. An unchanged
//! desired state writes nothing. Each applied batch bumps the tree's generation number.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Why applying failed. The previous live files are in place in every case.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// Writing or swapping files failed.
    #[error("file system: {0}")]
    Io(#[from] io::Error),
    /// The staged files did not pass validation.
    #[error("validation refused the new configuration: {0}")]
    Invalid(String),
    /// The reload failed; the previous files were put back.
    #[error("reload failed, the previous configuration is live again: {0}")]
    Reload(String),
}

/// What an application did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// Nothing changed: nothing was written.
    Unchanged,
    /// The batch is live as generation `n`.
    Live(u64),
}

/// A batch of changes: file name → new content, or `None` to remove the file.
pub type Changes = BTreeMap<String, Option<String>>;

/// A managed directory of live files.
#[derive(Debug, Clone)]
pub struct Tree {
    root: PathBuf,
}

/// The files of a batch before they go live, as validation sees them.
#[derive(Debug)]
pub struct Staged<'a> {
    tree: &'a Tree,
    changes: &'a Changes,
}

const LIVE: &str = "current";
const STAGING: &str = "staging";
const PREVIOUS: &str = ".previous";
const COMMIT: &str = ".commit";
const GENERATION: &str = "generation";

/// Whether `name` may be a managed file: one plain component, not hidden.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains('/')
        && !name.contains('\0')
        && name.len() <= 255
}

impl Tree {
    /// Manages `root` (created when missing); rolls back a batch a crash interrupted.
    pub fn open(root: impl Into<PathBuf>) -> io::Result<Self> {
        let tree = Tree { root: root.into() };
        fs::create_dir_all(tree.live_dir())?;
        tree.recover()?;
        Ok(tree)
    }

    /// Looks at `root` without creating or recovering anything, for previews: a missing
    /// directory reads as empty.
    pub fn inspect(root: impl Into<PathBuf>) -> Self {
        Tree { root: root.into() }
    }

    /// The directory of the live files: `<root>/current`.
    pub fn live_dir(&self) -> PathBuf {
        self.root.join(LIVE)
    }

    fn staging(&self) -> PathBuf {
        self.root.join(STAGING)
    }

    /// The number of batches applied so far; `None` before the first.
    pub fn generation(&self) -> Option<u64> {
        fs::read_to_string(self.root.join(GENERATION))
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    /// The live content of `name`, if it exists.
    pub fn read(&self, name: &str) -> io::Result<Option<String>> {
        match fs::read_to_string(self.live_dir().join(name)) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The names of every live file (one directory listing).
    pub fn names(&self) -> io::Result<BTreeSet<String>> {
        let mut names = BTreeSet::new();
        let entries = match fs::read_dir(self.live_dir()) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(names),
            Err(e) => return Err(e),
        };
        for entry in entries {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if valid_name(&name) {
                names.insert(name);
            }
        }
        Ok(names)
    }

    /// The part of `desired` that differs from the live files: reads only the files named.
    pub fn diff(&self, desired: &Changes) -> io::Result<Changes> {
        let mut changes = Changes::new();
        for (name, content) in desired {
            if self.read(name)? != *content {
                changes.insert(name.clone(), content.clone());
            }
        }
        Ok(changes)
    }

    /// Applies `changes` (which should come from [`Tree::diff`]): stage, `validate`, swap,
    /// `reload` — see the module documentation. Empty changes write nothing.
    pub fn apply(
        &self,
        changes: &Changes,
        validate: impl FnOnce(&Staged<'_>) -> Result<(), String>,
        reload: impl Fn() -> Result<(), String>,
    ) -> Result<Applied, ApplyError> {
        if changes.is_empty() {
            return Ok(Applied::Unchanged);
        }
        if let Some(bad) = changes.keys().find(|n| !valid_name(n)) {
            return Err(ApplyError::Invalid(format!(
                "file name {bad:?} is not allowed"
            )));
        }
        self.stage(changes)?;
        if let Err(why) = validate(&Staged {
            tree: self,
            changes,
        }) {
            fs::remove_dir_all(self.staging())?;
            return Err(ApplyError::Invalid(why));
        }
        self.swap(changes)?;
        if let Err(why) = reload() {
            self.restore()?;
            let _ = reload();
            return Err(ApplyError::Reload(why));
        }
        let next = self.generation().map_or(1, |n| n + 1);
        let tmp = self.root.join(".generation.tmp");
        fs::write(&tmp, format!("{next}\n"))?;
        fs::rename(&tmp, self.root.join(GENERATION))?;
        fs::remove_dir_all(self.staging())?;
        Ok(Applied::Live(next))
    }

    /// Writes the new contents to a fresh `staging/`.
    fn stage(&self, changes: &Changes) -> io::Result<()> {
        let staging = self.staging();
        if staging.exists() {
            fs::remove_dir_all(&staging)?;
        }
        fs::create_dir_all(staging.join(PREVIOUS))?;
        for (name, content) in changes {
            if let Some(content) = content {
                fs::write(staging.join(name), content)?;
            }
        }
        Ok(())
    }

    /// Keeps the live versions, marks the batch committed, then moves the staged files in.
    fn swap(&self, changes: &Changes) -> io::Result<()> {
        let staging = self.staging();
        let live = self.live_dir();
        for name in changes.keys() {
            match fs::hard_link(live.join(name), staging.join(PREVIOUS).join(name)) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        fs::write(
            staging.join(COMMIT),
            changes.keys().cloned().collect::<Vec<_>>().join("\n"),
        )?;
        for (name, content) in changes {
            match content {
                Some(_) => fs::rename(staging.join(name), live.join(name))?,
                None => remove_if_present(&live.join(name))?,
            }
        }
        Ok(())
    }

    /// Puts back the previous versions of a committed batch's files, then forgets it.
    fn restore(&self) -> io::Result<()> {
        let staging = self.staging();
        let live = self.live_dir();
        let names = fs::read_to_string(staging.join(COMMIT))?;
        for name in names.lines().filter(|n| valid_name(n)) {
            let previous = staging.join(PREVIOUS).join(name);
            if previous.exists() {
                fs::rename(previous, live.join(name))?;
            } else {
                remove_if_present(&live.join(name))?;
            }
        }
        fs::remove_dir_all(staging)
    }

    /// Undoes what a crash left: a committed batch is rolled back, a staged one dropped.
    fn recover(&self) -> io::Result<()> {
        let staging = self.staging();
        if staging.join(COMMIT).exists() {
            tracing::warn!(root = %self.root.display(), "rolling back a batch a crash interrupted");
            self.restore()
        } else if staging.exists() {
            fs::remove_dir_all(staging)
        } else {
            Ok(())
        }
    }
}

fn remove_if_present(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

impl Staged<'_> {
    /// The staged files that replace or add live ones: `(name, path)`.
    pub fn changed(&self) -> Vec<(String, PathBuf)> {
        self.changes
            .iter()
            .filter(|(_, c)| c.is_some())
            .map(|(n, _)| (n.clone(), self.tree.staging().join(n)))
            .collect()
    }

    /// Every file of the prospective live set, by name: the staged path for a changed
    /// file, the live path for an unchanged one; removed files are left out.
    pub fn files(&self) -> io::Result<BTreeMap<String, PathBuf>> {
        let mut files: BTreeMap<String, PathBuf> = self
            .tree
            .names()?
            .into_iter()
            .map(|n| {
                let path = self.tree.live_dir().join(&n);
                (n, path)
            })
            .collect();
        for (name, content) in self.changes {
            match content {
                Some(_) => files.insert(name.clone(), self.tree.staging().join(name)),
                None => files.remove(name),
            };
        }
        Ok(files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changes(pairs: &[(&str, Option<&str>)]) -> Changes {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.map(str::to_owned)))
            .collect()
    }

    fn live(tree: &Tree, name: &str) -> Option<String> {
        tree.read(name).unwrap()
    }

    #[test]
    fn r9_2_valid_changes_go_live_and_unchanged_states_write_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let tree = Tree::open(dir.path()).unwrap();
        let one = changes(&[("a.conf", Some("one"))]);
        assert_eq!(
            tree.apply(&tree.diff(&one).unwrap(), |_| Ok(()), || Ok(()))
                .unwrap(),
            Applied::Live(1)
        );
        let again = tree.diff(&one).unwrap();
        assert!(again.is_empty());
        assert_eq!(
            tree.apply(&again, |_| panic!("no validation"), || panic!("no reload"))
                .unwrap(),
            Applied::Unchanged
        );
        let two = changes(&[("a.conf", Some("two")), ("b.conf", Some("b"))]);
        assert_eq!(
            tree.apply(&two, |_| Ok(()), || Ok(())).unwrap(),
            Applied::Live(2)
        );
        assert_eq!(live(&tree, "a.conf").as_deref(), Some("two"));
        tree.apply(&changes(&[("a.conf", None)]), |_| Ok(()), || Ok(()))
            .unwrap();
        assert_eq!(live(&tree, "a.conf"), None);
        assert_eq!(tree.names().unwrap().len(), 1);
        assert_eq!(tree.generation(), Some(3));
    }

    #[test]
    fn r9_3_validation_sees_the_prospective_set_with_only_changes_staged() {
        let dir = tempfile::tempdir().unwrap();
        let tree = Tree::open(dir.path()).unwrap();
        tree.apply(
            &changes(&[("a.conf", Some("a")), ("b.conf", Some("b"))]),
            |_| Ok(()),
            || Ok(()),
        )
        .unwrap();
        let batch = changes(&[("b.conf", None), ("c.conf", Some("c"))]);
        tree.apply(
            &batch,
            |staged| {
                let files = staged.files().unwrap();
                assert_eq!(files.keys().collect::<Vec<_>>(), ["a.conf", "c.conf"]);
                assert!(files["a.conf"].starts_with(tree.live_dir()));
                assert!(!files["c.conf"].starts_with(tree.live_dir()));
                assert_eq!(staged.changed().len(), 1);
                Ok(())
            },
            || Ok(()),
        )
        .unwrap();
    }

    #[test]
    fn r9_2_a_refused_validation_keeps_the_live_files() {
        let dir = tempfile::tempdir().unwrap();
        let tree = Tree::open(dir.path()).unwrap();
        tree.apply(&changes(&[("a.conf", Some("good"))]), |_| Ok(()), || Ok(()))
            .unwrap();
        let err = tree
            .apply(
                &changes(&[("a.conf", Some("bad")), ("b.conf", Some("new"))]),
                |_| Err("syntax".into()),
                || Ok(()),
            )
            .unwrap_err();
        assert!(matches!(err, ApplyError::Invalid(_)));
        assert_eq!(tree.generation(), Some(1));
        assert_eq!(live(&tree, "a.conf").as_deref(), Some("good"));
        assert_eq!(live(&tree, "b.conf"), None);
    }

    #[test]
    fn r9_2_a_failed_reload_puts_the_previous_files_back() {
        let dir = tempfile::tempdir().unwrap();
        let tree = Tree::open(dir.path()).unwrap();
        tree.apply(&changes(&[("a.conf", Some("good"))]), |_| Ok(()), || Ok(()))
            .unwrap();
        let err = tree
            .apply(
                &changes(&[("a.conf", Some("new")), ("b.conf", Some("b"))]),
                |_| Ok(()),
                || Err("down".into()),
            )
            .unwrap_err();
        assert!(matches!(err, ApplyError::Reload(_)));
        assert_eq!(live(&tree, "a.conf").as_deref(), Some("good"));
        assert_eq!(live(&tree, "b.conf"), None);
        assert!(!dir.path().join(STAGING).exists());
    }

    #[test]
    fn r9_2_a_batch_interrupted_by_a_crash_is_rolled_back_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let tree = Tree::open(dir.path()).unwrap();
        tree.apply(&changes(&[("a.conf", Some("good"))]), |_| Ok(()), || Ok(()))
            .unwrap();
        let batch = changes(&[("a.conf", Some("half")), ("b.conf", Some("b"))]);
        tree.stage(&batch).unwrap();
        tree.swap(&batch).unwrap();
        assert_eq!(live(&tree, "a.conf").as_deref(), Some("half"));
        let reopened = Tree::open(dir.path()).unwrap();
        assert_eq!(live(&reopened, "a.conf").as_deref(), Some("good"));
        assert_eq!(live(&reopened, "b.conf"), None);
    }

    #[test]
    fn file_names_must_be_plain() {
        let dir = tempfile::tempdir().unwrap();
        let tree = Tree::open(dir.path()).unwrap();
        for bad in ["../x.conf", ".hidden", "a/b.conf", ""] {
            let err = tree
                .apply(&changes(&[(bad, Some("x"))]), |_| Ok(()), || Ok(()))
                .unwrap_err();
            assert!(matches!(err, ApplyError::Invalid(_)), "{bad}");
        }
    }
}
