//! Plesk's error codes (PLESK-XML-API.md) and how Berth's errors map onto them.

use berth_core::{Error, ErrorCode};

/// Authentication failed.
pub const AUTH_FAILED: u32 = 1001;
/// Protocol version not supported.
pub const BAD_VERSION: u32 = 1005;
/// Permission denied.
pub const PERMISSION_DENIED: u32 = 1006;
/// Data already exists.
pub const ALREADY_EXISTS: u32 = 1007;
/// Account disabled.
pub const ACCOUNT_DISABLED: u32 = 1011;
/// Object does not exist.
pub const NOT_FOUND: u32 = 1013;
/// Parsing error: malformed XML, unknown operator or element.
pub const PARSE: u32 = 1014;
/// Operator or operation not supported: Plesk has it, this protocol (Berth) does not.
pub const UNSUPPORTED: u32 = 1017;
/// Owner not found.
pub const OWNER_NOT_FOUND: u32 = 1015;
/// IP address not found.
pub const IP_NOT_FOUND: u32 = 1018;
/// Invalid value.
pub const INVALID: u32 = 1019;
/// Operation failed.
pub const FAILED: u32 = 1023;
/// Limit reached.
pub const LIMIT: u32 = 1024;
/// Secret key validation failed.
pub const KEY_FAILED: u32 = 11003;

/// The Plesk code of a Berth error: `not_found` 1013 (1015 for an owner, 1018 for an IP
/// address), `forbidden` 1006, `limit_exceeded` 1024, `conflict` 1007, `invalid` 1019,
/// `failed` 1023.
pub fn code_of(e: &Error) -> u32 {
    let field = e.field.as_deref().unwrap_or("");
    match e.code {
        ErrorCode::NotFound if field.starts_with("owner") => OWNER_NOT_FOUND,
        ErrorCode::NotFound if field == "ip" || field == "ip_address" => IP_NOT_FOUND,
        ErrorCode::NotFound => NOT_FOUND,
        ErrorCode::Forbidden => PERMISSION_DENIED,
        ErrorCode::LimitExceeded => LIMIT,
        ErrorCode::Conflict => ALREADY_EXISTS,
        ErrorCode::Invalid => INVALID,
        ErrorCode::Failed => FAILED,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn berth_errors_map_to_plesk_codes() {
        assert_eq!(code_of(&Error::not_found("login", "x")), NOT_FOUND);
        assert_eq!(code_of(&Error::not_found("owner", "x")), OWNER_NOT_FOUND);
        assert_eq!(code_of(&Error::not_found("ip", "x")), IP_NOT_FOUND);
        assert_eq!(code_of(&Error::forbidden("x")), PERMISSION_DENIED);
        assert_eq!(code_of(&Error::invalid("email", "x")), INVALID);
        assert_eq!(
            code_of(&Error::conflict(Some("login"), "x")),
            ALREADY_EXISTS
        );
        assert_eq!(code_of(&Error::failed("x")), FAILED);
    }
}
