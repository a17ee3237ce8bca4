//! Provisioning (SPEC §9): the database is the desired state; this crate turns a
//! subscription's desired state into files (webspace directories, an nginx server-block file)
//! and applies a set of files to the machine safely (R9.2): rendered into a new generation
//! directory, validated with the real tools, made live by one atomic symlink swap, reloaded
//! once; on any failure the previous generation stays live.
//!
//! Rendering is pure ([`nginx::render`], [`bind::include_list`], [`webspace::layout`]);
//! [`apply::Tree`] is the only part that touches the file system (it runs the validation
//! and reload it is given).

pub mod apply;

/// Raises this process's soft limit of open files to its hard limit and returns the new
/// soft limit. Validation commands inherit it: `nginx -t` opens every site's log files
/// (two per subscription), so 10,000 sites need more than the usual soft limit of 1,024.
pub fn raise_open_file_limit() -> std::io::Result<u64> {
    rlimit::increase_nofile_limit(u64::MAX)
}
pub mod bind;
pub mod nginx;
pub mod spec;
pub mod system_user;
pub mod template;
pub mod webspace;
