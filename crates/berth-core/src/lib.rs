//! Berth's domain core: the types and rules of a hosting panel, with no I/O.
//!
//! Values that cross into the system are parsed here into newtypes (`Login`, `Email`,
//! `Country`, `Size`, ...) so that invalid values cannot exist past the edge. Rights are
//! decided in [`rights`]; errors are the one [`Error`] model every interface maps.

pub mod account;
pub mod api_key;
pub mod audit;
pub mod clock;
pub mod country;
pub mod dns;
pub mod domain;
pub mod error;
pub mod hosting;
pub mod ip;
pub mod job;
pub mod notification;
pub mod overuse;
pub mod property;
pub mod query;
pub mod reseller;
pub mod rights;
pub mod site;
pub mod size;
pub mod status;
pub mod sync;
pub mod text;
pub mod usage;
pub mod value;

pub use error::{Error, ErrorCode, Result};
