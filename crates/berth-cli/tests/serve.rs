//! `berth api-key` and `berth serve` end to end: a key created on the command line works
//! against the real server, and SIGTERM stops it cleanly.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use support::{berth, initialized, ok};

fn http_get(addr: &str, path: &str, auth: Option<&str>) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    let auth = auth
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn http_post(addr: &str, path: &str, auth: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {auth}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, response)
}

#[test]
fn api_keys_are_shown_once_listed_without_the_key_and_revoked() {
    let dir = initialized();
    let d = dir.path();
    let created = ok(d, &["--json", "api-key", "create", "--ip", "127.0.0.1"]).json();
    for field in ["id", "key", "login", "ips", "created"] {
        assert!(created.get(field).is_some(), "{field} missing: {created}");
    }
    assert_eq!(created["login"], "admin");
    assert_eq!(created["ips"], serde_json::json!(["127.0.0.1"]));
    let key = created["key"].as_str().unwrap();
    let list = ok(d, &["--json", "api-key", "list"]).json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(!list.to_string().contains(key));
    let id = created["id"].as_str().unwrap();
    let revoked = ok(d, &["--json", "api-key", "revoke", id]).json();
    assert_eq!(revoked["revoked"], true);
    let again = berth(d, &["--json", "api-key", "revoke", id], &[], None);
    assert_eq!(again.code, 6);
    let bad = berth(
        d,
        &["--json", "api-key", "create", "--ip", "nope"],
        &[],
        None,
    );
    assert_eq!(bad.code, 2);
    assert_eq!(bad.error()["field"], "ip");
}

#[test]
fn serve_answers_health_and_api_calls_with_a_cli_key_then_stops_on_sigterm() {
    let dir = initialized();
    let d = dir.path();
    let key = ok(d, &["--json", "api-key", "create"]).json()["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut child = Command::new(env!("CARGO_BIN_EXE_berth"))
        .arg("--data-dir")
        .arg(d)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_remove("BERTH_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let addr = loop {
        line.clear();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "serve exited");
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    let (status, body) = http_get(&addr, "/healthz", None);
    assert_eq!(status, 200, "{body}");
    let (status, _) = http_get(&addr, "/api/v1/customers", None);
    assert_eq!(status, 401);
    let (status, body) = http_get(&addr, "/api/v1/ips", Some(&format!("Bearer {key}")));
    assert_eq!(status, 200, "{body}");
    let (status, body) = http_post(
        &addr,
        "/api/v1/ips",
        &format!("Bearer {key}"),
        r#"{"ip": "192.0.2.7", "type": "shared"}"#,
    );
    assert_eq!(status, 201, "{body}");
    let audit = ok(d, &["--json", "audit", "list"]).json();
    assert_eq!(audit[0]["action"], "POST /api/v1/ips");
    assert_eq!(audit[0]["object"], "ip=192.0.2.7");
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let mut rest = String::new();
    let _ = stderr.read_to_string(&mut rest);
    assert!(
        rest.contains("request"),
        "requests are logged at info: {rest}"
    );
}

#[test]
fn command_line_changes_are_audited_without_secrets_reads_or_dry_runs() {
    let dir = initialized();
    let d = dir.path();
    let create = [
        "customer",
        "create",
        "cli-cust",
        "--name",
        "C",
        "--email",
        "c@example.com",
        "--password",
        "Cli-secret-77",
    ];
    ok(d, &create);
    ok(d, &["customer", "suspend", "cli-cust", "--dry-run"]);
    ok(d, &["customer", "info", "cli-cust"]);
    ok(d, &["customer", "list"]);
    ok(d, &["customer", "suspend", "cli-cust"]);
    let entries = ok(d, &["--json", "audit", "list"]).json();
    let entries = entries.as_array().unwrap();
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert_eq!(entries[0]["action"], "customer suspend");
    assert_eq!(entries[0]["object"], "cli-cust");
    assert_eq!(entries[0]["interface"], "cli");
    assert_eq!(entries[0]["actor"], "admin");
    assert_eq!(entries[0]["status"], 0);
    assert_eq!(entries[1]["action"], "customer create");
    assert!(
        !serde_json::to_string(entries)
            .unwrap()
            .contains("Cli-secret-77")
    );
}
