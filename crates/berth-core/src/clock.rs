//! The injectable clock. All code that needs "now" asks a [`Clock`], so that expirations,
//! usage periods and billing can be tested and demonstrated with `BERTH_NOW`.

use chrono::{DateTime, Utc};

/// Source of the current time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The machine's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock stopped at one instant (`BERTH_NOW`, tests).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// Parses an RFC 3339 instant such as `2026-01-31T12:00:00Z`, for `BERTH_NOW`.
pub fn parse_instant(field: &str, text: &str) -> crate::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            crate::Error::invalid(
                field,
                format!("{field} must be an RFC 3339 date and time such as 2026-01-31T12:00:00Z"),
            )
        })
}
