//! API keys and API access (REST API authentication): create, list, revoke; and the actor
//! of an HTTP request from its credentials (Basic login and password, or a Bearer key).
//!
//! Keys are `berth_` followed by 32 random bytes in hex. Only their SHA-256 is stored: a
//! slow password hash (Argon2) protects low-entropy secrets against guessing, but a
//! 256-bit random key cannot be guessed, so one fast hash is enough and keeps every API
//! request cheap.

use std::net::IpAddr;

use berth_core::account::AccountKind;
use berth_core::api_key::{self, ApiKey, KEY_PREFIX};
use berth_core::ip::IpAddress;
use berth_core::rights::Actor;
use berth_core::{Error, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{Berth, Mode, finish};

/// A key just created: the only time the key itself is shown.
#[derive(Debug, Clone, Serialize)]
pub struct CreatedApiKey {
    /// The key's id (to list and revoke it).
    pub id: Uuid,
    /// The key, for `Authorization: Bearer`; never shown again.
    pub key: String,
    /// The account it acts as.
    pub login: String,
    /// Source addresses it is accepted from; empty means any.
    pub ips: Vec<String>,
    /// Creation time.
    pub created: DateTime<Utc>,
}

/// A stored key as listed (without the key).
#[derive(Debug, Clone, Serialize)]
pub struct ApiKeyView {
    /// The key's id.
    pub id: Uuid,
    /// The account it acts as.
    pub login: String,
    /// Source addresses it is accepted from; empty means any.
    pub ips: Vec<String>,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Whether it was revoked.
    pub revoked: bool,
}

impl ApiKeyView {
    fn of(key: &ApiKey, login: &str) -> Self {
        ApiKeyView {
            id: key.id,
            login: login.to_owned(),
            ips: key.ips.iter().map(ToString::to_string).collect(),
            created: key.created_at,
            revoked: key.revoked,
        }
    }
}

/// What an HTTP request presents to prove who it is.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// HTTP Basic: login and password.
    Basic {
        /// Login.
        login: String,
        /// Password.
        password: String,
    },
    /// `Authorization: Bearer <key>`.
    Bearer(String),
}

/// Who an API request acts as, and with which key.
#[derive(Debug, Clone)]
pub struct ApiIdentity {
    /// The acting account.
    pub actor: Actor,
    /// The API key used (Bearer), if any.
    pub api_key: Option<Uuid>,
}

/// Why an API request gets no actor.
#[derive(Debug, Clone)]
pub enum AccessDenied {
    /// The credentials prove nobody (wrong password, unknown or revoked key, a key used
    /// from an address it is not allowed from, a suspended account): HTTP 401.
    Unauthenticated(Error),
    /// The account is known but may not use the API, or storage failed: its own code.
    Refused(Error),
}

/// The hex SHA-256 of a key.
fn hash_key(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Berth {
    /// Creates an API key acting as `actor`, optionally restricted to source addresses.
    pub async fn create_api_key(
        &self,
        actor: &Actor,
        ips: &[String],
        mode: Mode,
    ) -> Result<CreatedApiKey> {
        let ips = api_key::parse_ips("ip", ips)?;
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret)
            .map_err(|e| Error::failed(format!("no randomness for the key: {e}")))?;
        let key = format!(
            "{KEY_PREFIX}{}",
            secret
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        let record = ApiKey {
            id: self.new_id(),
            account: actor.id,
            hash: hash_key(&key),
            ips,
            created_at: self.clock.now(),
            revoked: false,
        };
        let mut tx = self.store.write().await?;
        tx.insert_api_key(&record).await?;
        // The key itself is never recorded: only its id and restrictions.
        let audit = [
            berth_core::audit::FieldChange::new(
                format!("api-key {}", record.id),
                "login",
                None,
                Some(actor.login.to_string()),
            ),
            berth_core::audit::FieldChange::new(
                format!("api-key {}", record.id),
                "ips",
                None,
                Some(key_ips(&record)),
            ),
        ];
        self.record_changes(&mut *tx, actor, "api-key create", &audit)
            .await?;
        finish(tx, mode).await?;
        let view = ApiKeyView::of(&record, actor.login.as_str());
        Ok(CreatedApiKey {
            id: view.id,
            key,
            login: view.login,
            ips: view.ips,
            created: view.created,
        })
    }

    /// The keys acting as `actor`, oldest first (revoked ones included).
    pub async fn list_api_keys(&self, actor: &Actor) -> Result<Vec<ApiKeyView>> {
        let mut tx = self.store.read().await?;
        let keys = tx.api_keys_of(actor.id).await?;
        Ok(keys
            .iter()
            .map(|k| ApiKeyView::of(k, actor.login.as_str()))
            .collect())
    }

    /// Revokes a key of `actor` (the admin may revoke anyone's). Another account's key is
    /// not found.
    pub async fn revoke_api_key(&self, actor: &Actor, id: &str, mode: Mode) -> Result<ApiKeyView> {
        let not_found = || Error::not_found("id", format!("no API key {id}"));
        let id = Uuid::parse_str(id.trim()).map_err(|_| not_found())?;
        let mut tx = self.store.write().await?;
        let key = tx.api_key_by_id(id).await?.ok_or_else(not_found)?;
        if key.account != actor.id && !actor.is_admin() {
            return Err(not_found());
        }
        if key.revoked {
            return Err(Error::conflict(
                Some("id"),
                format!("the API key {id} is already revoked"),
            ));
        }
        tx.revoke_api_key(id).await?;
        let audit = [berth_core::audit::FieldChange::new(
            format!("api-key {id}"),
            "revoked",
            Some("false".to_owned()),
            Some("true".to_owned()),
        )];
        self.record_changes(&mut *tx, actor, "api-key revoke", &audit)
            .await?;
        let login = tx
            .account_by_id(key.account)
            .await?
            .map(|a| a.login.to_string())
            .unwrap_or_default();
        finish(tx, mode).await?;
        Ok(ApiKeyView::of(
            &ApiKey {
                revoked: true,
                ..key
            },
            &login,
        ))
    }

    /// The actor of an API request from its credentials and source address. Suspended
    /// accounts and resellers without the `remote_access_interface` permission are refused.
    pub async fn api_actor(
        &self,
        credentials: Credentials,
        source: Option<IpAddr>,
    ) -> std::result::Result<ApiIdentity, AccessDenied> {
        let (actor, api_key) = match credentials {
            Credentials::Basic { login, password } => self
                .authenticate(&login, &password)
                .await
                .map_err(|e| match e.code {
                    berth_core::ErrorCode::Forbidden => AccessDenied::Unauthenticated(e),
                    _ => AccessDenied::Refused(e),
                })
                .map(|a| (a, None))?,
            Credentials::Bearer(key) => self.key_actor(&key, source).await?,
        };
        if actor.kind == AccountKind::Reseller {
            let mut tx = self
                .store
                .read()
                .await
                .map_err(|e| AccessDenied::Refused(e.into()))?;
            let profile = self
                .profile(&mut *tx, actor.id)
                .await
                .map_err(AccessDenied::Refused)?;
            if !profile.has("remote_access_interface") {
                return Err(AccessDenied::Refused(Error::forbidden(format!(
                    "the reseller {} may not use the API: it lacks the \
                     remote_access_interface permission",
                    actor.login
                ))));
            }
        }
        Ok(ApiIdentity { actor, api_key })
    }

    async fn key_actor(
        &self,
        key: &str,
        source: Option<IpAddr>,
    ) -> std::result::Result<(Actor, Option<Uuid>), AccessDenied> {
        let denied = |m: &str| AccessDenied::Unauthenticated(Error::forbidden(m));
        let refused = |e: berth_store::StoreError| AccessDenied::Refused(e.into());
        let mut tx = self.store.read().await.map_err(refused)?;
        let stored = tx
            .api_key_by_hash(&hash_key(key.trim()))
            .await
            .map_err(refused)?
            .ok_or_else(|| denied("unknown API key"))?;
        if stored.revoked {
            return Err(denied("this API key was revoked"));
        }
        let source =
            source.and_then(|s| IpAddress::parse("source", &s.to_canonical().to_string()).ok());
        if !stored.accepts(source.as_ref()) {
            return Err(denied("this API key is not allowed from this address"));
        }
        let account = tx
            .account_by_id(stored.account)
            .await
            .map_err(refused)?
            .ok_or_else(|| denied("unknown API key"))?;
        if !account.is_active() {
            return Err(denied(&format!(
                "the account {} is suspended",
                account.login
            )));
        }
        let actor = Actor {
            id: account.id,
            kind: account.kind,
            login: account.login,
        };
        Ok((actor, Some(stored.id)))
    }
}

/// A key's address restrictions as one value (`192.0.2.0/24,2001:db8::1`), empty for none.
fn key_ips(key: &ApiKey) -> String {
    key.ips
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}
