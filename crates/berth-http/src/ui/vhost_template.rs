//! The virtual host template (R8.3; `berth vhost-template show|upload|reset`, admin only):
//! the files new webspaces start with, replaced by an uploaded archive (checked first when
//! asked: a dry run of the same use case) or reset to the built-in skeleton. The upload
//! form is `multipart/form-data`; its synchronizer token is read from the body before
//! anything is written.

use askama::Template;
use axum::Extension;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use berth_app::vhost_template::{VhostTemplateSettings, VhostTemplateView};
use berth_app::{Berth, Mode};

use super::i18n::Tr;
use super::session::{UiForm, UiUser, same_token};
use super::{Chrome, chrome, error_page, render};

#[derive(Template)]
#[template(path = "vhost_template.html")]
struct TemplatePage {
    chrome: Chrome,
    tr: Tr,
    csrf: String,
    view: Option<VhostTemplateView>,
}

/// The settings, or the failure of a server started without a template directory.
fn settings(
    given: Option<Extension<VhostTemplateSettings>>,
) -> berth_core::Result<VhostTemplateSettings> {
    given.map(|Extension(s)| s).ok_or_else(|| {
        berth_core::Error::failed("this server has no virtual host template directory configured")
    })
}

/// The page: `shown` (what was just checked or installed) or the current template.
async fn page(
    app: &Berth,
    user: &UiUser,
    settings: &VhostTemplateSettings,
    shown: Option<VhostTemplateView>,
    flash: Option<String>,
    error: Option<&berth_core::Error>,
) -> Response {
    let tr = user.tr;
    let view = match shown {
        Some(v) => Some(v),
        None => match app.vhost_template(&user.session.actor, settings).await {
            Ok(v) => Some(v),
            Err(e) if error.is_some() => {
                tracing::debug!(error = %e.message, "template not shown after an error");
                None
            }
            Err(e) => return error_page(tr, Some(user), &e),
        },
    };
    let mut chrome = chrome(user, tr.t("vht.title"), "/ui/tools");
    chrome.flash = flash;
    chrome.error = error.map(|e| e.message.clone());
    let page = TemplatePage {
        chrome,
        tr,
        csrf: user.session.csrf.clone(),
        view,
    };
    let status = error.map_or(StatusCode::OK, |e| super::status_of(e.code));
    render(status, &page)
}

/// `GET /ui/tools/vhost-template`.
pub async fn show(
    State(app): State<Berth>,
    given: Option<Extension<VhostTemplateSettings>>,
    user: UiUser,
) -> Response {
    match settings(given) {
        Ok(s) => page(&app, &user, &s, None, None, None).await,
        Err(e) => error_page(user.tr, Some(&user), &e),
    }
}

/// The token, the operation and the archive (with its file name) of the upload form.
async fn read_upload(
    mut multipart: Multipart,
) -> berth_core::Result<(String, String, Vec<u8>, Option<String>)> {
    let (mut csrf, mut op, mut archive, mut name) = (String::new(), String::new(), vec![], None);
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        berth_core::Error::invalid("archive", format!("the upload could not be read: {e}"))
    };
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name().unwrap_or_default() {
            "csrf" => csrf = field.text().await.map_err(unreadable)?,
            "op" => op = field.text().await.map_err(unreadable)?,
            "archive" => {
                name = field.file_name().map(str::to_owned);
                archive = field.bytes().await.map_err(unreadable)?.to_vec();
            }
            _ => {}
        }
    }
    Ok((csrf, op, archive, name))
}

/// The archive format a file name says (`site.tar.gz` → `tar.gz`), used only when the
/// content has no magic number.
fn format_of(name: Option<&str>) -> Option<&'static str> {
    let name = name?.to_ascii_lowercase();
    ["tar.gz", "tgz", "tar", "zip"]
        .into_iter()
        .find(|ext| name.ends_with(&format!(".{ext}")))
}

/// `POST /ui/tools/vhost-template`: `op=preview` checks the archive and writes nothing;
/// `op=apply` installs it (existing webspaces are not touched).
pub async fn upload(
    State(app): State<Berth>,
    given: Option<Extension<VhostTemplateSettings>>,
    user: UiUser,
    multipart: Multipart,
) -> Response {
    let tr = user.tr;
    let settings = match settings(given) {
        Ok(s) => s,
        Err(e) => return error_page(tr, Some(&user), &e),
    };
    let (csrf, op, archive, name) = match read_upload(multipart).await {
        Ok(r) => r,
        Err(e) => return page(&app, &user, &settings, None, None, Some(&e)).await,
    };
    if !same_token(&csrf, &user.session.csrf) {
        let err = berth_core::Error::forbidden(tr.t("csrf.failed"));
        return error_page(tr, Some(&user), &err);
    }
    let mode = if op == "apply" {
        Mode::Apply
    } else {
        Mode::DryRun
    };
    let format = format_of(name.as_deref());
    match app
        .upload_vhost_template(&user.session.actor, &settings, archive, format, mode)
        .await
    {
        Ok(view) => {
            let key = if mode == Mode::Apply {
                "vht.installed"
            } else {
                "vht.checked"
            };
            page(
                &app,
                &user,
                &settings,
                Some(view),
                Some(tr.t(key).to_owned()),
                None,
            )
            .await
        }
        Err(e) => page(&app, &user, &settings, None, None, Some(&e)).await,
    }
}

/// `POST /ui/tools/vhost-template/reset`: back to the built-in skeleton.
pub async fn reset(
    State(app): State<Berth>,
    given: Option<Extension<VhostTemplateSettings>>,
    form: UiForm,
) -> Response {
    let user = &form.user;
    let settings = match settings(given) {
        Ok(s) => s,
        Err(e) => return error_page(user.tr, Some(user), &e),
    };
    match app
        .reset_vhost_template(&user.session.actor, &settings, Mode::Apply)
        .await
    {
        Ok(view) => {
            super::audit(&app, &form, "POST /ui/tools/vhost-template/reset", &[]).await;
            let flash = Some(user.tr.t("vht.was_reset").to_owned());
            page(&app, user, &settings, Some(view), flash, None).await
        }
        Err(e) => page(&app, user, &settings, None, None, Some(&e)).await,
    }
}
