//! List requests (R1.9): search, filters, sort by any column both ways, keyset pagination.

use crate::account::{AccountId, AccountKind};
use crate::status::Status;
use crate::{Error, Result};

/// Largest page a list returns.
pub const PAGE_MAX: u32 = 1000;
/// Page size when none is asked.
pub const PAGE_DEFAULT: u32 = 100;

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Smallest first.
    Asc,
    /// Largest first.
    Desc,
}

/// The columns an account list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountSortField {
    /// Login.
    Login,
    /// Contact name, case-insensitive.
    Name,
    /// Company, case-insensitive; accounts without one first.
    Company,
    /// Email, case-insensitive.
    Email,
    /// Phone.
    Phone,
    /// City, case-insensitive.
    City,
    /// Country code.
    Country,
    /// Locale.
    Locale,
    /// External id.
    ExternalId,
    /// Active before suspended.
    Status,
    /// Creation time.
    Created,
    /// Last change.
    Updated,
}

impl AccountSortField {
    /// Every sortable column with its wire name.
    pub const ALL: [(&'static str, AccountSortField); 12] = [
        ("login", AccountSortField::Login),
        ("name", AccountSortField::Name),
        ("company", AccountSortField::Company),
        ("email", AccountSortField::Email),
        ("phone", AccountSortField::Phone),
        ("city", AccountSortField::City),
        ("country", AccountSortField::Country),
        ("locale", AccountSortField::Locale),
        ("external_id", AccountSortField::ExternalId),
        ("status", AccountSortField::Status),
        ("created", AccountSortField::Created),
        ("updated", AccountSortField::Updated),
    ];
}

/// A sort order: a column and a direction; ties are broken by id in the same direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountSort {
    /// The column.
    pub field: AccountSortField,
    /// The direction.
    pub direction: Direction,
}

impl Default for AccountSort {
    fn default() -> Self {
        AccountSort {
            field: AccountSortField::Login,
            direction: Direction::Asc,
        }
    }
}

impl AccountSort {
    /// Parses `FIELD` or `FIELD:asc` / `FIELD:desc` (the CLI's `--sort`).
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let (name, dir) = raw.trim().split_once(':').unwrap_or((raw.trim(), "asc"));
        let direction = match dir.to_ascii_lowercase().as_str() {
            "asc" => Direction::Asc,
            "desc" => Direction::Desc,
            _ => {
                return Err(Error::invalid(
                    field,
                    format!("{field} direction must be asc or desc"),
                ));
            }
        };
        let column = AccountSortField::ALL
            .iter()
            .find(|(wire, _)| wire.eq_ignore_ascii_case(name))
            .map(|(_, f)| *f)
            .ok_or_else(|| {
                let names: Vec<&str> = AccountSortField::ALL.iter().map(|(w, _)| *w).collect();
                Error::invalid(
                    field,
                    format!("{field} must be one of {}", names.join(", ")),
                )
            })?;
        Ok(AccountSort {
            field: column,
            direction,
        })
    }
}

/// Parses a page size (`--limit`): 1 to [`PAGE_MAX`].
pub fn parse_page_size(field: &str, value: u32) -> Result<u32> {
    if (1..=PAGE_MAX).contains(&value) {
        Ok(value)
    } else {
        Err(Error::invalid(
            field,
            format!("{field} must be between 1 and {PAGE_MAX}"),
        ))
    }
}

/// What the store is asked for: every filter already decided by the service layer
/// (including the owner scope that rights impose).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountQuery {
    /// Only accounts of this kind.
    pub kind: AccountKind,
    /// Only accounts owned by this account.
    pub owner: Option<AccountId>,
    /// Only active or only suspended accounts.
    pub status: Option<Status>,
    /// Case-folded text that login, name, company or email must contain.
    pub search: Option<String>,
    /// Sort order.
    pub sort: AccountSort,
    /// Rows after the one with this id, in the sort order (keyset pagination).
    pub after: Option<AccountId>,
    /// Page size.
    pub limit: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r1_9_sort_accepts_every_column_both_ways() {
        for (wire, field) in AccountSortField::ALL {
            assert_eq!(AccountSort::parse("sort", wire).unwrap().field, field);
            let desc = AccountSort::parse("sort", &format!("{wire}:desc")).unwrap();
            assert_eq!(desc.direction, Direction::Desc);
        }
        assert_eq!(
            AccountSort::parse("sort", "password")
                .unwrap_err()
                .field
                .as_deref(),
            Some("sort")
        );
        assert!(AccountSort::parse("sort", "login:up").is_err());
    }

    #[test]
    fn page_size_is_bounded() {
        assert!(parse_page_size("limit", 0).is_err());
        assert!(parse_page_size("limit", PAGE_MAX + 1).is_err());
        assert_eq!(parse_page_size("limit", 5).unwrap(), 5);
    }
}
