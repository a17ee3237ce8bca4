//! `berth tasks`, `berth usage` and `berth notification` end to end: the clock from
//! `BERTH_NOW`, SMTP settings from the environment, mail received by a sink on loopback.

mod support;

use std::io::{BufRead, BufReader, Write};

use berth_mail_sink::MailSink;
use serde_json::json;
use support::{berth, initialized, ok};

#[test]
fn r5_4_tasks_run_suspends_on_the_expiration_date_and_mails() {
    let dir = initialized();
    let d = dir.path();
    ok(d, &["ip", "add", "127.0.0.1", "--type", "shared"]);
    ok(
        d,
        &[
            "customer",
            "create",
            "c1",
            "--name",
            "C",
            "--email",
            "c@example.com",
            "--password",
            "c1-password",
            "--domain",
            "shop.example",
        ],
    );
    ok(
        d,
        &[
            "subscription",
            "renew",
            "shop.example",
            "--expiration",
            "2026-03-10",
        ],
    );
    let sink = MailSink::start();
    let port = sink.port.to_string();
    let env = [
        ("BERTH_NOW", "2026-03-10T06:00:00Z"),
        ("BERTH_SMTP_HOST", "127.0.0.1"),
        ("BERTH_SMTP_PORT", port.as_str()),
        ("BERTH_SMTP_SECURITY", "none"),
        ("BERTH_SMTP_FROM", "panel@example.com"),
    ];

    let run = berth(d, &["--json", "tasks", "run", "expiry"], &env, None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()[0]["name"], json!("expiry"));
    assert_eq!(run.json()[0]["outcome"], json!("ok"));
    assert_eq!(run.json()[0]["next_run"], json!("2026-03-11T06:00:00Z"));

    let info = berth(
        d,
        &["--json", "subscription", "info", "shop.example"],
        &env,
        None,
    )
    .json();
    assert_eq!(info["status"], json!("suspended"));
    assert_eq!(info["suspension_reasons"][0]["reason"], json!("expired"));

    let received = sink.wait_for_blocking(1);
    assert_eq!(received.len(), 1);
    assert!(
        received[0]
            .data
            .contains("Subject: Subscription shop.example has expired")
    );

    let list = berth(d, &["--json", "tasks", "list"], &env, None).json();
    let expiry = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "expiry")
        .unwrap();
    assert_eq!(expiry["outcome"], json!("ok"));
    assert_eq!(expiry["last_run"], json!("2026-03-10T06:00:00Z"));
    assert_eq!(expiry["schedule"], json!("daily"));

    let sent = berth(d, &["--json", "notification", "list"], &env, None).json();
    assert_eq!(sent[0]["status"], json!("sent"));
    assert_eq!(sent[0]["event"], json!("expired"));
    let id = sent[0]["id"].as_str().unwrap().to_owned();
    let again = berth(d, &["--json", "notification", "resend", &id], &env, None);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(
        sink.wait_for_blocking(1).len(),
        1,
        "the notification is sent again"
    );

    let usage = berth(d, &["--json", "tasks", "run", "usage"], &env, None);
    assert_eq!(usage.code, 0, "{}", usage.stderr);
    let shown = berth(d, &["--json", "usage", "shop.example"], &env, None).json();
    assert_eq!(shown["month"], json!("2026-03"));
    assert_eq!(shown["history"].as_array().unwrap().len(), 1);
    let info = berth(
        d,
        &["--json", "subscription", "info", "shop.example"],
        &env,
        None,
    )
    .json();
    assert_eq!(info["usage"]["month"], json!("2026-03"));
    let list = berth(d, &["--json", "subscription", "list"], &env, None).json();
    assert_eq!(list[0]["usage"]["disk_bytes"], shown["disk_bytes"]);
}

#[test]
fn tasks_are_the_admins_and_bad_settings_name_their_key() {
    let dir = initialized();
    let d = dir.path();
    ok(
        d,
        &[
            "customer",
            "create",
            "c1",
            "--name",
            "C",
            "--email",
            "c@example.com",
            "--password",
            "c1-password",
        ],
    );
    let denied = berth(d, &["--json", "--as", "c1", "tasks", "run"], &[], None);
    assert_eq!(denied.code, 4, "{}", denied.stderr);
    assert_eq!(denied.error()["code"], json!("forbidden"));

    let unknown = berth(d, &["--json", "tasks", "run", "backup"], &[], None);
    assert_eq!(unknown.code, 2);
    assert_eq!(unknown.error()["field"], json!("task"));

    let env = [
        ("BERTH_SMTP_HOST", "127.0.0.1"),
        ("BERTH_SMTP_SECURITY", "ssl3"),
    ];
    let bad = berth(d, &["--json", "tasks", "run", "expiry"], &env, None);
    assert_eq!(bad.code, 2);
    assert_eq!(bad.error()["field"], json!("smtp.security"));

    let secret = [
        ("BERTH_SMTP_HOST", "127.0.0.1"),
        ("BERTH_SMTP_PORT", "1"),
        ("BERTH_SMTP_SECURITY", "none"),
        ("BERTH_SMTP_PASSWORD", "hunter2-secret"),
        ("BERTH_SMTP_USERNAME", "mailer"),
        ("BERTH_LOG", "debug"),
    ];
    let run = berth(d, &["--json", "tasks", "run"], &secret, None);
    assert!(!run.stderr.contains("hunter2-secret"), "{}", run.stderr);
    assert!(!run.stdout.contains("hunter2-secret"));
}

#[test]
fn serve_runs_due_tasks_in_the_background_and_remembers_them() {
    use std::process::{Command, Stdio};
    let dir = initialized();
    let d = dir.path();
    let mut child = Command::new(env!("CARGO_BIN_EXE_berth"))
        .arg("--data-dir")
        .arg(d)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("BERTH_NOW", "2026-05-01T00:00:00Z")
        .env("BERTH_LOG", "info")
        .env_remove("BERTH_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id().to_string();
    let watchdog = pid.clone();
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(60));
        let _ = Command::new("kill").args(["-KILL", &watchdog]).status();
    });
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    while seen.matches("task ran").count() < 3 {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "serve exited: {seen}"
        );
        seen.push_str(&line);
    }
    // SIGTERM is handled once the server runs: wait until it answers.
    let addr = seen
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the listen address is printed")
        .to_owned();
    let healthy = (0..100).any(|_| {
        let answered = std::net::TcpStream::connect(&addr).is_ok_and(|mut s| {
            let request =
                format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
            let mut response = String::new();
            s.write_all(request.as_bytes()).is_ok()
                && std::io::Read::read_to_string(&mut s, &mut response).is_ok()
                && response.starts_with("HTTP/1.1 200")
        });
        if !answered {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        answered
    });
    assert!(healthy, "serve does not answer on {addr}");
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    assert!(child.wait().unwrap().success());

    let env = [("BERTH_NOW", "2026-05-01T00:00:00Z")];
    let list = berth(d, &["--json", "tasks", "list"], &env, None).json();
    for task in list.as_array().unwrap() {
        assert_eq!(task["outcome"], json!("ok"), "{task}");
        assert_eq!(task["last_run"], json!("2026-05-01T00:00:00Z"), "{task}");
        assert_eq!(task["running"], json!(false));
    }
    let usage = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "usage")
        .unwrap();
    assert_eq!(usage["next_run"], json!("2026-05-01T01:00:00Z"));
}
