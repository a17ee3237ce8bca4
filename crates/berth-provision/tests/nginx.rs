//! The generated configuration with the real nginx (R9.1, R9.2): validated with `nginx -t`,
//! served on a loopback port, answering by Host header — a site with its content, `www.` too,
//! a redirect alias 301, a same-site alias 200, a subdomain its own root, a suspended
//! subscription 503 — and still answering after a refused invalid change.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;

use berth_provision::apply::{Applied, ApplyError, Staged, Tree};
use berth_provision::nginx::render;
use berth_provision::spec::{Host, HostRole, Settings, SiteSpec};
use berth_provision::webspace::layout;

fn nginx() -> Option<PathBuf> {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A main nginx configuration including `include` (a directory's `*.conf`).
fn main_conf(dir: &Path, include: &Path, name: &str) -> PathBuf {
    let conf = dir.join(name);
    std::fs::create_dir_all(dir.join("tmp")).unwrap();
    std::fs::write(
        &conf,
        format!(
            "user root;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{ worker_connections 64; }}\n\
             http {{\n    access_log off;\n    client_body_temp_path {d}/tmp;\n    include {inc}/*.conf;\n}}\n",
            d = dir.display(),
            inc = include.display()
        ),
    )
    .unwrap();
    conf
}

/// A configuration including exactly the prospective files of a staged batch.
fn check_conf(dir: &Path, staged: &Staged<'_>) -> PathBuf {
    let conf = dir.join("check.conf");
    std::fs::create_dir_all(dir.join("tmp")).unwrap();
    let includes: String = staged
        .files()
        .unwrap()
        .values()
        .map(|p| format!("    include {};\n", p.display()))
        .collect();
    std::fs::write(
        &conf,
        format!(
            "pid {d}/check.pid;\nerror_log {d}/check.log;\nevents {{ worker_connections 64; }}\n\
             http {{\n    access_log off;\n    client_body_temp_path {d}/tmp;\n{includes}}}\n",
            d = dir.display(),
        ),
    )
    .unwrap();
    conf
}

fn run(nginx: &Path, args: &[&str]) -> Result<(), String> {
    let out = Command::new(nginx)
        .args(args)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn get(port: u16, host: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "GET / HTTP/1.0\r\nHost: {host}\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, response)
}

fn spec(name: &str, suspended: bool, hosts: Vec<Host>) -> SiteSpec {
    SiteSpec {
        subscription: name.into(),
        suspended,
        addresses: vec!["127.0.0.1".parse().unwrap()],
        hosts,
    }
}

fn site(name: &str, www: bool, root: &str) -> Host {
    Host {
        name: name.into(),
        www,
        role: HostRole::Site { root: root.into() },
    }
}

#[test]
fn r9_1_the_generated_configuration_serves_every_kind_of_host() {
    let Some(nginx) = nginx() else {
        panic!("nginx is required (scripts/test installs nginx-light)");
    };
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        webspace_root: dir.path().join("www"),
        http_port: free_port(),
    };
    let shop = spec(
        "shop.example",
        false,
        vec![
            site("shop.example", true, "httpdocs"),
            site("blog.shop.example", false, "blog"),
            Host {
                name: "shop.example.net".into(),
                www: true,
                role: HostRole::Redirect {
                    to: "shop.example".into(),
                },
            },
            Host {
                name: "shop.example.org".into(),
                www: false,
                role: HostRole::Same {
                    root: "httpdocs".into(),
                },
            },
        ],
    );
    let closed = spec(
        "closed.example",
        true,
        vec![site("closed.example", true, "httpdocs")],
    );
    for s in [&shop, &closed] {
        for d in layout(s, &settings) {
            std::fs::create_dir_all(&d).unwrap();
        }
    }
    std::fs::write(
        settings
            .webspace_root
            .join("shop.example/httpdocs/index.html"),
        "shop home",
    )
    .unwrap();
    std::fs::write(
        settings.webspace_root.join("shop.example/blog/index.html"),
        "blog home",
    )
    .unwrap();

    let tree = Tree::open(dir.path().join("nginx")).unwrap();
    let live_conf = main_conf(dir.path(), &tree.live_dir(), "nginx.conf");
    let validate = |staged: &Staged<'_>| {
        let check = check_conf(dir.path(), staged);
        run(&nginx, &["-t", "-q", "-c", check.to_str().unwrap()])
    };
    let files: BTreeMap<String, Option<String>> = [&shop, &closed]
        .iter()
        .map(|s| {
            (
                format!("{}.conf", s.subscription),
                Some(render(s, &settings).unwrap()),
            )
        })
        .collect();
    assert_eq!(
        tree.apply(&tree.diff(&files).unwrap(), validate, || Ok(()))
            .unwrap(),
        Applied::Live(1)
    );
    run(&nginx, &["-c", live_conf.to_str().unwrap()]).expect("nginx starts");
    let stop = || {
        let _ = run(&nginx, &["-s", "stop", "-c", live_conf.to_str().unwrap()]);
    };

    let checks = std::panic::catch_unwind(|| {
        let port = settings.http_port;
        let (status, body) = get(port, "shop.example");
        assert_eq!(status, 200);
        assert!(body.ends_with("shop home"), "{body}");
        assert_eq!(get(port, "www.shop.example").0, 200);
        assert!(get(port, "blog.shop.example").1.ends_with("blog home"));
        let (status, body) = get(port, "shop.example.net");
        assert_eq!(status, 301);
        assert!(body.contains("Location: http://shop.example/"), "{body}");
        assert!(
            get(port, "shop.example.org").1.ends_with("shop home"),
            "same-site alias"
        );
        let (status, body) = get(port, "closed.example");
        assert_eq!(status, 503);
        assert!(body.contains("suspended"), "{body}");

        let mut broken = BTreeMap::new();
        broken.insert(
            "zz.conf".to_owned(),
            Some("server { listen nowhere; }".to_owned()),
        );
        let reload = || run(&nginx, &["-s", "reload", "-c", live_conf.to_str().unwrap()]);
        let validate = |staged: &Staged<'_>| {
            let check = check_conf(dir.path(), staged);
            run(&nginx, &["-t", "-q", "-c", check.to_str().unwrap()])
        };
        let err = tree.apply(&broken, validate, reload).unwrap_err();
        assert!(matches!(err, ApplyError::Invalid(_)), "{err}");
        assert_eq!(tree.generation(), Some(1));
        assert!(tree.read("zz.conf").unwrap().is_none());
        assert_eq!(
            get(port, "shop.example").0,
            200,
            "the previous sites still answer"
        );
    });
    stop();
    if let Err(panic) = checks {
        std::panic::resume_unwind(panic);
    }
}
