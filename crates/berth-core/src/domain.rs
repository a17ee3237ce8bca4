//! Domain names (SPEC R7.1): validated labels and lengths, IDN stored as punycode and shown
//! in Unicode, always lower-case.

use std::fmt;

use crate::account::check_hostname;
use crate::{Error, Result};

/// A valid domain name. `ascii` is the punycode form used for storage, uniqueness and
/// configuration files; `unicode` is what people read.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DomainName {
    ascii: String,
    unicode: String,
}

impl DomainName {
    /// Parses a name as typed (Unicode or punycode, any case, optional final dot).
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let text = raw.trim().trim_end_matches('.');
        if text.is_empty() {
            return Err(Error::invalid(
                field,
                format!("{field} is required: a domain name such as example.com"),
            ));
        }
        let invalid = |why: &str| {
            Error::invalid(
                field,
                format!("{field} {text:?} is not a valid domain name: {why}"),
            )
        };
        let ascii = idna::domain_to_ascii_strict(text)
            .map_err(|_| invalid("it has characters that are not allowed"))?;
        check_hostname(&ascii).map_err(invalid)?;
        let (unicode, result) = idna::domain_to_unicode(&ascii);
        result.map_err(|_| invalid("its punycode labels do not decode"))?;
        Ok(DomainName { ascii, unicode })
    }

    /// Rebuilds a name read back from storage (its ASCII form).
    pub fn from_stored(field: &str, ascii: &str) -> Result<Self> {
        Self::parse(field, ascii)
    }

    /// The punycode form (`xn--caf-dma.example`).
    pub fn ascii(&self) -> &str {
        &self.ascii
    }

    /// The Unicode form (`café.example`).
    pub fn unicode(&self) -> &str {
        &self.unicode
    }
}

impl fmt::Display for DomainName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.unicode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r7_1_names_are_lower_cased_and_idn_is_stored_as_punycode() {
        let d = DomainName::parse("domain", "Café.Example.").unwrap();
        assert_eq!(
            (d.ascii(), d.unicode()),
            ("xn--caf-dma.example", "café.example")
        );
        assert_eq!(
            DomainName::parse("domain", "xn--caf-dma.example").unwrap(),
            d
        );
        assert_eq!(
            DomainName::parse("domain", "WWW.Example.COM")
                .unwrap()
                .ascii(),
            "www.example.com"
        );
    }

    #[test]
    fn r7_1_bad_names_are_refused_naming_the_field() {
        let long_label = format!("{}.com", "a".repeat(64));
        for bad in [
            "",
            "localhost",
            "exa mple.com",
            "-a.com",
            "a-.com",
            "a..com",
            "a_b.com",
            "1.2.3.4",
            long_label.as_str(),
        ] {
            let err = DomainName::parse("domain", bad).unwrap_err();
            assert_eq!(err.field.as_deref(), Some("domain"), "{bad:?}");
        }
    }
}
