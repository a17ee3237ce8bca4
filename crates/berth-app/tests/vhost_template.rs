//! The virtual host template use cases (R8.3): admin only, upload checked and swapped in,
//! dry runs write nothing, reset restores the built-in skeleton; on SQLite and PostgreSQL.

mod common;

use std::io::Write;

use berth_app::Mode;
use berth_app::accounts::NewAccount;
use berth_app::vhost_template::VhostTemplateSettings;
use berth_core::ErrorCode;
use berth_core::account::{AccountKind, ContactInput};
use common::Env;

on_both_backends!(
    r8_3_the_admin_uploads_shows_and_resets_the_template,
    r8_3_refused_archives_name_the_field_and_keep_the_template,
    r8_3_resellers_and_customers_may_not_touch_the_template,
);

/// A tar.gz with `files` (path, content).
fn tgz(files: &[(&str, &str)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, body) in files {
        let mut header = tar::Header::new_ustar();
        header.set_size(body.len() as u64);
        header.set_mode(0o644);
        builder
            .append_data(&mut header, path, body.as_bytes())
            .unwrap();
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&builder.into_inner().unwrap()).unwrap();
    gz.finish().unwrap()
}

fn settings(dir: &tempfile::TempDir) -> VhostTemplateSettings {
    VhostTemplateSettings {
        template_dir: dir.path().join("vhost-template"),
    }
}

async fn r8_3_the_admin_uploads_shows_and_resets_the_template(env: Env) {
    let app = &env.app;
    let dir = tempfile::tempdir().unwrap();
    let settings = settings(&dir);
    let admin = app.actor(None).await.unwrap();
    let shown = app.vhost_template(&admin, &settings).await.unwrap();
    assert!(shown.built_in);
    assert_eq!(shown.files, 7);

    let archive = tgz(&[
        ("httpdocs/index.html", "<h1>Hello</h1>"),
        ("error_docs/404.html", "gone"),
    ]);
    let dry = app
        .upload_vhost_template(&admin, &settings, archive.clone(), None, Mode::DryRun)
        .await
        .unwrap();
    assert!(dry.dry_run && !dry.built_in);
    assert_eq!(dry.files, 2);
    assert!(
        app.vhost_template(&admin, &settings)
            .await
            .unwrap()
            .built_in
    );

    let up = app
        .upload_vhost_template(&admin, &settings, archive, Some("tgz"), Mode::Apply)
        .await
        .unwrap();
    assert!(!up.dry_run && !up.built_in);
    assert_eq!((up.files, up.total_bytes), (2, 18));
    let shown = app.vhost_template(&admin, &settings).await.unwrap();
    let paths: Vec<&str> = shown.entries.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "error_docs",
            "error_docs/404.html",
            "httpdocs",
            "httpdocs/index.html"
        ]
    );
    assert_eq!(shown.entries[1].kind, "file");

    let web = dir.path().join("www/shop.example");
    assert!(berth_provision::template::seed_new_webspace(&settings.template_dir, &web).unwrap());
    assert_eq!(
        std::fs::read_to_string(web.join("httpdocs/index.html")).unwrap(),
        "<h1>Hello</h1>"
    );

    let dry = app
        .reset_vhost_template(&admin, &settings, Mode::DryRun)
        .await
        .unwrap();
    assert!(dry.built_in && dry.dry_run);
    assert!(
        !app.vhost_template(&admin, &settings)
            .await
            .unwrap()
            .built_in
    );
    let reset = app
        .reset_vhost_template(&admin, &settings, Mode::Apply)
        .await
        .unwrap();
    assert!(reset.built_in);
    assert!(
        app.vhost_template(&admin, &settings)
            .await
            .unwrap()
            .built_in
    );
}

async fn r8_3_refused_archives_name_the_field_and_keep_the_template(env: Env) {
    let app = &env.app;
    let dir = tempfile::tempdir().unwrap();
    let settings = settings(&dir);
    let admin = app.actor(None).await.unwrap();
    let good = tgz(&[("httpdocs/index.html", "mine")]);
    app.upload_vhost_template(&admin, &settings, good, None, Mode::Apply)
        .await
        .unwrap();

    let nested = tgz(&[("site/httpdocs/index.html", "x")]);
    let e = app
        .upload_vhost_template(&admin, &settings, nested, None, Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Invalid);
    assert_eq!(e.field.as_deref(), Some("archive"));
    assert!(e.message.starts_with("R8.3"), "{}", e.message);

    let e = app
        .upload_vhost_template(
            &admin,
            &settings,
            b"not an archive".to_vec(),
            None,
            Mode::Apply,
        )
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::Invalid, Some("format"))
    );
    let e = app
        .upload_vhost_template(&admin, &settings, vec![], Some("rar"), Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::Invalid, Some("format"))
    );

    let shown = app.vhost_template(&admin, &settings).await.unwrap();
    assert!(!shown.built_in);
    assert_eq!(shown.total_bytes, 4);
}

async fn r8_3_resellers_and_customers_may_not_touch_the_template(env: Env) {
    let app = &env.app;
    let dir = tempfile::tempdir().unwrap();
    let settings = settings(&dir);
    let admin = app.actor(None).await.unwrap();
    for (login, kind) in [("r1", AccountKind::Reseller), ("c1", AccountKind::Customer)] {
        let account = NewAccount {
            login: login.into(),
            password: format!("{login}-password"),
            contact: ContactInput {
                name: Some(login.into()),
                email: Some(format!("{login}@example.com")),
                ..Default::default()
            },
            ..Default::default()
        };
        app.create_account(&admin, kind, account, Mode::Apply)
            .await
            .unwrap();
        let actor = app.actor(Some(login)).await.unwrap();
        let archive = tgz(&[("httpdocs/index.html", "hijacked")]);
        let errors = [
            app.vhost_template(&actor, &settings).await.unwrap_err(),
            app.upload_vhost_template(&actor, &settings, archive, None, Mode::Apply)
                .await
                .unwrap_err(),
            app.reset_vhost_template(&actor, &settings, Mode::Apply)
                .await
                .unwrap_err(),
        ];
        for e in errors {
            assert_eq!(e.code, ErrorCode::Forbidden, "{login}: {}", e.message);
        }
    }
    assert!(!settings.template_dir.exists());
}
