//! Benchmark: the engine-independent share of a list page (SPEC R1.9) — reading 100 stored
//! subscriptions' properties back ([`from_flat_json`]) and viewing them grouped, as the API
//! and the CLI show them ([`to_grouped_json`], then JSON text). Both stores pay this on every
//! page, whatever the database did.
//!
//! ```sh
//! cargo bench -p berth-core --bench page_codec
//! BERTH_BENCH_ROUNDS=20000 cargo bench -p berth-core --bench page_codec
//! BERTH_BENCH_PART=typed ...   # only the parts whose name contains "typed" (to profile one)
//! ```
//!
//! "JSON text from typed values" is what a list page's answer costs since session 9
//! ([`GroupedProperties`]); "through the tree" is the earlier way (a JSON map per row, then
//! its text).

use std::hint::black_box;
use std::time::Instant;

use berth_core::domain::DomainName;
use berth_core::property::{
    GroupedProperties, PlanType, Properties, defaults_for, descriptor, from_flat_json,
    to_flat_json, to_grouped_json,
};

/// Subscriptions on one page (the default page size).
const PAGE: usize = 100;

fn main() {
    let rounds: usize = std::env::var("BERTH_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let stored = stored_page();
    let bytes: usize = stored.iter().map(String::len).sum();
    println!(
        "page_codec: {PAGE} subscriptions × {} properties, {bytes} bytes stored, {rounds} rounds",
        defaults_for(PlanType::Service).len()
    );
    // BERTH_BENCH_PART=TEXT runs only the parts whose name contains TEXT (to profile one).
    let only = std::env::var("BERTH_BENCH_PART").unwrap_or_default();
    let run = |what: &str, page: &mut dyn FnMut()| {
        if what.contains(only.as_str()) {
            report(what, &measure(rounds, page));
        }
    };
    let names: Vec<String> = (0..PAGE)
        .map(|i| format!("s{}.example", 1000 + i))
        .collect();
    run("domain names read back", &mut || {
        for name in &names {
            black_box(DomainName::from_stored("name", black_box(name)).unwrap());
        }
    });
    run("read back (from_flat_json)", &mut || {
        for text in &stored {
            black_box(from_flat_json(black_box(text)).unwrap());
        }
    });
    let page: Vec<Properties> = stored.iter().map(|t| from_flat_json(t).unwrap()).collect();
    run("JSON tree (to_grouped_json)", &mut || {
        for props in &page {
            black_box(to_grouped_json(black_box(props)));
        }
    });
    run("JSON text through the tree", &mut || {
        let groups: Vec<_> = page.iter().map(to_grouped_json).collect();
        black_box(serde_json::to_vec(&groups).unwrap());
    });
    let typed: Vec<GroupedProperties> = page.iter().cloned().map(GroupedProperties::new).collect();
    run("JSON text from typed values", &mut || {
        black_box(serde_json::to_vec(black_box(&typed)).unwrap());
    });
}

/// A page of stored property objects: the service defaults, with a few values changed per
/// row so that no two rows are the same text.
fn stored_page() -> Vec<String> {
    let limit = |n: i64| berth_core::value::Value::Limit(n);
    (0..PAGE)
        .map(|i| {
            let mut props = defaults_for(PlanType::Service);
            let i = i as i64;
            props.insert(descriptor("max_site").unwrap().name, limit(1 + i));
            props.insert(descriptor("disk_space").unwrap().name, limit((i + 1) << 30));
            to_flat_json(&props)
        })
        .collect()
}

/// Microseconds per page of `rounds` calls, sorted.
fn measure(rounds: usize, page: &mut dyn FnMut()) -> Vec<f64> {
    let mut times: Vec<f64> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            page();
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times
}

fn report(what: &str, sorted: &[f64]) {
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q) as usize];
    println!(
        "  {what:<34} p50 {:>8.1} µs   p99 {:>8.1} µs per page",
        at(0.5),
        at(0.99)
    );
}
