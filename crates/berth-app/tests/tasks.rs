//! Periodic tasks (SPEC R5.4, §6) through the service layer with a moving clock, on SQLite
//! and PostgreSQL. Mail goes through a real SMTP conversation to a sink listening on
//! loopback in the test.

mod common;
mod support;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use berth_app::accounts::NewAccount;
use berth_app::notifications::{Security, SmtpSettings};
use berth_app::subscriptions::NewSubscription;
use berth_app::tasks::{Scheduler, Task, TaskSettings};
use berth_app::{Berth, Mode, NoProgress};
use berth_core::ErrorCode;
use berth_core::account::{AccountKind, ContactInput, Email};
use berth_core::clock::Clock;
use berth_core::notification::Template;
use berth_core::property::Group;
use berth_core::rights::Actor;
use berth_store::notifications::NotificationQuery;
use chrono::{Duration, TimeZone, Utc};
use common::Env;
use support::{MovingClock, Sink};
use tokio::net::TcpListener;

on_both_backends!(
    r5_4_expiry_warns_once_then_suspends_until_renewed,
    r6_3_block_suspends_on_overuse_and_lifts_after_cleanup,
    r6_3_each_policy_does_exactly_what_it_says,
    r6_3_soft_threshold_notifies_once_per_crossing,
    r6_4_messages_are_recorded_and_resendable,
    r6_4_recipients_and_templates_per_event,
    scheduler_runs_due_tasks_once_across_schedulers_and_remembers,
    only_the_admin_runs_tasks_and_manages_notifications,
);

struct World {
    app: Berth,
    clock: Arc<MovingClock>,
    admin: Actor,
    sink: Sink,
    settings: TaskSettings,
    _root: tempfile::TempDir,
}

fn account(login: &str) -> NewAccount {
    NewAccount {
        login: login.into(),
        password: format!("{login}-password"),
        contact: ContactInput {
            name: Some(login.into()),
            email: Some(format!("{login}@example.com")),
            ..Default::default()
        },
        ..Default::default()
    }
}

fn smtp(port: u16) -> SmtpSettings {
    SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        security: Security::None,
        username: None,
        password: None,
        from: Email::parse("from", "panel@example.com").unwrap(),
    }
}

/// The clock at 2026-03-01 09:30, reseller `r1` with customer `c1`, an IP address, and a
/// sink for mail.
async fn world(env: &Env) -> World {
    let clock = Arc::new(MovingClock(Mutex::new(
        Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap(),
    )));
    let app = env.app.with_clock(clock.clone());
    let admin = app.actor(None).await.unwrap();
    app.add_ip(&admin, "192.0.2.10", "shared", None, Mode::Apply)
        .await
        .unwrap();
    app.create_account(&admin, AccountKind::Reseller, account("r1"), Mode::Apply)
        .await
        .unwrap();
    app.pool_add(
        &admin,
        "r1",
        &["192.0.2.10".into()],
        Mode::Apply,
        &NoProgress,
    )
    .await;
    let reseller = app.actor(Some("r1")).await.unwrap();
    app.create_account(&reseller, AccountKind::Customer, account("c1"), Mode::Apply)
        .await
        .unwrap();
    let sink = Sink::start();
    let root = tempfile::tempdir().unwrap();
    let settings = TaskSettings {
        webspace_root: root.path().to_path_buf(),
        expiry_warning_days: 7,
        smtp: Some(smtp(sink.port)),
    };
    World {
        app,
        clock,
        admin,
        sink,
        settings,
        _root: root,
    }
}

impl World {
    /// A custom subscription of `c1` with these limits.
    async fn subscription(&self, domain: &str, limits: &[&str]) {
        let input = NewSubscription {
            domain: domain.into(),
            owner: Some("c1".into()),
            custom: limits
                .iter()
                .map(|l| (Group::Limits, (*l).to_owned()))
                .collect(),
            ..Default::default()
        };
        self.app
            .create_subscription(&self.admin, input, Mode::Apply)
            .await
            .unwrap();
    }

    async fn run(&self, task: Task) -> String {
        let runs = self
            .app
            .run_tasks(&self.admin, &[task], &self.settings)
            .await
            .unwrap();
        assert_eq!(runs[0].outcome, "ok", "{}", runs[0].message);
        runs[0].message.clone()
    }

    async fn reasons(&self, domain: &str) -> Vec<String> {
        let v = self
            .app
            .subscription_info(&self.admin, domain)
            .await
            .unwrap();
        v.suspension_reasons
            .iter()
            .map(|r| r.reason.to_owned())
            .collect()
    }

    async fn overused(&self, domain: &str) -> bool {
        self.app
            .subscription_info(&self.admin, domain)
            .await
            .unwrap()
            .overused
    }

    fn webspace(&self, domain: &str) -> PathBuf {
        self.settings.webspace_root.join(domain)
    }
}

fn write_file(path: &Path, bytes: usize) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, vec![b'x'; bytes]).unwrap();
}

fn access_log(webspace: &Path, bytes_per_line: &[u64]) {
    let lines: String = bytes_per_line
        .iter()
        .map(|b| {
            format!("198.51.100.4 - - [02/Mar/2026:10:00:00 +0000] \"GET /f HTTP/1.1\" 200 {b} \"-\" \"test\"\n")
        })
        .collect();
    let logs = webspace.join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    std::fs::write(logs.join("access_log"), lines).unwrap();
}

// ---------------------------------------------------------------------------------------

async fn r5_4_expiry_warns_once_then_suspends_until_renewed(env: Env) {
    let w = world(&env).await;
    w.subscription("exp.example", &[]).await;
    w.subscription("forever.example", &[]).await;
    w.app
        .renew(&w.admin, "exp.example", "2026-03-10", Mode::Apply)
        .await
        .unwrap();

    w.run(Task::Expiry).await;
    assert!(w.sink.take().is_empty(), "9 days ahead: no warning yet");

    w.clock.advance(Duration::days(3)); // 03-04: within 7 days
    w.run(Task::Expiry).await;
    let mails = w.sink.take();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(
        mails[0].subject(),
        "Subscription exp.example expires on 2026-03-10"
    );
    assert!(mails[0].data.contains("in 6 days"), "{}", mails[0].data);
    let mut to = mails[0].to.clone();
    to.sort();
    assert_eq!(
        to,
        ["admin@example.com", "c1@example.com", "r1@example.com"]
    );
    w.clock.advance(Duration::days(1));
    w.run(Task::Expiry).await;
    assert!(w.sink.take().is_empty(), "the warning goes once");
    assert!(w.reasons("exp.example").await.is_empty());

    w.clock.advance(Duration::days(5)); // 03-10: the expiration date
    w.run(Task::Expiry).await;
    assert_eq!(w.reasons("exp.example").await, ["expired"]);
    assert!(w.reasons("forever.example").await.is_empty());
    let mails = w.sink.take();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].subject(), "Subscription exp.example has expired");

    // Activated by hand without renewal: suspended again at the next check.
    let activated = w
        .app
        .activate_subscriptions(&w.admin, &["exp.example".into()], Mode::Apply, &NoProgress)
        .await;
    assert!(activated[0].ok, "{:?}", activated[0].error);
    assert!(w.reasons("exp.example").await.is_empty());
    w.clock.advance(Duration::days(1));
    w.run(Task::Expiry).await;
    assert_eq!(w.reasons("exp.example").await, ["expired"]);

    // Renewed: the next check lifts `expired`, and the new date warns again in time.
    w.app
        .renew(&w.admin, "exp.example", "2026-04-15", Mode::Apply)
        .await
        .unwrap();
    w.sink.take();
    w.run(Task::Expiry).await;
    assert!(w.reasons("exp.example").await.is_empty());
    w.clock.advance(Duration::days(28)); // 04-08
    w.run(Task::Expiry).await;
    let mails = w.sink.take();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].subject().contains("2026-04-15"));
}

async fn r6_3_block_suspends_on_overuse_and_lifts_after_cleanup(env: Env) {
    let w = world(&env).await;
    w.subscription("blocked.example", &["disk_space=1M", "overuse=block"])
        .await;
    let big = w.webspace("blocked.example").join("httpdocs/big.iso");
    write_file(&big, 3 << 20);

    w.run(Task::Usage).await;
    assert!(w.overused("blocked.example").await);
    assert_eq!(w.reasons("blocked.example").await, ["overuse"]);
    let usage = w
        .app
        .subscription_usage(&w.admin, "blocked.example", 10)
        .await
        .unwrap();
    assert!(usage.disk_bytes >= 3 << 20, "{usage:?}");
    assert_eq!(usage.month.as_deref(), Some("2026-03"));
    let info = w
        .app
        .subscription_info(&w.admin, "blocked.example")
        .await
        .unwrap();
    assert_eq!(
        info.usage.unwrap().disk_bytes,
        usage.disk_bytes,
        "shown in info"
    );
    let request = berth_app::subscriptions::SubscriptionListRequest {
        overused: true,
        ..Default::default()
    };
    let page = w.app.list_subscriptions(&w.admin, request).await.unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(
        page.items[0].usage.as_ref().unwrap().month,
        "2026-03",
        "and in lists"
    );

    // The customer cleans up: the next check lifts the reason.
    std::fs::remove_file(&big).unwrap();
    w.clock.advance(Duration::hours(1));
    w.run(Task::Usage).await;
    assert!(!w.overused("blocked.example").await);
    assert!(w.reasons("blocked.example").await.is_empty());
    let usage = w
        .app
        .subscription_usage(&w.admin, "blocked.example", 10)
        .await
        .unwrap();
    assert!(usage.disk_bytes < 1 << 20, "{usage:?}");
    assert_eq!(usage.history.len(), 2, "kept with history");
    assert!(usage.history[0].disk_bytes < usage.history[1].disk_bytes);
    assert!(w.sink.take().is_empty(), "block does not notify");
}

async fn r6_3_each_policy_does_exactly_what_it_says(env: Env) {
    let w = world(&env).await;
    let policies = [
        ("block", true, false),
        ("not_suspend", false, false),
        ("not_suspend_notify", false, true),
        ("normal", false, false),
        ("notify", false, true),
    ];
    for (policy, _, _) in policies {
        let domain = format!("{}.example", policy.replace('_', "-"));
        let over = format!("overuse={policy}");
        w.subscription(&domain, &["max_traffic=1000", &over]).await;
        access_log(&w.webspace(&domain), &[600, 600]);
    }
    w.subscription("under.example", &["max_traffic=1000", "overuse=notify"])
        .await;
    access_log(&w.webspace("under.example"), &[600]);

    w.run(Task::Usage).await;
    let mails = w.sink.take();
    for (policy, suspends, notifies) in policies {
        let domain = format!("{}.example", policy.replace('_', "-"));
        assert!(w.overused(&domain).await, "{policy}: overused (R6.2)");
        let reasons = w.reasons(&domain).await;
        assert_eq!(reasons == ["overuse"], suspends, "{policy}: {reasons:?}");
        let notified = mails
            .iter()
            .filter(|m| m.subject().contains(&format!(" {domain} ")))
            .count();
        assert_eq!(notified, usize::from(notifies), "{policy}");
    }
    assert!(!w.overused("under.example").await);
    let notify = mails
        .iter()
        .find(|m| m.subject().contains(" notify.example "))
        .unwrap();
    assert!(
        notify.data.contains("uses 1200 bytes of traffic"),
        "{}",
        notify.data
    );

    w.clock.advance(Duration::hours(1));
    w.run(Task::Usage).await;
    assert!(w.sink.take().is_empty(), "not every run");

    // A new month starts the traffic from zero: the block is lifted.
    w.clock.advance(Duration::days(31));
    w.run(Task::Usage).await;
    assert!(w.reasons("block.example").await.is_empty());
    assert!(!w.overused("notify.example").await);
}

async fn r6_3_soft_threshold_notifies_once_per_crossing(env: Env) {
    let w = world(&env).await;
    w.subscription(
        "soft.example",
        &["disk_space=10M", "disk_space_soft=1M", "overuse=normal"],
    )
    .await;
    let file = w.webspace("soft.example").join("httpdocs/data.bin");
    write_file(&file, 2 << 20);

    w.run(Task::Usage).await;
    let mails = w.sink.take();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(
        mails[0].subject(),
        "Subscription soft.example reached its disk_space warning threshold"
    );
    assert!(
        !w.overused("soft.example").await,
        "a soft threshold is no overuse"
    );

    for _ in 0..2 {
        w.clock.advance(Duration::hours(1));
        w.run(Task::Usage).await;
    }
    assert!(w.sink.take().is_empty(), "once per crossing, not every run");

    std::fs::remove_file(&file).unwrap();
    w.clock.advance(Duration::hours(1));
    w.run(Task::Usage).await;
    write_file(&file, 2 << 20);
    w.clock.advance(Duration::hours(1));
    w.run(Task::Usage).await;
    assert_eq!(w.sink.take().len(), 1, "crossing again notifies again");
}

async fn r6_4_messages_are_recorded_and_resendable(env: Env) {
    let w = world(&env).await;
    w.subscription("mail.example", &["disk_space=1M", "overuse=notify"])
        .await;
    write_file(&w.webspace("mail.example").join("httpdocs/a"), 2 << 20);

    // The SMTP server is down: the message is recorded as failed.
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead_port = closed.local_addr().unwrap().port();
    drop(closed);
    let down = TaskSettings {
        smtp: Some(smtp(dead_port)),
        ..w.settings.clone()
    };
    w.app
        .run_tasks(&w.admin, &[Task::Usage], &down)
        .await
        .unwrap();
    let list = w
        .app
        .list_notifications(
            &w.admin,
            &NotificationQuery {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].status, "failed");
    assert_eq!(list[0].event, "overuse");
    assert!(list[0].error.is_some());
    assert!(w.sink.take().is_empty());

    // The notifications task retries it once the server is back.
    w.run(Task::Notifications).await;
    let mails = w.sink.take();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].subject().contains("mail.example"));

    // And it can be sent again by hand.
    let again = w
        .app
        .resend_notification(&w.admin, &list[0].id.to_string(), w.settings.smtp.as_ref())
        .await
        .unwrap();
    assert_eq!(again.status, "sent");
    assert_eq!(again.attempts, 3);
    assert_eq!(w.sink.take().len(), 1);
    let err = w
        .app
        .resend_notification(&w.admin, "nope", w.settings.smtp.as_ref())
        .await
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("id"));
}

async fn r6_4_recipients_and_templates_per_event(env: Env) {
    let w = world(&env).await;
    w.app
        .set_notification_recipients(
            &w.admin,
            "soft_threshold",
            (false, false, true),
            "ops@example.net, noc@example.org",
        )
        .await
        .unwrap();
    w.app
        .set_notification_template(
            &w.admin,
            "soft_threshold",
            "en",
            Template {
                subject: "[{{subscription}}] {{resource}} at {{usage}}".into(),
                body: "Dear {{owner}}, limit {{limit}}.\n".into(),
            },
        )
        .await
        .unwrap();
    let bad = w
        .app
        .set_notification_template(
            &w.admin,
            "soft_threshold",
            "en",
            Template {
                subject: "ok".into(),
                body: "{{password}}".into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        (bad.code, bad.field.as_deref()),
        (ErrorCode::Invalid, Some("body"))
    );

    w.subscription("tpl.example", &["max_traffic_soft=100"])
        .await;
    access_log(&w.webspace("tpl.example"), &[150]);
    w.run(Task::Usage).await;
    let mails = w.sink.take();
    assert_eq!(mails.len(), 1);
    let mut to = mails[0].to.clone();
    to.sort();
    assert_eq!(to, ["c1@example.com", "noc@example.org", "ops@example.net"]);
    assert_eq!(mails[0].subject(), "[tpl.example] traffic at 150");
    assert!(mails[0].data.contains("Dear c1, limit 100."));

    let recipients = w.app.notification_recipients(&w.admin).await.unwrap();
    let soft = recipients
        .iter()
        .find(|r| r.event == "soft_threshold")
        .unwrap();
    assert!(!soft.admin && soft.customer && soft.extra.len() == 2);
    let err = w
        .app
        .set_notification_recipients(&w.admin, "soft_threshold", (true, true, true), "x@")
        .await
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("extra"));
}

async fn scheduler_runs_due_tasks_once_across_schedulers_and_remembers(env: Env) {
    let w = world(&env).await;
    w.subscription("sched.example", &[]).await;
    let tick = std::time::Duration::from_secs(60);
    let one = Scheduler::new(w.app.clone(), w.settings.clone(), tick);
    let two = Scheduler::new(w.app.clone(), w.settings.clone(), tick);
    let (a, b) = tokio::join!(one.tick(), two.tick());
    let mut names: Vec<&str> = a
        .unwrap()
        .iter()
        .chain(&b.unwrap())
        .map(|r| r.name)
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["expiry", "notifications", "usage"],
        "each due task ran once"
    );
    assert!(one.tick().await.unwrap().is_empty(), "nothing is due yet");

    let list = w.app.list_tasks(&w.admin).await.unwrap();
    let usage = list.iter().find(|t| t.name == "usage").unwrap();
    assert_eq!(usage.outcome.as_deref(), Some("ok"));
    assert_eq!(usage.last_run, Some(w.clock.now()));
    assert_eq!(usage.next_run, w.clock.now() + Duration::hours(1));
    assert!(!usage.running);
    assert!(usage.message.as_deref().unwrap().contains("1 measured"));

    // A restart: a new scheduler over the same database knows what ran.
    w.clock.advance(Duration::minutes(61));
    let restarted = Scheduler::new(w.app.clone(), w.settings.clone(), tick);
    let ran: Vec<&str> = restarted
        .tick()
        .await
        .unwrap()
        .iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(ran, ["usage", "notifications"]);
}

async fn only_the_admin_runs_tasks_and_manages_notifications(env: Env) {
    let w = world(&env).await;
    let reseller = w.app.actor(Some("r1")).await.unwrap();
    let err = w
        .app
        .run_tasks(&reseller, &[Task::Expiry], &w.settings)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden);
    assert_eq!(
        w.app.list_tasks(&reseller).await.unwrap_err().code,
        ErrorCode::Forbidden
    );
    let query = NotificationQuery {
        limit: 5,
        ..Default::default()
    };
    assert_eq!(
        w.app
            .list_notifications(&reseller, &query)
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    // Usage of another reseller's subscription is not found.
    w.subscription("hidden.example", &[]).await;
    w.app
        .create_account(&w.admin, AccountKind::Reseller, account("r2"), Mode::Apply)
        .await
        .unwrap();
    let other = w.app.actor(Some("r2")).await.unwrap();
    let err = w
        .app
        .subscription_usage(&other, "hidden.example", 5)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    assert!(
        w.app
            .subscription_usage(&reseller, "hidden.example", 5)
            .await
            .is_ok()
    );
    assert_eq!(
        Task::parse("task", "backup").unwrap_err().field.as_deref(),
        Some("task")
    );
}

/// Two applications with their own connection pools over one database, as two `berth serve`
/// processes: every due task runs once in all, however their ticks interleave.
async fn two_processes_run_each_due_task_once(a: Berth, b: Berth) {
    a.init(Some(common::ADMIN_PASSWORD), "admin@example.com")
        .await
        .unwrap();
    let root = tempfile::tempdir().unwrap();
    let settings = TaskSettings {
        webspace_root: root.path().to_path_buf(),
        expiry_warning_days: 7,
        smtp: None,
    };
    let tick = std::time::Duration::from_secs(60);
    for round in 0..3 {
        let one = Scheduler::new(a.clone(), settings.clone(), tick);
        let two = Scheduler::new(b.clone(), settings.clone(), tick);
        let (x, y, z) = tokio::join!(one.tick(), two.tick(), one.tick());
        let mut ran: Vec<&str> = [x.unwrap(), y.unwrap(), z.unwrap()]
            .iter()
            .flatten()
            .map(|r| r.name)
            .collect();
        ran.sort();
        let expected: &[&str] = if round == 0 {
            &["expiry", "notifications", "usage"]
        } else {
            &[]
        };
        assert_eq!(ran, expected, "round {round}");
    }
}

mod processes {
    use std::sync::Arc;

    use berth_app::Berth;
    use berth_store_postgres::PostgresStore;
    use berth_store_sqlite::{Open, SqliteStore};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_two_pools_run_each_due_task_once() {
        let Some(db) = berth_store_postgres::testing::fresh_database().await else {
            return;
        };
        let a = PostgresStore::connect(&db.url).await.unwrap();
        let b = PostgresStore::connect(&db.url).await.unwrap();
        let clock = crate::common::clock();
        super::two_processes_run_each_due_task_once(
            Berth::new(Arc::new(a), clock.clone()),
            Berth::new(Arc::new(b), clock),
        )
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_two_pools_run_each_due_task_once() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("berth.db").display());
        let a = SqliteStore::connect(&url, Open::CreateIfMissing)
            .await
            .unwrap();
        let b = SqliteStore::connect(&url, Open::MustExist).await.unwrap();
        let clock = crate::common::clock();
        super::two_processes_run_each_due_task_once(
            Berth::new(Arc::new(a), clock.clone()),
            Berth::new(Arc::new(b), clock),
        )
        .await;
    }
}
