//! `berth site|alias|subdomain|dns ...` end to end (SPEC R3.9, R7.1–R7.4): the CLI.md
//! contract (JSON shapes with `name` + `ascii_name`, exit codes), the R3.9 recommendation,
//! zone files that the real `named-checkzone` accepts, the template verbs and the
//! `server.hostname` setting, on SQLite and PostgreSQL.

mod support;

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};
use support::{Run, berth};

const NOW: (&str, &str) = ("BERTH_NOW", "2026-01-15T12:00:00Z");
const HOSTNAME: (&str, &str) = ("BERTH_SERVER_HOSTNAME", "panel.example.net");

fn run(dir: &Path, args: &[&str]) -> Run {
    berth(dir, args, &[NOW, HOSTNAME], None)
}

fn ok(dir: &Path, args: &[&str]) -> Run {
    let r = run(dir, args);
    assert_eq!(r.code, 0, "berth {args:?} failed: {}", r.stderr);
    r
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    ok(dir, &all).json()
}

/// Runs with `--json` expecting failure: (exit code, error code, field). A bulk verb
/// reports on stdout: the error is the first failed object's.
fn fails(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let r = run(dir, &all);
    assert_ne!(r.code, 0, "berth {args:?} succeeded: {}", r.stdout);
    let error = if r.stderr.trim().is_empty() {
        r.json()
            .as_array()
            .and_then(|a| a.iter().find(|i| i["ok"] == false).cloned())
            .expect("a failed object")["error"]
            .clone()
    } else {
        r.error()
    };
    (
        r.code,
        error["code"].as_str().unwrap_or_default().to_owned(),
        error["field"].as_str().unwrap_or_default().to_owned(),
    )
}

fn expect(got: (i32, String, String), code: i32, error: &str, field: &str) {
    assert_eq!(got, (code, error.to_owned(), field.to_owned()));
}

/// Asserts that the real `named-checkzone` accepts `text` as zone `origin`, as strictly as
/// BIND loads master zones.
fn assert_valid_zone(origin: &str, text: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zone");
    std::fs::write(&path, text).unwrap();
    let out = Command::new("named-checkzone")
        .args(["-k", "fail", "-i", "local", origin])
        .arg(&path)
        .output()
        .expect("named-checkzone runs (apt-get install bind9-utils; scripts/test does)");
    assert!(
        out.status.success(),
        "named-checkzone refused {origin}:\n{}{}\n{text}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `dns show` as text, checked with named-checkzone.
fn zone_text(dir: &Path, domain: &str, ascii: &str) -> String {
    let text = ok(dir, &["dns", "show", domain]).stdout;
    assert_valid_zone(ascii, &text);
    text
}

/// An initialized server with an IPv4 and an IPv6 address, plan `Small` (max_site 2,
/// max_subdom 1, max_dom_aliases 1) and plan `Locked` (no domain permissions), and
/// customers `c1` (`café.example` on Small) and `c2` (`other.example` on Locked).
fn server() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["init", "--admin-password", "admin-pass-1"]);
    ok(d, &["ip", "add", "192.0.2.10", "--type", "shared"]);
    ok(d, &["ip", "add", "2001:db8::10", "--type", "shared"]);
    ok(
        d,
        &[
            "plan",
            "create",
            "Small",
            "--limit",
            "max_site=2",
            "--limit",
            "max_subdom=1",
            "--limit",
            "max_dom_aliases=1",
            "--perm",
            "manage_dns=true",
        ],
    );
    ok(
        d,
        &[
            "plan",
            "create",
            "Locked",
            "--perm",
            "create_domains=false",
            "--perm",
            "manage_domain_aliases=false",
            "--perm",
            "manage_subdomains=false",
            "--perm",
            "manage_dns=false",
        ],
    );
    for (login, domain, plan) in [
        ("c1", "café.example", "Small"),
        ("c2", "other.example", "Locked"),
    ] {
        ok(
            d,
            &[
                "customer",
                "create",
                login,
                "--name",
                login,
                "--email",
                &format!("{login}@example.com"),
                "--password",
                &format!("{login}-password"),
            ],
        );
        ok(
            d,
            &[
                "subscription",
                "create",
                domain,
                "--owner",
                login,
                "--plan",
                plan,
                "--system-password",
                "system-pass-1",
            ],
        );
    }
    dir
}

#[test]
fn sites_aliases_and_subdomains_follow_the_cli_contract() {
    let dir = server();
    let d = dir.path();
    // R3.9: the recommendation is shown with every additional domain.
    let human = ok(
        d,
        &[
            "site",
            "create",
            "shop.example",
            "--subscription",
            "café.example",
        ],
    );
    assert!(
        human
            .stdout
            .contains("Created the domain shop.example in the subscription café.example"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("one domain per"), "{}", human.stdout);
    let sites = json(
        d,
        &["site", "list", "--subscription", "xn--caf-dma.example"],
    );
    assert_eq!(sites.as_array().unwrap().len(), 2);
    assert_eq!(
        (
            sites[0]["name"].clone(),
            sites[0]["ascii_name"].clone(),
            sites[0]["kind"].clone(),
            sites[0]["document_root"].clone()
        ),
        (
            json!("café.example"),
            json!("xn--caf-dma.example"),
            json!("main"),
            json!("httpdocs")
        )
    );
    assert_eq!(
        sites[1]["subscription"],
        json!({"name": "café.example", "ascii_name": "xn--caf-dma.example"})
    );
    // R4.2: max_site is 2 and the main domain counts.
    expect(
        fails(
            d,
            &[
                "site",
                "create",
                "more.example",
                "--subscription",
                "café.example",
            ],
        ),
        5,
        "limit_exceeded",
        "max_site",
    );
    let r = run(
        d,
        &[
            "site",
            "create",
            "more.example",
            "--subscription",
            "café.example",
        ],
    );
    assert!(r.stderr.contains("max_site is 2"), "{}", r.stderr);
    // Aliases (R7.2).
    let alias = json(
        d,
        &[
            "alias",
            "create",
            "Bücher.example",
            "--domain",
            "café.example",
            "--web",
            "same",
            "--mail",
            "false",
        ],
    );
    assert_eq!(
        (
            alias["name"].clone(),
            alias["ascii_name"].clone(),
            alias["kind"].clone(),
            alias["web"].clone(),
            alias["mail"].clone(),
            alias["dns_sync"].clone(),
            alias["domain"]["ascii_name"].clone()
        ),
        (
            json!("bücher.example"),
            json!("xn--bcher-kva.example"),
            json!("alias"),
            json!("same"),
            json!(false),
            json!(true),
            json!("xn--caf-dma.example")
        )
    );
    expect(
        fails(
            d,
            &[
                "alias",
                "create",
                "second.example",
                "--domain",
                "shop.example",
            ],
        ),
        5,
        "limit_exceeded",
        "max_dom_aliases",
    );
    expect(
        fails(
            d,
            &[
                "alias",
                "create",
                "x.example",
                "--domain",
                "café.example",
                "--mail",
                "maybe",
            ],
        ),
        2,
        "invalid",
        "mail",
    );
    let changed = json(
        d,
        &[
            "alias",
            "update",
            "bücher.example",
            "--web",
            "redirect",
            "--dns-sync",
            "false",
        ],
    );
    assert_eq!(
        (changed["web"].clone(), changed["dns_sync"].clone()),
        (json!("redirect"), json!(false))
    );
    assert_eq!(
        json(d, &["alias", "list", "--domain", "café.example"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Subdomains (R7.3).
    let sub = json(
        d,
        &["subdomain", "create", "blog", "--domain", "café.example"],
    );
    assert_eq!(
        (
            sub["name"].clone(),
            sub["ascii_name"].clone(),
            sub["document_root"].clone()
        ),
        (
            json!("blog.café.example"),
            json!("blog.xn--caf-dma.example"),
            json!("blog.xn--caf-dma.example")
        )
    );
    expect(
        fails(
            d,
            &["subdomain", "create", "news", "--domain", "café.example"],
        ),
        5,
        "limit_exceeded",
        "max_subdom",
    );
    assert_eq!(json(d, &["subdomain", "list"]).as_array().unwrap().len(), 1);
    // R7.1: one name per server, whatever its kind and spelling.
    for (args, field) in [
        (
            vec![
                "site",
                "create",
                "BLOG.café.example.",
                "--subscription",
                "other.example",
            ],
            "domain",
        ),
        (
            vec![
                "alias",
                "create",
                "xn--bcher-kva.example",
                "--domain",
                "other.example",
            ],
            "alias",
        ),
        (
            vec![
                "subscription",
                "create",
                "shop.example",
                "--owner",
                "c2",
                "--system-password",
                "system-pass-1",
            ],
            "domain",
        ),
    ] {
        expect(fails(d, &args), 6, "conflict", field);
    }
    expect(
        fails(
            d,
            &["site", "create", "a..b", "--subscription", "café.example"],
        ),
        2,
        "invalid",
        "domain",
    );
    // Removal: --yes when not interactive; never the main domain; per-object report.
    expect(
        fails(d, &["site", "remove", "shop.example"]),
        2,
        "invalid",
        "yes",
    );
    let removed = run(
        d,
        &[
            "--json",
            "site",
            "remove",
            "café.example",
            "shop.example",
            "--yes",
        ],
    );
    assert_eq!(removed.code, 6, "the first failure's code");
    let items = removed.json();
    assert_eq!(
        (items[0]["ok"].clone(), items[1]["ok"].clone()),
        (json!(false), json!(true))
    );
    assert_eq!(items[1]["result"]["name"], "shop.example");
    let dry = json(
        d,
        &["subdomain", "remove", "blog.café.example", "--dry-run"],
    );
    assert_eq!(dry[0]["ok"], true);
    assert_eq!(json(d, &["subdomain", "list"]).as_array().unwrap().len(), 1);
    ok(d, &["subdomain", "remove", "blog.café.example", "--yes"]);
    ok(d, &["alias", "remove", "bücher.example", "--yes"]);
    assert_eq!(json(d, &["alias", "list"]), json!([]));
}

#[test]
fn customers_act_only_on_their_own_domains() {
    let dir = server();
    let d = dir.path();
    // Another customer's domain is not found; the subscriber without the permission may
    // not; the provider (admin) may.
    expect(
        fails(
            d,
            &[
                "--as",
                "c2",
                "alias",
                "create",
                "x.example",
                "--domain",
                "café.example",
            ],
        ),
        3,
        "not_found",
        "domain",
    );
    expect(
        fails(d, &["--as", "c2", "dns", "show", "café.example"]),
        3,
        "not_found",
        "domain",
    );
    for args in [
        vec![
            "--as",
            "c2",
            "alias",
            "create",
            "x.example",
            "--domain",
            "other.example",
        ],
        vec![
            "--as",
            "c2",
            "subdomain",
            "create",
            "x",
            "--domain",
            "other.example",
        ],
        vec![
            "--as",
            "c2",
            "site",
            "create",
            "x.example",
            "--subscription",
            "other.example",
        ],
        vec![
            "--as",
            "c2",
            "dns",
            "record",
            "add",
            "other.example",
            "A",
            "x",
            "192.0.2.1",
        ],
    ] {
        let (code, error, _) = fails(d, &args);
        assert_eq!((code, error.as_str()), (4, "forbidden"), "{args:?}");
    }
    ok(
        d,
        &["alias", "create", "x.example", "--domain", "other.example"],
    );
    ok(
        d,
        &[
            "--as",
            "c1",
            "dns",
            "record",
            "add",
            "café.example",
            "A",
            "x",
            "192.0.2.1",
        ],
    );
    let mine = json(d, &["--as", "c2", "site", "list"]);
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["name"], "other.example");
    expect(
        fails(d, &["--as", "c1", "dns", "template", "show"]),
        4,
        "forbidden",
        "",
    );
}

#[test]
fn dns_show_prints_zone_files_that_named_checkzone_accepts() {
    let dir = server();
    let d = dir.path();
    let text = zone_text(d, "café.example", "xn--caf-dma.example");
    assert!(
        text.starts_with("; Zone café.example (xn--caf-dma.example) (master)"),
        "{text}"
    );
    assert!(
        text.contains("IN SOA panel.example.net. hostmaster.xn--caf-dma.example. 2026011500 "),
        "{text}"
    );
    for line in [
        "IN NS ns.xn--caf-dma.example.",
        "IN A 192.0.2.10",
        "IN AAAA 2001:db8::10",
        "IN MX 10 mail.xn--caf-dma.example.",
        "IN TXT \"v=spf1 +a +mx -all\"",
        "IN TXT \"v=DMARC1; p=none\"",
    ] {
        assert!(text.contains(line), "{line} in {text}");
    }
    // Records by hand, validated per type.
    let added = json(
        d,
        &[
            "dns",
            "record",
            "add",
            "café.example",
            "MX",
            "@",
            "mx2.example.net.",
            "--priority",
            "20",
            "--ttl",
            "3600",
        ],
    );
    assert_eq!(added["action"], "added");
    assert_eq!(added["serial"], 2026011501);
    assert_eq!(
        added["record"],
        json!({
            "name": "café.example", "ascii_name": "xn--caf-dma.example", "type": "MX",
            "value": "mx2.example.net", "priority": 20, "ttl": 3600, "source": "user",
            "user_edited": true
        })
    );
    let human = ok(
        d,
        &[
            "dns",
            "record",
            "add",
            "café.example",
            "TXT",
            "_acme-challenge",
            "token -with spaces",
        ],
    );
    assert!(human.stdout.starts_with("Added _acme-challenge.café.example TXT token -with spaces to the zone café.example (serial 2026011502)"), "{}", human.stdout);
    ok(
        d,
        &[
            "dns",
            "record",
            "add",
            "café.example",
            "SRV",
            "_sip._tcp",
            "5 5060 sip.example.net",
            "--priority",
            "10",
        ],
    );
    ok(
        d,
        &[
            "dns",
            "record",
            "add",
            "café.example",
            "CAA",
            "@",
            "0 issue \"letsencrypt.org\"",
        ],
    );
    ok(
        d,
        &[
            "dns",
            "record",
            "remove",
            "café.example",
            "CNAME",
            "ftp",
            "café.example",
        ],
    );
    let zone = json(d, &["dns", "show", "café.example"]);
    assert_eq!(
        (zone["name"].clone(), zone["ascii_name"].clone()),
        (json!("café.example"), json!("xn--caf-dma.example"))
    );
    assert_eq!(
        (zone["zone_type"].clone(), zone["serial"].clone()),
        (json!("master"), json!(2026011505))
    );
    let records = zone["records"].as_array().unwrap();
    assert!(
        records
            .iter()
            .all(|r| r["name"].is_string() && r["ascii_name"].is_string() && r["type"].is_string())
    );
    assert!(
        !records
            .iter()
            .any(|r| r["type"] == "CNAME" && r["ascii_name"] == "ftp.xn--caf-dma.example")
    );
    zone_text(d, "café.example", "xn--caf-dma.example");
    for (args, code, error, field) in [
        (
            vec![
                "dns",
                "record",
                "add",
                "café.example",
                "PTR",
                "@",
                "x.example",
            ],
            2,
            "invalid",
            "type",
        ),
        (
            vec![
                "dns",
                "record",
                "add",
                "café.example",
                "A",
                "@",
                "not-an-ip",
            ],
            2,
            "invalid",
            "value",
        ),
        (
            vec![
                "dns",
                "record",
                "add",
                "café.example",
                "A",
                "x",
                "192.0.2.1",
                "--priority",
                "1",
            ],
            2,
            "invalid",
            "priority",
        ),
        (
            vec![
                "dns",
                "record",
                "add",
                "café.example",
                "A",
                "www",
                "192.0.2.1",
            ],
            6,
            "conflict",
            "host",
        ),
        (
            vec![
                "dns",
                "record",
                "remove",
                "café.example",
                "NS",
                "@",
                "ns.café.example",
            ],
            6,
            "conflict",
            "host",
        ),
        (
            vec![
                "dns",
                "record",
                "remove",
                "café.example",
                "A",
                "nope",
                "192.0.2.1",
            ],
            3,
            "not_found",
            "value",
        ),
        (
            vec!["dns", "show", "nowhere.example"],
            3,
            "not_found",
            "domain",
        ),
    ] {
        expect(fails(d, &args), code, error, field);
    }
    // Alias zones follow; subdomains live in the parent zone.
    ok(
        d,
        &[
            "alias",
            "create",
            "bücher.example",
            "--domain",
            "café.example",
        ],
    );
    ok(
        d,
        &["subdomain", "create", "blog", "--domain", "café.example"],
    );
    let alias = zone_text(d, "bücher.example", "xn--bcher-kva.example");
    assert!(alias.contains("blog.xn--bcher-kva.example."), "{alias}");
    assert!(alias.contains("IN MX 20 mx2.example.net."), "{alias}");
    let parent = zone_text(d, "café.example", "xn--caf-dma.example");
    assert!(parent.contains("www.blog.xn--caf-dma.example."), "{parent}");
    expect(
        fails(d, &["dns", "show", "blog.café.example"]),
        2,
        "invalid",
        "domain",
    );
    expect(
        fails(
            d,
            &[
                "dns",
                "record",
                "add",
                "bücher.example",
                "A",
                "x",
                "192.0.2.1",
            ],
        ),
        6,
        "conflict",
        "domain",
    );
    // The dry run shows the serial the change would get and writes nothing.
    let preview = json(
        d,
        &[
            "dns",
            "record",
            "add",
            "café.example",
            "A",
            "dry",
            "192.0.2.9",
            "--dry-run",
        ],
    );
    assert_eq!(preview["dry_run"], true);
    assert!(
        !ok(d, &["dns", "show", "café.example"])
            .stdout
            .contains("dry.")
    );
}

#[test]
fn the_dns_template_is_shown_set_and_applied_without_touching_user_records() {
    let dir = server();
    let d = dir.path();
    let shown = ok(d, &["dns", "template", "show"]).stdout;
    for line in [
        "<domain>. NS ns.<domain>.",
        "ns.<domain>. A <ip>",
        "www.<domain>. CNAME <domain>.",
        "<domain>. MX 10 mail.<domain>.",
        "_dmarc.<domain>. TXT \"v=DMARC1; p=none\"",
        "webmail.<domain>. AAAA <ipv6>",
    ] {
        assert!(shown.lines().any(|l| l == line), "{line} in {shown}");
    }
    assert_eq!(
        json(d, &["dns", "template", "show"])
            .as_array()
            .unwrap()
            .len(),
        14
    );
    // A hand edit: the SPF record of café.example.
    ok(
        d,
        &[
            "dns",
            "record",
            "remove",
            "café.example",
            "TXT",
            "@",
            "v=spf1 +a +mx -all",
        ],
    );
    ok(
        d,
        &[
            "dns",
            "record",
            "add",
            "café.example",
            "TXT",
            "@",
            "v=spf1 mx -all",
        ],
    );
    let edited =
        shown.replace("+a +mx -all", "a mx ~all") + "autodiscover.<domain>. CNAME mail.<domain>.\n";
    let set = berth(
        d,
        &["dns", "template", "set", "-"],
        &[NOW, HOSTNAME],
        Some(&edited),
    );
    assert_eq!(set.code, 0, "{}", set.stderr);
    assert!(
        set.stdout.contains("berth dns template apply"),
        "{}",
        set.stdout
    );
    let file = d.join("bad-template");
    std::fs::write(&file, "<domain>. A <ip>\n").unwrap();
    expect(
        fails(d, &["dns", "template", "set", file.to_str().unwrap()]),
        2,
        "invalid",
        "template",
    );
    expect(
        fails(d, &["--as", "c1", "dns", "template", "apply"]),
        4,
        "forbidden",
        "",
    );
    let preview = json(d, &["dns", "template", "apply", "--dry-run"]);
    assert_eq!(preview["dry_run"], true);
    let report = json(d, &["dns", "template", "apply"]);
    assert_eq!(
        (
            report["zones"].clone(),
            report["changed"].clone(),
            report["added"].clone(),
            report["updated"].clone(),
            report["kept_user_edited"].clone()
        ),
        (json!(2), json!(2), json!(2), json!(1), json!(1))
    );
    let cafe = zone_text(d, "café.example", "xn--caf-dma.example");
    assert!(cafe.contains("\"v=spf1 mx -all\""), "{cafe}");
    assert!(!cafe.contains("~all"), "{cafe}");
    assert!(cafe.contains("autodiscover.xn--caf-dma.example."), "{cafe}");
    let other = zone_text(d, "other.example", "other.example");
    assert!(other.contains("\"v=spf1 a mx ~all\""), "{other}");
    let human = ok(d, &["dns", "template", "apply"]).stdout;
    assert!(human.starts_with("Changed 0 of 2 zones"), "{human}");
}

#[test]
fn the_server_hostname_comes_from_settings_or_the_machine() {
    let dir = server();
    let d = dir.path();
    let soa = |env: &[(&str, &str)]| -> String {
        let r = berth(d, &["dns", "show", "other.example"], env, None);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_valid_zone("other.example", &r.stdout);
        r.stdout
            .lines()
            .find(|l| l.contains(" SOA "))
            .unwrap()
            .to_owned()
    };
    assert!(soa(&[NOW, HOSTNAME]).contains("SOA panel.example.net. "));
    let machine = soa(&[NOW]);
    let primary = machine.split_whitespace().nth(4).unwrap();
    assert!(
        primary.ends_with('.') && primary.trim_end_matches('.').contains('.'),
        "{machine}"
    );
    std::fs::write(
        d.join("berth.toml"),
        "[server]\nhostname = \"NS1.Example.ORG\"\n",
    )
    .unwrap();
    assert!(soa(&[NOW]).contains("SOA ns1.example.org. "));
    let bad = berth(
        d,
        &["--json", "dns", "show", "other.example"],
        &[NOW, ("BERTH_SERVER_HOSTNAME", "not a host")],
        None,
    );
    assert_eq!(bad.code, 2);
    assert_eq!(bad.error()["field"], "hostname");
}

#[test]
fn domains_and_dns_run_the_same_on_postgres() {
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
        berth(d, &all, &[NOW, HOSTNAME], None)
    };
    let must = |args: &[&str]| -> Value {
        let r = pg(args);
        assert_eq!(r.code, 0, "berth {args:?} failed: {}", r.stderr);
        r.json()
    };
    must(&["init", "--admin-password", "admin-pass-1"]);
    must(&["ip", "add", "192.0.2.1", "--type", "shared"]);
    must(&["plan", "create", "One", "--limit", "max_site=2"]);
    must(&[
        "subscription",
        "create",
        "bücher.example",
        "--plan",
        "One",
        "--system-password",
        "system-pass-1",
    ]);
    let site = must(&[
        "site",
        "create",
        "shop.example",
        "--subscription",
        "bücher.example",
    ]);
    assert_eq!(
        site["recommendation"].as_str().map(|s| s.contains("R3.9")),
        Some(true)
    );
    assert_eq!(
        pg(&[
            "site",
            "create",
            "x.example",
            "--subscription",
            "bücher.example"
        ])
        .code,
        5
    );
    must(&[
        "alias",
        "create",
        "alias.example",
        "--domain",
        "shop.example",
    ]);
    must(&["subdomain", "create", "blog", "--domain", "bücher.example"]);
    assert_eq!(
        pg(&[
            "alias",
            "create",
            "blog.bücher.example",
            "--domain",
            "shop.example"
        ])
        .code,
        6
    );
    must(&[
        "dns",
        "record",
        "add",
        "shop.example",
        "TXT",
        "@",
        "hello world",
    ]);
    for (domain, ascii) in [
        ("bücher.example", "xn--bcher-kva.example"),
        ("shop.example", "shop.example"),
        ("alias.example", "alias.example"),
    ] {
        let r = berth(
            d,
            &["--database-url", url, "dns", "show", domain],
            &[NOW, HOSTNAME],
            None,
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_valid_zone(ascii, &r.stdout);
    }
    let alias = berth(
        d,
        &["--database-url", url, "dns", "show", "alias.example"],
        &[NOW, HOSTNAME],
        None,
    );
    assert!(alias.stdout.contains("\"hello world\""), "{}", alias.stdout);
    let report = must(&["dns", "template", "apply"]);
    assert_eq!(
        (report["zones"].clone(), report["changed"].clone()),
        (json!(2), json!(0))
    );
    let removed = must(&["site", "remove", "shop.example", "--yes"]);
    assert_eq!(removed[0]["ok"], true);
    assert_eq!(must(&["alias", "list"]), json!([]));
    drop(runtime);
}
