//! Status as a set of suspension reasons (SPEC §5, R5.1): an object is active when it has
//! none. Each reason records who added it and when.

use chrono::{DateTime, Utc};

use crate::account::Login;

/// Why an account or subscription is suspended (R5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SuspensionReason {
    /// Suspended by the administrator.
    Admin,
    /// Suspended by a reseller.
    Reseller,
    /// The customer's own action.
    Customer,
    /// Cascaded from a suspended owner.
    Owner,
    /// The subscription expired.
    Expired,
    /// Usage exceeded a limit under the `block` policy.
    Overuse,
    /// Billing: unpaid invoices.
    Unpaid,
}

impl SuspensionReason {
    /// Every reason, in display order.
    pub const ALL: [SuspensionReason; 7] = [
        SuspensionReason::Admin,
        SuspensionReason::Reseller,
        SuspensionReason::Customer,
        SuspensionReason::Owner,
        SuspensionReason::Expired,
        SuspensionReason::Overuse,
        SuspensionReason::Unpaid,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            SuspensionReason::Admin => "admin",
            SuspensionReason::Reseller => "reseller",
            SuspensionReason::Customer => "customer",
            SuspensionReason::Owner => "owner",
            SuspensionReason::Expired => "expired",
            SuspensionReason::Overuse => "overuse",
            SuspensionReason::Unpaid => "unpaid",
        }
    }

    /// Reads a wire name back.
    pub fn from_wire(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// One suspension reason on an object, with its author and time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspension {
    /// The reason.
    pub reason: SuspensionReason,
    /// The account that added it; `None` for the system (scheduler) or a removed account.
    pub by: Option<Login>,
    /// When it was added.
    pub at: DateTime<Utc>,
}

/// The two statuses shown in lists and filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// No suspension reason.
    Active,
    /// At least one suspension reason.
    Suspended,
}

impl Status {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Suspended => "suspended",
        }
    }

    /// Parses `active` or `suspended`.
    pub fn parse(field: &str, raw: &str) -> crate::Result<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "active" => Ok(Status::Active),
            "suspended" => Ok(Status::Suspended),
            _ => Err(crate::Error::invalid(
                field,
                format!("{field} must be active or suspended"),
            )),
        }
    }

    /// The status implied by a set of reasons (R5.1).
    pub fn of(suspensions: &[Suspension]) -> Self {
        if suspensions.is_empty() {
            Status::Active
        } else {
            Status::Suspended
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r5_1_active_means_no_reason() {
        assert_eq!(Status::of(&[]), Status::Active);
        let s = Suspension {
            reason: SuspensionReason::Admin,
            by: None,
            at: Utc::now(),
        };
        assert_eq!(Status::of(&[s]), Status::Suspended);
    }

    #[test]
    fn reason_wire_names_round_trip() {
        for r in SuspensionReason::ALL {
            assert_eq!(SuspensionReason::from_wire(r.as_str()), Some(r));
        }
    }
}
