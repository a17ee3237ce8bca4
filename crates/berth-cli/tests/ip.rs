//! `berth ip ...` end to end (R7.5): the CLI.md contract (flags, JSON shapes, exit codes)
//! on SQLite and PostgreSQL.

mod support;

use std::path::Path;

use support::{berth, initialized, ok};

use serde_json::Value;

/// Runs `args` with `--json`, expecting failure; returns (exit code, code, field).
fn fails(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let run = berth(dir, &all, &[], None);
    assert_ne!(run.code, 0, "berth {args:?} succeeded: {}", run.stdout);
    let error = run.error();
    (
        run.code,
        error["code"].as_str().unwrap_or_default().to_owned(),
        error["field"].as_str().unwrap_or_default().to_owned(),
    )
}

fn list(dir: &Path) -> Vec<String> {
    let out = ok(dir, &["--json", "ip", "list"]).json();
    out.as_array()
        .unwrap()
        .iter()
        .map(|ip| ip["address"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn ip_json_has_the_documented_shape_and_canonical_addresses() {
    let dir = initialized();
    let d = dir.path();
    let added = ok(
        d,
        &[
            "--json",
            "ip",
            "add",
            "2001:DB8:0:0::1",
            "--type",
            "dedicated",
            "--interface",
            "eth0",
        ],
    )
    .json();
    let mut keys: Vec<&str> = added
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["address", "created", "family", "id", "interface", "type"]
    );
    assert_eq!(added["address"], "2001:db8::1");
    assert_eq!(added["family"], 6);
    assert_eq!(added["type"], "dedicated");
    assert_eq!(added["interface"], "eth0");

    let v4 = ok(
        d,
        &["--json", "ip", "add", "192.0.2.10", "--type", "shared"],
    )
    .json();
    assert_eq!(
        (v4["family"].clone(), v4["interface"].clone()),
        (Value::from(4), Value::Null)
    );

    let listed = ok(d, &["--json", "ip", "list"]).json();
    assert!(listed.is_array());
    assert_eq!(listed[0]["address"], "192.0.2.10", "IPv4 first");
    assert_eq!(listed[1], added);
    assert_eq!(list(d), ["192.0.2.10", "2001:db8::1"]);
}

#[test]
fn ip_update_and_remove_in_json() {
    let dir = initialized();
    let d = dir.path();
    ok(d, &["ip", "add", "192.0.2.1", "--type", "shared"]);
    let updated = ok(
        d,
        &[
            "--json",
            "ip",
            "update",
            "192.0.2.1",
            "--type",
            "dedicated",
            "--interface",
            "eth1",
        ],
    )
    .json();
    assert_eq!(updated["type"], "dedicated");
    assert_eq!(updated["interface"], "eth1");
    assert_eq!(updated["changed"], serde_json::json!(["type", "interface"]));
    assert_eq!(updated["dry_run"], false);

    let cleared = ok(
        d,
        &["--json", "ip", "update", "192.0.2.1", "--interface", ""],
    )
    .json();
    assert_eq!(cleared["interface"], Value::Null);

    let removed = ok(d, &["--json", "ip", "remove", "192.0.2.1", "--yes"]).json();
    assert_eq!(removed[0]["name"], "192.0.2.1");
    assert_eq!(removed[0]["ok"], true);
    assert_eq!(removed[0]["error"], Value::Null);
    assert!(list(d).is_empty());
}

#[test]
fn ip_exit_codes_and_json_errors_follow_the_contract() {
    let dir = initialized();
    let d = dir.path();
    ok(d, &["ip", "add", "192.0.2.1", "--type", "shared"]);
    let expect = |args: &[&str], code: i32, error: &str, field: &str| {
        assert_eq!(
            fails(d, args),
            (code, error.to_owned(), field.to_owned()),
            "{args:?}"
        );
    };
    expect(
        &["ip", "add", "999.0.0.1", "--type", "shared"],
        2,
        "invalid",
        "ip",
    );
    expect(
        &["ip", "add", "0.0.0.0", "--type", "shared"],
        2,
        "invalid",
        "ip",
    );
    expect(
        &["ip", "add", "ff02::1", "--type", "shared"],
        2,
        "invalid",
        "ip",
    );
    expect(
        &["ip", "add", "255.255.255.255", "--type", "shared"],
        2,
        "invalid",
        "ip",
    );
    expect(
        &["ip", "add", "192.0.2.2", "--type", "private"],
        2,
        "invalid",
        "type",
    );
    expect(
        &[
            "ip",
            "add",
            "192.0.2.2",
            "--type",
            "shared",
            "--interface",
            "a-very-long-interface",
        ],
        2,
        "invalid",
        "interface",
    );
    expect(&["ip", "add", "192.0.2.2"], 2, "invalid", "type");
    expect(
        &["ip", "add", " 192.0.2.1", "--type", "dedicated"],
        6,
        "conflict",
        "ip",
    );
    expect(
        &["ip", "update", "192.0.2.9", "--type", "dedicated"],
        3,
        "not_found",
        "ip",
    );
    expect(&["ip", "remove", "192.0.2.1"], 2, "invalid", "yes");
    assert_eq!(list(d), ["192.0.2.1"]);
}

#[test]
fn r7_5_only_the_admin_manages_addresses_exit_4() {
    let dir = initialized();
    let d = dir.path();
    ok(
        d,
        &[
            "reseller",
            "create",
            "acme",
            "--name",
            "Acme",
            "--email",
            "ops@acme.example",
            "--password",
            "acme-password",
        ],
    );
    ok(d, &["ip", "add", "192.0.2.1", "--type", "shared"]);
    for args in [
        &["--as", "acme", "ip", "add", "192.0.2.2", "--type", "shared"][..],
        &[
            "--as",
            "acme",
            "ip",
            "update",
            "192.0.2.1",
            "--type",
            "dedicated",
        ][..],
    ] {
        let (code, error, _) = fails(d, args);
        assert_eq!((code, error.as_str()), (4, "forbidden"), "{args:?}");
    }
    let pool = ok(d, &["--json", "--as", "acme", "ip", "list"]).json();
    assert_eq!(
        pool,
        serde_json::json!([]),
        "a reseller lists its (empty) pool"
    );
    let run = berth(
        d,
        &[
            "--json",
            "--as",
            "acme",
            "ip",
            "remove",
            "192.0.2.1",
            "--yes",
        ],
        &[],
        None,
    );
    assert_eq!(run.code, 4);
    assert_eq!(run.json()[0]["error"]["code"], "forbidden");
    assert_eq!(list(d), ["192.0.2.1"]);
}

#[test]
fn ip_bulk_remove_reports_per_object_and_dry_run_writes_nothing() {
    let dir = initialized();
    let d = dir.path();
    for ip in ["192.0.2.1", "192.0.2.2", "2001:db8::1"] {
        ok(d, &["ip", "add", ip, "--type", "shared"]);
    }
    let preview = ok(
        d,
        &[
            "--json",
            "ip",
            "add",
            "192.0.2.3",
            "--type",
            "shared",
            "--dry-run",
        ],
    )
    .json();
    assert_eq!(preview["dry_run"], true);
    assert_eq!(preview["address"], "192.0.2.3");
    let dry = ok(
        d,
        &[
            "--json",
            "ip",
            "remove",
            "192.0.2.1",
            "2001:db8::1",
            "--dry-run",
        ],
    )
    .json();
    assert_eq!(dry[1]["result"]["dry_run"], true);
    ok(
        d,
        &[
            "ip",
            "update",
            "192.0.2.2",
            "--type",
            "dedicated",
            "--dry-run",
        ],
    );
    let listed = ok(d, &["--json", "ip", "list"]).json();
    assert_eq!(listed.as_array().unwrap().len(), 3, "nothing was written");
    assert_eq!(listed[1]["type"], "shared");

    let run = berth(
        d,
        &[
            "--json",
            "ip",
            "remove",
            "192.0.2.1",
            "192.0.2.7",
            "nonsense",
            "2001:0DB8::1",
            "--yes",
        ],
        &[],
        None,
    );
    assert_eq!(run.code, 3, "the exit code of the first failure");
    let out = run.json();
    let oks: Vec<bool> = out
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["ok"].as_bool().unwrap())
        .collect();
    assert_eq!(oks, [true, false, false, true]);
    assert_eq!(out[1]["error"]["code"], "not_found");
    assert_eq!(out[2]["error"]["code"], "invalid");
    assert_eq!(out[2]["error"]["field"], "ip");
    assert_eq!(out[3]["name"], "2001:0DB8::1");
    assert_eq!(list(d), ["192.0.2.2"]);
}

#[test]
fn ip_human_output_is_a_table_and_sentences() {
    let dir = initialized();
    let d = dir.path();
    let added = ok(
        d,
        &[
            "ip",
            "add",
            "192.0.2.10",
            "--type",
            "shared",
            "--interface",
            "eth0",
        ],
    );
    assert_eq!(
        added.stdout.trim(),
        "Registered shared IP address 192.0.2.10 on eth0."
    );
    ok(d, &["ip", "add", "2001:db8::1", "--type", "dedicated"]);
    let table = ok(d, &["ip", "list"]).stdout;
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    assert!(
        lines[0].starts_with("IP") && lines[0].contains("TYPE") && lines[0].contains("INTERFACE")
    );
    assert!(
        lines[1].starts_with("192.0.2.10")
            && lines[1].contains("shared")
            && lines[1].contains("eth0")
    );
    assert!(lines[2].starts_with("2001:db8::1") && lines[2].contains("dedicated"));
    let same = ok(d, &["ip", "update", "192.0.2.10", "--type", "shared"]);
    assert_eq!(
        same.stdout.trim(),
        "Nothing changed for IP address 192.0.2.10."
    );
    let failed = berth(
        d,
        &["ip", "add", "192.0.2.10", "--type", "shared"],
        &[],
        None,
    );
    assert_eq!(failed.code, 6);
    assert!(failed.stderr.contains("already registered") && failed.stderr.contains("field: ip"));
    let removed = ok(d, &["ip", "remove", "192.0.2.10", "--yes"]);
    assert_eq!(
        removed.stdout.trim(),
        "192.0.2.10: removed IP address 192.0.2.10"
    );
}

#[test]
fn ip_commands_run_the_same_on_postgres() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = runtime.block_on(berth_store_postgres::testing::fresh_database()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let url = db.url.as_str();
    ok(
        d,
        &[
            "--database-url",
            url,
            "init",
            "--admin-password",
            "admin-pass-1",
        ],
    );
    for ip in ["2001:db8::10", "10.0.0.1", "2001:db8::9", "9.0.0.1"] {
        ok(
            d,
            &["--database-url", url, "ip", "add", ip, "--type", "shared"],
        );
    }
    let listed = ok(d, &["--json", "--database-url", url, "ip", "list"]).json();
    let addresses: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["address"].as_str().unwrap())
        .collect();
    assert_eq!(
        addresses,
        ["9.0.0.1", "10.0.0.1", "2001:db8::9", "2001:db8::10"]
    );
    let taken = berth(
        d,
        &[
            "--json",
            "--database-url",
            url,
            "ip",
            "add",
            "2001:DB8:0:0::10",
            "--type",
            "dedicated",
        ],
        &[],
        None,
    );
    assert_eq!(taken.code, 6);
    assert_eq!(taken.error()["field"], "ip");
    let removed = ok(
        d,
        &[
            "--json",
            "--database-url",
            url,
            "ip",
            "remove",
            "10.0.0.1",
            "--yes",
        ],
    )
    .json();
    assert_eq!(removed[0]["ok"], true);
    drop(runtime);
}
