//! Sizes and limits as people type them (SPEC R2.4, CLI.md): `512K`, `100M`, `10G`, `1T`
//! (binary units), a plain byte count, `-1` or `unlimited`.

use std::fmt;

use crate::{Error, Result};

/// A size limit: a number of bytes or unlimited. Stored as `-1` for unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Size {
    /// No limit.
    Unlimited,
    /// At most this many bytes.
    Bytes(u64),
}

impl Size {
    /// Parses a size; `field` names the input in errors.
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let text = raw.trim();
        let invalid = || {
            Error::invalid(
                field,
                format!(
                    "{field} must be a size such as 512K, 100M, 10G, 1T, a number of bytes, -1 or unlimited (got {text:?})"
                ),
            )
        };
        if text == "-1" || text.eq_ignore_ascii_case("unlimited") {
            return Ok(Size::Unlimited);
        }
        let (digits, shift) = match text.char_indices().last() {
            Some((i, unit)) if unit.is_ascii_alphabetic() => {
                let shift = match unit.to_ascii_uppercase() {
                    'K' => 10,
                    'M' => 20,
                    'G' => 30,
                    'T' => 40,
                    'B' => 0,
                    _ => return Err(invalid()),
                };
                (&text[..i], shift)
            }
            _ => (text, 0),
        };
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(invalid());
        }
        let value: u64 = digits.parse().map_err(|_| invalid())?;
        let bytes = value.checked_shl(shift).filter(|b| b >> shift == value);
        match bytes {
            Some(b) if b <= i64::MAX as u64 => Ok(Size::Bytes(b)),
            _ => Err(Error::invalid(field, format!("{field} is too large"))),
        }
    }

    /// The stored form: bytes, or `-1` for unlimited.
    pub fn to_stored(self) -> i64 {
        match self {
            Size::Unlimited => -1,
            Size::Bytes(b) => b as i64,
        }
    }

    /// Reads the stored form back (any negative value is unlimited).
    pub fn from_stored(value: i64) -> Self {
        if value < 0 {
            Size::Unlimited
        } else {
            Size::Bytes(value as u64)
        }
    }
}

impl fmt::Display for Size {
    /// Shows the largest exact binary unit: `10G`, `1536M`, `unlimited`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Size::Unlimited => f.write_str("unlimited"),
            Size::Bytes(0) => f.write_str("0"),
            Size::Bytes(b) => {
                for (shift, unit) in [(40, 'T'), (30, 'G'), (20, 'M'), (10, 'K')] {
                    if b % (1u64 << shift) == 0 {
                        return write!(f, "{}{unit}", b >> shift);
                    }
                }
                write!(f, "{b}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sizes_use_binary_units() {
        assert_eq!(Size::parse("s", "512K").unwrap(), Size::Bytes(512 * 1024));
        assert_eq!(Size::parse("s", "100m").unwrap(), Size::Bytes(100 << 20));
        assert_eq!(Size::parse("s", "10G").unwrap(), Size::Bytes(10 << 30));
        assert_eq!(Size::parse("s", "1T").unwrap(), Size::Bytes(1 << 40));
        assert_eq!(Size::parse("s", "1234").unwrap(), Size::Bytes(1234));
        assert_eq!(Size::parse("s", "-1").unwrap(), Size::Unlimited);
        assert_eq!(Size::parse("s", "Unlimited").unwrap(), Size::Unlimited);
    }

    #[test]
    fn bad_sizes_name_the_field() {
        for bad in ["", "G", "10X", "-2", "1.5G", "ten", "99999999999T", " 10 G"] {
            let err = Size::parse("disk_space", bad).unwrap_err();
            assert_eq!(err.field.as_deref(), Some("disk_space"), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn display_then_parse_gives_the_same_size(b in 0u64..(1u64 << 50)) {
            let size = Size::Bytes(b);
            prop_assert_eq!(Size::parse("s", &size.to_string()).unwrap(), size);
            prop_assert_eq!(Size::from_stored(size.to_stored()), size);
        }
    }
}
