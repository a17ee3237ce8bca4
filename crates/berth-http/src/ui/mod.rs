//! The web UI: server-rendered pages (askama templates shipped inside the binary) for the
//! admin, reseller and customer panels, over the same `berth-app` use cases as the REST
//! API and the CLI, so rights, rules and messages are the same. Styles, the small
//! progressive-enhancement script and htmx are embedded; nothing is fetched from the
//! network. Every POST carries the session's synchronizer token ([`session::UiForm`]).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use berth_app::Berth;
use berth_app::panel::{Branding, ButtonContext, ButtonView};
use berth_core::ErrorCode;
use berth_core::account::AccountKind;

mod buttons;
mod create;
mod dns_template;
mod domains;
pub mod i18n;
mod ips;
mod keys;
mod lists;
mod plans;
mod profile;
mod recovery;
mod reseller_terms;
pub mod session;
mod subscription;
mod tasks;
mod tools;
mod vhost_template;

use i18n::Tr;
use session::{LOGIN_CSRF_COOKIE, LoginContext, SESSION_COOKIE, UiForm, UiUser};

/// Where the panel uploads virtual host template archives (the only UI form whose body
/// may be as large as an archive).
pub const VHOST_TEMPLATE_UPLOAD: &str = "/ui/tools/vhost-template";

/// One entry of the panel's navigation.
#[derive(Debug, Clone)]
pub struct NavItem {
    /// Target.
    pub href: String,
    /// Text.
    pub label: String,
    /// Whether it is the current section.
    pub active: bool,
}

/// The signed-in user as the page header shows it.
#[derive(Debug, Clone)]
pub struct ChromeUser {
    /// Login.
    pub login: String,
    /// Role, translated.
    pub role: String,
    /// The synchronizer token of the logout form.
    pub csrf: String,
}

/// What every page shows around its content.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// The panel's name in titles (R8.2 branding; "Berth" by default).
    pub brand: String,
    /// Whether a logo was uploaded (served at `/ui/logo`).
    pub logo: bool,
    /// Where the logo links to.
    pub logo_href: String,
    /// `en` or `fr`.
    pub lang: &'static str,
    /// The page title (also its `h1`).
    pub title: String,
    /// The signed-in user; none on the login page.
    pub user: Option<ChromeUser>,
    /// The navigation of the user's panel.
    pub nav: Vec<NavItem>,
    /// A success message.
    pub flash: Option<String>,
    /// An error message (the rule broken, as the use case said it).
    pub error: Option<String>,
}

impl Default for Chrome {
    fn default() -> Self {
        Chrome {
            brand: "Berth".into(),
            logo: false,
            logo_href: "/".into(),
            lang: "en",
            title: String::new(),
            user: None,
            nav: Vec::new(),
            flash: None,
            error: None,
        }
    }
}

impl Chrome {
    /// The same chrome with the panel's branding.
    pub fn branded(mut self, branding: &Branding) -> Self {
        if !branding.title.is_empty() {
            self.brand = branding.title.clone();
        }
        if !branding.logo_url.is_empty() {
            self.logo_href = branding.logo_url.clone();
        }
        self.logo = branding.logo.is_some();
        self
    }
}

/// An option of a `<select>`.
#[derive(Debug, Clone)]
pub struct Opt {
    /// Submitted value.
    pub value: String,
    /// Shown text.
    pub label: String,
    /// Whether it is selected.
    pub selected: bool,
}

impl Opt {
    /// An option.
    pub fn new(value: impl Into<String>, label: impl Into<String>, selected: bool) -> Self {
        Opt {
            value: value.into(),
            label: label.into(),
            selected,
        }
    }
}

/// The sections of a panel: `(key, path, who sees it)`.
const SECTIONS: &[(&str, &str, &[AccountKind])] = &[
    (
        "nav.home",
        "/ui",
        &[
            AccountKind::Admin,
            AccountKind::Reseller,
            AccountKind::Customer,
        ],
    ),
    ("nav.resellers", "/ui/resellers", &[AccountKind::Admin]),
    (
        "nav.customers",
        "/ui/customers",
        &[AccountKind::Admin, AccountKind::Reseller],
    ),
    (
        "nav.subscriptions",
        "/ui/subscriptions",
        &[
            AccountKind::Admin,
            AccountKind::Reseller,
            AccountKind::Customer,
        ],
    ),
    (
        "nav.domains",
        "/ui/domains",
        &[
            AccountKind::Admin,
            AccountKind::Reseller,
            AccountKind::Customer,
        ],
    ),
    (
        "nav.plans",
        "/ui/plans",
        &[AccountKind::Admin, AccountKind::Reseller],
    ),
    ("nav.overview", "/ui/overview", &[AccountKind::Reseller]),
    (
        "buttons.title",
        "/ui/buttons",
        &[AccountKind::Admin, AccountKind::Reseller],
    ),
    ("nav.tools", "/ui/tools", &[AccountKind::Admin]),
    (
        "keys.title",
        "/ui/keys",
        &[
            AccountKind::Admin,
            AccountKind::Reseller,
            AccountKind::Customer,
        ],
    ),
];

/// The chrome of a page of `user`'s panel in section `active` (a path of [`SECTIONS`]).
pub fn chrome(user: &UiUser, title: impl Into<String>, active: &str) -> Chrome {
    let tr = user.tr;
    let actor = &user.session.actor;
    let nav = SECTIONS
        .iter()
        .filter(|(_, _, who)| who.contains(&actor.kind))
        .map(|(key, path, _)| NavItem {
            href: (*path).to_owned(),
            label: tr.t(key).to_owned(),
            active: *path == active,
        })
        .collect();
    Chrome {
        lang: tr.0.code(),
        title: title.into(),
        user: Some(ChromeUser {
            login: actor.login.to_string(),
            role: tr.t(&format!("role.{}", actor.kind.as_str())).to_owned(),
            csrf: user.session.csrf.clone(),
        }),
        nav,
        ..Chrome::default()
    }
    .branded(&user.branding)
}

/// Renders a template as an HTML response with `status`.
pub fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a UI template failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be rendered",
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    tr: Tr,
    message: String,
}

/// The status of an error code.
fn status_of(code: ErrorCode) -> StatusCode {
    crate::error::status_of(code)
}

/// A page telling what went wrong, with the use case's message and its status (another
/// owner's object is simply not found).
pub fn error_page(tr: Tr, user: Option<&UiUser>, err: &berth_core::Error) -> Response {
    let title = match err.code {
        ErrorCode::NotFound => tr.t("error.not_found"),
        ErrorCode::Forbidden => tr.t("error.forbidden"),
        _ => tr.t("error.title"),
    };
    let chrome = match user {
        Some(u) => chrome(u, title, ""),
        None => Chrome {
            lang: tr.0.code(),
            title: title.to_owned(),
            ..Chrome::default()
        },
    };
    let page = ErrorPage {
        chrome,
        tr,
        message: err.message.clone(),
    };
    render(status_of(err.code), &page)
}

/// Records a change made in the panel in the audit log (interface `ui`): the operation and
/// the objects it named, never a password. A failure to record is logged, not shown.
pub async fn audit(app: &Berth, form: &UiForm, action: &str, objects: &[String]) {
    let record = berth_app::audit::AuditRecord {
        entry: None,
        actor: form.user.session.actor.clone(),
        api_key: None,
        source: form.source.clone(),
        request_id: form.request_id.clone(),
        interface: "ui",
        action: action.to_owned(),
        object: objects.join(" "),
        status: 200,
    };
    if let Err(e) = app.record_audit(record).await {
        tracing::error!(error = %e.message, "the audit entry could not be written");
    }
}

/// A 303 redirect (after a successful POST) to `to`.
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    tr: Tr,
    csrf: String,
    login: String,
    /// Whether "Forgot your password?" is offered (password recovery is set up).
    recovery: bool,
}

/// The login page, with an error or a confirmation (after a password reset).
fn login_page(
    headers: &HeaderMap,
    branding: &Branding,
    login: &str,
    error: Option<String>,
    flash: Option<String>,
    recovery: bool,
) -> Response {
    let tr = session::browser_lang(headers);
    let csrf = match session::cookie(headers, LOGIN_CSRF_COOKIE).filter(|c| c.len() == 64) {
        Some(c) => c,
        None => match fresh_token() {
            Ok(t) => t,
            Err(e) => return error_page(tr, None, &e),
        },
    };
    let status = if error.is_some() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    let page = LoginPage {
        chrome: Chrome {
            lang: tr.0.code(),
            title: tr.t("login.title").to_owned(),
            error,
            flash,
            ..Chrome::default()
        }
        .branded(branding),
        tr,
        csrf: csrf.clone(),
        login: login.to_owned(),
        recovery,
    };
    let mut response = render(status, &page);
    if let Ok(v) = session::set_cookie(headers, LOGIN_CSRF_COOKIE, &csrf).parse() {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// 32 random bytes in hex.
fn fresh_token() -> berth_core::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| berth_core::Error::failed(format!("no randomness: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

async fn root(headers: HeaderMap) -> Response {
    if session::cookie(&headers, SESSION_COOKIE).is_some() {
        see_other("/ui")
    } else {
        see_other("/login")
    }
}

async fn login_form(State(app): State<Berth>, headers: HeaderMap) -> Response {
    let branding = app.branding().await.unwrap_or_default();
    login_page(
        &headers,
        &branding,
        "",
        None,
        None,
        app.recovery_available(),
    )
}

/// `POST /login`: the login form. Same authentication and failed-login limits as the
/// REST API; suspended accounts are refused.
async fn login_submit(
    State(app): State<Berth>,
    context: LoginContext,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let tr = session::browser_lang(&headers);
    let fields = session::parse_fields(&body);
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (login, password) = (field("login"), field("password"));
    let branding = app.branding().await.unwrap_or_default();
    let recovery = app.recovery_available();
    let login_page = |headers: &HeaderMap, login: &str, error: Option<String>| {
        login_page(headers, &branding, login, error, None, recovery)
    };
    let cookie = session::cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if !session::same_token(&field(session::CSRF_FIELD), &cookie) {
        return login_page(&headers, &login, Some(tr.t("csrf.failed").to_owned()));
    }
    let limiter = context.limiter.as_deref();
    if let Some(wait) = limiter.and_then(|l| l.blocked(Some(login.trim()), context.source)) {
        let message = format!("{} {wait} {}", tr.t("login.wait"), tr.t("login.seconds"));
        let mut response = login_page(&headers, &login, Some(message));
        *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        return response;
    }
    match app.ui_login(&login, &password).await {
        Ok(opened) => {
            if let Some(l) = limiter {
                l.succeeded(Some(login.trim()));
            }
            let mut response = see_other("/ui");
            let cookies = [
                session::set_cookie(&headers, SESSION_COOKIE, &opened.token),
                session::set_cookie(&headers, LOGIN_CSRF_COOKIE, ""),
            ];
            for c in cookies {
                if let Ok(v) = c.parse() {
                    response.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            response
        }
        Err(e) if e.code == ErrorCode::Forbidden => {
            if let Some(l) = limiter {
                l.failed(Some(login.trim()), context.source);
            }
            let text = if e.message.contains("suspended") {
                tr.t("login.suspended").to_owned()
            } else if e.message.contains("(R1.3)") {
                tr.t("login.no_subscription").to_owned()
            } else {
                tr.t("login.failed").to_owned()
            };
            login_page(&headers, &login, Some(text))
        }
        Err(e) => error_page(tr, None, &e),
    }
}

/// `POST /logout`: deletes the session and its cookie.
async fn logout(State(app): State<Berth>, headers: HeaderMap, form: UiForm) -> Response {
    if let Some(token) = session::cookie(&headers, SESSION_COOKIE)
        && let Err(e) = app.ui_logout(&token).await
    {
        return error_page(form.user.tr, Some(&form.user), &e);
    }
    let mut response = see_other("/login");
    if let Ok(v) = session::set_cookie(&headers, SESSION_COOKIE, "").parse() {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// A card of the home page.
#[derive(Debug, Clone)]
struct Card {
    href: String,
    label: String,
    value: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    tr: Tr,
    name: String,
    cards: Vec<Card>,
    buttons: Vec<ButtonView>,
}

/// `GET /ui`: the home page of the user's panel, with a card per section.
async fn home(State(app): State<Berth>, user: UiUser) -> Response {
    let tr = user.tr;
    let location = if user.session.actor.kind == AccountKind::Customer {
        "customer_home"
    } else {
        "home"
    };
    let buttons = match app
        .visible_buttons(&user.session.actor, location, &ButtonContext::default())
        .await
    {
        Ok(b) => b,
        Err(e) => return error_page(tr, Some(&user), &e),
    };
    let cards = SECTIONS
        .iter()
        .skip(1)
        .filter(|(_, _, who)| who.contains(&user.session.actor.kind))
        .map(|(key, path, _)| Card {
            href: (*path).to_owned(),
            label: tr.t(key).to_owned(),
            value: "→".to_owned(),
        })
        .collect();
    let page = HomePage {
        chrome: chrome(&user, tr.t("nav.home"), "/ui"),
        tr,
        name: user.session.name.clone(),
        cards,
        buttons,
    };
    render(StatusCode::OK, &page)
}

const CSS: &str = include_str!("../../assets/berth.css");
const SCRIPT: &str = include_str!("../../assets/berth.js");
const HTMX: &str = include_str!("../../assets/htmx.min.js");

/// `GET /assets/{file}`: the embedded styles and scripts, cached for a day.
async fn asset(Path(file): Path<String>) -> Response {
    let (body, kind) = match file.as_str() {
        "berth.css" => (CSS, "text/css; charset=utf-8"),
        "berth.js" => (SCRIPT, "text/javascript; charset=utf-8"),
        "htmx.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}

/// The UI's routes: `/`, `/login`, `/logout`, `/assets/*` and the panels under `/ui`.
pub fn router() -> Router<Berth> {
    Router::new()
        .route("/", get(root))
        .route("/login", get(login_form).post(login_submit))
        .route(
            "/login/forgot",
            get(recovery::forgot_form).post(recovery::forgot),
        )
        .route(
            "/login/reset",
            get(recovery::reset_form).post(recovery::reset),
        )
        .route("/logout", post(logout))
        .route("/assets/{file}", get(asset))
        .route("/ui", get(home))
        .route("/ui/customers", get(lists::customers))
        .route("/ui/customers/bulk", post(lists::customers_bulk))
        .route(
            "/ui/customers/new",
            get(lists::new_customer_form).post(lists::new_customer),
        )
        .route("/ui/resellers", get(lists::resellers))
        .route(
            "/ui/customers/edit",
            get(create::edit_account_form).post(create::edit_account),
        )
        .route(
            "/ui/resellers/edit",
            get(create::edit_account_form).post(create::edit_account),
        )
        .route(
            "/ui/resellers/new",
            get(create::new_reseller_form).post(create::new_reseller),
        )
        .route(
            "/ui/subscriptions/new",
            get(create::new_subscription_form).post(create::new_subscription),
        )
        .route("/ui/resellers/bulk", post(lists::resellers_bulk))
        .route(
            "/ui/resellers/terms",
            get(reseller_terms::show).post(reseller_terms::save),
        )
        .route("/ui/subscriptions", get(lists::subscriptions))
        .route("/ui/subscriptions/bulk", post(lists::subscriptions_bulk))
        .route("/ui/subscriptions/{name}", get(subscription::show))
        .route(
            "/ui/subscriptions/{name}/customize",
            post(subscription::customize),
        )
        .route(
            "/ui/subscriptions/{name}/unlock",
            post(subscription::unlock),
        )
        .route("/ui/subscriptions/{name}/sync", post(subscription::sync))
        .route(
            "/ui/subscriptions/{name}/addons",
            post(subscription::addons),
        )
        .route("/ui/subscriptions/{name}/renew", post(subscription::renew))
        .route(
            "/ui/subscriptions/{name}/hosting",
            post(subscription::hosting),
        )
        .route("/ui/plans", get(tools::plans))
        .route(
            "/ui/plans/new",
            get(plans::new_plan_form).post(plans::new_plan),
        )
        .route("/ui/plans/edit", get(plans::edit_form).post(plans::edit))
        .route("/ui/tools", get(tools::tools))
        .route("/ui/tools/preferences", post(tools::save_preferences))
        .route("/ui/tools/ips", get(ips::list).post(ips::add))
        .route("/ui/tools/ips/remove", post(ips::remove))
        .route(
            "/ui/tools/dns-template",
            get(dns_template::show).post(dns_template::save),
        )
        .route("/ui/tools/dns-template/apply", post(dns_template::apply))
        .route("/ui/tools/tasks", get(tasks::show))
        .route(
            "/ui/tools/vhost-template",
            get(vhost_template::show)
                .post(vhost_template::upload)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::vhost_template::UPLOAD_LIMIT,
                )),
        )
        .route(
            "/ui/tools/vhost-template/reset",
            post(vhost_template::reset),
        )
        .route("/ui/tools/ips/pool", post(ips::pool))
        .route("/ui/overview", get(tools::overview))
        .route("/ui/dns", get(tools::zone))
        .route("/ui/dns/add", post(tools::add_record))
        .route("/ui/dns/remove", post(tools::remove_record))
        .route("/ui/buttons", get(buttons::list).post(buttons::add))
        .route("/ui/buttons/remove", post(buttons::remove))
        .route(
            "/ui/tools/branding",
            get(buttons::branding_form).post(buttons::save_branding),
        )
        .route("/ui/logo", get(buttons::logo))
        .route("/ui/tools/audit", get(tools::audit))
        .route("/ui/domains", get(domains::list).post(domains::add))
        .route("/ui/profile", get(profile::show).post(profile::save))
        .route("/ui/keys", get(keys::list).post(keys::create))
        .route("/ui/keys/revoke", post(keys::revoke))
}
