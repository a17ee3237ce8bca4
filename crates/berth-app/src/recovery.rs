//! Password recovery (R1.4): whoever gives both the login and the email address on record
//! of an account that can log in receives a single-use reset link that expires (one hour
//! by default). The answer is the same whether or not they matched, so accounts cannot be
//! probed; requests are rate-limited per login, per email address and per client address.
//! Only the SHA-256 of a link's token is stored and the token is never logged. Using a
//! link sets a new password (the usual password rules), ends every session of the account
//! and spends the link.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use berth_core::account::{AccountKind, Login, Password};
use berth_core::hosting::{SubscriptionQuery, SubscriptionScope, SubscriptionSort};
use berth_core::rights::Actor;
use berth_core::{Error, Result};
use berth_store::Tx;
use berth_store::recovery::ResetRecord;
use chrono::{DateTime, Duration, Utc};
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncTransport, Message};
use sha2::{Digest, Sha256};

use crate::notifications::SmtpSettings;
use crate::{Berth, password};

/// How long a reset link is accepted by default.
pub const DEFAULT_LINK_MINUTES: i64 = 60;

/// The path of the page a reset link opens (the token follows as `?token=`).
pub const RESET_PATH: &str = "/login/reset";

/// How password recovery is set up on this server.
#[derive(Debug, Clone)]
pub struct RecoverySettings {
    /// Where the reset mail goes out; without it, recovery answers that it is not set up.
    pub smtp: Option<SmtpSettings>,
    /// The panel's address as users reach it (`https://panel.example.com:8443`); the link
    /// is this plus [`RESET_PATH`]. Never taken from a request's `Host` header.
    pub panel_url: String,
    /// How long a link is accepted.
    pub link_lifetime: Duration,
    /// Requests allowed per login and per email address within `window`.
    pub per_account: u32,
    /// Requests allowed per client address within `window`.
    pub per_address: u32,
    /// The window over which requests count.
    pub window: Duration,
}

impl RecoverySettings {
    /// Settings with the default lifetime (one hour) and limits (5 requests per login or
    /// email, 20 per client address, per hour).
    pub fn new(smtp: Option<SmtpSettings>, panel_url: impl Into<String>) -> Self {
        RecoverySettings {
            smtp,
            panel_url: panel_url.into().trim_end_matches('/').to_owned(),
            link_lifetime: Duration::minutes(DEFAULT_LINK_MINUTES),
            per_account: 5,
            per_address: 20,
            window: Duration::hours(1),
        }
    }
}

/// Recovery's settings and its request counts (this process's memory, like the failed
/// login counts).
#[derive(Debug)]
pub(crate) struct Recovery {
    settings: RecoverySettings,
    requests: Mutex<HashMap<String, (u32, DateTime<Utc>)>>,
}

impl Recovery {
    /// Recovery with these settings and no request counted yet.
    pub(crate) fn new(settings: RecoverySettings) -> Arc<Self> {
        Arc::new(Recovery {
            settings,
            requests: Mutex::new(HashMap::new()),
        })
    }

    /// Counts a request under each key; the seconds to wait when one of them was already
    /// over its limit (the request then goes no further).
    fn admit(&self, keys: &[(String, u32)], now: DateTime<Utc>) -> Option<i64> {
        let window = self.settings.window;
        let mut map = self.requests.lock().ok()?;
        if map.len() >= 10_000 {
            map.retain(|_, (_, since)| now - *since < window);
        }
        let wait = keys
            .iter()
            .filter_map(|(key, limit)| {
                let (count, since) = map.get(key)?;
                let left = window - (now - *since);
                (left > Duration::zero() && count >= limit).then(|| left.num_seconds().max(1))
            })
            .max();
        if wait.is_some() {
            return wait;
        }
        for (key, _) in keys {
            let entry = map.entry(key.clone()).or_insert((0, now));
            if now - entry.1 >= window {
                *entry = (0, now);
            }
            entry.0 += 1;
        }
        None
    }
}

/// 32 random bytes in hex.
fn random_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::failed(format!("no randomness for the reset link: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The hex SHA-256 of a reset token.
fn hash_token(token: &str) -> String {
    Sha256::digest(token.trim().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The refusal of a link that is unknown, spent or expired (one message for all three).
fn dead_link() -> Error {
    Error::invalid(
        "token",
        "this password reset link is unknown, already used or expired: ask for a new one",
    )
}

/// The subject and body of the reset mail in the account's language.
fn mail_text(locale: &str, login: &str, link: &str, minutes: i64) -> (String, String) {
    if locale.to_ascii_lowercase().starts_with("fr") {
        (
            "Réinitialisation de votre mot de passe".to_owned(),
            format!(
                "Bonjour,\n\nUne réinitialisation du mot de passe du compte {login} a été \
                 demandée. Pour choisir un nouveau mot de passe, ouvrez ce lien (valable \
                 {minutes} minutes, une seule fois) :\n\n{link}\n\nSi vous n'êtes pas à \
                 l'origine de cette demande, ignorez ce message : votre mot de passe reste \
                 inchangé.\n"
            ),
        )
    } else {
        (
            "Reset your password".to_owned(),
            format!(
                "Hello,\n\nSomeone asked to reset the password of the account {login}. To \
                 choose a new password, open this link (valid for {minutes} minutes, once):\
                 \n\n{link}\n\nIf you did not ask for this, ignore this message: your \
                 password stays as it is.\n"
            ),
        )
    }
}

impl Berth {
    /// The same application with password recovery set up.
    pub fn with_recovery(mut self, settings: RecoverySettings) -> Self {
        self.recovery = Some(Recovery::new(settings));
        self
    }

    /// Whether password recovery is set up (an SMTP server to send the links through).
    pub fn recovery_available(&self) -> bool {
        self.recovery
            .as_ref()
            .is_some_and(|r| r.settings.smtp.is_some())
    }

    /// Asks for a password reset link (R1.4). When `login` and `email` both match an
    /// account that can log in, a single-use link is stored (hashed) and mailed to that
    /// address in the background; otherwise nothing happens. Either way the answer is
    /// `Ok`, so the caller cannot tell. Refused with `limit_exceeded` when the login, the
    /// email address or `source` asked too often, and with `failed` when recovery is not
    /// set up.
    pub async fn request_password_reset(
        &self,
        login: &str,
        email: &str,
        source: Option<IpAddr>,
    ) -> Result<()> {
        let Some(recovery) = self.recovery.clone() else {
            return Err(Error::failed(
                "password recovery is not set up on this server: ask your administrator",
            ));
        };
        let Some(smtp) = recovery.settings.smtp.clone() else {
            return Err(Error::failed(
                "password recovery needs an SMTP server ([smtp] host): ask your administrator",
            ));
        };
        let (login, email) = (login.trim().to_lowercase(), email.trim().to_lowercase());
        if login.is_empty() {
            return Err(Error::invalid("login", "login is required"));
        }
        if email.is_empty() {
            return Err(Error::invalid("email", "email is required"));
        }
        let now = self.clock.now();
        let (per_account, per_address) =
            (recovery.settings.per_account, recovery.settings.per_address);
        let mut keys = vec![
            (format!("login:{login}"), per_account),
            (format!("email:{email}"), per_account),
        ];
        if let Some(ip) = source {
            keys.push((format!("address:{}", ip.to_canonical()), per_address));
        }
        if let Some(wait) = recovery.admit(&keys, now) {
            return Err(Error::limit_exceeded(
                "login",
                format!("too many password reset requests: try again in {wait} seconds"),
            ));
        }
        let Ok(parsed) = Login::parse("login", &login) else {
            return Ok(());
        };
        let mut tx = self.store.write().await?;
        let Some(account) = tx.account_by_login(&parsed).await? else {
            return Ok(());
        };
        let on_record = account.contact.email.as_str().eq_ignore_ascii_case(&email);
        if !on_record || !account.is_active() || !can_log_in(&mut *tx, &account).await? {
            return Ok(());
        }
        let token = random_token()?;
        let record = ResetRecord {
            token_hash: hash_token(&token),
            account: account.id,
            created_at: now,
            expires_at: now + recovery.settings.link_lifetime,
            used_at: None,
        };
        tx.delete_expired_resets(now).await?;
        tx.delete_unused_resets_of(account.id).await?;
        tx.insert_reset(&record).await?;
        tx.commit().await?;
        tracing::info!(login = %account.login, "password reset link requested");

        let link = format!("{}{RESET_PATH}?token={token}", recovery.settings.panel_url);
        let minutes = recovery.settings.link_lifetime.num_minutes();
        let (subject, body) = mail_text(
            account.contact.locale.as_str(),
            account.login.as_str(),
            &link,
            minutes,
        );
        let to = account.contact.email.as_str().to_owned();
        let login = account.login.to_string();
        tokio::spawn(async move {
            let outcome = async {
                let from: Mailbox = smtp
                    .from
                    .as_str()
                    .parse()
                    .map_err(|e| format!("sender: {e}"))?;
                let to: Mailbox = to.parse().map_err(|e| format!("recipient: {e}"))?;
                let message = Message::builder()
                    .from(from)
                    .to(to)
                    .subject(subject)
                    .header(ContentType::TEXT_PLAIN)
                    .body(body)
                    .map_err(|e| e.to_string())?;
                let transport = crate::notifications::transport(&smtp).map_err(|e| e.message)?;
                transport
                    .send(message)
                    .await
                    .map(drop)
                    .map_err(|e| e.to_string())
            }
            .await;
            match outcome {
                Ok(()) => tracing::info!(%login, "password reset link sent"),
                Err(error) => {
                    tracing::error!(%login, %error, "the password reset link could not be sent");
                }
            }
        });
        Ok(())
    }

    /// The login whose password the link of `token` resets, while the link is usable.
    pub async fn password_reset_login(&self, token: &str) -> Result<String> {
        let mut tx = self.store.read().await?;
        let record = tx
            .reset_by_hash(&hash_token(token))
            .await?
            .filter(|r| r.used_at.is_none() && r.expires_at > self.clock.now())
            .ok_or_else(dead_link)?;
        let account = tx
            .account_by_id(record.account)
            .await?
            .ok_or_else(dead_link)?;
        Ok(account.login.to_string())
    }

    /// Sets a new password through the reset link of `token` (R1.4): the password rules of
    /// every password change apply; the link is spent and every session of the account
    /// ends, in one transaction. A link that is unknown, spent or expired is refused.
    pub async fn reset_password(&self, token: &str, new_password: &str) -> Result<Actor> {
        let password = Password::parse("password", new_password)?;
        let hash = password::hash(&password).await?;
        let token_hash = hash_token(token);
        let now = self.clock.now();
        let mut tx = self.store.write().await?;
        let record = tx
            .reset_by_hash(&token_hash)
            .await?
            .filter(|r| r.used_at.is_none() && r.expires_at > now)
            .ok_or_else(dead_link)?;
        let mut account = tx
            .account_by_id(record.account)
            .await?
            .ok_or_else(dead_link)?;
        if !account.is_active() {
            return Err(Error::forbidden(format!(
                "the account {} is suspended",
                account.login
            )));
        }
        password.check_differs_from("password", &account.login)?;
        if !tx.mark_reset_used(&token_hash, now).await? {
            return Err(dead_link());
        }
        account.password_hash = hash;
        account.updated_at = now;
        tx.update_account(&account).await?;
        tx.delete_sessions_of(account.id).await?;
        tx.delete_unused_resets_of(account.id).await?;
        tx.commit().await?;
        tracing::info!(login = %account.login, "password reset through a recovery link");
        Ok(Actor {
            id: account.id,
            kind: account.kind,
            login: account.login,
        })
    }
}

/// Whether `account` (active) may log in to the panel: a customer needs a subscription
/// (R1.3).
async fn can_log_in(tx: &mut dyn Tx, account: &berth_core::account::Account) -> Result<bool> {
    if account.kind != AccountKind::Customer {
        return Ok(true);
    }
    let query = SubscriptionQuery {
        scope: SubscriptionScope::All,
        owner: Some(account.id),
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
    Ok(!tx.list_subscriptions(&query).await?.is_empty())
}
