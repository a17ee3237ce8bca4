//! The web UI over a real server on a loopback port, on SQLite and PostgreSQL: sessions,
//! CSRF and rights over plain HTTP, and a walkthrough of the panels in headless Chromium
//! that also saves the README's screenshots.

mod common;
mod ui_support;

use berth_app::Mode;
use berth_app::sessions::UiPreferences;
use berth_core::account::AccountKind;
use common::{ADMIN_PASSWORD, PASSWORD, Server};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use ui_support::{Browser, world};

/// A client that does not follow redirects, so that they can be checked.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn cookie_value(response: &reqwest::Response, name: &str) -> Option<(String, String)> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| {
            let value = v[name.len() + 1..].split(';').next().unwrap_or_default();
            (value.to_owned(), v.to_owned())
        })
}

/// The value of hidden field `name` in a page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).expect("the field is on the page") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// Logs in through the form: the response of the POST.
async fn post_login(
    s: &Server,
    c: &reqwest::Client,
    login: &str,
    password: &str,
) -> reqwest::Response {
    let page = c.get(format!("{}/login", s.base)).send().await.unwrap();
    let (csrf_cookie, _) = cookie_value(&page, "berth_login_csrf").unwrap();
    let html = page.text().await.unwrap();
    let csrf = hidden(&html, "csrf");
    c.post(format!("{}/login", s.base))
        .header(COOKIE, format!("berth_login_csrf={csrf_cookie}"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("login", login),
            ("password", password),
        ])
        .send()
        .await
        .unwrap()
}

/// Logs in and returns the session cookie.
async fn session(s: &Server, c: &reqwest::Client, login: &str, password: &str) -> String {
    let answer = post_login(s, c, login, password).await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER, "{login} logs in");
    cookie_value(&answer, "berth_session").unwrap().0
}

async fn get(s: &Server, c: &reqwest::Client, token: &str, path: &str) -> (StatusCode, String) {
    let r = c
        .get(format!("{}{path}", s.base))
        .header(COOKIE, format!("berth_session={token}"))
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn login_sets_an_http_only_session_cookie_and_logout_ends_it(s: Server) {
    world(&s).await;
    let c = client();
    let wrong = post_login(&s, &c, "admin", "not-the-password").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("Wrong login or password.")
    );
    let answer = post_login(&s, &c, "admin", ADMIN_PASSWORD).await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let (token, header) = cookie_value(&answer, "berth_session").unwrap();
    assert!(
        header.contains("HttpOnly") && header.contains("SameSite=Strict"),
        "{header}"
    );
    let (status, html) = get(&s, &c, &token, "/ui").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("/ui/tools") && html.contains("/ui/resellers"),
        "the admin's panel"
    );
    let csrf = hidden(&html, "csrf");
    let logout = |csrf: String| {
        c.post(format!("{}/logout", s.base))
            .header(COOKIE, format!("berth_session={token}"))
            .form(&[("csrf", csrf)])
            .send()
    };
    assert_eq!(
        logout("forged".into()).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get(&s, &c, &token, "/ui").await.0,
        StatusCode::OK,
        "a forged logout does nothing"
    );
    assert_eq!(logout(csrf).await.unwrap().status(), StatusCode::SEE_OTHER);
    let after = c
        .get(format!("{}/ui", s.base))
        .header(COOKIE, format!("berth_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::SEE_OTHER);
    assert_eq!(after.headers()[LOCATION], "/login");
}

async fn login_form_needs_its_double_submit_token(s: Server) {
    let c = client();
    let answer = c
        .post(format!("{}/login", s.base))
        .form(&[
            ("csrf", "x"),
            ("login", "admin"),
            ("password", ADMIN_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    assert!(cookie_value(&answer, "berth_session").is_none());
}

async fn bulk_forms_without_the_session_token_change_nothing(s: Server) {
    world(&s).await;
    let c = client();
    let token = session(&s, &c, "admin", ADMIN_PASSWORD).await;
    let answer = c
        .post(format!("{}/ui/subscriptions/bulk", s.base))
        .header(COOKIE, format!("berth_session={token}"))
        .form(&[
            ("names", "bob.example"),
            ("action", "suspend"),
            ("confirm", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::FORBIDDEN);
    let admin = s.app.actor(None).await.unwrap();
    let sub = s
        .app
        .subscription_info(&admin, "bob.example")
        .await
        .unwrap();
    assert_eq!(sub.status, "active");
    let (_, html) = get(&s, &c, &token, "/ui/subscriptions").await;
    let csrf = hidden(&html, "csrf");
    let send = |confirm: bool| {
        let mut form = vec![
            ("csrf", csrf.as_str()),
            ("names", "bob.example"),
            ("action", "suspend"),
        ];
        if confirm {
            form.push(("confirm", "1"));
        }
        c.post(format!("{}/ui/subscriptions/bulk", s.base))
            .header(COOKIE, format!("berth_session={token}"))
            .form(&form)
            .send()
    };
    let audit = || async {
        // The panel's entries (the setup above made some through the service layer).
        let request = berth_app::audit::AuditListRequest {
            action: Some("POST /ui/".into()),
            ..Default::default()
        };
        s.app.list_audit(&admin, request).await.unwrap().items
    };
    let status = || async {
        let sub = s
            .app
            .subscription_info(&admin, "bob.example")
            .await
            .unwrap();
        sub.status
    };
    assert_eq!(send(false).await.unwrap().status(), StatusCode::OK);
    assert_eq!(status().await, "active", "the preview is a dry run");
    assert!(audit().await.is_empty(), "a preview is not a change");
    assert_eq!(send(true).await.unwrap().status(), StatusCode::OK);
    assert_eq!(status().await, "suspended");
    let entries = audit().await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].interface, "ui");
    assert_eq!(entries[0].action, "POST /ui/subscriptions/bulk suspend");
    assert_eq!(entries[0].object, "bob.example");
}

async fn suspended_accounts_cannot_log_in_and_lose_their_session(s: Server) {
    world(&s).await;
    let c = client();
    let token = session(&s, &c, "bob", PASSWORD).await;
    assert_eq!(
        get(&s, &c, &token, "/ui/subscriptions").await.0,
        StatusCode::OK
    );
    let admin = s.app.actor(None).await.unwrap();
    let done = s
        .app
        .suspend_accounts(
            &admin,
            AccountKind::Customer,
            &["bob".into()],
            Mode::Apply,
            &berth_app::NoProgress,
        )
        .await;
    assert!(done[0].ok);
    assert_eq!(
        get(&s, &c, &token, "/ui/subscriptions").await.0,
        StatusCode::SEE_OTHER
    );
    let refused = post_login(&s, &c, "bob", PASSWORD).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("This account is suspended.")
    );
}

async fn r1_3_a_customer_without_a_subscription_cannot_log_in(s: Server) {
    world(&s).await;
    let admin = s.app.actor(None).await.unwrap();
    let input = berth_app::accounts::NewAccount {
        login: "nosub".into(),
        password: PASSWORD.into(),
        contact: berth_core::account::ContactInput {
            name: Some("No Sub".into()),
            email: Some("nosub@example.com".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    s.app
        .create_account(&admin, AccountKind::Customer, input, Mode::Apply)
        .await
        .unwrap();
    let c = client();
    let refused = post_login(&s, &c, "nosub", PASSWORD).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(cookie_value(&refused, "berth_session").is_none());
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("has no subscription yet")
    );
}

async fn r8_2_one_session_per_login_when_several_are_not_allowed(s: Server) {
    world(&s).await;
    let c = client();
    let first = session(&s, &c, "bob", PASSWORD).await;
    let second = session(&s, &c, "bob", PASSWORD).await;
    assert_eq!(
        get(&s, &c, &first, "/ui").await.0,
        StatusCode::OK,
        "several allowed by default"
    );
    let admin = s.app.actor(None).await.unwrap();
    let prefs = UiPreferences {
        multiple_sessions: false,
        button_label_length: 20,
    };
    s.app
        .set_ui_preferences(&admin, &prefs, Mode::Apply)
        .await
        .unwrap();
    let bob = s.app.actor(Some("bob")).await.unwrap();
    let refused = s
        .app
        .set_ui_preferences(&bob, &prefs, Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(refused.code, berth_core::ErrorCode::Forbidden);
    let third = session(&s, &c, "bob", PASSWORD).await;
    assert_eq!(get(&s, &c, &first, "/ui").await.0, StatusCode::SEE_OTHER);
    assert_eq!(get(&s, &c, &second, "/ui").await.0, StatusCode::SEE_OTHER);
    assert_eq!(get(&s, &c, &third, "/ui").await.0, StatusCode::OK);
}

async fn r11_2_a_customer_gets_404_for_another_customers_pages(s: Server) {
    world(&s).await;
    let c = client();
    let bob = session(&s, &c, "bob", PASSWORD).await;
    let (status, html) = get(&s, &c, &bob, "/ui/subscriptions/eve.example").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("no subscription eve.example"), "{html}");
    let (status, html) = get(&s, &c, &bob, "/ui/subscriptions").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("bob.example") && !html.contains("eve.example"));
    assert_eq!(
        get(&s, &c, &bob, "/ui/subscriptions/bob.example").await.0,
        StatusCode::OK
    );
    assert_eq!(
        get(&s, &c, &bob, "/ui/tools").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&s, &c, &bob, "/ui/customers").await.0,
        StatusCode::FORBIDDEN
    );
}

async fn lists_search_filter_sort_and_page(s: Server) {
    world(&s).await;
    let c = client();
    let admin = session(&s, &c, "admin", ADMIN_PASSWORD).await;
    let (_, html) = get(&s, &c, &admin, "/ui/customers?q=eve").await;
    assert!(html.contains("eve@example.com") && !html.contains("bob@example.com"));
    let (_, html) = get(&s, &c, &admin, "/ui/customers?sort=login:desc").await;
    let (e, b) = (
        html.find("eve@example.com").unwrap(),
        html.find("bob@example.com").unwrap(),
    );
    assert!(e < b, "descending by login");
    assert!(html.contains("aria-sort=\"descending\""));
    let (_, html) = get(&s, &c, &admin, "/ui/customers?status=suspended").await;
    assert!(!html.contains("bob@example.com"));
    let (status, html) = get(&s, &c, &admin, "/ui/customers?sort=nonsense").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("sort"), "the error names the field");
    let (_, html) = get(&s, &c, &admin, "/ui/subscriptions?sync=synced").await;
    assert!(html.contains("bob.example") && html.contains("eve.example"));
    let (_, html) = get(&s, &c, &admin, "/ui/subscriptions?sync=unsynced").await;
    assert!(!html.contains("bob.example"));
}

async fn every_admin_screen_renders_what_the_use_cases_return(s: Server) {
    world(&s).await;
    let c = client();
    let admin = session(&s, &c, "admin", ADMIN_PASSWORD).await;
    for (path, expected) in [
        ("/ui", "/ui/tools"),
        ("/ui/resellers", "res1@example.com"),
        ("/ui/plans", "Gold"),
        ("/ui/domains", "bob.example"),
        ("/ui/tools", "button_label_length"),
        ("/ui/tools/ips", "192.0.2.10"),
        ("/ui/tools/audit", "<table>"),
        ("/ui/customers/new", "name=\"domain\""),
        ("/ui/subscriptions/bob.example", "c-disk_space"),
    ] {
        let (status, html) = get(&s, &c, &admin, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(html.contains(expected), "{path} lacks {expected}");
    }
    let (status, _) = get(&s, &c, &admin, "/ui/subscriptions/nothing.example").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let r = c
        .get(format!("{}/assets/htmx.min.js", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("htmx"));
}

async fn r1_4_an_account_changes_its_own_password_and_language_in_its_profile(s: Server) {
    world(&s).await;
    let c = client();
    let bob = session(&s, &c, "bob", PASSWORD).await;
    let (status, html) = get(&s, &c, &bob, "/ui/profile").await;
    assert_eq!(status, StatusCode::OK);
    let csrf = hidden(&html, "csrf");
    let post = |fields: Vec<(&'static str, &'static str)>| {
        let mut form = vec![("csrf", csrf.clone())];
        form.extend(fields.into_iter().map(|(k, v)| (k, v.to_owned())));
        c.post(format!("{}/ui/profile", s.base))
            .header(COOKIE, format!("berth_session={bob}"))
            .form(&form)
            .send()
    };
    let mismatch = post(vec![
        ("password", "New-pass-4242"),
        ("password_again", "Other-pass-1"),
    ])
    .await
    .unwrap();
    assert_eq!(mismatch.status(), StatusCode::BAD_REQUEST);
    let html = mismatch.text().await.unwrap();
    assert!(html.contains("the two passwords differ"), "{html}");
    let saved = post(vec![
        ("name", "Bob Contact"),
        ("email", "bob@example.com"),
        ("locale", "fr-FR"),
        ("password", "New-pass-4242"),
        ("password_again", "New-pass-4242"),
    ])
    .await
    .unwrap();
    assert_eq!(saved.status(), StatusCode::OK);
    assert!(
        saved.text().await.unwrap().contains("Enregistré."),
        "the panel turns French"
    );
    assert_eq!(
        post_login(&s, &c, "bob", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        post_login(&s, &c, "bob", "New-pass-4242").await.status(),
        StatusCode::SEE_OTHER
    );
}

async fn plans_are_created_from_the_descriptor_generated_form(s: Server) {
    world(&s).await;
    let c = client();
    let admin = session(&s, &c, "admin", ADMIN_PASSWORD).await;
    let (status, html) = get(&s, &c, &admin, "/ui/plans/new?type=service").await;
    assert_eq!(status, StatusCode::OK);
    for d in berth_core::property::PROPERTIES
        .iter()
        .filter(|d| d.types.includes(berth_core::property::PlanType::Service))
    {
        assert!(
            html.contains(&format!("name=\"{}\"", d.name)),
            "{} has a field",
            d.name
        );
    }
    let csrf = hidden(&html, "csrf");
    let post = |fields: Vec<(&'static str, &'static str)>| {
        let mut form = vec![("csrf", csrf.clone())];
        form.extend(fields.into_iter().map(|(k, v)| (k, v.to_owned())));
        c.post(format!("{}/ui/plans/new", s.base))
            .header(COOKIE, format!("berth_session={admin}"))
            .form(&form)
            .send()
    };
    let bad = post(vec![
        ("name", "Silver"),
        ("type", "service"),
        ("max_site", "lots"),
    ])
    .await
    .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(
        bad.text().await.unwrap().contains("max_site"),
        "the error names the property"
    );
    let ok = post(vec![
        ("name", "Silver"),
        ("type", "service"),
        ("max_site", "3"),
    ])
    .await
    .unwrap();
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let actor = s.app.actor(None).await.unwrap();
    let plan = s.app.plan_info(&actor, "Silver", None, None).await.unwrap();
    assert_eq!(plan.properties["limits"]["max_site"], 3);
}

async fn r4_4_a_reseller_sees_its_resources_and_permissions_overview(s: Server) {
    world(&s).await;
    let c = client();
    let res1 = session(&s, &c, "res1", PASSWORD).await;
    let (status, html) = get(&s, &c, &res1, "/ui/overview").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Remaining") && html.contains("Disk space"),
        "{html}"
    );
    let (_, home) = get(&s, &c, &res1, "/ui").await;
    assert!(home.contains("/ui/overview") && !home.contains("/ui/resellers"));
    assert_eq!(
        get(&s, &c, &res1, "/ui/resellers").await.0,
        StatusCode::FORBIDDEN
    );
}

/// A `multipart/form-data` body and its content type.
fn multipart(fields: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "berth-test-boundary-7d1f";
    let mut body = Vec::new();
    for (name, filename, data) in fields {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let disposition = match filename {
            Some(f) => format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            ),
            None => format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"),
        };
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn r8_2_branding_checks_the_logo_by_content_and_brands_every_page(s: Server) {
    let c = client();
    let admin = session(&s, &c, "admin", ADMIN_PASSWORD).await;
    let (_, html) = get(&s, &c, &admin, "/ui/tools/branding").await;
    let csrf = hidden(&html, "csrf");
    let send = |fields: Vec<(&'static str, Option<&'static str>, Vec<u8>)>| {
        let parts: Vec<(&str, Option<&str>, &[u8])> = fields
            .iter()
            .map(|(n, f, d)| (*n, *f, d.as_slice()))
            .collect();
        let (kind, body) = multipart(&parts);
        c.post(format!("{}/ui/tools/branding", s.base))
            .header(COOKIE, format!("berth_session={admin}"))
            .header(reqwest::header::CONTENT_TYPE, kind)
            .body(body)
            .send()
    };
    let fake = send(vec![
        ("csrf", None, csrf.clone().into_bytes()),
        ("logo", Some("logo.png"), b"<svg/>".to_vec()),
    ])
    .await
    .unwrap();
    assert_eq!(fake.status(), StatusCode::BAD_REQUEST);
    assert!(
        fake.text()
            .await
            .unwrap()
            .contains("checked by its content")
    );
    let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
    big.resize(100 * 1024 + 1, 0);
    let too_big = send(vec![
        ("csrf", None, csrf.clone().into_bytes()),
        ("logo", Some("big.png"), big),
    ])
    .await
    .unwrap();
    assert_eq!(too_big.status(), StatusCode::BAD_REQUEST);
    let forged = send(vec![
        ("csrf", None, b"forged".to_vec()),
        ("title", None, b"Evil".to_vec()),
    ])
    .await
    .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let png = b"\x89PNG\r\n\x1a\nnot-really-pixels".to_vec();
    let saved = send(vec![
        ("csrf", None, csrf.clone().into_bytes()),
        ("title", None, b"Acme Panel".to_vec()),
        ("logo_url", None, b"https://acme.example/".to_vec()),
        ("logo", Some("acme.png"), png.clone()),
    ])
    .await
    .unwrap();
    assert_eq!(saved.status(), StatusCode::OK);
    let logo = c.get(format!("{}/ui/logo", s.base)).send().await.unwrap();
    assert_eq!(logo.headers()[reqwest::header::CONTENT_TYPE], "image/png");
    assert_eq!(logo.bytes().await.unwrap().as_ref(), png.as_slice());
    let login = c
        .get(format!("{}/login", s.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(login.contains("– Acme Panel</title>") && login.contains("https://acme.example/"));
    let reset = send(vec![
        ("csrf", None, csrf.into_bytes()),
        ("reset", None, b"1".to_vec()),
    ])
    .await
    .unwrap();
    assert_eq!(reset.status(), StatusCode::OK);
    let logo = c.get(format!("{}/ui/logo", s.base)).send().await.unwrap();
    assert_eq!(logo.status(), StatusCode::NOT_FOUND);
}

async fn r8_1_custom_buttons_show_where_and_to_whom_they_should(s: Server) {
    world(&s).await;
    let c = client();
    let post = |token: String, fields: Vec<(&'static str, &'static str)>| {
        let c = c.clone();
        let base = s.base.clone();
        async move {
            let (_, html) = get_with(&c, &base, &token, "/ui").await;
            let mut form = vec![("csrf", hidden(&html, "csrf"))];
            form.extend(fields.into_iter().map(|(k, v)| (k, v.to_owned())));
            c.post(format!("{base}/ui/buttons"))
                .header(COOKIE, format!("berth_session={token}"))
                .form(&form)
                .send()
                .await
                .unwrap()
        }
    };
    let admin = session(&s, &c, "admin", ADMIN_PASSWORD).await;
    let bad = post(
        admin.clone(),
        vec![
            ("text", "X"),
            ("location", "home"),
            ("url", "javascript:alert(1)"),
        ],
    )
    .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let ok = post(
        admin.clone(),
        vec![
            ("text", "Statistics dashboard for everyone"),
            ("location", "customer_home"),
            ("url", "https://stats.example/"),
            ("context", "name"),
            ("context", "customer_id"),
        ],
    )
    .await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let res1 = session(&s, &c, "res1", PASSWORD).await;
    let mine = post(
        res1.clone(),
        vec![
            ("text", "Private"),
            ("location", "all"),
            ("url", "/ui/plans"),
            ("only_creator", "1"),
        ],
    )
    .await;
    assert_eq!(mine.status(), StatusCode::SEE_OTHER);
    let bob = session(&s, &c, "bob", PASSWORD).await;
    let (_, home) = get(&s, &c, &bob, "/ui").await;
    assert!(
        home.contains("Statistics dashboard fo…"),
        "cut to 24 characters"
    );
    assert!(
        home.contains("https://stats.example/?name=bob%20Contact&#38;customer_id="),
        "{home}"
    );
    assert!(!home.contains("Private"));
    let (_, reseller_home) = get(&s, &c, &res1, "/ui").await;
    assert!(reseller_home.contains("Private") && !reseller_home.contains("Statistics"));
    let refused = post(
        bob.clone(),
        vec![("text", "Mine"), ("location", "all"), ("url", "/")],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

async fn r8_4_customers_see_only_the_features_their_plan_grants(s: Server) {
    world(&s).await;
    let admin = s.app.actor(None).await.unwrap();
    let denied = [
        (
            berth_core::property::Group::Permissions,
            "manage_subdomains=false".to_owned(),
        ),
        (
            berth_core::property::Group::Permissions,
            "manage_dns=false".to_owned(),
        ),
        (
            berth_core::property::Group::Limits,
            "max_dom_aliases=0".to_owned(),
        ),
    ];
    s.app
        .create_plan(
            &admin,
            "Lean",
            berth_core::property::PlanType::Service,
            None,
            &denied,
            Mode::Apply,
        )
        .await
        .unwrap();
    let done = s
        .app
        .change_plan(
            &admin,
            &["eve.example".into()],
            Some("Lean"),
            Mode::Apply,
            &berth_app::NoProgress,
        )
        .await;
    assert!(done[0].ok, "{:?}", done[0].error);
    let c = client();
    let bob = session(&s, &c, "bob", PASSWORD).await;
    let (_, html) = get(&s, &c, &bob, "/ui/domains").await;
    assert!(html.contains("add-subdomain") && html.contains("add-alias"));
    assert!(html.contains("/ui/dns?domain=bob.example"));
    let (status, zone) = get(&s, &c, &bob, "/ui/dns?domain=bob.example").await;
    assert_eq!(status, StatusCode::OK);
    assert!(zone.contains("SOA") || zone.contains("NS"), "{zone}");
    let csrf = hidden(&zone, "csrf");
    let record = |path: &'static str, host: &'static str| {
        c.post(format!("{}{path}", s.base))
            .header(COOKIE, format!("berth_session={bob}"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("domain", "bob.example"),
                ("type", "TXT"),
                ("host", host),
                ("value", "hello-from-the-panel"),
            ])
            .send()
    };
    let added = record("/ui/dns/add", "info").await.unwrap();
    assert_eq!(added.status(), StatusCode::OK);
    let html = added.text().await.unwrap();
    assert!(html.contains("hello-from-the-panel"), "{html}");
    assert!(
        html.contains("name=\"host\" value=\"info\""),
        "the remove form names the host"
    );
    let removed = record("/ui/dns/remove", "info").await.unwrap();
    assert_eq!(removed.status(), StatusCode::OK);
    assert!(
        !removed
            .text()
            .await
            .unwrap()
            .contains("hello-from-the-panel")
    );
    let eve = session(&s, &c, "eve", PASSWORD).await;
    let (status, zone) = get(&s, &c, &eve, "/ui/dns?domain=eve.example").await;
    assert_eq!(status, StatusCode::OK, "the zone can be read");
    let refused = c
        .post(format!("{}/ui/dns/add", s.base))
        .header(COOKIE, format!("berth_session={eve}"))
        .form(&[
            ("csrf", hidden(&zone, "csrf").as_str()),
            ("domain", "eve.example"),
            ("type", "TXT"),
            ("host", "x"),
            ("value", "nope"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.status(),
        StatusCode::FORBIDDEN,
        "manage_dns is not granted"
    );
    let (_, html) = get(&s, &c, &eve, "/ui/domains").await;
    assert!(html.contains("eve.example"));
    assert!(
        !html.contains("add-subdomain") && !html.contains("add-alias") && html.contains("add-site")
    );
    assert!(!html.contains("/ui/dns?domain="));
    let admin_token = session(&s, &c, "admin", ADMIN_PASSWORD).await;
    let (_, html) = get(&s, &c, &admin_token, "/ui/domains").await;
    assert!(
        html.contains("add-subdomain"),
        "providers always see the features"
    );
}

async fn resellers_and_subscriptions_are_added_through_their_forms(s: Server) {
    world(&s).await;
    let c = client();
    let admin = session(&s, &c, "admin", ADMIN_PASSWORD).await;
    let (_, html) = get(&s, &c, &admin, "/ui/resellers/new").await;
    let csrf = hidden(&html, "csrf");
    let post = |path: &'static str, fields: Vec<(&'static str, &'static str)>| {
        let mut form = vec![("csrf", csrf.clone())];
        form.extend(fields.into_iter().map(|(k, v)| (k, v.to_owned())));
        c.post(format!("{}{path}", s.base))
            .header(COOKIE, format!("berth_session={admin}"))
            .form(&form)
            .send()
    };
    let taken = post(
        "/ui/resellers/new",
        vec![
            ("login", "bob"),
            ("password", PASSWORD),
            ("name", "B"),
            ("email", "b2@example.com"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(taken.status(), StatusCode::CONFLICT);
    assert!(taken.text().await.unwrap().contains("already taken"));
    let made = post(
        "/ui/resellers/new",
        vec![
            ("login", "res2"),
            ("password", PASSWORD),
            ("name", "Res Two"),
            ("email", "res2@example.com"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let actor = s.app.actor(None).await.unwrap();
    assert!(
        s.app
            .account_info(&actor, AccountKind::Reseller, "res2")
            .await
            .is_ok()
    );
    let sub = post(
        "/ui/subscriptions/new",
        vec![
            ("domain", "shop.example"),
            ("owner", "bob"),
            ("plan", "Basic"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(sub.status(), StatusCode::SEE_OTHER);
    assert_eq!(sub.headers()[LOCATION], "/ui/subscriptions/shop.example");
    let view = s
        .app
        .subscription_info(&actor, "shop.example")
        .await
        .unwrap();
    assert_eq!(
        (view.owner.as_str(), view.plan.as_deref()),
        ("bob", Some("Basic"))
    );
    let bad = post(
        "/ui/subscriptions/new",
        vec![("domain", "not a domain"), ("owner", "bob")],
    )
    .await
    .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(
        bad.text().await.unwrap().contains("aria-invalid=\"true\""),
        "the field is marked"
    );
}

async fn r3_6_add_ons_are_added_and_removed_on_the_subscription_page(s: Server) {
    world(&s).await;
    let c = client();
    let admin = session(&s, &c, "admin", ADMIN_PASSWORD).await;
    let (_, html) = get(&s, &c, &admin, "/ui/subscriptions/bob.example").await;
    assert!(html.contains("<option value=\"Extra\">"));
    let csrf = hidden(&html, "csrf");
    let send = |field: &'static str| {
        c.post(format!("{}/ui/subscriptions/bob.example/addons", s.base))
            .header(COOKIE, format!("berth_session={admin}"))
            .form(&[("csrf", csrf.as_str()), (field, "Extra")])
            .send()
    };
    assert_eq!(send("add").await.unwrap().status(), StatusCode::OK);
    let actor = s.app.actor(None).await.unwrap();
    let sub = s
        .app
        .subscription_info(&actor, "bob.example")
        .await
        .unwrap();
    assert_eq!(sub.addons, vec!["Extra".to_owned()]);
    assert_eq!(
        sub.properties.json("disk_space"),
        Some(serde_json::json!(2_i64 << 30)),
        "1G + 1G"
    );
    let again = send("add").await.unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(send("remove").await.unwrap().status(), StatusCode::OK);
    let sub = s
        .app
        .subscription_info(&actor, "bob.example")
        .await
        .unwrap();
    assert!(sub.addons.is_empty());
    let renew = |date: &'static str| {
        c.post(format!("{}/ui/subscriptions/bob.example/renew", s.base))
            .header(COOKIE, format!("berth_session={admin}"))
            .form(&[("csrf", csrf.as_str()), ("expiration", date)])
            .send()
    };
    let renewed = renew("2027-03-01").await.unwrap();
    assert_eq!(renewed.status(), StatusCode::OK);
    assert!(renewed.text().await.unwrap().contains("2027-03-01"));
    let sub = s
        .app
        .subscription_info(&actor, "bob.example")
        .await
        .unwrap();
    let expiration = sub.expiration.map(|d| d.to_string());
    assert_eq!(expiration.as_deref(), Some("2027-03-01"));
    assert_eq!(
        renew("01/03/2027").await.unwrap().status(),
        StatusCode::BAD_REQUEST
    );
}

async fn r1_4_an_owner_changes_its_customers_login_and_password(s: Server) {
    world(&s).await;
    let c = client();
    let admin = session(&s, &c, "admin", ADMIN_PASSWORD).await;
    let (_, list) = get(&s, &c, &admin, "/ui/customers").await;
    assert!(list.contains("/ui/customers/edit?kind=customer&#38;login=bob"));
    let (status, html) = get(&s, &c, &admin, "/ui/customers/edit?login=bob").await;
    assert_eq!(status, StatusCode::OK);
    let csrf = hidden(&html, "csrf");
    let answer = c
        .post(format!("{}/ui/customers/edit", s.base))
        .header(COOKIE, format!("berth_session={admin}"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("kind", "customer"),
            ("login", "bob"),
            ("new_login", "robert"),
            ("name", "Robert"),
            ("email", "bob@example.com"),
            ("password", "Robert-pass-77"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert!(answer.text().await.unwrap().contains("not sent to anyone"));
    assert_eq!(session(&s, &c, "robert", "Robert-pass-77").await.len(), 64);
    let eve = session(&s, &c, "eve", PASSWORD).await;
    let (status, _) = get(&s, &c, &eve, "/ui/customers/edit?login=robert").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another customer is not found"
    );
}

/// Fetches a session-less form page (`/login/forgot`, a reset link): its double-submit
/// cookie, its synchronizer token and its HTML.
async fn open_form(c: &reqwest::Client, url: &str) -> (StatusCode, String, String, String) {
    let page = c.get(url).send().await.unwrap();
    let status = page.status();
    let (cookie, _) = cookie_value(&page, "berth_login_csrf").unwrap();
    let html = page.text().await.unwrap();
    let csrf = hidden(&html, "csrf");
    (status, cookie, csrf, html)
}

async fn post_form(
    c: &reqwest::Client,
    url: &str,
    cookie: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let r = c
        .post(url)
        .header(COOKIE, format!("berth_login_csrf={cookie}"))
        .form(fields)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn r1_4_password_recovery_mails_a_single_use_link_over_http(s: Server) {
    world(&s).await;
    let (base, sink) = ui_support::recovery_server(&s).await;
    let c = client();
    // Offered only where recovery is set up.
    let plain = c.get(format!("{}/login", s.base)).send().await.unwrap();
    assert!(!plain.text().await.unwrap().contains("/login/forgot"));
    let login_page = c.get(format!("{base}/login")).send().await.unwrap();
    assert!(
        login_page
            .text()
            .await
            .unwrap()
            .contains("href=\"/login/forgot\"")
    );
    let old_session = {
        let page = c.get(format!("{base}/login")).send().await.unwrap();
        let (cookie, _) = cookie_value(&page, "berth_login_csrf").unwrap();
        let csrf = hidden(&page.text().await.unwrap(), "csrf");
        let answer = c
            .post(format!("{base}/login"))
            .header(COOKIE, format!("berth_login_csrf={cookie}"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("login", "bob"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        cookie_value(&answer, "berth_session").unwrap().0
    };

    let forgot = format!("{base}/login/forgot");
    let (status, cookie, csrf, html) = open_form(&c, &forgot).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<label for=\"email\">"));
    // Without the form's token nothing happens.
    let (status, _) = post_form(
        &c,
        &forgot,
        &cookie,
        &[("login", "bob"), ("email", "bob@example.com")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A wrong address and the right one get the very same answer.
    let (wrong_status, wrong) = post_form(
        &c,
        &forgot,
        &cookie,
        &[
            ("csrf", &csrf),
            ("login", "bob"),
            ("email", "eve@example.com"),
        ],
    )
    .await;
    let (right_status, right) = post_form(
        &c,
        &forgot,
        &cookie,
        &[
            ("csrf", &csrf),
            ("login", "bob"),
            ("email", "BOB@example.com"),
        ],
    )
    .await;
    assert_eq!(
        (wrong_status, right_status),
        (StatusCode::OK, StatusCode::OK)
    );
    assert_eq!(wrong, right);
    assert!(
        right.contains("a link to choose a new password has been sent"),
        "{right}"
    );
    let mails = sink.wait_for(1).await;
    assert_eq!(mails.len(), 1, "only the matching request sends mail");
    assert_eq!(mails[0].to, ["bob@example.com"]);
    let link = ui_support::reset_link(&mails[0].data);
    assert!(
        link.starts_with(&format!("{base}/login/reset?token=")),
        "{link}"
    );

    // The link opens the form for bob, sends no Referer, and is not cached.
    let page = c.get(&link).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    assert_eq!(page.headers()["cache-control"], "no-store");
    let (cookie, _) = cookie_value(&page, "berth_login_csrf").unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("id=\"reset-login\">bob<"), "{html}");
    let token = hidden(&html, "token");
    let csrf = hidden(&html, "csrf");
    let reset = format!("{base}/login/reset");
    let (status, html) = post_form(
        &c,
        &reset,
        &cookie,
        &[
            ("csrf", &csrf),
            ("token", &token),
            ("password", "brand-new-1"),
            ("password_again", "brand-new-2"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    let (status, html) = post_form(
        &c,
        &reset,
        &cookie,
        &[
            ("csrf", &csrf),
            ("token", &token),
            ("password", "short"),
            ("password_again", "short"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("at least 8 characters"), "{html}");
    let (status, html) = post_form(
        &c,
        &reset,
        &cookie,
        &[
            ("csrf", &csrf),
            ("token", &token),
            ("password", "brand-new-1"),
            ("password_again", "brand-new-1"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Your password was changed"), "{html}");

    // The other session ended; the new password works, the old one does not.
    let (status, _) = get(&s, &c, &old_session, "/ui").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        post_login(&s, &c, "bob", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        post_login(&s, &c, "bob", "brand-new-1").await.status(),
        StatusCode::SEE_OTHER
    );
    // Spent: the link and a second POST are refused.
    assert_eq!(
        c.get(&link).send().await.unwrap().status(),
        StatusCode::GONE
    );
    let (status, html) = post_form(
        &c,
        &reset,
        &cookie,
        &[
            ("csrf", &csrf),
            ("token", &token),
            ("password", "other-pass-9"),
            ("password_again", "other-pass-9"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::GONE);
    assert!(html.contains("already used or expired"));

    // Rate limit per login: five requests an hour (two made above).
    for n in 0..3 {
        let email = format!("guess{n}@example.net");
        let (status, _) = post_form(
            &c,
            &forgot,
            &cookie,
            &[("csrf", &csrf), ("login", "bob"), ("email", &email)],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, html) = post_form(
        &c,
        &forgot,
        &cookie,
        &[
            ("csrf", &csrf),
            ("login", "bob"),
            ("email", "bob@example.com"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(html.contains("Too many requests"));
    assert!(sink.wait_for(0).await.is_empty());
}

/// POSTs a panel form with the session cookie and its synchronizer token: status and body
/// (redirects are not followed).
async fn post_ui(
    s: &Server,
    c: &reqwest::Client,
    token: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let (_, html) = get(s, c, token, "/ui").await;
    let csrf = hidden(&html, "csrf");
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let r = c
        .post(format!("{}{path}", s.base))
        .header(COOKIE, format!("berth_session={token}"))
        .form(&form)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn api_keys_are_created_shown_once_restricted_and_revoked_in_the_panel(s: Server) {
    world(&s).await;
    let c = client();
    let bob = session(&s, &c, "bob", PASSWORD).await;
    let (status, html) = get(&s, &c, &bob, "/ui/keys").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("href=\"/ui/keys\""),
        "the navigation leads there"
    );
    let (status, html) = post_ui(&s, &c, &bob, "/ui/keys", &[("ips", "not-an-ip")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    let (status, html) = post_ui(
        &s,
        &c,
        &bob,
        "/ui/keys",
        &[("ips", "127.0.0.1, 2001:db8::7")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let key = hidden_value(&html, "new-key");
    assert!(key.len() > 40, "{key}");
    // The key works from its allowed address, and is never shown again.
    let (status, _) = s
        .get("/api/v1/subscriptions", &common::Auth::Bearer(key.clone()))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, html) = get(&s, &c, &bob, "/ui/keys").await;
    assert!(!html.contains(&key));
    assert!(html.contains("127.0.0.1, 2001:db8::7"), "{html}");
    let bob_actor = s.app.actor(Some("bob")).await.unwrap();
    let id = s.app.list_api_keys(&bob_actor).await.unwrap()[0]
        .id
        .to_string();
    // Another account cannot revoke it: not found.
    let eve = session(&s, &c, "eve", PASSWORD).await;
    let (status, _) = post_ui(&s, &c, &eve, "/ui/keys/revoke", &[("id", &id)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = post_ui(&s, &c, &bob, "/ui/keys/revoke", &[("id", &id)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = s
        .get("/api/v1/subscriptions", &common::Auth::Bearer(key))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// The `value` of the input with this id.
fn hidden_value(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\"");
    let start = html.find(&marker).expect("the input is on the page");
    let rest = &html[start..];
    let v = rest.find("value=\"").unwrap() + 7;
    rest[v..].split('"').next().unwrap().to_owned()
}

async fn r7_5_ip_addresses_and_reseller_pools_are_managed_in_the_panel(s: Server) {
    world(&s).await;
    let c = client();
    let admin = session(&s, &c, "admin", ADMIN_PASSWORD).await;
    let (status, html) = post_ui(
        &s,
        &c,
        &admin,
        "/ui/tools/ips",
        &[("ip", "192.0.2.300"), ("type", "shared")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("ip"), "{html}");
    let fields = [
        ("ip", "2001:DB8::7"),
        ("type", "dedicated"),
        ("interface", "eth1"),
    ];
    let (status, _) = post_ui(&s, &c, &admin, "/ui/tools/ips", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = get(&s, &c, &admin, "/ui/tools/ips").await;
    assert!(
        html.contains("2001:db8::7") && html.contains("eth1"),
        "{html}"
    );
    // Into res1's pool: res1 then sees it on its own page.
    let pool = [("reseller", "res1"), ("ip", "2001:db8::7"), ("op", "add")];
    let (status, html) = post_ui(&s, &c, &admin, "/ui/tools/ips/pool", &pool).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let res1 = session(&s, &c, "res1", PASSWORD).await;
    let (status, html) = get(&s, &c, &res1, "/ui/tools/ips").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("2001:db8::7") && !html.contains("/ui/tools/ips/remove"));
    let (status, _) = post_ui(&s, &c, &res1, "/ui/tools/ips", &fields).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The shared address in use cannot be removed; the new one can, once out of the pool.
    let (status, _) = post_ui(
        &s,
        &c,
        &admin,
        "/ui/tools/ips/remove",
        &[("ip", "192.0.2.10")],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let pool = [
        ("reseller", "res1"),
        ("ip", "2001:db8::7"),
        ("op", "remove"),
    ];
    let (status, _) = post_ui(&s, &c, &admin, "/ui/tools/ips/pool", &pool).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = post_ui(
        &s,
        &c,
        &admin,
        "/ui/tools/ips/remove",
        &[("ip", "2001:db8::7")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = get(&s, &c, &admin, "/ui/tools/ips").await;
    assert!(!html.contains("2001:db8::7"));
}

async fn the_subscription_page_shows_its_provisioning_state(s: Server) {
    world(&s).await;
    let c = client();
    let bob = session(&s, &c, "bob", PASSWORD).await;
    let (status, html) = get(&s, &c, &bob, "/ui/subscriptions/bob.example").await;
    assert_eq!(status, StatusCode::OK);
    // No worker runs in this test: the job queued at creation waits.
    assert!(html.contains("id=\"job-state\">Pending<"), "{html}");
}

async fn r7_4_the_admin_edits_previews_and_applies_the_dns_template(s: Server) {
    world(&s).await;
    let c = client();
    let admin = session(&s, &c, "admin", ADMIN_PASSWORD).await;
    let (status, html) = get(&s, &c, &admin, "/ui/tools/dns-template").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("&#60;domain&#62;. NS"), "{html}");
    assert!(html.contains("<label for=\"template\">"));
    let admin_actor = s.app.actor(None).await.unwrap();
    let stored = s.app.dns_template(&admin_actor).await.unwrap().text;
    let (status, html) = post_ui(
        &s,
        &c,
        &admin,
        "/ui/tools/dns-template",
        &[("template", "nonsense here")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("nonsense here"), "what was typed stays");
    assert_eq!(s.app.dns_template(&admin_actor).await.unwrap().text, stored);
    let text = format!("{stored}\nberth-ui.<domain>. TXT \"from the panel\"\n");
    let (status, html) = post_ui(
        &s,
        &c,
        &admin,
        "/ui/tools/dns-template",
        &[("template", &text)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Template saved"));
    assert!(
        s.app
            .dns_template(&admin_actor)
            .await
            .unwrap()
            .text
            .contains("from the panel")
    );
    // Preview: a dry run that names what would change; then apply.
    let zone = |s: &Server| {
        let app = s.app.clone();
        let actor = admin_actor.clone();
        async move { app.dns_zone(&actor, "bob.example").await.unwrap() }
    };
    let before = format!("{:?}", zone(&s).await);
    let (status, html) = post_ui(
        &s,
        &c,
        &admin,
        "/ui/tools/dns-template/apply",
        &[("op", "preview")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("nothing was changed yet") && html.contains("id=\"apply-template\""),
        "{html}"
    );
    assert_eq!(format!("{:?}", zone(&s).await), before);
    let (status, html) = post_ui(
        &s,
        &c,
        &admin,
        "/ui/tools/dns-template/apply",
        &[("op", "apply")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<dd id=\"zones-changed\">2</dd>"), "{html}");
    assert!(format!("{:?}", zone(&s).await).contains("from the panel"));
    // Admin only.
    let res1 = session(&s, &c, "res1", PASSWORD).await;
    let (status, _) = get(&s, &c, &res1, "/ui/tools/dns-template").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn r3_8_hosting_settings_are_changed_on_the_subscription_page(s: Server) {
    world(&s).await;
    let c = client();
    let admin = session(&s, &c, "admin", ADMIN_PASSWORD).await;
    let (_, html) = get(&s, &c, &admin, "/ui/subscriptions/bob.example").await;
    assert!(
        html.contains("id=\"h-ips\" name=\"ips\" value=\"192.0.2.10\""),
        "{html}"
    );
    let path = "/ui/subscriptions/bob.example/hosting";
    let (status, _) = post_ui(&s, &c, &admin, path, &[("ips", "192.0.2.99")]).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "an address that is not registered"
    );
    let fields = [
        ("ips", "192.0.2.10"),
        ("system_user", "bobweb"),
        ("system_password", ""),
    ];
    let (status, html) = post_ui(&s, &c, &admin, path, &fields).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let actor = s.app.actor(None).await.unwrap();
    let sub = s
        .app
        .subscription_info(&actor, "bob.example")
        .await
        .unwrap();
    assert_eq!(sub.system_user, "bobweb");
    assert_eq!(sub.ips, ["192.0.2.10"]);
    // Nothing changed at all is refused with the use case's message.
    let (status, _) = post_ui(
        &s,
        &c,
        &admin,
        path,
        &[("ips", "192.0.2.10"), ("system_user", "bobweb")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn r8_3_the_admin_checks_installs_and_resets_the_vhost_template(s: Server) {
    world(&s).await;
    let (base, _dir) = ui_support::template_server(&s).await;
    let c = client();
    let admin = session(&s, &c, "admin", ADMIN_PASSWORD).await;
    let page = |path: &str| {
        c.get(format!("{base}{path}"))
            .header(COOKIE, format!("berth_session={admin}"))
    };
    let html = page("/ui/tools/vhost-template")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("id=\"vht-source\">Built-in skeleton<"),
        "{html}"
    );
    assert!(html.contains("<label for=\"archive\">"));
    let csrf = hidden(&html, "csrf");
    let archive = ui_support::tar_gz(&[("httpdocs/index.html", b"<h1>From the panel</h1>")]);
    let upload = |op: &'static str, token: String, data: Vec<u8>| {
        let (kind, body) = multipart(&[
            ("csrf", None, token.as_bytes()),
            ("op", None, op.as_bytes()),
            ("archive", Some("site.tgz"), &data),
        ]);
        c.post(format!("{base}/ui/tools/vhost-template"))
            .header(COOKIE, format!("berth_session={admin}"))
            .header(reqwest::header::CONTENT_TYPE, kind)
            .body(body)
    };
    // Without the session's token nothing is written.
    let r = upload("apply", "forged".into(), archive.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = upload("preview", csrf.clone(), archive.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("nothing was written yet"));
    let html = page("/ui/tools/vhost-template")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Built-in skeleton"),
        "the check wrote nothing"
    );
    let r = upload("apply", csrf.clone(), b"not an archive".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = upload("apply", csrf.clone(), archive).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = page("/ui/tools/vhost-template")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Uploaded archive") && html.contains("httpdocs/index.html"),
        "{html}"
    );
    let r = c
        .post(format!("{base}/ui/tools/vhost-template/reset"))
        .header(COOKIE, format!("berth_session={admin}"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("Built-in skeleton"));
    // Admin only; and a server without a template directory says so.
    let res1 = session(&s, &c, "res1", PASSWORD).await;
    let r = c
        .get(format!("{base}/ui/tools/vhost-template"))
        .header(COOKIE, format!("berth_session={res1}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (status, html) = get(&s, &c, &admin, "/ui/tools/vhost-template").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(html.contains("no virtual host template directory"));
}

/// Every visible `input`, `select` and `textarea` of `html` has a label: a
/// `<label for=…>` naming its id, a `<label>` around it, or an `aria-label`.
fn assert_every_input_is_labelled(path: &str, html: &str) {
    let mut checked = 0;
    for tag in ["<input", "<select", "<textarea"] {
        for (at, _) in html.match_indices(tag) {
            let element = &html[at..at + html[at..].find('>').unwrap()];
            if element.contains("type=\"hidden\"") || element.contains("type=\"submit\"") {
                continue;
            }
            checked += 1;
            let before = &html[..at];
            let wrapped = before.rfind("<label").unwrap_or(0)
                > before.rfind("</label>").unwrap_or(0)
                && before.rfind("<label").is_some();
            let by_id = element
                .split("id=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .is_some_and(|id| html.contains(&format!("for=\"{id}\"")));
            assert!(
                wrapped || by_id || element.contains("aria-label="),
                "{path}: {element} has no label"
            );
        }
    }
    assert!(checked > 0, "{path} has inputs to check");
}

async fn the_new_pages_label_every_input(s: Server) {
    world(&s).await;
    let (rbase, _sink) = ui_support::recovery_server(&s).await;
    let (tbase, _dir) = ui_support::template_server(&s).await;
    let c = client();
    let forgot = c.get(format!("{rbase}/login/forgot")).send().await.unwrap();
    assert_every_input_is_labelled("/login/forgot", &forgot.text().await.unwrap());
    let admin = session(&s, &c, "admin", ADMIN_PASSWORD).await;
    for path in [
        "/ui/keys",
        "/ui/tools/ips",
        "/ui/tools/dns-template",
        "/ui/subscriptions/bob.example",
        "/ui/profile",
    ] {
        let (status, html) = get(&s, &c, &admin, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_every_input_is_labelled(path, &html);
    }
    let html = c
        .get(format!("{tbase}/ui/tools/vhost-template"))
        .header(COOKIE, format!("berth_session={admin}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_every_input_is_labelled("/ui/tools/vhost-template", &html);
}

async fn the_admin_sees_scheduled_tasks_and_notifications(s: Server) {
    world(&s).await;
    let c = client();
    let admin = session(&s, &c, "admin", ADMIN_PASSWORD).await;
    let (status, html) = get(&s, &c, &admin, "/ui/tools/tasks").await;
    assert_eq!(status, StatusCode::OK);
    let actor = s.app.actor(None).await.unwrap();
    let tasks = s.app.list_tasks(&actor).await.unwrap();
    assert!(!tasks.is_empty());
    for t in &tasks {
        assert!(
            html.contains(&format!("<td>{}</td><td>{}</td>", t.name, t.schedule)),
            "{html}"
        );
    }
    assert!(html.contains("id=\"notifications\""));
    let (_, tools) = get(&s, &c, &admin, "/ui/tools").await;
    assert!(tools.contains("href=\"/ui/tools/tasks\""));
    let res1 = session(&s, &c, "res1", PASSWORD).await;
    let (status, _) = get(&s, &c, &res1, "/ui/tools/tasks").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn r4_the_admin_sets_a_resellers_limits_and_permissions(s: Server) {
    world(&s).await;
    let c = client();
    let admin = session(&s, &c, "admin", ADMIN_PASSWORD).await;
    let (_, html) = get(
        &s,
        &c,
        &admin,
        "/ui/resellers/edit?kind=reseller&login=res1",
    )
    .await;
    assert!(html.contains("/ui/resellers/terms?login=res1"), "{html}");
    let (status, html) = get(&s, &c, &admin, "/ui/resellers/terms?login=res1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("name=\"max_cl\"") && html.contains("name=\"create_clients\""),
        "{html}"
    );
    assert_every_input_is_labelled("/ui/resellers/terms", &html);
    let path = "/ui/resellers/terms";
    let (status, _) = post_ui(
        &s,
        &c,
        &admin,
        path,
        &[("login", "res1"), ("max_cl", "lots")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, html) = post_ui(&s, &c, &admin, path, &[("login", "res1"), ("max_cl", "5")]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Saved."));
    let actor = s.app.actor(None).await.unwrap();
    let view = s
        .app
        .account_info(&actor, AccountKind::Reseller, "res1")
        .await
        .unwrap();
    assert_eq!(view.reseller.unwrap().limits["max_cl"], 5);
    let res1 = session(&s, &c, "res1", PASSWORD).await;
    let (status, _) = post_ui(&s, &c, &res1, path, &[("login", "res1"), ("max_cl", "50")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = get(&s, &c, &admin, "/ui/resellers/terms?login=bob").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn get_with(
    c: &reqwest::Client,
    base: &str,
    token: &str,
    path: &str,
) -> (StatusCode, String) {
    let r = c
        .get(format!("{base}{path}"))
        .header(COOKIE, format!("berth_session={token}"))
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

/// Logs in as each role, creates a customer with a first subscription, changes its plan
/// with a bulk action (previewed, then confirmed), sees the conflict report, customizes
/// (Update & Lock) and unlocks, suspends and activates, checks that a customer cannot
/// reach another's page and that a French account gets the French panel; saves the
/// README's screenshots on the way.
async fn browser_walkthrough_of_the_three_panels(s: Server) {
    world(&s).await;
    let Some(b) = Browser::start().await else {
        return;
    };
    let base = s.base.clone();
    let admin = s.app.actor(None).await.unwrap();

    b.login(&base, "admin", ADMIN_PASSWORD).await;
    assert!(b.url().await.ends_with("/ui"));
    assert!(b.text("h1").await.contains("Home"));
    b.screenshot("admin-home").await;

    b.goto(&format!("{base}/ui/customers/new")).await;
    b.fill("#f-login", "carol").await;
    b.fill("#f-password", PASSWORD).await;
    b.fill("#f-name", "Carol Contact").await;
    b.fill("#f-email", "carol@example.com").await;
    b.fill("#f-domain", "carol.example").await;
    b.select("#f-plan", "Basic").await;
    b.screenshot("customer-new").await;
    b.click("#btn-create").await;
    b.wait_for("sub-status").await;
    assert!(b.text("h1").await.contains("carol.example"));

    b.goto(&format!("{base}/ui/subscriptions")).await;
    b.screenshot("subscriptions").await;
    b.fill("#q", "carol").await;
    let html = b.wait_gone("/ui/subscriptions/bob.example").await;
    assert!(
        html.contains("/ui/subscriptions/carol.example"),
        "htmx searched as one types"
    );
    assert!(
        b.url().await.contains("q=carol"),
        "the search is in the address"
    );
    b.click("input[name=\"names\"][value=\"carol.example\"]")
        .await;
    b.select("#action", "change_plan").await;
    b.select("#target", "plan:Gold").await;
    b.click("#bulk-preview").await;
    b.wait_for("nothing was changed yet").await;
    let sub = s
        .app
        .subscription_info(&admin, "carol.example")
        .await
        .unwrap();
    assert_eq!(
        sub.plan.as_deref(),
        Some("Basic"),
        "the preview is a dry run"
    );
    b.click("#confirm").await;
    b.wait_for("id=\"back\"").await;
    let sub = s
        .app
        .subscription_info(&admin, "carol.example")
        .await
        .unwrap();
    assert_eq!(sub.plan.as_deref(), Some("Gold"));
    assert_eq!(sub.sync_state, "unsynced");

    b.goto(&format!("{base}/ui/subscriptions/carol.example"))
        .await;
    let report = b.text("#conflicts").await;
    assert!(report.contains("Plan value") && report.contains("Available value"));
    assert!(report.contains("Hard disk quota"), "{report}");
    b.screenshot("subscription-conflicts").await;

    b.fill("#c-disk_space", "5G").await;
    b.click("#update-lock").await;
    b.wait_for("id=\"changes\"").await;
    assert!(b.text("#changes").await.contains("5"));
    let sub = s
        .app
        .subscription_info(&admin, "carol.example")
        .await
        .unwrap();
    assert!(
        sub.customized.contains(&"disk_space"),
        "{:?}",
        sub.customized
    );
    b.click("#unlock").await;
    b.wait_for("<dd id=\"customized\"></dd>").await;
    let sub = s
        .app
        .subscription_info(&admin, "carol.example")
        .await
        .unwrap();
    assert!(sub.customized.is_empty());

    for (action, status) in [("suspend", "suspended"), ("activate", "active")] {
        b.goto(&format!("{base}/ui/subscriptions?q=carol")).await;
        b.click("input[name=\"names\"][value=\"carol.example\"]")
            .await;
        b.select("#action", action).await;
        b.click("#bulk-preview").await;
        b.click("#confirm").await;
        b.wait_for("id=\"back\"").await;
        let sub = s
            .app
            .subscription_info(&admin, "carol.example")
            .await
            .unwrap();
        assert_eq!(sub.status, status);
    }

    b.goto(&format!("{base}/ui/plans")).await;
    b.click("a[href^=\"/ui/plans/edit?name=Basic\"]").await;
    b.fill("#f-disk_space", "2G").await;
    b.click("#btn-preview").await;
    let report = b.wait_for("id=\"report\"").await;
    assert!(
        report.contains("bob.example") && report.contains("eve.example"),
        "the impact per subscription"
    );
    b.screenshot("plan-preview").await;
    let plan = s.app.plan_info(&admin, "Basic", None, None).await.unwrap();
    assert_eq!(
        plan.properties["limits"]["disk_space"],
        1 << 30,
        "the preview is a dry run"
    );
    assert!(
        b.source().await.contains("value=\"2G\""),
        "the preview keeps what was typed"
    );
    b.click("#btn-apply").await;
    b.wait_for("Saved.").await;
    let plan = s.app.plan_info(&admin, "Basic", None, None).await.unwrap();
    assert_eq!(plan.properties["limits"]["disk_space"], 2_i64 << 30);

    b.goto(&format!("{base}/ui/domains")).await;
    b.fill("#subdomain-name", "blog").await;
    b.select("#subdomain-parent", "bob.example").await;
    b.click("#add-subdomain").await;
    b.wait_for("blog.bob.example").await;
    b.screenshot("domains").await;

    b.resize(390, 844).await;
    b.goto(&format!("{base}/ui/customers")).await;
    b.screenshot("customers-phone").await;
    b.resize(1280, 900).await;
    b.logout().await;
    assert!(b.url().await.ends_with("/login"));

    b.login(&base, "res1", PASSWORD).await;
    let nav = b.text("nav").await;
    assert!(
        nav.contains("Customers") && !nav.contains("Resellers"),
        "{nav}"
    );
    b.screenshot("reseller-home").await;
    b.logout().await;

    b.login(&base, "bob", PASSWORD).await;
    b.goto(&format!("{base}/ui/subscriptions/eve.example"))
        .await;
    assert!(b.text("h1").await.contains("Not found"));
    b.goto(&format!("{base}/ui/subscriptions/bob.example"))
        .await;
    assert!(b.text("h1").await.contains("bob.example"));
    b.screenshot("customer-subscription").await;
    b.logout().await;

    b.login(&base, "eve", PASSWORD).await;
    assert!(b.text("nav").await.contains("Abonnements"));
    b.goto(&format!("{base}/ui/subscriptions")).await;
    b.screenshot("customer-fr").await;
    b.logout().await;

    // Password recovery: login + email, the link from the mail, a new password.
    let (rbase, sink) = ui_support::recovery_server(&s).await;
    b.goto(&format!("{rbase}/login")).await;
    b.click("#forgot").await;
    b.wait_for("id=\"forgot-submit\"").await;
    b.fill("#login", "bob").await;
    b.fill("#email", "bob@example.com").await;
    b.screenshot("forgot-password").await;
    b.click("#forgot-submit").await;
    b.wait_for("has been sent").await;
    let mails = sink.wait_for(1).await;
    assert_eq!(mails.len(), 1);
    let link = ui_support::reset_link(&mails[0].data);
    b.goto(&link).await;
    b.wait_for("id=\"reset-login\"").await;
    b.fill("#password", "brand-new-1").await;
    b.fill("#password_again", "brand-new-1").await;
    b.screenshot("reset-password").await;
    b.click("#reset-submit").await;
    b.wait_for("Your password was changed").await;
    b.goto(&link).await;
    b.wait_for("already used or expired").await;
    b.login(&rbase, "bob", "brand-new-1").await;
    assert!(b.url().await.ends_with("/ui"));

    // API keys: created, shown once.
    b.goto(&format!("{rbase}/ui/keys")).await;
    b.fill("#key-ips", "127.0.0.1").await;
    b.click("#create-key").await;
    b.wait_for("id=\"new-key\"").await;
    b.screenshot("api-keys").await;
    b.logout().await;

    // IP addresses and pools (admin).
    b.login(&rbase, "admin", ADMIN_PASSWORD).await;
    b.goto(&format!("{rbase}/ui/tools/ips")).await;
    b.fill("#ip-address", "192.0.2.20").await;
    b.select("#ip-type", "dedicated").await;
    b.click("#add-ip").await;
    b.wait_for("192.0.2.20").await;
    b.select("#pool-reseller", "res1").await;
    b.select("#pool-ip", "192.0.2.20").await;
    b.click("#change-pool").await;
    b.wait_for("Added to the pool").await;
    b.screenshot("ip-addresses").await;
}

on_both_backends!(
    login_sets_an_http_only_session_cookie_and_logout_ends_it,
    login_form_needs_its_double_submit_token,
    bulk_forms_without_the_session_token_change_nothing,
    suspended_accounts_cannot_log_in_and_lose_their_session,
    r1_3_a_customer_without_a_subscription_cannot_log_in,
    r8_2_one_session_per_login_when_several_are_not_allowed,
    r11_2_a_customer_gets_404_for_another_customers_pages,
    lists_search_filter_sort_and_page,
    every_admin_screen_renders_what_the_use_cases_return,
    plans_are_created_from_the_descriptor_generated_form,
    r4_4_a_reseller_sees_its_resources_and_permissions_overview,
    r8_2_branding_checks_the_logo_by_content_and_brands_every_page,
    r8_1_custom_buttons_show_where_and_to_whom_they_should,
    r8_4_customers_see_only_the_features_their_plan_grants,
    resellers_and_subscriptions_are_added_through_their_forms,
    r3_6_add_ons_are_added_and_removed_on_the_subscription_page,
    r1_4_an_owner_changes_its_customers_login_and_password,
    r1_4_an_account_changes_its_own_password_and_language_in_its_profile,
    r1_4_password_recovery_mails_a_single_use_link_over_http,
    api_keys_are_created_shown_once_restricted_and_revoked_in_the_panel,
    r7_5_ip_addresses_and_reseller_pools_are_managed_in_the_panel,
    the_subscription_page_shows_its_provisioning_state,
    r7_4_the_admin_edits_previews_and_applies_the_dns_template,
    r3_8_hosting_settings_are_changed_on_the_subscription_page,
    r8_3_the_admin_checks_installs_and_resets_the_vhost_template,
    the_new_pages_label_every_input,
    the_admin_sees_scheduled_tasks_and_notifications,
    r4_the_admin_sets_a_resellers_limits_and_permissions,
    browser_walkthrough_of_the_three_panels,
);
