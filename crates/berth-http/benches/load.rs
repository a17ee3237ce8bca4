//! Load benchmark of the REST API: the real `berth serve` (release build) on SQLite and on
//! PostgreSQL, 64 concurrent connections for 60 s, mixed reads and writes with an API key.
//! Prints requests/s, p50/p99 latency, errors and the server's peak memory (VmHWM).
//!
//! ```sh
//! cargo build --release -p berth-cli && cargo bench -p berth-http --bench load
//! BERTH_BENCH_SECONDS=10 BERTH_BENCH_CONNECTIONS=16 cargo bench -p berth-http --bench load
//! BERTH_BENCH_ENGINE=sqlite ...   # one engine (sqlite | postgres)
//! ```
//!
//! Mix per request, chosen round-robin per connection: 40% customer list pages, 20% one
//! customer, 10% subscription list pages, 20% customer creations, 10% suspend + activate.
//!
//! Before the load, `BERTH_BENCH_SEED` (default 100,000) copies of a subscription are added
//! with set-based SQL, owned by a customer the load does not touch, so the server runs
//! with that many subscriptions; its resident memory is read idle (after seeding, before the load)
//! and at its peak. The server inherits the environment (e.g. `MALLOC_ARENA_MAX`).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Whether `engine` is to be measured (`BERTH_BENCH_ENGINE=sqlite|postgres`; both by default).
fn wanted(engine: &str) -> bool {
    std::env::var("BERTH_BENCH_ENGINE").map_or(true, |v| v.eq_ignore_ascii_case(engine))
}

fn berth_binary() -> PathBuf {
    if let Ok(path) = std::env::var("BERTH_BIN") {
        return path.into();
    }
    // target/release/deps/load-HASH → target/release/berth
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().join("berth")
}

fn berth(data: &std::path::Path, url: &str, args: &[&str]) -> Value {
    let out = Command::new(berth_binary())
        .arg("--data-dir")
        .arg(data)
        .args(["--database-url", url, "--json"])
        .args(args)
        .output()
        .expect("berth runs (cargo build --release -p berth-cli)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

/// Copies of `bulk.example`, owned by its customer (which the load never touches), on
/// SQLite then PostgreSQL.
const SQLITE_COPIES: &str = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {N}) \
     INSERT INTO subscriptions (id, name, name_key, owner_id, plan_id, addon_key, sync_state, props, custom, \
     conflicts, system_user, system_password_hash, expiration, overused, created_at, updated_at) \
     SELECT randomblob(16), 'copy' || n.i || '.example', 'copy' || n.i || '.example', \
     t.owner_id, t.plan_id, '', t.sync_state, t.props, \
     t.custom, t.conflicts, 'copy' || n.i, t.system_password_hash, t.expiration, 0, t.created_at, \
     t.updated_at FROM n, subscriptions t WHERE t.name = 'bulk.example'";
const POSTGRES_COPIES: &str = "INSERT INTO subscriptions (id, name, name_key, owner_id, plan_id, addon_key, \
     sync_state, props, custom, conflicts, system_user, system_password_hash, expiration, overused, created_at, \
     updated_at) SELECT gen_random_uuid(), 'copy' || n.i || '.example', 'copy' || n.i || '.example', \
     t.owner_id, t.plan_id, '', t.sync_state, t.props, \
     t.custom, t.conflicts, 'copy' || n.i, t.system_password_hash, t.expiration, false, t.created_at, \
     t.updated_at FROM generate_series(1, {N}) AS n(i), subscriptions t WHERE t.name = 'bulk.example'";

async fn seed_copies(url: &str, copies: u64) {
    if copies == 0 {
        return;
    }
    if url.starts_with("sqlite:") {
        let store =
            berth_store_sqlite::SqliteStore::connect(url, berth_store_sqlite::Open::MustExist)
                .await
                .unwrap();
        let sql = SQLITE_COPIES.replace("{N}", &copies.to_string());
        store.execute_raw(&sql).await.unwrap();
    } else {
        let store = berth_store_postgres::PostgresStore::connect(url)
            .await
            .unwrap();
        let sql = POSTGRES_COPIES.replace("{N}", &copies.to_string());
        store.execute_raw(&sql).await.unwrap();
    }
}

fn peak_kib(pid: u32) -> u64 {
    status_kib(pid, "VmHWM:")
}

fn status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(data: &std::path::Path, url: &str) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(berth_binary())
        .arg("--data-dir")
        .arg(data)
        .args(["--database-url", url, "serve", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .env("BERTH_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    }
}

async fn run(engine: &str, url: &str, data: &std::path::Path) {
    berth(data, url, &["init", "--admin-password", "bench-admin-pass"]);
    berth(data, url, &["ip", "add", "192.0.2.10", "--type", "shared"]);
    let key = berth(data, url, &["api-key", "create"])["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let server = serve(data, url);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .unwrap();
    for _ in 0..100 {
        if client
            .get(format!("{}/healthz", server.base))
            .send()
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let base = server.base.clone();
    // A few customers with subscriptions to read and suspend.
    for i in 0..50 {
        let r = client
            .post(format!("{base}/api/v1/customers"))
            .bearer_auth(&key)
            .json(
                &json!({"login": format!("seed{i}"), "password": "Bench-pass-123",
                "name": format!("Seed {i}"), "email": format!("seed{i}@example.com"),
                "domain": format!("seed{i}.example"), "system_password": "Bench-sys-123"}),
            )
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    }
    let r = client
        .post(format!("{base}/api/v1/customers"))
        .bearer_auth(&key)
        .json(
            &json!({"login": "bulk", "password": "Bench-pass-123", "name": "Bulk",
            "email": "bulk@example.com", "domain": "bulk.example",
            "system_password": "Bench-sys-123"}),
        )
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let copies = env_or("BERTH_BENCH_SEED", 100_000);
    seed_copies(url, copies).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_kib = status_kib(server.child.id(), "VmRSS:");
    let connections = env_or("BERTH_BENCH_CONNECTIONS", 64);
    let seconds = env_or("BERTH_BENCH_SECONDS", 60);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let errors = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for worker in 0..connections {
        let (client, base, key, errors) =
            (client.clone(), base.clone(), key.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut n: u64 = 0;
            while Instant::now() < deadline {
                n += 1;
                let seed = (worker * 7 + n) % 50;
                let started = Instant::now();
                let request = match n % 10 {
                    0..=3 => client.get(format!("{base}/api/v1/customers?limit=20")),
                    4 | 5 => client.get(format!("{base}/api/v1/customers/seed{seed}")),
                    6 => client.get(format!("{base}/api/v1/subscriptions?limit=20")),
                    7 | 8 => client
                        .post(format!("{base}/api/v1/customers"))
                        .json(&json!({
                        "login": format!("w{worker}n{n}"), "password": "Bench-pass-123",
                        "name": "Load", "email": format!("w{worker}n{n}@example.com")})),
                    _ => {
                        let verb = if n % 20 == 9 { "suspend" } else { "activate" };
                        client
                            .post(format!("{base}/api/v1/customers/{verb}"))
                            .json(&json!({"names": [format!("seed{seed}")]}))
                    }
                };
                let ok = match request.bearer_auth(&key).send().await {
                    Ok(r) => {
                        let ok = r.status().is_success();
                        let _ = r.bytes().await;
                        ok
                    }
                    Err(_) => false,
                };
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
                latencies.push(started.elapsed().as_micros() as u64);
            }
            latencies
        }));
    }
    let started = Instant::now();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_unstable();
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)] as f64 / 1000.0;
    println!(
        "| {engine} | {} | {connections} | {seconds} s | {} | {:.0} | {:.1} ms | {:.1} ms | {} | {} MiB | {} MiB |",
        copies + 51,
        all.len(),
        all.len() as f64 / elapsed,
        pct(0.50),
        pct(0.99),
        errors.load(Ordering::Relaxed),
        idle_kib / 1024,
        peak_kib(server.child.id()) / 1024
    );
}

#[tokio::main]
async fn main() {
    println!(
        "| engine | subscriptions | connections | duration | requests | requests/s | p50 | p99 | errors | server idle RSS | server peak RSS |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let dir = tempfile::tempdir().unwrap();
    let sqlite_url = format!("sqlite://{}", dir.path().join("berth.db").display());
    if wanted("sqlite") {
        run("SQLite", &sqlite_url, dir.path()).await;
    }
    if !wanted("postgres") {
        return;
    }
    match berth_store_postgres::testing::fresh_database().await {
        Some(db) => {
            let pg_dir = tempfile::tempdir().unwrap();
            run("PostgreSQL", &db.url, pg_dir.path()).await;
        }
        None => eprintln!("PostgreSQL unreachable: skipped"),
    }
}
