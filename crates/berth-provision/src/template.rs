//! The virtual host template (R8.3): the files copied into every new webspace (R9.1).
//!
//! The template lives in a directory this module manages (`provision.template_dir`):
//! `versions/<id>/` holds uploaded templates and `current` is a symlink to the live one.
//! Without `current` the built-in skeleton (a "site is being set up" page and the error
//! pages, 503 being the "suspended" page) is the template, so a fresh server needs no
//! setup.
//!
//! An uploaded archive (tgz, tar, tar.gz or zip) is extracted defensively into a staging
//! directory — no absolute paths, no `..`, no links leaving the tree, no device files,
//! fifos or setuid bits, limits on size, entries, depth and name length, only
//! `httpdocs`, `cgi-bin`, `anon_ftp` and `error_docs` at its root — and made live by one
//! atomic symlink swap: a refused archive leaves the previous template live.

use std::collections::HashSet;
use std::fs::{self, OpenOptions};
use std::io::{self, Cursor, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// The largest archive accepted, in bytes (128 MiB), before anything is unpacked.
pub const MAX_ARCHIVE_BYTES: usize = 128 * 1024 * 1024;

/// The largest total size of the unpacked files (100 MiB), counted on the bytes actually
/// unpacked, not on the sizes the archive declares.
pub const MAX_TOTAL_BYTES: u64 = 100 * 1024 * 1024;

/// The most entries (files, directories, links) an archive may hold.
pub const MAX_ENTRIES: usize = 10_000;

/// The deepest path inside the template, in directories (`httpdocs/a/b` is 3).
pub const MAX_DEPTH: usize = 32;

/// The longest name of one path component, in bytes (the usual file-system limit).
pub const MAX_NAME_BYTES: usize = 255;

/// The longest path inside the template, in bytes.
pub const MAX_PATH_BYTES: usize = 1024;

/// The directories an archive's root may hold (R8.3).
pub const TOP_LEVEL_DIRS: [&str; 4] = ["httpdocs", "cgi-bin", "anon_ftp", "error_docs"];

/// The directories every new webspace gets, whatever the template holds (R9.1).
pub const WEBSPACE_DIRS: [&str; 5] = ["httpdocs", "cgi-bin", "error_docs", "anon_ftp", "logs"];

/// How old a staging directory must be to count as left over by an interrupted upload
/// (an upload in flight takes seconds) and be removed.
const STALE_STAGING: std::time::Duration = std::time::Duration::from_secs(3600);

/// How many symlinks one link may go through before it is refused (like the kernel's 40).
const MAX_LINK_HOPS: usize = 40;

/// Limits applied to an uploaded archive; [`Limits::default`] holds the constants above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest archive, in bytes ([`MAX_ARCHIVE_BYTES`]).
    pub archive_bytes: usize,
    /// Largest total of unpacked bytes ([`MAX_TOTAL_BYTES`]).
    pub total_bytes: u64,
    /// Most entries ([`MAX_ENTRIES`]).
    pub entries: usize,
    /// Deepest path ([`MAX_DEPTH`]).
    pub depth: usize,
    /// Longest path component ([`MAX_NAME_BYTES`]).
    pub name_bytes: usize,
    /// Longest path ([`MAX_PATH_BYTES`]).
    pub path_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            archive_bytes: MAX_ARCHIVE_BYTES,
            total_bytes: MAX_TOTAL_BYTES,
            entries: MAX_ENTRIES,
            depth: MAX_DEPTH,
            name_bytes: MAX_NAME_BYTES,
            path_bytes: MAX_PATH_BYTES,
        }
    }
}

/// Why a template could not be installed. The previous template stays live in every case.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// An entry breaks a safety rule (absolute path, `..`, link leaving the tree, special
    /// file, setuid bit, name too long, path too deep, not under an allowed directory).
    #[error("R8.3: entry `{entry}` is refused: {reason}")]
    Unsafe {
        /// The entry's name as the archive gives it.
        entry: String,
        /// The rule it breaks.
        reason: String,
    },
    /// The archive is over a size or count limit.
    #[error("R8.3: {0}")]
    TooLarge(String),
    /// The archive's format is unknown, or its content cannot be read.
    #[error("R8.3: {0}")]
    Format(String),
    /// Writing the template failed.
    #[error("file system: {0}")]
    Io(#[from] io::Error),
}

type Result<T> = std::result::Result<T, TemplateError>;

fn unsafe_entry(entry: &str, reason: impl Into<String>) -> TemplateError {
    TemplateError::Unsafe {
        entry: entry.chars().take(200).collect(),
        reason: reason.into(),
    }
}

fn corrupt(e: impl std::fmt::Display) -> TemplateError {
    TemplateError::Format(format!("the archive cannot be read: {e}"))
}

/// An archive format R8.3 accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A zip file.
    Zip,
    /// An uncompressed tar archive.
    Tar,
    /// A gzip-compressed tar archive (`tgz`, `tar.gz`).
    TarGz,
}

impl Format {
    /// Parses a declared format: `zip`, `tar`, `tgz`, `tar.gz`, or the media types
    /// `application/zip`, `application/x-tar`, `application/gzip`.
    pub fn parse(raw: &str) -> Result<Format> {
        let lower = raw.trim().to_ascii_lowercase();
        let bare = lower.split(';').next().unwrap_or_default().trim();
        match bare.trim_start_matches('.') {
            "zip" | "application/zip" | "application/x-zip-compressed" => Ok(Format::Zip),
            "tar" | "application/x-tar" => Ok(Format::Tar),
            "tgz"
            | "tar.gz"
            | "gz"
            | "application/gzip"
            | "application/x-gzip"
            | "application/x-compressed-tar" => Ok(Format::TarGz),
            _ => Err(TemplateError::Format(format!(
                "unknown archive format `{}`: use tgz, tar, tar.gz or zip",
                raw.chars().take(60).collect::<String>()
            ))),
        }
    }

    /// The format `bytes` are in, from their magic numbers (gzip `1f 8b`, zip `PK`, tar
    /// `ustar` at offset 257); `None` when they show none.
    pub fn detect(bytes: &[u8]) -> Option<Format> {
        if bytes.starts_with(&[0x1f, 0x8b]) {
            Some(Format::TarGz)
        } else if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
            Some(Format::Zip)
        } else if bytes.get(257..262) == Some(b"ustar") {
            Some(Format::Tar)
        } else {
            None
        }
    }

    /// The content decides; the declared format only covers archives without a magic
    /// number (old tar). Neither: refused.
    pub fn resolve(bytes: &[u8], declared: Option<Format>) -> Result<Format> {
        Format::detect(bytes).or(declared).ok_or_else(|| {
            TemplateError::Format(
                "the upload is not a tgz, tar, tar.gz or zip archive (R8.3)".to_owned(),
            )
        })
    }

    /// The format's name: `zip`, `tar` or `tar.gz`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Zip => "zip",
            Format::Tar => "tar",
            Format::TarGz => "tar.gz",
        }
    }
}

/// What one template entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A directory.
    Dir,
    /// A regular file.
    File,
    /// A symbolic link (inside the tree).
    Symlink,
}

/// One entry of the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryInfo {
    /// Its path inside the webspace, `/`-separated (`httpdocs/index.html`).
    pub path: String,
    /// What it is.
    pub kind: EntryKind,
    /// Its size in bytes (0 for directories and links).
    pub size: u64,
}

/// The template as shown: its entries and sizes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description {
    /// Whether it is the built-in skeleton (nothing uploaded, or reset).
    pub built_in: bool,
    /// Every entry, sorted by path.
    pub entries: Vec<EntryInfo>,
    /// How many regular files it holds.
    pub files: usize,
    /// Their total size in bytes.
    pub total_bytes: u64,
}

impl Description {
    fn of(built_in: bool, mut entries: Vec<EntryInfo>) -> Self {
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        let files = entries.iter().filter(|e| e.kind == EntryKind::File).count();
        let total_bytes = entries.iter().map(|e| e.size).sum();
        Description {
            built_in,
            entries,
            files,
            total_bytes,
        }
    }
}

fn page(title: &str, text: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>body{{font-family:sans-serif;max-width:40em;\
         margin:4em auto;padding:0 1em;color:#333}}h1{{font-weight:normal}}</style>\n\
         </head>\n<body>\n<h1>{title}</h1>\n<p>{text}</p>\n</body>\n</html>\n"
    )
}

/// The built-in skeleton, embedded in the binary: `httpdocs/index.html` ("site is being
/// set up") and `error_docs/{400,401,403,404,500,503}.html` (503 is the "suspended" page).
pub fn built_in() -> Vec<(&'static str, String)> {
    let error = |code: &str, title: &str, text: &str| page(&format!("{code} {title}"), text);
    vec![
        (
            "httpdocs/index.html",
            page(
                "This site is being set up",
                "The owner of this domain has not published a website yet. Please come \
                 back later.",
            ),
        ),
        (
            "error_docs/400.html",
            error(
                "400",
                "Bad Request",
                "The server could not understand the request.",
            ),
        ),
        (
            "error_docs/401.html",
            error(
                "401",
                "Unauthorized",
                "This page needs a login and password that were not given or not accepted.",
            ),
        ),
        (
            "error_docs/403.html",
            error(
                "403",
                "Forbidden",
                "You do not have permission to view this page.",
            ),
        ),
        (
            "error_docs/404.html",
            error("404", "Not Found", "The page you asked for does not exist."),
        ),
        (
            "error_docs/500.html",
            error(
                "500",
                "Internal Server Error",
                "The website could not complete your request. Please try again later.",
            ),
        ),
        (
            "error_docs/503.html",
            error(
                "503",
                "Service Unavailable",
                "This website is suspended or temporarily unavailable.",
            ),
        ),
    ]
}

/// The built-in skeleton as shown.
pub fn built_in_description() -> Description {
    let mut entries: Vec<EntryInfo> = TOP_LEVEL_DIRS
        .iter()
        .map(|d| EntryInfo {
            path: (*d).to_owned(),
            kind: EntryKind::Dir,
            size: 0,
        })
        .collect();
    entries.extend(built_in().into_iter().map(|(path, body)| EntryInfo {
        path: path.to_owned(),
        kind: EntryKind::File,
        size: body.len() as u64,
    }));
    Description::of(true, entries)
}

/// A unique name for a version directory: time, process and a counter.
fn version_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{nanos:x}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// The template directory of a server (`provision.template_dir`).
#[derive(Debug, Clone)]
pub struct Skeleton {
    dir: PathBuf,
    limits: Limits,
}

impl Skeleton {
    /// Manages the template in `dir` (created on the first upload) with the default limits.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Skeleton {
            dir: dir.into(),
            limits: Limits::default(),
        }
    }

    /// The same template directory with other limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    fn current_link(&self) -> PathBuf {
        self.dir.join("current")
    }

    fn versions(&self) -> PathBuf {
        self.dir.join("versions")
    }

    /// The live uploaded template's directory, or `None` when the built-in skeleton is the
    /// template.
    pub fn current(&self) -> Option<PathBuf> {
        let link = self.current_link();
        let is_link = fs::symlink_metadata(&link).is_ok_and(|m| m.file_type().is_symlink());
        (is_link && link.is_dir()).then_some(link)
    }

    /// The template as shown: the uploaded one, or the built-in skeleton.
    pub fn describe(&self) -> Result<Description> {
        match self.current() {
            Some(dir) => Ok(Description::of(false, walk(&dir)?)),
            None => Ok(built_in_description()),
        }
    }

    /// Checks `bytes` as [`Skeleton::install_archive`] does and describes the template it
    /// would become, without changing the live one (a dry run).
    pub fn check_archive(&self, bytes: &[u8], declared: Option<Format>) -> Result<Description> {
        let staged = self.stage(bytes, declared)?;
        let description = walk(&staged).map(|e| Description::of(false, e));
        let _ = fs::remove_dir_all(&staged);
        Ok(description?)
    }

    /// Extracts `bytes` (format from its magic number, else `declared`) into a staging
    /// directory with every check of R8.3, then makes it the live template by one atomic
    /// symlink swap. On any refusal the previous template stays live.
    pub fn install_archive(&self, bytes: &[u8], declared: Option<Format>) -> Result<Description> {
        let staged = self.stage(bytes, declared)?;
        let id = staged
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".staging"))
            .map(str::to_owned)
            .ok_or_else(|| io::Error::other("staging directory without a name"))?;
        let version = self.versions().join(&id);
        let _lock = self.lock()?;
        if let Err(e) = fs::rename(&staged, &version).and_then(|()| self.point_current_at(&id)) {
            let _ = fs::remove_dir_all(&staged);
            let _ = fs::remove_dir_all(&version);
            return Err(e.into());
        }
        self.prune(&id);
        self.describe()
    }

    /// Restores the built-in skeleton (R8.3 "reset to default"): `current` is removed in
    /// one step, then the uploaded versions.
    pub fn reset(&self) -> Result<Description> {
        if !self.dir.exists() {
            return Ok(built_in_description());
        }
        let _lock = self.lock()?;
        match fs::remove_file(self.current_link()) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
        self.prune("");
        Ok(built_in_description())
    }

    /// Copies the template into `webspace`, creating what is missing and never
    /// overwriting an existing file.
    pub fn seed_into(&self, webspace: &Path) -> io::Result<()> {
        fs::create_dir_all(webspace)?;
        match self.current() {
            Some(dir) => copy_tree(&dir, webspace)?,
            None => write_built_in(webspace)?,
        }
        for dir in WEBSPACE_DIRS {
            fs::create_dir_all(webspace.join(dir))?;
        }
        Ok(())
    }

    fn stage(&self, bytes: &[u8], declared: Option<Format>) -> Result<PathBuf> {
        if bytes.len() > self.limits.archive_bytes {
            return Err(TemplateError::TooLarge(format!(
                "the archive is {} bytes, more than the {} accepted",
                bytes.len(),
                self.limits.archive_bytes
            )));
        }
        let format = Format::resolve(bytes, declared)?;
        fs::create_dir_all(self.versions())?;
        let staged = self.versions().join(format!("{}.staging", version_id()));
        fs::create_dir(&staged)?;
        let mut extractor = Extractor::new(&staged, self.limits);
        let outcome = match format {
            Format::Zip => extractor.zip(bytes),
            Format::Tar => extractor.tar(Cursor::new(bytes)),
            Format::TarGz => extractor.tar(flate2::read::MultiGzDecoder::new(Cursor::new(bytes))),
        }
        .and_then(|()| extractor.check_links());
        match outcome {
            Ok(()) => Ok(staged),
            Err(e) => {
                let _ = fs::remove_dir_all(&staged);
                Err(e)
            }
        }
    }

    /// Serialises swaps and pruning between uploads and resets (in this process or
    /// another): an exclusive lock on `<dir>/.lock`, released when the file is dropped.
    fn lock(&self) -> io::Result<fs::File> {
        fs::create_dir_all(&self.dir)?;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.dir.join(".lock"))?;
        file.lock()?;
        Ok(file)
    }

    /// Atomically points `current` at `versions/<id>` (a new symlink renamed over the old).
    fn point_current_at(&self, id: &str) -> io::Result<()> {
        let tmp = self.dir.join(format!("current.{id}.tmp"));
        std::os::unix::fs::symlink(Path::new("versions").join(id), &tmp)?;
        fs::rename(&tmp, self.current_link()).inspect_err(|_| {
            let _ = fs::remove_file(&tmp);
        })
    }

    /// Removes every finished version but `keep`, and staging directories left over by
    /// interrupted uploads (those of uploads in flight are younger than [`STALE_STAGING`]).
    fn prune(&self, keep: &str) {
        let Ok(read) = fs::read_dir(self.versions()) else {
            return;
        };
        for entry in read.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let stale = || {
                entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > STALE_STAGING))
            };
            if name != keep && (!name.ends_with(".staging") || stale()) {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// Creates `webspace` and seeds it from the template in `template_dir` (the built-in
/// skeleton when none was uploaded), with the standard webspace directories. Returns
/// `true` when it created and seeded the webspace, `false` when the webspace already
/// existed (then nothing is touched: the template applies to new webspaces only, R8.3).
pub fn seed_new_webspace(template_dir: &Path, webspace: &Path) -> io::Result<bool> {
    if let Some(parent) = webspace.parent() {
        fs::create_dir_all(parent)?;
    }
    match fs::create_dir(webspace) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(false),
        Err(e) => return Err(e),
    }
    Skeleton::new(template_dir).seed_into(webspace)?;
    Ok(true)
}

fn write_built_in(webspace: &Path) -> io::Result<()> {
    for (path, body) in built_in() {
        let dest = webspace.join(path);
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent)?;
        }
        match OpenOptions::new().write(true).create_new(true).open(&dest) {
            Ok(mut f) => f.write_all(body.as_bytes())?,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Copies `from` into `to` recursively: directories created, files and links created
/// only where nothing exists yet.
fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let (src, dest) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type()?;
        if kind.is_dir() {
            match fs::symlink_metadata(&dest) {
                Ok(m) if !m.is_dir() => continue,
                Ok(_) => {}
                Err(_) => fs::create_dir(&dest)?,
            }
            copy_tree(&src, &dest)?;
        } else if kind.is_symlink() {
            match std::os::unix::fs::symlink(fs::read_link(&src)?, &dest) {
                Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(e),
                _ => {}
            }
        } else if kind.is_file() {
            copy_new_file(&src, &dest)?;
        }
    }
    Ok(())
}

fn copy_new_file(src: &Path, dest: &Path) -> io::Result<()> {
    let mode = fs::metadata(src)?.permissions().mode() & 0o777;
    let mut out = match OpenOptions::new().write(true).create_new(true).open(dest) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(()),
        Err(e) => return Err(e),
    };
    io::copy(&mut fs::File::open(src)?, &mut out)?;
    out.set_permissions(fs::Permissions::from_mode(mode))
}

/// Every entry under `root`, relative and `/`-separated, links not followed.
fn walk(root: &Path) -> io::Result<Vec<EntryInfo>> {
    let mut out = vec![];
    let mut pending = vec![PathBuf::new()];
    while let Some(rel) = pending.pop() {
        for entry in fs::read_dir(root.join(&rel))? {
            let entry = entry?;
            let path = rel.join(entry.file_name());
            let meta = entry.metadata()?;
            let kind = if meta.is_dir() {
                pending.push(path.clone());
                EntryKind::Dir
            } else if meta.file_type().is_symlink() {
                EntryKind::Symlink
            } else {
                EntryKind::File
            };
            out.push(EntryInfo {
                path: path.to_string_lossy().into_owned(),
                kind,
                size: if kind == EntryKind::File {
                    meta.len()
                } else {
                    0
                },
            });
        }
    }
    Ok(out)
}

/// Unpacks entries one by one into a staging directory, checking each.
struct Extractor<'a> {
    root: &'a Path,
    limits: Limits,
    entries: usize,
    bytes: u64,
    links: Vec<PathBuf>,
    written: HashSet<PathBuf>,
}

/// What kind of entry the archive says it is, format aside.
enum Item<'r> {
    Dir,
    File(&'r mut dyn Read, u64),
    Symlink(String),
    Hardlink(String),
}

impl<'a> Extractor<'a> {
    fn new(root: &'a Path, limits: Limits) -> Self {
        Extractor {
            root,
            limits,
            entries: 0,
            bytes: 0,
            links: vec![],
            written: HashSet::new(),
        }
    }

    fn zip(&mut self, bytes: &[u8]) -> Result<()> {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupt)?;
        if archive.len() > self.limits.entries {
            return Err(self.too_many(archive.len()));
        }
        let mut declared: u64 = 0;
        for i in 0..archive.len() {
            let file = archive.by_index_raw(i).map_err(corrupt)?;
            declared = declared.saturating_add(file.size());
        }
        if declared > self.limits.total_bytes {
            return Err(self.too_big(declared, "declares"));
        }
        for i in 0..archive.len() {
            let mut file = archive.by_index(i).map_err(corrupt)?;
            let name = file.name().map_err(corrupt)?.into_owned();
            let mode = file.unix_mode().unwrap_or(0);
            let kind = mode & 0o170_000;
            if file.is_dir() {
                self.entry(&name, mode & 0o7777, Item::Dir)?;
            } else if kind == 0o120_000 {
                let mut target = String::new();
                (&mut file)
                    .take(self.limits.path_bytes as u64 + 1)
                    .read_to_string(&mut target)
                    .map_err(corrupt)?;
                self.entry(&name, mode & 0o7777, Item::Symlink(target))?;
            } else if kind == 0 || kind == 0o100_000 {
                let size = file.size();
                self.entry(&name, mode & 0o7777, Item::File(&mut file, size))?;
            } else {
                return Err(special(&name));
            }
        }
        Ok(())
    }

    fn tar(&mut self, reader: impl Read) -> Result<()> {
        let mut archive = tar::Archive::new(reader);
        for entry in archive.entries().map_err(corrupt)? {
            let mut entry = entry.map_err(corrupt)?;
            let name = utf8(&entry.path_bytes(), "name")?;
            let size = entry.size();
            if size > self.limits.total_bytes.saturating_sub(self.bytes) {
                return Err(self.too_big(self.bytes.saturating_add(size), "declares"));
            }
            let mode = entry.header().mode().map_err(corrupt)? & 0o7777;
            let kind = entry.header().entry_type();
            if kind != tar::EntryType::Regular {
                // Data of other entries is skipped, not unpacked, but still read: it counts.
                self.bytes += size;
            }
            let item = match kind {
                tar::EntryType::Regular => {
                    self.entry(&name, mode, Item::File(&mut entry, size))?;
                    continue;
                }
                tar::EntryType::Directory => Item::Dir,
                tar::EntryType::Symlink => Item::Symlink(link_of(&entry, &name)?),
                tar::EntryType::Link => Item::Hardlink(link_of(&entry, &name)?),
                tar::EntryType::XGlobalHeader => continue,
                _ => return Err(special(&name)),
            };
            self.entry(&name, mode, item)?;
        }
        Ok(())
    }

    fn too_many(&self, n: usize) -> TemplateError {
        TemplateError::TooLarge(format!(
            "the archive holds {n} entries or more, more than the {} accepted",
            self.limits.entries
        ))
    }

    fn too_big(&self, n: u64, verb: &str) -> TemplateError {
        TemplateError::TooLarge(format!(
            "the archive {verb} {n} bytes or more unpacked, more than the {} accepted",
            self.limits.total_bytes
        ))
    }

    /// Checks and unpacks one entry.
    fn entry(&mut self, name: &str, mode: u32, item: Item<'_>) -> Result<()> {
        self.entries += 1;
        if self.entries > self.limits.entries {
            return Err(self.too_many(self.entries));
        }
        if mode & 0o6000 != 0 {
            return Err(unsafe_entry(name, "setuid and setgid bits are refused"));
        }
        let Some(rel) = self.relative(name)? else {
            return Ok(());
        };
        if rel.components().count() == 1 && !matches!(item, Item::Dir) {
            return Err(unsafe_entry(
                name,
                "httpdocs, cgi-bin, anon_ftp and error_docs must be directories",
            ));
        }
        self.refuse_links_on_the_way(name, &rel)?;
        let dest = self.root.join(&rel);
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent)?;
        }
        if !matches!(item, Item::Dir) && !self.written.insert(rel.clone()) {
            return Err(unsafe_entry(name, "the archive holds this path twice"));
        }
        match item {
            Item::Dir => match fs::symlink_metadata(&dest) {
                Ok(m) if m.is_dir() => Ok(()),
                Ok(_) => Err(unsafe_entry(name, "the archive holds this path twice")),
                Err(_) => Ok(fs::create_dir(&dest)?),
            },
            Item::File(reader, declared) => self.file(name, &dest, reader, declared, mode),
            Item::Symlink(target) => self.symlink(name, &rel, &dest, &target),
            Item::Hardlink(target) => self.hardlink(name, &dest, &target),
        }
    }

    /// The entry's path inside the template, checked; `None` for the root itself (`./`).
    fn relative(&self, name: &str) -> Result<Option<PathBuf>> {
        if name.contains('\0') || name.contains('\\') {
            return Err(unsafe_entry(
                name,
                "names with NUL bytes or backslashes are refused",
            ));
        }
        if name.starts_with('/') {
            return Err(unsafe_entry(name, "absolute paths are refused"));
        }
        if name.len() > self.limits.path_bytes {
            return Err(unsafe_entry(
                name,
                format!("paths are at most {} bytes", self.limits.path_bytes),
            ));
        }
        let mut parts = vec![];
        for part in name.split('/') {
            match part {
                "" | "." => {}
                ".." => return Err(unsafe_entry(name, "`..` in a path is refused")),
                _ if part.len() > self.limits.name_bytes => {
                    return Err(unsafe_entry(
                        name,
                        format!("names are at most {} bytes", self.limits.name_bytes),
                    ));
                }
                _ => parts.push(part),
            }
        }
        if parts.len() > self.limits.depth {
            return Err(unsafe_entry(
                name,
                format!("paths are at most {} levels deep", self.limits.depth),
            ));
        }
        match parts.first() {
            None => Ok(None),
            Some(top) if TOP_LEVEL_DIRS.contains(top) => Ok(Some(parts.iter().collect())),
            Some(_) => Err(unsafe_entry(
                name,
                "the archive's root may hold only httpdocs, cgi-bin, anon_ftp and error_docs \
                 (not a directory around them)",
            )),
        }
    }

    /// Refuses to write through a link unpacked earlier.
    fn refuse_links_on_the_way(&self, name: &str, rel: &Path) -> Result<()> {
        let mut path = self.root.to_path_buf();
        let parents: Vec<Component> = rel.components().collect();
        for part in &parents[..parents.len().saturating_sub(1)] {
            path.push(part);
            if fs::symlink_metadata(&path).is_ok_and(|m| !m.is_dir()) {
                return Err(unsafe_entry(
                    name,
                    "entries inside a link or a file are refused",
                ));
            }
        }
        Ok(())
    }

    fn file(
        &mut self,
        name: &str,
        dest: &Path,
        reader: &mut dyn Read,
        declared: u64,
        mode: u32,
    ) -> Result<()> {
        let room = self.limits.total_bytes.saturating_sub(self.bytes);
        if declared > room {
            return Err(self.too_big(self.bytes.saturating_add(declared), "declares"));
        }
        let mut out = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(dest)
            .map_err(|e| match e.kind() {
                io::ErrorKind::AlreadyExists => {
                    unsafe_entry(name, "the archive holds this path twice")
                }
                _ => e.into(),
            })?;
        let copied = copy_limited(&mut reader.take(room + 1), &mut out)?;
        if copied > room {
            return Err(self.too_big(self.bytes + copied, "unpacks to"));
        }
        self.bytes += copied;
        let perms = if mode & 0o111 != 0 { 0o755 } else { 0o644 };
        out.set_permissions(fs::Permissions::from_mode(perms))?;
        Ok(())
    }

    fn symlink(&mut self, name: &str, rel: &Path, dest: &Path, target: &str) -> Result<()> {
        if target.is_empty() || target.len() > self.limits.path_bytes || target.contains('\0') {
            return Err(unsafe_entry(name, "a link needs a target of a sane length"));
        }
        if target.starts_with('/') {
            return Err(unsafe_entry(
                name,
                "links to absolute paths leave the tree and are refused",
            ));
        }
        let mut depth = rel.components().count() - 1;
        for part in target.split('/') {
            match part {
                "" | "." => {}
                ".." if depth == 0 => {
                    return Err(unsafe_entry(name, "links leaving the tree are refused"));
                }
                ".." => depth -= 1,
                _ => depth += 1,
            }
        }
        std::os::unix::fs::symlink(target, dest).map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => unsafe_entry(name, "the archive holds this path twice"),
            _ => e.into(),
        })?;
        self.links.push(rel.to_path_buf());
        Ok(())
    }

    /// A hard link becomes a copy of a file unpacked earlier from the same archive.
    fn hardlink(&mut self, name: &str, dest: &Path, target: &str) -> Result<()> {
        let leaving = || unsafe_entry(name, "hard links leaving the tree are refused");
        let target_rel = self
            .relative(target)
            .map_err(|_| leaving())?
            .ok_or_else(leaving)?;
        self.refuse_links_on_the_way(name, &target_rel)?;
        let source = self.root.join(&target_rel);
        if !fs::symlink_metadata(&source).is_ok_and(|m| m.is_file()) {
            return Err(unsafe_entry(
                name,
                "a hard link must name a file unpacked before it",
            ));
        }
        let mut input = fs::File::open(&source)?;
        let size = input.metadata()?.len();
        let mode = input.metadata()?.permissions().mode();
        self.file(name, dest, &mut input, size, mode)
    }

    /// Every unpacked link, resolved through the links it meets, must stay in the tree.
    fn check_links(&self) -> Result<()> {
        for link in &self.links {
            if !self.stays_inside(link)? {
                return Err(unsafe_entry(
                    &link.to_string_lossy(),
                    "links leaving the tree are refused",
                ));
            }
        }
        Ok(())
    }

    /// Resolves `link` component by component, following links found in the staged tree,
    /// without leaving the root; false when it would.
    fn stays_inside(&self, link: &Path) -> Result<bool> {
        let mut resolved: Vec<String> = link
            .parent()
            .map(|p| {
                p.components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        let mut queue: Vec<String> = split_rev(&fs::read_link(self.root.join(link))?);
        let mut hops = 0;
        while let Some(part) = queue.pop() {
            match part.as_str() {
                "" | "." => {}
                ".." => {
                    if resolved.pop().is_none() {
                        return Ok(false);
                    }
                }
                _ => {
                    resolved.push(part);
                    let here: PathBuf = resolved.iter().collect();
                    let full = self.root.join(&here);
                    if fs::symlink_metadata(&full).is_ok_and(|m| m.file_type().is_symlink()) {
                        hops += 1;
                        let target = fs::read_link(&full)?;
                        if hops > MAX_LINK_HOPS || target.is_absolute() {
                            return Ok(false);
                        }
                        resolved.pop();
                        queue.extend(split_rev(&target));
                    }
                }
            }
        }
        Ok(true)
    }
}

/// The components of `path`, last first (to be popped in order).
fn split_rev(path: &Path) -> Vec<String> {
    let mut parts: Vec<String> = path
        .to_string_lossy()
        .split('/')
        .map(str::to_owned)
        .collect();
    parts.reverse();
    parts
}

fn link_of<R: Read>(entry: &tar::Entry<'_, R>, name: &str) -> Result<String> {
    match entry.link_name_bytes() {
        Some(target) => utf8(&target, "link target"),
        None => Err(unsafe_entry(name, "a link without a target")),
    }
}

fn special(name: &str) -> TemplateError {
    unsafe_entry(
        name,
        "device files, fifos, sockets and other special entries are refused",
    )
}

fn utf8(bytes: &[u8], what: &str) -> Result<String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| {
        unsafe_entry(
            &String::from_utf8_lossy(bytes),
            format!("the {what} is not UTF-8"),
        )
    })
}

/// `io::copy` that reports an archive that cannot be read as such, not as a local
/// file-system failure.
fn copy_limited(reader: &mut impl Read, out: &mut fs::File) -> Result<u64> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(corrupt(e)),
        };
        out.write_all(&buf[..n])?;
        total += n as u64;
    }
}
