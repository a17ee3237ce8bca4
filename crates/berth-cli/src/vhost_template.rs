//! `berth vhost-template show|upload FILE|reset`: the files every new webspace starts
//! with (SPEC R8.3). Admin only.

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use berth_app::Berth;
use berth_app::vhost_template::{VhostTemplateSettings, VhostTemplateView};
use berth_core::rights::Actor;
use berth_core::{Error, Result};
use berth_provision::system_user::SystemUserSettings;
use berth_provision::template::MAX_ARCHIVE_BYTES;
use clap::{Args, Subcommand};

use crate::accounts::{confirm, mode};
use crate::output::{Output, say, table};

/// `berth vhost-template ...`
#[derive(Debug, Subcommand)]
pub enum VhostTemplateCommand {
    /// Show the template: the built-in skeleton or the uploaded archive's files.
    Show,
    /// Replace the template with an archive (tgz, tar, tar.gz or zip) whose root holds
    /// httpdocs, cgi-bin, anon_ftp and/or error_docs. Only new webspaces get it.
    Upload(UploadArgs),
    /// Restore the built-in skeleton.
    Reset(ResetArgs),
}

/// `vhost-template upload FILE [--format F] [--dry-run]`
#[derive(Debug, Args)]
pub struct UploadArgs {
    /// The archive (`-` reads stdin).
    pub file: String,
    /// `tgz`, `tar`, `tar.gz` or `zip`; only needed when the content does not tell
    /// (default: from the file name).
    #[arg(long)]
    pub format: Option<String>,
    /// Check the archive and show the template it would give; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `vhost-template reset [--yes] [--dry-run]`
#[derive(Debug, Args)]
pub struct ResetArgs {
    /// Confirm without asking (required when not interactive).
    #[arg(long)]
    pub yes: bool,
    /// Show the template it would give; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Runs a `vhost-template` command.
pub async fn run(
    app: &Berth,
    actor: &Actor,
    settings: &VhostTemplateSettings,
    users: &SystemUserSettings,
    cmd: VhostTemplateCommand,
    out: Output,
) -> Result<ExitCode> {
    match cmd {
        VhostTemplateCommand::Show => {
            let view = app.vhost_template(actor, settings).await?;
            print(out, &view, "");
            if !out.json {
                say!("Directory: {}", settings.template_dir.display());
                let owners = if users.enabled {
                    "their own system user (when running as root)"
                } else {
                    "the user running Berth (provision.create_system_users is off)"
                };
                say!("New webspaces are owned by {owners}.");
            }
        }
        VhostTemplateCommand::Upload(args) => {
            let bytes = read_archive(&args.file)?;
            let declared = args.format.clone().or_else(|| format_of(&args.file));
            let view = app
                .upload_vhost_template(
                    actor,
                    settings,
                    bytes,
                    declared.as_deref(),
                    mode(args.dry_run),
                )
                .await?;
            let verb = if view.dry_run {
                "Would replace the virtual host template"
            } else {
                "Virtual host template replaced"
            };
            print(out, &view, verb);
        }
        VhostTemplateCommand::Reset(args) => {
            if !args.yes && !args.dry_run {
                let interactive = out.interactive() && std::io::stdin().is_terminal();
                if !interactive {
                    return Err(Error::invalid(
                        "yes",
                        "reset needs --yes when not run interactively",
                    ));
                }
                if !confirm("Replace the virtual host template with the built-in skeleton?") {
                    say!("Nothing changed.");
                    return Ok(ExitCode::SUCCESS);
                }
            }
            let view = app
                .reset_vhost_template(actor, settings, mode(args.dry_run))
                .await?;
            let verb = if view.dry_run {
                "Would reset the virtual host template"
            } else {
                "Virtual host template reset"
            };
            print(out, &view, verb);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The archive's bytes, read up to one byte past the accepted size (the limit is
/// enforced, and named, by the service layer).
fn read_archive(file: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let limit = MAX_ARCHIVE_BYTES as u64 + 1;
    let read = if file == "-" {
        std::io::stdin().lock().take(limit).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(file).and_then(|f| f.take(limit).read_to_end(&mut bytes))
    };
    read.map_err(|e| Error::invalid("file", format!("cannot read {file}: {e}")))?;
    Ok(bytes)
}

/// The format a file name announces (`.zip`, `.tar`, `.tgz`, `.tar.gz`).
fn format_of(file: &str) -> Option<String> {
    let lower = file.to_ascii_lowercase();
    [".tar.gz", ".tgz", ".tar", ".zip"]
        .iter()
        .find(|ext| lower.ends_with(*ext))
        .map(|ext| ext.trim_start_matches('.').to_owned())
}

fn print(out: Output, view: &VhostTemplateView, verb: &str) {
    if out.json {
        out.json(view);
        return;
    }
    let what = if view.built_in {
        "the built-in skeleton"
    } else {
        "an uploaded archive"
    };
    let summary = format!("{} file(s), {} bytes", view.files, view.total_bytes);
    if verb.is_empty() {
        say!("Virtual host template: {what} ({summary}).");
    } else {
        say!("{verb}: {what} ({summary}). Existing webspaces are not changed.");
    }
    let rows: Vec<Vec<String>> = view
        .entries
        .iter()
        .map(|e| vec![e.path.clone(), e.kind.to_owned(), e.size.to_string()])
        .collect();
    table(&["PATH", "KIND", "SIZE"], &rows);
}
