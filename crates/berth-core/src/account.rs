//! Accounts (SPEC §1): the three kinds, the validated values an account is made of, and
//! the account record itself. Values are `parse()`d newtypes: an invalid login, email or
//! country cannot exist past the edge.

use std::fmt;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::country::Country;
use crate::status::Suspension;
use crate::text::{checked_line, fold, optional_line, optional_text};
use crate::{Error, Result};

/// Longest login (R1.2).
pub const LOGIN_MAX: usize = 60;
/// Shortest password (R1.2).
pub const PASSWORD_MIN: usize = 8;
/// Longest password accepted (protects the hasher from absurd input).
pub const PASSWORD_MAX: usize = 255;
/// Longest contact name, company, city, state, address line, external id.
pub const LINE_MAX: usize = 255;
/// Longest owner-side description.
pub const DESCRIPTION_MAX: usize = 4000;
/// Longest email address (RFC 5321 path limit).
pub const EMAIL_MAX: usize = 254;
/// Longest phone or fax number.
pub const PHONE_MAX: usize = 30;
/// Longest postal code.
pub const POSTAL_CODE_MAX: usize = 20;

/// The stable identifier of an account (UUIDv7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(pub Uuid);

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The three kinds of account (R1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccountKind {
    /// The server administrator; exactly one, built in, login `admin`.
    Admin,
    /// Sells hosting to its own customers, owned by the admin.
    Reseller,
    /// Owns subscriptions; owned by the admin or a reseller.
    Customer,
}

impl AccountKind {
    /// The wire name: `admin`, `reseller`, `customer`.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Admin => "admin",
            AccountKind::Reseller => "reseller",
            AccountKind::Customer => "customer",
        }
    }

    /// Reads a wire name back.
    pub fn from_wire(text: &str) -> Option<Self> {
        match text {
            "admin" => Some(AccountKind::Admin),
            "reseller" => Some(AccountKind::Reseller),
            "customer" => Some(AccountKind::Customer),
            _ => None,
        }
    }

    /// Whether an account of this kind may own accounts of kind `owned` (R1.1).
    pub fn may_own(self, owned: AccountKind) -> bool {
        matches!(
            (self, owned),
            (AccountKind::Admin, AccountKind::Reseller)
                | (AccountKind::Admin, AccountKind::Customer)
                | (AccountKind::Reseller, AccountKind::Customer)
        )
    }
}

impl fmt::Display for AccountKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A login (R1.2): 1–60 characters of `a-z 0-9 . _ -`, starting with a letter or digit.
/// Logins are case-insensitive, so the parsed value is always lower-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Login(String);

impl Login {
    /// The built-in administrator's login.
    pub fn admin() -> Self {
        Login("admin".to_owned())
    }

    /// Parses and lower-cases a login; `field` names the input in errors.
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let login = raw.trim().to_ascii_lowercase();
        let rule = "a login is 1 to 60 characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit";
        let len = login.chars().count();
        if len == 0 {
            return Err(Error::invalid(
                field,
                format!("{field} is required: {rule}"),
            ));
        }
        if len > LOGIN_MAX {
            return Err(Error::invalid(
                field,
                format!("{field} is {len} characters long: {rule}"),
            ));
        }
        if let Some(bad) = login.chars().find(|c| {
            !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        }) {
            return Err(Error::invalid(
                field,
                format!("{field} contains {bad:?}: {rule}"),
            ));
        }
        if !login.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err(Error::invalid(
                field,
                format!("{field} must start with a letter or digit: {rule}"),
            ));
        }
        Ok(Login(login))
    }

    /// The login as stored (lower-case).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Rebuilds a login read back from storage, where it was validated on the way in.
    pub fn from_trusted(stored: String) -> Self {
        Login(stored)
    }
}

impl fmt::Display for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An email address: a dot-atom local part and a domain of at least two DNS labels.
/// The domain is lower-cased; the local part is kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Parses an address; `field` names the input in errors.
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let text = raw.trim();
        let invalid = |why: &str| {
            Error::invalid(
                field,
                format!("{field} must be an email address like name@example.com: {why}"),
            )
        };
        if text.is_empty() {
            return Err(Error::invalid(field, format!("{field} is required")));
        }
        if text.chars().count() > EMAIL_MAX {
            return Err(invalid("it is longer than 254 characters"));
        }
        let (local, domain) = text
            .rsplit_once('@')
            .ok_or_else(|| invalid("'@' is missing"))?;
        check_email_local_part(local).map_err(&invalid)?;
        let domain = domain.to_ascii_lowercase();
        check_hostname(&domain).map_err(&invalid)?;
        Ok(Email(format!("{local}@{domain}")))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Rebuilds an address read back from storage.
    pub fn from_trusted(stored: String) -> Self {
        Email(stored)
    }
}

fn check_email_local_part(local: &str) -> std::result::Result<(), &'static str> {
    if local.is_empty() || local.len() > 64 {
        return Err("the part before '@' must be 1 to 64 characters");
    }
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c);
    if local
        .split('.')
        .any(|atom| atom.is_empty() || !atom.chars().all(atext))
    {
        return Err("the part before '@' has a character or dot that is not allowed");
    }
    Ok(())
}

/// Checks an ASCII host name of at least two labels (`example.com`), the TLD not numeric.
pub fn check_hostname(host: &str) -> std::result::Result<(), &'static str> {
    if host.is_empty() || host.len() > 253 {
        return Err("the domain must be 1 to 253 characters");
    }
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 {
        return Err("the domain needs at least two labels, like example.com");
    }
    for label in &labels {
        if label.is_empty() || label.len() > 63 {
            return Err("each domain label must be 1 to 63 characters");
        }
        if !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err("domain labels hold only letters, digits and '-'");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("a domain label cannot start or end with '-'");
        }
    }
    let tld = labels.last().copied().unwrap_or_default();
    if tld.chars().all(|c| c.is_ascii_digit()) {
        return Err("the top-level domain cannot be numeric");
    }
    Ok(())
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password in clear, as typed. It never appears in `Debug` output or logs; it only
/// lives long enough to be hashed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Checks the length rule (R1.2: at least 8 characters); `field` names the input.
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let len = raw.chars().count();
        if len < PASSWORD_MIN {
            return Err(Error::invalid(
                field,
                format!("{field} must be at least {PASSWORD_MIN} characters"),
            ));
        }
        if len > PASSWORD_MAX {
            return Err(Error::invalid(
                field,
                format!("{field} must be at most {PASSWORD_MAX} characters"),
            ));
        }
        if raw.chars().any(char::is_control) {
            return Err(Error::invalid(
                field,
                format!("{field} must not contain control characters"),
            ));
        }
        Ok(Password(raw.to_owned()))
    }

    /// Refuses a password equal to the account's login, whatever the case.
    pub fn check_differs_from(&self, field: &str, login: &Login) -> Result<()> {
        if self.0.eq_ignore_ascii_case(login.as_str()) {
            return Err(Error::invalid(
                field,
                format!("{field} must not be the same as the login"),
            ));
        }
        Ok(())
    }

    /// The clear text, for the hasher only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A PHC-format Argon2id password hash. Never shown to anyone.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(pub String);

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(***)")
    }
}

/// A locale such as `en-US` or `fr-FR`: an ISO 639 language (2–3 letters) and an optional
/// ISO 3166-1 region. Normalised to `ll-RR`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Locale(String);

impl Locale {
    /// The default locale of new accounts.
    pub fn default_locale() -> Self {
        Locale("en-US".to_owned())
    }

    /// Parses `fr-FR`, `fr_fr`, `de`, ...; `field` names the input.
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let text = raw.trim().replace('_', "-");
        let invalid = || {
            Error::invalid(
                field,
                format!("{field} must be a locale such as en-US or fr-FR"),
            )
        };
        let mut parts = text.split('-');
        let language = parts.next().unwrap_or_default().to_ascii_lowercase();
        if !(2..=3).contains(&language.len()) || !language.chars().all(|c| c.is_ascii_lowercase()) {
            return Err(invalid());
        }
        let region = parts.next();
        if parts.next().is_some() {
            return Err(invalid());
        }
        match region {
            None => Ok(Locale(language)),
            Some(region) => {
                let country = Country::parse(field, region).map_err(|_| invalid())?;
                Ok(Locale(format!("{language}-{}", country.as_str())))
            }
        }
    }

    /// The normalised tag.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A phone or fax number: digits with the usual separators (`+ - . / ( ) space`) and an
/// optional `x` extension, at least 3 digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// Parses a number; empty means none (`Ok(None)`).
    pub fn parse_optional(field: &str, raw: &str) -> Result<Option<Self>> {
        let Some(text) = optional_line(field, raw, PHONE_MAX)? else {
            return Ok(None);
        };
        let allowed = |c: char| c.is_ascii_digit() || " +-./()x".contains(c);
        if !text.chars().all(allowed) || text.chars().filter(char::is_ascii_digit).count() < 3 {
            return Err(Error::invalid(
                field,
                format!("{field} must be a phone number: digits, spaces and + - . / ( ) x"),
            ));
        }
        Ok(Some(Phone(text)))
    }

    /// The number as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A postal code: letters, digits, spaces and '-', up to 20 characters.
fn parse_postal_code(field: &str, raw: &str) -> Result<Option<String>> {
    let Some(text) = optional_line(field, raw, POSTAL_CODE_MAX)? else {
        return Ok(None);
    };
    if !text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
    {
        return Err(Error::invalid(
            field,
            format!("{field} must hold only letters, digits, spaces and '-'"),
        ));
    }
    Ok(Some(text))
}

/// Contact data of an account (R1.2), all validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// Contact name (required).
    pub name: String,
    /// Company.
    pub company: Option<String>,
    /// Email (required).
    pub email: Email,
    /// Phone number.
    pub phone: Option<Phone>,
    /// Fax number.
    pub fax: Option<Phone>,
    /// Street address (may span lines).
    pub address: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State or province.
    pub state: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// Country.
    pub country: Option<Country>,
    /// Interface and mail language.
    pub locale: Locale,
}

/// Contact data as typed: every field optional so that the same shape serves creation
/// (missing required fields are errors) and update (missing means unchanged; an empty
/// string clears an optional field).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactInput {
    /// `--name`
    pub name: Option<String>,
    /// `--company`
    pub company: Option<String>,
    /// `--email`
    pub email: Option<String>,
    /// `--phone`
    pub phone: Option<String>,
    /// `--fax`
    pub fax: Option<String>,
    /// `--address`
    pub address: Option<String>,
    /// `--city`
    pub city: Option<String>,
    /// `--state`
    pub state: Option<String>,
    /// `--postal-code`
    pub postal_code: Option<String>,
    /// `--country`
    pub country: Option<String>,
    /// `--locale`
    pub locale: Option<String>,
}

impl ContactInput {
    /// Validates a complete contact for a new account.
    pub fn into_new_contact(self) -> Result<Contact> {
        let name = self
            .name
            .as_deref()
            .ok_or_else(|| Error::invalid("name", "name is required"))?;
        let email = self
            .email
            .as_deref()
            .ok_or_else(|| Error::invalid("email", "email is required"))?;
        let blank = Contact {
            name: checked_line("name", name, 1, LINE_MAX)?,
            company: None,
            email: Email::parse("email", email)?,
            phone: None,
            fax: None,
            address: None,
            city: None,
            state: None,
            postal_code: None,
            country: None,
            locale: Locale::default_locale(),
        };
        self.apply_to(&blank)
    }

    /// Validates the given fields and returns `current` with them replaced.
    pub fn apply_to(&self, current: &Contact) -> Result<Contact> {
        let mut next = current.clone();
        if let Some(v) = &self.name {
            next.name = checked_line("name", v, 1, LINE_MAX)?;
        }
        if let Some(v) = &self.company {
            next.company = optional_line("company", v, LINE_MAX)?;
        }
        if let Some(v) = &self.email {
            next.email = Email::parse("email", v)?;
        }
        if let Some(v) = &self.phone {
            next.phone = Phone::parse_optional("phone", v)?;
        }
        if let Some(v) = &self.fax {
            next.fax = Phone::parse_optional("fax", v)?;
        }
        if let Some(v) = &self.address {
            next.address = optional_text("address", v, LINE_MAX)?;
        }
        if let Some(v) = &self.city {
            next.city = optional_line("city", v, LINE_MAX)?;
        }
        if let Some(v) = &self.state {
            next.state = optional_line("state", v, LINE_MAX)?;
        }
        if let Some(v) = &self.postal_code {
            next.postal_code = parse_postal_code("postal_code", v)?;
        }
        if let Some(v) = &self.country {
            next.country = match v.trim() {
                "" => None,
                code => Some(Country::parse("country", code)?),
            };
        }
        if let Some(v) = &self.locale {
            next.locale = Locale::parse("locale", v)?;
        }
        Ok(next)
    }

    /// Whether no field is given.
    pub fn is_empty(&self) -> bool {
        *self == ContactInput::default()
    }
}

/// An owner-side note about an account (R1.5).
pub fn parse_description(raw: &str) -> Result<Option<String>> {
    optional_text("description", raw, DESCRIPTION_MAX)
}

/// An identifier in an external system (billing); unique across accounts when set.
pub fn parse_external_id(raw: &str) -> Result<Option<String>> {
    optional_line("external_id", raw, LINE_MAX)
}

/// A reference to an account's owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerRef {
    /// The owner's id.
    pub id: AccountId,
    /// The owner's login.
    pub login: Login,
    /// The owner's kind (admin or reseller).
    pub kind: AccountKind,
}

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Stable id.
    pub id: AccountId,
    /// Admin, reseller or customer.
    pub kind: AccountKind,
    /// Unique, lower-case login.
    pub login: Login,
    /// The owning account; `None` only for the admin.
    pub owner: Option<OwnerRef>,
    /// Argon2id hash of the password.
    pub password_hash: PasswordHash,
    /// Contact data.
    pub contact: Contact,
    /// The owner-side note (R1.5).
    pub description: Option<String>,
    /// Identifier in an external system.
    pub external_id: Option<String>,
    /// Suspension reasons; empty means active (R5.1).
    pub suspensions: Vec<Suspension>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl Account {
    /// The case-folded text that searches match against: login, name, company, email.
    pub fn search_key(&self) -> String {
        let c = &self.contact;
        fold(&format!(
            "{}\n{}\n{}\n{}",
            self.login,
            c.name,
            c.company.as_deref().unwrap_or_default(),
            c.email
        ))
    }

    /// Whether the account has no suspension reason.
    pub fn is_active(&self) -> bool {
        self.suspensions.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use proptest::prelude::*;

    fn field_of(err: Error) -> (ErrorCode, String) {
        (err.code, err.field.unwrap_or_default())
    }

    #[test]
    fn r1_2_login_is_case_insensitive_and_stored_lower_case() {
        assert_eq!(
            Login::parse("login", " Alice.B_1-x ").unwrap().as_str(),
            "alice.b_1-x"
        );
    }

    #[test]
    fn r1_2_login_rules() {
        let too_long = "a".repeat(61);
        for bad in [
            "",
            "-bob",
            ".bob",
            "_bob",
            "bob smith",
            "bob@x",
            "bøb",
            too_long.as_str(),
        ] {
            let err = Login::parse("login", bad).unwrap_err();
            assert_eq!(
                field_of(err),
                (ErrorCode::Invalid, "login".into()),
                "{bad:?}"
            );
        }
        assert!(Login::parse("login", &"a".repeat(60)).is_ok());
        assert!(Login::parse("login", "1st").is_ok());
    }

    #[test]
    fn r1_2_password_minimum_eight_characters() {
        let err = Password::parse("password", "short12").unwrap_err();
        assert_eq!(field_of(err), (ErrorCode::Invalid, "password".into()));
        assert!(Password::parse("password", "longenough").is_ok());
        assert!(Password::parse("password", &"x".repeat(256)).is_err());
    }

    #[test]
    fn password_never_shows_in_debug_output() {
        let p = Password::parse("password", "s3cret-pass").unwrap();
        assert!(!format!("{p:?}").contains("s3cret"));
        let h = PasswordHash("$argon2id$v=19$secret".into());
        assert!(!format!("{h:?}").contains("argon2"));
    }

    #[test]
    fn r1_2_email_is_validated() {
        assert_eq!(
            Email::parse("email", "Jo.Doe+x@Example.COM")
                .unwrap()
                .as_str(),
            "Jo.Doe+x@example.com"
        );
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@localhost",
            "a..b@example.com",
            "a@-x.com",
            "a@x_y.com",
            "a b@example.com",
            "a@example.123",
        ] {
            let err = Email::parse("email", bad).unwrap_err();
            assert_eq!(
                field_of(err),
                (ErrorCode::Invalid, "email".into()),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn r1_2_locale_is_language_and_region() {
        assert_eq!(Locale::parse("locale", "fr_fr").unwrap().as_str(), "fr-FR");
        assert_eq!(Locale::parse("locale", "de").unwrap().as_str(), "de");
        for bad in ["", "english", "en-XX", "e", "en-US-x", "12-US"] {
            let err = Locale::parse("locale", bad).unwrap_err();
            assert_eq!(
                field_of(err),
                (ErrorCode::Invalid, "locale".into()),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn contact_fields_are_validated_and_named() {
        let base = ContactInput {
            name: Some("Jo".into()),
            email: Some("jo@example.com".into()),
            ..Default::default()
        };
        let cases: Vec<(&str, ContactInput)> = vec![
            (
                "name",
                ContactInput {
                    name: Some(" ".into()),
                    ..base.clone()
                },
            ),
            (
                "name",
                ContactInput {
                    name: Some("x".repeat(256)),
                    ..base.clone()
                },
            ),
            (
                "email",
                ContactInput {
                    email: None,
                    ..base.clone()
                },
            ),
            (
                "company",
                ContactInput {
                    company: Some("x".repeat(256)),
                    ..base.clone()
                },
            ),
            (
                "phone",
                ContactInput {
                    phone: Some("call me".into()),
                    ..base.clone()
                },
            ),
            (
                "fax",
                ContactInput {
                    fax: Some("12".into()),
                    ..base.clone()
                },
            ),
            (
                "address",
                ContactInput {
                    address: Some("x".repeat(256)),
                    ..base.clone()
                },
            ),
            (
                "city",
                ContactInput {
                    city: Some("a\u{1b}b".into()),
                    ..base.clone()
                },
            ),
            (
                "state",
                ContactInput {
                    state: Some("x".repeat(300)),
                    ..base.clone()
                },
            ),
            (
                "postal_code",
                ContactInput {
                    postal_code: Some("75#01".into()),
                    ..base.clone()
                },
            ),
            (
                "country",
                ContactInput {
                    country: Some("France".into()),
                    ..base.clone()
                },
            ),
            (
                "locale",
                ContactInput {
                    locale: Some("french".into()),
                    ..base.clone()
                },
            ),
        ];
        for (field, input) in cases {
            let err = input.into_new_contact().unwrap_err();
            assert_eq!(field_of(err), (ErrorCode::Invalid, field.into()));
        }
        let ok = ContactInput {
            phone: Some("+33 (0)1 23-45.67 x89".into()),
            country: Some("fr".into()),
            postal_code: Some("75001".into()),
            ..base
        }
        .into_new_contact()
        .unwrap();
        assert_eq!(ok.country.unwrap().as_str(), "FR");
        assert_eq!(ok.locale.as_str(), "en-US");
    }

    #[test]
    fn update_clears_optional_fields_with_empty_text_and_keeps_the_rest() {
        let contact = ContactInput {
            name: Some("Jo".into()),
            email: Some("jo@example.com".into()),
            company: Some("ACME".into()),
            city: Some("Lyon".into()),
            ..Default::default()
        }
        .into_new_contact()
        .unwrap();
        let next = ContactInput {
            company: Some(String::new()),
            ..Default::default()
        }
        .apply_to(&contact)
        .unwrap();
        assert_eq!(next.company, None);
        assert_eq!(next.city.as_deref(), Some("Lyon"));
    }

    #[test]
    fn r1_1_ownership_admin_owns_resellers_and_customers_resellers_own_customers() {
        use AccountKind::*;
        assert!(Admin.may_own(Reseller) && Admin.may_own(Customer) && Reseller.may_own(Customer));
        assert!(
            !Customer.may_own(Customer) && !Reseller.may_own(Reseller) && !Customer.may_own(Admin)
        );
    }

    proptest! {
        #[test]
        fn r1_2_every_valid_login_parses_to_itself_lower_cased(s in "[a-zA-Z0-9][a-zA-Z0-9._-]{0,59}") {
            let login = Login::parse("login", &s).unwrap();
            prop_assert_eq!(login.as_str(), s.to_ascii_lowercase());
            prop_assert_eq!(Login::parse("login", login.as_str()).unwrap(), login);
        }

        #[test]
        fn r1_2_login_parse_never_accepts_a_forbidden_character(s in "\\PC{1,70}") {
            if let Ok(login) = Login::parse("login", &s) {
                prop_assert!(login.as_str().len() <= LOGIN_MAX);
                prop_assert!(login.as_str().chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c)));
            }
        }

        #[test]
        fn email_parse_is_idempotent(local in "[a-zA-Z0-9_+-]{1,20}", host in "[a-z][a-z0-9-]{0,10}[a-z0-9]", tld in "[a-z]{2,6}") {
            let raw = format!("{local}@{host}.{tld}");
            let once = Email::parse("email", &raw).unwrap();
            prop_assert_eq!(Email::parse("email", once.as_str()).unwrap(), once);
        }
    }
}
