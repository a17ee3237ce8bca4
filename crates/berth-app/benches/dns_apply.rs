//! Benchmark: `dns template apply` over many zones (SPEC R7.4) — building every zone from
//! nothing (subscriptions from before zones existed), applying an unchanged template, and
//! applying a changed one; and adding one record on a server with that many zones.
//!
//! ```sh
//! cargo bench -p berth-app --bench dns_apply
//! BERTH_BENCH_ZONES=1000 cargo bench -p berth-app --bench dns_apply
//! ```

use std::sync::Arc;
use std::time::Instant;

use berth_app::dns::RecordInput;
use berth_app::subscriptions::NewSubscription;
use berth_app::{Berth, Mode, NoProgress};
use berth_core::clock::SystemClock;
use support::{POSTGRES_SEED, Raw, SQLITE_SEED, ms};

mod support;

struct Engine {
    name: &'static str,
    /// Copies of `template.example`: subscriptions, their IP addresses, their main domains
    /// in the registry (no zones: those are built by the first apply).
    seed: &'static [&'static str],
}

const SQLITE: Engine = Engine {
    name: "SQLite",
    seed: SQLITE_SEED,
};

const POSTGRES: Engine = Engine {
    name: "PostgreSQL",
    seed: POSTGRES_SEED,
};

async fn run(engine: &Engine, app: Berth, raw: Raw, zones: usize) {
    let admin = app.actor(None).await.unwrap();
    for ip in ["192.0.2.1", "2001:db8::1"] {
        app.add_ip(&admin, ip, "shared", None, Mode::Apply)
            .await
            .unwrap();
    }
    let template = NewSubscription {
        domain: "template.example".into(),
        system_password: Some("bench-password".into()),
        ..Default::default()
    };
    app.create_subscription(&admin, template, Mode::Apply)
        .await
        .unwrap();
    let t = Instant::now();
    for statement in engine.seed {
        raw(statement.replace("{N}", &(zones - 1).to_string())).await;
    }
    eprintln!(
        "{}: seeded {zones} subscriptions in {:.0} ms",
        engine.name,
        ms(t)
    );

    let t = Instant::now();
    let built = app
        .apply_dns_template(&admin, Mode::Apply, &NoProgress)
        .await
        .unwrap();
    let build_ms = ms(t);
    assert_eq!((built.zones, built.changed), (zones, zones - 1));

    let t = Instant::now();
    let idle = app
        .apply_dns_template(&admin, Mode::Apply, &NoProgress)
        .await
        .unwrap();
    let idle_ms = ms(t);
    assert_eq!(idle.changed, 0);

    let mut text = app.dns_template(&admin).await.unwrap().text;
    text = text.replace("+a +mx -all", "a mx ~all");
    app.set_dns_template(&admin, &text, Mode::Apply)
        .await
        .unwrap();
    let t = Instant::now();
    let changed = app
        .apply_dns_template(&admin, Mode::Apply, &NoProgress)
        .await
        .unwrap();
    let change_ms = ms(t);
    assert_eq!((changed.changed, changed.updated), (zones, zones));

    let mut one = vec![];
    for n in 0..20 {
        let t = Instant::now();
        app.add_dns_record(
            &admin,
            "z7.example",
            RecordInput {
                rtype: "TXT".into(),
                host: format!("t{n}"),
                value: "x".into(),
                ..Default::default()
            },
            Mode::Apply,
        )
        .await
        .unwrap();
        one.push(ms(t));
    }
    one.sort_by(f64::total_cmp);
    println!(
        "| {} | {zones} | {build_ms:.0} ms | {idle_ms:.0} ms | {change_ms:.0} ms | {:.1} ms |",
        engine.name,
        one[one.len() / 2]
    );
}

fn main() {
    let zones = support::env_or("BERTH_BENCH_ZONES", 10_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "| engine | zones | apply: build all | apply: unchanged | apply: SPF changed | add one record |"
    );
    println!("|---|---|---|---|---|---|");
    rt.block_on(async {
        let (app, raw, _db) = support::sqlite(Arc::new(SystemClock)).await;
        run(&SQLITE, app, raw, zones).await;
        if let Some((app, raw, _db)) = support::postgres(Arc::new(SystemClock)).await {
            run(&POSTGRES, app, raw, zones).await;
        }
    });
}
