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
    /// Parses a name as typed (Unicode or punycode, any case, one optional final dot).
    ///
    /// Rules (R7.1): at least two labels; each label 1–63 characters of letters, digits
    /// and `-` (not first or last; no `--` in positions 3–4 except punycode `xn--`), after
    /// IDN conversion; at most 253 characters in punycode form (the final dot not
    /// counted); a top-level domain that is not all digits; no underscores (they belong
    /// to DNS record names such as `_dmarc`, never to a site).
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let trimmed = raw.trim();
        let text = trimmed.strip_suffix('.').unwrap_or(trimmed);
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
    /// `Ok((ascii, unicode))`, or `Err(())` for a refusal.
    type Expected = std::result::Result<(String, String), ()>;

    /// The tricky-name suite (R7.1): every case with its explicit expected outcome —
    /// `Ok((ascii, unicode))` or `Err(())` for a refusal naming the field.
    #[test]
    fn r7_1_tricky_names_have_explicit_outcomes() {
        let label63 = "a".repeat(63);
        let name_label63 = format!("{label63}.com");
        let name_label64 = format!("{}.com", "a".repeat(64));
        // 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 characters.
        let name253 = format!("{l}.{l}.{l}.{}", "b".repeat(61), l = label63);
        let name254 = format!("{l}.{l}.{l}.{}", "b".repeat(62), l = label63);
        assert_eq!((name253.len(), name254.len()), (253, 254));
        let name253_dot = format!("{name253}.");
        let idn_long_label = format!("{}.example", "é".repeat(60));
        let ok = |a: &str, u: &str| -> Expected { Ok((a.to_owned(), u.to_owned())) };
        let cases: Vec<(&str, &str, Expected)> = vec![
            // IDN: stored as punycode, shown in Unicode, either spelling accepted.
            (
                "IDN in Unicode",
                "café.example",
                ok("xn--caf-dma.example", "café.example"),
            ),
            (
                "IDN in punycode",
                "xn--caf-dma.example",
                ok("xn--caf-dma.example", "café.example"),
            ),
            (
                "IDN upper-case",
                "BÜCHER.de",
                ok("xn--bcher-kva.de", "bücher.de"),
            ),
            (
                "IDN non-Latin",
                "пример.рф",
                ok("xn--e1afmkfd.xn--p1ai", "пример.рф"),
            ),
            (
                "IDN label too long once in punycode",
                &idn_long_label,
                Err(()),
            ),
            ("punycode that does not decode", "xn--zz.example", Err(())),
            (
                "ideographic full stop maps to a dot",
                "example。com",
                ok("example.com", "example.com"),
            ),
            // Case.
            (
                "upper-case ASCII",
                "WWW.Example.COM",
                ok("www.example.com", "www.example.com"),
            ),
            // Dots.
            (
                "one trailing dot",
                "example.com.",
                ok("example.com", "example.com"),
            ),
            ("two trailing dots", "example.com..", Err(())),
            ("leading dot", ".example.com", Err(())),
            ("empty label inside", "a..example.com", Err(())),
            ("only a dot", ".", Err(())),
            ("empty", "", Err(())),
            (
                "spaces around are trimmed",
                "  example.com  ",
                ok("example.com", "example.com"),
            ),
            ("space inside", "exa mple.com", Err(())),
            // Label lengths.
            (
                "63-character label",
                &name_label63,
                ok(&name_label63, &name_label63),
            ),
            ("64-character label", &name_label64, Err(())),
            // Name lengths.
            ("253-character name", &name253, ok(&name253, &name253)),
            (
                "253 characters plus the final dot",
                &name253_dot,
                ok(&name253, &name253),
            ),
            ("254-character name", &name254, Err(())),
            // Underscores: allowed in DNS record names (see dns), never in domain names.
            ("underscore label", "_dmarc.example.com", Err(())),
            ("underscore inside a label", "my_site.example.com", Err(())),
            // Top-level domain.
            ("numeric TLD", "example.123", Err(())),
            ("IPv4 address", "192.0.2.1", Err(())),
            (
                "numeric label below the TLD",
                "123.example",
                ok("123.example", "123.example"),
            ),
            (
                "digits in the TLD",
                "example.c0m",
                ok("example.c0m", "example.c0m"),
            ),
            ("single label", "localhost", Err(())),
            // Hyphens.
            ("leading hyphen", "-a.com", Err(())),
            ("trailing hyphen", "a-.com", Err(())),
            ("hyphens in positions 3-4", "ab--cd.com", Err(())),
            (
                "hyphen inside",
                "my-site.com",
                ok("my-site.com", "my-site.com"),
            ),
            // Other characters.
            ("slash", "example.com/path", Err(())),
            ("at sign", "user@example.com", Err(())),
            ("wildcard", "*.example.com", Err(())),
        ];
        for (what, raw, expected) in cases {
            let got = DomainName::parse("domain", raw);
            match (&got, &expected) {
                (Ok(d), Ok((ascii, unicode))) => assert_eq!(
                    (d.ascii(), d.unicode()),
                    (ascii.as_str(), unicode.as_str()),
                    "{what}: {raw:?}"
                ),
                (Err(e), Err(())) => {
                    assert_eq!(e.field.as_deref(), Some("domain"), "{what}: {raw:?}");
                    assert_eq!(e.code, crate::ErrorCode::Invalid, "{what}: {raw:?}");
                }
                _ => panic!("{what}: {raw:?} gave {got:?}, expected {expected:?}"),
            }
        }
    }
}
