//! `berth serve` over HTTPS (R11.1, issue 7): a certificate and key in PEM files, a real
//! TLS handshake on a loopback port, the API answering with the client's address known;
//! bad certificate files refused with an error naming the setting.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use berth_app::Berth;
use berth_core::clock::SystemClock;
use berth_store_sqlite::{Open, SqliteStore};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

/// A self-signed certificate for `localhost` made by the real `openssl`.
fn self_signed(dir: &Path) -> bool {
    Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args([
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ])
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .args(["-addext", "extendedKeyUsage=serverAuth"])
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .output()
        .is_ok_and(|o| o.status.success())
}

async fn https_get(port: u16, cert: &Path, path: &str) -> String {
    let mut roots = RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(cert).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    let mut tls = TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .expect("TLS handshake");
    tls.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut answer = String::new();
    tls.read_to_string(&mut answer).await.unwrap_or_default();
    answer
}

#[tokio::test]
async fn the_api_answers_over_tls_with_the_configured_certificate() {
    let dir = tempfile::tempdir().unwrap();
    if !self_signed(dir.path()) {
        panic!("openssl could not make a test certificate");
    }
    let url = format!("sqlite://{}", dir.path().join("berth.db").display());
    let store = SqliteStore::connect(&url, Open::CreateIfMissing)
        .await
        .unwrap();
    let app = Berth::new(Arc::new(store), Arc::new(SystemClock));
    app.init(Some("admin-pass-123"), "admin@example.com")
        .await
        .unwrap();
    let tls =
        berth_http::tls::load(&dir.path().join("cert.pem"), &dir.path().join("key.pem")).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(berth_http::serve_router_tls(
        berth_http::router(app),
        listener,
        tls,
        async {
            let _ = stopped.await;
        },
    ));
    // A client that never finishes its handshake does not hold up the others.
    let _silent = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let health = https_get(port, &dir.path().join("cert.pem"), "/healthz").await;
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    let denied = https_get(port, &dir.path().join("cert.pem"), "/api/v1/customers").await;
    assert!(denied.starts_with("HTTP/1.1 401"), "{denied}");
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}

#[test]
fn unusable_certificate_files_are_refused_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    let err = berth_http::tls::load(&cert, &key).unwrap_err();
    assert!(err.starts_with("tls_cert"), "{err}");
    std::fs::write(&cert, "not a certificate").unwrap();
    let err = berth_http::tls::load(&cert, &key).unwrap_err();
    assert!(err.starts_with("tls_cert"), "{err}");
    assert!(self_signed(dir.path()));
    std::fs::write(
        &key,
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    let err = berth_http::tls::load(&cert, &key).unwrap_err();
    assert!(err.starts_with("tls_key"), "{err}");
}
