//! Service and add-on plan forms with every property group, generated from the property
//! descriptor table: a new plan, and "Update & Sync" of an existing one previewed first as
//! a dry run that lists, per subscription, what would change (R2.3, R3.10). Only the
//! fields whose value changed are sent, as the CLI's `--limit`/`--perm`/... assignments.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use berth_app::plans::{FieldChange, PlanUpdateOutcome};
use berth_app::{Berth, Mode};
use berth_core::property::{Descriptor, Group, Kind, PROPERTIES, PlanType};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::i18n::Tr;
use super::lists::{Field, FormPage, Section};
use super::session::{UiForm, UiUser};
use super::{Opt, chrome, error_page, render, see_other};

/// Which plan a page is about.
#[derive(Debug, Default, Deserialize)]
pub struct PlanParams {
    /// Plan name.
    pub name: Option<String>,
    /// Owner's login.
    pub owner: Option<String>,
    /// `service` or `addon`.
    #[serde(rename = "type")]
    pub plan_type: Option<String>,
}

pub(super) fn descriptors(plan_type: PlanType) -> impl Iterator<Item = &'static Descriptor> {
    PROPERTIES
        .iter()
        .filter(move |d| d.types.includes(plan_type))
}

/// The value of `d` in grouped JSON properties as typed in a form; empty when absent.
fn raw_in(d: &Descriptor, props: &Map<String, Value>) -> String {
    props
        .get(d.group.as_str())
        .and_then(|g| g.get(d.name))
        .and_then(|j| d.from_json(j).ok())
        .map(|v| d.display(&v))
        .unwrap_or_default()
}

/// The value of `d` in a new plan of `plan_type` (add-ons start empty).
fn raw_default(d: &Descriptor, plan_type: PlanType) -> String {
    match plan_type {
        PlanType::Addon => String::new(),
        _ => d.display(&d.default_value()),
    }
}

pub(super) fn field(tr: Tr, d: &Descriptor, value: String) -> Field {
    let mut options = match d.kind {
        Kind::Bool | Kind::PhpBool => vec![
            Opt::new("true", tr.t("yes"), value == "true"),
            Opt::new("false", tr.t("no"), value == "false"),
        ],
        Kind::Choice(choices) => choices
            .iter()
            .map(|c| Opt::new(*c, *c, value == *c))
            .collect(),
        _ => vec![],
    };
    if !options.is_empty() && !options.iter().any(|o| o.selected) {
        options.insert(0, Opt::new("", "", true));
    }
    Field {
        name: d.name.to_owned(),
        label: tr.property(d).to_owned(),
        value,
        input_type: "text",
        required: false,
        invalid: false,
        options,
    }
}

/// One section per property group, each field holding `value(d)`.
fn sections(tr: Tr, plan_type: PlanType, value: impl Fn(&Descriptor) -> String) -> Vec<Section> {
    Group::ALL
        .iter()
        .map(|g| Section {
            legend: tr.t(&format!("group.{}", g.as_str())).to_owned(),
            help: None,
            fields: descriptors(plan_type)
                .filter(|d| d.group == *g)
                .map(|d| field(tr, d, value(d)))
                .collect(),
        })
        .filter(|s| !s.fields.is_empty())
        .collect()
}

/// The assignments of the fields whose posted value differs from `before(d)`.
fn assignments(
    form: &UiForm,
    plan_type: PlanType,
    before: impl Fn(&Descriptor) -> String,
) -> Vec<(Group, String)> {
    descriptors(plan_type)
        .filter_map(|d| {
            let now = form.get(d.name).unwrap_or_default();
            (!now.is_empty() && now != before(d)).then(|| (d.group, format!("{}={now}", d.name)))
        })
        .collect()
}

fn plan_type_of(raw: Option<&str>) -> berth_core::Result<PlanType> {
    match PlanType::parse("type", raw.unwrap_or("service"))? {
        PlanType::Reseller => Err(berth_core::Error::invalid(
            "type",
            "reseller plans are managed from the command line or the API",
        )),
        other => Ok(other),
    }
}

struct Form {
    title: String,
    action_url: String,
    hidden: Vec<(String, String)>,
    head: Vec<Field>,
    sections: Vec<Section>,
    buttons: Vec<Opt>,
    report_title: String,
    report: Vec<String>,
}

fn show(user: &UiUser, form: Form, error: Option<&berth_core::Error>) -> Response {
    let tr = user.tr;
    let mut chrome = chrome(user, form.title, "/ui/plans");
    chrome.error = error.map(|e| e.message.clone());
    let mut sections = form.sections;
    if !form.head.is_empty() {
        sections.insert(
            0,
            Section {
                legend: tr.t("col.plan").into(),
                help: None,
                fields: form.head,
            },
        );
    }
    if let Some(bad) = error.and_then(|e| e.field.as_deref()) {
        for f in sections.iter_mut().flat_map(|s| s.fields.iter_mut()) {
            f.invalid = f.name == bad;
        }
    }
    let page = FormPage {
        chrome,
        tr,
        action_url: form.action_url,
        hidden: form.hidden,
        csrf: user.session.csrf.clone(),
        sections,
        buttons: form.buttons,
        links: vec![],
        report_title: form.report_title,
        report: form.report,
    };
    let status = error.map_or(StatusCode::OK, |e| super::status_of(e.code));
    render(status, &page)
}

fn new_form(user: &UiUser, plan_type: PlanType, name: &str) -> Form {
    let tr = user.tr;
    let head = vec![
        Field {
            name: "name".into(),
            label: tr.t("col.name").into(),
            value: name.to_owned(),
            input_type: "text",
            required: true,
            invalid: false,
            options: vec![],
        },
        Field {
            name: "type".into(),
            label: tr.t("col.type").into(),
            value: plan_type.as_str().into(),
            input_type: "text",
            required: true,
            invalid: false,
            options: [PlanType::Service, PlanType::Addon]
                .iter()
                .map(|t| Opt::new(t.as_str(), t.as_str(), *t == plan_type))
                .collect(),
        },
    ];
    Form {
        title: tr.t("plans.new").into(),
        action_url: "/ui/plans/new".into(),
        hidden: vec![],
        head,
        sections: sections(tr, plan_type, |d| raw_default(d, plan_type)),
        buttons: vec![Opt::new("create", tr.t("form.create"), false)],
        report_title: String::new(),
        report: vec![],
    }
}

/// `GET /ui/plans/new?type=service|addon`.
pub async fn new_plan_form(user: UiUser, Query(params): Query<PlanParams>) -> Response {
    match plan_type_of(params.plan_type.as_deref()) {
        Ok(t) => show(&user, new_form(&user, t, ""), None),
        Err(e) => error_page(user.tr, Some(&user), &e),
    }
}

/// `POST /ui/plans/new`: creates the plan with the fields changed from the defaults.
pub async fn new_plan(State(app): State<Berth>, form: UiForm) -> Response {
    let user = &form.user;
    let plan_type = match plan_type_of(form.get("type").as_deref()) {
        Ok(t) => t,
        Err(e) => return error_page(user.tr, Some(user), &e),
    };
    let name = form.get("name").unwrap_or_default();
    let changes = assignments(&form, plan_type, |d| raw_default(d, plan_type));
    let actor = &user.session.actor;
    match app
        .create_plan(actor, &name, plan_type, None, &changes, Mode::Apply)
        .await
    {
        Ok(plan) => {
            let named = [format!("plan={}", plan.name)];
            super::audit(&app, &form, "POST /ui/plans/new", &named).await;
            see_other(&format!(
                "/ui/plans/edit?name={}&owner={}&type={}",
                encode(&plan.name),
                encode(&plan.owner),
                plan.plan_type
            ))
        }
        Err(e) => {
            let mut f = new_form(user, plan_type, &name);
            for s in &mut f.sections {
                for field in &mut s.fields {
                    if let Some(v) = form.get(&field.name) {
                        field.value = v;
                    }
                }
            }
            show(user, f, Some(&e))
        }
    }
}

pub(super) fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn change_line(tr: Tr, c: &FieldChange) -> String {
    let d = berth_core::property::descriptor(c.field);
    let text = |v: &Value| match d.and_then(|d| d.from_json(v).ok().map(|x| d.display(&x))) {
        Some(t) if t == "unlimited" => tr.t("unlimited").to_owned(),
        Some(t) => t,
        None => v.to_string(),
    };
    format!(
        "{}: {} → {}",
        d.map_or(c.field, |d| tr.property(d)),
        text(&c.old),
        text(&c.new)
    )
}

fn report(tr: Tr, outcome: &PlanUpdateOutcome) -> Vec<String> {
    let mut lines: Vec<String> = outcome.changed.iter().map(|c| change_line(tr, c)).collect();
    if lines.is_empty() {
        lines.push(tr.t("sub.no_changes").into());
    }
    lines.push(format!(
        "{}: {} {} · {} {} · {} {}",
        tr.t("nav.subscriptions"),
        tr.number(outcome.sync.synced),
        tr.t("sync.synced"),
        tr.number(outcome.sync.locked),
        tr.t("sync.locked"),
        tr.number(outcome.sync.unsynced),
        tr.t("sync.unsynced"),
    ));
    for impact in &outcome.sync.impact {
        let changes: Vec<String> = impact.changes.iter().map(|c| change_line(tr, c)).collect();
        lines.push(format!(
            "{} ({}): {}",
            impact.name,
            tr.t(&format!("sync.{}", impact.outcome)),
            changes.join("; ")
        ));
    }
    lines
}

async fn edit_page(
    app: &Berth,
    user: &UiUser,
    params: &PlanParams,
    outcome: Option<(&PlanUpdateOutcome, bool)>,
    posted: Option<&UiForm>,
    error: Option<&berth_core::Error>,
) -> Response {
    let tr = user.tr;
    let name = params.name.clone().unwrap_or_default();
    let plan_type = match plan_type_of(params.plan_type.as_deref()) {
        Ok(t) => t,
        Err(e) => return error_page(tr, Some(user), &e),
    };
    let plan = match app
        .plan_info(
            &user.session.actor,
            &name,
            Some(plan_type),
            params.owner.as_deref(),
        )
        .await
    {
        Ok(p) => p,
        Err(e) => return error_page(tr, Some(user), &e),
    };
    let (report_title, lines) = match outcome {
        Some((o, true)) => (tr.t("bulk.preview_title").to_owned(), report(tr, o)),
        Some((o, false)) => (tr.t("sub.saved").to_owned(), report(tr, o)),
        None => (String::new(), vec![]),
    };
    let form = Form {
        title: format!("{} {}", tr.t("col.plan"), plan.name),
        action_url: "/ui/plans/edit".into(),
        hidden: vec![
            ("name".into(), plan.name.clone()),
            ("owner".into(), plan.owner.clone()),
            ("type".into(), plan.plan_type.into()),
        ],
        head: vec![],
        sections: sections(tr, plan_type, |d| {
            posted
                .and_then(|f| f.get(d.name))
                .unwrap_or_else(|| raw_in(d, &plan.properties))
        }),
        buttons: vec![
            Opt::new("preview", tr.t("sub.preview"), false),
            Opt::new("apply", tr.t("plans.update_sync"), false),
        ],
        report_title,
        report: lines,
    };
    show(user, form, error)
}

/// `GET /ui/plans/edit?name=&owner=&type=`.
pub async fn edit_form(
    State(app): State<Berth>,
    user: UiUser,
    Query(params): Query<PlanParams>,
) -> Response {
    edit_page(&app, &user, &params, None, None, None).await
}

/// `POST /ui/plans/edit`: `preview` (dry run with the per-subscription impact) or `apply`
/// (Update & Sync).
pub async fn edit(State(app): State<Berth>, form: UiForm) -> Response {
    let user = &form.user;
    let params = PlanParams {
        name: form.get("name"),
        owner: form.get("owner"),
        plan_type: form.get("type"),
    };
    let plan_type = match plan_type_of(params.plan_type.as_deref()) {
        Ok(t) => t,
        Err(e) => return error_page(user.tr, Some(user), &e),
    };
    let name = params.name.clone().unwrap_or_default();
    let actor = &user.session.actor;
    let current = match app
        .plan_info(actor, &name, Some(plan_type), params.owner.as_deref())
        .await
    {
        Ok(p) => p,
        Err(e) => return error_page(user.tr, Some(user), &e),
    };
    let changes = assignments(&form, plan_type, |d| raw_in(d, &current.properties));
    let mode = if form.has("apply") {
        Mode::Apply
    } else {
        Mode::DryRun
    };
    let outcome = app
        .update_plan(
            actor,
            &name,
            Some(plan_type),
            params.owner.as_deref(),
            None,
            &changes,
            mode,
        )
        .await;
    match outcome {
        Ok(o) if mode == Mode::DryRun => {
            edit_page(&app, user, &params, Some((&o, true)), Some(&form), None).await
        }
        Ok(o) => {
            let fields: Vec<String> = changes.iter().map(|(_, a)| a.clone()).collect();
            let named = [vec![format!("plan={name}")], fields].concat();
            super::audit(&app, &form, "POST /ui/plans/edit", &named).await;
            edit_page(&app, user, &params, Some((&o, false)), None, None).await
        }
        Err(e) => edit_page(&app, user, &params, None, Some(&form), Some(&e)).await,
    }
}
