//! "My profile": every account changes its own contact data, language and password
//! (R1.4) through the same use case as `berth <kind> update`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use berth_app::accounts::AccountUpdate;
use berth_app::views::AccountView;
use berth_app::{Berth, Mode};
use berth_core::account::ContactInput;

use super::lists::{Field, FormPage, Section};
use super::session::{UiForm, UiUser};
use super::{Opt, chrome, error_page, render};

fn text_field(user: &UiUser, name: &str, key: &str, value: String, kind: &'static str) -> Field {
    Field {
        name: name.to_owned(),
        label: user.tr.t(key).to_owned(),
        value,
        input_type: kind,
        required: false,
        invalid: false,
        options: vec![],
    }
}

fn page(
    user: &UiUser,
    account: &AccountView,
    flash: Option<String>,
    error: Option<&berth_core::Error>,
) -> Response {
    let tr = user.tr;
    let mut contact = vec![
        text_field(user, "name", "col.name", account.name.clone(), "text"),
        text_field(user, "email", "col.email", account.email.clone(), "email"),
        text_field(
            user,
            "company",
            "col.company",
            account.company.clone().unwrap_or_default(),
            "text",
        ),
    ];
    let locale = account.locale.clone();
    contact.push(Field {
        options: [("en-US", "English"), ("fr-FR", "Français")]
            .iter()
            .map(|(v, l)| Opt::new(*v, *l, locale == *v))
            .collect(),
        ..text_field(user, "locale", "col.locale", locale.clone(), "text")
    });
    let password = vec![
        text_field(
            user,
            "password",
            "profile.new_password",
            String::new(),
            "password",
        ),
        text_field(
            user,
            "password_again",
            "profile.password_again",
            String::new(),
            "password",
        ),
    ];
    let bad = error.and_then(|e| e.field.clone());
    let mark = |mut fields: Vec<Field>| {
        for f in &mut fields {
            f.invalid = bad.as_deref() == Some(f.name.as_str());
        }
        fields
    };
    let mut chrome = chrome(user, tr.t("profile.title"), "/ui/profile");
    chrome.flash = flash;
    chrome.error = error.map(|e| e.message.clone());
    let page = FormPage {
        chrome,
        tr,
        action_url: "/ui/profile".into(),
        hidden: vec![],
        csrf: user.session.csrf.clone(),
        sections: vec![
            Section {
                legend: tr.t("customer.contact").into(),
                help: None,
                fields: mark(contact),
            },
            Section {
                legend: tr.t("profile.password").into(),
                help: Some(tr.t("profile.password_help").into()),
                fields: mark(password),
            },
        ],
        buttons: vec![Opt::new("save", tr.t("tools.save"), false)],
        links: vec![],
        report_title: String::new(),
        report: vec![],
    };
    let status = error.map_or(StatusCode::OK, |e| super::status_of(e.code));
    render(status, &page)
}

async fn own_account(app: &Berth, user: &UiUser) -> berth_core::Result<AccountView> {
    let actor = &user.session.actor;
    app.account_info(actor, actor.kind, actor.login.as_str())
        .await
}

/// `GET /ui/profile`.
pub async fn show(State(app): State<Berth>, user: UiUser) -> Response {
    match own_account(&app, &user).await {
        Ok(account) => page(&user, &account, None, None),
        Err(e) => error_page(user.tr, Some(&user), &e),
    }
}

/// `POST /ui/profile`: contact data, language and (when both fields match) the password.
pub async fn save(State(app): State<Berth>, form: UiForm) -> Response {
    let user = &form.user;
    let actor = &user.session.actor;
    let clear = |name: &str| {
        form.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (password, again) = (clear("password"), clear("password_again"));
    let outcome = if password != again {
        Err(berth_core::Error::invalid(
            "password_again",
            user.tr.t("profile.mismatch"),
        ))
    } else {
        let update = AccountUpdate {
            password: (!password.is_empty()).then_some(password),
            contact: ContactInput {
                name: form.get("name"),
                email: form.get("email"),
                company: Some(form.get("company").unwrap_or_default()),
                locale: form.get("locale"),
                ..ContactInput::default()
            },
            ..AccountUpdate::default()
        };
        app.update_account(actor, actor.kind, actor.login.as_str(), update, Mode::Apply)
            .await
            .map(|o| o.account)
    };
    match outcome {
        Ok(account) => {
            let named = [format!("login={}", account.login)];
            super::audit(&app, &form, "POST /ui/profile", &named).await;
            let mut user = user.clone();
            user.tr = super::i18n::Tr(super::i18n::Lang::of_locale(&account.locale));
            let saved = user.tr.t("sub.saved").to_owned();
            page(&user, &account, Some(saved), None)
        }
        Err(e) => match own_account(&app, user).await {
            Ok(account) => page(user, &account, None, Some(&e)),
            Err(e2) => error_page(user.tr, Some(user), &e2),
        },
    }
}
