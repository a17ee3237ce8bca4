//! Small text rules shared by every field: trimming, lengths, control characters, and the
//! case folding used for search and sort keys (identical on every storage engine).

use crate::{Error, Result};

/// Trims `raw` and checks it is between `min` and `max` characters with no control
/// characters. Returns the trimmed text.
pub fn checked_line(field: &str, raw: &str, min: usize, max: usize) -> Result<String> {
    let text = raw.trim();
    let len = text.chars().count();
    if len < min {
        return Err(if min == 1 {
            Error::invalid(field, format!("{field} is required"))
        } else {
            Error::invalid(field, format!("{field} must be at least {min} characters"))
        });
    }
    if len > max {
        return Err(Error::invalid(
            field,
            format!("{field} must be at most {max} characters (got {len})"),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            format!("{field} must not contain control characters"),
        ));
    }
    Ok(text.to_owned())
}

/// Like [`checked_line`] for optional fields: empty text means "none".
pub fn optional_line(field: &str, raw: &str, max: usize) -> Result<Option<String>> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    checked_line(field, raw, 1, max).map(Some)
}

/// Multi-line free text (descriptions, addresses): newlines and tabs allowed, other control
/// characters refused. Empty means "none".
pub fn optional_text(field: &str, raw: &str, max: usize) -> Result<Option<String>> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let len = text.chars().count();
    if len > max {
        return Err(Error::invalid(
            field,
            format!("{field} must be at most {max} characters (got {len})"),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(Error::invalid(
            field,
            format!("{field} must not contain control characters"),
        ));
    }
    Ok(Some(text.to_owned()))
}

/// The case-folded form used for search and sort keys. Computed here, once, so that every
/// storage engine compares the same bytes (SQLite's `lower()` only knows ASCII).
pub fn fold(text: &str) -> String {
    text.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn checked_line_trims_and_measures_characters_not_bytes() {
        assert_eq!(checked_line("name", "  Zoë  ", 1, 3).unwrap(), "Zoë");
        let err = checked_line("name", "Zoëx", 1, 3).unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            (ErrorCode::Invalid, Some("name"))
        );
    }

    #[test]
    fn required_line_refuses_blank() {
        let err = checked_line("name", "   ", 1, 10).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("name"));
        assert!(err.message.contains("required"));
    }

    #[test]
    fn control_characters_are_refused() {
        assert!(checked_line("city", "Pa\u{7}ris", 1, 10).is_err());
        assert!(optional_text("description", "a\u{0}b", 10).is_err());
        assert_eq!(
            optional_text("description", "a\nb", 10).unwrap().as_deref(),
            Some("a\nb")
        );
    }

    #[test]
    fn fold_lowercases_beyond_ascii() {
        assert_eq!(fold("ÉCOLE Zoë"), "école zoë");
    }
}
