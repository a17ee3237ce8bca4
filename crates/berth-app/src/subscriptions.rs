//! Subscription use cases (SPEC §3): create, info, list, change plan and add-ons, customize
//! ("Update & Lock"), unlock ("Unlock & Sync"), sync with its conflict report, change
//! subscriber, renew, hosting settings, remove. Bulk verbs report per object; every
//! mutating verb has a dry run computed by the same code (R3.10).

use std::future::Future;

use berth_core::account::{AccountKind, Login, OwnerRef, Password};
use berth_core::domain::DomainName;
use berth_core::hosting::{
    PlanRef, Subscription, SubscriptionIp, SubscriptionQuery, SubscriptionScope, SubscriptionSort,
    SystemUser, can_view_subscription, check_manage_subscription, provider_of,
};
use berth_core::ip::{IpAddress, IpKind};
use berth_core::property::{Group, GroupedProperties, PlanType, Properties, parse_assignment};
use berth_core::query::{PAGE_DEFAULT, parse_page_size};
use berth_core::rights::Actor;
use berth_core::status::Status;
use berth_core::sync::{self, SyncState, check_customizable, conflicts_to_json, custom_defaults};
use berth_core::text::fold;
use berth_core::value::Value;
use berth_core::{Error, Result};
use berth_store::Tx;
use berth_store::hosting::{NewAuditRows, NewSubscriptionRows};
use chrono::{NaiveDate, Utc};
use serde::Serialize;
use sha_crypt::{PasswordHasher, ShaCrypt};
use uuid::Uuid;

use crate::plans::{Assignment, FieldChange, field_changes};
use crate::views::{BulkItem, Page, SuspensionView};
use crate::{Berth, Mode, Progress, finish, password};

/// A subscription as shown (CLI.md shape, plus every property group).
#[derive(Debug, Clone, Serialize)]
pub struct SubscriptionView {
    /// Stable id.
    pub id: Uuid,
    /// Domain name in Unicode.
    pub name: String,
    /// Domain name in punycode.
    pub ascii_name: String,
    /// `example.com (Plan)` or `example.com (Custom)`.
    pub display_name: String,
    /// Subscriber's login.
    pub owner: String,
    /// Service plan name, null when custom.
    pub plan: Option<String>,
    /// Add-on names.
    pub addons: Vec<String>,
    /// `synced`, `locked` or `unsynced`.
    pub sync_state: &'static str,
    /// `active` or `suspended`.
    pub status: &'static str,
    /// Why it is suspended.
    pub suspension_reasons: Vec<SuspensionView>,
    /// `YYYY-MM-DD` or null for unlimited.
    pub expiration: Option<NaiveDate>,
    /// Property groups (`limits`, `permissions`, `hosting`, ...).
    #[serde(flatten)]
    pub properties: GroupedProperties,
    /// Fields customized with "Update & Lock".
    pub customized: Vec<&'static str>,
    /// Whether usage exceeds a limit.
    pub overused: bool,
    /// The last measured disk and traffic usage (R6.1); null until the usage task ran.
    pub usage: Option<crate::usage::UsageSummary>,
    /// IP addresses.
    pub ips: Vec<String>,
    /// The system user.
    pub system_user: String,
    /// Conflict report `[{property, plan_value, available_value}]`.
    pub conflicts: serde_json::Value,
    /// Creation time.
    pub created: chrono::DateTime<Utc>,
    /// Last change.
    pub updated: chrono::DateTime<Utc>,
}

impl SubscriptionView {
    /// The view of a subscription.
    pub fn of(s: &Subscription) -> Self {
        Self::with_properties(s, s.props.clone())
    }

    /// The view of a subscription read for it alone (its properties move into the view).
    pub fn owned(mut s: Subscription) -> Self {
        let props = std::mem::take(&mut s.props);
        Self::with_properties(&s, props)
    }

    fn with_properties(s: &Subscription, props: Properties) -> Self {
        SubscriptionView {
            id: s.id,
            name: s.name.unicode().to_owned(),
            ascii_name: s.name.ascii().to_owned(),
            display_name: s.display_name(),
            owner: s.owner.login.to_string(),
            plan: s.plan.as_ref().map(|p| p.name.clone()),
            addons: s.addons.iter().map(|a| a.name.clone()).collect(),
            sync_state: s.sync_state.as_str(),
            status: s.status().as_str(),
            suspension_reasons: s
                .suspensions
                .iter()
                .map(|x| SuspensionView {
                    reason: x.reason.as_str(),
                    by: x.by.as_ref().map(ToString::to_string),
                    at: x.at,
                })
                .collect(),
            expiration: s.expiration,
            properties: GroupedProperties::new(props),
            customized: s.custom.keys().copied().collect(),
            overused: s.overused,
            usage: None,
            ips: s.ips.iter().map(|i| i.address.clone()).collect(),
            system_user: s.system_user.as_str().to_owned(),
            conflicts: conflicts_to_json(&s.conflicts),
            created: s.created_at,
            updated: s.updated_at,
        }
    }
}

/// A new subscription, as typed (R3.2).
#[derive(Debug, Clone, Default)]
pub struct NewSubscription {
    /// Main domain name.
    pub domain: String,
    /// Subscriber login; default: the actor (its own subscription).
    pub owner: Option<String>,
    /// Service plan name; none for a custom subscription.
    pub plan: Option<String>,
    /// Add-on plan names.
    pub addons: Vec<String>,
    /// IP addresses; default: the first shared IPv4 and IPv6 addresses.
    pub ips: Vec<String>,
    /// System user; default: derived from the domain.
    pub system_user: Option<String>,
    /// System user's password; generated when absent.
    pub system_password: Option<String>,
    /// "Customize now": `--limit` / `--perm` assignments.
    pub custom: Vec<Assignment>,
}

/// A new subscription, validated and with its system password hashed.
#[derive(Debug, Clone)]
pub(crate) struct PreparedSubscription {
    name: DomainName,
    custom: Properties,
    system_password: (Password, Option<String>),
    system_user: Option<SystemUser>,
    hash: String,
    input: NewSubscription,
}

/// Generated system passwords with their hashes, one made ahead of need (R3.1).
///
/// A generated password is hashed at [`GENERATED_PASSWORD_ROUNDS`] (about 0.3 ms of
/// CPU; a chosen one at the standard 5,000, about 1.4 ms). A creation
/// whose password is generated takes the one made ahead (normally ready) and starts the
/// next on a blocking thread, which then runs on another core while this creation does its
/// database work: back-to-back creations (a bulk import, an API client's loop) keep the
/// hash off their path. The first creation of a process makes its own and makes none
/// ahead, so a one-off creation (the CLI) hashes once, as before. The password is random
/// and used once; it stays in this process's memory until then, as any generated password
/// does. Concurrent creators share the one made ahead (whoever comes first); the others
/// make their own. The hash is always ready before the transaction opens: no lock is held
/// waiting on it.
#[derive(Debug, Default)]
pub(crate) struct GeneratedPasswords {
    next: std::sync::Mutex<Option<PendingPassword>>,
    warm: std::sync::atomic::AtomicBool,
}

/// A generated password and its hash, being made on a blocking thread.
type PendingPassword = tokio::task::JoinHandle<Result<(String, String)>>;

impl GeneratedPasswords {
    /// A fresh generated password and its hash; starts the next one from the second call.
    async fn take(&self) -> Result<(String, String)> {
        let ready = self.next.lock().map_or(None, |mut slot| slot.take());
        if self.warm.swap(true, std::sync::atomic::Ordering::Relaxed)
            && let Ok(mut slot) = self.next.lock()
            && slot.is_none()
        {
            *slot = Some(tokio::task::spawn_blocking(generate_with_hash));
        }
        let pending = ready.unwrap_or_else(|| tokio::task::spawn_blocking(generate_with_hash));
        pending
            .await
            .map_err(|_| Error::failed("system password hashing was interrupted"))?
    }
}

/// The length of a generated system password: 20 characters drawn uniformly from
/// [`password::generate`]'s 57 symbols, log2(57) × 20 ≈ 117 bits of entropy.
pub(crate) const GENERATED_PASSWORD_LEN: usize = 20;

/// SHA-512-crypt rounds for a generated system password: the scheme's minimum, 1,000.
///
/// Rounds (key stretching) multiply an attacker's cost per guess, which protects a
/// password a person chose, and a chosen password keeps the standard 5,000. A generated
/// one holds about 117 bits ([`GENERATED_PASSWORD_LEN`]): guessing it takes about 2^116
/// tries whatever the rounds, and 5,000 rounds instead of 1,000 would add log2(5) ≈ 2.3
/// bits to that. They would also cost about 1.1 ms of CPU more per creation, the largest
/// part of a creation's CPU (issue 10: 65% of the creation benchmark's process on a
/// profile), taken from the database on a 2-core server. The hash stays a standard
/// `$6$rounds=1000$…` that the system's `crypt(3)` verifies.
pub(crate) const GENERATED_PASSWORD_ROUNDS: u32 = sha_crypt::Params::ROUNDS_MIN;

/// A random system password of [`GENERATED_PASSWORD_LEN`] characters and its
/// SHA-512-crypt hash at [`GENERATED_PASSWORD_ROUNDS`].
fn generate_with_hash() -> Result<(String, String)> {
    let clear = password::generate(GENERATED_PASSWORD_LEN)?;
    let failed = || Error::failed("system password hashing failed");
    let params = sha_crypt::Params::new(GENERATED_PASSWORD_ROUNDS).map_err(|_| failed())?;
    let hash = ShaCrypt::new(sha_crypt::Algorithm::Sha512Crypt, params)
        .hash_password(clear.as_bytes())
        .map(|h| h.to_string())
        .map_err(|_| failed())?;
    Ok((clear, hash))
}

/// What creating a subscription returned.
#[derive(Debug, Clone, Serialize)]
pub struct CreatedSubscription {
    /// The subscription.
    #[serde(flatten)]
    pub subscription: SubscriptionView,
    /// The generated system password, shown once (absent when one was given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_password: Option<String>,
    /// Whether nothing was written.
    pub dry_run: bool,
}

/// What an operation on one subscription did (or would do).
#[derive(Debug, Clone, Serialize)]
pub struct Changed {
    /// The subscription after the change.
    #[serde(flatten)]
    pub subscription: SubscriptionView,
    /// Property fields that changed.
    pub changes: Vec<FieldChange>,
    /// Whether nothing was written.
    pub dry_run: bool,
}

/// A subscription list request, as typed (R1.9).
#[derive(Debug, Clone, Default)]
pub struct SubscriptionListRequest {
    /// Subscriber login.
    pub owner: Option<String>,
    /// Service plan name (of the actor, or of `owner`'s provider).
    pub plan: Option<String>,
    /// `active` or `suspended`.
    pub status: Option<String>,
    /// `synced`, `locked` or `unsynced`.
    pub sync_state: Option<String>,
    /// Only overused ones.
    pub overused: bool,
    /// Only expired ones.
    pub expired: bool,
    /// Text in the domain name.
    pub search: Option<String>,
    /// `FIELD[:desc]`.
    pub sort: Option<String>,
    /// Page size.
    pub limit: Option<u32>,
    /// Continue after this subscription (id or domain name).
    pub after: Option<String>,
}

/// Hosting settings to change (R3.8).
#[derive(Debug, Clone, Default)]
pub struct HostingChange {
    /// New IP addresses (replace the current ones).
    pub ips: Vec<String>,
    /// New system user.
    pub system_user: Option<String>,
    /// New system password.
    pub system_password: Option<String>,
}

/// SHA-512-crypt, the form a Unix user's password takes in /etc/shadow.
async fn system_password_hash(password: &Password) -> Result<String> {
    let clear = password.expose().to_owned();
    tokio::task::spawn_blocking(move || {
        ShaCrypt::SHA512
            .hash_password(clear.as_bytes())
            .map(|h| h.to_string())
            .map_err(|_| Error::failed("system password hashing failed"))
    })
    .await
    .map_err(|_| Error::failed("system password hashing was interrupted"))?
}

/// How many derived system users a creation looks up with its first read.
const FIRST_CANDIDATES: usize = 8;

/// The `n`th system user derived from `base` (`shop`, `shop2`, `shop3`, ...).
fn system_user_candidate(base: &str, n: usize) -> String {
    if n == 1 {
        base.to_owned()
    } else {
        format!("{}{n}", &base[..base.len().min(13)])
    }
}

/// The first `count` valid system users derived from a domain, in the order
/// `free_system_user` tries them.
fn system_user_candidates(domain: &DomainName, count: usize) -> Vec<String> {
    let base = SystemUser::suggest(domain);
    (1..=count)
        .filter_map(|n| SystemUser::parse("system_user", &system_user_candidate(&base, n)).ok())
        .map(|u| u.as_str().to_owned())
        .collect()
}

/// Runs `op` for each name, reporting per object (R1.9).
async fn each<T, F, Fut>(names: &[String], progress: &dyn Progress, mut op: F) -> Vec<BulkItem<T>>
where
    F: FnMut(String) -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut out = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        out.push(match op(name.clone()).await {
            Ok(result) => BulkItem {
                name: name.clone(),
                ok: true,
                error: None,
                result: Some(result),
            },
            Err(error) => BulkItem {
                name: name.clone(),
                ok: false,
                error: Some(error),
                result: None,
            },
        });
        progress.advance(i + 1, names.len());
    }
    out
}

fn parse_custom(assignments: &[Assignment]) -> Result<Properties> {
    let mut custom = Properties::new();
    for (group, raw) in assignments {
        if !matches!(group, Group::Limits | Group::Permissions) {
            return Err(Error::invalid(
                group.as_str(),
                "subscriptions customize only --limit and --perm (R3.5)",
            ));
        }
        let (d, value) = parse_assignment(*group, PlanType::Service, raw)?;
        check_customizable(d)?;
        custom.insert(d.name, value);
    }
    Ok(custom)
}

/// The login of the subscriber asked for in `field` (default: the actor).
fn subscriber_login(actor: &Actor, field: &str, login: Option<&str>) -> Result<Login> {
    match login {
        Some(raw) => Login::parse(field, raw),
        None => Ok(actor.login.clone()),
    }
}

/// The subscriber `account` (read by `login`) and its provider, when `actor` may give it
/// subscriptions: see [`Berth::subscriber`].
fn checked_subscriber(
    actor: &Actor,
    field: &str,
    login: &Login,
    account: Option<berth_core::account::Account>,
) -> Result<(OwnerRef, OwnerRef)> {
    let not_found = || Error::not_found(field, format!("no account {login} to hold subscriptions"));
    let account = account.ok_or_else(not_found)?;
    if !berth_core::rights::can_view(actor, &account) {
        return Err(not_found());
    }
    let subscriber = OwnerRef {
        id: account.id,
        login: account.login.clone(),
        kind: account.kind,
    };
    let provider = provider_of(&subscriber, account.owner.as_ref());
    check_manage_subscription(actor, &provider)?;
    Ok((subscriber, provider))
}

impl Berth {
    /// The provider of a subscriber: its owner for a customer, itself otherwise.
    pub(crate) async fn provider(
        &self,
        tx: &mut dyn Tx,
        subscriber: &OwnerRef,
    ) -> Result<OwnerRef> {
        if subscriber.kind != AccountKind::Customer {
            return Ok(subscriber.clone());
        }
        let account = tx
            .account_by_id(subscriber.id)
            .await?
            .ok_or_else(|| Error::failed("a subscription's owner vanished"))?;
        Ok(provider_of(subscriber, account.owner.as_ref()))
    }

    /// The subscription named `name` if the actor can see it, with its provider.
    pub(crate) async fn visible_subscription(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        name: &str,
    ) -> Result<(Subscription, OwnerRef)> {
        let domain = DomainName::parse("domain", name)?;
        let not_found = || Error::not_found("domain", format!("no subscription {domain}"));
        let sub = tx
            .subscription_by_name(domain.ascii())
            .await?
            .ok_or_else(not_found)?;
        let provider = self
            .visible_provider(tx, actor, &sub)
            .await?
            .ok_or_else(not_found)?;
        Ok((sub, provider))
    }

    /// The provider of `sub` when `actor` may see it (R11.2), `None` when it may not.
    async fn visible_provider(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        sub: &Subscription,
    ) -> Result<Option<OwnerRef>> {
        let provider = self.provider(tx, &sub.owner).await?;
        Ok(can_view_subscription(actor, &sub.owner, &provider).then_some(provider))
    }

    async fn manageable_subscription(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        name: &str,
    ) -> Result<(Subscription, OwnerRef)> {
        let (sub, provider) = self.visible_subscription(tx, actor, name).await?;
        check_manage_subscription(actor, &provider)?;
        Ok((sub, provider))
    }

    /// The subscriber named `login` that `actor` may give subscriptions to: a customer of
    /// the actor (admin: of anyone), or the actor's own account / a reseller for the admin.
    async fn subscriber(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        field: &str,
        login: Option<&str>,
    ) -> Result<(OwnerRef, OwnerRef)> {
        let login = subscriber_login(actor, field, login)?;
        // One statement (its suspensions joined).
        let account = tx.account_by_login_joined(&login).await?;
        checked_subscriber(actor, field, &login, account)
    }

    /// Resolves IP addresses for a subscriber: the given ones, or the first shared IPv4 and
    /// IPv6. A dedicated address serves one subscriber only (R7.5).
    pub(crate) async fn subscription_ips(
        &self,
        tx: &mut dyn Tx,
        subscriber: &OwnerRef,
        provider: &OwnerRef,
        raw: &[String],
        except: Option<Uuid>,
    ) -> Result<Vec<SubscriptionIp>> {
        let pool = match provider.kind {
            AccountKind::Reseller => Some(tx.pool_ips(provider.id).await?),
            _ => None,
        };
        self.subscription_ips_in(tx, subscriber, provider, pool, raw, except)
            .await
    }

    /// [`Self::subscription_ips`] with the provider's pool already read (`None` unless
    /// the provider is a reseller).
    async fn subscription_ips_in(
        &self,
        tx: &mut dyn Tx,
        subscriber: &OwnerRef,
        provider: &OwnerRef,
        pool: Option<Vec<berth_core::ip::IpRecord>>,
        raw: &[String],
        except: Option<Uuid>,
    ) -> Result<Vec<SubscriptionIp>> {
        let mut records = vec![];
        let pool = match pool {
            Some(pool) => {
                if pool.is_empty() {
                    return Err(Error::invalid(
                        "ip",
                        format!(
                            "{} has no IP address in its pool: no subscription without one (R4.5)",
                            provider.login
                        ),
                    ));
                }
                Some(pool)
            }
            None => None,
        };
        if raw.is_empty() {
            let all = match &pool {
                Some(pool) => pool.clone(),
                None => tx.list_ips().await?,
            };
            for family in [4, 6] {
                if let Some(ip) = all
                    .iter()
                    .find(|ip| ip.kind == IpKind::Shared && ip.address.family() == family)
                {
                    records.push(ip.clone());
                }
            }
            if records.is_empty() {
                return Err(Error::invalid(
                    "ip",
                    "no shared IP address is registered: add one with `berth ip add` or give --ip",
                ));
            }
        }
        for text in raw {
            let address = IpAddress::parse("ip", text)?;
            // A reseller's subscriptions see only its pool: an address outside it is not
            // found, whether the server has it or not (R4.5, R11.2).
            let record = match &pool {
                Some(pool) => pool
                    .iter()
                    .find(|p| p.address == address)
                    .cloned()
                    .ok_or_else(|| {
                        Error::not_found(
                            "ip",
                            format!(
                                "IP address {address} is not in {}'s IP pool (R4.5)",
                                provider.login
                            ),
                        )
                    })?,
                None => tx.ip_by_address(&address).await?.ok_or_else(|| {
                    Error::not_found("ip", format!("IP address {address} is not registered"))
                })?,
            };
            if !records
                .iter()
                .any(|r: &berth_core::ip::IpRecord| r.id == record.id)
            {
                records.push(record);
            }
        }
        for record in records.iter().filter(|r| r.kind == IpKind::Dedicated) {
            let users = tx.ip_subscribers(record.id.0).await?;
            let others: Vec<_> = users
                .iter()
                .filter(|u| **u != subscriber.id && Some(u.0) != except)
                .collect();
            if !others.is_empty() {
                return Err(Error::conflict(
                    Some("ip"),
                    format!(
                        "IP address {} is dedicated to another customer (R7.5)",
                        record.address
                    ),
                ));
            }
        }
        Ok(records
            .into_iter()
            .map(|r| SubscriptionIp {
                id: r.id.0,
                address: r.address.to_string(),
                dedicated: r.kind == IpKind::Dedicated,
            })
            .collect())
    }

    /// Recomputes a subscription's properties from its plans, customization and what can
    /// be provided (R3.3–R3.5).
    pub(crate) async fn resync(&self, tx: &mut dyn Tx, sub: &mut Subscription) -> Result<()> {
        let Some(plan) = &sub.plan else {
            sub.sync_state = SyncState::Synced;
            sub.conflicts.clear();
            return Ok(());
        };
        let mut ids = vec![plan.id];
        ids.extend(sub.addons.iter().map(|a| a.id));
        let plans = tx.plans_by_ids(&ids).await?;
        let props_of = |id: Uuid| plans.iter().find(|p| p.id == id).map(|p| &p.props);
        let service =
            props_of(plan.id).ok_or_else(|| Error::failed("the subscription's plan vanished"))?;
        let addons: Vec<&Properties> = sub.addons.iter().filter_map(|a| props_of(a.id)).collect();
        let provider = self.provider(tx, &sub.owner).await?;
        let profile = self.provider_profile(tx, &provider).await?;
        let caps = self.capabilities_for(profile.as_ref(), sub.ips.iter().any(|i| i.dedicated));
        match sync::resolve(
            Some((service, &addons)),
            &sub.custom,
            self.settings.lock_scope,
            &caps,
        ) {
            Some(r) => {
                sub.props = sync::apply(&sub.props, &r);
                sub.sync_state = r.state;
                sub.conflicts = r.conflicts;
            }
            None => {
                let (values, conflicts) = sync::customized_values(&sub.props, &sub.custom, &caps);
                sub.props = values;
                sub.sync_state = if conflicts.is_empty() {
                    SyncState::Locked
                } else {
                    SyncState::Unsynced
                };
                sub.conflicts = conflicts;
            }
        }
        Ok(())
    }

    /// Puts `fields` back to what the subscription's plans give them (released
    /// customizations return to the plan, R3.5).
    async fn reset_to_plan(
        &self,
        tx: &mut dyn Tx,
        sub: &mut Subscription,
        fields: &[&'static str],
    ) -> Result<()> {
        let Some(plan) = &sub.plan else { return Ok(()) };
        let mut ids = vec![plan.id];
        ids.extend(sub.addons.iter().map(|a| a.id));
        let plans = tx.plans_by_ids(&ids).await?;
        let props_of = |id: Uuid| plans.iter().find(|p| p.id == id).map(|p| &p.props);
        let service =
            props_of(plan.id).ok_or_else(|| Error::failed("the subscription's plan vanished"))?;
        let addons: Vec<&Properties> = sub.addons.iter().filter_map(|a| props_of(a.id)).collect();
        let planned = sync::plan_values(service, &addons);
        for field in fields {
            if let Some(value) = planned.get(field) {
                sub.props.insert(field, value.clone());
            }
        }
        Ok(())
    }

    /// Creates a subscription (R3.1, R3.2).
    pub async fn create_subscription(
        &self,
        actor: &Actor,
        input: NewSubscription,
        mode: Mode,
    ) -> Result<CreatedSubscription> {
        let prepared = self.prepare_subscription(input).await?;
        let mut tx = self.store.write().await?;
        let created = self
            .insert_subscription_in(&mut *tx, actor, prepared, mode)
            .await?;
        finish(tx, mode).await?;
        Ok(created)
    }

    /// Validates a new subscription and hashes its system password, before any
    /// transaction opens (a generated one was normally hashed ahead: see
    /// [`GeneratedPasswords`]).
    pub(crate) async fn prepare_subscription(
        &self,
        input: NewSubscription,
    ) -> Result<PreparedSubscription> {
        let name = DomainName::parse("domain", &input.domain)?;
        let custom = parse_custom(&input.custom)?;
        if input.plan.is_none() && !input.addons.is_empty() {
            return Err(Error::invalid(
                "addon",
                "add-ons only add to a service plan (R2.5): give --plan",
            ));
        }
        let system_user = input
            .system_user
            .as_deref()
            .map(|u| SystemUser::parse("system_user", u))
            .transpose()?;
        let (system_password, hash) = match &input.system_password {
            Some(p) => {
                let given = Password::parse("system_password", p)?;
                let hash = system_password_hash(&given).await?;
                ((given, None), hash)
            }
            None => {
                let (generated, hash) = self.generated_passwords.take().await?;
                (
                    (
                        Password::parse("system_password", &generated)?,
                        Some(generated),
                    ),
                    hash,
                )
            }
        };

        Ok(PreparedSubscription {
            name,
            custom,
            system_password,
            system_user,
            hash,
            input,
        })
    }

    /// Writes a prepared subscription inside `tx`, with its rights, plan, IP and admission
    /// checks.
    pub(crate) async fn insert_subscription_in(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        prepared: PreparedSubscription,
        mode: Mode,
    ) -> Result<CreatedSubscription> {
        let PreparedSubscription {
            name,
            custom,
            system_password,
            system_user,
            hash,
            input,
        } = prepared;
        let login = subscriber_login(actor, "owner", input.owner.as_deref())?;
        // The first derived system users are looked up with the rest (when none was given).
        let candidates = match &system_user {
            Some(_) => vec![],
            None => system_user_candidates(&name, FIRST_CANDIDATES),
        };
        // One read: the subscriber with its suspensions, its reseller's IP pool and
        // profile, the DNS template, and whether the domain and those names are taken.
        // The subscriber is checked first, as if read alone.
        let (account, context) = tx
            .subscriber_and_creation_context(&login, name.ascii(), &candidates)
            .await?;
        let (subscriber, provider) = checked_subscriber(actor, "owner", &login, account)?;
        let reseller = (provider.kind == AccountKind::Reseller).then_some(provider.id);
        let taken = context.taken;
        if taken.domain {
            return Err(Error::conflict(
                Some("domain"),
                format!("{name} already exists: domain names are unique on the server (R7.1)"),
            ));
        }
        let plan = match &input.plan {
            Some(p) => Some(
                self.find_plan(tx, &provider, Some(PlanType::Service), "plan", p)
                    .await?,
            ),
            None => None,
        };
        let mut addons = vec![];
        for a in &input.addons {
            let addon = self
                .find_plan(tx, &provider, Some(PlanType::Addon), "addon", a)
                .await?;
            if addons
                .iter()
                .any(|x: &berth_core::hosting::Plan| x.id == addon.id)
            {
                return Err(Error::invalid(
                    "addon",
                    format!("add-on {a:?} is given twice: each add-on at most once (R2.5)"),
                ));
            }
            addons.push(addon);
        }
        let pool = reseller.map(|_| context.pool);
        let ips = self
            .subscription_ips_in(tx, &subscriber, &provider, pool, &input.ips, None)
            .await?;
        let system_user = match system_user {
            Some(u) => u,
            None => {
                self.free_system_user(tx, &name, &candidates, &taken.system_users)
                    .await?
            }
        };
        let now = self.clock.now();
        // As `provider_profile`: one never written is a custom reseller with the defaults.
        let profile = reseller.map(|_| {
            context
                .profile
                .unwrap_or_else(|| berth_core::reseller::ResellerProfile::custom(Properties::new()))
        });
        let caps = self.capabilities_for(profile.as_ref(), ips.iter().any(|i| i.dedicated));
        let (props, custom_kept, conflicts, sync_state, expiration) = match &plan {
            Some(plan) => {
                let addon_props: Vec<&Properties> = addons.iter().map(|a| &a.props).collect();
                let (values, conflicts, state) = sync::initial_values(
                    &plan.props,
                    &addon_props,
                    &custom,
                    self.settings.lock_scope,
                    &caps,
                );
                let validity = match plan.props.get("expiration") {
                    Some(Value::Period(p)) => p.after(now.date_naive()),
                    _ => None,
                };
                (values, custom, conflicts, state, validity)
            }
            None => {
                let (values, conflicts) =
                    sync::customized_values(&custom_defaults(), &custom, &caps);
                let state = if conflicts.is_empty() {
                    SyncState::Synced
                } else {
                    SyncState::Unsynced
                };
                (values, Properties::new(), conflicts, state, None)
            }
        };
        let sub = Subscription {
            id: self.new_id(),
            name,
            owner: subscriber,
            plan: plan.as_ref().map(|p| PlanRef {
                id: p.id,
                name: p.name.as_str().to_owned(),
            }),
            addons: addons
                .iter()
                .map(|a| PlanRef {
                    id: a.id,
                    name: a.name.as_str().to_owned(),
                })
                .collect(),
            sync_state,
            props,
            custom: custom_kept,
            conflicts,
            ips,
            system_user,
            system_password_hash: hash,
            expiration,
            overused: false,
            suspensions: vec![],
            created_at: now,
            updated_at: now,
        };
        self.admit_allocation_with(tx, actor, &provider, profile.as_ref(), &sub.props, None)
            .await?;
        // The row, its links, its main domain, its zone and its provisioning job: one
        // store call (R3.2, R7.1, R7.4, R9.3).
        let zone = self.new_main_zone(&sub, &context.template)?;
        let audit = plan_values_implied(&sub, berth_core::audit::diff(None, Some(&sub)));
        let entry = self.audit_entry_for(actor, "subscription create", &audit);
        // Its audit entry and field changes go with the rest: one round trip.
        tx.insert_new_subscription(&NewSubscriptionRows {
            subscription: &sub,
            zone: &zone,
            job: self.new_id(),
            queued_at: self.clock.now(),
            audit: entry.as_ref().map(|(entry, first_seq)| NewAuditRows {
                entry,
                first_seq: *first_seq,
                changes: &audit,
            }),
        })
        .await?;
        if mode == Mode::Apply {
            tracing::info!(actor = %actor.login, subscription = %sub.name, "subscription created");
        }
        Ok(CreatedSubscription {
            subscription: SubscriptionView::of(&sub),
            system_password: system_password.1,
            dry_run: mode == Mode::DryRun,
        })
    }

    /// A free system user name derived from the domain (`shop`, `shop2`, ...). The
    /// `checked` candidates were already looked up (`taken` are those in use); the others
    /// are looked up one by one.
    async fn free_system_user(
        &self,
        tx: &mut dyn Tx,
        domain: &DomainName,
        checked: &[String],
        taken: &[String],
    ) -> Result<SystemUser> {
        let base = SystemUser::suggest(domain);
        for n in 1..1000 {
            let candidate = system_user_candidate(&base, n);
            let Ok(user) = SystemUser::parse("system_user", &candidate) else {
                continue;
            };
            let in_use = if checked.iter().any(|c| c == user.as_str()) {
                taken.iter().any(|t| t == user.as_str())
            } else {
                tx.system_user_taken(user.as_str()).await?
            };
            if !in_use {
                return Ok(user);
            }
        }
        Err(Error::invalid(
            "system_user",
            "no free system user could be derived: give --system-user",
        ))
    }

    /// One subscription (R11.2: another provider's is not found).
    pub async fn subscription_info(&self, actor: &Actor, name: &str) -> Result<SubscriptionView> {
        let mut tx = self.store.read().await?;
        let (sub, _) = self.visible_subscription(&mut *tx, actor, name).await?;
        let id = sub.id;
        let mut view = SubscriptionView::owned(sub);
        view.usage = crate::usage::summaries(&mut *tx, &[id]).await?.remove(&id);
        Ok(view)
    }

    /// A page of the subscriptions the actor may see (R1.9).
    pub async fn list_subscriptions(
        &self,
        actor: &Actor,
        request: SubscriptionListRequest,
    ) -> Result<Page<SubscriptionView>> {
        let (sort, descending) = match request.sort.as_deref() {
            Some(s) => SubscriptionSort::parse("sort", s)?,
            None => (SubscriptionSort::Name, false),
        };
        let limit = parse_page_size("limit", request.limit.unwrap_or(PAGE_DEFAULT))?;
        let status = request
            .status
            .as_deref()
            .map(|s| Status::parse("status", s))
            .transpose()?;
        let sync_state = request
            .sync_state
            .as_deref()
            .map(|s| SyncState::parse("sync_state", s))
            .transpose()?;
        let mut tx = self.store.read().await?;
        let scope = SubscriptionScope::of(actor);
        let owner = match request.owner.as_deref() {
            Some(raw) => {
                let login = Login::parse("owner", raw)?;
                let account = tx.account_by_login(&login).await?;
                match account {
                    Some(a) if berth_core::rights::can_view(actor, &a) => Some(a),
                    _ => return Err(Error::not_found("owner", format!("no account {login}"))),
                }
            }
            None => None,
        };
        let plan = match request.plan.as_deref() {
            Some(name) => {
                let provider_login = owner.as_ref().and_then(|o| match o.kind {
                    AccountKind::Customer => o.owner.as_ref().map(|p| p.login.to_string()),
                    _ => Some(o.login.to_string()),
                });
                let provider = self
                    .plan_owner(&mut *tx, actor, provider_login.as_deref())
                    .await?;
                Some(
                    self.find_plan(&mut *tx, &provider, Some(PlanType::Service), "plan", name)
                        .await?
                        .id,
                )
            }
            None => None,
        };
        let after = match request.after.as_deref() {
            None => None,
            Some(cursor) => Some(match Uuid::parse_str(cursor.trim()) {
                Ok(id) => {
                    let gone = || {
                        Error::not_found(
                            "after",
                            format!("no subscription {cursor} to continue after"),
                        )
                    };
                    // The cursor row is read once: its visibility is decided on it.
                    let sub = tx.subscription_by_id(id).await?.ok_or_else(gone)?;
                    self.visible_provider(&mut *tx, actor, &sub)
                        .await?
                        .ok_or_else(gone)?;
                    sub.id
                }
                Err(_) => {
                    self.visible_subscription(&mut *tx, actor, cursor)
                        .await
                        .map_err(|e| e.with_field("after"))?
                        .0
                        .id
                }
            }),
        };
        let query = SubscriptionQuery {
            scope,
            owner: owner.map(|o| o.id),
            plan,
            status,
            sync_state,
            overused: request.overused,
            expired_on: request.expired.then(|| self.clock.now().date_naive()),
            search: request
                .search
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(fold),
            sort,
            descending,
            after,
            limit: limit + 1,
        };
        let mut rows = tx.list_subscriptions(&query).await?;
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next = if more {
            rows.last().map(|s| s.id.to_string())
        } else {
            None
        };
        let ids: Vec<Uuid> = rows.iter().map(|s| s.id).collect();
        let mut usage = crate::usage::summaries(&mut *tx, &ids).await?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(|s| SubscriptionView {
                    usage: usage.remove(&s.id),
                    ..SubscriptionView::owned(s)
                })
                .collect(),
            next,
        })
    }

    /// Runs one change on one manageable subscription in its own transaction and reports
    /// what changed.
    async fn change_one<F>(
        &self,
        actor: &Actor,
        name: &str,
        mode: Mode,
        change: F,
    ) -> Result<Changed>
    where
        F: for<'a> FnOnce(
            &'a Berth,
            &'a mut dyn Tx,
            &'a mut Subscription,
            &'a OwnerRef,
        )
            -> std::pin::Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>>,
    {
        let mut tx = self.store.write().await?;
        let (mut sub, provider) = self.manageable_subscription(&mut *tx, actor, name).await?;
        let before = sub.props.clone();
        let original = sub.clone();
        change(self, &mut *tx, &mut sub, &provider).await?;
        if sub.props != before {
            self.admit_allocation(&mut *tx, actor, &provider, &sub.props, Some(&before))
                .await?;
        }
        sub.updated_at = self.clock.now();
        tx.update_subscription(&sub).await?;
        let audit = berth_core::audit::diff(Some(&original), Some(&sub));
        self.record_changes(&mut *tx, actor, "subscription change", &audit)
            .await?;
        self.queue_provision(&mut *tx, &[sub.id]).await?;
        for ip in sub.ips.iter().filter(|i| i.dedicated) {
            if tx.ip_subscribers(ip.id).await?.len() > 1 {
                return Err(Error::conflict(
                    Some("ip"),
                    format!(
                        "IP address {} is dedicated to another customer (R7.5)",
                        ip.address
                    ),
                ));
            }
        }
        finish(tx, mode).await?;
        Ok(Changed {
            changes: field_changes(&before, &sub.props),
            subscription: SubscriptionView::of(&sub),
            dry_run: mode == Mode::DryRun,
        })
    }

    /// Switches subscriptions to another service plan of their provider, or detaches them
    /// (`plan` = `None`) keeping their current values as custom ones (R3.6). A new plan
    /// replaces customizations.
    pub async fn change_plan(
        &self,
        actor: &Actor,
        names: &[String],
        plan: Option<&str>,
        mode: Mode,
        progress: &dyn Progress,
    ) -> Vec<BulkItem<Changed>> {
        let plan = plan.map(str::to_owned);
        each(names, progress, |name| {
            let plan = plan.clone();
            async move {
                self.change_one(actor, &name, mode, |app, tx, sub, provider| {
                    Box::pin(async move {
                        match plan {
                            Some(p) => {
                                let plan = app
                                    .find_plan(tx, provider, Some(PlanType::Service), "plan", &p)
                                    .await?;
                                sub.plan = Some(PlanRef {
                                    id: plan.id,
                                    name: plan.name.as_str().to_owned(),
                                });
                            }
                            None => {
                                sub.plan = None;
                                sub.addons.clear();
                            }
                        }
                        sub.custom.clear();
                        app.resync(tx, sub).await
                    })
                })
                .await
            }
        })
        .await
    }

    /// Adds an add-on of the provider to subscriptions (R2.5, R3.6).
    pub async fn add_addon(
        &self,
        actor: &Actor,
        names: &[String],
        addon: &str,
        mode: Mode,
        progress: &dyn Progress,
    ) -> Vec<BulkItem<Changed>> {
        each(names, progress, |name| {
            let addon = addon.to_owned();
            async move {
            self.change_one(actor, &name, mode, |app, tx, sub, provider| {
                Box::pin(async move {
                    if sub.plan.is_none() {
                        return Err(Error::invalid("addon", "add-ons only add to a service plan (R2.5): this subscription is custom"));
                    }
                    let plan = app.find_plan(tx, provider, Some(PlanType::Addon), "addon", &addon).await?;
                    if sub.addons.iter().any(|a| a.id == plan.id) {
                        return Err(Error::conflict(Some("addon"), format!("{} already has the add-on {addon:?}", sub.name)));
                    }
                    sub.addons.push(PlanRef { id: plan.id, name: plan.name.as_str().to_owned() });
                    app.resync(tx, sub).await
                })
            })
            .await
            }
        })
        .await
    }

    /// Removes an add-on from subscriptions (R3.6).
    pub async fn remove_addon(
        &self,
        actor: &Actor,
        names: &[String],
        addon: &str,
        mode: Mode,
        progress: &dyn Progress,
    ) -> Vec<BulkItem<Changed>> {
        each(names, progress, |name| {
            let addon = addon.to_owned();
            async move {
                self.change_one(actor, &name, mode, |app, tx, sub, _| {
                    Box::pin(async move {
                        let before = sub.addons.len();
                        sub.addons.retain(|a| fold(&a.name) != fold(addon.trim()));
                        if sub.addons.len() == before {
                            return Err(Error::not_found(
                                "addon",
                                format!("{} has no add-on {addon:?}", sub.name),
                            ));
                        }
                        app.resync(tx, sub).await
                    })
                })
                .await
            }
        })
        .await
    }

    /// "Update & Lock" (R3.5): customizes limits and permissions; the subscription keeps its
    /// plans but plan changes skip it (or, with `lock_scope = field`, skip those fields).
    pub async fn customize(
        &self,
        actor: &Actor,
        name: &str,
        assignments: &[Assignment],
        mode: Mode,
    ) -> Result<Changed> {
        let custom = parse_custom(assignments)?;
        if custom.is_empty() {
            return Err(Error::invalid(
                "limit",
                "give at least one --limit or --perm to customize",
            ));
        }
        self.change_one(actor, name, mode, |app, tx, sub, _| {
            Box::pin(async move {
                if sub.plan.is_none() {
                    let caps = app.capabilities_for(None, sub.ips.iter().any(|i| i.dedicated));
                    let (values, conflicts) = sync::customized_values(&sub.props, &custom, &caps);
                    sub.props = values;
                    sub.sync_state = if conflicts.is_empty() {
                        SyncState::Synced
                    } else {
                        SyncState::Unsynced
                    };
                    sub.conflicts = conflicts;
                    return Ok(());
                }
                sub.custom.extend(custom);
                app.resync(tx, sub).await
            })
        })
        .await
    }

    /// "Unlock & Sync" (R3.5): releases all customized fields, or only `fields`, and syncs.
    pub async fn unlock(
        &self,
        actor: &Actor,
        names: &[String],
        fields: &[String],
        mode: Mode,
        progress: &dyn Progress,
    ) -> Vec<BulkItem<Changed>> {
        each(names, progress, |name| {
            let fields = fields.to_vec();
            async move {
                self.change_one(actor, &name, mode, |app, tx, sub, _| {
                    Box::pin(async move {
                        let mut released = vec![];
                        if fields.is_empty() {
                            released.extend(std::mem::take(&mut sub.custom).into_keys());
                        }
                        for field in &fields {
                            let field = field.trim();
                            match sub.custom.remove_entry(field) {
                                Some((name, _)) => released.push(name),
                                None => {
                                    return Err(Error::invalid(
                                        "field",
                                        format!("{field} is not customized on {}", sub.name),
                                    ));
                                }
                            }
                        }
                        app.reset_to_plan(tx, sub, &released).await?;
                        app.resync(tx, sub).await
                    })
                })
                .await
            }
        })
        .await
    }

    /// Retries the sync and returns the conflict report (R3.4); with `accept` the
    /// subscription takes the available values as its own (they become customized fields,
    /// so it is locked and no longer unsynced).
    pub async fn sync_subscription(
        &self,
        actor: &Actor,
        name: &str,
        accept: bool,
        mode: Mode,
    ) -> Result<Changed> {
        self.change_one(actor, name, mode, |app, tx, sub, _| {
            Box::pin(async move {
                app.resync(tx, sub).await?;
                if accept && sub.sync_state == SyncState::Unsynced {
                    for c in std::mem::take(&mut sub.conflicts) {
                        sub.custom.insert(c.property, c.available_value);
                    }
                    sub.sync_state = SyncState::Locked;
                }
                Ok(())
            })
        })
        .await
    }

    /// Reassigns subscriptions to another customer of the same provider, or to the provider
    /// itself (R3.7): they become custom, keeping their current values.
    pub async fn change_subscriber(
        &self,
        actor: &Actor,
        names: &[String],
        to: &str,
        mode: Mode,
        progress: &dyn Progress,
    ) -> Vec<BulkItem<Changed>> {
        each(names, progress, |name| {
            let (to, me) = (to.to_owned(), actor.clone());
            async move {
                self.change_one(actor, &name, mode, |app, tx, sub, provider| {
                    Box::pin(async move {
                        let (target, target_provider) =
                            app.subscriber(tx, &me, "to", Some(&to)).await?;
                        if target_provider.id != provider.id {
                            return Err(Error::invalid(
                                "to",
                                format!(
                                    "{} is not a customer of {}, who provides {}",
                                    target.login, provider.login, sub.name
                                ),
                            ));
                        }
                        if target.id == sub.owner.id {
                            return Err(Error::invalid(
                                "to",
                                format!("{} already holds {}", target.login, sub.name),
                            ));
                        }
                        sub.owner = target;
                        sub.plan = None;
                        sub.addons.clear();
                        sub.custom.clear();
                        sub.conflicts.clear();
                        sub.sync_state = SyncState::Synced;
                        Ok(())
                    })
                })
                .await
            }
        })
        .await
    }

    /// Sets a new expiration date, or none (R3.8).
    pub async fn renew(
        &self,
        actor: &Actor,
        name: &str,
        expiration: &str,
        mode: Mode,
    ) -> Result<Changed> {
        let text = expiration.trim();
        let date = if text.eq_ignore_ascii_case("unlimited") || text == "-1" {
            None
        } else {
            Some(NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
                Error::invalid(
                    "expiration",
                    "expiration must be a date YYYY-MM-DD or unlimited",
                )
            })?)
        };
        self.change_one(actor, name, mode, |_, _, sub, _| {
            Box::pin(async move {
                sub.expiration = date;
                Ok(())
            })
        })
        .await
    }

    /// Changes hosting settings: IP addresses, system user, system password (R3.8).
    pub async fn set_hosting(
        &self,
        actor: &Actor,
        name: &str,
        change: HostingChange,
        mode: Mode,
    ) -> Result<Changed> {
        if change.ips.is_empty() && change.system_user.is_none() && change.system_password.is_none()
        {
            return Err(Error::invalid(
                "ip",
                "give --ip, --system-user or --system-password",
            ));
        }
        let user = change
            .system_user
            .as_deref()
            .map(|u| SystemUser::parse("system_user", u))
            .transpose()?;
        let hash = match change.system_password.as_deref() {
            Some(p) => Some(system_password_hash(&Password::parse("system_password", p)?).await?),
            None => None,
        };
        let ips = change.ips.clone();
        self.change_one(actor, name, mode, |app, tx, sub, provider| {
            Box::pin(async move {
                if !ips.is_empty() {
                    sub.ips = app
                        .subscription_ips(tx, &sub.owner.clone(), provider, &ips, None)
                        .await?;
                    app.resync(tx, sub).await?;
                    app.refresh_subscription_zones(tx, sub).await?;
                }
                if let Some(user) = user
                    && user != sub.system_user
                {
                    if tx.system_user_taken(user.as_str()).await? {
                        return Err(Error::conflict(
                            Some("system_user"),
                            format!("system user {} is taken", user.as_str()),
                        ));
                    }
                    sub.system_user = user;
                }
                if let Some(hash) = hash {
                    sub.system_password_hash = hash;
                }
                Ok(())
            })
        })
        .await
    }

    /// Removes subscriptions (R3.8), each in its own transaction.
    pub async fn remove_subscriptions(
        &self,
        actor: &Actor,
        names: &[String],
        mode: Mode,
        progress: &dyn Progress,
    ) -> Vec<BulkItem<SubscriptionView>> {
        each(names, progress, |name| async move {
            let mut tx = self.store.write().await?;
            let (sub, _) = self.manageable_subscription(&mut *tx, actor, &name).await?;
            tx.delete_subscription(sub.id).await?;
            let audit = plan_values_implied(&sub, berth_core::audit::diff(Some(&sub), None));
            self.record_changes(&mut *tx, actor, "subscription remove", &audit)
                .await?;
            self.queue_provision(&mut *tx, &[sub.id]).await?;
            finish(tx, mode).await?;
            Ok(SubscriptionView::of(&sub))
        })
        .await
    }
}

/// The changes of a subscription created or removed, without the property values its
/// service plan gives (they are the plan's, recorded with the plan): a creation over
/// 100,000 subscriptions stays a handful of rows each. Custom subscriptions keep them.
fn plan_values_implied(
    sub: &Subscription,
    changes: Vec<berth_core::audit::FieldChange>,
) -> Vec<berth_core::audit::FieldChange> {
    if sub.plan.is_none() {
        return changes;
    }
    changes
        .into_iter()
        .filter(|c| !c.field.contains('.') || c.field.starts_with("custom."))
        .collect()
}

#[cfg(test)]
mod tests {
    use sha_crypt::{PasswordHashRef, PasswordVerifier};

    use super::*;

    #[tokio::test]
    async fn r3_1_a_chosen_system_password_keeps_the_standard_sha512_crypt_rounds() {
        let chosen = Password::parse("system_password", "Chosen-by-a-person-1").unwrap();
        let hash = system_password_hash(&chosen).await.unwrap();
        assert!(hash.starts_with("$6$"), "{hash}");
        assert!(
            !hash.contains("rounds=") || hash.contains("rounds=5000$"),
            "5,000 rounds (the default, written or implied): {hash}"
        );
        ShaCrypt::SHA512
            .verify_password(
                chosen.expose().as_bytes(),
                PasswordHashRef::new(&hash).unwrap(),
            )
            .expect("the hash is the password's");
    }

    #[tokio::test]
    async fn r3_1_generated_system_passwords_made_ahead_are_fresh_and_hashed_with_sha512_crypt() {
        let stock = GeneratedPasswords::default();
        let mut seen = vec![];
        for _ in 0..3 {
            let (clear, hash) = stock.take().await.unwrap();
            assert_eq!(clear.len(), GENERATED_PASSWORD_LEN);
            assert!(hash.starts_with("$6$rounds=1000$"), "{hash}");
            ShaCrypt::SHA512
                .verify_password(clear.as_bytes(), PasswordHashRef::new(&hash).unwrap())
                .expect("the hash is the password's");
            assert!(!seen.contains(&clear), "each password is used once");
            seen.push(clear);
        }
        assert!(
            stock.next.lock().unwrap().is_some(),
            "after the first creation, the next password is made ahead"
        );
    }
}
