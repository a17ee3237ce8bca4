//! IP addresses (R7.5) and resellers' IP pools (R4.5), as `berth ip add|list|remove` and
//! `berth reseller ip-pool add|remove`: the admin registers and removes addresses and
//! puts them in or takes them out of a reseller's pool; a reseller sees its pool.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use berth_app::accounts::ListRequest;
use berth_app::{Berth, Mode, NoProgress};
use berth_core::account::AccountKind;

use super::i18n::Tr;
use super::session::{UiForm, UiUser};
use super::{Chrome, chrome, error_page, render, see_other};

#[derive(Template)]
#[template(path = "ips.html")]
struct IpsPage {
    chrome: Chrome,
    tr: Tr,
    csrf: String,
    admin: bool,
    /// Address, type, interface, registration day.
    ips: Vec<(String, String, String, String)>,
    /// Reseller logins (for the pool form; one list query).
    resellers: Vec<String>,
}

async fn page(
    app: &Berth,
    user: &UiUser,
    flash: Option<String>,
    error: Option<&berth_core::Error>,
) -> Response {
    let tr = user.tr;
    let actor = &user.session.actor;
    let ips = match app.list_ips(actor).await {
        Ok(ips) => ips,
        Err(e) => return error_page(tr, Some(user), &e),
    };
    let admin = actor.is_admin();
    let resellers = if admin {
        let request = ListRequest {
            sort: Some("login".into()),
            limit: Some(1000),
            ..ListRequest::default()
        };
        match app
            .list_accounts(actor, AccountKind::Reseller, request)
            .await
        {
            Ok(page) => page.items.into_iter().map(|a| a.login).collect(),
            Err(e) => return error_page(tr, Some(user), &e),
        }
    } else {
        vec![]
    };
    let mut chrome = chrome(user, tr.t("tools.ips"), "/ui/tools");
    chrome.flash = flash;
    chrome.error = error.map(|e| e.message.clone());
    let page = IpsPage {
        chrome,
        tr,
        csrf: user.session.csrf.clone(),
        admin,
        ips: ips
            .into_iter()
            .map(|ip| {
                (
                    ip.address,
                    tr.t(&format!("ips.{}", ip.kind)).to_owned(),
                    ip.interface.unwrap_or_default(),
                    tr.day(ip.created),
                )
            })
            .collect(),
        resellers,
    };
    let status = error.map_or(StatusCode::OK, |e| super::status_of(e.code));
    render(status, &page)
}

/// `GET /ui/tools/ips`.
pub async fn list(State(app): State<Berth>, user: UiUser) -> Response {
    page(&app, &user, None, None).await
}

/// `POST /ui/tools/ips`: registers an address (admin).
pub async fn add(State(app): State<Berth>, form: UiForm) -> Response {
    let user = &form.user;
    let address = form.get("ip").unwrap_or_default();
    let kind = form.get("type").unwrap_or_default();
    let interface = form.get("interface");
    match app
        .add_ip(
            &user.session.actor,
            &address,
            &kind,
            interface.as_deref(),
            Mode::Apply,
        )
        .await
    {
        Ok(ip) => {
            super::audit(
                &app,
                &form,
                "POST /ui/tools/ips",
                &[format!("ip={}", ip.address)],
            )
            .await;
            see_other("/ui/tools/ips")
        }
        Err(e) => page(&app, user, None, Some(&e)).await,
    }
}

/// `POST /ui/tools/ips/remove`: removes an address (admin); refused while it is used.
pub async fn remove(State(app): State<Berth>, form: UiForm) -> Response {
    let user = &form.user;
    let address = form.get("ip").unwrap_or_default();
    let results = app
        .remove_ips(
            &user.session.actor,
            std::slice::from_ref(&address),
            Mode::Apply,
            &NoProgress,
        )
        .await;
    match results.into_iter().next().and_then(|r| r.error) {
        None => {
            super::audit(
                &app,
                &form,
                "POST /ui/tools/ips/remove",
                &[format!("ip={address}")],
            )
            .await;
            see_other("/ui/tools/ips")
        }
        Some(e) => page(&app, user, None, Some(&e)).await,
    }
}

/// `POST /ui/tools/ips/pool`: adds an address to a reseller's pool or takes it out.
pub async fn pool(State(app): State<Berth>, form: UiForm) -> Response {
    let user = &form.user;
    let reseller = form.get("reseller").unwrap_or_default();
    let address = form.get("ip").unwrap_or_default();
    let adding = form.get("op").as_deref() != Some("remove");
    let ips = std::slice::from_ref(&address);
    let actor = &user.session.actor;
    let results = if adding {
        app.pool_add(actor, &reseller, ips, Mode::Apply, &NoProgress)
            .await
    } else {
        app.pool_remove(actor, &reseller, ips, Mode::Apply, &NoProgress)
            .await
    };
    match results.into_iter().next().and_then(|r| r.error) {
        None => {
            let objects = [format!("reseller={reseller}"), format!("ip={address}")];
            super::audit(&app, &form, "POST /ui/tools/ips/pool", &objects).await;
            let key = if adding {
                "ips.pool_added"
            } else {
                "ips.pool_removed"
            };
            let flash = format!("{} {address} → {reseller}", user.tr.t(key));
            page(&app, user, Some(flash), None).await
        }
        Some(e) => page(&app, user, None, Some(&e)).await,
    }
}
