//! `berth reseller ...` and `berth customer ...`.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use berth_app::accounts::{AccountUpdate, ListRequest, NewAccount, RemovalReport};
use berth_app::views::{AccountView, BulkItem};
use berth_app::{Berth, Mode, NoProgress, Progress};
use berth_core::account::{AccountKind, ContactInput};
use berth_core::rights::Actor;
use berth_core::{Error, Result};
use serde::Serialize;

use crate::cli::{AccountCommand, ContactArgs, CreateArgs, ListArgs, RemoveArgs, UpdateArgs};
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
    let input = NewAccount {
        login: args.login,
        password,
        contact,
        description: args.description,
        external_id,
        owner: args.owner,
    };
    let view = app
        .create_account(actor, kind, input, mode(args.dry_run))
        .await?;
    if out.json {
        if args.dry_run {
            out.json(&DryRun {
                dry_run: true,
                item: &view,
            });
        } else {
            out.json(&view);
        }
    } else {
        let verb = if args.dry_run {
            "Would create"
        } else {
            "Created"
        };
        let owner = view.owner.as_deref().unwrap_or("-");
        println!("{verb} {kind} {} (owner {owner}).", view.login);
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
    let outcome = app
        .update_account(actor, kind, &args.login, update, mode(args.dry_run))
        .await?;
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
