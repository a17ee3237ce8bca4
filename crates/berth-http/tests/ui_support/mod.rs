//! A real headless Chromium driven over the W3C WebDriver protocol (Debian's
//! `chromedriver`), with nothing but the HTTP client the tests already use, and a world
//! of accounts, plans and subscriptions for the UI tests.

#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;
use berth_app::Mode;
use berth_app::accounts::NewAccount;
use berth_app::subscriptions::NewSubscription;
use berth_core::account::{AccountKind, ContactInput};
use berth_core::property::{Group, PlanType};
use serde_json::{Value, json};

use crate::common::{PASSWORD, Server};

/// The key under which WebDriver returns an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Where the screenshots of the README go.
pub fn screenshot_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots")
}

/// A browser session in headless Chromium.
pub struct Browser {
    http: reqwest::Client,
    driver: String,
    session: String,
    child: Child,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

impl Browser {
    /// Starts chromedriver and a fresh headless Chromium; `None` (with a loud message)
    /// when they are not installed and `BERTH_REQUIRE_BROWSER` is not set.
    pub async fn start() -> Option<Browser> {
        let driver_bin = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists());
        let Some(driver_bin) = driver_bin else {
            assert!(
                std::env::var("BERTH_REQUIRE_BROWSER").is_err(),
                "chromedriver is missing and BERTH_REQUIRE_BROWSER is set"
            );
            eprintln!("!!! chromedriver is not installed: the browser test is SKIPPED");
            return None;
        };
        let port = free_port();
        let child = Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let http = reqwest::Client::new();
        let driver = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if http.get(format!("{driver}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let args = vec![
            "--headless".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            "--window-size=1280,900".into(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args}
        }}});
        let answer: Value = http
            .post(format!("{driver}/session"))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = answer["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {answer}"))
            .to_owned();
        Some(Browser {
            http,
            driver,
            session,
            child,
            _profile: profile,
        })
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        match self.try_call(method, path, body).await {
            Ok(v) => v,
            Err(e) => panic!("WebDriver {path}: {e}"),
        }
    }

    async fn try_call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let url = format!("{}/session/{}{path}", self.driver, self.session);
        let mut rb = self.http.request(method, url);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let answer: Value = rb.send().await.unwrap().json().await.unwrap();
        if let Some(err) = answer["value"].get("error") {
            return Err(format!("{err}: {}", answer["value"]["message"]));
        }
        Ok(answer["value"].clone())
    }

    /// Opens `url`.
    pub async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    /// The current URL.
    pub async fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Waits up to 10 s for the page to contain `needle`; the page's HTML.
    pub async fn wait_for(&self, needle: &str) -> String {
        let mut html = String::new();
        for _ in 0..100 {
            html = self.source().await;
            if html.contains(needle) {
                return html;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the page never showed {needle:?}: {html}");
    }

    /// Waits up to 10 s for `needle` to leave the page; the page's HTML.
    pub async fn wait_gone(&self, needle: &str) -> String {
        let mut html = String::new();
        for _ in 0..100 {
            html = self.source().await;
            if !html.contains(needle) {
                return html;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the page kept showing {needle:?}: {html}");
    }

    /// The page's HTML.
    pub async fn source(&self) -> String {
        self.call(reqwest::Method::GET, "/source", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The element matching `css`, waiting up to 10 s for it to appear.
    async fn element(&self, css: &str) -> String {
        let query = json!({"using": "css selector", "value": css});
        let mut last = String::new();
        let mut found = Value::Null;
        for _ in 0..100 {
            match self
                .try_call(reqwest::Method::POST, "/element", Some(query.clone()))
                .await
            {
                Ok(v) => {
                    found = v;
                    break;
                }
                Err(e) => last = e,
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(!found.is_null(), "no element {css}: {last}");
        found[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {found}"))
            .to_owned()
    }

    /// Clicks the element matching `css` (waits for the page a submit loads).
    pub async fn click(&self, css: &str) {
        let id = self.element(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            Some(json!({})),
        )
        .await;
    }

    /// Types `text` into the field matching `css`, after clearing it.
    pub async fn fill(&self, css: &str, text: &str) {
        let id = self.element(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/clear"),
            Some(json!({})),
        )
        .await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({"text": text})),
        )
        .await;
    }

    /// Picks the option `value` of the `<select>` matching `css`.
    pub async fn select(&self, css: &str, value: &str) {
        self.click(&format!("{css} option[value=\"{value}\"]"))
            .await;
    }

    /// The visible text of the element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        let id = self.element(css).await;
        self.call(reqwest::Method::GET, &format!("/element/{id}/text"), None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Resizes the window (phone width, desktop).
    pub async fn resize(&self, width: u32, height: u32) {
        self.call(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        )
        .await;
    }

    /// Saves a PNG of the viewport as `docs/screenshots/{name}.png`.
    pub async fn screenshot(&self, name: &str) {
        let data = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap())
            .unwrap();
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// Logs in through the login form as `login`.
    pub async fn login(&self, base: &str, login: &str, password: &str) {
        self.goto(&format!("{base}/login")).await;
        self.fill("#login", login).await;
        self.fill("#password", password).await;
        self.click("#login-submit").await;
        self.wait_for("id=\"logout\"").await;
    }

    /// Logs out with the header's button.
    pub async fn logout(&self) {
        self.click("#logout").await;
        self.wait_for("id=\"login-submit\"").await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn account(login: &str, locale: &str) -> NewAccount {
    NewAccount {
        login: login.into(),
        password: PASSWORD.into(),
        contact: ContactInput {
            name: Some(format!("{login} Contact")),
            email: Some(format!("{login}@example.com")),
            locale: Some(locale.into()),
            ..ContactInput::default()
        },
        ..NewAccount::default()
    }
}

fn on_plan(domain: &str, plan: &str) -> NewSubscription {
    NewSubscription {
        domain: domain.into(),
        plan: Some(plan.into()),
        ..NewSubscription::default()
    }
}

/// A shared IP; the admin's plans `Basic` (1G disk) and `Gold` (asks for a hard disk
/// quota, which this server lacks: its subscriptions are unsynced, R3.4), add-on `Extra`
/// (+1G disk); customers `bob`
/// (`bob.example`, English) and `eve` (`eve.example`, French); reseller `res1`.
pub async fn world(s: &Server) {
    let app = &s.app;
    let admin = app.actor(None).await.unwrap();
    app.add_ip(&admin, "192.0.2.10", "shared", None, Mode::Apply)
        .await
        .unwrap();
    let plans = [
        ("Basic", (Group::Limits, "disk_space=1G".to_owned())),
        ("Gold", (Group::Hosting, "hard_quota=true".to_owned())),
    ];
    for (name, assignment) in plans {
        app.create_plan(
            &admin,
            name,
            PlanType::Service,
            None,
            &[assignment],
            Mode::Apply,
        )
        .await
        .unwrap();
    }
    let extra = [(Group::Limits, "disk_space=1G".to_owned())];
    app.create_plan(&admin, "Extra", PlanType::Addon, None, &extra, Mode::Apply)
        .await
        .unwrap();
    for (login, locale, domain) in [
        ("bob", "en-US", "bob.example"),
        ("eve", "fr-FR", "eve.example"),
    ] {
        app.create_customer_with_subscription(
            &admin,
            account(login, locale),
            on_plan(domain, "Basic"),
            Mode::Apply,
        )
        .await
        .unwrap();
    }
    app.create_account(
        &admin,
        AccountKind::Reseller,
        account("res1", "en-US"),
        Mode::Apply,
    )
    .await
    .unwrap();
}

pub use berth_mail_sink::MailSink;

/// The SMTP settings that send to `sink`.
pub fn smtp_settings(sink: &MailSink) -> berth_app::notifications::SmtpSettings {
    berth_app::notifications::SmtpSettings {
        host: "127.0.0.1".into(),
        port: sink.port,
        security: berth_app::notifications::Security::None,
        username: None,
        password: None,
        from: berth_core::account::Email::parse("from", "panel@example.com").unwrap(),
    }
}

/// The reset link (`http://…/login/reset?token=…`) of a mail, quoted-printable undone.
pub fn reset_link(mail: &str) -> String {
    let text = mail.replace("=\n", "").replace("=3D", "=");
    let start = text.find("http").expect("the mail holds a link");
    text[start..].split_whitespace().next().unwrap().to_owned()
}

/// A second server over the same database as `s`, with password recovery mailing to a
/// sink: its base URL and the sink. Links point at this server.
pub async fn recovery_server(s: &Server) -> (String, MailSink) {
    let sink = MailSink::start();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = s
        .app
        .clone()
        .with_recovery(berth_app::recovery::RecoverySettings::new(
            Some(smtp_settings(&sink)),
            base.clone(),
        ));
    tokio::spawn(berth_http::serve(app, listener, std::future::pending()));
    (base, sink)
}

/// A second server over the same database as `s`, with a virtual host template directory
/// in a fresh temporary directory: its base URL and the directory (kept alive).
pub async fn template_server(s: &Server) -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let settings = berth_app::vhost_template::VhostTemplateSettings {
        template_dir: dir.path().join("vhost-template"),
    };
    let router = berth_http::vhost_template::provide(berth_http::router(s.app.clone()), settings);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(berth_http::serve_router(
        router,
        listener,
        std::future::pending(),
    ));
    (base, dir)
}

/// A gzipped tar archive of these files.
pub fn tar_gz(files: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut builder = tar::Builder::new(Vec::new());
    for (name, body) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(body.len() as u64);
        header.set_mode(0o644);
        header.set_path(name).unwrap();
        header.set_cksum();
        builder.append(&header, *body).unwrap();
    }
    let tar = builder.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).unwrap();
    gz.finish().unwrap()
}
