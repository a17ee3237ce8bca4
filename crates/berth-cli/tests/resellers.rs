//! `berth reseller ...` limits, overview, IP pool, suspension cascade, and `customer create
//! --domain`, end to end.

mod support;

use serde_json::json;
use support::{berth, initialized, ok};

#[test]
fn resellers_get_limits_an_ip_pool_and_an_overview() {
    let dir = initialized();
    let d = dir.path();
    ok(d, &["ip", "add", "192.0.2.10", "--type", "shared"]);
    let r = ok(
        d,
        &[
            "--json",
            "reseller",
            "create",
            "acme",
            "--name",
            "Acme",
            "--email",
            "a@example.com",
            "--password",
            "acme-pass-1",
            "--limit",
            "max_cl=1",
            "--limit",
            "max_dom=3",
            "--oversell",
            "false",
        ],
    )
    .json();
    assert_eq!(
        (
            r["limits"]["max_cl"].clone(),
            r["oversell"].clone(),
            r["plan"].clone()
        ),
        (json!(1), json!(false), json!(null))
    );
    let no_pool = berth(
        d,
        &[
            "--json",
            "--as",
            "acme",
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
            "c1.example",
        ],
        &[],
        None,
    );
    assert_eq!(
        (no_pool.code, no_pool.error()["field"].clone()),
        (2, json!("ip"))
    );
    ok(d, &["reseller", "ip-pool", "add", "acme", "192.0.2.10"]);
    let c = ok(
        d,
        &[
            "--json",
            "--as",
            "acme",
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
            "c1.example",
        ],
    )
    .json();
    assert_eq!(c["subscription"]["name"], json!("c1.example"));
    let over = berth(
        d,
        &[
            "--json",
            "--as",
            "acme",
            "customer",
            "create",
            "c2",
            "--name",
            "C",
            "--email",
            "c2@example.com",
            "--password",
            "c2-password",
        ],
        &[],
        None,
    );
    assert_eq!(
        (
            over.code,
            over.error()["code"].clone(),
            over.error()["field"].clone()
        ),
        (5, json!("limit_exceeded"), json!("max_cl"))
    );
    let o = ok(
        d,
        &["--json", "--as", "acme", "reseller", "overview", "acme"],
    )
    .json();
    assert_eq!(o["limits"][0]["remaining"], json!(0));
    let human = ok(d, &["reseller", "overview", "acme"]).stdout;
    assert!(
        human.contains("max_cl") && human.contains("REMAINING"),
        "{human}"
    );
    ok(d, &["reseller", "update", "acme", "--limit", "max_cl=5"]);
    assert_eq!(
        ok(d, &["--json", "reseller", "info", "acme"]).json()["limits"]["max_cl"],
        json!(5)
    );
}

#[test]
fn suspending_a_reseller_cascades_and_activating_lifts_it() {
    let dir = initialized();
    let d = dir.path();
    ok(d, &["ip", "add", "192.0.2.10", "--type", "shared"]);
    ok(
        d,
        &[
            "reseller",
            "create",
            "acme",
            "--name",
            "Acme",
            "--email",
            "a@example.com",
            "--password",
            "acme-pass-1",
        ],
    );
    ok(d, &["reseller", "ip-pool", "add", "acme", "192.0.2.10"]);
    ok(
        d,
        &[
            "customer",
            "create",
            "c1",
            "--owner",
            "acme",
            "--name",
            "C",
            "--email",
            "c@example.com",
            "--password",
            "c1-password",
            "--domain",
            "c1.example",
        ],
    );
    let out = ok(d, &["--json", "reseller", "suspend", "acme"]).json();
    assert_eq!(
        (
            out[0]["result"]["cascaded_accounts"].clone(),
            out[0]["result"]["cascaded_subscriptions"].clone()
        ),
        (json!(1), json!(1))
    );
    let sub = ok(d, &["--json", "subscription", "info", "c1.example"]).json();
    assert_eq!(
        (
            sub["status"].clone(),
            sub["suspension_reasons"][0]["reason"].clone()
        ),
        (json!("suspended"), json!("owner"))
    );
    let denied = berth(
        d,
        &["--json", "--as", "acme", "customer", "activate", "c1"],
        &[],
        None,
    );
    assert_eq!(denied.code, 6, "the owner reason goes with the owner");
    ok(d, &["reseller", "activate", "acme"]);
    assert_eq!(
        ok(d, &["--json", "subscription", "info", "c1.example"]).json()["status"],
        json!("active")
    );
}
