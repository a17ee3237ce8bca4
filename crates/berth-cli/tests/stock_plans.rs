//! `berth init` creates Plesk's stock service plans (R11.1: billing modules written for
//! Plesk expect `Default Domain` and `Unlimited`), unless `--no-stock-plans`.

mod support;

use serde_json::Value;
use support::ok;

fn plan_names(dir: &std::path::Path) -> Vec<String> {
    let list: Value = ok(dir, &["--json", "plan", "list"]).json();
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn init_creates_default_domain_and_unlimited() {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["init", "--admin-password", "admin-pass-1"]);
    assert_eq!(plan_names(dir.path()), ["Default Domain", "Unlimited"]);
    let unlimited: Value = ok(dir.path(), &["--json", "plan", "info", "Unlimited"]).json();
    assert_eq!(unlimited["limits"]["disk_space"], -1);
    assert_eq!(unlimited["owner"], "admin");
    let default: Value = ok(dir.path(), &["--json", "plan", "info", "Default Domain"]).json();
    assert_eq!(default["limits"]["max_site"], 1);
}

#[test]
fn init_without_stock_plans_creates_none() {
    let dir = tempfile::tempdir().unwrap();
    ok(
        dir.path(),
        &[
            "init",
            "--admin-password",
            "admin-pass-1",
            "--no-stock-plans",
        ],
    );
    assert!(plan_names(dir.path()).is_empty());
}
