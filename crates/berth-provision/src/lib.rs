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
pub mod bind;
pub mod nginx;
pub mod spec;
pub mod system_user;
pub mod template;
pub mod webspace;
