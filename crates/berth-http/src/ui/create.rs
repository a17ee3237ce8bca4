//! "Add a reseller" (the admin's, with an optional reseller plan) and "Add a subscription"
//! for one of the provider's customers or itself, through the same use cases as
//! `berth reseller create` and `berth subscription create`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use berth_app::accounts::{ListRequest, NewAccount};
use berth_app::resellers::ResellerTerms;
use berth_app::subscriptions::NewSubscription;
use berth_app::{Berth, Mode};
use berth_core::account::{AccountKind, ContactInput};
use berth_core::property::PlanType;

use super::lists::{Field, FormPage, Section};
use super::session::{UiForm, UiUser};
use super::{Opt, chrome, render, see_other};

fn field(
    user: &UiUser,
    form: Option<&UiForm>,
    name: &str,
    key: &str,
    kind: &'static str,
    required: bool,
) -> Field {
    Field {
        name: name.to_owned(),
        label: user.tr.t(key).to_owned(),
        value: match kind {
            "password" => String::new(),
            _ => form.and_then(|f| f.get(name)).unwrap_or_default(),
        },
        input_type: kind,
        required,
        invalid: false,
        options: vec![],
    }
}

fn select(
    user: &UiUser,
    form: Option<&UiForm>,
    name: &str,
    key: &str,
    options: Vec<(String, String)>,
) -> Field {
    let chosen = form.and_then(|f| f.get(name)).unwrap_or_default();
    Field {
        options: options
            .into_iter()
            .map(|(v, l)| {
                let selected = v == chosen;
                Opt::new(v, l, selected)
            })
            .collect(),
        ..field(user, form, name, key, "text", false)
    }
}

fn show(
    user: &UiUser,
    title: &str,
    action: &str,
    sections: Vec<Section>,
    error: Option<&berth_core::Error>,
) -> Response {
    show_with(user, title, action, sections, vec![], None, error)
}

fn show_with(
    user: &UiUser,
    title: &str,
    action: &str,
    sections: Vec<Section>,
    hidden: Vec<(String, String)>,
    flash: Option<String>,
    error: Option<&berth_core::Error>,
) -> Response {
    let tr = user.tr;
    let mut sections = sections;
    if let Some(bad) = error.and_then(|e| e.field.as_deref()) {
        for f in sections.iter_mut().flat_map(|s| s.fields.iter_mut()) {
            f.invalid = f.name == bad;
        }
    }
    let section_path = if action.starts_with("/ui/resellers") {
        "/ui/resellers"
    } else if action.starts_with("/ui/customers") {
        "/ui/customers"
    } else {
        "/ui/subscriptions"
    };
    let mut chrome = chrome(user, tr.t(title), section_path);
    chrome.error = error.map(|e| e.message.clone());
    chrome.flash = flash;
    // A reseller's edit page leads to its limits and permissions (the admin's).
    let links = hidden
        .iter()
        .find(|(k, _)| k == "login")
        .filter(|_| action == "/ui/resellers/edit" && user.session.actor.is_admin())
        .map(|(_, login)| {
            let href = format!("/ui/resellers/terms?login={}", super::plans::encode(login));
            vec![Opt::new(href, tr.t("terms.link"), false)]
        })
        .unwrap_or_default();
    let page = FormPage {
        chrome,
        tr,
        action_url: action.into(),
        hidden,
        csrf: user.session.csrf.clone(),
        sections,
        buttons: vec![Opt::new("create", tr.t("form.create"), false)],
        links,
        report_title: String::new(),
        report: vec![],
    };
    let status = error.map_or(StatusCode::OK, |e| super::status_of(e.code));
    render(status, &page)
}

async fn reseller_form(
    app: &Berth,
    user: &UiUser,
    form: Option<&UiForm>,
    error: Option<&berth_core::Error>,
) -> Response {
    let tr = user.tr;
    let plans = app
        .list_plans(&user.session.actor, Some(PlanType::Reseller), None)
        .await
        .unwrap_or_default();
    let mut plan_opts = vec![(String::new(), tr.t("custom").to_owned())];
    plan_opts.extend(plans.iter().map(|p| (p.name.clone(), p.name.clone())));
    let locales = vec![
        ("en-US".to_owned(), "English".to_owned()),
        ("fr-FR".to_owned(), "Français".to_owned()),
    ];
    let fields = vec![
        field(user, form, "login", "col.login", "text", true),
        field(user, form, "password", "login.password", "password", true),
        field(user, form, "name", "col.name", "text", true),
        field(user, form, "email", "col.email", "email", true),
        field(user, form, "company", "col.company", "text", false),
        select(user, form, "locale", "col.locale", locales),
        select(user, form, "plan", "col.plan", plan_opts),
    ];
    let sections = vec![Section {
        legend: tr.t("customer.contact").into(),
        help: None,
        fields,
    }];
    show(user, "reseller.new", "/ui/resellers/new", sections, error)
}

/// `GET /ui/resellers/new`.
pub async fn new_reseller_form(State(app): State<Berth>, user: UiUser) -> Response {
    reseller_form(&app, &user, None, None).await
}

/// `POST /ui/resellers/new`.
pub async fn new_reseller(State(app): State<Berth>, form: UiForm) -> Response {
    let user = &form.user;
    let input = NewAccount {
        login: form.get("login").unwrap_or_default(),
        password: form
            .fields
            .iter()
            .find(|(k, _)| k == "password")
            .map(|(_, v)| v.clone())
            .unwrap_or_default(),
        contact: ContactInput {
            name: form.get("name"),
            email: form.get("email"),
            company: form.get("company"),
            locale: form.get("locale"),
            ..ContactInput::default()
        },
        reseller: ResellerTerms {
            plan: form.get("plan"),
            assignments: vec![],
        },
        ..NewAccount::default()
    };
    match app
        .create_account(
            &user.session.actor,
            AccountKind::Reseller,
            input,
            Mode::Apply,
        )
        .await
    {
        Ok(account) => {
            super::audit(
                &app,
                &form,
                "POST /ui/resellers/new",
                &[format!("login={}", account.login)],
            )
            .await;
            see_other(&format!("/ui/resellers?q={}", account.login))
        }
        Err(e) => reseller_form(&app, user, Some(&form), Some(&e)).await,
    }
}

async fn subscription_form(
    app: &Berth,
    user: &UiUser,
    form: Option<&UiForm>,
    error: Option<&berth_core::Error>,
) -> Response {
    let tr = user.tr;
    let actor = &user.session.actor;
    let plans = app
        .list_plans(actor, Some(PlanType::Service), Some(actor.login.as_str()))
        .await
        .unwrap_or_default();
    let request = ListRequest {
        limit: Some(1000),
        ..ListRequest::default()
    };
    let customers = app
        .list_accounts(actor, AccountKind::Customer, request)
        .await
        .map(|p| p.items)
        .unwrap_or_default();
    let mut owners = vec![(actor.login.to_string(), actor.login.to_string())];
    owners.extend(
        customers
            .iter()
            .map(|c| (c.login.clone(), format!("{} ({})", c.login, c.name))),
    );
    let mut plan_opts = vec![(String::new(), tr.t("plan.none").to_owned())];
    plan_opts.extend(plans.iter().map(|p| (p.name.clone(), p.name.clone())));
    let fields = vec![
        field(user, form, "domain", "col.domain", "text", true),
        select(user, form, "owner", "col.subscriber", owners),
        select(user, form, "plan", "col.plan", plan_opts),
    ];
    let sections = vec![Section {
        legend: tr.t("sub.title").into(),
        help: None,
        fields,
    }];
    show(user, "sub.new", "/ui/subscriptions/new", sections, error)
}

/// `GET /ui/subscriptions/new`.
pub async fn new_subscription_form(State(app): State<Berth>, user: UiUser) -> Response {
    subscription_form(&app, &user, None, None).await
}

/// `POST /ui/subscriptions/new`.
pub async fn new_subscription(State(app): State<Berth>, form: UiForm) -> Response {
    let user = &form.user;
    let input = NewSubscription {
        domain: form.get("domain").unwrap_or_default(),
        owner: form.get("owner"),
        plan: form.get("plan"),
        ..NewSubscription::default()
    };
    match app
        .create_subscription(&user.session.actor, input, Mode::Apply)
        .await
    {
        Ok(created) => {
            let name = created.subscription.ascii_name;
            super::audit(
                &app,
                &form,
                "POST /ui/subscriptions/new",
                &[format!("domain={name}")],
            )
            .await;
            see_other(&format!("/ui/subscriptions/{name}"))
        }
        Err(e) => subscription_form(&app, user, Some(&form), Some(&e)).await,
    }
}

/// Which account the edit page is about.
#[derive(Debug, Default, serde::Deserialize)]
pub struct AccountParams {
    /// `customer` or `reseller`.
    pub kind: Option<String>,
    /// Its login.
    pub login: Option<String>,
}

fn kind_of(raw: Option<&str>) -> AccountKind {
    match raw {
        Some("reseller") => AccountKind::Reseller,
        _ => AccountKind::Customer,
    }
}

async fn account_form(
    app: &Berth,
    user: &UiUser,
    kind: AccountKind,
    login: &str,
    flash: Option<String>,
    error: Option<&berth_core::Error>,
) -> Response {
    let tr = user.tr;
    let account = match app.account_info(&user.session.actor, kind, login).await {
        Ok(a) => a,
        Err(e) => return super::error_page(tr, Some(user), &e),
    };
    let value = |name: &str, key: &str, v: String, t: &'static str| Field {
        value: v,
        ..field(user, None, name, key, t, false)
    };
    let fields = vec![
        value("new_login", "col.login", account.login.clone(), "text"),
        value("name", "col.name", account.name.clone(), "text"),
        value("email", "col.email", account.email.clone(), "email"),
        value(
            "company",
            "col.company",
            account.company.clone().unwrap_or_default(),
            "text",
        ),
        value(
            "password",
            "profile.new_password",
            String::new(),
            "password",
        ),
    ];
    let sections = vec![Section {
        legend: tr.t("customer.contact").into(),
        help: Some(tr.t("profile.password_help").into()),
        fields,
    }];
    let path = if kind == AccountKind::Reseller {
        "/ui/resellers/edit"
    } else {
        "/ui/customers/edit"
    };
    let hidden = vec![
        ("kind".to_owned(), kind.as_str().to_owned()),
        ("login".to_owned(), account.login.clone()),
    ];
    show_with(user, "account.edit", path, sections, hidden, flash, error)
}

/// `GET /ui/customers/edit?login=` and `/ui/resellers/edit?kind=reseller&login=`.
pub async fn edit_account_form(
    State(app): State<Berth>,
    user: UiUser,
    axum::extract::Query(params): axum::extract::Query<AccountParams>,
) -> Response {
    let kind = kind_of(params.kind.as_deref());
    account_form(
        &app,
        &user,
        kind,
        &params.login.unwrap_or_default(),
        None,
        None,
    )
    .await
}

/// `POST /ui/customers/edit`: the owner changes a customer's (or the admin a reseller's)
/// login, password or contact data (R1.4); nothing is sent to anyone, and the page says so.
pub async fn edit_account(State(app): State<Berth>, form: UiForm) -> Response {
    let user = &form.user;
    let kind = kind_of(form.get("kind").as_deref());
    let login = form.get("login").unwrap_or_default();
    let new_login = form.get("new_login").filter(|l| *l != login);
    let password = form
        .fields
        .iter()
        .find(|(k, _)| k == "password")
        .map(|(_, v)| v.clone())
        .filter(|p| !p.is_empty());
    let update = berth_app::accounts::AccountUpdate {
        new_login,
        password,
        contact: ContactInput {
            name: form.get("name"),
            email: form.get("email"),
            company: Some(form.get("company").unwrap_or_default()),
            ..ContactInput::default()
        },
        ..berth_app::accounts::AccountUpdate::default()
    };
    match app
        .update_account(&user.session.actor, kind, &login, update, Mode::Apply)
        .await
    {
        Ok(outcome) => {
            let named = [
                format!("login={login}"),
                format!("changed={}", outcome.changed.join(",")),
            ];
            super::audit(&app, &form, "POST /ui/customers/edit", &named).await;
            let flash = outcome
                .notice
                .unwrap_or_else(|| user.tr.t("sub.saved").to_owned());
            account_form(&app, user, kind, &outcome.account.login, Some(flash), None).await
        }
        Err(e) => account_form(&app, user, kind, &login, None, Some(&e)).await,
    }
}
