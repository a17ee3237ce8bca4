//! A real server on a loopback port over a fresh database, on both engines, and a small
//! HTTP client to drive it.

#![allow(dead_code)]

use std::sync::Arc;

use berth_app::Berth;
use berth_core::clock::FixedClock;
use berth_store_postgres::PostgresStore;
use berth_store_postgres::testing::{TestDatabase, fresh_database};
use berth_store_sqlite::{Open, SqliteStore};
use chrono::{TimeZone, Utc};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio::sync::oneshot;

/// The admin password every server starts with.
pub const ADMIN_PASSWORD: &str = "admin-pass-123";

enum Keep {
    Sqlite(tempfile::TempDir),
    Postgres(TestDatabase),
}

/// How a request authenticates.
#[derive(Debug, Clone)]
pub enum Auth {
    /// No `Authorization` header.
    None,
    /// HTTP Basic.
    Basic(String, String),
    /// `Authorization: Bearer`.
    Bearer(String),
}

/// The admin with its password.
pub fn admin() -> Auth {
    Auth::Basic("admin".into(), ADMIN_PASSWORD.into())
}

/// A login with the password every test account gets.
pub fn basic(login: &str) -> Auth {
    Auth::Basic(login.into(), PASSWORD.into())
}

/// The password of the accounts tests create.
pub const PASSWORD: &str = "Secret-pass-42";

/// A running server.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The application behind it (to check what was written).
    pub app: Berth,
    client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _keep: Keep,
}

impl Server {
    async fn start(app: Berth, keep: Keep) -> Server {
        app.init(Some(ADMIN_PASSWORD), "admin@example.com")
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(berth_http::serve(app.clone(), listener, async move {
            let _ = stopped.await;
        }));
        Server {
            base,
            app,
            client: reqwest::Client::new(),
            stop: Some(stop),
            task: Some(task),
            _keep: keep,
        }
    }

    /// Stops accepting, finishes requests in flight, and returns when the server is down.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }

    /// A request builder for `path` (absolute, e.g. `/api/v1/customers`).
    pub fn request(&self, method: Method, path: &str, auth: &Auth) -> reqwest::RequestBuilder {
        let rb = self.client.request(method, format!("{}{path}", self.base));
        match auth {
            Auth::None => rb,
            Auth::Basic(l, p) => rb.basic_auth(l, Some(p)),
            Auth::Bearer(k) => rb.bearer_auth(k),
        }
    }

    /// Sends a request with an optional JSON body; the status and the JSON answer
    /// (`null` when the body is not JSON).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        auth: &Auth,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut rb = self.request(method, path, auth);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        answer(rb.send().await.unwrap()).await
    }

    /// GET.
    pub async fn get(&self, path: &str, auth: &Auth) -> (StatusCode, Value) {
        self.call(Method::GET, path, auth, None).await
    }

    /// POST with a JSON body.
    pub async fn post(&self, path: &str, auth: &Auth, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, auth, Some(body)).await
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Status and JSON of a response; error answers must have the one error shape.
pub async fn answer(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if !status.is_success() {
        let e = &json["error"];
        assert!(
            e["code"].is_string() && e["message"].is_string() && e.get("field").is_some(),
            "{status}: not the error shape: {text}"
        );
    }
    (status, json)
}

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock(
        Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap(),
    ))
}

pub async fn sqlite() -> Option<Server> {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("berth.db").display());
    let store = SqliteStore::connect(&url, Open::CreateIfMissing)
        .await
        .unwrap();
    Some(Server::start(Berth::new(Arc::new(store), clock()), Keep::Sqlite(dir)).await)
}

pub async fn postgres() -> Option<Server> {
    let db = fresh_database().await?;
    let store = PostgresStore::connect(&db.url).await.unwrap();
    Some(Server::start(Berth::new(Arc::new(store), clock()), Keep::Postgres(db)).await)
}

/// Declares each listed `async fn name(server: Server)` as two tests, `sqlite::name` and
/// `postgres::name`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(server) = $crate::common::sqlite().await else { return };
                    super::$name(server).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(server) = $crate::common::postgres().await else { return };
                    super::$name(server).await;
                }
            )*
        }
    };
}
