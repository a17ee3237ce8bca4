//! API keys of the signed-in account (`berth api-key create|list|revoke`): a key is shown
//! once, when created, optionally restricted to source addresses; any key can be revoked.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use berth_app::api_keys::{ApiKeyView, CreatedApiKey};
use berth_app::{Berth, Mode};

use super::i18n::Tr;
use super::session::{UiForm, UiUser};
use super::{Chrome, chrome, error_page, render, see_other};

#[derive(Template)]
#[template(path = "keys.html")]
struct KeysPage {
    chrome: Chrome,
    tr: Tr,
    csrf: String,
    keys: Vec<ApiKeyView>,
    created: Option<CreatedApiKey>,
}

async fn page(
    app: &Berth,
    user: &UiUser,
    created: Option<CreatedApiKey>,
    error: Option<&berth_core::Error>,
) -> Response {
    let tr = user.tr;
    let keys = match app.list_api_keys(&user.session.actor).await {
        Ok(k) => k,
        Err(e) => return error_page(tr, Some(user), &e),
    };
    let mut chrome = chrome(user, tr.t("keys.title"), "/ui/keys");
    chrome.error = error.map(|e| e.message.clone());
    let page = KeysPage {
        chrome,
        tr,
        csrf: user.session.csrf.clone(),
        keys,
        created,
    };
    let status = error.map_or(StatusCode::OK, |e| super::status_of(e.code));
    let mut response = render(status, &page);
    // The page may hold a new key: never cache it.
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

/// `GET /ui/keys`: the account's keys.
pub async fn list(State(app): State<Berth>, user: UiUser) -> Response {
    page(&app, &user, None, None).await
}

/// `POST /ui/keys`: creates a key (addresses separated by commas or blanks) and shows it
/// once.
pub async fn create(State(app): State<Berth>, form: UiForm) -> Response {
    let user = &form.user;
    let ips: Vec<String> = form
        .get("ips")
        .unwrap_or_default()
        .split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    match app
        .create_api_key(&user.session.actor, &ips, Mode::Apply)
        .await
    {
        Ok(created) => {
            super::audit(
                &app,
                &form,
                "POST /ui/keys",
                &[format!("api_key={}", created.id)],
            )
            .await;
            page(&app, user, Some(created), None).await
        }
        Err(e) => page(&app, user, None, Some(&e)).await,
    }
}

/// `POST /ui/keys/revoke`: revokes one key.
pub async fn revoke(State(app): State<Berth>, form: UiForm) -> Response {
    let user = &form.user;
    let id = form.get("id").unwrap_or_default();
    match app
        .revoke_api_key(&user.session.actor, &id, Mode::Apply)
        .await
    {
        Ok(_) => {
            super::audit(
                &app,
                &form,
                "POST /ui/keys/revoke",
                &[format!("api_key={id}")],
            )
            .await;
            see_other("/ui/keys")
        }
        Err(e) => error_page(user.tr, Some(user), &e),
    }
}
