//! `berth vhost-template show|upload|reset` end to end (R8.3): JSON, exit codes, the
//! confirmation, the admin-only rule and the `template_dir` setting.

mod support;

use std::io::Write;
use std::path::Path;

use serde_json::json;
use support::{berth, initialized, ok};

/// Writes a tar.gz with `files` (path, content) to `path`.
fn write_tgz(path: &Path, files: &[(&str, &str)]) {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, body) in files {
        let mut header = tar::Header::new_ustar();
        header.set_size(body.len() as u64);
        header.set_mode(0o644);
        let old = header.as_old_mut();
        old.name[..name.len()].copy_from_slice(name.as_bytes());
        header.set_cksum();
        builder.append(&header, body.as_bytes()).unwrap();
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&builder.into_inner().unwrap()).unwrap();
    std::fs::write(path, gz.finish().unwrap()).unwrap();
}

#[test]
fn r8_3_upload_show_and_reset_from_the_command_line() {
    let dir = initialized();
    let d = dir.path();
    let shown = ok(d, &["--json", "vhost-template", "show"]).json();
    assert_eq!(
        (shown["built_in"].clone(), shown["files"].clone()),
        (json!(true), json!(7))
    );
    let human = ok(d, &["vhost-template", "show"]).stdout;
    assert!(human.contains("error_docs/503.html"), "{human}");
    assert!(human.contains("create_system_users is off"), "{human}");

    let archive = d.join("site.tgz");
    write_tgz(
        &archive,
        &[
            ("httpdocs/index.html", "<h1>Hi</h1>"),
            ("cgi-bin/hello.cgi", "#!/bin/sh\n"),
        ],
    );
    let path = archive.to_str().unwrap();
    let dry = ok(
        d,
        &["--json", "vhost-template", "upload", path, "--dry-run"],
    )
    .json();
    assert_eq!(
        (dry["dry_run"].clone(), dry["files"].clone()),
        (json!(true), json!(2))
    );
    assert!(!d.join("vhost-template/current").exists());

    let up = ok(d, &["--json", "vhost-template", "upload", path]).json();
    assert_eq!(
        (up["built_in"].clone(), up["total_bytes"].clone()),
        (json!(false), json!(21))
    );
    assert_eq!(
        std::fs::read_to_string(d.join("vhost-template/current/httpdocs/index.html")).unwrap(),
        "<h1>Hi</h1>"
    );
    let shown = ok(d, &["--json", "vhost-template", "show"]).json();
    assert_eq!(shown["entries"][0]["path"], json!("cgi-bin"));

    let unconfirmed = berth(d, &["--json", "vhost-template", "reset"], &[], None);
    assert_eq!(unconfirmed.code, 2);
    assert_eq!(unconfirmed.error()["field"], json!("yes"));
    assert!(d.join("vhost-template/current").exists());
    let reset = ok(d, &["--json", "vhost-template", "reset", "--yes"]).json();
    assert_eq!(reset["built_in"], json!(true));
    assert!(!d.join("vhost-template/current").exists());
}

#[test]
fn r8_3_hostile_or_unreadable_archives_exit_2_and_name_the_field() {
    let dir = initialized();
    let d = dir.path();
    let archive = d.join("evil.tar.gz");
    write_tgz(&archive, &[("httpdocs/../../../../tmp/owned", "x")]);
    let run = berth(
        d,
        &[
            "--json",
            "vhost-template",
            "upload",
            archive.to_str().unwrap(),
        ],
        &[],
        None,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.error()["field"], json!("archive"));
    assert!(run.error()["message"].as_str().unwrap().contains("`..`"));

    let missing = berth(
        d,
        &["--json", "vhost-template", "upload", "/nonexistent.zip"],
        &[],
        None,
    );
    assert_eq!(
        (missing.code, missing.error()["field"].clone()),
        (2, json!("file"))
    );

    let junk = d.join("junk.bin");
    std::fs::write(&junk, "no archive at all").unwrap();
    let run = berth(
        d,
        &["--json", "vhost-template", "upload", junk.to_str().unwrap()],
        &[],
        None,
    );
    assert_eq!(
        (run.code, run.error()["field"].clone()),
        (2, json!("format"))
    );
    let shown = ok(d, &["--json", "vhost-template", "show"]).json();
    assert_eq!(shown["built_in"], json!(true));
}

#[test]
fn r8_3_only_the_admin_manages_the_template() {
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
    let archive = d.join("site.tgz");
    write_tgz(&archive, &[("httpdocs/index.html", "hijacked")]);
    for args in [
        vec!["show"],
        vec!["upload", archive.to_str().unwrap()],
        vec!["reset", "--yes"],
    ] {
        let mut full = vec!["--json", "--as", "c1", "vhost-template"];
        full.extend(args);
        let run = berth(d, &full, &[], None);
        assert_eq!(run.code, 4, "{full:?}: {}", run.stderr);
        assert_eq!(run.error()["code"], json!("forbidden"));
    }
    assert!(!d.join("vhost-template").exists());
}

#[test]
fn r8_3_the_template_dir_comes_from_the_settings() {
    let dir = initialized();
    let d = dir.path();
    let elsewhere = d.join("templates/vhost");
    let archive = d.join("site.tar.gz");
    write_tgz(&archive, &[("error_docs/404.html", "lost")]);
    let env = [("BERTH_PROVISION_TEMPLATE_DIR", elsewhere.to_str().unwrap())];
    let run = berth(
        d,
        &[
            "--json",
            "vhost-template",
            "upload",
            archive.to_str().unwrap(),
        ],
        &env,
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(elsewhere.join("current/error_docs/404.html").is_file());
    assert!(!d.join("vhost-template").exists());
}

#[test]
fn r8_3_the_template_commands_run_the_same_on_postgres() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = runtime.block_on(berth_store_postgres::testing::fresh_database()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pg = |args: &[&str]| {
        let mut all = vec!["--json", "--database-url", db.url.as_str()];
        all.extend_from_slice(args);
        berth(d, &all, &[], None)
    };
    assert_eq!(pg(&["init", "--admin-password", "admin-pass-1"]).code, 0);
    let archive = d.join("site.zip.tgz");
    write_tgz(&archive, &[("anon_ftp/README", "welcome")]);
    let up = pg(&["vhost-template", "upload", archive.to_str().unwrap()]);
    assert_eq!(up.code, 0, "{}", up.stderr);
    assert_eq!(up.json()["entries"][1]["path"], json!("anon_ftp/README"));
    let created = pg(&[
        "customer",
        "create",
        "c1",
        "--name",
        "C",
        "--email",
        "c@example.com",
        "--password",
        "c1-password",
    ]);
    assert_eq!(created.code, 0, "{}", created.stderr);
    let denied = pg(&["--as", "c1", "vhost-template", "reset", "--yes"]);
    assert_eq!(denied.code, 4);
    let reset = pg(&["vhost-template", "reset", "--yes"]);
    assert_eq!(reset.json()["built_in"], json!(true));
}
