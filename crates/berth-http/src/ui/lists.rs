//! The lists of the panels (resellers, customers, subscriptions) with search, status
//! filter, column sort, pagination and checkbox bulk actions previewed as a dry run and
//! then confirmed; and the "add a customer" form with its first subscription. Each list is
//! one `berth-app` list call (one query), whatever the number of rows.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use berth_app::accounts::{ListRequest, NewAccount};
use berth_app::subscriptions::{NewSubscription, SubscriptionListRequest};
use berth_app::views::BulkItem;
use berth_app::{Berth, Mode, NoProgress};
use berth_core::account::{AccountKind, ContactInput};
use berth_core::property::PlanType;
use serde::{Deserialize, Serialize};

use super::i18n::Tr;
use super::session::{UiForm, UiUser};
use super::{Chrome, Opt, chrome, error_page, render, see_other};

/// Rows per page.
const PAGE_SIZE: u32 = 25;

/// The query string of a list page.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    /// Search text.
    pub q: Option<String>,
    /// `active` or `suspended`.
    pub status: Option<String>,
    /// `synced`, `locked` or `unsynced` (subscriptions).
    pub sync: Option<String>,
    /// `FIELD[:desc]`.
    pub sort: Option<String>,
    /// Cursor of the page.
    pub after: Option<String>,
}

fn some(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl ListParams {
    /// The query string with these parameters (and `after` when given).
    fn href(&self, path: &str, sort: Option<&str>, after: Option<&str>) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("q", &self.q),
            ("status", &self.status),
            ("sync", &self.sync),
        ] {
            if let Some(v) = some(v) {
                q.append_pair(k, &v);
            }
        }
        if let Some(s) = sort.map(str::to_owned).or_else(|| some(&self.sort)) {
            q.append_pair("sort", &s);
        }
        if let Some(a) = after {
            q.append_pair("after", a);
        }
        let q = q.finish();
        if q.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{q}")
        }
    }
}

/// A column header, sortable when it has a link.
#[derive(Debug, Clone)]
pub struct Column {
    label: String,
    href: Option<String>,
    aria_sort: Option<&'static str>,
}

/// A table cell.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    text: String,
    href: Option<String>,
    badge: bool,
    text_class: &'static str,
}

impl Cell {
    fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            ..Cell::default()
        }
    }

    fn link(text: impl Into<String>, href: String) -> Cell {
        Cell {
            text: text.into(),
            href: Some(href),
            ..Cell::default()
        }
    }

    fn badge(text: impl Into<String>, class: &'static str) -> Cell {
        Cell {
            text: text.into(),
            badge: true,
            text_class: class,
            ..Cell::default()
        }
    }
}

/// A table row: the checkbox key and the cells.
#[derive(Debug, Clone)]
pub struct Row {
    key: String,
    cells: Vec<Cell>,
}

/// A filter `<select>`.
#[derive(Debug, Clone)]
pub struct Filter {
    name: &'static str,
    label: String,
    options: Vec<Opt>,
}

/// A link button.
#[derive(Debug, Clone)]
pub struct Link {
    href: String,
    label: String,
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    chrome: Chrome,
    tr: Tr,
    path: String,
    q: String,
    sort: String,
    csrf: String,
    filters: Vec<Filter>,
    columns: Vec<Column>,
    rows: Vec<Row>,
    actions: Vec<Opt>,
    targets: Vec<Opt>,
    has_prev: bool,
    first_href: String,
    next_href: Option<String>,
    create: Option<Link>,
}

/// The CSS class of a status badge.
fn status_class(status: &str) -> &'static str {
    match status {
        "active" | "synced" => "ok",
        "locked" => "warn",
        _ => "bad",
    }
}

fn columns(tr: Tr, params: &ListParams, path: &str, cols: &[(&str, Option<&str>)]) -> Vec<Column> {
    let current = some(&params.sort).unwrap_or_default();
    let (cur_field, cur_desc) = match current.split_once(':') {
        Some((f, d)) => (f.to_owned(), d == "desc"),
        None => (current.clone(), false),
    };
    cols.iter()
        .map(|(key, sort)| {
            let active = sort.is_some_and(|s| s == cur_field);
            Column {
                label: tr.t(key).to_owned(),
                href: sort.map(|s| {
                    let next = if active && !cur_desc {
                        format!("{s}:desc")
                    } else {
                        s.to_owned()
                    };
                    params.href(path, Some(&next), None)
                }),
                aria_sort: active.then_some(if cur_desc { "descending" } else { "ascending" }),
            }
        })
        .collect()
}

fn status_filter(tr: Tr, params: &ListParams) -> Filter {
    let current = some(&params.status).unwrap_or_default();
    Filter {
        name: "status",
        label: tr.t("col.status").to_owned(),
        options: [
            ("", "status.any"),
            ("active", "status.active"),
            ("suspended", "status.suspended"),
        ]
        .iter()
        .map(|(v, k)| Opt::new(*v, tr.t(k), current == *v))
        .collect(),
    }
}

fn action_opts(tr: Tr, actions: &[&str]) -> Vec<Opt> {
    actions
        .iter()
        .map(|a| Opt::new(*a, tr.t(&format!("action.{a}")), false))
        .collect()
}

async fn accounts(app: &Berth, user: &UiUser, kind: AccountKind, params: ListParams) -> Response {
    let tr = user.tr;
    let actor = &user.session.actor;
    let (path, title) = match kind {
        AccountKind::Reseller => ("/ui/resellers", "nav.resellers"),
        _ => ("/ui/customers", "nav.customers"),
    };
    let request = ListRequest {
        status: some(&params.status),
        search: some(&params.q),
        sort: some(&params.sort),
        limit: Some(PAGE_SIZE),
        after: some(&params.after),
        ..ListRequest::default()
    };
    let page = match app.list_accounts(actor, kind, request).await {
        Ok(p) => p,
        Err(e) => return error_page(tr, Some(user), &e),
    };
    let show_owner = actor.is_admin() && kind == AccountKind::Customer;
    let mut cols = vec![
        ("col.login", Some("login")),
        ("col.name", Some("name")),
        ("col.company", Some("company")),
        ("col.email", Some("email")),
        ("col.status", Some("status")),
        ("col.created", None),
    ];
    if show_owner {
        cols.push(("col.subscriber", None));
    }
    let rows = page
        .items
        .iter()
        .map(|a| {
            let mut cells = vec![
                Cell::link(
                    a.login.clone(),
                    format!("{path}/edit?kind={}&login={}", a.kind, a.login),
                ),
                Cell::text(a.name.clone()),
                Cell::text(a.company.clone().unwrap_or_default()),
                Cell::text(a.email.clone()),
                Cell::badge(
                    tr.t(&format!("status.{}", a.status)),
                    status_class(a.status),
                ),
                Cell::text(tr.day(a.created)),
            ];
            if show_owner {
                cells.push(Cell::text(a.owner.clone().unwrap_or_default()));
            }
            Row {
                key: a.login.clone(),
                cells,
            }
        })
        .collect();
    let (actions, targets) = match kind {
        AccountKind::Customer if actor.is_admin() => {
            let resellers = app
                .list_accounts(
                    actor,
                    AccountKind::Reseller,
                    ListRequest {
                        limit: Some(100),
                        ..ListRequest::default()
                    },
                )
                .await
                .map(|p| p.items)
                .unwrap_or_default();
            (
                action_opts(
                    tr,
                    &["suspend", "activate", "remove", "to_reseller", "move"],
                ),
                resellers
                    .iter()
                    .map(|r| Opt::new(format!("to:{}", r.login), format!("→ {}", r.login), false))
                    .collect(),
            )
        }
        _ => (action_opts(tr, &["suspend", "activate", "remove"]), vec![]),
    };
    let create = match kind {
        AccountKind::Customer => Some(Link {
            href: "/ui/customers/new".into(),
            label: tr.t("customer.new").into(),
        }),
        _ => Some(Link {
            href: "/ui/resellers/new".into(),
            label: tr.t("reseller.new").into(),
        }),
    };
    let list = ListPage {
        chrome: chrome(user, tr.t(title), path),
        tr,
        path: path.into(),
        q: some(&params.q).unwrap_or_default(),
        sort: some(&params.sort).unwrap_or_default(),
        csrf: user.session.csrf.clone(),
        filters: vec![status_filter(tr, &params)],
        columns: columns(tr, &params, path, &cols),
        rows,
        actions,
        targets,
        has_prev: some(&params.after).is_some(),
        first_href: params.href(path, None, None),
        next_href: page
            .next
            .as_deref()
            .map(|n| params.href(path, None, Some(n))),
        create,
    };
    render(StatusCode::OK, &list)
}

/// `GET /ui/customers`.
pub async fn customers(
    State(app): State<Berth>,
    user: UiUser,
    Query(params): Query<ListParams>,
) -> Response {
    accounts(&app, &user, AccountKind::Customer, params).await
}

/// `GET /ui/resellers`.
pub async fn resellers(
    State(app): State<Berth>,
    user: UiUser,
    Query(params): Query<ListParams>,
) -> Response {
    accounts(&app, &user, AccountKind::Reseller, params).await
}

/// `GET /ui/subscriptions`.
pub async fn subscriptions(
    State(app): State<Berth>,
    user: UiUser,
    Query(params): Query<ListParams>,
) -> Response {
    let tr = user.tr;
    let actor = &user.session.actor;
    let path = "/ui/subscriptions";
    let request = SubscriptionListRequest {
        status: some(&params.status),
        sync_state: some(&params.sync),
        search: some(&params.q),
        sort: some(&params.sort),
        limit: Some(PAGE_SIZE),
        after: some(&params.after),
        ..SubscriptionListRequest::default()
    };
    let page = match app.list_subscriptions(actor, request).await {
        Ok(p) => p,
        Err(e) => return error_page(tr, Some(&user), &e),
    };
    let cols = [
        ("col.domain", Some("name")),
        ("col.subscriber", None),
        ("col.plan", None),
        ("col.sync", Some("sync_state")),
        ("col.status", None),
        ("col.expiration", Some("expiration")),
        ("col.created", Some("created")),
    ];
    let rows = page
        .items
        .iter()
        .map(|s| Row {
            key: s.ascii_name.clone(),
            cells: vec![
                Cell::link(s.name.clone(), format!("{path}/{}", s.ascii_name)),
                Cell::text(s.owner.clone()),
                Cell::text(s.plan.clone().unwrap_or_else(|| tr.t("custom").to_owned())),
                Cell::badge(
                    tr.t(&format!("sync.{}", s.sync_state)),
                    status_class(s.sync_state),
                ),
                Cell::badge(
                    tr.t(&format!("status.{}", s.status)),
                    status_class(s.status),
                ),
                Cell::text(
                    s.expiration
                        .map(|d| tr.date(d))
                        .unwrap_or_else(|| tr.t("unlimited").to_owned()),
                ),
                Cell::text(tr.day(s.created)),
            ],
        })
        .collect();
    let (actions, targets) = if actor.kind == AccountKind::Customer {
        (action_opts(tr, &["suspend", "activate"]), vec![])
    } else {
        subscription_targets(&app, &user).await
    };
    let current_sync = some(&params.sync).unwrap_or_default();
    let sync_filter = Filter {
        name: "sync",
        label: tr.t("col.sync").to_owned(),
        options: [
            ("", "sync.any"),
            ("synced", "sync.synced"),
            ("locked", "sync.locked"),
            ("unsynced", "sync.unsynced"),
        ]
        .iter()
        .map(|(v, k)| Opt::new(*v, tr.t(k), current_sync == *v))
        .collect(),
    };
    let list = ListPage {
        chrome: chrome(&user, tr.t("nav.subscriptions"), path),
        tr,
        path: path.into(),
        q: some(&params.q).unwrap_or_default(),
        sort: some(&params.sort).unwrap_or_default(),
        csrf: user.session.csrf.clone(),
        filters: vec![status_filter(tr, &params), sync_filter],
        columns: columns(tr, &params, path, &cols),
        rows,
        actions,
        targets,
        has_prev: some(&params.after).is_some(),
        first_href: params.href(path, None, None),
        next_href: page
            .next
            .as_deref()
            .map(|n| params.href(path, None, Some(n))),
        create: None,
    };
    render(StatusCode::OK, &list)
}

/// The bulk actions of a provider's subscription list, and their targets: its service
/// plans (`plan:NAME`, or `plan:` to detach) and its customers (`to:LOGIN`).
async fn subscription_targets(app: &Berth, user: &UiUser) -> (Vec<Opt>, Vec<Opt>) {
    let tr = user.tr;
    let actor = &user.session.actor;
    let plans = app
        .list_plans(actor, Some(PlanType::Service), Some(actor.login.as_str()))
        .await
        .unwrap_or_default();
    let customers = app
        .list_accounts(
            actor,
            AccountKind::Customer,
            ListRequest {
                limit: Some(100),
                ..ListRequest::default()
            },
        )
        .await
        .map(|p| p.items)
        .unwrap_or_default();
    let mut targets = vec![Opt::new(
        "plan:",
        format!("{}: {}", tr.t("col.plan"), tr.t("custom")),
        false,
    )];
    targets.extend(plans.iter().map(|p| {
        Opt::new(
            format!("plan:{}", p.name),
            format!("{}: {}", tr.t("col.plan"), p.name),
            false,
        )
    }));
    targets.extend(customers.iter().map(|c| {
        Opt::new(
            format!("to:{}", c.login),
            format!("{}: {}", tr.t("col.subscriber"), c.login),
            false,
        )
    }));
    (
        action_opts(
            tr,
            &[
                "suspend",
                "activate",
                "change_plan",
                "unlock",
                "change_subscriber",
                "remove",
            ],
        ),
        targets,
    )
}

/// One object's line in a preview or result.
#[derive(Debug, Clone)]
pub struct BulkRow {
    name: String,
    ok: bool,
    message: String,
}

#[derive(Template)]
#[template(path = "bulk.html")]
struct BulkPage {
    chrome: Chrome,
    tr: Tr,
    rows: Vec<BulkRow>,
    preview: bool,
    removal: bool,
    action_url: String,
    csrf: String,
    hidden: Vec<(String, String)>,
    back: String,
}

/// A short text of what happened to one object, from its view.
fn summary<T: Serialize>(tr: Tr, result: &T) -> String {
    let json = serde_json::to_value(result).unwrap_or_default();
    if let Some(changes) = json.get("changes").and_then(|c| c.as_array()) {
        if changes.is_empty() {
            return tr.t("sub.no_changes").to_owned();
        }
        return changes
            .iter()
            .map(|c| {
                format!(
                    "{}: {} → {}",
                    c["field"].as_str().unwrap_or_default(),
                    c["old"],
                    c["new"]
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
    }
    if let Some(with) = json.get("with_accounts").and_then(|w| w.as_array()) {
        let names: Vec<&str> = with.iter().filter_map(|w| w.as_str()).collect();
        return format!("{} {}", tr.t("action.remove"), names.join(", "));
    }
    let mut parts = vec![];
    for key in ["kind", "owner", "plan", "status", "sync_state"] {
        if let Some(v) = json.get(key).and_then(|v| v.as_str()) {
            let text = match key {
                "status" => tr.t(&format!("status.{v}")).to_owned(),
                "sync_state" => tr.t(&format!("sync.{v}")).to_owned(),
                _ => v.to_owned(),
            };
            parts.push(text);
        }
    }
    parts.join(" · ")
}

fn bulk_rows<T: Serialize>(tr: Tr, items: Vec<BulkItem<T>>) -> Vec<BulkRow> {
    items
        .into_iter()
        .map(|item| BulkRow {
            message: match (&item.result, &item.error) {
                (Some(r), _) => summary(tr, r),
                (None, Some(e)) => e.message.clone(),
                (None, None) => String::new(),
            },
            name: item.name,
            ok: item.ok,
        })
        .collect()
}

/// What a bulk form names: the list, the action, the target and the selected objects.
struct Bulk {
    path: &'static str,
    action: String,
    target: Option<String>,
    names: Vec<String>,
    mode: Mode,
}

impl Bulk {
    fn of(form: &UiForm, path: &'static str) -> Bulk {
        Bulk {
            path,
            action: form.get("action").unwrap_or_default(),
            target: form
                .fields
                .iter()
                .find(|(k, _)| k == "target")
                .map(|(_, v)| v.clone()),
            names: form.all("names"),
            mode: if form.has("confirm") {
                Mode::Apply
            } else {
                Mode::DryRun
            },
        }
    }

    /// The target after `prefix` (`plan:`, `to:`), when it has that prefix.
    fn target(&self, prefix: &str) -> Option<String> {
        self.target
            .as_deref()
            .and_then(|t| t.strip_prefix(prefix))
            .map(str::to_owned)
    }

    fn missing_target(&self, field: &str, what: &str) -> berth_core::Error {
        berth_core::Error::invalid(
            field,
            format!("choose {what} to {} to", self.action.replace('_', " ")),
        )
    }

    /// Records the objects an applied bulk action changed.
    async fn record(&self, app: &Berth, form: &UiForm, rows: &[BulkRow]) {
        if self.mode == Mode::Apply {
            let done: Vec<String> = rows
                .iter()
                .filter(|r| r.ok)
                .map(|r| r.name.clone())
                .collect();
            if !done.is_empty() {
                let action = format!("POST {}/bulk {}", self.path, self.action);
                super::audit(app, form, &action, &done).await;
            }
        }
    }

    fn page(&self, user: &UiUser, rows: Vec<BulkRow>) -> Response {
        let tr = user.tr;
        let preview = self.mode == Mode::DryRun;
        let mut hidden: Vec<(String, String)> = self
            .names
            .iter()
            .map(|n| ("names".to_owned(), n.clone()))
            .collect();
        hidden.push(("action".into(), self.action.clone()));
        if let Some(t) = &self.target {
            hidden.push(("target".into(), t.clone()));
        }
        let title = format!(
            "{} — {}",
            tr.t(&format!("action.{}", self.action)),
            if preview {
                tr.t("bulk.preview_title")
            } else {
                tr.t("bulk.done_title")
            }
        );
        let page = BulkPage {
            chrome: chrome(user, title, self.path),
            tr,
            rows,
            preview,
            removal: self.action == "remove",
            action_url: format!("{}/bulk", self.path),
            csrf: user.session.csrf.clone(),
            hidden,
            back: self.path.to_owned(),
        };
        render(StatusCode::OK, &page)
    }
}

async fn accounts_bulk(
    app: &Berth,
    form: UiForm,
    kind: AccountKind,
    path: &'static str,
) -> Response {
    let user = &form.user;
    let tr = user.tr;
    let actor = &user.session.actor;
    let bulk = Bulk::of(&form, path);
    if bulk.names.is_empty() {
        return error_page(
            tr,
            Some(user),
            &berth_core::Error::invalid("names", tr.t("bulk.none")),
        );
    }
    let (names, mode, p) = (&bulk.names, bulk.mode, &NoProgress);
    let rows = match bulk.action.as_str() {
        "suspend" => bulk_rows(tr, app.suspend_accounts(actor, kind, names, mode, p).await),
        "activate" => bulk_rows(tr, app.activate_accounts(actor, kind, names, mode, p).await),
        "remove" => bulk_rows(tr, app.remove_accounts(actor, kind, names, mode, p).await),
        "to_reseller" if kind == AccountKind::Customer => bulk_rows(
            tr,
            app.convert_to_reseller(actor, names, None, mode, p).await,
        ),
        "move" if kind == AccountKind::Customer => match bulk.target("to:") {
            Some(to) => bulk_rows(
                tr,
                app.move_customers(actor, names, &to, None, &[], mode, p)
                    .await,
            ),
            None => return error_page(tr, Some(user), &bulk.missing_target("to", "a reseller")),
        },
        other => {
            let err = berth_core::Error::invalid(
                "action",
                format!("{other:?} is not a bulk action of this list"),
            );
            return error_page(tr, Some(user), &err);
        }
    };
    bulk.record(app, &form, &rows).await;
    bulk.page(user, rows)
}

/// `POST /ui/customers/bulk`: preview (dry run), then with `confirm` apply.
pub async fn customers_bulk(State(app): State<Berth>, form: UiForm) -> Response {
    accounts_bulk(&app, form, AccountKind::Customer, "/ui/customers").await
}

/// `POST /ui/resellers/bulk`: preview (dry run), then with `confirm` apply.
pub async fn resellers_bulk(State(app): State<Berth>, form: UiForm) -> Response {
    accounts_bulk(&app, form, AccountKind::Reseller, "/ui/resellers").await
}

/// `POST /ui/subscriptions/bulk`: preview (dry run), then with `confirm` apply.
pub async fn subscriptions_bulk(State(app): State<Berth>, form: UiForm) -> Response {
    let user = &form.user;
    let tr = user.tr;
    let actor = &user.session.actor;
    let bulk = Bulk::of(&form, "/ui/subscriptions");
    if bulk.names.is_empty() {
        return error_page(
            tr,
            Some(user),
            &berth_core::Error::invalid("names", tr.t("bulk.none")),
        );
    }
    let (names, mode, p) = (&bulk.names, bulk.mode, &NoProgress);
    let rows = match bulk.action.as_str() {
        "suspend" => bulk_rows(tr, app.suspend_subscriptions(actor, names, mode, p).await),
        "activate" => bulk_rows(tr, app.activate_subscriptions(actor, names, mode, p).await),
        "remove" => bulk_rows(tr, app.remove_subscriptions(actor, names, mode, p).await),
        "unlock" => bulk_rows(tr, app.unlock(actor, names, &[], mode, p).await),
        "change_plan" => match bulk.target("plan:") {
            Some(plan) => {
                let plan = (!plan.is_empty()).then_some(plan);
                bulk_rows(
                    tr,
                    app.change_plan(actor, names, plan.as_deref(), mode, p)
                        .await,
                )
            }
            None => {
                return error_page(
                    tr,
                    Some(user),
                    &bulk.missing_target("plan", "a service plan"),
                );
            }
        },
        "change_subscriber" => match bulk.target("to:") {
            Some(to) => bulk_rows(tr, app.change_subscriber(actor, names, &to, mode, p).await),
            None => return error_page(tr, Some(user), &bulk.missing_target("to", "a customer")),
        },
        other => {
            let err = berth_core::Error::invalid(
                "action",
                format!("{other:?} is not a bulk action of this list"),
            );
            return error_page(tr, Some(user), &err);
        }
    };
    bulk.record(&app, &form, &rows).await;
    bulk.page(user, rows)
}

/// A form field.
#[derive(Debug, Clone)]
pub struct Field {
    /// Posted name.
    pub name: String,
    /// Label text.
    pub label: String,
    /// Current value.
    pub value: String,
    /// `text`, `email`, `password`.
    pub input_type: &'static str,
    /// Whether it must be filled.
    pub required: bool,
    /// Whether the last error was about it.
    pub invalid: bool,
    /// Choices (a `<select>` when not empty).
    pub options: Vec<Opt>,
}

/// A group of fields.
#[derive(Debug, Clone)]
pub struct Section {
    /// Legend.
    pub legend: String,
    /// Help text.
    pub help: Option<String>,
    /// Fields.
    pub fields: Vec<Field>,
}

/// A generic form page.
#[derive(Template)]
#[template(path = "form.html")]
pub struct FormPage {
    /// Chrome.
    pub chrome: Chrome,
    /// Language.
    pub tr: Tr,
    /// Where it posts.
    pub action_url: String,
    /// Hidden fields `(name, value)`.
    pub hidden: Vec<(String, String)>,
    /// Synchronizer token.
    pub csrf: String,
    /// Field groups.
    pub sections: Vec<Section>,
    /// Submit buttons (`value` is the posted name).
    pub buttons: Vec<Opt>,
    /// Links shown above the form (`value` is the target).
    pub links: Vec<Opt>,
    /// The title of [`FormPage::report`].
    pub report_title: String,
    /// Lines of a preview or result shown above the form.
    pub report: Vec<String>,
}

const CUSTOMER_FIELDS: &[(&str, &str, &str, bool)] = &[
    ("login", "col.login", "text", true),
    ("password", "login.password", "password", true),
    ("name", "col.name", "text", true),
    ("email", "col.email", "email", true),
    ("company", "col.company", "text", false),
];

async fn customer_form(
    app: &Berth,
    user: &UiUser,
    form: Option<&UiForm>,
    error: Option<&berth_core::Error>,
) -> Response {
    let tr = user.tr;
    let value = |name: &str| form.and_then(|f| f.get(name)).unwrap_or_default();
    let bad = |name: &str| error.and_then(|e| e.field.as_deref()) == Some(name);
    let field = |name: &str, key: &str, input_type: &'static str, required: bool| Field {
        name: name.to_owned(),
        label: tr.t(key).to_owned(),
        value: if input_type == "password" {
            String::new()
        } else {
            value(name)
        },
        input_type,
        required,
        invalid: bad(name),
        options: vec![],
    };
    let mut contact: Vec<Field> = CUSTOMER_FIELDS
        .iter()
        .map(|(n, k, t, r)| field(n, k, t, *r))
        .collect();
    let locale = value("locale");
    contact.push(Field {
        options: [("en-US", "English"), ("fr-FR", "Français")]
            .iter()
            .map(|(v, l)| Opt::new(*v, *l, locale == *v))
            .collect(),
        ..field("locale", "col.locale", "text", false)
    });
    let plans = app
        .list_plans(
            &user.session.actor,
            Some(PlanType::Service),
            Some(user.session.actor.login.as_str()),
        )
        .await
        .unwrap_or_default();
    let chosen = value("plan");
    let mut plan_opts = vec![Opt::new("", tr.t("plan.none"), chosen.is_empty())];
    plan_opts.extend(
        plans
            .iter()
            .map(|p| Opt::new(p.name.clone(), p.name.clone(), chosen == p.name)),
    );
    let first = vec![
        field("domain", "col.domain", "text", false),
        Field {
            options: plan_opts,
            ..field("plan", "col.plan", "text", false)
        },
    ];
    let mut chrome = chrome(user, tr.t("customer.new"), "/ui/customers");
    chrome.error = error.map(|e| e.message.clone());
    let page = FormPage {
        chrome,
        tr,
        action_url: "/ui/customers/new".into(),
        hidden: vec![],
        csrf: user.session.csrf.clone(),
        sections: vec![
            Section {
                legend: tr.t("customer.contact").into(),
                help: None,
                fields: contact,
            },
            Section {
                legend: tr.t("customer.first_sub").into(),
                help: Some(tr.t("customer.domain_hint").into()),
                fields: first,
            },
        ],
        buttons: vec![Opt::new("create", tr.t("form.create"), false)],
        links: vec![],
        report_title: String::new(),
        report: vec![],
    };
    let status = match error {
        Some(e) => super::status_of(e.code),
        None => StatusCode::OK,
    };
    render(status, &page)
}

/// `GET /ui/customers/new`.
pub async fn new_customer_form(State(app): State<Berth>, user: UiUser) -> Response {
    customer_form(&app, &user, None, None).await
}

/// `POST /ui/customers/new`: the customer, and its first subscription when a domain is
/// given, in one transaction.
pub async fn new_customer(State(app): State<Berth>, form: UiForm) -> Response {
    let user = &form.user;
    let actor = &user.session.actor;
    let account = NewAccount {
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
        ..NewAccount::default()
    };
    let login = account.login.clone();
    let outcome = match form.get("domain") {
        Some(domain) => {
            let first = NewSubscription {
                domain,
                plan: form.get("plan"),
                ..NewSubscription::default()
            };
            app.create_customer_with_subscription(actor, account, first, Mode::Apply)
                .await
                .map(|(_, s)| format!("/ui/subscriptions/{}", s.subscription.ascii_name))
        }
        None => app
            .create_account(actor, AccountKind::Customer, account, Mode::Apply)
            .await
            .map(|_| format!("/ui/customers?q={login}")),
    };
    match outcome {
        Ok(to) => {
            let mut named = vec![format!("login={login}")];
            named.extend(form.get("domain").map(|d| format!("domain={d}")));
            super::audit(&app, &form, "POST /ui/customers/new", &named).await;
            see_other(&to)
        }
        Err(e) => customer_form(&app, user, Some(&form), Some(&e)).await,
    }
}
