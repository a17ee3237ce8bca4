//! Custom buttons (R8.1: the admin's and resellers') and branding (R8.2: the admin's logo,
//! logo link and browser title; the logo is checked by its content and served at
//! `/ui/logo`). The branding form is `multipart/form-data`; its synchronizer token is read
//! from the multipart body before anything is saved.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use berth_app::panel::{Branding, BrandingChange, CONTEXTS, CustomButton, LOCATIONS, NewButton};
use berth_app::{Berth, Mode};

use super::i18n::Tr;
use super::session::{UiForm, UiUser, same_token};
use super::{Chrome, Opt, chrome, error_page, render, see_other};

#[derive(Template)]
#[template(path = "buttons.html")]
struct ButtonsPage {
    chrome: Chrome,
    tr: Tr,
    csrf: String,
    buttons: Vec<CustomButton>,
    locations: Vec<Opt>,
    contexts: Vec<Opt>,
}

async fn page(app: &Berth, user: &UiUser, error: Option<&berth_core::Error>) -> Response {
    let tr = user.tr;
    let buttons = match app.list_custom_buttons(&user.session.actor).await {
        Ok(b) => b,
        Err(e) => return error_page(tr, Some(user), &e),
    };
    let mut chrome = chrome(user, tr.t("buttons.title"), "/ui/buttons");
    chrome.error = error.map(|e| e.message.clone());
    let page = ButtonsPage {
        chrome,
        tr,
        csrf: user.session.csrf.clone(),
        buttons,
        locations: LOCATIONS
            .iter()
            .map(|l| Opt::new(*l, tr.t(&format!("buttons.at.{l}")), false))
            .collect(),
        contexts: CONTEXTS
            .iter()
            .map(|c| Opt::new(*c, tr.t(&format!("buttons.ctx.{c}")), false))
            .collect(),
    };
    let status = error.map_or(StatusCode::OK, |e| super::status_of(e.code));
    render(status, &page)
}

/// `GET /ui/buttons`.
pub async fn list(State(app): State<Berth>, user: UiUser) -> Response {
    page(&app, &user, None).await
}

/// `POST /ui/buttons`: adds a button.
pub async fn add(State(app): State<Berth>, form: UiForm) -> Response {
    let user = &form.user;
    let input = NewButton {
        text: form.get("text").unwrap_or_default(),
        location: form.get("location").unwrap_or_default(),
        priority: form.get("priority").unwrap_or_default(),
        url: form.get("url").unwrap_or_default(),
        context: form.all("context"),
        tooltip: form.get("tooltip").unwrap_or_default(),
        new_tab: form.has("new_tab"),
        only_creator: form.has("only_creator"),
    };
    match app
        .add_custom_button(&user.session.actor, input, Mode::Apply)
        .await
    {
        Ok(b) => {
            super::audit(
                &app,
                &form,
                "POST /ui/buttons",
                &[format!("button={}", b.id)],
            )
            .await;
            see_other("/ui/buttons")
        }
        Err(e) => page(&app, user, Some(&e)).await,
    }
}

/// `POST /ui/buttons/remove`.
pub async fn remove(State(app): State<Berth>, form: UiForm) -> Response {
    let user = &form.user;
    let id = form.get("id").unwrap_or_default();
    match app
        .remove_custom_button(&user.session.actor, &id, Mode::Apply)
        .await
    {
        Ok(()) => {
            super::audit(
                &app,
                &form,
                "POST /ui/buttons/remove",
                &[format!("button={id}")],
            )
            .await;
            see_other("/ui/buttons")
        }
        Err(e) => error_page(user.tr, Some(user), &e),
    }
}

#[derive(Template)]
#[template(path = "branding.html")]
struct BrandingPage {
    chrome: Chrome,
    tr: Tr,
    csrf: String,
    title: String,
    logo_url: String,
    has_logo: bool,
}

fn branding_page(
    user: &UiUser,
    branding: &Branding,
    flash: Option<String>,
    error: Option<&berth_core::Error>,
) -> Response {
    let tr = user.tr;
    let mut chrome = chrome(user, tr.t("branding.title"), "/ui/tools").branded(branding);
    chrome.flash = flash;
    chrome.error = error.map(|e| e.message.clone());
    let page = BrandingPage {
        chrome,
        tr,
        csrf: user.session.csrf.clone(),
        title: branding.title.clone(),
        logo_url: branding.logo_url.clone(),
        has_logo: branding.logo.is_some(),
    };
    let status = error.map_or(StatusCode::OK, |e| super::status_of(e.code));
    render(status, &page)
}

/// `GET /ui/tools/branding` (the admin's).
pub async fn branding_form(user: UiUser) -> Response {
    if !user.session.actor.is_admin() {
        let err = berth_core::Error::not_found("page", "no such page");
        return error_page(user.tr, Some(&user), &err);
    }
    let branding = user.branding.clone();
    branding_page(&user, &branding, None, None)
}

/// The fields of the branding form: `(csrf, change)`.
async fn read_branding(mut multipart: Multipart) -> berth_core::Result<(String, BrandingChange)> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        berth_core::Error::invalid("logo", format!("the form could not be read: {e}"))
    };
    let mut csrf = String::new();
    let mut change = BrandingChange::default();
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        let data = field.bytes().await.map_err(bad)?;
        let text = || String::from_utf8_lossy(&data).into_owned();
        match name.as_str() {
            "csrf" => csrf = text(),
            "title" => change.title = text(),
            "logo_url" => change.logo_url = text(),
            "reset" => change.reset = !data.is_empty(),
            "logo" if !data.is_empty() => change.logo = Some(data.to_vec()),
            _ => {}
        }
    }
    Ok((csrf, change))
}

/// `POST /ui/tools/branding` (multipart): saves or resets the branding.
pub async fn save_branding(
    State(app): State<Berth>,
    user: UiUser,
    multipart: Multipart,
) -> Response {
    let tr = user.tr;
    let (csrf, change) = match read_branding(multipart).await {
        Ok(r) => r,
        Err(e) => return branding_page(&user, &user.branding, None, Some(&e)),
    };
    if !same_token(&csrf, &user.session.csrf) {
        let err = berth_core::Error::forbidden(tr.t("csrf.failed"));
        return error_page(tr, Some(&user), &err);
    }
    match app
        .set_branding(&user.session.actor, change, Mode::Apply)
        .await
    {
        Ok(saved) => branding_page(&user, &saved, Some(tr.t("sub.saved").into()), None),
        Err(e) => branding_page(&user, &user.branding, None, Some(&e)),
    }
}

/// `GET /ui/logo`: the uploaded logo (404 when none).
pub async fn logo(State(app): State<Berth>) -> Response {
    let Ok(Branding {
        logo: Some((kind, data)),
        ..
    }) = app.branding().await
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match base64::engine::general_purpose::STANDARD.decode(data) {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, kind),
                (header::CACHE_CONTROL, "no-cache".to_owned()),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}
