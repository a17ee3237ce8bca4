//! Browser sessions: the `berth_session` cookie (HttpOnly, SameSite=Strict, Secure behind
//! TLS), the signed-in user of a page ([`UiUser`]), and posted forms whose synchronizer
//! token is checked before anything else ([`UiForm`]). The login form itself, which has
//! no session yet, uses a double-submit token (`berth_login_csrf` cookie = form field).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use berth_app::Berth;
use berth_app::sessions::UiSession;
use sha2::{Digest, Sha256};

use super::i18n::{Lang, Tr};
use crate::limit::LoginLimiter;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "berth_session";

/// The login form's double-submit cookie.
pub const LOGIN_CSRF_COOKIE: &str = "berth_login_csrf";

/// The form field carrying the synchronizer token.
pub const CSRF_FIELD: &str = "csrf";

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
}

/// Whether the request reached us over TLS (directly or through a proxy that says so).
fn over_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, Path=/, Secure over TLS; an empty
/// value with `Max-Age=0` deletes it.
pub fn set_cookie(headers: &HeaderMap, name: &str, value: &str) -> String {
    let secure = if over_tls(headers) { "; Secure" } else { "" };
    let age = if value.is_empty() { "; Max-Age=0" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict{secure}{age}")
}

/// Whether two tokens are equal, in time independent of where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    let (ha, hb) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    ha.iter()
        .zip(hb.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
        && !a.is_empty()
}

/// The language of a request without a session (the login page).
pub fn browser_lang(headers: &HeaderMap) -> Tr {
    Tr(headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::of_accept_language)
        .unwrap_or_default())
}

/// The signed-in user of a page. Without a live session the page redirects to `/login`.
#[derive(Debug, Clone)]
pub struct UiUser {
    /// The session (actor, CSRF token, locale).
    pub session: UiSession,
    /// The user's language.
    pub tr: Tr,
    /// The panel's branding (R8.2).
    pub branding: berth_app::panel::Branding,
}

impl FromRequestParts<Berth> for UiUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Berth) -> Result<Self, Self::Rejection> {
        let to_login = || Redirect::to("/login").into_response();
        let token = cookie(&parts.headers, SESSION_COOKIE).ok_or_else(to_login)?;
        match app.ui_session(&token).await {
            Ok(Some(session)) => Ok(UiUser {
                tr: Tr(Lang::of_locale(&session.locale)),
                session,
                branding: app.branding().await.unwrap_or_default(),
            }),
            Ok(None) => Err(to_login()),
            Err(e) => Err(super::error_page(Tr::default(), None, &e)),
        }
    }
}

/// A posted form (`application/x-www-form-urlencoded`) of a signed-in user whose
/// synchronizer token matched; otherwise the request is refused with 403 before any
/// handler runs. Repeated fields (checkboxes) keep every value.
#[derive(Debug, Clone)]
pub struct UiForm {
    /// The user.
    pub user: UiUser,
    /// The fields in order.
    pub fields: Vec<(String, String)>,
    /// The request id (for the audit log).
    pub request_id: String,
    /// The client's address (for the audit log).
    pub source: Option<String>,
}

impl UiForm {
    /// The first value of `name`, trimmed; `None` when absent or empty.
    pub fn get(&self, name: &str) -> Option<String> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// Every non-empty value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// Whether `name` was posted with a non-empty value.
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// The fields of a URL-encoded body.
pub fn parse_fields(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

impl FromRequest<Berth> for UiForm {
    type Rejection = Response;

    async fn from_request(req: Request, app: &Berth) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let user = UiUser::from_request_parts(&mut parts, app).await?;
        let request_id = parts
            .extensions
            .get::<crate::audit::RequestContext>()
            .map(|c| c.request_id.clone())
            .unwrap_or_default();
        let source = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_canonical().to_string());
        let bytes = Bytes::from_request(Request::from_parts(parts, body), app)
            .await
            .map_err(IntoResponse::into_response)?;
        let fields = parse_fields(&bytes);
        let posted = fields
            .iter()
            .find(|(k, _)| k == CSRF_FIELD)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default();
        if !same_token(posted, &user.session.csrf) {
            tracing::warn!(login = %user.session.actor.login, "UI form refused: CSRF token mismatch");
            let message = user.tr.t("csrf.failed").to_owned();
            let err = berth_core::Error::forbidden(message);
            return Err(super::error_page(user.tr, Some(&user), &err));
        }
        Ok(UiForm {
            user,
            fields,
            request_id,
            source,
        })
    }
}

/// The client address and the failed-login limiter of a request.
pub struct LoginContext {
    /// The client address.
    pub source: Option<std::net::IpAddr>,
    /// The limiter shared with the REST API.
    pub limiter: Option<Arc<LoginLimiter>>,
}

impl<S: Send + Sync> FromRequestParts<S> for LoginContext {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(LoginContext {
            source: parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
            limiter: parts.extensions.get::<Arc<LoginLimiter>>().cloned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn cookies_are_http_only_strict_and_secure_behind_tls() {
        let mut headers = HeaderMap::new();
        let plain = set_cookie(&headers, SESSION_COOKIE, "abc");
        assert_eq!(
            plain,
            "berth_session=abc; Path=/; HttpOnly; SameSite=Strict"
        );
        headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert!(set_cookie(&headers, SESSION_COOKIE, "abc").ends_with("; Secure"));
        assert!(set_cookie(&headers, SESSION_COOKIE, "").contains("Max-Age=0"));
    }

    #[test]
    fn the_session_cookie_is_found_among_others_and_tokens_compare_exactly() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; berth_session=tok; b=2"),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE).as_deref(), Some("tok"));
        assert_eq!(cookie(&headers, "missing"), None);
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abc", "abd"));
        assert!(!same_token("", ""));
    }
}
