//! `/api/v1/vhost-template` (R8.3) on a real server over SQLite and PostgreSQL: archives
//! in the body with their own (larger) limit, refusals in the error shape, admin only.

mod common;

use std::io::Write;
use std::sync::Arc;

use berth_app::Berth;
use berth_app::vhost_template::VhostTemplateSettings;
use berth_store_postgres::PostgresStore;
use berth_store_postgres::testing::{TestDatabase, fresh_database};
use berth_store_sqlite::{Open, SqliteStore};
use common::{ADMIN_PASSWORD, Auth, PASSWORD, admin, answer, basic};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::oneshot;

/// A server whose router has the template settings, and what keeps it alive.
struct Up {
    base: String,
    template_dir: std::path::PathBuf,
    client: reqwest::Client,
    _stop: oneshot::Sender<()>,
    _dir: tempfile::TempDir,
    _db: Option<TestDatabase>,
}

async fn start(app: Berth, dir: tempfile::TempDir, db: Option<TestDatabase>) -> Up {
    app.init(Some(ADMIN_PASSWORD), "admin@example.com")
        .await
        .unwrap();
    let template_dir = dir.path().join("vhost-template");
    let settings = VhostTemplateSettings {
        template_dir: template_dir.clone(),
    };
    let router = berth_http::vhost_template::provide(berth_http::router(app), settings);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(berth_http::serve_router(router, listener, async move {
        let _ = stopped.await;
    }));
    Up {
        base,
        template_dir,
        client: reqwest::Client::new(),
        _stop: stop,
        _dir: dir,
        _db: db,
    }
}

async fn sqlite() -> Option<Up> {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("berth.db").display());
    let store = SqliteStore::connect(&url, Open::CreateIfMissing)
        .await
        .unwrap();
    let app = Berth::new(Arc::new(store), common_clock());
    Some(start(app, dir, None).await)
}

async fn postgres() -> Option<Up> {
    let db = fresh_database().await?;
    let store = PostgresStore::connect(&db.url).await.unwrap();
    let app = Berth::new(Arc::new(store), common_clock());
    Some(start(app, tempfile::tempdir().unwrap(), Some(db)).await)
}

fn common_clock() -> Arc<berth_core::clock::SystemClock> {
    Arc::new(berth_core::clock::SystemClock)
}

macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite_backend {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(up) = $crate::sqlite().await else { return };
                    super::$name(up).await;
                }
            )*
        }
        mod postgres_backend {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(up) = $crate::postgres().await else { return };
                    super::$name(up).await;
                }
            )*
        }
    };
}

both!(
    r8_3_the_admin_replaces_shows_and_resets_the_template,
    r8_3_refusals_keep_the_template_and_use_the_error_shape,
    r8_3_only_the_admin_reaches_the_template,
);

impl Up {
    fn request(&self, method: Method, path: &str, auth: &Auth) -> reqwest::RequestBuilder {
        let rb = self.client.request(method, format!("{}{path}", self.base));
        match auth {
            Auth::None => rb,
            Auth::Basic(l, p) => rb.basic_auth(l, Some(p)),
            Auth::Bearer(k) => rb.bearer_auth(k),
        }
    }

    async fn send(&self, rb: reqwest::RequestBuilder) -> (StatusCode, Value) {
        answer(rb.send().await.unwrap()).await
    }

    async fn upload(
        &self,
        auth: &Auth,
        query: &str,
        kind: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        let path = format!("/api/v1/vhost-template{query}");
        let rb = self
            .request(Method::PUT, &path, auth)
            .header("content-type", kind)
            .body(body);
        self.send(rb).await
    }
}

/// A tar archive with `files` (path, content).
fn tar(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, body) in files {
        let mut header = tar::Header::new_ustar();
        header.set_size(body.len() as u64);
        header.set_mode(0o644);
        let old = header.as_old_mut();
        old.name[..name.len()].copy_from_slice(name.as_bytes());
        header.set_cksum();
        builder.append(&header, *body).unwrap();
    }
    builder.into_inner().unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

async fn r8_3_the_admin_replaces_shows_and_resets_the_template(up: Up) {
    let (status, shown) = up
        .send(up.request(Method::GET, "/api/v1/vhost-template", &admin()))
        .await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    assert_eq!(
        (shown["built_in"].clone(), shown["files"].clone()),
        (json!(true), json!(7))
    );

    let small = gzip(&tar(&[("httpdocs/index.html", b"<h1>API</h1>")]));
    let (status, dry) = up
        .upload(&admin(), "?dry_run=true", "application/gzip", small.clone())
        .await;
    assert_eq!(status, StatusCode::OK, "{dry}");
    assert_eq!(dry["dry_run"], json!(true));
    assert!(!up.template_dir.join("current").exists());

    // Larger than the 1 MiB limit of JSON bodies: this route has its own.
    let filler: Vec<u8> = (0..1_500_000u32).map(|i| (i % 251) as u8).collect();
    let big = tar(&[
        ("httpdocs/index.html", b"<h1>API</h1>"),
        ("httpdocs/filler.bin", &filler),
    ]);
    assert!(big.len() > berth_http::BODY_LIMIT);
    let rb = up
        .request(Method::PUT, "/api/v1/vhost-template", &admin())
        .header("content-type", "application/x-tar")
        .header("idempotency-key", "upload-1")
        .body(big);
    let (status, put) = up.send(rb).await;
    assert_eq!(status, StatusCode::OK, "{put}");
    assert_eq!(
        (put["built_in"].clone(), put["files"].clone()),
        (json!(false), json!(2))
    );
    assert_eq!(put["total_bytes"], json!(1_500_000 + 12));
    assert!(
        up.template_dir
            .join("current/httpdocs/filler.bin")
            .is_file()
    );

    let (_, shown) = up
        .send(up.request(Method::GET, "/api/v1/vhost-template", &admin()))
        .await;
    assert_eq!(shown["entries"][1]["path"], json!("httpdocs/filler.bin"));

    let (status, reset) = up
        .send(up.request(Method::DELETE, "/api/v1/vhost-template", &admin()))
        .await;
    assert_eq!(status, StatusCode::OK, "{reset}");
    assert_eq!(reset["built_in"], json!(true));
    assert!(!up.template_dir.join("current").exists());
}

async fn r8_3_refusals_keep_the_template_and_use_the_error_shape(up: Up) {
    let good = gzip(&tar(&[("error_docs/404.html", b"lost")]));
    let (status, _) = up
        .upload(&admin(), "", "application/octet-stream", good)
        .await;
    assert_eq!(status, StatusCode::OK);

    let evil = tar(&[("/etc/cron.d/evil", b"* * * * * root sh")]);
    let (status, e) = up.upload(&admin(), "", "application/x-tar", evil).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(e["error"]["field"], json!("archive"));
    assert!(e["error"]["message"].as_str().unwrap().contains("absolute"));

    let (status, e) = up
        .upload(&admin(), "", "text/plain", b"hello".to_vec())
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(e["error"]["field"], json!("format"));

    // Other routes keep the 1 MiB limit.
    let huge = "x".repeat(berth_http::BODY_LIMIT + 10);
    let rb = up
        .request(Method::PUT, "/api/v1/dns/template", &admin())
        .json(&json!({ "text": huge }));
    let (status, _) = up.send(rb).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    let (_, shown) = up
        .send(up.request(Method::GET, "/api/v1/vhost-template", &admin()))
        .await;
    assert_eq!(
        (shown["built_in"].clone(), shown["total_bytes"].clone()),
        (json!(false), json!(4))
    );

    let doc = serde_json::to_value(berth_http::openapi()).unwrap();
    let put = &doc["paths"]["/vhost-template"]["put"];
    assert!(
        put["requestBody"]["content"]["application/zip"].is_object(),
        "{put}"
    );
    assert!(doc["paths"]["/vhost-template"]["delete"].is_object());
}

async fn r8_3_only_the_admin_reaches_the_template(up: Up) {
    let rb = up
        .request(Method::POST, "/api/v1/customers", &admin())
        .json(
            &json!({"login": "c1", "password": PASSWORD, "name": "C", "email": "c1@example.com"}),
        );
    let (status, body) = up.send(rb).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let customer = basic("c1");
    let (status, e) = up
        .send(up.request(Method::GET, "/api/v1/vhost-template", &customer))
        .await;
    assert_eq!(
        (status, e["error"]["code"].clone()),
        (StatusCode::FORBIDDEN, json!("forbidden"))
    );
    let archive = tar(&[("httpdocs/index.html", b"mine now")]);
    let (status, _) = up.upload(&customer, "", "application/x-tar", archive).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = up
        .send(up.request(Method::DELETE, "/api/v1/vhost-template", &customer))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = up
        .send(up.request(Method::GET, "/api/v1/vhost-template", &Auth::None))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(!up.template_dir.exists());
}
