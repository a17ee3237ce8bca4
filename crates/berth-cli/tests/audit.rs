//! `berth audit list` and `berth audit export` (R10.9, R11.4): a change made on the
//! command line is listed with its field changes (one table line per change), found by
//! object and operation, and exported with the same entries as the list.

mod support;

use support::{berth, initialized, ok};

#[test]
fn r10_9_command_line_field_changes_are_listed_and_exported() {
    let dir = initialized();
    let d = dir.path();
    ok(
        d,
        &[
            "customer",
            "create",
            "cli-cust",
            "--name",
            "C",
            "--email",
            "c@example.com",
            "--password",
            "Cli-secret-77",
        ],
    );
    ok(
        d,
        &[
            "customer",
            "update",
            "cli-cust",
            "--email",
            "new@example.com",
            "--city",
            "Lyon",
        ],
    );
    let entries = ok(d, &["--json", "audit", "list", "--action", "update"]).json();
    let entries = entries.as_array().unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["action"], "customer update");
    assert_eq!(entries[0]["interface"], "cli");
    assert_eq!(
        entries[0]["changes"],
        serde_json::json!([
            {"object": "customer cli-cust", "field": "email", "before": "c@example.com", "after": "new@example.com"},
            {"object": "customer cli-cust", "field": "city", "before": null, "after": "Lyon"},
        ])
    );

    // Table output: one line per change, under a header.
    let table = ok(
        d,
        &[
            "audit", "list", "--object", "cli-cust", "--action", "update",
        ],
    )
    .stdout;
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    assert!(lines[1].contains("email") && lines[1].contains("new@example.com"));
    assert!(lines[2].contains("city") && lines[2].contains("Lyon"));

    // The export holds what the list holds.
    let listed = ok(d, &["--json", "audit", "list"]).json();
    let jsonl = ok(d, &["audit", "export", "--format", "jsonl"]).stdout;
    let exported: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(serde_json::Value::Array(exported), listed);
    let csv = ok(d, &["audit", "export", "--format", "csv"]).stdout;
    let changes: usize = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["changes"].as_array().unwrap().len().max(1))
        .sum();
    assert_eq!(csv.lines().count(), changes + 1, "{csv}");
    assert!(!csv.contains("Cli-secret-77") && !jsonl.contains("Cli-secret-77"));
    let bad = berth(
        d,
        &["--json", "audit", "export", "--format", "xml"],
        &[],
        None,
    );
    assert_ne!(bad.code, 0);
    assert_eq!(bad.error()["field"], "format");
}
