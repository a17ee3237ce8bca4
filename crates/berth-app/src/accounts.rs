//! Account use cases (SPEC §1, R11.2): init, create, update, info, list, remove.

use berth_core::account::{
    Account, AccountId, AccountKind, ContactInput, Email, Login, OwnerRef, Password,
    parse_description, parse_external_id,
};
use berth_core::query::{AccountQuery, AccountSort, PAGE_DEFAULT, parse_page_size};
use berth_core::rights::{self, AccountChange, Actor};
use berth_core::status::Status;
use berth_core::text::fold;
use berth_core::{Error, Result};
use berth_store::{StoreError, Tx};
use serde::Serialize;
use uuid::Uuid;

use crate::resellers::{ResellerTerms, ResellerView};
use crate::views::{AccountView, BulkItem, Page};
use crate::{Berth, Mode, Progress, finish, password};
use berth_core::reseller::ResellerProfile;

/// Length of the admin password `berth init` generates.
pub const GENERATED_PASSWORD_LEN: usize = 20;

/// What `berth init` did.
#[derive(Debug, Clone, Serialize)]
pub struct InitOutcome {
    /// The built-in admin account.
    pub admin: AccountView,
    /// The generated password, when none was given. Shown once, never stored in clear.
    pub generated_password: Option<String>,
}

/// A new reseller or customer, as typed.
#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    /// Login (R1.2).
    pub login: String,
    /// Password in clear (hashed before anything is stored).
    pub password: String,
    /// Contact data; name and email are required.
    pub contact: ContactInput,
    /// Owner-side note.
    pub description: Option<String>,
    /// Identifier in an external system.
    pub external_id: Option<String>,
    /// Owner's login (customers only); defaults to the actor.
    pub owner: Option<String>,
    /// A reseller's plan and limits (resellers only).
    pub reseller: ResellerTerms,
}

/// A new account, validated and with its password hashed, ready to be written.
#[derive(Debug, Clone)]
pub(crate) struct PreparedAccount {
    kind: AccountKind,
    login: Login,
    hash: berth_core::account::PasswordHash,
    contact: berth_core::account::Contact,
    description: Option<String>,
    external_id: Option<String>,
    owner_login: Login,
    reseller: ResellerTerms,
}

/// Changes to an account, as typed; `None` leaves a field unchanged.
#[derive(Debug, Clone, Default)]
pub struct AccountUpdate {
    /// New login (R1.4).
    pub new_login: Option<String>,
    /// New password (R1.4).
    pub password: Option<String>,
    /// Contact fields to change (an empty string clears an optional one).
    pub contact: ContactInput,
    /// New description; empty clears it.
    pub description: Option<String>,
    /// New external id; empty clears it.
    pub external_id: Option<String>,
}

/// What an update did.
#[derive(Debug, Clone, Serialize)]
pub struct UpdateOutcome {
    /// The account after the change (or as it would be, in a dry run).
    pub account: AccountView,
    /// Names of the fields that changed.
    pub changed: Vec<&'static str>,
    /// Said when login details changed (R1.4): nothing was sent to anyone.
    pub notice: Option<String>,
    /// Whether this was a dry run (nothing written).
    pub dry_run: bool,
}

/// What removing one account does (R1.8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemovalReport {
    /// The account removed.
    pub login: String,
    /// The accounts removed with it (a reseller's customers), sorted.
    pub with_accounts: Vec<String>,
    /// Whether this was a dry run (nothing written).
    pub dry_run: bool,
}

/// A list request as typed (R1.9).
#[derive(Debug, Clone, Default)]
pub struct ListRequest {
    /// Only accounts of this owner (login).
    pub owner: Option<String>,
    /// `active` or `suspended`.
    pub status: Option<String>,
    /// Text searched in login, name, company and email.
    pub search: Option<String>,
    /// `FIELD[:asc|desc]`.
    pub sort: Option<String>,
    /// Page size.
    pub limit: Option<u32>,
    /// Continue after this account (id or login of the last item seen).
    pub after: Option<String>,
}

fn duplicate_to_error(err: StoreError, login_field: &str, login: &Login) -> Error {
    match err {
        StoreError::Duplicate { field: "login" } => Error::conflict(
            Some(login_field),
            format!("the login {login} is already taken: logins are unique across the server"),
        ),
        StoreError::Duplicate { field } => Error::conflict(
            Some(field),
            format!("this {field} is already used by another account"),
        ),
        other => other.into(),
    }
}

impl Berth {
    /// `berth init`: creates the built-in admin (R1.1). Without a password one is
    /// generated and returned once. Refused when already initialized.
    pub async fn init(
        &self,
        admin_password: Option<&str>,
        admin_email: &str,
    ) -> Result<InitOutcome> {
        let (clear, generated) = match admin_password {
            Some(p) => (p.to_owned(), None),
            None => {
                let p = password::generate(GENERATED_PASSWORD_LEN)?;
                (p.clone(), Some(p))
            }
        };
        let login = Login::admin();
        let password = Password::parse("admin_password", &clear)?;
        password.check_differs_from("admin_password", &login)?;
        let email = Email::parse("admin_email", admin_email)?;
        let contact = ContactInput {
            name: Some("Administrator".into()),
            email: Some(email.to_string()),
            ..Default::default()
        }
        .into_new_contact()?;
        let hash = password::hash(&password).await?;
        let now = self.clock.now();
        let admin = Account {
            id: AccountId(self.new_id()),
            kind: AccountKind::Admin,
            login,
            owner: None,
            password_hash: hash,
            contact,
            description: None,
            external_id: None,
            suspensions: vec![],
            created_at: now,
            updated_at: now,
        };
        let mut tx = self.store.write().await?;
        if tx.is_initialized().await? {
            return Err(Error::conflict(
                None,
                "Berth is already initialized in this database",
            ));
        }
        tx.insert_account(&admin).await?;
        tx.commit().await?;
        tracing::info!(login = %admin.login, "initialized");
        Ok(InitOutcome {
            admin: AccountView::of(&admin, false),
            generated_password: generated,
        })
    }

    /// Creates a reseller (admin only) or a customer (admin, or a reseller for itself).
    pub async fn create_account(
        &self,
        actor: &Actor,
        kind: AccountKind,
        input: NewAccount,
        mode: Mode,
    ) -> Result<AccountView> {
        let prepared = self.prepare_account(actor, kind, input).await?;
        let mut tx = self.store.write().await?;
        let view = self
            .insert_account_in(&mut *tx, actor, prepared, mode)
            .await?;
        finish(tx, mode).await?;
        Ok(view)
    }

    /// Validates a new account and hashes its password, before any transaction opens.
    pub(crate) async fn prepare_account(
        &self,
        actor: &Actor,
        kind: AccountKind,
        input: NewAccount,
    ) -> Result<PreparedAccount> {
        if kind == AccountKind::Admin {
            return Err(Error::forbidden(
                "there is exactly one admin account, created by berth init",
            ));
        }
        rights::check_create_kind(actor, kind)?;
        let login = Login::parse("login", &input.login)?;
        let password = Password::parse("password", &input.password)?;
        password.check_differs_from("password", &login)?;
        let contact = input.contact.into_new_contact()?;
        let description = input
            .description
            .as_deref()
            .map(parse_description)
            .transpose()?
            .flatten();
        let external_id = input
            .external_id
            .as_deref()
            .map(parse_external_id)
            .transpose()?
            .flatten();
        let owner_login = match (&input.owner, kind) {
            (Some(_), AccountKind::Reseller) => {
                return Err(Error::invalid(
                    "owner",
                    "resellers are always owned by the admin",
                ));
            }
            (Some(raw), _) => Login::parse("owner", raw)?,
            (None, AccountKind::Reseller) => Login::admin(),
            (None, _) => actor.login.clone(),
        };
        let hash = password::hash(&password).await?;
        Ok(PreparedAccount {
            kind,
            login,
            hash,
            contact,
            description,
            external_id,
            owner_login,
            reseller: input.reseller,
        })
    }

    /// Writes a prepared account inside `tx`, with its owner checks and admission control.
    pub(crate) async fn insert_account_in(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        prepared: PreparedAccount,
        mode: Mode,
    ) -> Result<AccountView> {
        let PreparedAccount {
            kind,
            login,
            hash,
            contact,
            description,
            external_id,
            owner_login,
            reseller: terms,
        } = prepared;
        let owner = self.visible_owner(tx, actor, &owner_login).await?;
        rights::check_create(actor, kind, &owner)?;
        if kind == AccountKind::Customer {
            if !terms.is_empty() {
                return Err(Error::invalid(
                    "plan",
                    "customers have no reseller plan or limits",
                ));
            }
            self.admit_customer(tx, actor, &owner).await?;
        }
        let now = self.clock.now();
        let account = Account {
            id: AccountId(self.new_id()),
            kind,
            login: login.clone(),
            owner: Some(owner),
            password_hash: hash,
            contact,
            description,
            external_id,
            suspensions: vec![],
            created_at: now,
            updated_at: now,
        };
        tx.insert_account(&account)
            .await
            .map_err(|e| duplicate_to_error(e, "login", &login))?;
        let changes = berth_core::audit::diff(None, Some(&account));
        self.record_changes(tx, actor, "account create", &changes)
            .await?;
        let profile = if kind == AccountKind::Reseller {
            let profile = self
                .apply_terms(tx, ResellerProfile::custom(Default::default()), &terms)
                .await?;
            tx.set_reseller_profile(account.id, &profile).await?;
            Some(profile)
        } else {
            None
        };
        if mode == Mode::Apply {
            tracing::info!(actor = %actor.login, %kind, login = %account.login, "account created");
        }
        let mut view = AccountView::of(&account, rights::can_see_description(actor, &account));
        view.reseller = profile.as_ref().map(ResellerView::of);
        Ok(view)
    }

    /// The account named `owner` as a possible owner, if the actor can see it.
    async fn visible_owner(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        owner: &Login,
    ) -> Result<OwnerRef> {
        let not_found = || Error::not_found("owner", format!("no reseller or admin {owner}"));
        let account = tx.account_by_login(owner).await?.ok_or_else(not_found)?;
        if !rights::can_view(actor, &account) || account.kind == AccountKind::Customer {
            return Err(not_found());
        }
        Ok(OwnerRef {
            id: account.id,
            login: account.login,
            kind: account.kind,
        })
    }

    /// The account of `kind` named `login`, if `actor` can see it; otherwise not found
    /// (R11.2: another owner's object is never revealed).
    pub(crate) async fn visible_account(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        kind: AccountKind,
        field: &str,
        raw_login: &str,
    ) -> Result<Account> {
        let login = Login::parse(field, raw_login)?;
        let not_found = || Error::not_found(field, format!("no {kind} {login}"));
        let account = tx.account_by_login(&login).await?.ok_or_else(not_found)?;
        if account.kind != kind || !rights::can_view(actor, &account) {
            return Err(not_found());
        }
        Ok(account)
    }

    /// Checks a login and password and returns the actor (for HTTP Basic, the UI, the XML
    /// API). Wrong login and wrong password give the same answer.
    pub async fn authenticate(&self, login: &str, password: &str) -> Result<Actor> {
        let denied = || Error::forbidden("wrong login or password");
        let login = Login::parse("login", login).map_err(|_| denied())?;
        let account = {
            let mut tx = self.store.read().await?;
            tx.account_by_login(&login).await?
        };
        let Some(account) = account else {
            // Spend the same time as a real check so logins cannot be probed by timing.
            let _ = password::verify(password, &password::decoy_hash()).await;
            return Err(denied());
        };
        if !password::verify(password, &account.password_hash).await {
            return Err(denied());
        }
        if !account.is_active() {
            return Err(Error::forbidden(format!(
                "the account {login} is suspended"
            )));
        }
        Ok(Actor {
            id: account.id,
            kind: account.kind,
            login: account.login,
        })
    }

    /// One account as `actor` may see it.
    pub async fn account_info(
        &self,
        actor: &Actor,
        kind: AccountKind,
        login: &str,
    ) -> Result<AccountView> {
        let mut tx = self.store.read().await?;
        let account = self
            .visible_account(&mut *tx, actor, kind, "login", login)
            .await?;
        let mut view = AccountView::of(&account, rights::can_see_description(actor, &account));
        if kind == AccountKind::Reseller {
            view.reseller = Some(ResellerView::of(&self.profile(&mut *tx, account.id).await?));
        }
        Ok(view)
    }

    /// Changes an account's login, password, contact data, description or external id
    /// (R1.4, R1.5). Nothing is sent to anyone; the outcome says so when login details
    /// changed.
    pub async fn update_account(
        &self,
        actor: &Actor,
        kind: AccountKind,
        login: &str,
        update: AccountUpdate,
        mode: Mode,
    ) -> Result<UpdateOutcome> {
        let new_login = update
            .new_login
            .as_deref()
            .map(|l| Login::parse("new_login", l))
            .transpose()?;
        let new_password = update
            .password
            .as_deref()
            .map(|p| Password::parse("password", p))
            .transpose()?;
        let description = update
            .description
            .as_deref()
            .map(parse_description)
            .transpose()?;
        let external_id = update
            .external_id
            .as_deref()
            .map(parse_external_id)
            .transpose()?;
        if new_login.is_none()
            && new_password.is_none()
            && update.contact.is_empty()
            && description.is_none()
            && external_id.is_none()
        {
            return Err(Error::invalid(
                "update",
                "nothing to change: give at least one field",
            ));
        }
        let hash = match &new_password {
            Some(p) => Some(password::hash(p).await?),
            None => None,
        };

        let mut tx = self.store.write().await?;
        let current = self
            .visible_account(&mut *tx, actor, kind, "login", login)
            .await?;
        let mut next = current.clone();
        let mut changed = vec![];
        if let Some(l) = &new_login {
            rights::check_update(actor, &current, AccountChange::Login)?;
            if *l != current.login {
                next.login = l.clone();
                changed.push("login");
            }
        }
        if let (Some(p), Some(h)) = (&new_password, hash) {
            rights::check_update(actor, &current, AccountChange::Password)?;
            p.check_differs_from("password", &next.login)?;
            next.password_hash = h;
            changed.push("password");
        }
        if !update.contact.is_empty() {
            rights::check_update(actor, &current, AccountChange::Contact)?;
            next.contact = update.contact.apply_to(&current.contact)?;
            changed.extend(contact_changes(&current, &next));
        }
        if let Some(d) = description {
            rights::check_update(actor, &current, AccountChange::Description)?;
            if d != current.description {
                next.description = d;
                changed.push("description");
            }
        }
        if let Some(x) = external_id {
            rights::check_update(actor, &current, AccountChange::ExternalId)?;
            if x != current.external_id {
                next.external_id = x;
                changed.push("external_id");
            }
        }
        if !changed.is_empty() {
            next.updated_at = self.clock.now();
            tx.update_account(&next)
                .await
                .map_err(|e| duplicate_to_error(e, "new_login", &next.login))?;
            let changes = berth_core::audit::diff(Some(&current), Some(&next));
            self.record_changes(&mut *tx, actor, "account update", &changes)
                .await?;
        }
        finish(tx, mode).await?;
        if mode == Mode::Apply && !changed.is_empty() {
            tracing::info!(actor = %actor.login, login = %next.login, fields = ?changed, "account updated");
        }
        let notice = (changed.contains(&"login") || changed.contains(&"password")).then(|| {
            "The new login details were not sent to anyone: pass them on yourself.".to_owned()
        });
        Ok(UpdateOutcome {
            account: AccountView::of(&next, rights::can_see_description(actor, &next)),
            changed,
            notice,
            dry_run: mode == Mode::DryRun,
        })
    }

    /// A page of accounts of `kind` visible to `actor` (R1.9, R11.2).
    pub async fn list_accounts(
        &self,
        actor: &Actor,
        kind: AccountKind,
        request: ListRequest,
    ) -> Result<Page<AccountView>> {
        let scope = rights::list_scope(actor, kind)?;
        let status = request
            .status
            .as_deref()
            .map(|s| Status::parse("status", s))
            .transpose()?;
        let sort = match request.sort.as_deref() {
            Some(s) => AccountSort::parse("sort", s)?,
            None => AccountSort::default(),
        };
        let limit = parse_page_size("limit", request.limit.unwrap_or(PAGE_DEFAULT))?;
        let search = request
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(fold);

        let mut tx = self.store.read().await?;
        let owner = match request.owner.as_deref() {
            None => scope,
            Some(raw) => {
                let owner = self
                    .visible_owner(&mut *tx, actor, &Login::parse("owner", raw)?)
                    .await?;
                if scope.is_some_and(|s| s != owner.id) {
                    return Err(Error::not_found(
                        "owner",
                        format!("no reseller or admin {}", owner.login),
                    ));
                }
                Some(owner.id)
            }
        };
        let after = match request.after.as_deref() {
            None => None,
            Some(cursor) => Some(self.cursor(&mut *tx, actor, kind, cursor).await?),
        };
        let query = AccountQuery {
            kind,
            owner,
            status,
            search,
            sort,
            after,
            limit: limit + 1,
        };
        let mut rows = tx.list_accounts(&query).await?;
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next = if more {
            rows.last().map(|a| a.id.to_string())
        } else {
            None
        };
        let ids: Vec<AccountId> = rows
            .iter()
            .filter(|a| a.kind == AccountKind::Reseller)
            .map(|a| a.id)
            .collect();
        let profiles: std::collections::HashMap<AccountId, ResellerProfile> =
            tx.reseller_profiles(&ids).await?.into_iter().collect();
        let items = rows
            .iter()
            .map(|a| {
                let mut view = AccountView::of(a, rights::can_see_description(actor, a));
                if a.kind == AccountKind::Reseller {
                    let profile = profiles
                        .get(&a.id)
                        .cloned()
                        .unwrap_or_else(|| ResellerProfile::custom(Default::default()));
                    view.reseller = Some(ResellerView::of(&profile));
                }
                view
            })
            .collect();
        Ok(Page { items, next })
    }

    /// Resolves a pagination cursor: the id or login of an account the actor can see.
    async fn cursor(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        kind: AccountKind,
        cursor: &str,
    ) -> Result<AccountId> {
        let not_found =
            || Error::not_found("after", format!("no {kind} {cursor} to continue after"));
        let account = match Uuid::parse_str(cursor.trim()) {
            Ok(id) => tx.account_by_id(AccountId(id)).await?,
            Err(_) => tx.account_by_login(&Login::parse("after", cursor)?).await?,
        }
        .ok_or_else(not_found)?;
        if account.kind != kind || !rights::can_view(actor, &account) {
            return Err(not_found());
        }
        Ok(account.id)
    }

    /// Removes accounts (R1.8), each all-or-nothing in its own transaction: a reseller
    /// goes with its customers. One failure does not undo the others; each is reported.
    pub async fn remove_accounts(
        &self,
        actor: &Actor,
        kind: AccountKind,
        logins: &[String],
        mode: Mode,
        progress: &dyn Progress,
    ) -> Vec<BulkItem<RemovalReport>> {
        let mut results = Vec::with_capacity(logins.len());
        for (i, login) in logins.iter().enumerate() {
            let outcome = self.remove_account(actor, kind, login, mode).await;
            results.push(match outcome {
                Ok(report) => BulkItem {
                    name: login.clone(),
                    ok: true,
                    error: None,
                    result: Some(report),
                },
                Err(error) => BulkItem {
                    name: login.clone(),
                    ok: false,
                    error: Some(error),
                    result: None,
                },
            });
            progress.advance(i + 1, logins.len());
        }
        results
    }

    async fn remove_account(
        &self,
        actor: &Actor,
        kind: AccountKind,
        login: &str,
        mode: Mode,
    ) -> Result<RemovalReport> {
        let mut tx = self.store.write().await?;
        let account = self
            .visible_account(&mut *tx, actor, kind, "login", login)
            .await?;
        rights::check_remove(actor, &account)?;
        let with_accounts: Vec<String> = tx
            .logins_owned_by(account.id)
            .await?
            .iter()
            .map(ToString::to_string)
            .collect();
        self.queue_provision_under(&mut *tx, account.id).await?;
        tx.delete_account_tree(account.id).await?;
        let mut changes = berth_core::audit::diff(Some(&account), None);
        if !with_accounts.is_empty() {
            let object = changes
                .first()
                .map(|c| c.object.clone())
                .unwrap_or_default();
            let count = with_accounts.len() as u64;
            changes.push(berth_core::audit::FieldChange::count(
                object,
                "removed_accounts",
                count,
            ));
        }
        self.record_changes(&mut *tx, actor, "account remove", &changes)
            .await?;
        finish(tx, mode).await?;
        if mode == Mode::Apply {
            tracing::info!(actor = %actor.login, login = %account.login, with = ?with_accounts, "account removed");
        }
        Ok(RemovalReport {
            login: account.login.to_string(),
            with_accounts,
            dry_run: mode == Mode::DryRun,
        })
    }
}

fn contact_changes(before: &Account, after: &Account) -> Vec<&'static str> {
    let (b, a) = (&before.contact, &after.contact);
    let pairs: [(&'static str, bool); 11] = [
        ("name", b.name != a.name),
        ("company", b.company != a.company),
        ("email", b.email != a.email),
        ("phone", b.phone != a.phone),
        ("fax", b.fax != a.fax),
        ("address", b.address != a.address),
        ("city", b.city != a.city),
        ("state", b.state != a.state),
        ("postal_code", b.postal_code != a.postal_code),
        ("country", b.country != a.country),
        ("locale", b.locale != a.locale),
    ];
    pairs
        .into_iter()
        .filter(|(_, changed)| *changed)
        .map(|(name, _)| name)
        .collect()
}

impl Berth {
    /// `customer create ... --domain D`: a customer and its first subscription, in one
    /// transaction (R1.3 allows a customer without one; this is the usual shortcut).
    pub async fn create_customer_with_subscription(
        &self,
        actor: &Actor,
        account: NewAccount,
        mut first: crate::subscriptions::NewSubscription,
        mode: Mode,
    ) -> Result<(AccountView, crate::subscriptions::CreatedSubscription)> {
        first.owner = Some(account.login.clone());
        let prepared_account = self
            .prepare_account(actor, AccountKind::Customer, account)
            .await?;
        let prepared_subscription = self.prepare_subscription(first).await?;
        let mut tx = self.store.write().await?;
        let view = self
            .insert_account_in(&mut *tx, actor, prepared_account, mode)
            .await?;
        let created = self
            .insert_subscription_in(&mut *tx, actor, prepared_subscription, mode)
            .await?;
        finish(tx, mode).await?;
        Ok((view, created))
    }
}
