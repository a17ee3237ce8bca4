//! Notifications (SPEC R6.4): the events that send mail, who receives each, and the
//! templates per event and language with `{{variable}}` placeholders.

use std::collections::BTreeMap;

use crate::account::Email;
use crate::{Error, Result};

/// An event that sends a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Event {
    /// A subscription expires in a few days (R5.4 warning).
    ExpiryWarning,
    /// A subscription expired and was suspended (R5.4).
    Expired,
    /// Usage went over a limit under a notifying policy (R6.3).
    Overuse,
    /// Usage reached a soft threshold (R6.3).
    SoftThreshold,
}

impl Event {
    /// Every event.
    pub const ALL: [Event; 4] = [
        Event::ExpiryWarning,
        Event::Expired,
        Event::Overuse,
        Event::SoftThreshold,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Event::ExpiryWarning => "expiry_warning",
            Event::Expired => "expired",
            Event::Overuse => "overuse",
            Event::SoftThreshold => "soft_threshold",
        }
    }

    /// Parses a wire name; `field` names the input.
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|e| e.as_str() == raw.trim())
            .ok_or_else(|| {
                Error::invalid(
                    field,
                    format!(
                        "{field} must be one of expiry_warning, expired, overuse, soft_threshold (got {:?})",
                        raw.trim()
                    ),
                )
            })
    }

    /// The variables its templates may use.
    pub fn variables(self) -> &'static [&'static str] {
        match self {
            Event::ExpiryWarning | Event::Expired => {
                &["subscription", "owner", "expiration", "days"]
            }
            Event::Overuse | Event::SoftThreshold => {
                &["subscription", "owner", "resource", "usage", "limit"]
            }
        }
    }
}

/// Who receives an event's messages (R6.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipients {
    /// The administrator.
    pub admin: bool,
    /// The reseller providing the subscription (when there is one).
    pub reseller: bool,
    /// The subscriber.
    pub customer: bool,
    /// Further addresses.
    pub extra: Vec<Email>,
}

impl Default for Recipients {
    /// The provider and the subscriber: admin, reseller and customer, no extra address.
    fn default() -> Self {
        Recipients {
            admin: true,
            reseller: true,
            customer: true,
            extra: vec![],
        }
    }
}

impl Recipients {
    /// Parses a comma-separated list of extra addresses (empty: none); `field` names the
    /// input.
    pub fn parse_extra(field: &str, raw: &str) -> Result<Vec<Email>> {
        raw.split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| Email::parse(field, a))
            .collect()
    }
}

/// A template: subject and body, both with `{{variable}}` placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub body: String,
}

/// The languages built-in templates exist for.
pub const LANGUAGES: &[&str] = &["en", "de"];

/// The built-in template of an event in a language (the language part of a locale:
/// `de-AT` → `de`); English when there is none in that language.
pub fn builtin(event: Event, locale: &str) -> Template {
    let language = locale.split(['-', '_']).next().unwrap_or("en");
    let (subject, body) = match (event, language) {
        (Event::ExpiryWarning, "de") => (
            "Abonnement {{subscription}} läuft am {{expiration}} ab",
            "Hallo {{owner}},\n\ndas Abonnement {{subscription}} läuft in {{days}} Tagen ab ({{expiration}}). Bitte verlängern Sie es rechtzeitig.\n",
        ),
        (Event::ExpiryWarning, _) => (
            "Subscription {{subscription}} expires on {{expiration}}",
            "Hello {{owner}},\n\nthe subscription {{subscription}} expires in {{days}} days ({{expiration}}). Please renew it in time.\n",
        ),
        (Event::Expired, "de") => (
            "Abonnement {{subscription}} ist abgelaufen",
            "Hallo {{owner}},\n\ndas Abonnement {{subscription}} ist am {{expiration}} abgelaufen und wurde gesperrt.\n",
        ),
        (Event::Expired, _) => (
            "Subscription {{subscription}} has expired",
            "Hello {{owner}},\n\nthe subscription {{subscription}} expired on {{expiration}} and has been suspended.\n",
        ),
        (Event::Overuse, "de") => (
            "Abonnement {{subscription}} überschreitet sein Limit",
            "Hallo {{owner}},\n\ndas Abonnement {{subscription}} verbraucht {{usage}} Bytes {{resource}}, das Limit ist {{limit}} Bytes.\n",
        ),
        (Event::Overuse, _) => (
            "Subscription {{subscription}} exceeds its {{resource}} limit",
            "Hello {{owner}},\n\nthe subscription {{subscription}} uses {{usage}} bytes of {{resource}}; its limit is {{limit}} bytes.\n",
        ),
        (Event::SoftThreshold, "de") => (
            "Abonnement {{subscription}} erreicht die Warnschwelle für {{resource}}",
            "Hallo {{owner}},\n\ndas Abonnement {{subscription}} verbraucht {{usage}} Bytes {{resource}} und hat die Warnschwelle von {{limit}} Bytes erreicht.\n",
        ),
        (Event::SoftThreshold, _) => (
            "Subscription {{subscription}} reached its {{resource}} warning threshold",
            "Hello {{owner}},\n\nthe subscription {{subscription}} uses {{usage}} bytes of {{resource}} and reached the warning threshold of {{limit}} bytes.\n",
        ),
    };
    Template {
        subject: subject.to_owned(),
        body: body.to_owned(),
    }
}

/// Checks that a template only uses the event's variables and closes every `{{`; `field`
/// names the input.
pub fn check(event: Event, field: &str, text: &str) -> Result<()> {
    let vars: BTreeMap<&str, String> = event
        .variables()
        .iter()
        .map(|v| (*v, String::new()))
        .collect();
    render(field, text, &vars).map(drop)
}

/// Replaces every `{{name}}` with its value; an unknown name or an unclosed `{{` is
/// invalid, naming `field`.
pub fn render(field: &str, text: &str, vars: &BTreeMap<&str, String>) -> Result<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or_else(|| {
            Error::invalid(field, format!("{field} has a '{{{{' without its '}}}}'"))
        })?;
        let name = after[..end].trim();
        let value = vars.get(name).ok_or_else(|| {
            let known: Vec<&str> = vars.keys().copied().collect();
            Error::invalid(
                field,
                format!(
                    "{field} uses {{{{{name}}}}}, which is not a variable of this event ({})",
                    known.join(", ")
                ),
            )
        })?;
        out.push_str(value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> BTreeMap<&'static str, String> {
        [
            ("subscription", "shop.example".to_owned()),
            ("owner", "jdoe".to_owned()),
            ("expiration", "2026-03-10".to_owned()),
            ("days", "7".to_owned()),
        ]
        .into_iter()
        .collect()
    }

    #[test]
    fn r6_4_templates_render_their_variables() {
        let t = builtin(Event::ExpiryWarning, "en-US");
        let subject = render("subject", &t.subject, &vars()).unwrap();
        assert_eq!(subject, "Subscription shop.example expires on 2026-03-10");
        let body = render("body", &t.body, &vars()).unwrap();
        assert!(body.contains("in 7 days"), "{body}");
    }

    #[test]
    fn r6_4_templates_per_language_with_english_fallback() {
        assert!(
            builtin(Event::Expired, "de-AT")
                .subject
                .contains("abgelaufen")
        );
        assert_eq!(
            builtin(Event::Expired, "pt-BR"),
            builtin(Event::Expired, "en")
        );
    }

    #[test]
    fn r6_4_every_builtin_template_uses_only_its_variables() {
        for event in Event::ALL {
            for lang in LANGUAGES {
                let t = builtin(event, lang);
                check(event, "subject", &t.subject).unwrap();
                check(event, "body", &t.body).unwrap();
            }
        }
    }

    #[test]
    fn r6_4_unknown_variable_or_unclosed_brace_is_invalid() {
        let err = render("body", "hi {{password}}", &vars()).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("body"));
        assert!(err.message.contains("password"));
        assert!(render("body", "hi {{owner", &vars()).is_err());
        assert_eq!(
            render("body", "no vars } {", &vars()).unwrap(),
            "no vars } {"
        );
    }

    #[test]
    fn r6_4_event_names_round_trip() {
        for e in Event::ALL {
            assert_eq!(Event::parse("event", e.as_str()).unwrap(), e);
        }
        assert_eq!(
            Event::parse("event", "nope").unwrap_err().field.as_deref(),
            Some("event")
        );
    }

    #[test]
    fn r6_4_extra_recipients_are_email_addresses() {
        let list = Recipients::parse_extra("extra", "a@example.com, b@example.org,").unwrap();
        assert_eq!(list.len(), 2);
        assert!(Recipients::parse_extra("extra", "not-an-address").is_err());
        assert!(Recipients::parse_extra("extra", "").unwrap().is_empty());
    }
}
