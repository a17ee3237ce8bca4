//! The virtual host template (SPEC R8.3): the files every new webspace starts with (R9.1).
//! Show it, replace it with an uploaded archive (tgz, tar, tar.gz or zip, checked entry by
//! entry and swapped in atomically), or reset it to the built-in skeleton. Admin only.
//!
//! The template lives on disk ([`VhostTemplateSettings::template_dir`]), not in the
//! database; the file work is `berth_provision::template`, run off the async threads.

use std::path::PathBuf;

use berth_core::rights::Actor;
use berth_core::{Error, Result};
use berth_provision::template::{
    Description, EntryKind, Format, Skeleton, TemplateError, built_in_description,
};
use serde::Serialize;

use crate::{Berth, Mode};

/// The largest archive an upload may be, in bytes (interfaces size their body limits by it).
pub const MAX_ARCHIVE_BYTES: usize = berth_provision::template::MAX_ARCHIVE_BYTES;

/// Where the template lives (`provision.template_dir` in berth.toml).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VhostTemplateSettings {
    /// The managed template directory (`current` → `versions/<id>`).
    pub template_dir: PathBuf,
}

/// One entry of the template as shown.
#[derive(Debug, Clone, Serialize)]
pub struct VhostTemplateEntry {
    /// Its path inside a webspace, e.g. `httpdocs/index.html`.
    pub path: String,
    /// `dir`, `file` or `symlink`.
    pub kind: &'static str,
    /// Its size in bytes (0 for directories and links).
    pub size: u64,
}

/// The virtual host template as shown.
#[derive(Debug, Clone, Serialize)]
pub struct VhostTemplateView {
    /// Whether it is the built-in skeleton (nothing uploaded, or reset).
    pub built_in: bool,
    /// How many files it holds.
    pub files: usize,
    /// Their total size in bytes.
    pub total_bytes: u64,
    /// Every entry, sorted by path.
    pub entries: Vec<VhostTemplateEntry>,
    /// Whether this is what the template would be, nothing having been written.
    pub dry_run: bool,
}

impl VhostTemplateView {
    fn of(d: Description, dry_run: bool) -> Self {
        VhostTemplateView {
            built_in: d.built_in,
            files: d.files,
            total_bytes: d.total_bytes,
            entries: d
                .entries
                .into_iter()
                .map(|e| VhostTemplateEntry {
                    path: e.path,
                    kind: match e.kind {
                        EntryKind::Dir => "dir",
                        EntryKind::File => "file",
                        EntryKind::Symlink => "symlink",
                    },
                    size: e.size,
                })
                .collect(),
            dry_run,
        }
    }
}

fn admin_only(actor: &Actor) -> Result<()> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(Error::forbidden(
            "only the admin manages the virtual host template (R8.3)",
        ))
    }
}

/// The service error of a template failure: a hostile or broken archive is invalid input
/// (`archive`, or `format`), an archive over a limit exceeds it, a disk failure failed.
fn template_error(e: TemplateError) -> Error {
    match e {
        TemplateError::Unsafe { .. } => Error::invalid("archive", e.to_string()),
        TemplateError::TooLarge(_) => Error::limit_exceeded("archive", e.to_string()),
        TemplateError::Format(_) => Error::invalid("format", e.to_string()),
        TemplateError::Io(_) => Error::failed(format!(
            "the virtual host template could not be written: {e}"
        )),
    }
}

/// Runs file work on the blocking pool.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> std::result::Result<T, TemplateError> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::failed(format!("the template work stopped: {e}")))?
        .map_err(template_error)
}

impl Berth {
    /// The virtual host template: the uploaded one or the built-in skeleton (admin only).
    pub async fn vhost_template(
        &self,
        actor: &Actor,
        settings: &VhostTemplateSettings,
    ) -> Result<VhostTemplateView> {
        admin_only(actor)?;
        let skeleton = Skeleton::new(&settings.template_dir);
        let d = blocking(move || skeleton.describe()).await?;
        Ok(VhostTemplateView::of(d, false))
    }

    /// Replaces the template with an archive (admin only; R8.3). `format` (`tgz`, `tar`,
    /// `tar.gz`, `zip` or a media type) is used only when the content has no magic number.
    /// Existing webspaces are not touched; only new ones get the new files. A refused
    /// archive leaves the previous template; a dry run checks it and writes nothing.
    pub async fn upload_vhost_template(
        &self,
        actor: &Actor,
        settings: &VhostTemplateSettings,
        archive: Vec<u8>,
        format: Option<&str>,
        mode: Mode,
    ) -> Result<VhostTemplateView> {
        admin_only(actor)?;
        let declared = format
            .filter(|f| !f.trim().is_empty())
            .map(Format::parse)
            .transpose()
            .map_err(template_error)?;
        let previous = self.vhost_template(actor, settings).await?;
        let skeleton = Skeleton::new(&settings.template_dir);
        let dry_run = mode == Mode::DryRun;
        let d = blocking(move || {
            if dry_run {
                skeleton.check_archive(&archive, declared)
            } else {
                skeleton.install_archive(&archive, declared)
            }
        })
        .await?;
        let view = VhostTemplateView::of(d, dry_run);
        if !dry_run {
            tracing::info!(actor = %actor.login, files = view.files, bytes = view.total_bytes, "virtual host template uploaded");
            self.record_template_change(actor, "vhost-template upload", &previous, &view)
                .await?;
        }
        Ok(view)
    }

    /// Restores the built-in skeleton (admin only; R8.3 "reset to default").
    pub async fn reset_vhost_template(
        &self,
        actor: &Actor,
        settings: &VhostTemplateSettings,
        mode: Mode,
    ) -> Result<VhostTemplateView> {
        admin_only(actor)?;
        let previous = self.vhost_template(actor, settings).await?;
        let skeleton = Skeleton::new(&settings.template_dir);
        let dry_run = mode == Mode::DryRun;
        let d = blocking(move || {
            if dry_run {
                Ok(built_in_description())
            } else {
                skeleton.reset()
            }
        })
        .await?;
        let view = VhostTemplateView::of(d, dry_run);
        if !dry_run {
            tracing::info!(actor = %actor.login, "virtual host template reset to the built-in skeleton");
            self.record_template_change(actor, "vhost-template reset", &previous, &view)
                .await?;
        }
        Ok(view)
    }

    /// Records a template change. The template lives in files, not in the database: its
    /// change is recorded in a transaction of its own once the files are in place.
    async fn record_template_change(
        &self,
        actor: &Actor,
        operation: &str,
        before: &VhostTemplateView,
        after: &VhostTemplateView,
    ) -> Result<()> {
        let fields = |v: &VhostTemplateView| {
            vec![
                berth_core::audit::AuditField::new("built_in", v.built_in.to_string()),
                berth_core::audit::AuditField::new("files", v.files.to_string()),
                berth_core::audit::AuditField::new("total_bytes", v.total_bytes.to_string()),
            ]
        };
        let mut changes =
            berth_core::audit::diff_fields("vhost-template", fields(before), fields(after));
        if changes.is_empty() {
            // Same counts, new content: the operation is still recorded.
            changes.push(berth_core::audit::FieldChange::new(
                "vhost-template",
                "content",
                None,
                Some("replaced".to_owned()),
            ));
        }
        let mut tx = self.store.write().await?;
        self.record_changes(&mut *tx, actor, operation, &changes)
            .await?;
        Ok(tx.commit().await?)
    }
}
