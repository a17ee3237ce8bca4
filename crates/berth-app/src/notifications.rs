//! Notifications by email (SPEC R6.4): messages rendered from templates per event and
//! language, addressed to the recipients configured per event, recorded in the database
//! (in the transaction of the change that caused them), then sent through SMTP. Every
//! message can be listed and sent again. Managing them is the admin's.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use berth_core::account::{AccountId, AccountKind, Email};
use berth_core::notification::{self, Event, Recipients, Template};
use berth_core::rights::Actor;
use berth_core::{Error, Result};
use berth_store::Tx;
use berth_store::notifications::{
    ContactRow, NotificationQuery, NotificationRow, RecipientsRow, TemplateRow,
};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Mailboxes};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Serialize;
use uuid::Uuid;

use crate::Berth;

/// The filters of [`Berth::list_notifications`], for interfaces that do not use the store.
pub use berth_store::notifications::NotificationQuery as NotificationFilter;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Security {
    /// Plain SMTP (a relay on the same machine or network).
    None,
    /// Plain connection upgraded with STARTTLS; refuses a server that cannot.
    #[default]
    StartTls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
}

impl Security {
    /// Parses `none`, `starttls` or `tls`; `field` names the input.
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "none" => Ok(Security::None),
            "starttls" => Ok(Security::StartTls),
            "tls" => Ok(Security::Tls),
            _ => Err(Error::invalid(
                field,
                format!("{field} must be none, starttls or tls"),
            )),
        }
    }
}

/// The `[smtp]` settings: where mail goes out.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    /// The server's host name.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// Connection protection.
    pub security: Security,
    /// Login, when the server wants one.
    pub username: Option<String>,
    /// Password for `username`; never shown.
    pub password: Option<String>,
    /// The sender address.
    pub from: Email,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .field("from", &self.from)
            .finish()
    }
}

/// How many times the scheduler tries to send a message before leaving it `failed`.
pub const MAX_ATTEMPTS: i64 = 5;

/// A message as shown.
#[derive(Debug, Clone, Serialize)]
pub struct NotificationView {
    /// Its id.
    pub id: Uuid,
    /// When it was made.
    pub created: chrono::DateTime<chrono::Utc>,
    /// The event.
    pub event: String,
    /// The subscription it is about.
    pub subscription: String,
    /// Addresses it goes to.
    pub recipients: Vec<String>,
    /// The subject.
    pub subject: String,
    /// The body.
    pub body: String,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// Attempts so far.
    pub attempts: i64,
    /// When it was last sent.
    pub sent: Option<chrono::DateTime<chrono::Utc>>,
}

impl NotificationView {
    fn of(row: NotificationRow) -> Self {
        NotificationView {
            id: row.id,
            created: row.created_at,
            event: row.event,
            subscription: row.subscription,
            recipients: split_list(&row.recipients),
            subject: row.subject,
            body: row.body,
            status: row.status,
            error: Some(row.error).filter(|e| !e.is_empty()),
            attempts: row.attempts,
            sent: row.sent_at,
        }
    }
}

/// An event's recipients as shown.
#[derive(Debug, Clone, Serialize)]
pub struct RecipientsView {
    /// The event.
    pub event: &'static str,
    /// The administrator.
    pub admin: bool,
    /// The providing reseller.
    pub reseller: bool,
    /// The subscriber.
    pub customer: bool,
    /// Further addresses.
    pub extra: Vec<String>,
}

fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect()
}

fn recipients_of(row: Option<RecipientsRow>) -> Recipients {
    match row {
        None => Recipients::default(),
        Some(r) => Recipients {
            admin: r.admin,
            reseller: r.reseller,
            customer: r.customer,
            extra: split_list(&r.extra)
                .into_iter()
                .map(Email::from_trusted)
                .collect(),
        },
    }
}

/// A message to make, before it is addressed and rendered.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    /// The event.
    pub event: Event,
    /// The subscription's name.
    pub subscription: String,
    /// The subscriber.
    pub owner: AccountId,
    /// The template variables other than `subscription` and `owner`.
    pub vars: BTreeMap<&'static str, String>,
}

/// Everything needed to address and render drafts, read with a few queries.
struct Addressing {
    contacts: HashMap<AccountId, ContactRow>,
    admin: Option<ContactRow>,
    recipients: HashMap<Event, Recipients>,
    templates: HashMap<(String, String), TemplateRow>,
}

impl Addressing {
    async fn load(tx: &mut dyn Tx, drafts: &[Draft]) -> Result<Self> {
        let owners: BTreeSet<AccountId> = drafts.iter().map(|d| d.owner).collect();
        let first = tx.contacts(&owners.into_iter().collect::<Vec<_>>()).await?;
        let providers: BTreeSet<AccountId> = first.iter().filter_map(|c| c.owner_id).collect();
        let second = tx
            .contacts(&providers.into_iter().collect::<Vec<_>>())
            .await?;
        let contacts: HashMap<AccountId, ContactRow> =
            first.into_iter().chain(second).map(|c| (c.id, c)).collect();
        let admin = contacts
            .values()
            .find(|c| c.kind == AccountKind::Admin)
            .cloned();
        let events: BTreeSet<Event> = drafts.iter().map(|d| d.event).collect();
        let mut recipients = HashMap::new();
        for event in events {
            recipients.insert(event, recipients_of(tx.recipients(event.as_str()).await?));
        }
        let templates = tx
            .templates()
            .await?
            .into_iter()
            .map(|t| ((t.event.clone(), t.language.clone()), t))
            .collect();
        Ok(Addressing {
            contacts,
            admin,
            recipients,
            templates,
        })
    }

    /// The addresses of a draft, without duplicates, in a stable order.
    fn addresses(&self, draft: &Draft) -> Vec<String> {
        let who = self
            .recipients
            .get(&draft.event)
            .cloned()
            .unwrap_or_default();
        let subscriber = self.contacts.get(&draft.owner);
        let provider = subscriber
            .and_then(|s| s.owner_id)
            .and_then(|id| self.contacts.get(&id));
        let reseller = match subscriber {
            Some(s) if s.kind == AccountKind::Reseller => Some(s),
            _ => provider.filter(|p| p.kind == AccountKind::Reseller),
        };
        let mut out: Vec<String> = vec![];
        let mut push = |address: &str| {
            if !address.is_empty() && !out.iter().any(|a| a == address) {
                out.push(address.to_owned());
            }
        };
        if who.admin
            && let Some(a) = &self.admin
        {
            push(&a.email);
        }
        if who.reseller
            && let Some(r) = reseller
        {
            push(&r.email);
        }
        if who.customer
            && let Some(s) = subscriber
        {
            push(&s.email);
        }
        for e in &who.extra {
            push(e.as_str());
        }
        out
    }

    /// The template of an event in the subscriber's language: an override, else built in.
    fn template(&self, event: Event, locale: &str) -> Template {
        let language = locale.split(['-', '_']).next().unwrap_or("en").to_owned();
        match self.templates.get(&(event.as_str().to_owned(), language)) {
            Some(t) => Template {
                subject: t.subject.clone(),
                body: t.body.clone(),
            },
            None => notification::builtin(event, locale),
        }
    }

    fn render(&self, draft: &Draft) -> Result<(String, String)> {
        let subscriber = self.contacts.get(&draft.owner);
        let locale = subscriber.map_or("en", |s| s.locale.as_str());
        let template = self.template(draft.event, locale);
        let mut vars = draft.vars.clone();
        vars.insert("subscription", draft.subscription.clone());
        vars.insert(
            "owner",
            subscriber.map_or_else(String::new, |s| s.login.clone()),
        );
        Ok((
            notification::render("subject", &template.subject, &vars)?,
            notification::render("body", &template.body, &vars)?,
        ))
    }
}

pub(crate) fn transport(smtp: &SmtpSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>> {
    let failed = |e: lettre::transport::smtp::Error| {
        Error::invalid(
            "smtp.host",
            format!("the SMTP settings are not usable: {e}"),
        )
    };
    let builder = match smtp.security {
        Security::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host),
        Security::StartTls => {
            AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host).map_err(failed)?
        }
        Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host).map_err(failed)?,
    };
    let mut builder = builder
        .port(smtp.port)
        .timeout(Some(Duration::from_secs(20)));
    if let Some(user) = &smtp.username {
        builder = builder.credentials(Credentials::new(
            user.clone(),
            smtp.password.clone().unwrap_or_default(),
        ));
    }
    Ok(builder.build())
}

fn message(smtp: &SmtpSettings, row: &NotificationRow) -> std::result::Result<Message, String> {
    let from: Mailbox = smtp
        .from
        .as_str()
        .parse()
        .map_err(|e| format!("sender: {e}"))?;
    let to: Mailboxes = row
        .recipients
        .parse()
        .map_err(|e| format!("recipients: {e}"))?;
    let mut builder = Message::builder()
        .from(from)
        .subject(row.subject.clone())
        .header(ContentType::TEXT_PLAIN);
    for mailbox in to {
        builder = builder.to(mailbox);
    }
    builder.body(row.body.clone()).map_err(|e| e.to_string())
}

/// Sends one message; the error text is recorded (it never holds the SMTP password).
async fn send(
    smtp: Option<&SmtpSettings>,
    row: &NotificationRow,
) -> std::result::Result<(), String> {
    let Some(smtp) = smtp else {
        return Err("no SMTP server is configured ([smtp] host)".to_owned());
    };
    if row.recipients.trim().is_empty() {
        return Err("the message has no recipient".to_owned());
    }
    let transport = transport(smtp).map_err(|e| e.message)?;
    let message = message(smtp, row)?;
    transport
        .send(message)
        .await
        .map(drop)
        .map_err(|e| e.to_string())
}

fn check_admin(actor: &Actor) -> Result<()> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(Error::forbidden("only the admin manages notifications"))
    }
}

impl Berth {
    /// Addresses, renders and records drafts as `pending` messages inside `tx`; returns
    /// their ids, to send once `tx` is committed.
    pub(crate) async fn record_notifications(
        &self,
        tx: &mut dyn Tx,
        drafts: &[Draft],
    ) -> Result<Vec<Uuid>> {
        if drafts.is_empty() {
            return Ok(vec![]);
        }
        let addressing = Addressing::load(tx, drafts).await?;
        let mut ids = Vec::with_capacity(drafts.len());
        for draft in drafts {
            let (subject, body) = addressing.render(draft)?;
            let row = NotificationRow {
                id: self.new_id(),
                created_at: self.clock.now(),
                event: draft.event.as_str().to_owned(),
                subscription: draft.subscription.clone(),
                recipients: addressing.addresses(draft).join(", "),
                subject,
                body,
                status: "pending".to_owned(),
                error: String::new(),
                attempts: 0,
                sent_at: None,
            };
            tx.insert_notification(&row).await?;
            ids.push(row.id);
        }
        Ok(ids)
    }

    /// Sends recorded messages and records each attempt; returns how many went out.
    pub(crate) async fn deliver(
        &self,
        smtp: Option<&SmtpSettings>,
        rows: Vec<NotificationRow>,
    ) -> Result<usize> {
        let mut sent = 0;
        for row in rows {
            let outcome = send(smtp, &row).await;
            let (status, error) = match &outcome {
                Ok(()) => ("sent", String::new()),
                Err(e) => ("failed", e.clone()),
            };
            if let Err(e) = &outcome {
                tracing::warn!(id = %row.id, event = %row.event, error = %e, "notification not sent");
            }
            let mut tx = self.store.write().await?;
            tx.mark_notification(row.id, status, &error, self.clock.now())
                .await?;
            tx.commit().await?;
            sent += usize::from(outcome.is_ok());
        }
        Ok(sent)
    }

    /// Sends the messages with these ids.
    pub(crate) async fn deliver_ids(
        &self,
        smtp: Option<&SmtpSettings>,
        ids: &[Uuid],
    ) -> Result<usize> {
        let mut rows = Vec::with_capacity(ids.len());
        let mut tx = self.store.read().await?;
        for id in ids {
            rows.extend(tx.notification_by_id(*id).await?);
        }
        drop(tx);
        self.deliver(smtp, rows).await
    }

    /// Sends the messages not sent yet that have attempts left (the `notifications` task).
    pub(crate) async fn deliver_unsent(&self, smtp: Option<&SmtpSettings>) -> Result<usize> {
        let rows = {
            let mut tx = self.store.read().await?;
            tx.unsent_notifications(MAX_ATTEMPTS, 1000).await?
        };
        self.deliver(smtp, rows).await
    }

    /// Recorded messages, newest first (admin only).
    pub async fn list_notifications(
        &self,
        actor: &Actor,
        query: &NotificationQuery,
    ) -> Result<Vec<NotificationView>> {
        check_admin(actor)?;
        if let Some(status) = &query.status
            && !["pending", "sent", "failed"].contains(&status.as_str())
        {
            return Err(Error::invalid(
                "status",
                "status must be pending, sent or failed",
            ));
        }
        let mut tx = self.store.read().await?;
        let rows = tx.list_notifications(query).await?;
        Ok(rows.into_iter().map(NotificationView::of).collect())
    }

    /// Sends a recorded message again, whatever its status (admin only).
    pub async fn resend_notification(
        &self,
        actor: &Actor,
        id: &str,
        smtp: Option<&SmtpSettings>,
    ) -> Result<NotificationView> {
        check_admin(actor)?;
        let id = Uuid::parse_str(id.trim())
            .map_err(|_| Error::invalid("id", "id must be a notification id (a UUID)"))?;
        let row = {
            let mut tx = self.store.read().await?;
            tx.notification_by_id(id)
                .await?
                .ok_or_else(|| Error::not_found("id", format!("no notification {id}")))?
        };
        self.deliver(smtp, vec![row]).await?;
        let mut tx = self.store.read().await?;
        let row = tx
            .notification_by_id(id)
            .await?
            .ok_or_else(|| Error::failed("the notification vanished"))?;
        Ok(NotificationView::of(row))
    }

    /// The recipients of every event (admin only).
    pub async fn notification_recipients(&self, actor: &Actor) -> Result<Vec<RecipientsView>> {
        check_admin(actor)?;
        let mut tx = self.store.read().await?;
        let mut out = Vec::with_capacity(Event::ALL.len());
        for event in Event::ALL {
            let r = recipients_of(tx.recipients(event.as_str()).await?);
            out.push(RecipientsView {
                event: event.as_str(),
                admin: r.admin,
                reseller: r.reseller,
                customer: r.customer,
                extra: r.extra.iter().map(|e| e.as_str().to_owned()).collect(),
            });
        }
        Ok(out)
    }

    /// Sets who receives an event (admin only); `extra` is a comma-separated list of
    /// addresses.
    pub async fn set_notification_recipients(
        &self,
        actor: &Actor,
        event: &str,
        who: (bool, bool, bool),
        extra: &str,
    ) -> Result<RecipientsView> {
        check_admin(actor)?;
        let event = Event::parse("event", event)?;
        let extra = Recipients::parse_extra("extra", extra)?;
        let (admin, reseller, customer) = who;
        let row = RecipientsRow {
            event: event.as_str().to_owned(),
            admin,
            reseller,
            customer,
            extra: extra
                .iter()
                .map(Email::as_str)
                .collect::<Vec<_>>()
                .join(","),
        };
        let mut tx = self.store.write().await?;
        tx.set_recipients(&row).await?;
        tx.commit().await?;
        Ok(RecipientsView {
            event: event.as_str(),
            admin,
            reseller,
            customer,
            extra: extra.iter().map(|e| e.as_str().to_owned()).collect(),
        })
    }

    /// Replaces the template of an event in a language (admin only); the subject and body
    /// may only use the event's variables.
    pub async fn set_notification_template(
        &self,
        actor: &Actor,
        event: &str,
        language: &str,
        template: Template,
    ) -> Result<()> {
        check_admin(actor)?;
        let event = Event::parse("event", event)?;
        let language = language.trim().to_ascii_lowercase();
        if !(2..=3).contains(&language.len()) || !language.chars().all(|c| c.is_ascii_lowercase()) {
            return Err(Error::invalid(
                "language",
                "language must be an ISO 639 code such as en or de",
            ));
        }
        if template.subject.trim().is_empty() || template.subject.contains(['\r', '\n']) {
            return Err(Error::invalid(
                "subject",
                "subject must be one non-empty line",
            ));
        }
        notification::check(event, "subject", &template.subject)?;
        notification::check(event, "body", &template.body)?;
        let mut tx = self.store.write().await?;
        tx.set_template(&TemplateRow {
            event: event.as_str().to_owned(),
            language,
            subject: template.subject,
            body: template.body,
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
