//! `berth provision` end to end: settings from the environment, a dry run, a live
//! generation of web and zone files, then nothing to change; `--status` shows the queue.

mod support;

use serde_json::json;
use support::{berth, initialized, ok};

#[test]
fn r9_2_provision_writes_a_generation_then_nothing() {
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
    let env = [("BERTH_PROVISION_HTTP_PORT", "8088")];
    let preview = berth(d, &["--json", "provision", "--dry-run"], &env, None);
    assert_eq!(preview.code, 0, "{}", preview.stderr);
    assert_eq!(
        preview.json()["changed_files"],
        json!([
            "dns/shop.example.zone",
            "dns/zones.conf",
            "web/shop.example.conf"
        ])
    );
    assert!(!d.join("nginx/current").exists());
    let first = berth(d, &["--json", "provision"], &env, None);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(first.json()["generation"], json!(1));
    assert_eq!(first.json()["dns_generation"], json!(1));
    assert!(d.join("zones/current/shop.example.zone").exists());
    let conf = std::fs::read_to_string(d.join("nginx/current/shop.example.conf")).unwrap();
    assert!(conf.contains("listen 127.0.0.1:8088;"), "{conf}");
    let again = berth(d, &["--json", "provision"], &env, None).json();
    assert_eq!(
        (again["changed_files"].clone(), again["generation"].clone()),
        (json!([]), json!(null))
    );
    let denied = berth(d, &["--json", "--as", "c1", "provision"], &env, None);
    assert_eq!(denied.code, 4);
    let status = berth(d, &["--json", "provision", "--status"], &env, None);
    assert_eq!(status.code, 0, "{}", status.stderr);
    let status = status.json();
    assert_eq!(
        (status["pending"].clone(), status["failed"].clone()),
        (json!(0), json!(0))
    );
    assert!(status["done"].as_u64().unwrap() >= 1, "{status}");
}
