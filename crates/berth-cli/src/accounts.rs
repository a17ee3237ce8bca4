//! `berth reseller ...` and `berth customer ...`.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use berth_app::accounts::{AccountUpdate, ListRequest, NewAccount, RemovalReport};
use berth_app::resellers::ResellerTerms;
use berth_app::subscriptions::{CreatedSubscription, NewSubscription};
use berth_app::views::{AccountView, BulkItem};
use berth_app::{Berth, Mode, NoProgress, Progress};
use berth_core::account::{AccountKind, ContactInput};
use berth_core::property::Group;
use berth_core::rights::Actor;
use berth_core::{Error, Result};
use serde::Serialize;

use crate::cli::{
    AccountCommand, ContactArgs, ConvertArgs, CreateArgs, InfoArgs, IpPoolCommand, ListArgs,
    MoveArgs, RemoveArgs, TermsArgs, UpdateArgs,
};
use crate::output::{Output, exit_code, table};

/// Runs one account verb for `kind`.
pub async fn run(
    app: &Berth,
    actor: &Actor,
    kind: AccountKind,
    cmd: AccountCommand,
    out: Output,
) -> Result<ExitCode> {
    match cmd {
        AccountCommand::Create(args) => create(app, actor, kind, args, out).await,
        AccountCommand::Update(args) => update(app, actor, kind, args, out).await,
        AccountCommand::Info(args) => {
            let view = app.account_info(actor, kind, &args.login).await?;
            if out.json {
                out.json(&view);
            } else {
                print_account(&view);
            }
            Ok(ExitCode::SUCCESS)
        }
        AccountCommand::List(args) => list(app, actor, kind, args, out).await,
        AccountCommand::Remove(args) => remove(app, actor, kind, args, out).await,
        AccountCommand::Suspend(args) => {
            crate::status::run(
                app,
                actor,
                crate::status::Target::Accounts(kind),
                true,
                args,
                out,
            )
            .await
        }
        AccountCommand::Activate(args) => {
            crate::status::run(
                app,
                actor,
                crate::status::Target::Accounts(kind),
                false,
                args,
                out,
            )
            .await
        }
        AccountCommand::Overview(args) => overview(app, actor, kind, args, out).await,
        AccountCommand::IpPool(cmd) => ip_pool(app, actor, kind, cmd, out).await,
        AccountCommand::ConvertToReseller(args) => {
            convert(app, actor, kind, AccountKind::Reseller, args, out).await
        }
        AccountCommand::ConvertToCustomer(args) => {
            convert(app, actor, kind, AccountKind::Customer, args, out).await
        }
        AccountCommand::Move(args) => move_customers(app, actor, kind, args, out).await,
    }
}

/// A secret given on the command line; `-` reads one line from stdin instead, so that it
/// does not show in the process list or shell history.
pub fn secret_arg(field: &str, value: String) -> Result<String> {
    if value != "-" {
        return Ok(value);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::invalid(field, format!("{field} could not be read from stdin: {e}")))?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

pub(crate) fn mode(dry_run: bool) -> Mode {
    if dry_run { Mode::DryRun } else { Mode::Apply }
}

fn contact_input(c: ContactArgs) -> (ContactInput, Option<String>) {
    let input = ContactInput {
        name: c.name,
        company: c.company,
        email: c.email,
        phone: c.phone,
        fax: c.fax,
        address: c.address,
        city: c.city,
        state: c.state,
        postal_code: c.postal_code,
        country: c.country,
        locale: c.locale,
    };
    (input, c.external_id)
}

/// A dry-run result: the object as it would be, flagged.
#[derive(Serialize)]
pub(crate) struct DryRun<'a, T> {
    pub(crate) dry_run: bool,
    #[serde(flatten)]
    pub(crate) item: &'a T,
}

/// `--plan/--limit/--perm/--oversell` as reseller terms.
fn reseller_terms(terms: TermsArgs) -> ResellerTerms {
    let mut assignments: Vec<(Group, String)> = terms
        .limits
        .into_iter()
        .map(|l| (Group::Limits, l))
        .collect();
    assignments.extend(terms.perms.into_iter().map(|p| (Group::Permissions, p)));
    if let Some(oversell) = terms.oversell {
        assignments.push((Group::Permissions, format!("allow_oversell={oversell}")));
    }
    ResellerTerms {
        plan: terms.plan,
        assignments,
    }
}

fn has_terms(terms: &TermsArgs) -> bool {
    !terms.limits.is_empty() || !terms.perms.is_empty() || terms.oversell.is_some()
}

async fn create(
    app: &Berth,
    actor: &Actor,
    kind: AccountKind,
    args: CreateArgs,
    out: Output,
) -> Result<ExitCode> {
    let password = args
        .password
        .map(|p| secret_arg("password", p))
        .transpose()?
        .ok_or_else(|| Error::invalid("password", "password is required"))?;
    let (contact, external_id) = contact_input(args.contact);
    let first = args.first;
    if kind == AccountKind::Customer && has_terms(&args.terms) {
        return Err(Error::invalid(
            "limit",
            "customers take no --limit/--perm/--oversell: their subscriptions do",
        ));
    }
    if kind == AccountKind::Reseller && first.domain.is_some() {
        return Err(Error::invalid(
            "domain",
            "--domain creates a customer's first subscription",
        ));
    }
    let customer_plan = (kind == AccountKind::Customer)
        .then(|| args.terms.plan.clone())
        .flatten();
    if customer_plan.is_some() && first.domain.is_none() {
        return Err(Error::invalid(
            "plan",
            "--plan for a customer needs --domain (its first subscription)",
        ));
    }
    let input = NewAccount {
        login: args.login,
        password,
        contact,
        description: args.description,
        external_id,
        owner: args.owner,
        reseller: if kind == AccountKind::Reseller {
            reseller_terms(args.terms)
        } else {
            ResellerTerms::default()
        },
    };
    let m = mode(args.dry_run);
    let (view, created) = match first.domain {
        Some(domain) => {
            let system_password = first
                .system_password
                .map(|p| secret_arg("system_password", p))
                .transpose()?;
            let sub = NewSubscription {
                domain,
                plan: customer_plan,
                addons: first.addons,
                ips: first.ips,
                system_user: first.system_user,
                system_password,
                ..Default::default()
            };
            let (view, created) = app
                .create_customer_with_subscription(actor, input, sub, m)
                .await?;
            (view, Some(created))
        }
        None => (app.create_account(actor, kind, input, m).await?, None),
    };
    if out.json {
        #[derive(Serialize)]
        struct Created<'a> {
            #[serde(flatten)]
            account: &'a AccountView,
            #[serde(skip_serializing_if = "Option::is_none")]
            subscription: Option<&'a CreatedSubscription>,
            dry_run: bool,
        }
        out.json(&Created {
            account: &view,
            subscription: created.as_ref(),
            dry_run: args.dry_run,
        });
    } else {
        let verb = if args.dry_run {
            "Would create"
        } else {
            "Created"
        };
        let owner = view.owner.as_deref().unwrap_or("-");
        println!("{verb} {kind} {} (owner {owner}).", view.login);
        if let Some(c) = &created {
            println!("{verb} subscription {}.", c.subscription.display_name);
            if let Some(p) = &c.system_password {
                println!(
                    "System password of {} (shown only this once): {p}",
                    c.subscription.system_user
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn update(
    app: &Berth,
    actor: &Actor,
    kind: AccountKind,
    args: UpdateArgs,
    out: Output,
) -> Result<ExitCode> {
    let password = args
        .password
        .map(|p| secret_arg("password", p))
        .transpose()?;
    let (contact, external_id) = contact_input(args.contact);
    let update = AccountUpdate {
        new_login: args.new_login,
        password,
        contact,
        description: args.description,
        external_id,
    };
    let with_terms = has_terms(&args.terms) || args.terms.plan.is_some();
    if with_terms && kind != AccountKind::Reseller {
        return Err(Error::invalid(
            "plan",
            "only resellers have a plan and limits; customers' subscriptions do",
        ));
    }
    let account_fields = update.new_login.is_some()
        || update.password.is_some()
        || !update.contact.is_empty()
        || update.description.is_some()
        || update.external_id.is_some();
    if with_terms && !account_fields {
        let view = app
            .set_reseller_terms(
                actor,
                &args.login,
                &reseller_terms(args.terms),
                mode(args.dry_run),
            )
            .await?;
        if out.json {
            out.json(&view);
        } else {
            let verb = if args.dry_run { "Would set" } else { "Set" };
            println!("{verb} the plan and limits of reseller {}.", view.login);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let outcome = app
        .update_account(actor, kind, &args.login, update, mode(args.dry_run))
        .await?;
    let outcome = if with_terms {
        let view = app
            .set_reseller_terms(
                actor,
                &outcome.account.login,
                &reseller_terms(args.terms),
                mode(args.dry_run),
            )
            .await?;
        berth_app::accounts::UpdateOutcome {
            account: view,
            ..outcome
        }
    } else {
        outcome
    };
    if out.json {
        #[derive(Serialize)]
        struct Updated<'a> {
            #[serde(flatten)]
            account: &'a AccountView,
            changed: &'a [&'static str],
            notice: &'a Option<String>,
            dry_run: bool,
        }
        out.json(&Updated {
            account: &outcome.account,
            changed: &outcome.changed,
            notice: &outcome.notice,
            dry_run: outcome.dry_run,
        });
    } else {
        let verb = if outcome.dry_run {
            "Would change"
        } else {
            "Changed"
        };
        if outcome.changed.is_empty() {
            println!("Nothing changed for {kind} {}.", outcome.account.login);
        } else {
            println!(
                "{verb} {} of {kind} {}.",
                outcome.changed.join(", "),
                outcome.account.login
            );
        }
        if let Some(notice) = &outcome.notice {
            println!("{notice}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn list(
    app: &Berth,
    actor: &Actor,
    kind: AccountKind,
    args: ListArgs,
    out: Output,
) -> Result<ExitCode> {
    let request = ListRequest {
        owner: args.owner,
        status: args.status,
        search: args.search,
        sort: args.sort,
        limit: args.limit,
        after: args.after,
    };
    let page = app.list_accounts(actor, kind, request).await?;
    if out.json {
        out.json(&page.items);
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = page
        .items
        .iter()
        .map(|a| {
            let name = match &a.description {
                Some(d) => format!("{} — {}", a.name, d.lines().next().unwrap_or_default()),
                None => a.name.clone(),
            };
            vec![
                a.login.clone(),
                name,
                a.company.clone().unwrap_or_default(),
                a.email.clone(),
                a.owner.clone().unwrap_or_default(),
                a.status.to_owned(),
            ]
        })
        .collect();
    table(
        &["LOGIN", "NAME", "COMPANY", "EMAIL", "OWNER", "STATUS"],
        &rows,
    );
    if let Some(next) = page.next {
        println!("More: add --after {next}");
    }
    Ok(ExitCode::SUCCESS)
}

/// An indicatif progress bar for bulk work on a terminal.
pub(crate) struct Bar(pub(crate) indicatif::ProgressBar);

impl Progress for Bar {
    fn advance(&self, done: usize, total: usize) {
        self.0.set_length(total as u64);
        self.0.set_position(done as u64);
    }
}

pub(crate) fn confirm(question: &str) -> bool {
    print!("{question} [y/N] ");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).is_ok()
        && matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

async fn remove(
    app: &Berth,
    actor: &Actor,
    kind: AccountKind,
    args: RemoveArgs,
    out: Output,
) -> Result<ExitCode> {
    if !args.yes && !args.dry_run {
        let interactive = out.interactive() && std::io::stdin().is_terminal();
        if !interactive {
            return Err(Error::invalid(
                "yes",
                "removal needs --yes when not run interactively",
            ));
        }
        let what = if kind == AccountKind::Reseller {
            "with their customers and everything they own"
        } else {
            "with everything they own"
        };
        if !confirm(&format!("Remove {kind} {} {what}?", args.logins.join(", "))) {
            println!("Nothing removed.");
            return Ok(ExitCode::SUCCESS);
        }
    }
    let bar = (out.interactive() && args.logins.len() > 1)
        .then(|| Bar(indicatif::ProgressBar::new(args.logins.len() as u64)));
    let progress: &dyn Progress = match &bar {
        Some(bar) => bar,
        None => &NoProgress,
    };
    let results = app
        .remove_accounts(actor, kind, &args.logins, mode(args.dry_run), progress)
        .await;
    if let Some(bar) = bar {
        bar.0.finish_and_clear();
    }
    if out.json {
        out.json(&results);
    } else {
        print_removals(kind, &results);
    }
    Ok(bulk_exit_code(&results))
}

fn print_removals(kind: AccountKind, results: &[BulkItem<RemovalReport>]) {
    for item in results {
        match (&item.result, &item.error) {
            (Some(r), _) => {
                let verb = if r.dry_run { "would remove" } else { "removed" };
                if r.with_accounts.is_empty() {
                    println!("{}: {verb} {kind} {}", item.name, r.login);
                } else {
                    println!(
                        "{}: {verb} {kind} {} with {}",
                        item.name,
                        r.login,
                        r.with_accounts.join(", ")
                    );
                }
            }
            (None, Some(e)) => println!("{}: failed: {}", item.name, e.message),
            (None, None) => {}
        }
    }
}

/// 0 when every object succeeded, else the exit code of the first failure.
pub(crate) fn bulk_exit_code<T>(results: &[BulkItem<T>]) -> ExitCode {
    results
        .iter()
        .find_map(|i| i.error.as_ref())
        .map_or(ExitCode::SUCCESS, |e| ExitCode::from(exit_code(e.code)))
}

fn print_account(a: &AccountView) {
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_owned());
    let reasons: Vec<String> = a
        .suspension_reasons
        .iter()
        .map(|s| {
            format!(
                "{} (by {}, {})",
                s.reason,
                s.by.as_deref().unwrap_or("system"),
                s.at.to_rfc3339()
            )
        })
        .collect();
    let mut rows = vec![
        ("Login", a.login.clone()),
        ("Kind", a.kind.to_owned()),
        ("Owner", opt(&a.owner)),
        ("Name", a.name.clone()),
        ("Company", opt(&a.company)),
        ("Email", a.email.clone()),
        ("Phone", opt(&a.phone)),
        ("Fax", opt(&a.fax)),
        ("Address", opt(&a.address).replace('\n', ", ")),
        ("City", opt(&a.city)),
        ("State", opt(&a.state)),
        ("Postal code", opt(&a.postal_code)),
        ("Country", opt(&a.country)),
        ("Locale", a.locale.clone()),
        ("External id", opt(&a.external_id)),
        ("Status", a.status.to_owned()),
    ];
    if !reasons.is_empty() {
        rows.push(("Suspended for", reasons.join("; ")));
    }
    if let Some(d) = &a.description {
        rows.push(("Description", d.clone()));
    }
    rows.push(("Created", a.created.to_rfc3339()));
    rows.push(("Updated", a.updated.to_rfc3339()));
    rows.push(("Id", a.id.to_string()));
    for (label, value) in rows {
        println!("{label:<14} {value}");
    }
}

async fn overview(
    app: &Berth,
    actor: &Actor,
    kind: AccountKind,
    args: InfoArgs,
    out: Output,
) -> Result<ExitCode> {
    if kind != AccountKind::Reseller {
        return Err(Error::invalid("overview", "the overview is for resellers"));
    }
    let o = app.reseller_overview(actor, &args.login).await?;
    if out.json {
        out.json(&o);
        return Ok(ExitCode::SUCCESS);
    }
    let show = |v: i64| {
        if v < 0 {
            "unlimited".to_owned()
        } else {
            v.to_string()
        }
    };
    let rows: Vec<Vec<String>> = o
        .limits
        .iter()
        .map(|l| {
            let allocated = if l.allocated_unlimited {
                format!("{} + unlimited", l.allocated)
            } else {
                l.allocated.to_string()
            };
            vec![
                l.limit.to_owned(),
                show(l.value),
                allocated,
                l.remaining
                    .map_or("unlimited".to_owned(), |r| r.to_string()),
            ]
        })
        .collect();
    table(&["LIMIT", "VALUE", "ALLOCATED", "REMAINING"], &rows);
    println!(
        "Oversell: {}",
        if o.oversell { "allowed" } else { "forbidden" }
    );
    Ok(ExitCode::SUCCESS)
}

async fn ip_pool(
    app: &Berth,
    actor: &Actor,
    kind: AccountKind,
    cmd: IpPoolCommand,
    out: Output,
) -> Result<ExitCode> {
    if kind != AccountKind::Reseller {
        return Err(Error::invalid("ip", "IP pools belong to resellers"));
    }
    let (add, args) = match cmd {
        IpPoolCommand::Add(a) => (true, a),
        IpPoolCommand::Remove(a) => (false, a),
    };
    let m = mode(args.dry_run);
    let results = if add {
        app.pool_add(actor, &args.login, &args.ips, m, &NoProgress)
            .await
    } else {
        app.pool_remove(actor, &args.login, &args.ips, m, &NoProgress)
            .await
    };
    if out.json {
        out.json(&results);
    } else {
        for item in &results {
            match (&item.result, &item.error) {
                (Some(r), _) => {
                    let verb = match (add, r.dry_run) {
                        (true, false) => "added to",
                        (true, true) => "would be added to",
                        (false, false) => "removed from",
                        (false, true) => "would be removed from",
                    };
                    println!("{}: {verb} {}'s pool", r.ip, args.login);
                }
                (None, Some(e)) => println!("{}: failed: {}", item.name, e.message),
                (None, None) => {}
            }
        }
    }
    Ok(bulk_exit_code(&results))
}

async fn convert(
    app: &Berth,
    actor: &Actor,
    kind: AccountKind,
    to: AccountKind,
    args: ConvertArgs,
    out: Output,
) -> Result<ExitCode> {
    if kind == to {
        return Err(Error::invalid(
            "login",
            format!("these accounts are already {to}s"),
        ));
    }
    let m = mode(args.dry_run);
    let results = match to {
        AccountKind::Reseller => {
            app.convert_to_reseller(actor, &args.logins, args.plan.as_deref(), m, &NoProgress)
                .await
        }
        _ => {
            app.convert_to_customer(actor, &args.logins, args.plan.as_deref(), m, &NoProgress)
                .await
        }
    };
    print_changes(&results, out);
    Ok(bulk_exit_code(&results))
}

async fn move_customers(
    app: &Berth,
    actor: &Actor,
    kind: AccountKind,
    args: MoveArgs,
    out: Output,
) -> Result<ExitCode> {
    if kind != AccountKind::Customer {
        return Err(Error::invalid(
            "login",
            "only customers move to another owner",
        ));
    }
    let m = mode(args.dry_run);
    let results = app
        .move_customers(
            actor,
            &args.logins,
            &args.to,
            args.plan.as_deref(),
            &args.ips,
            m,
            &NoProgress,
        )
        .await;
    print_changes(&results, out);
    Ok(bulk_exit_code(&results))
}

fn print_changes(results: &[BulkItem<berth_app::conversions::AccountChange>], out: Output) {
    if out.json {
        out.json(&results);
        return;
    }
    for item in results {
        match (&item.result, &item.error) {
            (Some(c), _) => {
                let verb = if c.dry_run { "would be" } else { "is now" };
                println!("{}: {verb} a {} of {}", item.name, c.kind, c.owner);
                for s in &c.subscriptions {
                    println!("  {s}");
                }
            }
            (None, Some(e)) => println!("{}: failed: {}", item.name, e.message),
            (None, None) => {}
        }
    }
}
