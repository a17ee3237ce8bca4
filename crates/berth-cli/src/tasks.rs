//! `berth tasks list|run`, `berth usage DOMAIN` and `berth notification ...`: periodic tasks
//! run by hand, a subscription's measured usage, and the recorded email notifications
//! (SPEC R5.4, §6).

use std::process::ExitCode;

use berth_app::Berth;
use berth_app::tasks::{Task, TaskSettings};
use berth_core::notification::Template;
use berth_core::rights::Actor;
use berth_core::{Error, Result};
use berth_store::notifications::NotificationQuery;
use clap::{Args, Subcommand};

use crate::output::{Output, table};

/// `berth tasks ...`.
#[derive(Debug, Subcommand)]
pub enum TasksCommand {
    /// Every periodic task with its schedule, last run, outcome and next run.
    List,
    /// Run tasks now, due or not (all when none is named): expiry, usage, notifications.
    Run(RunArgs),
}

/// `berth tasks run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Tasks to run, in this order.
    #[arg(value_name = "TASK")]
    pub tasks: Vec<String>,
}

/// `berth usage`.
#[derive(Debug, Args)]
pub struct UsageArgs {
    /// The subscription.
    pub domain: String,
    /// How many earlier measurements to show.
    #[arg(long, default_value_t = 10)]
    pub history: u32,
}

/// `berth notification ...`.
#[derive(Debug, Subcommand)]
pub enum NotificationCommand {
    /// Recorded messages, newest first.
    List(NotificationListArgs),
    /// Send a recorded message again.
    Resend(ResendArgs),
    /// Who receives each event (admin, reseller, customer, extra addresses).
    Recipients,
    /// Set who receives an event.
    SetRecipients(SetRecipientsArgs),
    /// Replace the template of an event in a language (`{{variable}}` placeholders).
    SetTemplate(SetTemplateArgs),
}

/// `berth notification list`.
#[derive(Debug, Args)]
pub struct NotificationListArgs {
    /// Only `pending`, `sent` or `failed` ones.
    #[arg(long)]
    pub status: Option<String>,
    /// Only about this subscription.
    #[arg(long)]
    pub subscription: Option<String>,
    /// Page size.
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    /// Only older than this id (the last one of the previous page).
    #[arg(long)]
    pub before: Option<String>,
}

/// `berth notification resend`.
#[derive(Debug, Args)]
pub struct ResendArgs {
    /// The message's id.
    pub id: String,
}

/// `berth notification set-recipients`.
#[derive(Debug, Args)]
pub struct SetRecipientsArgs {
    /// expiry_warning, expired, overuse or soft_threshold.
    pub event: String,
    /// Send to the administrator.
    #[arg(long, action = clap::ArgAction::Set, default_value_t = true)]
    pub admin: bool,
    /// Send to the reseller providing the subscription.
    #[arg(long, action = clap::ArgAction::Set, default_value_t = true)]
    pub reseller: bool,
    /// Send to the subscriber.
    #[arg(long, action = clap::ArgAction::Set, default_value_t = true)]
    pub customer: bool,
    /// Further addresses, comma-separated.
    #[arg(long, default_value = "")]
    pub extra: String,
}

/// `berth notification set-template`.
#[derive(Debug, Args)]
pub struct SetTemplateArgs {
    /// expiry_warning, expired, overuse or soft_threshold.
    pub event: String,
    /// The language (`en`, `de`, ...): messages to subscribers with this locale.
    #[arg(long, default_value = "en")]
    pub language: String,
    /// The subject line.
    #[arg(long)]
    pub subject: String,
    /// The body.
    #[arg(long)]
    pub body: String,
}

fn time(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| t.to_rfc3339()).unwrap_or_else(|| "-".to_owned())
}

/// Runs `berth tasks ...`.
pub async fn run(
    app: &Berth,
    actor: &Actor,
    settings: &TaskSettings,
    cmd: TasksCommand,
    out: Output,
) -> Result<ExitCode> {
    match cmd {
        TasksCommand::List => {
            let tasks = app.list_tasks(actor).await?;
            if out.json {
                out.json(&tasks);
                return Ok(ExitCode::SUCCESS);
            }
            let rows: Vec<Vec<String>> = tasks
                .iter()
                .map(|t| {
                    vec![
                        t.name.to_owned(),
                        t.schedule.to_owned(),
                        time(t.last_run),
                        t.outcome.clone().unwrap_or_else(|| "-".to_owned()),
                        t.next_run.to_rfc3339(),
                        t.message.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            table(
                &[
                    "TASK", "SCHEDULE", "LAST RUN", "OUTCOME", "NEXT RUN", "MESSAGE",
                ],
                &rows,
            );
            Ok(ExitCode::SUCCESS)
        }
        TasksCommand::Run(args) => {
            let tasks = if args.tasks.is_empty() {
                Task::ALL.to_vec()
            } else {
                args.tasks
                    .iter()
                    .map(|t| Task::parse("task", t))
                    .collect::<Result<Vec<_>>>()?
            };
            let runs = app.run_tasks(actor, &tasks, settings).await?;
            let failed = runs.iter().any(|r| r.outcome != "ok");
            if out.json {
                out.json(&runs);
            } else {
                for r in &runs {
                    println!("{}: {} — {}", r.name, r.outcome, r.message);
                }
            }
            Ok(if failed {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}

/// Runs `berth usage DOMAIN`.
pub async fn usage(app: &Berth, actor: &Actor, args: UsageArgs, out: Output) -> Result<ExitCode> {
    let view = app
        .subscription_usage(actor, &args.domain, args.history)
        .await?;
    if out.json {
        out.json(&view);
        return Ok(ExitCode::SUCCESS);
    }
    println!("Subscription: {}", view.subscription);
    println!("Measured:     {}", time(view.measured));
    println!("Disk:         {} bytes", view.disk_bytes);
    println!(
        "Traffic:      {} bytes ({})",
        view.traffic_bytes,
        view.month.as_deref().unwrap_or("-")
    );
    println!("Overused:     {}", if view.overused { "yes" } else { "no" });
    let rows: Vec<Vec<String>> = view
        .history
        .iter()
        .map(|h| {
            vec![
                h.measured.to_rfc3339(),
                h.month.clone(),
                h.disk_bytes.to_string(),
                h.traffic_bytes.to_string(),
            ]
        })
        .collect();
    table(&["MEASURED", "MONTH", "DISK", "TRAFFIC"], &rows);
    Ok(ExitCode::SUCCESS)
}

/// Runs `berth notification ...`.
pub async fn notification(
    app: &Berth,
    actor: &Actor,
    settings: &TaskSettings,
    cmd: NotificationCommand,
    out: Output,
) -> Result<ExitCode> {
    match cmd {
        NotificationCommand::List(args) => {
            let before = args
                .before
                .as_deref()
                .map(|b| {
                    uuid::Uuid::parse_str(b.trim()).map_err(|_| {
                        Error::invalid("before", "before must be a notification id (a UUID)")
                    })
                })
                .transpose()?;
            let query = NotificationQuery {
                status: args.status,
                subscription: args.subscription,
                before,
                limit: args.limit.clamp(1, 1000),
            };
            let list = app.list_notifications(actor, &query).await?;
            if out.json {
                out.json(&list);
                return Ok(ExitCode::SUCCESS);
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|n| {
                    vec![
                        n.id.to_string(),
                        n.created.to_rfc3339(),
                        n.event.clone(),
                        n.status.clone(),
                        n.recipients.join(", "),
                        n.subject.clone(),
                    ]
                })
                .collect();
            table(
                &["ID", "CREATED", "EVENT", "STATUS", "TO", "SUBJECT"],
                &rows,
            );
            Ok(ExitCode::SUCCESS)
        }
        NotificationCommand::Resend(args) => {
            let view = app
                .resend_notification(actor, &args.id, settings.smtp.as_ref())
                .await?;
            let sent = view.status == "sent";
            if out.json {
                out.json(&view);
            } else if sent {
                println!("Sent to {}.", view.recipients.join(", "));
            } else {
                println!(
                    "Not sent: {}",
                    view.error.as_deref().unwrap_or("unknown error")
                );
            }
            Ok(if sent {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        NotificationCommand::Recipients => {
            let list = app.notification_recipients(actor).await?;
            if out.json {
                out.json(&list);
                return Ok(ExitCode::SUCCESS);
            }
            let yes = |b: bool| if b { "yes" } else { "no" }.to_owned();
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|r| {
                    vec![
                        r.event.to_owned(),
                        yes(r.admin),
                        yes(r.reseller),
                        yes(r.customer),
                        r.extra.join(", "),
                    ]
                })
                .collect();
            table(&["EVENT", "ADMIN", "RESELLER", "CUSTOMER", "EXTRA"], &rows);
            Ok(ExitCode::SUCCESS)
        }
        NotificationCommand::SetRecipients(args) => {
            let who = (args.admin, args.reseller, args.customer);
            let view = app
                .set_notification_recipients(actor, &args.event, who, &args.extra)
                .await?;
            if out.json {
                out.json(&view);
            } else {
                println!("Recipients of {} set.", view.event);
            }
            Ok(ExitCode::SUCCESS)
        }
        NotificationCommand::SetTemplate(args) => {
            let template = Template {
                subject: args.subject,
                body: args.body,
            };
            app.set_notification_template(actor, &args.event, &args.language, template)
                .await?;
            if out.json {
                out.json(&serde_json::json!({"event": args.event, "language": args.language}));
            } else {
                println!("Template of {} ({}) set.", args.event, args.language);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
