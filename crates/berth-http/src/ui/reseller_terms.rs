//! A reseller's terms (R4.1–R4.3; `berth reseller update --plan/--limit/--perm/--oversell`,
//! admin only): its reseller plan (or custom) and its limits and permissions, in a form
//! generated from the property descriptors. Only the fields changed are sent.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use berth_app::resellers::{ResellerTerms, ResellerView};
use berth_app::{Berth, Mode};
use berth_core::account::AccountKind;
use berth_core::property::{Descriptor, Group, PlanType};
use serde::Deserialize;

use super::lists::{Field, FormPage, Section};
use super::plans::{descriptors, field};
use super::session::{UiForm, UiUser};
use super::{Opt, chrome, error_page, render};

/// The groups a reseller's terms hold.
const TERMS: [Group; 2] = [Group::Limits, Group::Permissions];

/// `?login=` of the page.
#[derive(Debug, Deserialize)]
pub struct TermsQuery {
    /// The reseller.
    #[serde(default)]
    login: String,
}

/// The value of `d` in the reseller's terms as typed in a form; empty when absent.
fn current(view: &ResellerView, d: &Descriptor) -> String {
    let group = match d.group {
        Group::Limits => &view.limits,
        _ => &view.permissions,
    };
    group
        .get(d.name)
        .and_then(|j| d.from_json(j).ok())
        .map(|v| d.display(&v))
        .unwrap_or_default()
}

fn terms_descriptors() -> impl Iterator<Item = &'static Descriptor> {
    descriptors(PlanType::Reseller).filter(|d| TERMS.contains(&d.group))
}

async fn page(
    app: &Berth,
    user: &UiUser,
    login: &str,
    flash: Option<String>,
    error: Option<&berth_core::Error>,
) -> Response {
    let tr = user.tr;
    let actor = &user.session.actor;
    let account = match app.account_info(actor, AccountKind::Reseller, login).await {
        Ok(a) => a,
        Err(e) => return error_page(tr, Some(user), &e),
    };
    let Some(view) = account.reseller else {
        let err = berth_core::Error::not_found("login", format!("no reseller {login}"));
        return error_page(tr, Some(user), &err);
    };
    let plans = match app.list_plans(actor, Some(PlanType::Reseller), None).await {
        Ok(p) => p,
        Err(e) => return error_page(tr, Some(user), &e),
    };
    let plan_now = view.plan.clone().unwrap_or_default();
    let mut options = vec![Opt::new("", tr.t("custom"), plan_now.is_empty())];
    options.extend(
        plans
            .into_iter()
            .map(|p| Opt::new(p.name.clone(), p.name.clone(), p.name == plan_now)),
    );
    let mut sections = vec![Section {
        legend: tr.t("col.plan").into(),
        help: None,
        fields: vec![Field {
            name: "plan".into(),
            label: tr.t("col.plan").into(),
            value: plan_now,
            input_type: "text",
            required: false,
            invalid: false,
            options,
        }],
    }];
    sections.extend(TERMS.iter().map(|g| {
        Section {
            legend: tr.t(&format!("group.{}", g.as_str())).to_owned(),
            help: None,
            fields: terms_descriptors()
                .filter(|d| d.group == *g)
                .map(|d| field(tr, d, current(&view, d)))
                .collect(),
        }
    }));
    if let Some(bad) = error.and_then(|e| e.field.as_deref()) {
        for f in sections.iter_mut().flat_map(|s| s.fields.iter_mut()) {
            f.invalid = f.name == bad;
        }
    }
    let mut chrome = chrome(
        user,
        format!("{} {login}", tr.t("terms.title")),
        "/ui/resellers",
    );
    chrome.flash = flash;
    chrome.error = error.map(|e| e.message.clone());
    let page = FormPage {
        chrome,
        tr,
        action_url: "/ui/resellers/terms".into(),
        hidden: vec![("login".into(), login.to_owned())],
        csrf: user.session.csrf.clone(),
        sections,
        buttons: vec![Opt::new("save", tr.t("tools.save"), false)],
        links: vec![],
        report_title: String::new(),
        report: vec![],
    };
    let status = error.map_or(StatusCode::OK, |e| super::status_of(e.code));
    render(status, &page)
}

/// `GET /ui/resellers/terms?login=`.
pub async fn show(
    State(app): State<Berth>,
    user: UiUser,
    Query(query): Query<TermsQuery>,
) -> Response {
    page(&app, &user, &query.login, None, None).await
}

/// `POST /ui/resellers/terms`: sends the plan and the limits and permissions that changed.
pub async fn save(State(app): State<Berth>, form: UiForm) -> Response {
    let user = &form.user;
    let actor = &user.session.actor;
    let login = form.get("login").unwrap_or_default();
    let before = match app.account_info(actor, AccountKind::Reseller, &login).await {
        Ok(a) => a.reseller,
        Err(e) => return error_page(user.tr, Some(user), &e),
    };
    let Some(before) = before else {
        let err = berth_core::Error::not_found("login", format!("no reseller {login}"));
        return error_page(user.tr, Some(user), &err);
    };
    let plan = form.get("plan").unwrap_or_default();
    let terms = ResellerTerms {
        plan: (plan != before.plan.clone().unwrap_or_default()).then_some(plan),
        assignments: terms_descriptors()
            .filter_map(|d| {
                let now = form.get(d.name).unwrap_or_default();
                (!now.is_empty() && now != current(&before, d))
                    .then(|| (d.group, format!("{}={now}", d.name)))
            })
            .collect(),
    };
    if terms.is_empty() {
        let flash = Some(user.tr.t("terms.unchanged").to_owned());
        return page(&app, user, &login, flash, None).await;
    }
    match app
        .set_reseller_terms(actor, &login, &terms, Mode::Apply)
        .await
    {
        Ok(_) => {
            let objects = [format!("login={login}")];
            super::audit(&app, &form, "POST /ui/resellers/terms", &objects).await;
            let flash = Some(user.tr.t("sub.saved").to_owned());
            page(&app, user, &login, flash, None).await
        }
        Err(e) => page(&app, user, &login, None, Some(&e)).await,
    }
}
