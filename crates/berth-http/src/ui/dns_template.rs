//! The server's DNS template (R7.4; `berth dns template show|set|apply`, admin only): the
//! template as text, saved whole, and applied to every zone after a preview (a dry run of
//! the same use case).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use berth_app::dns::ApplyReport;
use berth_app::{Berth, Mode, NoProgress};

use super::i18n::Tr;
use super::session::{UiForm, UiUser};
use super::{Chrome, chrome, error_page, render};

#[derive(Template)]
#[template(path = "dns_template.html")]
struct TemplatePage {
    chrome: Chrome,
    tr: Tr,
    csrf: String,
    text: String,
    report: Option<ApplyReport>,
}

/// The page with `text` in the editor (the stored template when `None`).
async fn page(
    app: &Berth,
    user: &UiUser,
    text: Option<String>,
    report: Option<ApplyReport>,
    flash: Option<String>,
    error: Option<&berth_core::Error>,
) -> Response {
    let tr = user.tr;
    let text = match text {
        Some(t) => t,
        None => match app.dns_template(&user.session.actor).await {
            Ok(view) => view.text,
            Err(e) => return error_page(tr, Some(user), &e),
        },
    };
    let mut chrome = chrome(user, tr.t("dnst.title"), "/ui/tools");
    chrome.flash = flash;
    chrome.error = error.map(|e| e.message.clone());
    let page = TemplatePage {
        chrome,
        tr,
        csrf: user.session.csrf.clone(),
        text,
        report,
    };
    let status = error.map_or(StatusCode::OK, |e| super::status_of(e.code));
    render(status, &page)
}

/// `GET /ui/tools/dns-template`.
pub async fn show(State(app): State<Berth>, user: UiUser) -> Response {
    page(&app, &user, None, None, None, None).await
}

/// `POST /ui/tools/dns-template`: replaces the template (zones change only when it is
/// applied).
pub async fn save(State(app): State<Berth>, form: UiForm) -> Response {
    let user = &form.user;
    let text = form
        .fields
        .iter()
        .find(|(k, _)| k == "template")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    match app
        .set_dns_template(&user.session.actor, &text, Mode::Apply)
        .await
    {
        Ok(view) => {
            super::audit(&app, &form, "POST /ui/tools/dns-template", &[]).await;
            let flash = Some(user.tr.t("dnst.saved").to_owned());
            page(&app, user, Some(view.text), None, flash, None).await
        }
        Err(e) => page(&app, user, Some(text), None, None, Some(&e)).await,
    }
}

/// `POST /ui/tools/dns-template/apply`: `op=preview` reports what applying would change
/// and writes nothing; `op=apply` applies the template to every zone.
pub async fn apply(State(app): State<Berth>, form: UiForm) -> Response {
    let user = &form.user;
    let mode = if form.get("op").as_deref() == Some("apply") {
        Mode::Apply
    } else {
        Mode::DryRun
    };
    match app
        .apply_dns_template(&user.session.actor, mode, &NoProgress)
        .await
    {
        Ok(report) => {
            if mode == Mode::Apply {
                let objects = [format!("zones={}", report.changed)];
                super::audit(&app, &form, "POST /ui/tools/dns-template/apply", &objects).await;
            }
            page(&app, user, None, Some(report), None, None).await
        }
        Err(e) => page(&app, user, None, None, None, Some(&e)).await,
    }
}
