//! Panel settings (SPEC §8): custom buttons (R8.1) and branding (R8.2). Both live in the
//! `ui_settings` table as JSON, read and written in one transaction each.
//!
//! Buttons are created by the admin and resellers. One "visible only to its creator" is
//! shown to nobody else; otherwise the admin's buttons are shown to every account and a
//! reseller's to itself and its customers. The URL gets the chosen context as query
//! parameters — never a password. Labels longer than the preference are cut with "…".

use base64::Engine;
use berth_core::account::AccountKind;
use berth_core::rights::Actor;
use berth_core::{Error, Result};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::sessions::DEFAULT_BUTTON_LABEL_LENGTH;
use crate::{Berth, Mode, finish};

const BUTTONS: &str = "custom_buttons";
const BRANDING: &str = "branding";

/// The largest logo accepted (R8.2).
pub const LOGO_MAX_BYTES: usize = 100 * 1024;

/// The longest button label stored.
pub const BUTTON_TEXT_MAX: usize = 100;

/// Where a button shows (R8.1).
pub const LOCATIONS: &[&str] = &["home", "customer_home", "websites", "all"];

/// The context a button may pass in its URL (R8.1; never passwords).
pub const CONTEXTS: &[&str] = &[
    "subscription_id",
    "domain",
    "customer_id",
    "name",
    "email",
    "company",
];

/// A custom button as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomButton {
    /// Id.
    pub id: Uuid,
    /// The account that created it.
    pub creator: Uuid,
    /// Its login.
    pub creator_login: String,
    /// Label.
    pub text: String,
    /// One of [`LOCATIONS`].
    pub location: String,
    /// Lower first.
    pub priority: i64,
    /// Target (`https://...`, `http://...` or a path of this panel).
    pub url: String,
    /// Context parameters added to the URL, from [`CONTEXTS`].
    pub context: Vec<String>,
    /// Tooltip.
    pub tooltip: String,
    /// Whether it opens in a new tab.
    pub new_tab: bool,
    /// Whether only its creator sees it.
    pub only_creator: bool,
}

/// A new button, as typed.
#[derive(Debug, Clone, Default)]
pub struct NewButton {
    /// Label.
    pub text: String,
    /// Location.
    pub location: String,
    /// Priority (a whole number).
    pub priority: String,
    /// URL.
    pub url: String,
    /// Context parameters.
    pub context: Vec<String>,
    /// Tooltip.
    pub tooltip: String,
    /// New tab.
    pub new_tab: bool,
    /// Visible only to its creator.
    pub only_creator: bool,
}

/// A button as shown to one account on one page: label cut, URL with context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ButtonView {
    /// Id.
    pub id: Uuid,
    /// Label, cut to the preference with "…".
    pub label: String,
    /// The whole label (for the tooltip when cut).
    pub tooltip: String,
    /// URL with the context parameters.
    pub href: String,
    /// Whether it opens in a new tab.
    pub new_tab: bool,
}

/// What the context of a page offers to buttons.
#[derive(Debug, Clone, Default)]
pub struct ButtonContext {
    /// The subscription shown, if any: its id and domain.
    pub subscription: Option<(Uuid, String)>,
}

/// The panel's branding (R8.2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branding {
    /// Browser title text; empty for "Berth".
    pub title: String,
    /// Where the logo links to; empty for the home page.
    pub logo_url: String,
    /// The logo's media type and bytes in base64, when one was uploaded.
    pub logo: Option<(String, String)>,
}

/// A branding change, as typed.
#[derive(Debug, Clone, Default)]
pub struct BrandingChange {
    /// Browser title text.
    pub title: String,
    /// Logo link URL.
    pub logo_url: String,
    /// A new logo file, if one was sent.
    pub logo: Option<Vec<u8>>,
    /// Back to the default (no logo, no title, no link).
    pub reset: bool,
}

/// The media type of a logo, decided by its content (R8.2).
pub fn logo_type(bytes: &[u8]) -> Result<&'static str> {
    if bytes.len() > LOGO_MAX_BYTES {
        return Err(Error::invalid(
            "logo",
            format!(
                "the logo is {} bytes: at most {LOGO_MAX_BYTES} (100 KB) are accepted",
                bytes.len()
            ),
        ));
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Ok("image/gif")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok("image/jpeg")
    } else {
        Err(Error::invalid(
            "logo",
            "the logo must be a GIF, JPEG or PNG image (checked by its content, not its name)",
        ))
    }
}

fn check_url(field: &str, url: &str) -> Result<()> {
    let ok = url.starts_with("https://") || url.starts_with("http://") || url.starts_with('/');
    if ok && !url.chars().any(char::is_whitespace) {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            format!("{field} must start with https://, http:// or / and hold no spaces"),
        ))
    }
}

/// Cuts `text` to `max` characters, ending with "…" when cut (R8.2).
pub fn cut_label(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let kept: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{kept}…")
}

fn parse_button(actor: &Actor, id: Uuid, input: NewButton) -> Result<CustomButton> {
    let text = input.text.trim().to_owned();
    if text.is_empty() || text.chars().count() > BUTTON_TEXT_MAX {
        return Err(Error::invalid(
            "text",
            format!("the button text is 1 to {BUTTON_TEXT_MAX} characters"),
        ));
    }
    let location = input.location.trim().to_owned();
    if !LOCATIONS.contains(&location.as_str()) {
        return Err(Error::invalid(
            "location",
            format!("location must be one of {}", LOCATIONS.join(", ")),
        ));
    }
    let priority = match input.priority.trim() {
        "" => 0,
        raw => raw
            .parse::<i64>()
            .map_err(|_| Error::invalid("priority", "priority must be a whole number"))?,
    };
    let url = input.url.trim().to_owned();
    check_url("url", &url)?;
    if let Some(bad) = input
        .context
        .iter()
        .find(|c| !CONTEXTS.contains(&c.as_str()))
    {
        return Err(Error::invalid(
            "context",
            format!("{bad} is not a context: {}", CONTEXTS.join(", ")),
        ));
    }
    Ok(CustomButton {
        id,
        creator: actor.id.0,
        creator_login: actor.login.to_string(),
        text,
        location,
        priority,
        url,
        context: input.context,
        tooltip: input.tooltip.trim().to_owned(),
        new_tab: input.new_tab,
        only_creator: input.only_creator,
    })
}

fn check_manage_buttons(actor: &Actor) -> Result<()> {
    if actor.kind == AccountKind::Customer {
        return Err(Error::forbidden("customers do not manage custom buttons"));
    }
    Ok(())
}

fn read_buttons(raw: Option<String>) -> Result<Vec<CustomButton>> {
    match raw {
        None => Ok(vec![]),
        Some(text) => serde_json::from_str(&text)
            .map_err(|e| Error::failed(format!("the stored custom buttons are unreadable: {e}"))),
    }
}

fn encode<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::failed(format!("cannot store: {e}")))
}

impl Berth {
    /// Creates a custom button (R8.1): the admin and resellers.
    pub async fn add_custom_button(
        &self,
        actor: &Actor,
        input: NewButton,
        mode: Mode,
    ) -> Result<CustomButton> {
        check_manage_buttons(actor)?;
        let button = parse_button(actor, self.new_id(), input)?;
        let mut tx = self.store.write().await?;
        let mut all = read_buttons(tx.ui_setting(BUTTONS).await?)?;
        all.push(button.clone());
        tx.set_ui_setting(BUTTONS, &encode(&all)?).await?;
        let audit = button_changes(None, Some(&button));
        self.record_changes(&mut *tx, actor, "custom-button add", &audit)
            .await?;
        finish(tx, mode).await?;
        Ok(button)
    }

    /// The buttons `actor` created (the admin: every button).
    pub async fn list_custom_buttons(&self, actor: &Actor) -> Result<Vec<CustomButton>> {
        check_manage_buttons(actor)?;
        let mut tx = self.store.read().await?;
        let mut all = read_buttons(tx.ui_setting(BUTTONS).await?)?;
        all.retain(|b| actor.is_admin() || b.creator == actor.id.0);
        all.sort_by_key(|b| (b.priority, b.text.clone()));
        Ok(all)
    }

    /// Removes a button of `actor` (the admin: any). Another's is not found.
    pub async fn remove_custom_button(&self, actor: &Actor, id: &str, mode: Mode) -> Result<()> {
        check_manage_buttons(actor)?;
        let not_found = || Error::not_found("id", format!("no custom button {id}"));
        let id = Uuid::parse_str(id.trim()).map_err(|_| not_found())?;
        let mut tx = self.store.write().await?;
        let mut all = read_buttons(tx.ui_setting(BUTTONS).await?)?;
        let removed = all
            .iter()
            .find(|b| b.id == id && (actor.is_admin() || b.creator == actor.id.0))
            .cloned()
            .ok_or_else(not_found)?;
        all.retain(|b| b.id != removed.id);
        tx.set_ui_setting(BUTTONS, &encode(&all)?).await?;
        let audit = button_changes(Some(&removed), None);
        self.record_changes(&mut *tx, actor, "custom-button remove", &audit)
            .await?;
        finish(tx, mode).await
    }

    /// The buttons `actor` sees at `location` (plus those for every page), by priority,
    /// with their URLs carrying the chosen context.
    pub async fn visible_buttons(
        &self,
        actor: &Actor,
        location: &str,
        context: &ButtonContext,
    ) -> Result<Vec<ButtonView>> {
        let mut tx = self.store.read().await?;
        let all = read_buttons(tx.ui_setting(BUTTONS).await?)?;
        if all.is_empty() {
            return Ok(vec![]);
        }
        let max = tx
            .ui_setting("button_label_length")
            .await?
            .and_then(|l| l.parse().ok())
            .unwrap_or(DEFAULT_BUTTON_LABEL_LENGTH) as usize;
        let account = tx
            .account_by_id(actor.id)
            .await?
            .ok_or_else(|| Error::not_found("login", format!("no account {}", actor.login)))?;
        let owner = account.owner.as_ref().map(|o| o.id.0);
        let mut shown: Vec<&CustomButton> = all
            .iter()
            .filter(|b| b.location == location || b.location == "all")
            .filter(|b| {
                let mine = b.creator == actor.id.0;
                mine || (!b.only_creator
                    && (Some(b.creator) == owner || b.creator_login == "admin"))
            })
            .collect();
        shown.sort_by_key(|b| (b.priority, b.text.clone()));
        Ok(shown
            .into_iter()
            .map(|b| {
                let mut query = vec![];
                for c in &b.context {
                    let value = match c.as_str() {
                        "subscription_id" => context.subscription.as_ref().map(|s| s.0.to_string()),
                        "domain" => context.subscription.as_ref().map(|s| s.1.clone()),
                        "customer_id" => (account.kind == AccountKind::Customer)
                            .then(|| account.id.0.to_string()),
                        "name" => Some(account.contact.name.clone()),
                        "email" => Some(account.contact.email.to_string()),
                        "company" => account.contact.company.clone(),
                        _ => None,
                    };
                    if let Some(v) = value {
                        query.push(format!("{c}={}", percent(&v)));
                    }
                }
                let sep = if b.url.contains('?') { '&' } else { '?' };
                let href = if query.is_empty() {
                    b.url.clone()
                } else {
                    format!("{}{sep}{}", b.url, query.join("&"))
                };
                ButtonView {
                    id: b.id,
                    label: cut_label(&b.text, max),
                    tooltip: if b.tooltip.is_empty() {
                        b.text.clone()
                    } else {
                        b.tooltip.clone()
                    },
                    href,
                    new_tab: b.new_tab,
                }
            })
            .collect())
    }

    /// The branding in force.
    pub async fn branding(&self) -> Result<Branding> {
        let mut tx = self.store.read().await?;
        match tx.ui_setting(BRANDING).await? {
            None => Ok(Branding::default()),
            Some(text) => serde_json::from_str(&text)
                .map_err(|e| Error::failed(format!("the stored branding is unreadable: {e}"))),
        }
    }

    /// Changes the branding (R8.2): the admin only. The logo is checked by its content.
    pub async fn set_branding(
        &self,
        actor: &Actor,
        change: BrandingChange,
        mode: Mode,
    ) -> Result<Branding> {
        if !actor.is_admin() {
            return Err(Error::forbidden(
                "only the administrator changes the branding",
            ));
        }
        let next = if change.reset {
            Branding::default()
        } else {
            let logo_url = change.logo_url.trim().to_owned();
            if !logo_url.is_empty() {
                check_url("logo_url", &logo_url)?;
            }
            let title = change.title.trim().to_owned();
            if title.chars().count() > 100 {
                return Err(Error::invalid(
                    "title",
                    "the title is at most 100 characters",
                ));
            }
            let current = self.branding().await?;
            let logo = match change.logo {
                Some(bytes) => Some((
                    logo_type(&bytes)?.to_owned(),
                    base64::engine::general_purpose::STANDARD.encode(bytes),
                )),
                None => current.logo,
            };
            Branding {
                title,
                logo_url,
                logo,
            }
        };
        let previous = self.branding().await?;
        let mut tx = self.store.write().await?;
        tx.set_ui_setting(BRANDING, &encode(&next)?).await?;
        let audit = berth_core::audit::diff_fields(
            "settings branding",
            branding_fields(&previous),
            branding_fields(&next),
        );
        self.record_changes(&mut *tx, actor, "branding", &audit)
            .await?;
        finish(tx, mode).await?;
        Ok(next)
    }
}

fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A custom button's auditable fields, created (`before` `None`) or removed.
fn button_changes(
    before: Option<&CustomButton>,
    after: Option<&CustomButton>,
) -> Vec<berth_core::audit::FieldChange> {
    use berth_core::audit::AuditField;
    let fields = |b: &CustomButton| {
        vec![
            AuditField::new("text", b.text.clone()),
            AuditField::new("location", b.location.clone()),
            AuditField::new("priority", b.priority.to_string()),
            AuditField::new("url", b.url.clone()),
            AuditField::new("context", b.context.join(",")),
            AuditField::new("tooltip", b.tooltip.clone()),
            AuditField::new("new_tab", b.new_tab.to_string()),
            AuditField::new("only_creator", b.only_creator.to_string()),
        ]
    };
    let Some(id) = after.or(before).map(|b| b.id) else {
        return Vec::new();
    };
    berth_core::audit::diff_fields(
        &format!("custom-button {id}"),
        before.map(fields).unwrap_or_default(),
        after.map(fields).unwrap_or_default(),
    )
}

/// The branding's auditable fields; the logo as its type and size, not its bytes.
fn branding_fields(b: &Branding) -> Vec<berth_core::audit::AuditField> {
    use berth_core::audit::AuditField;
    vec![
        AuditField::new("title", b.title.clone()),
        AuditField::new("logo_url", b.logo_url.clone()),
        AuditField::opt(
            "logo",
            b.logo.as_ref().map(|(kind, data)| {
                format!(
                    "{kind}, {} base64 characters, {}",
                    data.len(),
                    short_digest(data)
                )
            }),
        ),
    ]
}

/// A short digest of `data`, so that two logos of one size still differ in the log.
fn short_digest(data: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(data.as_bytes());
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r8_2_logos_are_checked_by_content_and_size() {
        assert_eq!(logo_type(b"GIF89a....").unwrap(), "image/gif");
        assert_eq!(logo_type(b"\x89PNG\r\n\x1a\nrest").unwrap(), "image/png");
        assert_eq!(logo_type(&[0xFF, 0xD8, 0xFF, 0xE0]).unwrap(), "image/jpeg");
        let named_png_but_text = logo_type(b"<svg>not an image</svg>").unwrap_err();
        assert_eq!(named_png_but_text.field.as_deref(), Some("logo"));
        let mut big = b"GIF89a".to_vec();
        big.resize(LOGO_MAX_BYTES + 1, 0);
        assert!(logo_type(&big).unwrap_err().message.contains("100 KB"));
    }

    #[test]
    fn r8_2_long_button_labels_end_with_an_ellipsis() {
        assert_eq!(cut_label("Webmail", 10), "Webmail");
        assert_eq!(cut_label("Statistics dashboard", 10), "Statistic…");
        assert_eq!(cut_label("Statistic…", 10).chars().count(), 10);
    }
}
