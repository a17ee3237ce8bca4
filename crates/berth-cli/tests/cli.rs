//! The `berth` binary end to end: the CLI.md contract (flags, JSON shapes, exit codes),
//! configuration layering and both database engines.

mod support;

use support::{berth, initialized, ok};

use serde_json::Value;

#[test]
fn init_prints_a_generated_password_once_and_refuses_to_run_twice() {
    let dir = tempfile::tempdir().unwrap();
    let run = ok(dir.path(), &["--json", "init"]);
    let out = run.json();
    assert_eq!(out["admin"]["login"], "admin");
    assert_eq!(out["admin"]["kind"], "admin");
    let password = out["generated_password"].as_str().unwrap();
    assert_eq!(password.len(), 20);
    assert!(dir.path().join("berth.db").exists());
    assert!(dir.path().join("berth.toml").exists());
    let again = berth(dir.path(), &["--json", "init"], &[], None);
    assert_eq!(again.code, 6);
    assert_eq!(again.error()["code"], "conflict");
    assert!(!again.stdout.contains(password) && !again.stderr.contains(password));
    // WAL mode: recent pages may still be in the -wal file.
    let mut db = std::fs::read(dir.path().join("berth.db")).unwrap();
    db.extend(std::fs::read(dir.path().join("berth.db-wal")).unwrap_or_default());
    let db = String::from_utf8_lossy(&db);
    assert!(
        !db.contains(password),
        "the password is never stored in clear"
    );
    assert!(db.contains("$argon2id$"));
}

#[test]
fn commands_before_init_fail_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let run = berth(dir.path(), &["--json", "customer", "list"], &[], None);
    assert_eq!(run.code, 1);
    assert_eq!(run.error()["code"], "failed");
    assert!(
        run.error()["message"]
            .as_str()
            .unwrap()
            .contains("berth init")
    );
}

#[test]
fn account_json_has_the_cli_md_shape() {
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
    let run = ok(
        d,
        &[
            "--json",
            "customer",
            "create",
            "Bob",
            "--owner",
            "acme",
            "--name",
            "Bob",
            "--email",
            "bob@example.com",
            "--password",
            "bob-pass-12",
            "--company",
            "Bob & Co",
            "--country",
            "de",
            "--locale",
            "de-de",
            "--phone",
            "+49 30 1234",
            "--external-id",
            "whmcs-7",
            "--description",
            "good payer",
        ],
    );
    let bob = run.json();
    for field in [
        "id",
        "kind",
        "login",
        "owner",
        "name",
        "company",
        "email",
        "status",
        "suspension_reasons",
        "description",
    ] {
        assert!(bob.get(field).is_some(), "missing {field}: {bob}");
    }
    assert_eq!(bob["login"], "bob");
    assert_eq!(bob["kind"], "customer");
    assert_eq!(bob["owner"], "acme");
    assert_eq!(bob["country"], "DE");
    assert_eq!(bob["locale"], "de-DE");
    assert_eq!(bob["status"], "active");
    assert_eq!(bob["suspension_reasons"], Value::Array(vec![]));
    let list = ok(d, &["--json", "customer", "list"]).json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["login"], "bob");
    let as_bob = ok(d, &["--json", "--as", "bob", "customer", "info", "bob"]).json();
    assert!(as_bob.get("description").is_none(), "R1.5");
}

#[test]
fn exit_codes_and_json_errors_follow_the_contract() {
    let dir = initialized();
    let d = dir.path();
    ok(
        d,
        &[
            "customer",
            "create",
            "carol",
            "--name",
            "Carol",
            "--email",
            "carol@example.com",
            "--password",
            "carol-pass",
        ],
    );

    let invalid = berth(
        d,
        &[
            "--json",
            "customer",
            "create",
            "x y",
            "--name",
            "X",
            "--email",
            "x@example.com",
            "--password",
            "12345678",
        ],
        &[],
        None,
    );
    assert_eq!(invalid.code, 2);
    assert_eq!(invalid.error()["field"], "login");
    assert_eq!(invalid.error()["code"], "invalid");

    let weak = berth(
        d,
        &[
            "--json",
            "customer",
            "create",
            "dan",
            "--name",
            "D",
            "--email",
            "d@example.com",
            "--password",
            "short",
        ],
        &[],
        None,
    );
    assert_eq!(
        (weak.code, weak.error()["field"].clone()),
        (2, Value::from("password"))
    );
    assert!(
        !weak.stderr.contains("short\""),
        "the password is not echoed"
    );

    let missing = berth(d, &["--json", "customer", "info", "nobody"], &[], None);
    assert_eq!(
        (missing.code, missing.error()["code"].clone()),
        (3, Value::from("not_found"))
    );

    let forbidden = berth(
        d,
        &["--json", "--as", "carol", "customer", "list"],
        &[],
        None,
    );
    assert_eq!(
        (forbidden.code, forbidden.error()["code"].clone()),
        (4, Value::from("forbidden"))
    );

    let taken = berth(
        d,
        &[
            "--json",
            "reseller",
            "create",
            "CAROL",
            "--name",
            "C",
            "--email",
            "c@example.com",
            "--password",
            "carol-pass2",
        ],
        &[],
        None,
    );
    assert_eq!(
        (taken.code, taken.error()["field"].clone()),
        (6, Value::from("login"))
    );

    let usage = berth(d, &["--json", "customer", "info"], &[], None);
    assert_eq!(usage.code, 2);
    assert_eq!(usage.error()["code"], "invalid");

    let no_yes = berth(d, &["customer", "remove", "carol"], &[], None);
    assert_eq!(no_yes.code, 2);
    assert!(no_yes.stderr.contains("--yes"));
    ok(d, &["customer", "info", "carol"]);
}

#[test]
fn bulk_remove_reports_per_object_and_dry_run_writes_nothing() {
    let dir = initialized();
    let d = dir.path();
    ok(
        d,
        &[
            "reseller",
            "create",
            "r1",
            "--name",
            "R",
            "--email",
            "r@example.com",
            "--password",
            "r1-password",
        ],
    );
    ok(
        d,
        &[
            "customer",
            "create",
            "c1",
            "--owner",
            "r1",
            "--name",
            "C",
            "--email",
            "c@example.com",
            "--password",
            "c1-password",
        ],
    );
    let preview = ok(d, &["--json", "reseller", "remove", "r1", "--dry-run"]).json();
    assert_eq!(
        preview[0]["result"]["with_accounts"],
        serde_json::json!(["c1"])
    );
    assert_eq!(preview[0]["result"]["dry_run"], true);
    ok(d, &["customer", "info", "c1"]);
    let run = berth(
        d,
        &["--json", "reseller", "remove", "r1", "ghost", "--yes"],
        &[],
        None,
    );
    assert_eq!(run.code, 3, "the first failure's code");
    let out = run.json();
    assert_eq!(out[0]["ok"], true);
    assert_eq!(out[1]["ok"], false);
    assert_eq!(out[1]["error"]["code"], "not_found");
    assert_eq!(berth(d, &["customer", "info", "c1"], &[], None).code, 3);
}

#[test]
fn update_changes_login_and_password_and_says_nothing_was_sent() {
    let dir = initialized();
    let d = dir.path();
    ok(
        d,
        &[
            "customer",
            "create",
            "erin",
            "--name",
            "Erin",
            "--email",
            "erin@example.com",
            "--password",
            "erin-pass-1",
        ],
    );
    let out = berth(
        d,
        &[
            "--json",
            "customer",
            "update",
            "erin",
            "--new-login",
            "erin2",
            "--password",
            "-",
            "--city",
            "Lyon",
        ],
        &[],
        Some("fresh-secret-9\n"),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v = out.json();
    assert_eq!(v["login"], "erin2");
    assert_eq!(v["city"], "Lyon");
    assert_eq!(
        v["changed"],
        serde_json::json!(["login", "password", "city"])
    );
    assert!(v["notice"].as_str().unwrap().contains("not sent"));
    assert!(!out.stdout.contains("fresh-secret-9"));
}

#[test]
fn berth_now_sets_the_clock() {
    let dir = initialized();
    let run = berth(
        dir.path(),
        &[
            "--json",
            "customer",
            "create",
            "old",
            "--name",
            "O",
            "--email",
            "o@example.com",
            "--password",
            "old-password",
        ],
        &[("BERTH_NOW", "2020-02-29T08:00:00Z")],
        None,
    );
    assert_eq!(run.json()["created"], "2020-02-29T08:00:00Z");
    let bad = berth(
        dir.path(),
        &["--json", "customer", "list"],
        &[("BERTH_NOW", "yesterday")],
        None,
    );
    assert_eq!(
        (bad.code, bad.error()["field"].clone()),
        (2, Value::from("now"))
    );
}

#[test]
fn settings_file_is_read_and_environment_overrides_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let elsewhere = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", elsewhere.path().join("other.db").display());
    ok(
        d,
        &[
            "init",
            "--admin-password",
            "admin-pass-1",
            "--database-url",
            &url,
        ],
    );
    assert!(elsewhere.path().join("other.db").exists());
    assert!(!d.join("berth.db").exists());
    let toml = std::fs::read_to_string(d.join("berth.toml")).unwrap();
    assert!(toml.contains(&url), "init remembers the URL it was given");
    ok(
        d,
        &[
            "customer",
            "create",
            "f",
            "--name",
            "F",
            "--email",
            "f@example.com",
            "--password",
            "f-password",
        ],
    );
    let bogus = berth(
        d,
        &["--json", "customer", "list"],
        &[("BERTH_DATABASE_URL", "mysql://nope")],
        None,
    );
    assert_eq!(
        (bogus.code, bogus.error()["field"].clone()),
        (2, Value::from("database_url"))
    );
    let flag_wins = berth(
        d,
        &["--json", "--database-url", &url, "customer", "list"],
        &[("BERTH_DATABASE_URL", "mysql://nope")],
        None,
    );
    assert_eq!(flag_wins.code, 0);
}

#[test]
fn postgres_runs_the_same_commands() {
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
    ok(
        d,
        &[
            "--database-url",
            url,
            "reseller",
            "create",
            "pg",
            "--name",
            "P",
            "--email",
            "p@example.com",
            "--password",
            "pg-password",
        ],
    );
    let list = ok(d, &["--json", "--database-url", url, "reseller", "list"]).json();
    assert_eq!(list[0]["login"], "pg");
    let taken = berth(
        d,
        &[
            "--json",
            "--database-url",
            url,
            "customer",
            "create",
            "PG",
            "--name",
            "P",
            "--email",
            "p@example.com",
            "--password",
            "pg-password",
        ],
        &[],
        None,
    );
    assert_eq!(taken.code, 6);
    drop(runtime);
}
