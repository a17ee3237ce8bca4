//! Password recovery (SPEC R1.4) through the service layer, on SQLite and PostgreSQL, with
//! a moving clock and a real SMTP conversation with a sink listening on loopback.

mod common;
mod support;

use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use berth_app::accounts::NewAccount;
use berth_app::notifications::{Security, SmtpSettings};
use berth_app::recovery::{RESET_PATH, RecoverySettings};
use berth_app::subscriptions::NewSubscription;
use berth_app::{Berth, Mode, NoProgress};
use berth_core::ErrorCode;
use berth_core::account::{AccountKind, ContactInput, Email};
use chrono::{Duration, TimeZone, Utc};
use common::Env;
use support::{Mail, MovingClock, Sink};

on_both_backends!(
    r1_4_login_and_email_get_a_link_that_sets_the_password_once_and_ends_sessions,
    r1_4_any_mismatch_gets_the_same_answer_and_no_mail,
    r1_4_links_expire_and_a_new_request_replaces_the_previous_link,
    r1_4_new_passwords_follow_the_password_rules,
    r1_4_requests_are_limited_per_login_email_and_client_address,
    r1_4_recovery_without_smtp_says_it_is_not_set_up,
);

/// The token of the reset link in a mail (the body is plain ASCII: quoted-printable
/// soft breaks, if any, are joined first).
fn token_of(mail: &Mail) -> String {
    let text = mail.data.replace("=\n", "").replace("=3D", "=");
    let at = text
        .find(RESET_PATH)
        .expect("the mail holds the reset link");
    let rest = &text[at..];
    let token = rest
        .split("token=")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect::<String>();
    assert_eq!(token.len(), 64, "{text}");
    token
}

// ---------------------------------------------------------------------------------------

struct World {
    app: Berth,
    clock: Arc<MovingClock>,
    sink: Sink,
}

impl World {
    fn advance(&self, by: Duration) {
        *self.clock.0.lock().unwrap() += by;
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

fn account(login: &str, locale: &str) -> NewAccount {
    NewAccount {
        login: login.into(),
        password: format!("{login}-password"),
        contact: ContactInput {
            name: Some(login.into()),
            email: Some(format!("{login}@example.com")),
            locale: Some(locale.into()),
            ..Default::default()
        },
        ..Default::default()
    }
}

/// Customer `c1` (English) with a subscription, customer `c2` (French) with one, customer
/// `bare` without any, and a sink for mail.
async fn world(env: &Env) -> World {
    let clock = Arc::new(MovingClock(Mutex::new(
        Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap(),
    )));
    let sink = Sink::start();
    let app = env
        .app
        .with_clock(clock.clone())
        .with_recovery(RecoverySettings::new(
            Some(smtp(sink.port)),
            "https://panel.example.com:8443/",
        ));
    let admin = app.actor(None).await.unwrap();
    app.add_ip(&admin, "192.0.2.10", "shared", None, Mode::Apply)
        .await
        .unwrap();
    for (login, locale, domain) in [
        ("c1", "en-US", Some("c1.example")),
        ("c2", "fr-FR", Some("c2.example")),
        ("bare", "en-US", None),
    ] {
        app.create_account(
            &admin,
            AccountKind::Customer,
            account(login, locale),
            Mode::Apply,
        )
        .await
        .unwrap();
        if let Some(domain) = domain {
            let input = NewSubscription {
                domain: domain.into(),
                owner: Some(login.into()),
                ..Default::default()
            };
            app.create_subscription(&admin, input, Mode::Apply)
                .await
                .unwrap();
        }
    }
    World { app, clock, sink }
}

fn ip(text: &str) -> Option<IpAddr> {
    Some(text.parse().unwrap())
}

async fn r1_4_login_and_email_get_a_link_that_sets_the_password_once_and_ends_sessions(env: Env) {
    let w = world(&env).await;
    let session = w.app.ui_login("c1", "c1-password").await.unwrap();
    // The email is compared without regard to case or surrounding blanks.
    w.app
        .request_password_reset(" C1 ", " C1@Example.COM ", ip("198.51.100.7"))
        .await
        .unwrap();
    let mails = w.sink.wait_for(1).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, ["c1@example.com"]);
    assert!(mails[0].data.contains("Subject: Reset your password"));
    assert!(
        mails[0]
            .data
            .contains("https://panel.example.com:8443/login/reset?token="),
        "{}",
        mails[0].data
    );
    let token = token_of(&mails[0]);
    assert_eq!(w.app.password_reset_login(&token).await.unwrap(), "c1");

    let actor = w
        .app
        .reset_password(&token, "brand-new-secret")
        .await
        .unwrap();
    assert_eq!(actor.login.as_str(), "c1");
    assert!(w.app.ui_session(&session.token).await.unwrap().is_none());
    assert!(w.app.authenticate("c1", "brand-new-secret").await.is_ok());
    assert!(w.app.authenticate("c1", "c1-password").await.is_err());

    // Spent: neither the page nor a second use accepts it.
    let again = w
        .app
        .reset_password(&token, "another-secret")
        .await
        .unwrap_err();
    assert_eq!(again.code, ErrorCode::Invalid);
    assert_eq!(again.field.as_deref(), Some("token"));
    assert!(w.app.password_reset_login(&token).await.is_err());
    assert!(w.app.authenticate("c1", "brand-new-secret").await.is_ok());

    // A French account gets the French mail.
    w.app
        .request_password_reset("c2", "c2@example.com", None)
        .await
        .unwrap();
    let mails = w.sink.wait_for(1).await;
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].data.contains("Subject: =?utf-8?"),
        "{}",
        mails[0].data
    );
    let token = token_of(&mails[0]);
    assert_eq!(w.app.password_reset_login(&token).await.unwrap(), "c2");
}

async fn r1_4_any_mismatch_gets_the_same_answer_and_no_mail(env: Env) {
    let w = world(&env).await;
    let admin = w.app.actor(None).await.unwrap();
    w.app
        .create_account(
            &admin,
            AccountKind::Customer,
            account("gone", "en-US"),
            Mode::Apply,
        )
        .await
        .unwrap();
    w.app
        .create_subscription(
            &admin,
            NewSubscription {
                domain: "gone.example".into(),
                owner: Some("gone".into()),
                ..Default::default()
            },
            Mode::Apply,
        )
        .await
        .unwrap();
    let suspended = w
        .app
        .suspend_accounts(
            &admin,
            AccountKind::Customer,
            &["gone".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert!(suspended.iter().all(|r| r.ok));
    for (login, email) in [
        ("c1", "c2@example.com"),           // another account's address
        ("nobody", "c1@example.com"),       // unknown login
        ("not a login!", "c1@example.com"), // not even a login
        ("gone", "gone@example.com"),       // suspended
        ("bare", "bare@example.com"),       // a customer without subscription (R1.3)
    ] {
        w.app
            .request_password_reset(login, email, None)
            .await
            .unwrap_or_else(|e| panic!("{login}/{email}: {e:?}"));
    }
    // The one matching request that follows is the only mail sent.
    w.app
        .request_password_reset("c2", "c2@example.com", None)
        .await
        .unwrap();
    let mails = w.sink.wait_for(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let late = w.sink.wait_for(0).await;
    assert_eq!(mails.len() + late.len(), 1, "{mails:?} {late:?}");
    assert_eq!(mails[0].to, ["c2@example.com"]);
}

async fn r1_4_links_expire_and_a_new_request_replaces_the_previous_link(env: Env) {
    let w = world(&env).await;
    w.app
        .request_password_reset("c1", "c1@example.com", None)
        .await
        .unwrap();
    let expiring = token_of(&w.sink.wait_for(1).await[0]);
    w.advance(Duration::minutes(59));
    assert!(w.app.password_reset_login(&expiring).await.is_ok());
    w.advance(Duration::minutes(1));
    let err = w
        .app
        .reset_password(&expiring, "brand-new-secret")
        .await
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("token"));
    assert!(w.app.authenticate("c1", "c1-password").await.is_ok());

    w.app
        .request_password_reset("c1", "c1@example.com", None)
        .await
        .unwrap();
    let first = token_of(&w.sink.wait_for(1).await[0]);
    w.app
        .request_password_reset("c1", "c1@example.com", None)
        .await
        .unwrap();
    let second = token_of(&w.sink.wait_for(1).await[0]);
    assert_ne!(first, second);
    assert!(
        w.app
            .reset_password(&first, "brand-new-secret")
            .await
            .is_err()
    );
    w.app
        .reset_password(&second, "brand-new-secret")
        .await
        .unwrap();
    assert!(
        w.app
            .reset_password("not-a-token", "brand-new-secret")
            .await
            .is_err()
    );
}

async fn r1_4_new_passwords_follow_the_password_rules(env: Env) {
    let w = world(&env).await;
    let admin = w.app.actor(None).await.unwrap();
    w.app
        .create_account(
            &admin,
            AccountKind::Customer,
            account("caroline", "en-US"),
            Mode::Apply,
        )
        .await
        .unwrap();
    let input = NewSubscription {
        domain: "caroline.example".into(),
        owner: Some("caroline".into()),
        ..Default::default()
    };
    w.app
        .create_subscription(&admin, input, Mode::Apply)
        .await
        .unwrap();
    w.app
        .request_password_reset("caroline", "caroline@example.com", None)
        .await
        .unwrap();
    let token = token_of(&w.sink.wait_for(1).await[0]);
    let short = w.app.reset_password(&token, "short").await.unwrap_err();
    assert_eq!(short.code, ErrorCode::Invalid);
    assert_eq!(short.field.as_deref(), Some("password"));
    assert!(short.message.contains("at least 8"), "{}", short.message);
    let same = w.app.reset_password(&token, "Caroline").await.unwrap_err();
    assert_eq!(same.field.as_deref(), Some("password"));
    assert!(
        same.message.contains("same as the login"),
        "{}",
        same.message
    );
    // The link survives refused passwords, and the old password still works until then.
    assert!(
        w.app
            .authenticate("caroline", "caroline-password")
            .await
            .is_ok()
    );
    w.app
        .reset_password(&token, "brand-new-secret")
        .await
        .unwrap();
    assert!(
        w.app
            .authenticate("caroline", "brand-new-secret")
            .await
            .is_ok()
    );
}

async fn r1_4_requests_are_limited_per_login_email_and_client_address(env: Env) {
    let w = world(&env).await;
    let limited = |r: berth_core::Result<()>| {
        let e = r.unwrap_err();
        assert_eq!(e.code, ErrorCode::LimitExceeded, "{e:?}");
        assert!(e.message.contains("try again in"), "{}", e.message);
    };
    // Per login: five requests an hour, whatever the address given.
    for n in 0..5 {
        w.app
            .request_password_reset("c1", &format!("x{n}@example.net"), None)
            .await
            .unwrap();
    }
    limited(
        w.app
            .request_password_reset("c1", "c1@example.com", None)
            .await,
    );
    // Per email address, whatever the login given.
    for n in 0..5 {
        w.app
            .request_password_reset(&format!("guess{n}"), "c2@example.com", None)
            .await
            .unwrap();
    }
    limited(
        w.app
            .request_password_reset("c2", "c2@example.com", None)
            .await,
    );
    // Per client address: twenty an hour.
    for n in 0..20 {
        w.app
            .request_password_reset(
                &format!("u{n}"),
                &format!("u{n}@example.org"),
                ip("203.0.113.9"),
            )
            .await
            .unwrap();
    }
    limited(
        w.app
            .request_password_reset("bare", "bare@example.com", ip("203.0.113.9"))
            .await,
    );
    assert!(w.sink.wait_for(0).await.is_empty(), "no request matched");
    // An hour later the counts start again.
    w.advance(Duration::hours(1));
    w.app
        .request_password_reset("c1", "c1@example.com", ip("203.0.113.9"))
        .await
        .unwrap();
    assert_eq!(w.sink.wait_for(1).await.len(), 1);
}

async fn r1_4_recovery_without_smtp_says_it_is_not_set_up(env: Env) {
    let plain = env.app.clone();
    let err = plain
        .request_password_reset("c1", "c1@example.com", None)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Failed);
    assert!(!plain.recovery_available());
    let no_smtp = env
        .app
        .with_recovery(RecoverySettings::new(None, "https://panel.example.com"));
    let err = no_smtp
        .request_password_reset("c1", "c1@example.com", None)
        .await
        .unwrap_err();
    assert!(err.message.contains("SMTP"), "{}", err.message);
}
