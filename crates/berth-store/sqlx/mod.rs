//! The engine-neutral half of Berth's two SQL stores.
//!
//! These modules are compiled into **both** engine crates (`berth-store-sqlite` and
//! `berth-store-postgres`) with `#[path = "../../berth-store/sqlx/mod.rs"] mod shared;`;
//! `berth-store` itself never compiles them (it has no sqlx dependency). Each engine crate
//! provides a small `engine` module with what differs between the engines — its transaction
//! type [`EngineTx`], its row type [`EngineRow`], how it binds [`bind_all`] and decodes times
//! [`time`], how it maps errors [`map_err`] and its SQL [`DIALECT`] — and these modules
//! write every trait implementation once against those names. Monomorphic code compiled
//! twice, instead of one generic layer over `sqlx::Database`, keeps the statements plain and
//! the compiler errors readable; the SQL text itself comes from `berth_store::sql`.
//!
//! [`EngineTx`]: crate::engine::EngineTx
//! [`EngineRow`]: crate::engine::EngineRow
//! [`bind_all`]: crate::engine::bind_all
//! [`time`]: crate::engine::time
//! [`map_err`]: crate::engine::map_err
//! [`DIALECT`]: crate::engine::DIALECT

mod accounts;
mod api_keys;
mod audit;
mod common;
mod dns;
mod domains;
mod hosting;
mod ips;
mod legacy_ids;
mod notifications;
mod provision;
mod recovery;
mod resellers;
mod sessions;
mod status;
mod tasks;
mod usage;
