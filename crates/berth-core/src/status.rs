//! Status as a set of suspension reasons (SPEC §5, R5.1): an object is active when it has
//! none. Each reason records who added it and when.

use chrono::{DateTime, Utc};

use crate::account::{AccountKind, Login};

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

    /// The level whose actors may lift this reason (R5.3): an actor lifts reasons at or
    /// below its own level. `owner` is never lifted by hand: it goes when the owner is
    /// active again. `expired` and `overuse` are the provider's to lift; `unpaid` the
    /// admin's (billing).
    pub fn level(self) -> Option<AccountKind> {
        match self {
            SuspensionReason::Admin | SuspensionReason::Unpaid => Some(AccountKind::Admin),
            SuspensionReason::Reseller | SuspensionReason::Expired | SuspensionReason::Overuse => {
                Some(AccountKind::Reseller)
            }
            SuspensionReason::Customer => Some(AccountKind::Customer),
            SuspensionReason::Owner => None,
        }
    }

    /// The reason an actor of `kind` adds when it suspends something (R5.1).
    pub fn added_by(kind: AccountKind) -> Self {
        match kind {
            AccountKind::Admin => SuspensionReason::Admin,
            AccountKind::Reseller => SuspensionReason::Reseller,
            AccountKind::Customer => SuspensionReason::Customer,
        }
    }

    /// Plesk's status code of this reason (R5.1): overuse and unpaid report as the code of
    /// the level that imposed them.
    pub fn plesk_code(self) -> u32 {
        match self {
            SuspensionReason::Owner => 2,
            SuspensionReason::Admin | SuspensionReason::Unpaid => 16,
            SuspensionReason::Reseller | SuspensionReason::Overuse => 32,
            SuspensionReason::Customer => 64,
            SuspensionReason::Expired => 256,
        }
    }
}

fn rank(kind: AccountKind) -> u8 {
    match kind {
        AccountKind::Customer => 1,
        AccountKind::Reseller => 2,
        AccountKind::Admin => 3,
    }
}

/// The reasons an actor of `kind` lifts when it activates an object (R5.3): every reason at
/// or below its level among `present`.
pub fn liftable_by(kind: AccountKind, present: &[Suspension]) -> Vec<SuspensionReason> {
    present
        .iter()
        .filter(|s| {
            s.reason
                .level()
                .is_some_and(|level| rank(level) <= rank(kind))
        })
        .map(|s| s.reason)
        .collect()
}

/// The reasons that stay after such an activation (R5.3: "stay suspended and say why").
pub fn remaining_after_activation(
    kind: AccountKind,
    present: &[Suspension],
) -> Vec<SuspensionReason> {
    let lifted = liftable_by(kind, present);
    present
        .iter()
        .map(|s| s.reason)
        .filter(|r| !lifted.contains(r))
        .collect()
}

/// The sum of Plesk status codes of a set of reasons (R5.1): 0 when active.
pub fn plesk_status(present: &[Suspension]) -> u32 {
    let mut codes: Vec<u32> = present.iter().map(|s| s.reason.plesk_code()).collect();
    codes.sort();
    codes.dedup();
    codes.iter().sum()
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

    fn reasons(list: &[SuspensionReason]) -> Vec<Suspension> {
        list.iter()
            .map(|r| Suspension {
                reason: *r,
                by: None,
                at: Utc::now(),
            })
            .collect()
    }

    #[test]
    fn r5_3_an_actor_lifts_only_reasons_at_or_below_its_level() {
        use SuspensionReason::*;
        let present = reasons(&[Admin, Reseller, Customer, Owner, Expired]);
        assert_eq!(liftable_by(AccountKind::Customer, &present), [Customer]);
        assert_eq!(
            liftable_by(AccountKind::Reseller, &present),
            [Reseller, Customer, Expired]
        );
        assert_eq!(
            liftable_by(AccountKind::Admin, &present),
            [Admin, Reseller, Customer, Expired]
        );
        assert_eq!(
            remaining_after_activation(AccountKind::Reseller, &present),
            [Admin, Owner]
        );
        assert_eq!(
            remaining_after_activation(AccountKind::Admin, &present),
            [Owner],
            "owner goes with the owner"
        );
    }

    #[test]
    fn r5_1_plesk_status_is_the_sum_of_codes() {
        use SuspensionReason::*;
        assert_eq!(plesk_status(&[]), 0);
        assert_eq!(plesk_status(&reasons(&[Owner, Admin])), 18);
        assert_eq!(plesk_status(&reasons(&[Admin, Unpaid, Expired])), 272);
        assert_eq!(plesk_status(&reasons(&[Reseller, Overuse])), 32);
    }

    #[test]
    fn reason_wire_names_round_trip() {
        for r in SuspensionReason::ALL {
            assert_eq!(SuspensionReason::from_wire(r.as_str()), Some(r));
        }
    }
}
