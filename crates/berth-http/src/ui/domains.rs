//! The websites of a panel: main and additional domains, aliases and subdomains the user
//! may see (three list calls whatever the number of rows), and the forms that add them.
//! Customers need the permissions the use cases check (`create_domains`,
//! `manage_domain_aliases`, `manage_subdomains`), and their messages are shown as they are.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use berth_app::domains::{DomainView, NewAlias, NewSite, NewSubdomain};
use berth_app::panel::{ButtonContext, ButtonView};
use berth_app::subscriptions::SubscriptionListRequest;
use berth_app::{Berth, Mode};
use berth_core::account::AccountKind;
use berth_core::value::Value;

use super::i18n::Tr;
use super::session::{UiForm, UiUser};
use super::{Chrome, chrome, error_page, render, see_other};

/// One "add" form.
#[derive(Debug, Clone)]
struct AddForm {
    kind: &'static str,
    title: String,
    name_label: String,
    parent_label: String,
    parents: Vec<String>,
}

#[derive(Template)]
#[template(path = "domains.html")]
struct DomainsPage {
    chrome: Chrome,
    tr: Tr,
    csrf: String,
    rows: Vec<(String, String, String, String, String, Option<String>)>,
    forms: Vec<AddForm>,
    buttons: Vec<ButtonView>,
}

async fn all(app: &Berth, user: &UiUser) -> berth_core::Result<Vec<DomainView>> {
    let actor = &user.session.actor;
    let mut out = app.list_sites(actor, None).await?;
    out.extend(app.list_aliases(actor, None).await?);
    out.extend(app.list_subdomains(actor, None).await?);
    Ok(out)
}

/// R8.4: a customer sees a feature only when one of its subscriptions has the resource
/// limit above 0 (or unlimited) and the permission granted; providers always see it.
async fn visible_features(app: &Berth, user: &UiUser) -> berth_core::Result<Vec<&'static str>> {
    const FEATURES: [(&str, &str, &str); 4] = [
        ("site", "max_site", "create_domains"),
        ("alias", "max_dom_aliases", "manage_domain_aliases"),
        ("subdomain", "max_subdom", "manage_subdomains"),
        ("dns", "", "manage_dns"),
    ];
    let actor = &user.session.actor;
    if actor.kind != AccountKind::Customer {
        return Ok(FEATURES.iter().map(|f| f.0).collect());
    }
    let request = SubscriptionListRequest {
        limit: Some(1000),
        ..SubscriptionListRequest::default()
    };
    let subscriptions = app.list_subscriptions(actor, request).await?.items;
    Ok(FEATURES
        .iter()
        .filter(|(_, limit, perm)| {
            subscriptions.iter().any(|s| {
                let granted = s.properties.get(perm) == Some(&Value::Bool(true));
                let room = limit.is_empty() || s.properties.get(limit) != Some(&Value::Limit(0));
                granted && room
            })
        })
        .map(|f| f.0)
        .collect())
}

async fn page(app: &Berth, user: &UiUser, error: Option<&berth_core::Error>) -> Response {
    let tr = user.tr;
    let (domains, features) = match (all(app, user).await, visible_features(app, user).await) {
        (Ok(d), Ok(f)) => (d, f),
        (Err(e), _) | (_, Err(e)) => return error_page(tr, Some(user), &e),
    };
    let dns = features.contains(&"dns");
    let rows = domains
        .iter()
        .map(|d| {
            (
                d.name.clone(),
                tr.t(&format!("domains.kind.{}", d.kind)).to_owned(),
                d.subscription.ascii_name.clone(),
                d.domain
                    .as_ref()
                    .map(|p| p.name.clone())
                    .unwrap_or_default(),
                d.document_root.clone().unwrap_or_default(),
                dns.then(|| format!("/ui/dns?domain={}", d.ascii_name)),
            )
        })
        .collect();
    let mut subscriptions: Vec<String> = domains
        .iter()
        .map(|d| d.subscription.ascii_name.clone())
        .collect();
    subscriptions.sort();
    subscriptions.dedup();
    let sites: Vec<String> = domains
        .iter()
        .filter(|d| d.kind == "main" || d.kind == "site")
        .map(|d| d.ascii_name.clone())
        .collect();
    let form = |kind: &'static str, parent: &str, parents: &Vec<String>| AddForm {
        kind,
        title: tr.t(&format!("domains.add.{kind}")).to_owned(),
        name_label: tr.t("col.domain").to_owned(),
        parent_label: tr.t(parent).to_owned(),
        parents: parents.clone(),
    };
    let context = ButtonContext {
        subscription: domains
            .iter()
            .find(|d| d.kind == "main")
            .map(|d| (d.id, d.ascii_name.clone())),
    };
    let buttons = match app
        .visible_buttons(&user.session.actor, "websites", &context)
        .await
    {
        Ok(b) => b,
        Err(e) => return error_page(tr, Some(user), &e),
    };
    let mut chrome = chrome(user, tr.t("nav.domains"), "/ui/domains");
    chrome.error = error.map(|e| e.message.clone());
    let page = DomainsPage {
        chrome,
        tr,
        csrf: user.session.csrf.clone(),
        rows,
        forms: [
            form("site", "sub.title", &subscriptions),
            form("alias", "domains.parent", &sites),
            form("subdomain", "domains.parent", &sites),
        ]
        .into_iter()
        .filter(|f| features.contains(&f.kind))
        .collect(),
        buttons,
    };
    let status = error.map_or(StatusCode::OK, |e| super::status_of(e.code));
    render(status, &page)
}

/// `GET /ui/domains`.
pub async fn list(State(app): State<Berth>, user: UiUser) -> Response {
    page(&app, &user, None).await
}

/// `POST /ui/domains`: adds a site, an alias or a subdomain.
pub async fn add(State(app): State<Berth>, form: UiForm) -> Response {
    let user = &form.user;
    let actor = &user.session.actor;
    let name = form.get("name").unwrap_or_default();
    let parent = form.get("parent").unwrap_or_default();
    let named = [format!("name={name}"), format!("domain={parent}")];
    let outcome = match form.get("kind").as_deref() {
        Some("site") => {
            let input = NewSite {
                domain: name,
                subscription: parent,
                ..NewSite::default()
            };
            app.create_site(actor, input, Mode::Apply).await.map(drop)
        }
        Some("alias") => {
            let input = NewAlias {
                alias: name,
                domain: parent,
                ..NewAlias::default()
            };
            app.create_alias(actor, input, Mode::Apply).await.map(drop)
        }
        Some("subdomain") => {
            let input = NewSubdomain {
                name,
                domain: parent,
                ..NewSubdomain::default()
            };
            app.create_subdomain(actor, input, Mode::Apply)
                .await
                .map(drop)
        }
        other => Err(berth_core::Error::invalid(
            "kind",
            format!("{other:?} is not site, alias or subdomain"),
        )),
    };
    match outcome {
        Ok(()) => {
            super::audit(&app, &form, "POST /ui/domains", &named).await;
            see_other("/ui/domains")
        }
        Err(e) => page(&app, user, Some(&e)).await,
    }
}
