//! Password recovery in the browser (R1.4): "Forgot your password?" on the login page
//! asks for the login and the email address on record; the use case mails a single-use,
//! expiring link when both match, and the page answers the same either way. The link
//! opens a form that sets a new password. Like the login form, these pages have no
//! session: they use the login form's double-submit token.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use berth_app::Berth;
use berth_core::ErrorCode;
use serde::Deserialize;

use super::i18n::Tr;
use super::session::{self, LOGIN_CSRF_COOKIE, LoginContext};
use super::{Chrome, error_page, fresh_token, render};

#[derive(Template)]
#[template(path = "recovery.html")]
struct RecoveryPage {
    chrome: Chrome,
    tr: Tr,
    csrf: String,
    /// The reset form (true) or the request form (false).
    reset: bool,
    /// The login a usable link resets.
    login: Option<String>,
    token: String,
    login_value: String,
    email_value: String,
}

/// What a recovery page shows besides its form.
struct Outcome {
    status: StatusCode,
    flash: Option<String>,
    error: Option<String>,
}

impl Outcome {
    fn ok() -> Self {
        Outcome {
            status: StatusCode::OK,
            flash: None,
            error: None,
        }
    }

    fn failed(status: StatusCode, message: String) -> Self {
        Outcome {
            status,
            flash: None,
            error: Some(message),
        }
    }
}

/// A recovery page with the double-submit cookie set, never cached and never sending a
/// `Referer` (the reset page's address holds the token).
fn page(headers: &HeaderMap, mut page: RecoveryPage, outcome: Outcome) -> Response {
    let csrf = match session::cookie(headers, LOGIN_CSRF_COOKIE).filter(|c| c.len() == 64) {
        Some(c) => c,
        None => match fresh_token() {
            Ok(t) => t,
            Err(e) => return error_page(page.tr, None, &e),
        },
    };
    page.csrf = csrf.clone();
    page.chrome.flash = outcome.flash;
    page.chrome.error = outcome.error;
    let mut response = render(outcome.status, &page);
    let headers_out = response.headers_mut();
    if let Ok(v) = session::set_cookie(headers, LOGIN_CSRF_COOKIE, &csrf).parse() {
        headers_out.append(header::SET_COOKIE, v);
    }
    headers_out.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    headers_out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn blank(app: &Berth, tr: Tr, title_key: &str, reset: bool) -> RecoveryPage {
    let branding = app.branding().await.unwrap_or_default();
    RecoveryPage {
        chrome: Chrome {
            lang: tr.0.code(),
            title: tr.t(title_key).to_owned(),
            ..Chrome::default()
        }
        .branded(&branding),
        tr,
        csrf: String::new(),
        reset,
        login: None,
        token: String::new(),
        login_value: String::new(),
        email_value: String::new(),
    }
}

/// The posted fields of a session-less form whose double-submit token matched.
fn checked_fields(headers: &HeaderMap, body: &[u8]) -> Option<Vec<(String, String)>> {
    let fields = session::parse_fields(body);
    let posted = fields
        .iter()
        .find(|(k, _)| k == session::CSRF_FIELD)
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let cookie = session::cookie(headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    session::same_token(&posted, &cookie).then_some(fields)
}

fn field(fields: &[(String, String)], name: &str) -> String {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// `GET /login/forgot`: the request form.
pub async fn forgot_form(State(app): State<Berth>, headers: HeaderMap) -> Response {
    let tr = session::browser_lang(&headers);
    let blank = blank(&app, tr, "recovery.title", false).await;
    page(&headers, blank, Outcome::ok())
}

/// `POST /login/forgot`: asks the use case for a link; the same answer whether or not
/// the login and email matched.
pub async fn forgot(
    State(app): State<Berth>,
    context: LoginContext,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let tr = session::browser_lang(&headers);
    let mut form = blank(&app, tr, "recovery.title", false).await;
    let Some(fields) = checked_fields(&headers, &body) else {
        let outcome = Outcome::failed(StatusCode::FORBIDDEN, tr.t("csrf.failed").to_owned());
        return page(&headers, form, outcome);
    };
    let (login, email) = (field(&fields, "login"), field(&fields, "email"));
    form.login_value = login.clone();
    form.email_value = email.clone();
    match app
        .request_password_reset(&login, &email, context.source)
        .await
    {
        Ok(()) => {
            form.login_value.clear();
            form.email_value.clear();
            let outcome = Outcome {
                flash: Some(tr.t("recovery.sent").to_owned()),
                ..Outcome::ok()
            };
            page(&headers, form, outcome)
        }
        Err(e) => {
            let status = match e.code {
                ErrorCode::LimitExceeded => StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::SERVICE_UNAVAILABLE,
            };
            let message = match e.code {
                ErrorCode::LimitExceeded => tr.t("recovery.too_many").to_owned(),
                ErrorCode::Invalid => tr.t("recovery.both_needed").to_owned(),
                _ => tr.t("recovery.unavailable").to_owned(),
            };
            page(&headers, form, Outcome::failed(status, message))
        }
    }
}

/// The query of a reset link.
#[derive(Debug, Deserialize)]
pub struct ResetQuery {
    /// The link's token.
    #[serde(default)]
    token: String,
}

/// `GET /login/reset?token=…`: the new-password form while the link is usable.
pub async fn reset_form(
    State(app): State<Berth>,
    headers: HeaderMap,
    Query(query): Query<ResetQuery>,
) -> Response {
    let tr = session::browser_lang(&headers);
    let mut form = blank(&app, tr, "recovery.reset_title", true).await;
    match app.password_reset_login(&query.token).await {
        Ok(login) => {
            form.login = Some(login);
            form.token = query.token;
            page(&headers, form, Outcome::ok())
        }
        Err(e) if e.code == ErrorCode::Invalid => {
            let outcome = Outcome::failed(StatusCode::GONE, tr.t("recovery.dead_link").to_owned());
            page(&headers, form, outcome)
        }
        Err(e) => error_page(tr, None, &e),
    }
}

/// `POST /login/reset`: sets the new password through the link, then back to the login
/// page with a confirmation.
pub async fn reset(
    State(app): State<Berth>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let tr = session::browser_lang(&headers);
    let mut form = blank(&app, tr, "recovery.reset_title", true).await;
    let Some(fields) = checked_fields(&headers, &body) else {
        let outcome = Outcome::failed(StatusCode::FORBIDDEN, tr.t("csrf.failed").to_owned());
        return page(&headers, form, outcome);
    };
    let token = field(&fields, "token");
    let (password, again) = (field(&fields, "password"), field(&fields, "password_again"));
    let login = match app.password_reset_login(&token).await {
        Ok(login) => login,
        Err(e) if e.code == ErrorCode::Invalid => {
            let outcome = Outcome::failed(StatusCode::GONE, tr.t("recovery.dead_link").to_owned());
            return page(&headers, form, outcome);
        }
        Err(e) => return error_page(tr, None, &e),
    };
    form.login = Some(login);
    form.token = token.clone();
    if password != again {
        let outcome = Outcome::failed(
            StatusCode::UNPROCESSABLE_ENTITY,
            tr.t("profile.mismatch").to_owned(),
        );
        return page(&headers, form, outcome);
    }
    match app.reset_password(&token, &password).await {
        Ok(_) => {
            let branding = app.branding().await.unwrap_or_default();
            let mut response = super::login_page(
                &headers,
                &branding,
                "",
                None,
                Some(tr.t("recovery.done").to_owned()),
                app.recovery_available(),
            );
            *response.status_mut() = StatusCode::OK;
            response
        }
        Err(e) if e.field.as_deref() == Some("token") => {
            form.login = None;
            let outcome = Outcome::failed(StatusCode::GONE, tr.t("recovery.dead_link").to_owned());
            page(&headers, form, outcome)
        }
        Err(e) if e.code == ErrorCode::Invalid => {
            let outcome = Outcome::failed(StatusCode::UNPROCESSABLE_ENTITY, e.message);
            page(&headers, form, outcome)
        }
        Err(e) => error_page(tr, None, &e),
    }
}
