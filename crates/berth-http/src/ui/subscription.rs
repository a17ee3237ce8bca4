//! A subscription's page: its facts and every property group, the Sync conflict report
//! ("Plan value" / "Available value", R3.4), and for its provider the customize form
//! generated from the property descriptors (Preview, then Update & Lock, R3.5), Unlock &
//! Sync and Sync. Another owner's subscription is not found (404), as in the API.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use berth_app::subscriptions::{Changed, SubscriptionView};
use berth_app::{Berth, Mode, NoProgress};
use berth_core::account::AccountKind;
use berth_core::property::{Descriptor, Group, Kind, PROPERTIES, PlanType, descriptor};
use serde_json::Value;

use super::i18n::Tr;
use super::lists::Field;
use super::session::{UiForm, UiUser};
use super::{Chrome, Opt, chrome, error_page, render};

/// The groups the customize form edits (R3.5: limits and permissions).
const EDITABLE: [Group; 2] = [Group::Limits, Group::Permissions];

/// A group of read-only properties.
#[derive(Debug, Clone)]
struct PropGroup {
    legend: String,
    rows: Vec<(String, String)>,
}

/// A group of the customize form.
#[derive(Debug, Clone)]
struct EditGroup {
    legend: String,
    fields: Vec<Field>,
}

#[derive(Template)]
#[template(path = "subscription.html")]
struct SubscriptionPage {
    chrome: Chrome,
    tr: Tr,
    base: String,
    csrf: String,
    owner: String,
    plan: String,
    status: String,
    status_class: &'static str,
    sync: String,
    sync_class: &'static str,
    expiration: String,
    customized: String,
    changes: Vec<String>,
    changes_title: String,
    conflicts: Vec<(String, String, String)>,
    manage: bool,
    addons: Vec<String>,
    addon_options: Vec<String>,
    groups: Vec<PropGroup>,
    editable: Vec<EditGroup>,
    /// The newest provisioning job: state (translated), its badge class, when it last
    /// changed, attempts, and the error that keeps the files from matching.
    provisioning: Option<(String, &'static str, String, u32, Option<String>)>,
    /// The subscription's IP addresses, comma-separated (hosting settings).
    ips: String,
    /// Its system user.
    system_user: String,
}

/// The properties a subscription's form shows.
fn on_subscription(d: &&Descriptor) -> bool {
    d.on_subscription && d.types.includes(PlanType::Service)
}

/// A stored JSON value as typed in a form (`10G`, `unlimited`, `true`).
fn raw(d: &Descriptor, json: &Value) -> String {
    d.from_json(json)
        .map(|v| d.display(&v))
        .unwrap_or_else(|_| json.to_string())
}

/// A stored JSON value for people, in the user's language.
fn shown(tr: Tr, d: &Descriptor, json: &Value) -> String {
    match raw(d, json).as_str() {
        "unlimited" => tr.t("unlimited").to_owned(),
        "true" => tr.t("yes").to_owned(),
        "false" => tr.t("no").to_owned(),
        other => other.to_owned(),
    }
}

fn value_of(view: &SubscriptionView, d: &Descriptor) -> Option<Value> {
    view.properties.json(d.name)
}

fn edit_field(tr: Tr, d: &Descriptor, current: String) -> Field {
    let options = match d.kind {
        Kind::Bool => vec![
            Opt::new("true", tr.t("yes"), current == "true"),
            Opt::new("false", tr.t("no"), current == "false"),
        ],
        Kind::Choice(choices) => choices
            .iter()
            .map(|c| Opt::new(*c, *c, current == *c))
            .collect(),
        _ => vec![],
    };
    Field {
        name: d.name.to_owned(),
        label: tr.property(d).to_owned(),
        value: current,
        input_type: "text",
        required: false,
        invalid: false,
        options,
    }
}

async fn page(
    app: &Berth,
    user: &UiUser,
    view: &SubscriptionView,
    changes: Option<(String, Vec<String>)>,
) -> Response {
    let tr = user.tr;
    let props = || PROPERTIES.iter().filter(on_subscription);
    let groups = Group::ALL
        .iter()
        .map(|g| PropGroup {
            legend: tr.t(&format!("group.{}", g.as_str())).to_owned(),
            rows: props()
                .filter(|d| d.group == *g)
                .filter_map(|d| {
                    Some((tr.property(d).to_owned(), shown(tr, d, &value_of(view, d)?)))
                })
                .collect(),
        })
        .filter(|g| !g.rows.is_empty())
        .collect();
    let editable = EDITABLE
        .iter()
        .map(|g| EditGroup {
            legend: tr.t(&format!("group.{}", g.as_str())).to_owned(),
            fields: props()
                .filter(|d| d.group == *g)
                .filter_map(|d| Some(edit_field(tr, d, raw(d, &value_of(view, d)?))))
                .collect(),
        })
        .collect();
    let conflicts = view
        .conflicts
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|c| {
                    let d = descriptor(c["property"].as_str()?)?;
                    Some((
                        tr.property(d).to_owned(),
                        shown(tr, d, &c["plan_value"]),
                        shown(tr, d, &c["available_value"]),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    let (changes_title, changes) = changes.unwrap_or_default();
    let manage = user.session.actor.kind != AccountKind::Customer;
    let addon_options: Vec<String> = if manage && view.plan.is_some() {
        let actor = &user.session.actor;
        app.list_plans(actor, Some(PlanType::Addon), Some(actor.login.as_str()))
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.name)
            .filter(|n| !view.addons.contains(n))
            .collect()
    } else {
        vec![]
    };
    let provisioning = match app
        .subscription_provisioning(&user.session.actor, &view.ascii_name)
        .await
    {
        Ok(job) => job.map(|j| {
            let state = j.state.as_str();
            let class = match state {
                "done" => "ok",
                "failed" => "bad",
                _ => "warn",
            };
            (
                tr.t(&format!("job.{state}")).to_owned(),
                class,
                tr.day(j.updated_at),
                j.attempts,
                j.error,
            )
        }),
        Err(e) => return error_page(tr, Some(user), &e),
    };
    let page = SubscriptionPage {
        chrome: chrome(
            user,
            format!("{} {}", tr.t("sub.title"), view.name),
            "/ui/subscriptions",
        ),
        tr,
        base: format!("/ui/subscriptions/{}", view.ascii_name),
        csrf: user.session.csrf.clone(),
        owner: view.owner.clone(),
        plan: view
            .plan
            .clone()
            .unwrap_or_else(|| tr.t("custom").to_owned()),
        status: tr.t(&format!("status.{}", view.status)).to_owned(),
        status_class: if view.status == "active" { "ok" } else { "bad" },
        sync: tr.t(&format!("sync.{}", view.sync_state)).to_owned(),
        sync_class: match view.sync_state {
            "synced" => "ok",
            "locked" => "warn",
            _ => "bad",
        },
        expiration: view
            .expiration
            .map(|d| tr.date(d))
            .unwrap_or_else(|| tr.t("unlimited").to_owned()),
        customized: view.customized.join(", "),
        provisioning,
        ips: view.ips.join(", "),
        system_user: view.system_user.clone(),
        changes,
        changes_title,
        conflicts,
        manage,
        addons: view.addons.clone(),
        addon_options,
        groups,
        editable,
    };
    render(StatusCode::OK, &page)
}

/// `GET /ui/subscriptions/{name}`.
pub async fn show(State(app): State<Berth>, user: UiUser, Path(name): Path<String>) -> Response {
    match app.subscription_info(&user.session.actor, &name).await {
        Ok(view) => page(&app, &user, &view, None).await,
        Err(e) => error_page(user.tr, Some(&user), &e),
    }
}

async fn changed_page(app: &Berth, user: &UiUser, changed: &Changed, preview: bool) -> Response {
    let tr = user.tr;
    let title = if preview {
        tr.t("bulk.preview_title")
    } else {
        tr.t("sub.saved")
    };
    let mut lines: Vec<String> = changed
        .changes
        .iter()
        .map(|c| {
            let d = descriptor(c.field);
            let text = |v: &Value| d.map(|d| shown(tr, d, v)).unwrap_or_else(|| v.to_string());
            let label = d.map(|d| tr.property(d)).unwrap_or(c.field);
            format!("{label}: {} → {}", text(&c.old), text(&c.new))
        })
        .collect();
    if lines.is_empty() {
        lines.push(tr.t("sub.no_changes").to_owned());
    }
    page(
        app,
        user,
        &changed.subscription,
        Some((title.to_owned(), lines)),
    )
    .await
}

/// `POST /ui/subscriptions/{name}/customize`: the fields whose value changed become
/// `--limit`/`--perm` assignments; `preview` is a dry run, `apply` is Update & Lock.
pub async fn customize(
    State(app): State<Berth>,
    Path(name): Path<String>,
    form: UiForm,
) -> Response {
    let user = &form.user;
    let assignments: Vec<(Group, String)> = PROPERTIES
        .iter()
        .filter(on_subscription)
        .filter(|d| EDITABLE.contains(&d.group))
        .filter_map(|d| {
            let now = form.get(d.name)?;
            let was = form.get(&format!("was:{}", d.name)).unwrap_or_default();
            (now != was).then(|| (d.group, format!("{}={now}", d.name)))
        })
        .collect();
    let mode = if form.has("apply") {
        Mode::Apply
    } else {
        Mode::DryRun
    };
    match app
        .customize(&user.session.actor, &name, &assignments, mode)
        .await
    {
        Ok(changed) => {
            if mode == Mode::Apply {
                let fields: Vec<String> = assignments.iter().map(|(_, a)| a.clone()).collect();
                let named = [vec![format!("domain={name}")], fields].concat();
                super::audit(&app, &form, "POST /ui/subscriptions/customize", &named).await;
            }
            changed_page(&app, user, &changed, mode == Mode::DryRun).await
        }
        Err(e) => error_page(user.tr, Some(user), &e),
    }
}

/// `POST /ui/subscriptions/{name}/unlock`: Unlock & Sync (every customized field).
pub async fn unlock(State(app): State<Berth>, Path(name): Path<String>, form: UiForm) -> Response {
    let user = &form.user;
    let names = [name];
    let mut items = app
        .unlock(&user.session.actor, &names, &[], Mode::Apply, &NoProgress)
        .await;
    match items.pop() {
        Some(item) => match (item.result, item.error) {
            (Some(changed), _) => {
                let named = [format!("domain={}", changed.subscription.ascii_name)];
                super::audit(&app, &form, "POST /ui/subscriptions/unlock", &named).await;
                changed_page(&app, user, &changed, false).await
            }
            (None, Some(e)) => error_page(user.tr, Some(user), &e),
            (None, None) => error_page(
                user.tr,
                Some(user),
                &berth_core::Error::failed("the operation reported nothing"),
            ),
        },
        None => error_page(
            user.tr,
            Some(user),
            &berth_core::Error::failed("the operation reported nothing"),
        ),
    }
}

/// `POST /ui/subscriptions/{name}/sync`: retries the sync; with `accept`, takes the
/// available values (R3.4).
pub async fn sync(State(app): State<Berth>, Path(name): Path<String>, form: UiForm) -> Response {
    let user = &form.user;
    let accept = form.has("accept");
    match app
        .sync_subscription(&user.session.actor, &name, accept, Mode::Apply)
        .await
    {
        Ok(changed) => {
            let named = [format!("domain={name}")];
            super::audit(&app, &form, "POST /ui/subscriptions/sync", &named).await;
            changed_page(&app, user, &changed, false).await
        }
        Err(e) => error_page(user.tr, Some(user), &e),
    }
}

/// `POST /ui/subscriptions/{name}/addons`: adds (`add`) or removes (`remove`) an add-on
/// (R2.5, R3.6); the subscription is synced with its plans in the same transaction.
pub async fn addons(State(app): State<Berth>, Path(name): Path<String>, form: UiForm) -> Response {
    let user = &form.user;
    let actor = &user.session.actor;
    let names = [name.clone()];
    let (addon, adding) = match (form.get("add"), form.get("remove")) {
        (Some(a), _) => (a, true),
        (None, Some(r)) => (r, false),
        (None, None) => {
            let err = berth_core::Error::invalid("addon", "choose an add-on");
            return error_page(user.tr, Some(user), &err);
        }
    };
    let mut items = if adding {
        app.add_addon(actor, &names, &addon, Mode::Apply, &NoProgress)
            .await
    } else {
        app.remove_addon(actor, &names, &addon, Mode::Apply, &NoProgress)
            .await
    };
    match items.pop().map(|i| (i.result, i.error)) {
        Some((Some(changed), _)) => {
            let action = if adding {
                "POST /ui/subscriptions/addons add"
            } else {
                "POST /ui/subscriptions/addons remove"
            };
            super::audit(
                &app,
                &form,
                action,
                &[format!("domain={name}"), format!("addon={addon}")],
            )
            .await;
            changed_page(&app, user, &changed, false).await
        }
        Some((None, Some(e))) => error_page(user.tr, Some(user), &e),
        _ => error_page(
            user.tr,
            Some(user),
            &berth_core::Error::failed("the operation reported nothing"),
        ),
    }
}

/// `POST /ui/subscriptions/{name}/renew`: a new expiration date, or none (unlimited).
pub async fn renew(State(app): State<Berth>, Path(name): Path<String>, form: UiForm) -> Response {
    let user = &form.user;
    let expiration = form
        .get("expiration")
        .unwrap_or_else(|| "unlimited".to_owned());
    match app
        .renew(&user.session.actor, &name, &expiration, Mode::Apply)
        .await
    {
        Ok(changed) => {
            let named = [format!("domain={name}"), format!("expiration={expiration}")];
            super::audit(&app, &form, "POST /ui/subscriptions/renew", &named).await;
            changed_page(&app, user, &changed, false).await
        }
        Err(e) => error_page(user.tr, Some(user), &e),
    }
}

/// `POST /ui/subscriptions/{name}/hosting`: hosting settings (`berth subscription set`):
/// IP addresses, system user, system password; only what changed is sent.
pub async fn hosting(State(app): State<Berth>, Path(name): Path<String>, form: UiForm) -> Response {
    let user = &form.user;
    let actor = &user.session.actor;
    let current = match app.subscription_info(actor, &name).await {
        Ok(v) => v,
        Err(e) => return error_page(user.tr, Some(user), &e),
    };
    let ips: Vec<String> = form
        .get("ips")
        .unwrap_or_default()
        .split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let change = berth_app::subscriptions::HostingChange {
        ips: if ips == current.ips { vec![] } else { ips },
        system_user: form
            .get("system_user")
            .filter(|u| *u != current.system_user),
        system_password: form
            .fields
            .iter()
            .find(|(k, _)| k == "system_password")
            .map(|(_, v)| v.clone())
            .filter(|p| !p.is_empty()),
    };
    match app.set_hosting(actor, &name, change, Mode::Apply).await {
        Ok(changed) => {
            super::audit(
                &app,
                &form,
                "POST /ui/subscriptions/hosting",
                &[format!("domain={name}")],
            )
            .await;
            changed_page(&app, user, &changed, false).await
        }
        Err(e) => error_page(user.tr, Some(user), &e),
    }
}
