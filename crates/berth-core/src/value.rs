//! Property values (SPEC R2.4): what a plan or subscription holds for one property, parsed
//! from text as people type it and shown back the same way.

use std::collections::BTreeSet;
use std::fmt;

use crate::size::Size;
use crate::{Error, Result};

/// A validity period of a plan (`expiration`): days, months or years, or unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    /// So many days.
    Days(u32),
    /// So many calendar months (end of month clamps: Jan 31 + 1M = Feb 28/29).
    Months(u32),
    /// So many years.
    Years(u32),
    /// No expiration.
    Unlimited,
}

impl Period {
    /// Parses `30D`, `1M`, `1Y`, `unlimited` or `-1`.
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let text = raw.trim();
        if text == "-1" || text.eq_ignore_ascii_case("unlimited") {
            return Ok(Period::Unlimited);
        }
        let invalid = || {
            Error::invalid(
                field,
                format!(
                    "{field} must be a period such as 30D, 1M, 1Y, or unlimited (got {text:?})"
                ),
            )
        };
        let unit = text.chars().last().ok_or_else(invalid)?;
        let digits = &text[..text.len() - unit.len_utf8()];
        let n: u32 = digits.parse().map_err(|_| invalid())?;
        if n == 0 || n > 100 * 366 {
            return Err(invalid());
        }
        match unit.to_ascii_uppercase() {
            'D' => Ok(Period::Days(n)),
            'M' => Ok(Period::Months(n)),
            'Y' => Ok(Period::Years(n)),
            _ => Err(invalid()),
        }
    }

    /// Approximate length in days, to compare periods (a year counts 366, a month 31).
    pub fn rank(self) -> u64 {
        match self {
            Period::Days(n) => n as u64,
            Period::Months(n) => n as u64 * 31,
            Period::Years(n) => n as u64 * 366,
            Period::Unlimited => u64::MAX,
        }
    }

    /// The date this period after `start`, or `None` when unlimited. Months clamp to the
    /// end of shorter months.
    pub fn after(self, start: chrono::NaiveDate) -> Option<chrono::NaiveDate> {
        use chrono::{Days, Months};
        match self {
            Period::Days(n) => start.checked_add_days(Days::new(n as u64)),
            Period::Months(n) => start.checked_add_months(Months::new(n)),
            Period::Years(n) => start.checked_add_months(Months::new(n.saturating_mul(12))),
            Period::Unlimited => None,
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Days(n) => write!(f, "{n}D"),
            Period::Months(n) => write!(f, "{n}M"),
            Period::Years(n) => write!(f, "{n}Y"),
            Period::Unlimited => f.write_str("unlimited"),
        }
    }
}

/// A soft threshold (`disk_space_soft`, `max_traffic_soft`): a size or a percentage of the
/// limit (R2.4, R6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Threshold {
    /// No soft threshold.
    Off,
    /// A percentage of the limit, 1–100.
    Percent(u8),
    /// A size.
    Bytes(u64),
}

impl Threshold {
    /// Parses `80%`, a size (`9G`), or `off`/`-1`/`unlimited` for none.
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let text = raw.trim();
        if let Some(pct) = text.strip_suffix('%') {
            return match pct.trim().parse::<u8>() {
                Ok(p) if (1..=100).contains(&p) => Ok(Threshold::Percent(p)),
                _ => Err(Error::invalid(
                    field,
                    format!("{field} must be a percentage from 1% to 100%"),
                )),
            };
        }
        if text.eq_ignore_ascii_case("off") {
            return Ok(Threshold::Off);
        }
        match Size::parse(field, text)? {
            Size::Unlimited => Ok(Threshold::Off),
            Size::Bytes(b) => Ok(Threshold::Bytes(b)),
        }
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Threshold::Off => f.write_str("off"),
            Threshold::Percent(p) => write!(f, "{p}%"),
            Threshold::Bytes(b) => Size::Bytes(*b).fmt(f),
        }
    }
}

/// Which catalogue applications a plan provides (R2.4 *Applications*).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Apps {
    /// Every application of the catalogue.
    All,
    /// Only these (application names, lower-case).
    Only(BTreeSet<String>),
}

impl Apps {
    /// Parses `all`, `none`, or a comma-separated list of application names.
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let text = raw.trim();
        if text.eq_ignore_ascii_case("all") {
            return Ok(Apps::All);
        }
        if text.is_empty() || text.eq_ignore_ascii_case("none") {
            return Ok(Apps::Only(BTreeSet::new()));
        }
        let mut names = BTreeSet::new();
        for name in text.split(',').map(|n| n.trim().to_ascii_lowercase()) {
            let ok = !name.is_empty()
                && name.len() <= 64
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
            if !ok {
                return Err(Error::invalid(
                    field,
                    format!("{field} must be all, none, or application names separated by commas"),
                ));
            }
            names.insert(name);
        }
        Ok(Apps::Only(names))
    }

    /// The union (add-ons add applications; `all` absorbs).
    pub fn union(&self, other: &Apps) -> Apps {
        match (self, other) {
            (Apps::All, _) | (_, Apps::All) => Apps::All,
            (Apps::Only(a), Apps::Only(b)) => Apps::Only(a.union(b).cloned().collect()),
        }
    }
}

impl fmt::Display for Apps {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Apps::All => f.write_str("all"),
            Apps::Only(names) if names.is_empty() => f.write_str("none"),
            Apps::Only(names) => f.write_str(&names.iter().cloned().collect::<Vec<_>>().join(",")),
        }
    }
}

/// The value of one property.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Value {
    /// A count, size or number; `-1` means unlimited.
    Limit(i64),
    /// On/off, granted/refused.
    Bool(bool),
    /// One of the descriptor's choices.
    Choice(String),
    /// Free text.
    Text(String),
    /// A validity period.
    Period(Period),
    /// A soft threshold.
    Threshold(Threshold),
    /// Applications.
    Apps(Apps),
    /// PHP: inherit from the level above (R2.6).
    Default,
}

impl Value {
    /// The unlimited value.
    pub const UNLIMITED: Value = Value::Limit(-1);

    /// Whether this is a limit meaning "unlimited".
    pub fn is_unlimited(&self) -> bool {
        matches!(self, Value::Limit(n) if *n < 0)
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn periods_parse_and_add_with_month_end_clamping() {
        assert_eq!(
            Period::parse("expiration", "1m").unwrap(),
            Period::Months(1)
        );
        assert_eq!(
            Period::parse("expiration", "unlimited").unwrap(),
            Period::Unlimited
        );
        for bad in ["", "M", "0M", "1W", "1.5Y", "-2"] {
            assert_eq!(
                Period::parse("expiration", bad)
                    .unwrap_err()
                    .field
                    .as_deref(),
                Some("expiration"),
                "{bad}"
            );
        }
        let jan31 = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
        assert_eq!(
            Period::Months(1).after(jan31),
            NaiveDate::from_ymd_opt(2026, 2, 28)
        );
        assert_eq!(
            Period::Years(1).after(jan31),
            NaiveDate::from_ymd_opt(2027, 1, 31)
        );
        assert_eq!(
            Period::Days(30).after(jan31),
            NaiveDate::from_ymd_opt(2026, 3, 2)
        );
        assert_eq!(Period::Unlimited.after(jan31), None);
    }

    #[test]
    fn thresholds_are_sizes_or_percentages() {
        assert_eq!(
            Threshold::parse("t", "80%").unwrap(),
            Threshold::Percent(80)
        );
        assert_eq!(
            Threshold::parse("t", "9G").unwrap(),
            Threshold::Bytes(9 << 30)
        );
        assert_eq!(Threshold::parse("t", "off").unwrap(), Threshold::Off);
        assert!(Threshold::parse("t", "101%").is_err());
        assert!(Threshold::parse("t", "0%").is_err());
    }

    #[test]
    fn apps_union_with_all_absorbing() {
        let a = Apps::parse("applications", "wordpress, Joomla").unwrap();
        let b = Apps::parse("applications", "drupal").unwrap();
        assert_eq!(a.union(&b).to_string(), "drupal,joomla,wordpress");
        assert_eq!(a.union(&Apps::All), Apps::All);
        assert!(Apps::parse("applications", "word press").is_err());
    }
}
