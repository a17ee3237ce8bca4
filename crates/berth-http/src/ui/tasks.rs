//! Periodic tasks and notifications at a glance (admin; `berth tasks list` and
//! `berth notification list`): each task's schedule, last run, outcome and next run, and
//! the newest recorded messages with their delivery status. Running tasks and resending
//! messages stay on the CLI, which holds the settings they need.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use berth_app::Berth;
use berth_app::notifications::NotificationFilter as NotificationQuery;

use super::i18n::Tr;
use super::session::UiUser;
use super::{Chrome, chrome, error_page, render};

/// How many recent messages the page lists.
const RECENT_MESSAGES: u32 = 50;

#[derive(Template)]
#[template(path = "tasks.html")]
struct TasksPage {
    chrome: Chrome,
    tr: Tr,
    /// Name, schedule, last run, outcome, next run.
    tasks: Vec<(String, String, String, String, String)>,
    /// Created, event, subscription, recipients, subject, status.
    notifications: Vec<(String, String, String, String, String, String)>,
}

/// `GET /ui/tools/tasks`.
pub async fn show(State(app): State<Berth>, user: UiUser) -> Response {
    let tr = user.tr;
    let actor = &user.session.actor;
    let tasks = match app.list_tasks(actor).await {
        Ok(t) => t,
        Err(e) => return error_page(tr, Some(&user), &e),
    };
    let query = NotificationQuery {
        status: None,
        subscription: None,
        before: None,
        limit: RECENT_MESSAGES,
    };
    let notifications = match app.list_notifications(actor, &query).await {
        Ok(n) => n,
        Err(e) => return error_page(tr, Some(&user), &e),
    };
    let when = |at: chrono::DateTime<chrono::Utc>| format!("{} {}", tr.day(at), at.format("%H:%M"));
    let page = TasksPage {
        chrome: chrome(&user, tr.t("tasks.title"), "/ui/tools"),
        tr,
        tasks: tasks
            .into_iter()
            .map(|t| {
                let outcome = match (t.running, t.outcome, t.message) {
                    (true, _, _) => tr.t("job.running").to_owned(),
                    (false, Some(o), Some(m)) => format!("{o}: {m}"),
                    (false, Some(o), None) => o,
                    (false, None, _) => String::new(),
                };
                (
                    t.name.to_owned(),
                    t.schedule.to_owned(),
                    t.last_run.map(when).unwrap_or_default(),
                    outcome,
                    when(t.next_run),
                )
            })
            .collect(),
        notifications: notifications
            .into_iter()
            .map(|n| {
                let status = match n.error {
                    Some(e) => format!("{}: {e}", n.status),
                    None => n.status,
                };
                (
                    when(n.created),
                    n.event,
                    n.subscription,
                    n.recipients.join(", "),
                    n.subject,
                    status,
                )
            })
            .collect(),
    };
    render(StatusCode::OK, &page)
}
