//! Service plans (read-only list) and Tools & settings: the interface preferences of R8.2
//! (several sessions per login, maximum button label length), the admin's only.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use berth_app::audit::AuditListRequest;
use berth_app::sessions::UiPreferences;
use berth_app::{Berth, Mode};
use berth_core::property::PlanType;

use super::i18n::Tr;
use super::lists::{Field, FormPage, Section};
use super::session::{UiForm, UiUser};
use super::{Chrome, Opt, chrome, error_page, render};

/// A row of a read-only table; its first cell links to `href`.
struct TableRow {
    href: Option<String>,
    cells: Vec<String>,
}

impl From<Vec<String>> for TableRow {
    fn from(cells: Vec<String>) -> Self {
        TableRow { href: None, cells }
    }
}

#[derive(Template)]
#[template(path = "table.html")]
struct TablePage {
    chrome: Chrome,
    tr: Tr,
    links: Vec<Opt>,
    headers: Vec<String>,
    rows: Vec<TableRow>,
}

/// `GET /ui/plans`: the service and add-on plans the user may see, with their use.
pub async fn plans(State(app): State<Berth>, user: UiUser) -> Response {
    let tr = user.tr;
    let actor = &user.session.actor;
    let owner = (!actor.is_admin()).then(|| actor.login.to_string());
    let mut all = Vec::new();
    for plan_type in [PlanType::Service, PlanType::Addon] {
        match app
            .list_plans(actor, Some(plan_type), owner.as_deref())
            .await
        {
            Ok(p) => all.extend(p),
            Err(e) => return error_page(tr, Some(&user), &e),
        }
    }
    let page = TablePage {
        chrome: chrome(&user, tr.t("nav.plans"), "/ui/plans"),
        tr,
        headers: [
            "col.name",
            "col.type",
            "col.subscriber",
            "col.subscriptions",
        ]
        .iter()
        .map(|k| tr.t(k).to_owned())
        .collect(),
        links: vec![
            Opt::new("/ui/plans/new?type=service", tr.t("plans.new"), false),
            Opt::new("/ui/plans/new?type=addon", tr.t("plans.new_addon"), false),
        ],
        rows: all
            .iter()
            .map(|p| TableRow {
                href: Some(format!(
                    "/ui/plans/edit?name={}&owner={}&type={}",
                    encode(&p.name),
                    encode(&p.owner),
                    p.plan_type
                )),
                cells: vec![
                    p.name.clone(),
                    p.plan_type.to_owned(),
                    p.owner.clone(),
                    tr.number(p.subscriptions),
                ],
            })
            .collect(),
    };
    render(StatusCode::OK, &page)
}

fn preferences_page(
    user: &UiUser,
    prefs: &UiPreferences,
    flash: Option<String>,
    error: Option<&berth_core::Error>,
) -> Response {
    let tr = user.tr;
    let mut chrome = chrome(user, tr.t("nav.tools"), "/ui/tools");
    chrome.flash = flash;
    chrome.error = error.map(|e| e.message.clone());
    let several = prefs.multiple_sessions;
    let fields = vec![
        Field {
            name: "multiple_sessions".into(),
            label: tr.t("tools.multiple_sessions").into(),
            value: several.to_string(),
            input_type: "text",
            required: false,
            invalid: false,
            options: vec![
                Opt::new("true", tr.t("yes"), several),
                Opt::new("false", tr.t("no"), !several),
            ],
        },
        Field {
            name: "button_label_length".into(),
            label: tr.t("tools.button_label_length").into(),
            value: prefs.button_label_length.to_string(),
            input_type: "number",
            required: true,
            invalid: error.is_some_and(|e| e.field.as_deref() == Some("button_label_length")),
            options: vec![],
        },
    ];
    let page = FormPage {
        chrome,
        tr,
        action_url: "/ui/tools/preferences".into(),
        hidden: vec![],
        csrf: user.session.csrf.clone(),
        sections: vec![Section {
            legend: tr.t("tools.preferences").into(),
            help: None,
            fields,
        }],
        buttons: vec![Opt::new("save", tr.t("tools.save"), false)],
        links: vec![
            Opt::new("/ui/tools/ips", tr.t("tools.ips"), false),
            Opt::new("/ui/tools/dns-template", tr.t("dnst.title"), false),
            Opt::new("/ui/tools/vhost-template", tr.t("vht.title"), false),
            Opt::new("/ui/tools/tasks", tr.t("tasks.title"), false),
            Opt::new("/ui/tools/audit", tr.t("tools.audit"), false),
            Opt::new("/ui/tools/branding", tr.t("branding.title"), false),
            Opt::new("/ui/buttons", tr.t("buttons.title"), false),
        ],
        report_title: String::new(),
        report: vec![],
    };
    let status = error.map_or(StatusCode::OK, |e| super::status_of(e.code));
    render(status, &page)
}

/// `GET /ui/tools`: Tools & settings (the admin's).
pub async fn tools(State(app): State<Berth>, user: UiUser) -> Response {
    if !user.session.actor.is_admin() {
        let err = berth_core::Error::not_found("page", "no such page");
        return error_page(user.tr, Some(&user), &err);
    }
    match app.ui_preferences().await {
        Ok(prefs) => preferences_page(&user, &prefs, None, None),
        Err(e) => error_page(user.tr, Some(&user), &e),
    }
}

/// `POST /ui/tools/preferences`: saves the interface preferences (R8.2).
pub async fn save_preferences(State(app): State<Berth>, form: UiForm) -> Response {
    let user = &form.user;
    let raw_length = form.get("button_label_length").unwrap_or_default();
    let wanted = UiPreferences {
        multiple_sessions: form.get("multiple_sessions").as_deref() != Some("false"),
        button_label_length: 0,
    };
    let length = berth_app::sessions::parse_button_label_length("button_label_length", &raw_length);
    let outcome = match length {
        Ok(n) => {
            let prefs = UiPreferences {
                button_label_length: n,
                ..wanted.clone()
            };
            app.set_ui_preferences(&user.session.actor, &prefs, Mode::Apply)
                .await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(saved) => {
            let named = [
                format!("multiple_sessions={}", saved.multiple_sessions),
                format!("button_label_length={}", saved.button_label_length),
            ];
            super::audit(&app, &form, "POST /ui/tools/preferences", &named).await;
            preferences_page(user, &saved, Some(user.tr.t("sub.saved").into()), None)
        }
        Err(e) => preferences_page(user, &wanted, None, Some(&e)),
    }
}

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    tr: Tr,
    object: String,
    action: String,
    since: String,
    until: String,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    next: Option<String>,
}

/// `GET /ui/tools/audit` filters.
#[derive(Debug, Default, serde::Deserialize)]
pub struct AuditParams {
    object: Option<String>,
    action: Option<String>,
    since: Option<String>,
    until: Option<String>,
    after: Option<String>,
}

/// `GET /ui/tools/audit`: a page of the audit log, one row per changed field (before and
/// after), filtered by object, operation and dates.
pub async fn audit(
    State(app): State<Berth>,
    user: UiUser,
    axum::extract::Query(params): axum::extract::Query<AuditParams>,
) -> Response {
    let tr = user.tr;
    let request = AuditListRequest {
        object: params.object.clone(),
        action: params.action.clone(),
        since: params.since.clone(),
        until: params.until.clone(),
        after: params.after.clone(),
        limit: Some(100),
        ..AuditListRequest::default()
    };
    let page = match app.list_audit(&user.session.actor, request).await {
        Ok(page) => page,
        Err(e) => return error_page(tr, Some(&user), &e),
    };
    let mut rows = Vec::new();
    for a in &page.items {
        let head = vec![
            format!("{} {}", tr.day(a.at), a.at.format("%H:%M:%S")),
            a.actor.clone(),
            a.interface.clone(),
            a.action.clone(),
            a.source.clone().unwrap_or_default(),
        ];
        if a.changes.is_empty() {
            let mut row = head.clone();
            row.extend([
                a.object.clone(),
                String::new(),
                String::new(),
                String::new(),
            ]);
            rows.push(row);
        }
        for c in &a.changes {
            let mut row = head.clone();
            row.extend([
                c.object.clone(),
                c.field.clone(),
                c.before.clone().unwrap_or_default(),
                c.after.clone().unwrap_or_default(),
            ]);
            rows.push(row);
        }
    }
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let next = page.next.map(|after| {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (key, value) in [
            ("object", &params.object),
            ("action", &params.action),
            ("since", &params.since),
            ("until", &params.until),
        ] {
            if let Some(v) = value {
                query.append_pair(key, v);
            }
        }
        query.append_pair("after", &after);
        format!("/ui/tools/audit?{}", query.finish())
    });
    let headers = [
        "col.at",
        "col.actor",
        "col.interface",
        "col.action",
        "col.source",
        "col.object",
        "audit.field",
        "audit.before",
        "audit.after",
    ];
    let page = AuditPage {
        chrome: chrome(&user, tr.t("tools.audit"), "/ui/tools"),
        tr,
        object: text(&params.object),
        action: text(&params.action),
        since: text(&params.since),
        until: text(&params.until),
        headers: headers.iter().map(|k| tr.t(k).to_owned()).collect(),
        rows,
        next,
    };
    render(StatusCode::OK, &page)
}

/// A limit's value for people: sizes as sizes, `-1` as unlimited.
fn amount(tr: Tr, limit: &str, value: i64, unlimited: bool) -> String {
    if unlimited || value < 0 {
        return tr.t("unlimited").to_owned();
    }
    match berth_core::property::descriptor(limit) {
        Some(d) if matches!(d.kind, berth_core::property::Kind::Size) => {
            d.display(&berth_core::value::Value::Limit(value))
        }
        _ => tr.number(value.unsigned_abs()),
    }
}

/// `GET /ui/overview`: a reseller's "Resources and permissions overview" (R4.4).
pub async fn overview(State(app): State<Berth>, user: UiUser) -> Response {
    let tr = user.tr;
    let actor = &user.session.actor;
    let overview = match app.reseller_overview(actor, actor.login.as_str()).await {
        Ok(o) => o,
        Err(e) => return error_page(tr, Some(&user), &e),
    };
    let mut rows: Vec<TableRow> = overview
        .limits
        .iter()
        .map(|l| {
            let label =
                berth_core::property::descriptor(l.limit).map_or(l.limit, |d| tr.property(d));
            TableRow::from(vec![
                label.to_owned(),
                amount(tr, l.limit, l.value, false),
                amount(tr, l.limit, l.allocated, l.allocated_unlimited),
                l.remaining.map_or_else(
                    || tr.t("unlimited").to_owned(),
                    |r| amount(tr, l.limit, r, false),
                ),
            ])
        })
        .collect();
    if let Some(perms) = overview.permissions.as_object() {
        rows.extend(perms.iter().map(|(name, granted)| {
            let label =
                berth_core::property::descriptor(name).map_or(name.as_str(), |d| tr.property(d));
            let yes = if granted.as_bool() == Some(true) {
                "yes"
            } else {
                "no"
            };
            TableRow::from(vec![
                label.to_owned(),
                tr.t(yes).to_owned(),
                String::new(),
                String::new(),
            ])
        }));
    }
    let page = TablePage {
        chrome: chrome(&user, tr.t("nav.overview"), "/ui/overview"),
        tr,
        links: vec![],
        headers: [
            "col.property",
            "col.value",
            "overview.allocated",
            "overview.remaining",
        ]
        .iter()
        .map(|k| tr.t(k).to_owned())
        .collect(),
        rows,
    };
    render(StatusCode::OK, &page)
}

/// The query of the DNS page.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ZoneParams {
    /// The domain whose zone is shown.
    pub domain: Option<String>,
}

/// One record line of the DNS page.
struct RecordLine {
    name: String,
    rtype: String,
    value: String,
    raw_value: String,
    priority: String,
    ttl: String,
    host: String,
    removable: bool,
}

#[derive(Template)]
#[template(path = "dns.html")]
struct ZonePage {
    chrome: Chrome,
    tr: Tr,
    csrf: String,
    domain: String,
    records: Vec<RecordLine>,
    types: Vec<&'static str>,
}

async fn zone_page(
    app: &Berth,
    user: &UiUser,
    domain: &str,
    error: Option<&berth_core::Error>,
) -> Response {
    let tr = user.tr;
    let zone = match app.dns_zone(&user.session.actor, domain).await {
        Ok(z) => z,
        Err(e) => return error_page(tr, Some(user), &e),
    };
    let mut chrome = chrome(user, format!("DNS {}", zone.name), "/ui/domains");
    chrome.error = error.map(|e| e.message.clone());
    let suffix = format!(".{}", zone.ascii_name.trim_end_matches('.'));
    let page = ZonePage {
        chrome,
        tr,
        csrf: user.session.csrf.clone(),
        domain: zone.ascii_name.clone(),
        records: zone
            .records
            .iter()
            .map(|r| {
                let full = r.ascii_name.trim_end_matches('.');
                RecordLine {
                    name: r.name.clone(),
                    rtype: r.rtype.to_owned(),
                    value: r.value.clone(),
                    raw_value: r.value.clone(),
                    priority: r.priority.map(|p| p.to_string()).unwrap_or_default(),
                    ttl: tr.number(u64::from(r.ttl)),
                    host: full.strip_suffix(&suffix).unwrap_or("").to_owned(),
                    removable: r.rtype != "SOA",
                }
            })
            .collect(),
        types: vec!["A", "AAAA", "CNAME", "MX", "TXT", "NS", "SRV", "CAA"],
    };
    let status = error.map_or(StatusCode::OK, |e| super::status_of(e.code));
    render(status, &page)
}

/// `GET /ui/dns?domain=`: a domain's served DNS records with forms to add and remove
/// records (the use cases check the rights, including a customer's `manage_dns`).
pub async fn zone(
    State(app): State<Berth>,
    user: UiUser,
    axum::extract::Query(params): axum::extract::Query<ZoneParams>,
) -> Response {
    zone_page(&app, &user, &params.domain.unwrap_or_default(), None).await
}

async fn edit_record(app: Berth, form: UiForm, add: bool) -> Response {
    let user = &form.user;
    let domain = form.get("domain").unwrap_or_default();
    let priority = match form.get("priority").map(|p| p.parse::<i64>()) {
        None => None,
        Some(Ok(p)) => Some(p),
        Some(Err(_)) => {
            let err = berth_core::Error::invalid("priority", "priority must be a whole number");
            return zone_page(&app, user, &domain, Some(&err)).await;
        }
    };
    let input = berth_app::dns::RecordInput {
        rtype: form.get("type").unwrap_or_default(),
        host: form.get("host").unwrap_or_default(),
        value: form.get("value").unwrap_or_default(),
        priority,
        ttl: None,
    };
    let named = [
        format!("domain={domain}"),
        format!("type={}", input.rtype),
        format!("host={}", input.host),
    ];
    let actor = &user.session.actor;
    let outcome = if add {
        app.add_dns_record(actor, &domain, input, Mode::Apply).await
    } else {
        app.remove_dns_record(actor, &domain, input, Mode::Apply)
            .await
    };
    match outcome {
        Ok(_) => {
            let action = if add {
                "POST /ui/dns/add"
            } else {
                "POST /ui/dns/remove"
            };
            super::audit(&app, &form, action, &named).await;
            zone_page(&app, user, &domain, None).await
        }
        Err(e) => zone_page(&app, user, &domain, Some(&e)).await,
    }
}

/// `POST /ui/dns/add`.
pub async fn add_record(State(app): State<Berth>, form: UiForm) -> Response {
    edit_record(app, form, true).await
}

/// `POST /ui/dns/remove`.
pub async fn remove_record(State(app): State<Berth>, form: UiForm) -> Response {
    edit_record(app, form, false).await
}
