//! Web UI sessions (the browser side of issue 7) and the panel's interface preferences
//! (R8.2). A login opens a session: a 32-byte random token kept by the browser in an
//! HttpOnly cookie, of which only the SHA-256 is stored, plus a synchronizer token that
//! every form posts back (CSRF). Suspended accounts cannot log in, and a session stops
//! working as soon as its account is suspended. With "several sessions per login" off, a
//! login closes the account's other sessions.

use berth_core::account::AccountKind;
use berth_core::hosting::{SubscriptionQuery, SubscriptionScope, SubscriptionSort};
use berth_core::rights::Actor;
use berth_core::{Error, Result};
use berth_store::sessions::SessionRecord;
use chrono::Duration;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{Berth, Mode, finish};

/// How long a session lasts after login.
pub const SESSION_HOURS: i64 = 12;

/// The preference key of "allow several sessions per login".
const MULTIPLE_SESSIONS: &str = "multiple_sessions";

/// The preference key of the maximum button label length.
const BUTTON_LABEL_LENGTH: &str = "button_label_length";

/// Default maximum button label length (R8.2).
pub const DEFAULT_BUTTON_LABEL_LENGTH: u32 = 24;

/// The longest button label length accepted.
pub const MAX_BUTTON_LABEL_LENGTH: u32 = 100;

/// A session just opened: the only time its token is known.
#[derive(Debug, Clone)]
pub struct OpenedSession {
    /// The token for the cookie; never stored in clear.
    pub token: String,
    /// The account logged in.
    pub actor: Actor,
}

/// A live session, as a request presents it.
#[derive(Debug, Clone)]
pub struct UiSession {
    /// The account acting.
    pub actor: Actor,
    /// The synchronizer token its forms must post back.
    pub csrf: String,
    /// The account's contact name.
    pub name: String,
    /// The account's locale (`en-US`, `fr-FR`, ...), which picks the UI language.
    pub locale: String,
}

/// The panel's interface preferences (R8.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UiPreferences {
    /// Whether one login may hold several sessions at once.
    pub multiple_sessions: bool,
    /// Longer custom button labels end with "…".
    pub button_label_length: u32,
}

/// 32 random bytes in hex.
fn random_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::failed(format!("no randomness for the session: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The hex SHA-256 of a session token.
fn hash_token(token: &str) -> String {
    Sha256::digest(token.trim().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Parses the maximum button label length (R8.2).
pub fn parse_button_label_length(field: &str, raw: &str) -> Result<u32> {
    raw.trim()
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=MAX_BUTTON_LABEL_LENGTH).contains(n))
        .ok_or_else(|| {
            Error::invalid(
                field,
                format!(
                    "the button label length is a whole number from 1 to \
                     {MAX_BUTTON_LABEL_LENGTH} (got {raw:?})"
                ),
            )
        })
}

impl Berth {
    /// Logs in to the web UI with a login and password: refused for a wrong pair
    /// (`forbidden`, "wrong login or password"), for a suspended account, and for a
    /// customer without any subscription (R1.3).
    pub async fn ui_login(&self, login: &str, password: &str) -> Result<OpenedSession> {
        let actor = self.authenticate(login, password).await?;
        if actor.kind == AccountKind::Customer && !self.has_subscription(&actor).await? {
            return Err(Error::forbidden(format!(
                "the customer {} has no subscription yet and cannot log in to the panel (R1.3)",
                actor.login
            )));
        }
        let token = random_token()?;
        let now = self.clock.now();
        let record = SessionRecord {
            token_hash: hash_token(&token),
            account: actor.id,
            csrf: random_token()?,
            created_at: now,
            expires_at: now + Duration::hours(SESSION_HOURS),
        };
        let mut tx = self.store.write().await?;
        let several = tx.ui_setting(MULTIPLE_SESSIONS).await?;
        if several.as_deref() == Some("false") {
            tx.delete_sessions_of(actor.id).await?;
        }
        tx.delete_expired_sessions(now).await?;
        tx.insert_session(&record).await?;
        tx.commit().await?;
        tracing::info!(login = %actor.login, "UI login");
        Ok(OpenedSession { token, actor })
    }

    /// Whether `actor` owns at least one subscription (one row read).
    async fn has_subscription(&self, actor: &Actor) -> Result<bool> {
        let query = SubscriptionQuery {
            scope: SubscriptionScope::All,
            owner: Some(actor.id),
            plan: None,
            status: None,
            sync_state: None,
            overused: false,
            expired_on: None,
            search: None,
            sort: SubscriptionSort::Name,
            descending: false,
            after: None,
            limit: 1,
        };
        let mut tx = self.store.read().await?;
        Ok(!tx.list_subscriptions(&query).await?.is_empty())
    }

    /// The live session of `token`: `None` when unknown, expired, or its account is gone
    /// or suspended.
    pub async fn ui_session(&self, token: &str) -> Result<Option<UiSession>> {
        let mut tx = self.store.read().await?;
        let Some(record) = tx.session_by_hash(&hash_token(token)).await? else {
            return Ok(None);
        };
        if record.expires_at <= self.clock.now() {
            return Ok(None);
        }
        let Some(account) = tx.account_by_id(record.account).await? else {
            return Ok(None);
        };
        if !account.is_active() {
            return Ok(None);
        }
        Ok(Some(UiSession {
            name: account.contact.name.clone(),
            locale: account.contact.locale.as_str().to_owned(),
            actor: Actor {
                id: account.id,
                kind: account.kind,
                login: account.login,
            },
            csrf: record.csrf,
        }))
    }

    /// Logs out: the session of `token` is deleted (nothing happens for an unknown one).
    pub async fn ui_logout(&self, token: &str) -> Result<()> {
        let mut tx = self.store.write().await?;
        tx.delete_session(&hash_token(token)).await?;
        Ok(tx.commit().await?)
    }

    /// The interface preferences in force.
    pub async fn ui_preferences(&self) -> Result<UiPreferences> {
        let mut tx = self.store.read().await?;
        let several = tx.ui_setting(MULTIPLE_SESSIONS).await?;
        let length = tx.ui_setting(BUTTON_LABEL_LENGTH).await?;
        Ok(UiPreferences {
            multiple_sessions: several.as_deref() != Some("false"),
            button_label_length: length
                .and_then(|l| l.parse().ok())
                .unwrap_or(DEFAULT_BUTTON_LABEL_LENGTH),
        })
    }

    /// Sets the interface preferences (R8.2): the admin only.
    pub async fn set_ui_preferences(
        &self,
        actor: &Actor,
        preferences: &UiPreferences,
        mode: Mode,
    ) -> Result<UiPreferences> {
        if actor.kind != AccountKind::Admin {
            return Err(Error::forbidden(
                "only the administrator sets the interface preferences",
            ));
        }
        let length = parse_button_label_length(
            "button_label_length",
            &preferences.button_label_length.to_string(),
        )?;
        let previous = self.ui_preferences().await?;
        let mut tx = self.store.write().await?;
        let several = if preferences.multiple_sessions {
            "true"
        } else {
            "false"
        };
        tx.set_ui_setting(MULTIPLE_SESSIONS, several).await?;
        tx.set_ui_setting(BUTTON_LABEL_LENGTH, &length.to_string())
            .await?;
        let audit = berth_core::audit::diff_fields(
            "settings preferences",
            preference_fields(previous.multiple_sessions, previous.button_label_length),
            preference_fields(preferences.multiple_sessions, length),
        );
        self.record_changes(&mut *tx, actor, "preferences", &audit)
            .await?;
        finish(tx, mode).await?;
        Ok(UiPreferences {
            multiple_sessions: preferences.multiple_sessions,
            button_label_length: length,
        })
    }
}

/// The interface preferences as auditable fields.
fn preference_fields(
    multiple_sessions: bool,
    button_label_length: impl ToString,
) -> Vec<berth_core::audit::AuditField> {
    vec![
        berth_core::audit::AuditField::new("multiple_sessions", multiple_sessions.to_string()),
        berth_core::audit::AuditField::new("button_label_length", button_label_length.to_string()),
    ]
}
