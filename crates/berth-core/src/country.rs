//! ISO 3166-1 alpha-2 country codes (the 249 officially assigned ones).

use crate::{Error, Result};

/// Every officially assigned ISO 3166-1 alpha-2 code, sorted.
pub const COUNTRY_CODES: [&str; 249] = [
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

/// A valid ISO 3166-1 alpha-2 country code, upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Country(String);

impl Country {
    /// Parses a code in any case (`fr`, `FR`).
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let code = raw.trim().to_ascii_uppercase();
        if COUNTRY_CODES.binary_search(&code.as_str()).is_ok() {
            Ok(Country(code))
        } else {
            Err(Error::invalid(
                field,
                format!("{field} must be an ISO 3166-1 alpha-2 country code such as FR or US"),
            ))
        }
    }

    /// The code, e.g. `FR`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_unique_so_binary_search_is_right() {
        assert!(COUNTRY_CODES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn country_codes_are_iso_3166_alpha_2() {
        assert_eq!(Country::parse("country", "fr").unwrap().as_str(), "FR");
        for bad in ["", "F", "FRA", "XX", "UK", "1A"] {
            let err = Country::parse("country", bad).unwrap_err();
            assert_eq!(err.field.as_deref(), Some("country"), "{bad}");
        }
    }
}
