//! `berth plan ...` and `berth subscription ...` end to end (SPEC §2–§3): the CLI.md
//! contract (flags, JSON shapes, exit codes), Update & Sync, Update & Lock, Unlock & Sync,
//! the lock scope and hard quota server settings, on SQLite and PostgreSQL.

mod support;

use std::path::Path;

use serde_json::Value;
use support::Run;

/// Every command runs at this time, so that expiration dates are known.
const NOW: (&str, &str) = ("BERTH_NOW", "2026-01-15T12:00:00Z");

/// Runs `berth` at [`NOW`] (overridable through `env`).
fn berth(dir: &Path, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Run {
    let mut all = vec![NOW];
    all.extend_from_slice(env);
    support::berth(dir, args, &all, stdin)
}

fn ok_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let run = berth(dir, args, env, None);
    assert_eq!(run.code, 0, "berth {args:?} failed: {}", run.stderr);
    run
}

fn ok(dir: &Path, args: &[&str]) -> Run {
    ok_env(dir, args, &[])
}

/// `--json` + `args` and the parsed stdout.
fn json(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    ok(dir, &all).json()
}

/// Runs `args` with `--json`, expecting failure; returns (exit code, code, field). A bulk
/// verb reports on stdout: the error is the first failed object's.
fn fails(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let run = berth(dir, &all, &[], None);
    assert_ne!(run.code, 0, "berth {args:?} succeeded: {}", run.stdout);
    let error = if run.stderr.trim().is_empty() {
        let items = run.json();
        let failed = items
            .as_array()
            .and_then(|a| a.iter().find(|i| i["ok"] == false));
        failed.expect("a failed object")["error"].clone()
    } else {
        run.error()
    };
    (
        run.code,
        error["code"].as_str().unwrap_or_default().to_owned(),
        error["field"].as_str().unwrap_or_default().to_owned(),
    )
}

fn initialized() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    // Without Plesk's stock plans: these tests count the plans they create.
    ok(
        dir.path(),
        &[
            "init",
            "--admin-password",
            "admin-pass-1",
            "--no-stock-plans",
        ],
    );
    ok(dir.path(), &["ip", "add", "192.0.2.1", "--type", "shared"]);
    dir
}

/// An initialized server with plan `Gold` (disk 10G, 20 mailboxes) and subscriptions
/// `a.example` and `b.example` on it.
fn with_two_subscriptions() -> tempfile::TempDir {
    let dir = initialized();
    let d = dir.path();
    ok(
        d,
        &[
            "plan",
            "create",
            "Gold",
            "--limit",
            "disk_space=10G",
            "--limit",
            "max_box=20",
        ],
    );
    for domain in ["a.example", "b.example"] {
        ok(d, &["subscription", "create", domain, "--plan", "Gold"]);
    }
    dir
}

fn keys(v: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys
}

fn has_all(v: &Value, expected: &[&str]) {
    let present = keys(v);
    for key in expected {
        assert!(present.contains(key), "{key} is missing from {present:?}");
    }
}

#[test]
fn plan_and_subscription_json_have_the_cli_md_shape() {
    let dir = initialized();
    let d = dir.path();
    let created = json(
        d,
        &[
            "plan",
            "create",
            "Gold",
            "--limit",
            "disk_space=10G",
            "--limit",
            "max_box=20",
            "--limit",
            "max_box=25",
            "--limit",
            "expiration=1Y",
            "--overuse",
            "notify",
            "--perm",
            "manage_dns=true",
            "--hosting",
            "ssl=false",
            "--php",
            "memory_limit=256M",
            "--mail",
            "webmail=false",
            "--dns",
            "slave",
            "--performance",
            "max_connections=20",
            "--logs",
            "stats_retention=6",
            "--apps",
            "wordpress,joomla",
        ],
    );
    assert_eq!(created["name"], "Gold");
    let plan = json(d, &["plan", "info", "Gold"]);
    has_all(
        &plan,
        &[
            "id",
            "name",
            "owner",
            "type",
            "limits",
            "permissions",
            "hosting",
            "php",
            "mail",
            "dns",
            "performance",
            "logs",
            "subscriptions",
        ],
    );
    assert_eq!(plan["id"], created["id"]);
    assert_eq!(plan["owner"], "admin");
    assert_eq!(plan["type"], "service");
    assert_eq!(plan["limits"]["disk_space"], 10_i64 << 30);
    assert_eq!(plan["limits"]["max_box"], 25, "a later flag wins");
    assert_eq!(plan["limits"]["max_db"], -1, "unlimited is -1");
    assert_eq!(plan["limits"]["overuse"], "notify");
    assert_eq!(plan["permissions"]["manage_dns"], true);
    assert_eq!(plan["hosting"]["ssl"], false);
    assert_eq!(plan["php"]["memory_limit"], 256_i64 << 20);
    assert_eq!(plan["mail"]["webmail"], false);
    assert_eq!(plan["dns"]["zone_type"], "slave");
    assert_eq!(plan["performance"]["max_connections"], 20);
    assert_eq!(plan["logs"]["stats_retention"], 6);
    assert_eq!(plan["subscriptions"], 0);

    let sub = json(
        d,
        &["subscription", "create", "shop.example", "--plan", "Gold"],
    );
    let password = sub["system_password"].as_str().unwrap().to_owned();
    assert!(password.len() >= 12, "a generated password: {password}");
    let info = json(d, &["subscription", "info", "shop.example"]);
    has_all(
        &info,
        &[
            "id",
            "name",
            "ascii_name",
            "owner",
            "plan",
            "addons",
            "sync_state",
            "status",
            "suspension_reasons",
            "expiration",
            "limits",
            "permissions",
            "overused",
            "ips",
            "system_user",
            "conflicts",
        ],
    );
    assert!(info.get("system_password").is_none());
    assert_eq!(info["id"], sub["id"]);
    assert_eq!(info["name"], "shop.example");
    assert_eq!(info["ascii_name"], "shop.example");
    assert_eq!(info["owner"], "admin");
    assert_eq!(info["plan"], "Gold");
    assert_eq!(info["addons"], serde_json::json!([]));
    assert_eq!(info["sync_state"], "synced");
    assert_eq!(info["status"], "active");
    assert_eq!(info["suspension_reasons"], serde_json::json!([]));
    assert_eq!(info["expiration"], "2027-01-15", "now + the plan's 1Y");
    assert_eq!(info["limits"]["disk_space"], 10_i64 << 30);
    assert_eq!(info["limits"]["max_box"], 25);
    assert_eq!(info["permissions"]["manage_dns"], true);
    assert_eq!(info["overused"], false);
    assert_eq!(info["ips"], serde_json::json!(["192.0.2.1"]));
    assert!(info["system_user"].as_str().is_some_and(|u| !u.is_empty()));
    assert_eq!(info["conflicts"], serde_json::json!([]));
    assert_eq!(json(d, &["plan", "info", "Gold"])["subscriptions"], 1);

    // Human output: the generated password once, on creation only.
    let human = ok(
        d,
        &[
            "subscription",
            "create",
            "blog.example",
            "--plan",
            "Gold",
            "--system-user",
            "bloguser",
        ],
    );
    assert!(human.stdout.contains("shown only this once"));
    assert!(human.stdout.contains("bloguser"));
    let given = berth(
        d,
        &[
            "subscription",
            "create",
            "wiki2.example",
            "--system-password",
            "-",
        ],
        &[],
        Some("wiki-secret-pw\n"),
    );
    assert_eq!(given.code, 0, "{}", given.stderr);
    assert!(!given.stdout.contains("shown only this once"));
    let info = ok(d, &["subscription", "info", "blog.example"]).stdout;
    assert!(info.contains("Plan           Gold") && info.contains("disk_space"));
    let list = json(d, &["plan", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["subscriptions"], 2);
    let table = ok(d, &["plan", "list"]).stdout;
    assert!(
        table.starts_with("NAME  TYPE     OWNER  SUBSCRIPTIONS"),
        "{table}"
    );
}

#[test]
fn idn_domains_show_unicode_and_punycode() {
    let dir = initialized();
    let d = dir.path();
    let created = json(d, &["subscription", "create", "bücher.example"]);
    assert_eq!(created["name"], "bücher.example");
    assert_eq!(created["ascii_name"], "xn--bcher-kva.example");
    assert_eq!(created["plan"], Value::Null);
    let by_ascii = json(d, &["subscription", "info", "xn--bcher-kva.example"]);
    assert_eq!(by_ascii["id"], created["id"]);
    assert_eq!(by_ascii["name"], "bücher.example");
    let taken = fails(d, &["subscription", "create", "XN--BCHER-KVA.example"]);
    assert_eq!(taken, (6, "conflict".into(), "domain".into()));
    let list = ok(d, &["subscription", "list"]).stdout;
    assert!(list.contains("bücher.example (Custom)"), "{list}");
    let info = ok(d, &["subscription", "info", "bücher.example"]).stdout;
    assert!(info.contains("xn--bcher-kva.example"), "{info}");
}

#[test]
fn plan_update_reports_counts_and_dry_run_writes_nothing() {
    let dir = with_two_subscriptions();
    let d = dir.path();
    ok(
        d,
        &[
            "subscription",
            "customize",
            "b.example",
            "--limit",
            "max_box=50",
        ],
    );
    let preview = json(
        d,
        &[
            "plan",
            "update",
            "Gold",
            "--limit",
            "disk_space=20G",
            "--dry-run",
        ],
    );
    assert_eq!(preview["dry_run"], true);
    assert_eq!(preview["limits"]["disk_space"], 20_i64 << 30);
    assert_eq!(preview["changed"][0]["field"], "disk_space");
    assert_eq!(preview["changed"][0]["old"], 10_i64 << 30);
    assert_eq!(preview["changed"][0]["new"], 20_i64 << 30);
    let sync = &preview["sync"];
    assert_eq!(
        (&sync["synced"], &sync["locked"], &sync["unsynced"]),
        (&1.into(), &1.into(), &0.into())
    );
    let impact = sync["impact"].as_array().unwrap();
    assert_eq!(impact.len(), 2);
    assert_eq!(impact[0]["name"], "a.example");
    assert_eq!(impact[0]["outcome"], "synced");
    assert_eq!(impact[0]["changes"][0]["field"], "disk_space");
    assert_eq!(impact[1]["name"], "b.example");
    assert_eq!(impact[1]["outcome"], "locked");

    let human = ok(
        d,
        &[
            "plan",
            "update",
            "Gold",
            "--limit",
            "disk_space=20G",
            "--dry-run",
        ],
    )
    .stdout;
    assert!(
        human.contains("Would change service plan Gold: disk_space: 10G → 20G."),
        "{human}"
    );
    assert!(
        human.contains("would sync 1, skip 1 as locked, leave 0 unsynced"),
        "{human}"
    );
    assert!(human.contains("a.example: synced"), "{human}");
    assert!(human.contains("disk_space: 10G → 20G"), "{human}");
    assert!(human.contains("b.example: locked, skipped"), "{human}");

    // Nothing was written.
    assert_eq!(
        json(d, &["plan", "info", "Gold"])["limits"]["disk_space"],
        10_i64 << 30
    );
    let a = json(d, &["subscription", "info", "a.example"]);
    assert_eq!(a["limits"]["disk_space"], 10_i64 << 30);

    let applied = ok(
        d,
        &[
            "plan",
            "update",
            "Gold",
            "--limit",
            "disk_space=20G",
            "--new-name",
            "Platinum",
        ],
    )
    .stdout;
    assert!(applied.contains("name: Gold → Platinum"), "{applied}");
    assert!(
        applied.contains("Subscriptions: 1 synced, 1 skipped as locked, 0 unsynced."),
        "{applied}"
    );
    let a = json(d, &["subscription", "info", "a.example"]);
    assert_eq!(a["limits"]["disk_space"], 20_i64 << 30);
    assert_eq!(a["plan"], "Platinum");
    let b = json(d, &["subscription", "info", "b.example"]);
    assert_eq!(b["limits"]["disk_space"], 10_i64 << 30, "locked: skipped");
    assert_eq!(b["sync_state"], "locked");
    let (code, _, field) = fails(d, &["plan", "info", "Gold"]);
    assert_eq!((code, field.as_str()), (3, "name"));
}

#[test]
fn customize_locks_and_unlock_syncs_again() {
    let dir = with_two_subscriptions();
    let d = dir.path();
    let customized = json(
        d,
        &[
            "subscription",
            "customize",
            "a.example",
            "--limit",
            "max_box=50",
            "--perm",
            "manage_dns=false",
        ],
    );
    assert_eq!(customized["sync_state"], "locked");
    assert_eq!(customized["limits"]["max_box"], 50);
    assert_eq!(
        customized["customized"],
        serde_json::json!(["manage_dns", "max_box"])
    );
    assert!(
        customized["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["field"] == "max_box" && c["old"] == 20 && c["new"] == 50)
    );
    let locked = json(d, &["subscription", "list", "--sync-state", "locked"]);
    assert_eq!(locked.as_array().unwrap().len(), 1);
    assert_eq!(locked[0]["name"], "a.example");

    let update = json(d, &["plan", "update", "Gold", "--limit", "max_box=30"]);
    assert_eq!(update["sync"]["synced"], 1);
    assert_eq!(update["sync"]["locked"], 1);
    assert_eq!(
        json(d, &["subscription", "info", "a.example"])["limits"]["max_box"],
        50
    );
    assert_eq!(
        json(d, &["subscription", "info", "b.example"])["limits"]["max_box"],
        30
    );

    // Hosting settings are not customizable from the owner side (R3.5).
    let (code, _, _) = fails(
        d,
        &[
            "subscription",
            "customize",
            "a.example",
            "--limit",
            "ssl=true",
        ],
    );
    assert_eq!(code, 2);

    // Releasing one field: with lock_scope = field it follows the plan again at once.
    let partly = ok_env(
        d,
        &[
            "--json",
            "subscription",
            "unlock",
            "a.example",
            "--field",
            "max_box",
        ],
        &[("BERTH_SERVER_LOCK_SCOPE", "field")],
    )
    .json();
    assert_eq!(partly[0]["ok"], true);
    assert_eq!(
        partly[0]["result"]["customized"],
        serde_json::json!(["manage_dns"])
    );
    assert_eq!(partly[0]["result"]["limits"]["max_box"], 30);
    assert_eq!(
        partly[0]["result"]["sync_state"], "locked",
        "manage_dns is still held"
    );
    let unlocked = ok(d, &["subscription", "unlock", "a.example"]).stdout;
    assert!(
        unlocked.contains("a.example: unlocked, now a.example (Gold), synced"),
        "{unlocked}"
    );
    assert!(
        unlocked.contains("manage_dns: false → true") || unlocked.contains("manage_dns"),
        "{unlocked}"
    );
    let a = json(d, &["subscription", "info", "a.example"]);
    assert_eq!(a["sync_state"], "synced");
    assert_eq!(a["customized"], serde_json::json!([]));
    let (code, _, field) = fails(
        d,
        &["subscription", "unlock", "a.example", "--field", "max_box"],
    );
    assert_eq!((code, field.as_str()), (2, "field"));
}

#[test]
fn change_plan_to_none_makes_a_custom_subscription() {
    let dir = with_two_subscriptions();
    let d = dir.path();
    ok(d, &["plan", "create", "Silver", "--limit", "max_box=5"]);
    ok(
        d,
        &[
            "plan",
            "create",
            "Extra",
            "--type",
            "addon",
            "--limit",
            "max_box=3",
        ],
    );
    let moved = json(
        d,
        &[
            "subscription",
            "change-plan",
            "a.example",
            "--plan",
            "Silver",
        ],
    );
    assert_eq!(moved[0]["result"]["plan"], "Silver");
    assert_eq!(moved[0]["result"]["limits"]["max_box"], 5);
    let added = json(
        d,
        &["subscription", "add-addon", "a.example", "--addon", "Extra"],
    );
    assert_eq!(added[0]["result"]["addons"], serde_json::json!(["Extra"]));
    assert_eq!(
        added[0]["result"]["limits"]["max_box"], 8,
        "add-ons add up (R2.5)"
    );
    let (code, _, field) = fails(
        d,
        &["subscription", "add-addon", "a.example", "--addon", "Extra"],
    );
    assert_eq!((code, field.as_str()), (6, "addon"));
    let removed = ok(
        d,
        &[
            "subscription",
            "remove-addon",
            "a.example",
            "--addon",
            "Extra",
        ],
    )
    .stdout;
    assert!(
        removed.contains("a.example: removed add-on Extra"),
        "{removed}"
    );
    assert!(removed.contains("max_box: 8 → 5"), "{removed}");

    let human = ok(
        d,
        &[
            "subscription",
            "change-plan",
            "a.example",
            "b.example",
            "--no-plan",
        ],
    )
    .stdout;
    assert!(
        human.contains("a.example: now a.example (Custom), synced"),
        "{human}"
    );
    assert!(
        human.contains("b.example: now b.example (Custom), synced"),
        "{human}"
    );
    let a = json(d, &["subscription", "info", "a.example"]);
    assert_eq!(a["plan"], Value::Null);
    assert_eq!(a["display_name"], "a.example (Custom)");
    assert_eq!(a["limits"]["max_box"], 5, "keeps its current values");
    let list = ok(d, &["subscription", "list"]).stdout;
    assert!(list.starts_with("NAME"), "{list}");
    assert!(list.contains("b.example (Custom)"), "{list}");
    // --plan and --no-plan: exactly one.
    let neither = berth(d, &["subscription", "change-plan", "a.example"], &[], None);
    assert_eq!(neither.code, 2);
    let both = berth(
        d,
        &[
            "subscription",
            "change-plan",
            "a.example",
            "--plan",
            "Gold",
            "--no-plan",
        ],
        &[],
        None,
    );
    assert_eq!(both.code, 2);
    // Bulk: per object, exit code of the first failure.
    let run = berth(
        d,
        &[
            "--json",
            "subscription",
            "change-plan",
            "a.example",
            "nope.example",
            "--plan",
            "Gold",
        ],
        &[],
        None,
    );
    assert_eq!(run.code, 3);
    let items = run.json();
    assert_eq!(items[0]["ok"], true);
    assert_eq!(items[1]["ok"], false);
    assert_eq!(items[1]["error"]["code"], "not_found");
}

#[test]
fn bad_property_flags_exit_2_naming_the_property() {
    let dir = with_two_subscriptions();
    let d = dir.path();
    let cases: &[(&[&str], &str)] = &[
        (&["plan", "create", "X", "--limit", "nope=1"], "nope"),
        (
            &["plan", "create", "X", "--limit", "max_box=many"],
            "max_box",
        ),
        (
            &["plan", "create", "X", "--perm", "disk_space=true"],
            "disk_space",
        ),
        (
            &["plan", "create", "X", "--perm", "manage_dns=maybe"],
            "manage_dns",
        ),
        (&["plan", "create", "X", "--dns", "primary"], "zone_type"),
        (
            &["plan", "create", "X", "--overuse", "sometimes"],
            "overuse",
        ),
        (
            &["plan", "create", "X", "--oversell", "true"],
            "allow_oversell",
        ),
        (&["plan", "create", "X", "--type", "gold"], "type"),
        (
            &["plan", "update", "Gold", "--php", "memory_limit=lots"],
            "memory_limit",
        ),
        (
            &[
                "subscription",
                "customize",
                "a.example",
                "--limit",
                "max_box=x",
            ],
            "max_box",
        ),
        (
            &["subscription", "create", "c.example", "--perm", "nope=true"],
            "nope",
        ),
        (
            &["subscription", "renew", "a.example", "--expiration", "soon"],
            "expiration",
        ),
    ];
    for (args, field) in cases {
        let (code, kind, got) = fails(d, args);
        assert_eq!(
            (code, kind.as_str(), got.as_str()),
            (2, "invalid", *field),
            "{args:?}"
        );
    }
    assert_eq!(json(d, &["plan", "list"]).as_array().unwrap().len(), 1);
    // A reseller plan takes --oversell.
    let reseller = json(
        d,
        &[
            "plan",
            "create",
            "R",
            "--type",
            "reseller",
            "--oversell",
            "true",
        ],
    );
    assert_eq!(reseller["permissions"]["allow_oversell"], true);
    // Human errors name the field too.
    let run = berth(d, &["plan", "create", "X", "--limit", "nope=1"], &[], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("(field: nope)"), "{}", run.stderr);
}

#[test]
fn plan_remove_needs_yes_and_refuses_while_in_use() {
    let dir = with_two_subscriptions();
    let d = dir.path();
    let (code, kind, field) = fails(d, &["plan", "remove", "Gold", "--yes"]);
    assert_eq!(
        (code, kind.as_str(), field.as_str()),
        (6, "conflict", "name")
    );
    let run = berth(d, &["plan", "remove", "Gold", "--yes"], &[], None);
    assert!(
        run.stderr.contains("used by 2 subscription"),
        "{}",
        run.stderr
    );
    let (code, _, field) = fails(d, &["plan", "remove", "Gold"]);
    assert_eq!((code, field.as_str()), (2, "yes"));

    ok(
        d,
        &[
            "subscription",
            "change-plan",
            "a.example",
            "b.example",
            "--no-plan",
        ],
    );
    let preview = json(d, &["plan", "remove", "Gold", "--dry-run"]);
    assert_eq!(preview["dry_run"], true);
    assert_eq!(preview["name"], "Gold");
    assert_eq!(
        json(d, &["plan", "list"]).as_array().unwrap().len(),
        1,
        "a dry run writes nothing"
    );
    let removed = ok(d, &["plan", "remove", "Gold", "--yes"]).stdout;
    assert_eq!(removed.trim(), "Removed service plan Gold (owner admin).");
    let (code, _, _) = fails(d, &["plan", "info", "Gold"]);
    assert_eq!(code, 3);
}

#[test]
fn lock_scope_field_lets_plan_updates_reach_the_other_fields() {
    let dir = with_two_subscriptions();
    let d = dir.path();
    ok(
        d,
        &[
            "subscription",
            "customize",
            "a.example",
            "--limit",
            "max_box=50",
        ],
    );
    // Default scope: the whole subscription is held.
    let update = json(
        d,
        &[
            "plan",
            "update",
            "Gold",
            "--limit",
            "disk_space=20G",
            "--limit",
            "max_box=30",
        ],
    );
    assert_eq!(
        (
            update["sync"]["synced"].clone(),
            update["sync"]["locked"].clone()
        ),
        (1.into(), 1.into())
    );
    let a = json(d, &["subscription", "info", "a.example"]);
    assert_eq!(a["limits"]["disk_space"], 10_i64 << 30);

    // Field scope, from the environment: only max_box is held.
    let field = [("BERTH_SERVER_LOCK_SCOPE", "field")];
    let update = ok_env(
        d,
        &[
            "--json",
            "plan",
            "update",
            "Gold",
            "--limit",
            "disk_space=40G",
            "--limit",
            "max_box=40",
        ],
        &field,
    )
    .json();
    assert_eq!(update["sync"]["locked"], 0);
    let a = json(d, &["subscription", "info", "a.example"]);
    assert_eq!(
        a["limits"]["disk_space"],
        40_i64 << 30,
        "plan changes reach the other fields"
    );
    assert_eq!(a["limits"]["max_box"], 50, "the customized field is held");

    // Field scope, from berth.toml; the environment overrides the file.
    std::fs::write(d.join("berth.toml"), "[server]\nlock_scope = \"field\"\n").unwrap();
    let preview = json(
        d,
        &[
            "plan",
            "update",
            "Gold",
            "--limit",
            "disk_space=50G",
            "--dry-run",
        ],
    );
    assert_eq!(preview["sync"]["locked"], 0);
    let preview = ok_env(
        d,
        &[
            "--json",
            "plan",
            "update",
            "Gold",
            "--limit",
            "disk_space=50G",
            "--dry-run",
        ],
        &[("BERTH_SERVER_LOCK_SCOPE", "subscription")],
    )
    .json();
    assert_eq!(preview["sync"]["locked"], 1);

    let bad = berth(
        d,
        &["--json", "plan", "list"],
        &[("BERTH_SERVER_LOCK_SCOPE", "everything")],
        None,
    );
    assert_eq!(bad.code, 2);
    assert_eq!(bad.error()["field"], "lock_scope");
}

#[test]
fn starter_settings_file_mentions_the_server_keys() {
    let dir = initialized();
    let toml = std::fs::read_to_string(dir.path().join("berth.toml")).unwrap();
    assert!(toml.contains("# [server]"), "{toml}");
    assert!(toml.contains("lock_scope"), "{toml}");
    assert!(toml.contains("hard_quota"), "{toml}");
    // The commented file is valid and changes nothing.
    ok(dir.path(), &["plan", "list"]);
}

#[test]
fn hard_quota_setting_and_the_conflict_report() {
    let dir = initialized();
    let d = dir.path();
    ok(
        d,
        &["plan", "create", "Quota", "--hosting", "hard_quota=true"],
    );
    let sub = json(
        d,
        &["subscription", "create", "q.example", "--plan", "Quota"],
    );
    assert_eq!(sub["sync_state"], "unsynced");
    assert_eq!(
        sub["conflicts"],
        serde_json::json!([{"property": "hard_quota", "plan_value": true, "available_value": false}])
    );
    let report = ok(d, &["subscription", "sync", "q.example"]).stdout;
    assert!(
        report.contains("q.example (Quota) is unsynced."),
        "{report}"
    );
    assert!(
        report.contains("PROPERTY    PLAN VALUE  AVAILABLE VALUE"),
        "{report}"
    );
    assert!(report.contains("hard_quota  true        false"), "{report}");
    let unsynced = json(d, &["subscription", "list", "--sync-state", "unsynced"]);
    assert_eq!(unsynced[0]["name"], "q.example");

    // The server gains hard quotas: a sync clears the state.
    let with_quota = [("BERTH_SERVER_HARD_QUOTA", "true")];
    let preview = ok_env(
        d,
        &["--json", "subscription", "sync", "q.example", "--dry-run"],
        &with_quota,
    )
    .json();
    assert_eq!(preview["sync_state"], "synced");
    assert_eq!(preview["dry_run"], true);
    assert_eq!(
        json(d, &["subscription", "info", "q.example"])["sync_state"],
        "unsynced"
    );

    // Accepting takes the available values.
    let accepted = json(d, &["subscription", "sync", "q.example", "--accept"]);
    assert_eq!(accepted["sync_state"], "locked");
    assert_eq!(accepted["conflicts"], serde_json::json!([]));
    assert_eq!(accepted["hosting"]["hard_quota"], false);
    let created = ok_env(
        d,
        &[
            "--json",
            "subscription",
            "create",
            "q2.example",
            "--plan",
            "Quota",
        ],
        &with_quota,
    )
    .json();
    assert_eq!(created["sync_state"], "synced");
}

#[test]
fn subscriber_expiration_hosting_and_removal() {
    let dir = with_two_subscriptions();
    let d = dir.path();
    ok(
        d,
        &[
            "customer",
            "create",
            "bob",
            "--name",
            "Bob",
            "--email",
            "bob@example.com",
            "--password",
            "bob-pass-12",
        ],
    );
    ok(d, &["ip", "add", "192.0.2.9", "--type", "dedicated"]);

    let moved = ok(
        d,
        &[
            "subscription",
            "change-subscriber",
            "a.example",
            "--to",
            "bob",
        ],
    )
    .stdout;
    assert!(
        moved.contains("a.example: now held by bob as a.example (Custom), synced"),
        "{moved}"
    );
    let mine = json(d, &["subscription", "list", "--owner", "bob"]);
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let seen = json(d, &["--as", "bob", "subscription", "list"]);
    assert_eq!(seen.as_array().unwrap().len(), 1);
    let (code, _, _) = fails(d, &["--as", "bob", "subscription", "info", "b.example"]);
    assert_eq!(code, 3, "another subscriber's subscription is not found");
    let (code, _, _) = fails(d, &["--as", "bob", "plan", "list"]);
    assert_eq!(code, 4, "a customer has no plans");

    let renewed = json(
        d,
        &[
            "subscription",
            "renew",
            "a.example",
            "--expiration",
            "2030-06-30",
        ],
    );
    assert_eq!(renewed["expiration"], "2030-06-30");
    let never = ok(
        d,
        &[
            "subscription",
            "renew",
            "a.example",
            "--expiration",
            "unlimited",
            "--dry-run",
        ],
    )
    .stdout;
    assert_eq!(never.trim(), "Would renew a.example: it never expires.");
    assert_eq!(
        json(d, &["subscription", "info", "a.example"])["expiration"],
        "2030-06-30"
    );

    let set = json(
        d,
        &[
            "subscription",
            "set",
            "a.example",
            "--ip",
            "192.0.2.9",
            "--system-user",
            "bobweb",
            "--system-password",
            "bob-web-pass-1",
        ],
    );
    assert_eq!(set["ips"], serde_json::json!(["192.0.2.9"]));
    assert_eq!(set["system_user"], "bobweb");
    let (code, _, field) = fails(
        d,
        &["subscription", "set", "b.example", "--ip", "192.0.2.9"],
    );
    assert_eq!(
        (code, field.as_str()),
        (6, "ip"),
        "a dedicated address serves one customer"
    );
    let (code, _, field) = fails(
        d,
        &[
            "subscription",
            "set",
            "b.example",
            "--system-user",
            "bobweb",
        ],
    );
    assert_eq!((code, field.as_str()), (6, "system_user"));

    let (code, _, field) = fails(d, &["subscription", "remove", "a.example"]);
    assert_eq!((code, field.as_str()), (2, "yes"));
    let preview = ok(
        d,
        &[
            "subscription",
            "remove",
            "a.example",
            "b.example",
            "--dry-run",
        ],
    )
    .stdout;
    assert!(
        preview.contains("a.example: would remove subscription a.example (Custom) of bob"),
        "{preview}"
    );
    assert_eq!(
        json(d, &["subscription", "list"]).as_array().unwrap().len(),
        2
    );
    let run = berth(
        d,
        &[
            "--json",
            "subscription",
            "remove",
            "a.example",
            "gone.example",
            "--yes",
        ],
        &[],
        None,
    );
    assert_eq!(run.code, 3);
    let items = run.json();
    assert_eq!(
        (items[0]["ok"].clone(), items[1]["ok"].clone()),
        (true.into(), false.into())
    );
    assert_eq!(items[1]["error"]["field"], "domain");
    assert_eq!(
        json(d, &["subscription", "list"]).as_array().unwrap().len(),
        1
    );
}

#[test]
fn subscription_list_filters_and_pages() {
    let dir = with_two_subscriptions();
    let d = dir.path();
    ok(d, &["subscription", "create", "c.example"]);
    let gold = json(d, &["subscription", "list", "--plan", "Gold"]);
    assert_eq!(gold.as_array().unwrap().len(), 2);
    let found = json(d, &["subscription", "list", "--search", "b.ex"]);
    assert_eq!(found[0]["name"], "b.example");
    let page = ok(d, &["subscription", "list", "--limit", "2"]).stdout;
    assert!(page.contains("More: add --after"), "{page}");
    let first = json(d, &["subscription", "list", "--limit", "2"]);
    let last = first[1]["id"].as_str().unwrap();
    let rest = json(
        d,
        &["subscription", "list", "--limit", "2", "--after", last],
    );
    assert_eq!(rest.as_array().unwrap().len(), 1);
    assert_eq!(rest[0]["name"], "c.example");
    let expired = ok_env(
        d,
        &["--json", "subscription", "list", "--expired"],
        &[("BERTH_NOW", "2028-01-01T00:00:00Z")],
    )
    .json();
    assert_eq!(
        expired.as_array().unwrap().len(),
        0,
        "Gold has no validity period"
    );
    let (code, _, field) = fails(d, &["subscription", "list", "--sync-state", "odd"]);
    assert_eq!((code, field.as_str()), (2, "sync_state"));
}

#[test]
fn reseller_plans_stay_with_their_owner() {
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
            "acme-pass-1",
        ],
    );
    ok(
        d,
        &[
            "--as",
            "acme",
            "plan",
            "create",
            "Basic",
            "--limit",
            "max_box=2",
        ],
    );
    ok(d, &["plan", "create", "Basic", "--limit", "max_box=9"]);
    let mine = json(d, &["--as", "acme", "plan", "list"]);
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["owner"], "acme");
    let theirs = json(d, &["plan", "info", "Basic", "--owner", "acme"]);
    assert_eq!(theirs["limits"]["max_box"], 2);
    assert_eq!(json(d, &["plan", "list"]).as_array().unwrap().len(), 2);
    let (code, _, _) = fails(
        d,
        &["--as", "acme", "plan", "create", "R", "--type", "reseller"],
    );
    assert!(
        matches!(code, 2 | 4),
        "reseller plans are the admin's: {code}"
    );
    let (code, _, _) = fails(d, &["plan", "info", "R", "--owner", "acme"]);
    assert_eq!(code, 3);
    let addon = json(
        d,
        &[
            "plan",
            "create",
            "More",
            "--type",
            "addon",
            "--limit",
            "max_box=1",
        ],
    );
    for group in [
        "limits",
        "permissions",
        "hosting",
        "php",
        "mail",
        "dns",
        "performance",
        "logs",
    ] {
        assert!(addon[group].is_object(), "{group} is in every plan's JSON");
    }
}

#[test]
fn plans_and_subscriptions_run_the_same_on_postgres() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = runtime.block_on(berth_store_postgres::testing::fresh_database()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let url = db.url.as_str();
    let pg = |args: &[&str]| -> Run {
        let mut all = vec!["--json", "--database-url", url];
        all.extend_from_slice(args);
        berth(d, &all, &[], None)
    };
    let must = |args: &[&str]| -> Value {
        let run = pg(args);
        assert_eq!(run.code, 0, "berth {args:?} failed: {}", run.stderr);
        run.json()
    };
    must(&["init", "--admin-password", "admin-pass-1"]);
    must(&["ip", "add", "192.0.2.1", "--type", "shared"]);
    let plan = must(&[
        "plan",
        "create",
        "Gold",
        "--limit",
        "disk_space=10G",
        "--perm",
        "manage_dns=true",
    ]);
    assert_eq!(plan["limits"]["disk_space"], 10_i64 << 30);
    let sub = must(&["subscription", "create", "bücher.example", "--plan", "Gold"]);
    assert_eq!(sub["ascii_name"], "xn--bcher-kva.example");
    must(&["subscription", "create", "b.example", "--plan", "Gold"]);
    must(&[
        "subscription",
        "customize",
        "b.example",
        "--limit",
        "max_box=7",
    ]);
    let preview = must(&[
        "plan",
        "update",
        "Gold",
        "--limit",
        "disk_space=20G",
        "--dry-run",
    ]);
    assert_eq!(
        (
            preview["sync"]["synced"].clone(),
            preview["sync"]["locked"].clone()
        ),
        (1.into(), 1.into())
    );
    assert_eq!(
        must(&["subscription", "info", "bücher.example"])["limits"]["disk_space"],
        10_i64 << 30
    );
    let update = must(&["plan", "update", "Gold", "--limit", "disk_space=20G"]);
    assert_eq!(update["sync"]["synced"], 1);
    assert_eq!(
        must(&["subscription", "info", "bücher.example"])["limits"]["disk_space"],
        20_i64 << 30
    );
    let unlocked = must(&["subscription", "unlock", "b.example"]);
    assert_eq!(unlocked[0]["result"]["sync_state"], "synced");
    let in_use = pg(&["plan", "remove", "Gold", "--yes"]);
    assert_eq!(in_use.code, 6);
    let custom = must(&[
        "subscription",
        "change-plan",
        "bücher.example",
        "b.example",
        "--no-plan",
    ]);
    assert_eq!(
        custom[0]["result"]["display_name"],
        "bücher.example (Custom)"
    );
    must(&["plan", "remove", "Gold", "--yes"]);
    let removed = must(&["subscription", "remove", "b.example", "--yes"]);
    assert_eq!(removed[0]["ok"], true);
    drop(runtime);
}
